/* Kernel module database and loader: modules.dep, modules.alias and
 * modules.builtin as depmod writes them, and insmod: the kernel decompresses
 * a compressed module when it can (finit_module, Linux >= 6.1 with
 * CONFIG_MODULE_DECOMPRESS), else the file is read and decompressed here
 * (lib/modfile.c) for init_module.
 *
 * Memory: kmod_open reads the three text files into one buffer (db->text,
 * followed by room for the module names) and makes four tables: the
 * modules, the aliases, the builtin names, and one int pool holding a name
 * hash table, a path hash table and every module's dependency list. The
 * sizes come from the files, so they are allocated (as the overlay's and the
 * packages' buffers are); kmod_close frees it all. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmod.h"
#include "match.h"
#include "modfile.h"

#define DB_FILE_MAX  (64u << 20)    /* one modules.* file */
#define NAME_LEN     256            /* a name or modalias we look up */

enum { ST_UNTOUCHED = 0, ST_LOADING = 1, ST_DONE = 2 };

/* ------------------------------------------------------------- names */

/* Copy at most N bytes of SRC into DST (SIZE bytes) with '-' -> '_' outside
 * [...] (a pattern's character class keeps its ranges, as in libkmod).
 * Returns 0 or -ENAMETOOLONG. */
static int normalise(char *dst, size_t size, const char *src, size_t n)
{
	size_t i;
	int in_class = 0;

	for (i = 0; i < n && src[i]; i++) {
		char c = src[i];

		if (i + 1 >= size)
			return -ENAMETOOLONG;
		if (c == '[')
			in_class = 1;
		else if (c == ']')
			in_class = 0;
		else if (c == '-' && !in_class)
			c = '_';
		dst[i] = c;
	}
	if (size == 0)
		return -ENAMETOOLONG;
	dst[i] = '\0';
	return 0;
}

/* The module name in PATH: its base name up to ".ko" (at the end or before
 * a compression suffix). Sets *LEN. */
