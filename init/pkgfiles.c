/* The packages phase: how a package's files meet what the new root
 * holds, as apk decides it. Who placed each path (an open-addressed table),
 * apk's protected paths (its defaults and the overlay's
 * /etc/apk/protected_paths.d), replaces and replaces_priority, file
 * conflicts, and owners by name through the new root's /etc/passwd and
 * /etc/group: the callbacks lib/apkpkg's unpacking asks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "match.h"
#include "pkg.h"

static unsigned long fnv(const char *s)
{
	unsigned long h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The package that placed PATH, or NULL. */
struct pk_own *pkg_own_get(const struct pk *p, const char *path)
{
	size_t i;

	if (!p->owncap)
		return NULL;
	for (i = fnv(path) & (p->owncap - 1); p->own[i].path; i = (i + 1) & (p->owncap - 1))
		if (!strcmp(p->own[i].path, path))
			return &p->own[i];
	return NULL;
}

/* PATH is now package INST's file FILE. */
int pkg_own_put(struct pk *p, const char *path, int inst, size_t file)
{
	struct pk_own *o = pkg_own_get(p, path);
	size_t i;

	if (o) {
		o->inst = inst;
		o->file = file;
		return 0;
	}
	if ((p->ownn + 1) * 2 > p->owncap) {
		size_t cap = p->owncap ? p->owncap * 2 : 1024, k;
		struct pk_own *n = calloc(cap, sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (k = 0; k < p->owncap; k++)
			if (p->own[k].path) {
				for (i = fnv(p->own[k].path) & (cap - 1); n[i].path; i = (i + 1) & (cap - 1))
					;
				n[i] = p->own[k];
			}
		free(p->own);
		p->own = n;
		p->owncap = cap;
	}
	for (i = fnv(path) & (p->owncap - 1); p->own[i].path; i = (i + 1) & (p->owncap - 1))
		;
	if (!(p->own[i].path = strdup(path)))
		return -ENOMEM;
	p->own[i].inst = inst;
	p->own[i].file = file;
	p->ownn++;
	return 0;
}

/* The new root's file REL (reached without following a symbolic link)
 * whole into a malloc'd string (*OUT), at most 1 MiB. Returns
 * its length or a negative errno. */
static long read_at(const struct pk *p, const char *rel, char **out)
{
	struct stat st;
	long n = 0;
	ssize_t r;
	int fd = beneath_open(p->rootfd, rel, O_RDONLY | O_CLOEXEC, 0);

	*out = NULL;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20) ||
	    !(*out = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -EINVAL;
	}
	while (n < st.st_size && (r = read(fd, *out + n, (size_t)(st.st_size - n))) > 0)
		n += r;
	(*out)[n] = '\0';
	close(fd);
	return n;
}

/* The id of NAME in passwd/group TEXT (NAME:x:ID:...) into *ID. */
static void id_of(const char *text, const char *name, unsigned *id)
{
	size_t l = strlen(name);
	const char *line, *c;

	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *end;
		unsigned long v;

		if (strncmp(line, name, l) || line[l] != ':' || !(c = strchr(line + l + 1, ':')) || c[1] < '0' || c[1] > '9')
			continue;
		v = strtoul(c + 1, &end, 10);
		if ((*end == ':' || *end == '\n' || !*end) && v <= 0xfffffffeUL)
			*id = (unsigned)v;
		return;
	}
}

/* apk's owners: the names of the tar entry through the new root's
 * /etc/passwd and /etc/group as they are when the entry is unpacked
 * (after the pre-install scripts that add system users), the tar's
 * numbers when a name is not there. */
void pkg_owner_by_name(void *ctx, const char *uname, const char *gname, unsigned *uid, unsigned *gid)
{
	struct pk *p = ctx;

	if (p->ids_stale || (!p->passwd && !p->group)) {
		free(p->passwd);
		free(p->group);
		read_at(p, "etc/passwd", &p->passwd);
		read_at(p, "etc/group", &p->group);
		p->ids_stale = false;
	}
	if (uname[0] && p->passwd)
		id_of(p->passwd, uname, uid);
	if (gname[0] && p->group)
		id_of(p->group, gname, gid);
}

