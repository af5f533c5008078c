/* apk's database as text: /lib/apk/db/installed, scripts.tar (through
 * lib/tar.c's writer), triggers and /etc/apk/world, in the layout apk
 * 2.14's database.c writes (docs/apk-formats.md), and the world's words
 * read back as what is asked for. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apkdb.h"
#include "tar.h"

int apkdb_put(void *ctx, const void *data, size_t n)
{
	struct apkdb_text *t = ctx;

	if (t->err)
		return t->err;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 65536;
		char *q;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (!(q = realloc(t->p, cap)))
			return t->err = -ENOMEM;
		t->p = q;
		t->cap = cap;
	}
	memcpy(t->p + t->len, data, n);
	t->len += n;
	t->p[t->len] = '\0';
	return 0;
}

void apkdb_text_free(struct apkdb_text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

static void tprintf(struct apkdb_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tprintf(struct apkdb_text *t, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line)) {
		if (!t->err)
			t->err = -ENAMETOOLONG;
		return;
	}
	apkdb_put(t, line, (size_t)n);
}

static void field(struct apkdb_text *t, char key, const char *v)
{
	if (v && *v)
		tprintf(t, "%c:%s\n", key, v);
}

/* KEY:word word... for DEPS[FIRST..FIRST+N), nothing when N is 0. */
static void deps_field(struct apkdb_text *t, char key, const struct apk_dep *deps, unsigned first, unsigned n)
{
	char w[512];
	unsigned j;

	if (!n)
		return;
	tprintf(t, "%c:", key);
	for (j = 0; j < n; j++)
		tprintf(t, "%s%s", j ? " " : "", apk_dep_str(&deps[first + j], w, sizeof(w)));
	apkdb_put(t, "\n", 1);
}

static const char *parent_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(buf, size, "%.*s", slash ? (int)(slash - path) : 0, path);
	return buf;
}

void apkdb_installed(struct apkdb_text *t, const struct apkdb_pkg *in)
{
	const struct apk_db *db = in->db;
	const struct apk_pkg *pk = &db->pkgs[in->pkg];
	const struct apk_files *l = in->files;
	size_t nf = l ? l->n : 0, i, k;
	bool *done = calloc(nf + 1, sizeof(bool));
	char dir[TAR_PATH_MAX], d2[TAR_PATH_MAX];

	if (!done) {
		if (!t->err)
			t->err = -ENOMEM;
		return;
	}
	field(t, 'C', pk->csum);
	field(t, 'P', pk->name);
	field(t, 'V', pk->version);
	field(t, 'A', pk->arch);
	tprintf(t, "S:%lld\nI:%lld\n", pk->size, pk->installed_size);
	field(t, 'T', pk->desc);
	field(t, 'U', pk->url);
	field(t, 'L', pk->license);
	field(t, 'o', pk->origin);
	field(t, 'm', pk->maintainer);
	if (pk->build_time)
		tprintf(t, "t:%lld\n", pk->build_time);
	field(t, 'c', pk->commit);
	if (pk->provider_priority >= 0)
		tprintf(t, "k:%d\n", pk->provider_priority);
	deps_field(t, 'D', db->deps, pk->deps, pk->ndeps);
	deps_field(t, 'p', db->deps, pk->provs, pk->nprovs);
	deps_field(t, 'i', db->deps, pk->iifs, pk->niifs);
	deps_field(t, 'r', in->repl, 0, in->nrepl > 0 ? (unsigned)in->nrepl : 0);
	if (in->repl_prio)
		tprintf(t, "q:%u\n", in->repl_prio);
	if (in->files_broken || in->script_failed || in->xattr_broken)
		tprintf(t, "f:%s%s%s\n", in->files_broken ? "f" : "", in->script_failed ? "s" : "",
		        in->xattr_broken ? "x" : "");
	/* Directories in the order they first appear (a file's parent counts). */
	for (i = 0; i < nf; i++) {
		const struct apk_file *f = &l->f[i];
		const struct apk_file *df = NULL;

		if (done[i] || f->not_owned)
			continue;
		if (f->type == 'd') {
			snprintf(dir, sizeof(dir), "%s", f->path);
			df = f;
		} else
			parent_of(f->path, dir, sizeof(dir));
		for (k = 0; !df && k < nf; k++)
			if (l->f[k].type == 'd' && !strcmp(l->f[k].path, dir))
				df = &l->f[k];
		if (df)
			done[df - l->f] = true;
		tprintf(t, "F:%s\n", dir);
		if (df && (df->uid || df->gid || (df->mode & 07777) != 0755 || df->xattr_csum[0]))
			tprintf(t, "M:%u:%u:%o%s%s\n", df->uid, df->gid, df->mode & 07777, df->xattr_csum[0] ? ":" : "",
			        df->xattr_csum);
		for (k = 0; k < nf; k++) {
			const struct apk_file *g = &l->f[k];
			if (done[k] || g->type == 'd' || g->not_owned || strcmp(parent_of(g->path, d2, sizeof(d2)), dir))
				continue;
			done[k] = true;
			tprintf(t, "R:%s\n", strrchr(g->path, '/') ? strrchr(g->path, '/') + 1 : g->path);
			if (g->uid || g->gid || (g->mode & 07777) != 0644 || g->xattr_csum[0])
				tprintf(t, "a:%u:%u:%o%s%s\n", g->uid, g->gid, g->mode & 07777, g->xattr_csum[0] ? ":" : "",
				        g->xattr_csum);
			if (g->csum[0])
				tprintf(t, "Z:%s\n", g->csum);
		}
	}
	apkdb_put(t, "\n", 1);
	free(done);
}