static const char *path_to_name(const char *path, size_t *len)
{
	const char *base = strrchr(path, '/'), *ko;

	base = base ? base + 1 : path;
	for (ko = strstr(base, ".ko"); ko; ko = strstr(ko + 1, ".ko"))
		if (ko[3] == '\0' || ko[3] == '.')
			break;
	*len = ko ? (size_t)(ko - base) : strlen(base);
	return base;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The pool starts with the name table, then the path table (hsize each). */
static int *name_table(const struct kmod_db *db) { return db->pool; }
static int *path_table(const struct kmod_db *db) { return db->pool + db->hsize; }

/* Slot for KEY in TABLE (-1 empty, else a module index whose name or path,
 * per BY_PATH, is KEY). */
static int *hash_slot(const struct kmod_db *db, int *table, const char *key, int by_path)
{
	uint32_t mask = (uint32_t)db->hsize - 1, i = hash_str(key) & mask;

	for (;;) {
		int m = table[i];
		if (m < 0 || !strcmp(by_path ? db->mods[m].path : db->mods[m].name, key))
			return &table[i];
		i = (i + 1) & mask;
	}
}

int kmod_find(const struct kmod_db *db, const char *name)
{
	char norm[NAME_LEN];
	int m;

	if (!db->pool || !name || normalise(norm, sizeof(norm), name, strlen(name)))
		return -ENOENT;
	m = *hash_slot(db, name_table(db), norm, 0);
	return m < 0 ? -ENOENT : m;
}

bool kmod_is_builtin(const struct kmod_db *db, const char *name)
{
	char norm[NAME_LEN];
	int i;

	if (!name || normalise(norm, sizeof(norm), name, strlen(name)))
		return false;
	for (i = 0; i < db->nbuiltin; i++)
		if (!strcmp(db->builtin[i], norm))
			return true;
	return false;
}

/* ------------------------------------------------------------- parsing */

struct dbfile {
	const char *name;
	bool required;
	int fd;
	size_t size;
	char *text;
};

static int open_dbfile(const char *dir, struct dbfile *f)
{
	char path[1024];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, f->name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return f->required || errno != ENOENT ? -errno : 0;
	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (st.st_size > (off_t)DB_FILE_MAX)
		return -EFBIG;
	f->size = (size_t)st.st_size;
	return 0;
}

/* Read F (at most f->size bytes) into f->text and NUL-terminate it. */
static int read_dbfile(struct dbfile *f)
{
	size_t len = 0;

	while (f->fd >= 0 && len < f->size) {
		ssize_t n = read(f->fd, f->text + len, f->size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	f->text[len] = '\0';
	return 0;
}

/* Next line of *P (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	return line;
}

/* Next word of *P (separated by blanks, NUL-terminated in place) or NULL. */
static char *next_word(char **p)
{
	char *w = *p + strspn(*p, " \t\r"), *end;

	if (!*w)
		return NULL;
	end = w + strcspn(w, " \t\r");
	*p = *end ? end + 1 : end;
	*end = '\0';
	return w;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void count_dep(const char *text, int *nmods, int *ndeps)
{
	const char *line = text;

	*nmods = *ndeps = 0;
	while (*line) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		const char *colon = memchr(line, ':', (size_t)(end - line)), *p;

		if (colon && line[0] != '#') {
			(*nmods)++;
			for (p = colon + 1; p < end; p++)
				if (!is_blank(*p) && (is_blank(p[-1]) || p == colon + 1))
					(*ndeps)++;
		}
		line = nl ? nl + 1 : end;
	}
}

/* Modules and their names. NAMES has room for every name. Each line becomes
 * PATH\0DEPS\0 in place; the dependency lists are resolved afterwards. */
static void parse_dep_modules(struct kmod_db *db, char *text, char *names)
{
	char *p = text, *line;

	while ((line = next_line(&p))) {
		char *colon = strchr(line, ':'), *path = line;
		struct kmod_mod *m;
		size_t len;
		const char *base;
		int *slot;

		if (!colon || line[0] == '#')
			continue;
		*colon = '\0';
		path += strspn(path, " \t");
		m = &db->mods[db->nmods];
		m->path = path;
		base = path_to_name(path, &len);
		normalise(names, len + 1, base, len);
		m->name = names;
		names += len + 1;
		slot = hash_slot(db, name_table(db), m->name, 0);
		if (*slot < 0)     /* a name twice: the first line wins */
			*slot = db->nmods;
		slot = hash_slot(db, path_table(db), m->path, 1);
		if (*slot < 0)
			*slot = db->nmods;
		db->nmods++;
	}
}

/* Dependency paths -> indexes (-1 for a path modules.dep does not list). */
static void parse_dep_lists(struct kmod_db *db, int *deps)
{
	int i;

	for (i = 0; i < db->nmods; i++) {
		struct kmod_mod *m = &db->mods[i];
		char *p = m->path + strlen(m->path) + 1, *w;

		m->deps = deps;
		while ((w = next_word(&p))) {
			m->deps[m->ndeps++] = *hash_slot(db, path_table(db), w, 1);
			deps++;
		}
	}
}

static int count_lines(const char *text, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *line = text;
	int n = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');
		if (!strncmp(line, prefix, plen))
			n++;
		if (!nl)
			break;
		line = nl + 1;
	}
	return n;
}

/* "alias PATTERN NAME" lines, patterns normalised in place. Aliases of
 * modules modules.dep does not list (built in) are left out. */
static void parse_alias(struct kmod_db *db, char *text)
{
	char *p = text, *line;

	while ((line = next_line(&p))) {
		char *w = line, *kw = next_word(&w), *pat = next_word(&w), *name = next_word(&w);
		int m;

		if (!kw || strcmp(kw, "alias") || !pat || !name)
			continue;
		m = kmod_find(db, name);
		if (m < 0)
			continue;
		normalise(pat, strlen(pat) + 1, pat, strlen(pat));
		db->aliases[db->naliases].pattern = pat;
		db->aliases[db->naliases].mod = m;
		db->naliases++;
	}
}

/* modules.builtin: one path per line; the names are cut out in place. */
static void parse_builtin(struct kmod_db *db, char *text)
{
	char *p = text, *line;

	while ((line = next_line(&p))) {
		char *w = line, *path = next_word(&w), *base;
		size_t len;

		if (!path || path[0] == '#')
			continue;
		base = (char *)path_to_name(path, &len);
		base[len] = '\0';
		normalise(base, len + 1, base, len);
		db->builtin[db->nbuiltin++] = base;
	}
}

int kmod_open(struct kmod_db *db, const char *dir)
{
	struct dbfile f[3] = {
		{ "modules.dep", true, -1, 0, NULL },
		{ "modules.alias", false, -1, 0, NULL },
		{ "modules.builtin", false, -1, 0, NULL },
	};
	size_t total = 0;
	int i, err, nmods, ndeps, nalias, nbuiltin;
	char *names;

	memset(db, 0, sizeof(*db));
	db->insmod = kmod_insmod_file;
	if (snprintf(db->dir, sizeof(db->dir), "%s", dir) >= (int)sizeof(db->dir))
		return -ENAMETOOLONG;
	for (i = 0; i < 3; i++) {
		err = open_dbfile(dir, &f[i]);
		if (err)
			goto err_close;
		total += f[i].size + 1;
	}
	/* Room after the files for the names cut out of modules.dep. */
	db->text = malloc(total + f[0].size + 1);
	if (!db->text) {
		err = -ENOMEM;
		goto err_close;
	}
	for (i = 0; i < 3; i++) {
		f[i].text = i ? f[i - 1].text + f[i - 1].size + 1 : db->text;
		err = read_dbfile(&f[i]);
		if (err)
			goto err_free;
		if (f[i].fd >= 0)
			close(f[i].fd);
		f[i].fd = -1;
	}
	names = f[2].text + f[2].size + 1;

	count_dep(f[0].text, &nmods, &ndeps);
	for (db->hsize = 16; db->hsize < 2 * nmods; db->hsize *= 2)
		;
	nalias = count_lines(f[1].text, "alias");
	nbuiltin = count_lines(f[2].text, "");
	db->mods = calloc((size_t)nmods + 1, sizeof(*db->mods));
	db->pool = malloc(((size_t)db->hsize * 2 + (size_t)ndeps + 1) * sizeof(int));
	db->aliases = calloc((size_t)nalias + 1, sizeof(*db->aliases));
	db->builtin = calloc((size_t)nbuiltin + 1, sizeof(*db->builtin));
	if (!db->mods || !db->pool || !db->aliases || !db->builtin) {
		err = -ENOMEM;
		goto err_free;
	}
	memset(db->pool, 0xff, (size_t)db->hsize * 2 * sizeof(int));   /* all -1 */

	parse_dep_modules(db, f[0].text, names);
	parse_dep_lists(db, db->pool + 2 * db->hsize);
	parse_alias(db, f[1].text);
	parse_builtin(db, f[2].text);
	return 0;

err_free:
	kmod_close(db);
err_close:
	for (i = 0; i < 3; i++)
		if (f[i].fd >= 0)
			close(f[i].fd);
	return err;
}

void kmod_close(struct kmod_db *db)
{
	free(db->text);
	free(db->mods);
	free(db->pool);
	free(db->aliases);
	free(db->builtin);
	db->text = NULL;
	db->mods = NULL;
	db->pool = NULL;
	db->aliases = NULL;
	db->builtin = NULL;
	db->nmods = db->naliases = db->nbuiltin = db->hsize = 0;
}

/* ------------------------------------------------------------- lookups */

/* Cheap test before wild_match: the literal start of PATTERN matches S. */
static bool prefix_ok(const char *pattern, const char *s)
{
	for (; *pattern && !strchr("*?[\\", *pattern); pattern++, s++)
		if (*pattern != *s)
			return false;
	return true;
}

int kmod_match_alias(const struct kmod_db *db, const char *modalias, int *out, int max)
{
	char norm[1024];
	int i, j, n = 0;

	if (!modalias || normalise(norm, sizeof(norm), modalias, strlen(modalias)))
		return 0;
	for (i = 0; i < db->naliases && n < max; i++) {
		const struct kmod_alias *a = &db->aliases[i];

		if (!prefix_ok(a->pattern, norm) || !wild_match(a->pattern, norm))
			continue;
		for (j = 0; j < n && out[j] != a->mod; j++)
			;
		if (j == n)
			out[n++] = a->mod;
	}
	return n;
}

/* ------------------------------------------------------------- loading */

static bool is_loaded(const struct kmod_db *db, const char *name)
{
	char path[1024];
	struct stat st;

	if (!db->sysmodule[0])
		return false;
	if (snprintf(path, sizeof(path), "%s/%s", db->sysmodule, name) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Kept out of load_mod so the path buffer is not on every recursion level. */
static __attribute__((noinline)) int insmod_one(struct kmod_db *db, const struct kmod_mod *m,
						 const char *params)
{
	char path[4096];
	int err;

	if (m->path[0] == '/')
		err = snprintf(path, sizeof(path), "%s", m->path);
	else
		err = snprintf(path, sizeof(path), "%s/%s", db->dir, m->path);
	if (err >= (int)sizeof(path))
		return -ENAMETOOLONG;
	err = db->insmod(db->insmod_ctx, path, params ? params : "");
	return err == -EEXIST ? 0 : err;
}

/* Dependencies last to first (modules.dep lists them in reverse load order),
 * then the module. */
static int load_mod(struct kmod_db *db, int i, const char *params)
{
	struct kmod_mod *m = &db->mods[i];
	int d, err;

	if (m->state == ST_DONE)
		return 0;
	if (m->state == ST_LOADING)
		return -ELOOP;
	if (m->state < 0)
		return m->state;
	if (is_loaded(db, m->name)) {
		m->state = ST_DONE;
		return 0;
	}
	m->state = ST_LOADING;
	for (d = m->ndeps - 1; d >= 0; d--) {
		err = m->deps[d] < 0 ? -ENOENT : load_mod(db, m->deps[d], NULL);
		if (err)
			goto err_failed;
	}
	err = insmod_one(db, m, params);
	if (err)
		goto err_failed;
	m->state = ST_DONE;
	return 0;

err_failed:
	m->state = err;
	return err;
}

int kmod_load(struct kmod_db *db, const char *name, const char *params)
{
	int idx[32], n, i, err = 0, e;

	if (!name || !name[0] || !db->pool)
		return -ENOENT;
	if (kmod_is_builtin(db, name))
		return 0;
	i = kmod_find(db, name);
	if (i >= 0)
		return load_mod(db, i, params);
	n = kmod_match_alias(db, name, idx, 32);
	if (n == 0)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		e = load_mod(db, idx[i], params);
		if (e && !err)
			err = e;
	}
	return err;
}

/* finit_module's flag for a compressed file (Linux >= 6.1, <linux/module.h>). */
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

int kmod_finit(const char *path, const char *params)
{
	unsigned char head[6];
	int fd, err, flags;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	flags = modfile_kind(head, (size_t)n) == MODFILE_RAW ? 0 : MODULE_INIT_COMPRESSED_FILE;
	err = syscall(SYS_finit_module, fd, params ? params : "", flags) < 0 ? -errno : 0;
	close(fd);
	/* No finit_module; for a compressed file also a kernel without
	 * CONFIG_MODULE_DECOMPRESS (EOPNOTSUPP), one older than 6.1 (EINVAL for
	 * the flag) or one built for another compression (EINVAL). */
	if (err == -ENOSYS || (flags && (err == -EOPNOTSUPP || err == -EINVAL)))
		return -EOPNOTSUPP;
	return err;
}

int kmod_insmod_file(void *ctx, const char *path, const char *params)
{
	void *buf;
	size_t len;
	int err;

	err = kmod_finit(path, params);
	if (err != -EOPNOTSUPP)
		return err;
	/* The kernel could not take it: decompress here, then init_module. */
	err = modfile_read(path, &buf, &len);
	if (err)
		return err;
	err = syscall(SYS_init_module, buf, (unsigned long)len, params ? params : "") < 0 ? -errno : 0;
	free(buf);
	return err;
}