/* One line of a protected_paths.d list (or of the defaults). */
static void add_protected(struct pk *p, const char *line)
{
	int mode = PROT_CHANGED;
	size_t l;

	line += strspn(line, " \t");
	switch (*line) {
	case '\0': case '#': case '\r':
		return;
	case '-': mode = PROT_IGNORE; line++; break;
	case '+': mode = PROT_CHANGED; line++; break;
	case '@': mode = PROT_SYMLINKS; line++; break;
	case '!': mode = PROT_ALL; line++; break;
	}
	while (*line == '/')
		line++;
	l = strcspn(line, "\r\n");
	while (l && line[l - 1] == '/')
		l--;
	if (p->nprot >= PK_PROTECT_MAX || l >= sizeof(p->prot[0].pat)) {
		log_warn("packages: protected path '%.*s' ignored (more than %d, or too long)", (int)l, line, PK_PROTECT_MAX);
		return;
	}
	memcpy(p->prot[p->nprot].pat, line, l);
	p->prot[p->nprot].pat[l] = '\0';
	p->prot[p->nprot++].mode = mode;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* apk's protected paths: +etc @etc/init.d !etc/apk, then the new root's
 * /etc/apk/protected_paths.d/ *.list (the overlay's), in name order. */
void pkg_load_protected(struct pk *p)
{
	static char names[32][256];
	struct dirent *e;
	DIR *d;
	int fd, i, n = 0;

	add_protected(p, "+etc");
	add_protected(p, "@etc/init.d");
	add_protected(p, "!etc/apk");
	if ((fd = beneath_open(p->rootfd, "/etc/apk/protected_paths.d", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && l < sizeof(names[0]) && !strcmp(e->d_name + l - 5, ".list") && n < 32)
			memcpy(names[n++], e->d_name, l + 1);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		char rel[BOOT_PATH], *text, *save = NULL, *line;

		if (!fmt_path(rel, sizeof(rel), "/etc/apk/protected_paths.d/%s", names[i]) && read_at(p, rel, &text) >= 0) {
			for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				add_protected(p, line);
			free(text);
		}
	}
}

/* The protection of FILE's directory as apk works it out: each pattern
 * matches directory names level by level (as fnmatch), a directory inherits
 * its parent's mode, and the last matching pattern wins. */
static int prot_mode(const struct pk *p, const char *file)
{
	const char *act[PK_PROTECT_MAX], *c = file, *slash;
	int am[PK_PROTECT_MAX], na = 0, mode = PROT_NONE, i;

	for (i = 0; i < p->nprot; i++) {
		act[na] = p->prot[i].pat;
		am[na++] = p->prot[i].mode;
	}
	while ((slash = strchr(c, '/')) && na) {
		char comp[256], head[256];
		int nn = 0;

		if ((size_t)(slash - c) >= sizeof(comp))
			break;
		snprintf(comp, sizeof(comp), "%.*s", (int)(slash - c), c);
		for (i = 0; i < na; i++) {
			const char *ps = strchr(act[i], '/');
			if (ps) {
				snprintf(head, sizeof(head), "%.*s", (int)(ps - act[i]), act[i]);
				if (wild_match(head, comp)) {
					act[nn] = ps + 1;
					am[nn++] = am[i];
				}
			} else if (wild_match(act[i], comp)) {
				mode = am[i];
			}
		}
		na = nn;
		c = slash + 1;
	}
	return mode;
}

/* Does package A replace package B (A's replaces names B, at an accepted
 * version)? *PRIO: A's replaces_priority. */
static bool pkg_replaces(const struct pk *p, const struct pk_inst *a, const struct pk_inst *b, int *prio)
{
	const struct apk_pkg *bp = &p->db.pkgs[b->pkg];
	int i;

	for (i = 0; i < a->nrepl; i++)
		if (!strcmp(a->repl[i].name, bp->name) && apk_dep_accepts(&a->repl[i], bp->version, bp->csum)) {
			*prio = (int)a->repl_prio;
			return true;
		}
	return false;
}

/* What happens to PATH, which the root already has, as apk decides it:
 * another package's file is overwritten when this package replaces that
 * one (replaces, replaces_priority) or comes from the same origin, stays
 * when that one replaces this one with a higher priority, and is a
 * conflict otherwise (it stays, the package is marked f:f, as apk does
 * without --force-overwrite). A file no package placed (the overlay's) is
 * overwritten unless its directory is protected (etc, protected_paths.d):
 * then it stays and the package's version is written as PATH.apk-new. */
bool pkg_keep_existing(void *ctx, const char *path, bool *protect)
{
	struct pk *p = ctx;
	struct pk_inst *in = &p->inst[p->cur];
	const struct pk_own *o = pkg_own_get(p, path);

	if (o && o->inst != p->cur) {
		const struct pk_inst *old = &p->inst[o->inst];
		const struct apk_pkg *op = &p->db.pkgs[old->pkg], *np = &p->db.pkgs[in->pkg];
		int oprio = -1, nprio = -1;

		if (op->origin && np->origin && op->origin[0] && !strcmp(op->origin, np->origin))
			return false;
		pkg_replaces(p, old, in, &oprio);
		pkg_replaces(p, in, old, &nprio);
		if (oprio > nprio)
			return true;
		if (nprio >= 0)
			return false;
		log_warn("packages: %s-%s: trying to overwrite /%s owned by %s-%s; it stays %s's (a file conflict: "
		         "neither package replaces the other)", np->name, np->version, path, op->name, op->version, op->name);
		in->files_broken = true;
		return true;
	}
	if (o)
		return false;
	if (prot_mode(p, path) < PROT_CHANGED)
		return false;
	*protect = true;
	return true;
}

/* The Q1 of the root's regular file REL into OUT. Returns 0 or -errno. */
int pkg_q1_at(const struct pk *p, const char *rel, char out[APK_Q1_LEN])
{
	static unsigned char buf[65536];
	br_sha1_context c;
	unsigned char d[20];
	ssize_t n;
	int fd = beneath_open(p->rootfd, rel, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return fd;
	br_sha1_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		br_sha1_update(&c, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -EIO;
	br_sha1_out(&c, d);
	apk_q1(d, out);
	return 0;
}

/* .PKGINFO's replaces (one or more lines, each one or more words) and
 * replaces_priority of IN. */
void pkg_read_replaces(struct pk_inst *in)
{
	const char *t = in->chk.pkginfo, *line;
	size_t len = 0;

	for (line = t; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "replaces = ", 11))
			len += strcspn(line + 11, "\n") + 1;
		else if (!strncmp(line, "replaces_priority = ", 20))
			in->repl_prio = (unsigned)strtoul(line + 20, NULL, 10);
	if (!len || !(in->repl_text = malloc(len + 1)))
		return;
	len = 0;
	for (line = t; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "replaces = ", 11)) {
			size_t l = strcspn(line + 11, "\n");
			memcpy(in->repl_text + len, line + 11, l);
			len += l;
			in->repl_text[len++] = ' ';
		}
	in->repl_text[len] = '\0';
	{
		char *save = NULL, *w;
		for (w = strtok_r(in->repl_text, " \t", &save); w && in->nrepl < PK_REPLACES_MAX; w = strtok_r(NULL, " \t", &save))
			if (!apk_dep_parse(w, &in->repl[in->nrepl]) && !in->repl[in->nrepl].conflict)
				in->nrepl++;
	}
}

void pkg_files_free(struct pk *p)
{
	size_t i;

	free(p->passwd);
	free(p->group);
	p->passwd = p->group = NULL;
	for (i = 0; i < p->owncap; i++)
		free(p->own[i].path);
	free(p->own);
	p->own = NULL;
	p->owncap = p->ownn = 0;
}
