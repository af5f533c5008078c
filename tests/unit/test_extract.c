/* Unit tests for lib/extract.c, and the hostile archive corpus in
 * tests/corpus/ run through gunzip -> tar -> extract.
 *
 * Layout: BASE=/tmp/nbx.XXXXXX holds "root" (the extraction root) and
 * "outside" (a sibling that must stay empty). Every extraction and every
 * wipe runs in a child process that, when we are root, chroot()s into BASE
 * first: a bug that escapes the root then lands inside BASE, where the
 * check "BASE holds exactly root/ and outside/, outside/ is empty" sees it,
 * instead of in the real /etc or /tmp. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include "extract.h"
#include "gunzip.h"
#include "tap.h"
#include "tar.h"

static char base[64], rootdir[96], outdir[96];
static int is_root;

/* ---- fixtures ---- */

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* By directory fds, for trees deeper than PATH_MAX (musl's nftw stops there). */
static void rm_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;

	if (fd < 0) {
		unlinkat(dfd, name, 0);
		return;
	}
	dir = fdopendir(fd);
	while (dir && (d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			rm_at(fd, d->d_name);
	if (dir)
		closedir(dir);
	else
		close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static void rm_rf(const char *path)
{
	struct stat st;

	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (lstat(path, &st) == 0)
		rm_at(AT_FDCWD, path);
}

/* Empty BASE, then make root/ and outside/. */
static void fresh(void)
{
	char p[512];
	struct dirent *d;
	DIR *dir = opendir(base);

	while (dir && (d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", base, d->d_name);
		rm_rf(p);
	}
	if (dir)
		closedir(dir);
	mkdir(rootdir, 0755);
	mkdir(outdir, 0755);
}

/* Does BASE hold exactly root/ and an empty outside/? Names what else. */
static int base_clean(char *extra, size_t size)
{
	struct dirent *d;
	DIR *dir;
	int clean = 1;

	extra[0] = '\0';
	dir = opendir(base);
	while (dir && (d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    !strcmp(d->d_name, "root") || !strcmp(d->d_name, "outside"))
			continue;
		snprintf(extra + strlen(extra), size - strlen(extra), " %s", d->d_name);
		clean = 0;
	}
	if (dir)
		closedir(dir);
	dir = opendir(outdir);
	while (dir && (d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(extra + strlen(extra), size - strlen(extra), " outside/%s", d->d_name);
		clean = 0;
	}
	if (dir)
		closedir(dir);
	else
		clean = 0;
	return clean;
}

/* ---- the tree below root/ as sorted text ---- */

#define MAX_LINES 256
static char lines[MAX_LINES][512];
static int nlines;

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void show_data(char *o, size_t size, const char *path, off_t len)
{
	char buf[33];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	size_t i, k = 0;

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	o[k++] = '"';
	for (i = 0; n > 0 && i < (size_t)n && k + 3 < size; i++) {
		if (buf[i] == '\n') {
			o[k++] = '\\';
			o[k++] = 'n';
		} else {
			o[k++] = buf[i];
		}
	}
	if (len > 32 && k + 4 < size) {
		memcpy(o + k, "...", 3);
		k += 3;
	}
	o[k++] = '"';
	o[k] = '\0';
}

static int tree_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	const char *rel = path + strlen(rootdir);
	char own[32] = "", extra[300] = "", target[300];
	ssize_t n;

	(void)flag;
	(void)f;
	if (!*rel || nlines == MAX_LINES)
		return 0;
	rel++;
	if (is_root)
		snprintf(own, sizeof(own), " %u:%u", (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (S_ISDIR(st->st_mode)) {
		snprintf(lines[nlines++], sizeof(lines[0]), "%s/ d%04o%s", rel,
		         (unsigned)st->st_mode & 07777, own);
	} else if (S_ISLNK(st->st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		snprintf(lines[nlines++], sizeof(lines[0]), "%s -> %s%s @%lld", rel, target, own,
		         (long long)st->st_mtime);
	} else if (S_ISREG(st->st_mode)) {
		show_data(extra, sizeof(extra), path, st->st_size);
		snprintf(lines[nlines++], sizeof(lines[0]), "%s f%04o%s n%lu @%lld %s", rel,
		         (unsigned)st->st_mode & 07777, own, (unsigned long)st->st_nlink,
		         (long long)st->st_mtime, extra);
	} else if (S_ISFIFO(st->st_mode)) {
		snprintf(lines[nlines++], sizeof(lines[0]), "%s p%04o%s @%lld", rel,
		         (unsigned)st->st_mode & 07777, own, (long long)st->st_mtime);
	} else {
		snprintf(lines[nlines++], sizeof(lines[0]), "%s ?%o", rel, (unsigned)st->st_mode);
	}
	return 0;
}

static void tree(char *out, size_t size)
{
	int i;

	nlines = 0;
	nftw(rootdir, tree_cb, 16, FTW_PHYS | FTW_MOUNT);
	qsort(lines, (size_t)nlines, sizeof(lines[0]), cmp_lines);
	out[0] = '\0';
	for (i = 0; i < nlines; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s\n", lines[i]);
}

/* Expected trees write owners as {uid:gid}: kept when we are root (the
 * dump shows them), dropped otherwise. */
static void expect(const char *in, char *out, size_t size)
{
	size_t k = 0;
	int skip = 0;

	for (; *in && k + 1 < size; in++) {
		if (*in == '{') {
			skip = !is_root;
			if (is_root)
				out[k++] = ' ';
			continue;
		}
		if (*in == '}') {
			skip = 0;
			continue;
		}
		if (!skip)
			out[k++] = *in;
	}
	out[k] = '\0';
}

/* ---- running a job in a (chrooted) child ---- */

struct result {
	int err;
	char layer[16];
	char why[TAR_PATH_MAX + 128];
	long long files, dirs, links, bytes;
};

typedef void (*job_fn)(int rootfd, const void *arg, struct result *r);

static int run_job(job_fn fn, const void *arg, struct result *r)
{
	int p[2], status;
	size_t got = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		static struct result cr;
		int rootfd;

		close(p[0]);
		rootfd = open(rootdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0 || (is_root && (chroot(base) < 0 || chdir("/") < 0)))
			_exit(2);
		memset(&cr, 0, sizeof(cr));
		fn(rootfd, arg, &cr);
		if (write(p[1], &cr, sizeof(cr)) != (ssize_t)sizeof(cr))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	while (got < sizeof(*r)) {
		ssize_t n = read(p[0], (char *)r + got, sizeof(*r) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (got != sizeof(*r) || !WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return 0;
}

static void job_wipe(int rootfd, const void *arg, struct result *r)
{
	(void)arg;
	r->err = extract_wipe(rootfd);
}

/* Wipe root/ in a chrooted child; is it empty afterwards? */
static int wipe_root(int *err)
{
	struct result r;
	struct dirent *d;
	DIR *dir;
	int empty = 1;

	if (run_job(job_wipe, NULL, &r) < 0)
		return 0;
	*err = r.err;
	dir = opendir(rootdir);
	while (dir && (d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			empty = 0;
	if (dir)
		closedir(dir);
	return empty;
}

/* ---- entries applied straight through extract_tar_ops ---- */

struct xent {
	int type;                 /* tar type, or 'P': plant a symlink before */
	const char *name, *link;
	unsigned mode;
	const char *data;
	unsigned uid, gid;
};

#define F(n, d, m)  { '0', n, NULL, m, d, 0, 0 }
#define FO(n, d, m, u, g) { '0', n, NULL, m, d, u, g }
#define D(n, m)     { '5', n, NULL, m, NULL, 0, 0 }
#define S(n, t)     { '2', n, t, 0777, NULL, 0, 0 }
#define H(n, t)     { '1', n, t, 0644, NULL, 0, 0 }
#define T(ty, n, m) { ty, n, NULL, m, NULL, 0, 0 }
#define PLANT(n, t) { 'P', n, t, 0, NULL, 0, 0 }

struct xcase {
	const char *file;
	int line;
	const char *desc;
	struct xent ents[8];
	int err;
	const char *why;          /* substring; NULL: why must be empty */
	const char *tree;
};

#define XC(desc, err, why, tree, ...) \
	{ __FILE__, __LINE__, desc, { __VA_ARGS__ }, err, why, tree }

#define MT "@1600000000"
#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct xcase xcases[] = {
	XC("a file", 0, NULL,
	   "a f0644{0:0} n1 " MT " \"abc\"\n",
	   F("a", "abc", 0644)),
	XC("./ and // are normalised, parents made 0755", 0, NULL,
	   "a/ d0755{0:0}\n"
	   "a/b/ d0755{0:0}\n"
	   "a/b/c f0600{0:0} n1 " MT " \"x\"\n",
	   F("./a//b/./c", "x", 0600)),
	XC("the root itself (./) is left alone", 0, NULL, "",
	   D("./", 0700), D(".", 0700)),
	XC("absolute name", -EPERM, "/etc/x: path leaves the root", "",
	   F("/etc/x", "x", 0644)),
	XC("a/../b", -EPERM, "a/../b: path leaves the root", "",
	   F("a/../b", "x", 0644)),
	XC("trailing ..", -EPERM, "a/..: path leaves the root", "",
	   D("a/..", 0755)),
	XC("hard link named ..", -EPERM, "../x: path leaves the root", "a f0644{0:0} n1 " MT " \"1\"\n",
	   F("a", "1", 0644), H("../x", "a")),
	XC("write through a symlink from the archive", -EPERM,
	   "l/passwd: l is a symbolic link; refusing to go through it",
	   "l -> /etc{0:0} " MT "\n",
	   S("l", "/etc"), F("l/passwd", "x", 0644)),
	XC("even a symlink pointing inside is not gone through", -EPERM,
	   "l/x: l is a symbolic link",
	   "d/ d0755{0:0}\nl -> d{0:0} " MT "\n",
	   D("d", 0755), S("l", "d"), F("l/x", "x", 0644)),
	XC("deep write through a symlink to a dir", -EPERM,
	   "a/l/b/c: a/l is a symbolic link",
	   "a/ d0755{0:0}\na/l -> ../../outside{0:0} " MT "\n",
	   S("a/l", "../../outside"), D("a/l/b/c", 0755)),
	XC("symlink planted before extraction", -EPERM,
	   "pre/x: pre is a symbolic link",
	   "pre -> ../outside{0:0} " MT "\n",
	   PLANT("pre", "../outside"), F("pre/x", "x", 0644)),
	XC("a file replaces a symlink, not written through it", 0, NULL,
	   "x f0644{0:0} n1 " MT " \"new\"\n",
	   S("x", "../outside/x"), F("x", "new", 0644)),
	XC("a file replaces a planted symlink", 0, NULL,
	   "x f0640{0:0} n1 " MT " \"new\"\n",
	   PLANT("x", "../outside/x"), F("x", "new", 0640)),
	XC("a symlink replaces a file", 0, NULL,
	   "x -> /etc/passwd{0:0} " MT "\n",
	   F("x", "old", 0644), S("x", "/etc/passwd")),
	XC("a directory replaces a symlink", 0, NULL,
	   "x/ d0750{0:0}\n",
	   S("x", "../outside"), D("x", 0750)),
	XC("a file cannot replace a directory", -EISDIR, "d: a directory is in the way",
	   "d/ d0755{0:0}\n",
	   D("d", 0755), F("d", "x", 0644)),
	XC("a file is not a directory", -ENOTDIR, "f/x: f is not a directory",
	   "f f0644{0:0} n1 " MT " \"1\"\n",
	   F("f", "1", 0644), F("f/x", "2", 0644)),
	XC("existing directory gets the new mode", 0, NULL,
	   "d/ d0700{0:0}\nd/f f0644{0:0} n1 " MT " \"1\"\n",
	   D("d", 0755), F("d/f", "1", 0644), D("d/", 0700)),
	XC("setuid bit and owner", 0, NULL,
	   "su f4755{1000:1000} n1 " MT " \"#!\"\n",
	   FO("su", "#!", 04755, 1000, 1000)),
	XC("hard link to an earlier file", 0, NULL,
	   "a f0644{0:0} n2 " MT " \"1\"\nd/ d0755{0:0}\nd/b f0644{0:0} n2 " MT " \"1\"\n",
	   F("a", "1", 0644), H("d/b", "./a")),
	XC("hard link to itself", 0, NULL,
	   "a f0644{0:0} n1 " MT " \"1\"\n",
	   F("a", "1", 0644), H("a", "a")),
	XC("hard link replaces a symlink", 0, NULL,
	   "a f0644{0:0} n2 " MT " \"1\"\nb f0644{0:0} n2 " MT " \"1\"\n",
	   F("a", "1", 0644), S("b", "/etc/passwd"), H("b", "a")),
	XC("hard link to an absolute name", -EPERM, "h: hard link target /etc/passwd leaves the root", "",
	   H("h", "/etc/passwd")),
	XC("hard link to ../x", -EPERM, "h: hard link target ../x leaves the root", "",
	   H("h", "../x")),
	XC("hard link to a/../../x", -EPERM, "h: hard link target a/../../x leaves the root", "",
	   H("h", "a/../../x")),
	XC("hard link to nothing", -ENOENT, "h: hard link target nope does not exist", "",
	   H("h", "nope")),
	XC("hard link to a directory", -EPERM, "h: hard link target d is not a regular file",
	   "d/ d0755{0:0}\n",
	   D("d", 0755), H("h", "d")),
	XC("hard link to a symlink", -EPERM, "h: hard link target l is not a regular file",
	   "l -> /etc/passwd{0:0} " MT "\n",
	   S("l", "/etc/passwd"), H("h", "l")),
	XC("hard link through a symlinked dir", -EPERM,
	   "h: hard link target l is a symbolic link",
	   "d/ d0755{0:0}\nd/f f0644{0:0} n1 " MT " \"1\"\nl -> d{0:0} " MT "\n",
	   F("d/f", "1", 0644), S("l", "d"), H("h", "l/f")),
	XC("hard link to the root", -EPERM, "h: hard link target ./ is not a regular file", "",
	   H("h", "./")),
	XC("character device", -EPERM, "dev/console: device nodes are not allowed", "",
	   T('3', "dev/console", 0600)),
	XC("block device", -EPERM, "sda: device nodes are not allowed", "",
	   T('4', "sda", 0600)),
	XC("FIFO", 0, NULL,
	   "run/ d0755{0:0}\nrun/fifo p0640{0:0} " MT "\n",
	   T('6', "run/fifo", 0640)),
	XC("unknown type", -EOPNOTSUPP, "v: unsupported tar entry type 'V'", "",
	   T('V', "v", 0644)),
	XC("empty symlink target", -EINVAL, "l: symbolic link with an empty target", "",
	   S("l", "")),
	XC("a file named ./", -EINVAL, "./: not a valid name", "",
	   F("./", "x", 0644)),
	XC("component longer than NAME_MAX", -ENAMETOOLONG, "name too long", "",
	   F("x/" A64 A64 A64 A64 "a", "x", 0644)),
};

static void job_ops(int rootfd, const void *arg, struct result *r)
{
	const struct xcase *c = arg;
	static struct extract x;
	static struct tar_entry e;
	const struct xent *n;
	int err = 0;

	extract_init(&x, rootfd);
	for (n = c->ents; n->type && !err; n++) {
		if (n->type == 'P') {
			struct timespec ts[2] = { { 1600000000, 0 }, { 1600000000, 0 } };

			if (symlinkat(n->link, rootfd, n->name) < 0 ||
			    utimensat(rootfd, n->name, ts, AT_SYMLINK_NOFOLLOW) < 0)
				err = -errno;
			continue;
		}
		memset(&e, 0, sizeof(e));
		snprintf(e.name, sizeof(e.name), "%s", n->name);
		snprintf(e.linkname, sizeof(e.linkname), "%s", n->link ? n->link : "");
		e.type = n->type;
		e.mode = n->mode;
		e.uid = n->uid;
		e.gid = n->gid;
		e.mtime = 1600000000;
		e.size = n->data ? (long long)strlen(n->data) : 0;
		err = extract_tar_ops.begin(&x, &e);
		if (!err && e.size > 1) {
			err = extract_tar_ops.data(&x, n->data, 1);
			if (!err)
				err = extract_tar_ops.data(&x, n->data + 1, (size_t)e.size - 1);
		} else if (!err && e.size) {
			err = extract_tar_ops.data(&x, n->data, 1);
		}
		if (!err)
			err = extract_tar_ops.end(&x, &e);
	}
	extract_abort(&x);
	r->err = err;
	snprintf(r->why, sizeof(r->why), "%s", x.why);
	r->files = x.files;
	r->dirs = x.dirs;
	r->links = x.links;
	r->bytes = x.bytes;
}

static char got_tree[16384], want_tree[16384], extra[1024];

static void run_xcase(const struct xcase *c)
{
	struct result r;
	int werr = 0;

	fresh();
	if (!ok_at(run_job(job_ops, c, &r) == 0, c->file, c->line, "extract %s: child ran", c->desc))
		return;
	ok_at(r.err == c->err, c->file, c->line, "extract %s: error %d (want %d)", c->desc, r.err, c->err);
	if (c->why)
		ok_at(strstr(r.why, c->why) != NULL, c->file, c->line, "  why \"%s\" has \"%s\"", r.why, c->why);
	else
		ok_at(!r.why[0], c->file, c->line, "  why is empty (\"%s\")", r.why);
	tree(got_tree, sizeof(got_tree));
	expect(c->tree, want_tree, sizeof(want_tree));
	if (!ok_at(!strcmp(got_tree, want_tree), c->file, c->line, "  tree as expected"))
		diag("got:\n%s# want:\n%s", got_tree, want_tree);
	ok_at(base_clean(extra, sizeof(extra)), c->file, c->line, "  nothing outside the root:%s", extra);
	ok_at(wipe_root(&werr) && werr == 0, c->file, c->line, "  wiped (%d)", werr);
	ok_at(base_clean(extra, sizeof(extra)), c->file, c->line, "  wipe stayed inside:%s", extra);
}

/* ---- the corpus: gunzip -> tar -> extract, as the overlay phase does ---- */

struct chain {
	struct gunzip g;
	struct tar_reader t;
	struct extract x;
	const char *failed;
};

static int to_tar(void *ctx, const void *buf, size_t len)
{
	struct chain *s = ctx;
	int err = tar_feed(&s->t, buf, len);

	if (err && !s->failed)
		s->failed = s->x.why[0] ? "unpack" : "tar";
	return err;
}

struct cjob {
	const unsigned char *buf;
	size_t len, chunk;
};

static void job_chain(int rootfd, const void *arg, struct result *r)
{
	const struct cjob *j = arg;
	static struct chain s;
	size_t off;
	int err = 0;

	memset(&s, 0, sizeof(s));
	extract_init(&s.x, rootfd);
	tar_init(&s.t, &extract_tar_ops, &s.x);
	if ((err = gunzip_init(&s.g, to_tar, &s)))
		goto out;
	for (off = 0; off < j->len && !err; off += j->chunk) {
		err = gunzip_feed(&s.g, j->buf + off, j->len - off < j->chunk ? j->len - off : j->chunk);
		if (err && !s.failed)
			s.failed = "gzip";
	}
	if (err) {
		gunzip_abort(&s.g);
		tar_finish(&s.t);
	} else if ((err = gunzip_finish(&s.g))) {
		s.failed = "gzip";
		tar_finish(&s.t);
	} else if ((err = tar_finish(&s.t))) {
		s.failed = "tar";
	}
	extract_abort(&s.x);
out:
	r->err = err;
	snprintf(r->layer, sizeof(r->layer), "%s", s.failed ? s.failed : "");
	if (s.failed && !strcmp(s.failed, "unpack"))
		snprintf(r->why, sizeof(r->why), "%s", s.x.why);
	else if (s.failed && !strcmp(s.failed, "tar"))
		snprintf(r->why, sizeof(r->why), "%s", s.t.why);
	else if (s.failed)
		snprintf(r->why, sizeof(r->why), "%s", s.g.why);
	r->files = s.x.files;
	r->dirs = s.x.dirs;
	r->links = s.x.links;
	r->bytes = s.x.bytes;
}

struct ccase {
	const char *file;
	int line;
	const char *name;
	int err;
	const char *layer;        /* "gzip", "tar", "unpack", or "" */
	const char *why;
	const char *tree;         /* NULL: not checked (a partial overlay) */
	long long files, dirs, links, bytes;
};

#define CC(name, err, layer, why, tree, files, dirs, links, bytes) \
	{ __FILE__, __LINE__, name, err, layer, why, tree, files, dirs, links, bytes }

#define CT "@1700000000"
#define LONGPEM "local-ca-with-a-deliberately-long-file-name-so-that-the-archive-needs-a-gnu-long-name-record.pem"

static const struct ccase ccases[] = {
	CC("good.tar.gz", 0, "", "",
	   "etc/ d0755{0:0}\n"
	   "etc/apk/ d0755{0:0}\n"
	   "etc/apk/world f0644{0:0} n1 " CT " \"alpine-base\\nopenssh\\n\"\n"
	   "etc/hostname f0644{0:0} n1 " CT " \"nbtest\\n\"\n"
	   "etc/issue f0644{0:0} n2 " CT " \"Welcome to nbtest.\\n\"\n"
	   "etc/local.d/ d0755{0:0}\n"
	   "etc/local.d/boot.start f0755{0:0} n1 " CT " \"#!/bin/sh\\necho hi\\n\"\n"
	   "etc/motd f0644{0:0} n2 " CT " \"Welcome to nbtest.\\n\"\n"
	   "etc/runlevels/ d0755{0:0}\n"
	   "etc/runlevels/default/ d0755{0:0}\n"
	   "etc/runlevels/default/sshd -> /etc/init.d/sshd{0:0} " CT "\n"
	   "etc/ssl/ d0755{0:0}\n"
	   "etc/ssl/certs/ d0755{0:0}\n"
	   "etc/ssl/certs/" LONGPEM " f0644{0:0} n1 " CT " \"-----BEGIN CERTIFICATE-----\\n\"\n"
	   "home/ d0755{0:0}\n"
	   "home/alpine/ d0750{1000:1000}\n"
	   "home/alpine/.profile f0644{1000:1000} n1 " CT " \"export PS1='$ '\\n\"\n"
	   "root/ d0700{0:0}\n"
	   "root/.ssh/ d0700{0:0}\n"
	   "root/.ssh/authorized_keys f0600{0:0} n1 " CT " \"ssh-ed25519 AAAAC3Nz test@lab\\n\"\n",
	   7, 7, 2, 138),
	CC("symlink-replace.tar.gz", 0, "", "",
	   "x f0644{0:0} n1 " CT " \"second\\n\"\n", 2, 0, 1, 13),
	CC("abs-path.tar.gz", -EPERM, "unpack", "/etc/passwd: path leaves the root", "", 0, 0, 0, 0),
	CC("dotdot.tar.gz", -EPERM, "unpack", "a/../../x: path leaves the root", "a/ d0755{0:0}\n", 0, 1, 0, 0),
	CC("pax-dotdot.tar.gz", -EPERM, "unpack", "../../x: path leaves the root", "", 0, 0, 0, 0),
	CC("symlink-escape.tar.gz", -EPERM, "unpack",
	   "link/escaped: link is a symbolic link; refusing to go through it",
	   "link -> ../..{0:0} " CT "\n", 0, 0, 1, 0),
	CC("symlink-then-write.tar.gz", -EPERM, "unpack",
	   "etc/shadow: etc is a symbolic link; refusing to go through it",
	   "etc -> /etc{0:0} " CT "\n", 0, 0, 1, 0),
	CC("hardlink-escape.tar.gz", -EPERM, "unpack",
	   "passwd: hard link target /etc/passwd leaves the root", "", 0, 0, 0, 0),
	CC("hardlink-symlink.tar.gz", -EPERM, "unpack",
	   "h: hard link target l is not a regular file",
	   "l -> /etc/passwd{0:0} " CT "\n", 0, 0, 1, 0),
	CC("device.tar.gz", -EPERM, "unpack", "dev/mem: device nodes are not allowed",
	   "dev/ d0755{0:0}\n", 0, 1, 0, 0),
	CC("truncated.tar.gz", -EIO, "gzip", "truncated gzip stream after 353 bytes", NULL, -1, -1, -1, -1),
	CC("corrupt.tar.gz", -EBADMSG, "gzip", "gzip CRC mismatch", NULL, -1, -1, -1, -1),
	CC("planted-apk-link.tar.gz", 0, "", "",
	   "etc/ d0755{0:0}\netc/apk -> /{0:0} " CT "\netc/hostname f0644{0:0} n1 " CT " \"planted\\n\"\n",
	   1, 1, 1, 8),
	CC("no-eof-marker.tar.gz", -EIO, "tar", "truncated tar archive: no end-of-archive marker",
	   "etc/ d0755{0:0}\netc/hostname f0644{0:0} n1 " CT " \"nbtest\\n\"\n", 1, 1, 0, 7),
};

static unsigned char corpus_buf[1 << 20];

static void run_ccase(const struct ccase *c, const char *dir)
{
	static const size_t chunks[] = { 1, 7, 65536 };
	char path[512];
	struct cjob j;
	struct result r;
	size_t k;
	int fd, werr = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, c->name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, corpus_buf, sizeof(corpus_buf));
	if (fd >= 0)
		close(fd);
	if (!ok_at(n > 0, c->file, c->line, "corpus %s: read (%zd bytes)", path, n))
		return;
	for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		j.buf = corpus_buf;
		j.len = (size_t)n;
		j.chunk = chunks[k];
		fresh();
		if (!ok_at(run_job(job_chain, &j, &r) == 0, c->file, c->line, "corpus %s [%zu-byte chunks]: child ran",
		           c->name, j.chunk))
			continue;
		ok_at(r.err == c->err && !strcmp(r.layer, c->layer), c->file, c->line,
		      "corpus %s [%zu-byte chunks]: error %d in \"%s\" (want %d in \"%s\")",
		      c->name, j.chunk, r.err, r.layer, c->err, c->layer);
		ok_at(strstr(r.why, c->why) != NULL, c->file, c->line, "  why \"%s\" has \"%s\"", r.why, c->why);
		ok_at(base_clean(extra, sizeof(extra)), c->file, c->line, "  nothing outside the root:%s", extra);
		if (c->tree) {
			tree(got_tree, sizeof(got_tree));
			expect(c->tree, want_tree, sizeof(want_tree));
			if (!ok_at(!strcmp(got_tree, want_tree), c->file, c->line, "  tree as expected"))
				diag("got:\n%s# want:\n%s", got_tree, want_tree);
		}
		if (c->files >= 0)
			ok_at(r.files == c->files && r.dirs == c->dirs && r.links == c->links && r.bytes == c->bytes,
			      c->file, c->line, "  counted %lld files, %lld dirs, %lld links, %lld bytes",
			      r.files, r.dirs, r.links, r.bytes);
		ok_at(wipe_root(&werr) && werr == 0, c->file, c->line, "  wiped (%d)", werr);
		ok_at(base_clean(extra, sizeof(extra)), c->file, c->line, "  wipe stayed inside:%s", extra);
	}
}

/* ---- extract_wipe on its own ---- */

static void mk(const char *rel, const char *content)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (!content) {
		mkdir(p, 0755);
		return;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, content, strlen(content)) < 0)
			perror(p);
		close(fd);
	}
}

static int exists(const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return lstat(p, &st) == 0;
}

static void wipe_tests(void)
{
	char p[4096], q[600];
	struct result r;
	int werr = -1, i, fd;

	/* Symlinks are removed, never followed. */
	fresh();
	mk("outside/keep", "k");
	mk("root/d", NULL);
	mk("root/d/e", NULL);
	mk("root/d/e/f", "f");
	snprintf(p, sizeof(p), "%s/l", rootdir);
	ok(symlink("../outside", p) == 0, "wipe: symlink to outside/ planted");
	snprintf(p, sizeof(p), "%s/d/e/l2", rootdir);
	ok(symlink(outdir, p) == 0, "wipe: absolute symlink to outside/ planted");
	ok(wipe_root(&werr) && werr == 0, "wipe: root emptied (%d)", werr);
	ok(exists("outside/keep") && exists("root"), "wipe: outside/keep and root/ itself still there");

	/* 100 levels deep. */
	fresh();
	snprintf(p, sizeof(p), "%s", rootdir);
	for (i = 0; i < 100; i++) {
		strcat(p, "/d");
		mkdir(p, 0700);
	}
	strcat(p, "/f");
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	close(fd);
	ok(wipe_root(&werr) && werr == 0, "wipe: 100 levels deep (%d)", werr);

	/* Past the depth limit: says so, removes what it can reach. */
	fresh();
	snprintf(p, sizeof(p), "%s", rootdir);
	for (i = 0; i < 600; i++) {
		strcat(p, "/d");
		mkdir(p, 0700);
	}
	mk("root/other", "o");
	ok(!wipe_root(&werr) && werr == -ELOOP && !exists("root/other") && exists("root/d"),
	   "wipe: 600 levels: -ELOOP (%d), the rest removed", werr);

	/* Not a directory. */
	fresh();
	mk("root/file", "x");
	snprintf(p, sizeof(p), "%s/file", rootdir);
	fd = open(p, O_RDONLY);
	ok(extract_wipe(fd) == -ENOTDIR, "wipe: a file fd is -ENOTDIR");
	close(fd);

	/* Mount points (another file system, and a bind mount of this one) stay. */
	if (!is_root) {
		skip(3, "not root: wipe with mount points below needs mount(2)");
		return;
	}
	fresh();
	mk("root/m", NULL);
	mk("root/b", NULL);
	mk("bsrc", NULL);
	mk("bsrc/s", "s");
	mk("root/f", "f");
	snprintf(p, sizeof(p), "%s/m", rootdir);
	snprintf(q, sizeof(q), "%s/bsrc", base);
	if (mount("nbtest", p, "tmpfs", 0, "size=1m") < 0) {
		skip(3, "cannot mount a tmpfs (%s): wipe with mount points below", strerror(errno));
		return;
	}
	mk("root/m/keep", "k");
	snprintf(p, sizeof(p), "%s/b", rootdir);
	if (mount(q, p, NULL, MS_BIND, NULL) < 0) {
		diag("cannot bind mount (%s)", strerror(errno));
		p[0] = '\0';
	}
	ok(run_job(job_wipe, NULL, &r) == 0 && r.err == 0, "wipe: with mount points below (%d)", r.err);
	ok(exists("root/m/keep") && !exists("root/f"),
	   "wipe: tmpfs mount point and its content stay, the rest goes");
	if (p[0])
		ok(exists("root/b/s"), "wipe: bind mount of the same file system stays");
	else
		skip(1, "cannot bind mount: wipe with a bind mount below");
	if (p[0])
		umount2(p, MNT_DETACH);
	snprintf(p, sizeof(p), "%s/m", rootdir);
	umount2(p, MNT_DETACH);
}

/* Extended attributes as lib/tar.c packs them, applied after the owner:
 * a file capability survives the chown to its owner (the kernel clears
 * security.capability on chown). Root only. */
static void job_xattr(int rootfd, const void *arg, struct result *r)
{
	static const unsigned char cap[20] = { 1, 0, 0, 2, 0, 0x20 };
	static struct extract x;
	static struct tar_entry e;
	size_t o = 0;
	int err;

	(void)arg;
	extract_init(&x, rootfd);
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "usr/bin/ping");
	e.type = TAR_FILE;
	e.mode = 0755;
	e.uid = 1000;
	e.gid = 1000;
	e.size = 1;
	memcpy(e.xattr + o, "security.capability", 20);
	o += 20;
	e.xattr[o++] = 0;
	e.xattr[o++] = sizeof(cap);
	memcpy(e.xattr + o, cap, sizeof(cap));
	o += sizeof(cap);
	e.xattr_len = o;
	e.nxattr = 1;
	err = extract_tar_ops.begin(&x, &e);
	if (!err)
		err = extract_tar_ops.data(&x, "p", 1);
	if (!err)
		err = extract_tar_ops.end(&x, &e);
	extract_abort(&x);
	r->err = err;
	snprintf(r->why, sizeof(r->why), "%s", x.why);
}

static void xattr_tests(void)
{
	unsigned char v[64];
	char p[600];
	struct result r;
	struct stat st;
	ssize_t n;

	if (!is_root) {
		skip(3, "not root: a file capability owned by another user needs chown and security.* xattrs");
		return;
	}
	fresh();
	ok(run_job(job_xattr, NULL, &r) == 0 && r.err == 0, "xattr: a file with a capability, owned by 1000 (%d %s)",
	   r.err, r.why);
	snprintf(p, sizeof(p), "%s/usr/bin/ping", rootdir);
	n = getxattr(p, "security.capability", v, sizeof(v));
	ok(n == 20 && v[0] == 1 && v[3] == 2 && v[5] == 0x20, "xattr: security.capability set after the chown (%zd bytes)", n);
	ok(stat(p, &st) == 0 && st.st_uid == 1000 && (st.st_mode & 07777) == 0755, "xattr: owner and mode as given");
}

int main(void)
{
	const char *corpus = getenv("NB_CORPUS") ? getenv("NB_CORPUS") : "tests/corpus";
	size_t i;

	is_root = geteuid() == 0;
	snprintf(base, sizeof(base), "/tmp/nbx.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(rootdir, sizeof(rootdir), "%s/root", base);
	snprintf(outdir, sizeof(outdir), "%s/outside", base);
	if (!is_root)
		diag("not root: no chroot jail around the jobs, owners not checked");

	for (i = 0; i < sizeof(xcases) / sizeof(xcases[0]); i++)
		run_xcase(&xcases[i]);
	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++)
		run_ccase(&ccases[i], corpus);
	wipe_tests();
	xattr_tests();

	rm_rf(base);
	return done_testing();
}