void apkdb_scripts(struct apkdb_text *t, const struct apk_pkg *pk, const struct apk_pkgcheck *chk)
{
	char name[512];
	int s, n;

	for (s = 0; s < chk->nscripts && !t->err; s++) {
		n = snprintf(name, sizeof(name), "%s-%s.%s.%s", pk->name, pk->version, pk->csum ? pk->csum : "",
		             chk->scripts[s].action);
		if (n < 0 || n >= (int)sizeof(name))
			t->err = -ENAMETOOLONG;
		else if ((n = tar_write_file(apkdb_put, t, name, chk->scripts[s].text, chk->scripts[s].len, 0755)) && !t->err)
			t->err = n;
	}
}

void apkdb_scripts_end(struct apkdb_text *t)
{
	int err = tar_write_end(apkdb_put, t);

	if (err && !t->err)
		t->err = err;
}

void apkdb_triggers(struct apkdb_text *t, const struct apk_pkg *pk, const char *globs)
{
	tprintf(t, "%s %s\n", pk->csum ? pk->csum : "", globs);
}

static int word_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void apkdb_world(struct apkdb_text *t, const struct apk_want *w, size_t n)
{
	char **words = calloc(n + 1, sizeof(*words)), d[512];
	size_t i;

	if (!words) {
		if (!t->err)
			t->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++)
		if (!(words[i] = strdup(apk_dep_str(&w[i].dep, d, sizeof(d))))) {
			if (!t->err)
				t->err = -ENOMEM;
			goto out;
		}
	qsort(words, n, sizeof(*words), word_cmp);
	for (i = 0; i < n; i++)
		if (!i || strcmp(words[i], words[i - 1]))
			tprintf(t, "%s\n", words[i]);
out:
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

int apkdb_world_parse(char *text, const char *from, struct apk_want *w, size_t *n, size_t max, char *bad, size_t badsz)
{
	char *save = NULL, *tok;

	if (badsz)
		bad[0] = '\0';
	for (tok = strtok_r(text, " \t\n,", &save); tok; tok = strtok_r(NULL, " \t\n,", &save)) {
		if (*n >= max)
			return -E2BIG;
		if (badsz)
			snprintf(bad, badsz, "%s", tok);   /* before the parser cuts it */
		if (apk_dep_parse(tok, &w[*n].dep))
			return -EINVAL;
		if (badsz)
			bad[0] = '\0';
		w[*n].from = from;
		(*n)++;
	}
	return 0;
}
