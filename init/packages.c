/* Phase: packages. After the overlay, the new root becomes a real Alpine
 * root: alpine-base, the overlay's /etc/apk/world and pkgs= are resolved
 * against the repositories' signed APKINDEX files (alpine_repo= URLs, the
 * overlay's /etc/apk/repositories, or the boot media's .boot_repository
 * directories), fetched (from the depot when it holds the same package),
 * checked against the index, unpacked with lib/extract's path safety, their
 * install scripts run inside the new root, and apk's database is written
 * so that apk in the booted system knows what is installed.
 * Formats: docs/apk-formats.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FSOPEN_CLOEXEC
/* musl 1.2.3's <sys/mount.h> has no new mount API: the kernel's UAPI header. */
#include <linux/mount.h>
#endif

#include "apk.h"
#include "apkdb.h"
#include "apkpkg.h"
#include "apksig.h"
#include "boot.h"
#include "fileio.h"
#include "http.h"
#include "match.h"
#include "tar.h"

#define PK_REPOS_MAX 16
/* A package download may exceed the index's S: by this share plus this
 * many bytes (a proxy's different compression cannot apply: the file is
 * checked byte for byte); without S: the bound is PK_PKG_MAX. */
#define PK_SIZE_SLACK_SHARE 16
#define PK_SIZE_SLACK (64LL << 10)
#define PK_PKG_MAX (512LL << 20)
#define PK_SCRIPT_MS_DEFAULT 60000
#define PK_PROGRESS_MS 2000
/* A depot file is copied into /run/nbinit (memory) to be checked and
 * unpacked when it takes at most this share of the memory available; a
 * larger one is read where it is, twice (checked, then unpacked and hashed
 * again), so that a big package cannot run a small machine out of memory. */
#define PK_COPY_SHARE 8

struct pk_repo {
	char where[BOOT_PATH];         /* URL or absolute path, as in /etc/apk/repositories */
	bool url;
	bool loaded;
	long npkgs;
};

#define PK_REPLACES_MAX 32
#define PK_PROTECT_MAX 64

struct pk_inst {
	int pkg;                       /* index into db.pkgs */
	struct apk_pkgcheck chk;
	struct apk_files files;
	bool script_failed;            /* f:s */
	bool files_broken;             /* f:f: a file could not be placed (a conflict) */
	bool xattr_broken;             /* f:x: the filesystem refused an extended attribute */
	char *repl_text;               /* .PKGINFO replaces (malloc), parsed into repl */
	struct apk_dep repl[PK_REPLACES_MAX];
	int nrepl;
	unsigned repl_prio;            /* .PKGINFO replaces_priority */
};

/* Who placed a path: package inst[inst], its file files.f[file]. */
struct pk_own {
	char *path;
	int inst;
	size_t file;
};

/* apk's protection modes of a directory (protected_paths.d prefixes). */
enum { PROT_NONE, PROT_IGNORE, PROT_CHANGED, PROT_SYMLINKS, PROT_ALL };

struct pk {
	struct boot *b;
	struct apk_db db;
	struct apk_keys keys;
	struct pk_repo repo[PK_REPOS_MAX];
	int nrepo;
	char arch[32];
	bool allow_untrusted;
	long script_ms;
	char nr[BOOT_PATH];            /* the new root, with the root prefix */
	int rootfd;
	struct pk_inst *inst;
	int ninst;
	struct pk_own *own;            /* paths the packages placed (open addressing) */
	size_t owncap, ownn;
	int cur;                       /* inst being unpacked */
	struct { char pat[256]; int mode; } prot[PK_PROTECT_MAX];
	int nprot;
	bool ids_stale;                /* a script ran: etc/passwd and etc/group are read again */
	char *passwd, *group;          /* the new root's, for owners by name */
	bool proc_mounted;             /* /proc of the new root is ours to unmount */
	char world[4096];              /* the overlay's /etc/apk/world */
	unsigned long long fetched, depot_bytes, unpacked;
	int nfetched, ndepot;
	bool depot_down;               /* a depot read failed with an I/O error: skip the depot from then on */
	long long depot_t0, depot_us;  /* first depot read, time blocked in open/read of depot files (timeline) */
	long long fetch_ms;            /* package downloads, summed */
	long long fetch_t0, script_t0, script_sum_ms;   /* first start, time summed (timeline) */
	int nscripts;
	/* download progress */
	const char *dl_what;
	long long dl_total, dl_last_ms;
	unsigned long long dl_got, dl_max;   /* bytes so far, and the bound */
	int dl_fd;
	char *mem;                     /* index download buffer */
	size_t mem_len, mem_cap;
	long long avail;               /* MemAvailable in bytes; -1 unknown, 0 not read yet */
};

static struct pk P;

/* ---- helpers ---- */

static const char *arch_name(void)
{
	static const struct { const char *uname, *apk; } map[] = {
		{ "x86_64", "x86_64" }, { "aarch64", "aarch64" }, { "armv7l", "armv7" },
		{ "armv6l", "armhf" }, { "i686", "x86" }, { "i586", "x86" }, { "i386", "x86" },
		{ "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
		{ "loongarch64", "loongarch64" },
	};
	static struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		return "x86_64";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(u.machine, map[i].uname))
			return map[i].apk;
	return u.machine;
}

static bool safe_word(const char *s)
{
	if (!*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '+' || *s == '-' || *s == '~'))
			return false;
	return true;
}

static void human(unsigned long long n, char *buf, size_t size)
{
	if (n >= 10ULL << 20)
		snprintf(buf, size, "%llu MiB", n >> 20);
	else if (n >= 1ULL << 20)
		snprintf(buf, size, "%.1f MiB", (double)n / (1 << 20));
	else
		snprintf(buf, size, "%llu KiB", (n + 1023) >> 10);
}

static unsigned long fnv(const char *s)
{
	unsigned long h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The package that placed PATH, or NULL. */
static struct pk_own *own_get(const struct pk *p, const char *path)
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
static int own_put(struct pk *p, const char *path, int inst, size_t file)
{
	struct pk_own *o = own_get(p, path);
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

static void progress(struct pk *p)
{
	long long t = mono_ms();
	char got[32], total[32];

	if (t - p->dl_last_ms < PK_PROGRESS_MS)
		return;
	p->dl_last_ms = t;
	human(p->dl_got, got, sizeof(got));
	if (p->dl_total > 0) {
		human((unsigned long long)p->dl_total, total, sizeof(total));
		log_info("packages: %s: %s of %s (%d %%)", p->dl_what, got, total,
		         (int)(p->dl_got * 100 / (unsigned long long)p->dl_total));
	} else {
		log_info("packages: %s: %s", p->dl_what, got);
	}
}

static int to_mem(void *ctx, const void *buf, size_t len)
{
	struct pk *p = ctx;

	if (p->dl_got + len > p->dl_max)
		return -EFBIG;
	if (p->mem_len + len + 1 > p->mem_cap) {
		size_t cap = p->mem_cap ? p->mem_cap : 1 << 20;
		char *n;
		while (cap < p->mem_len + len + 1)
			cap *= 2;
		if (!(n = realloc(p->mem, cap)))
			return -ENOMEM;
		p->mem = n;
		p->mem_cap = cap;
	}
	memcpy(p->mem + p->mem_len, buf, len);
	p->mem_len += len;
	p->dl_got += len;
	progress(p);
	return 0;
}

static int to_fd(void *ctx, const void *buf, size_t len)
{
	struct pk *p = ctx;
	int err;

	if (p->dl_got + len > p->dl_max)
		return -EFBIG;
	if ((err = write_all(p->dl_fd, buf, len)))
		return err;
	p->dl_got += len;
	progress(p);
	return 0;
}

/* GET URL into memory (FD < 0) or the file FD, with the boot's retry
 * schedule; more than MAX bytes are refused as they arrive (-EFBIG).
 * Returns 0 or a negative errno with WHY set. */
static int fetch(struct pk *p, const char *url, int fd, long long expect, long long max, char *why, size_t whysz)
{
	struct boot *b = p->b;
	const struct retry *r = &b->o.http_retry;
	struct http_opts ho = boot_http_opts(b);
	static struct http_result res;
	int attempt, err;

	for (attempt = 1; ; attempt++) {
		long long t0 = mono_ms();
		int d;

		p->mem_len = 0;
		p->dl_got = 0;
		p->dl_what = url;
		p->dl_total = expect;
		p->dl_max = (unsigned long long)max;
		p->dl_last_ms = t0;
		p->dl_fd = fd;
		if (fd >= 0 && (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0))
			return snprintf(why, whysz, "temporary file: %s", strerror(errno)), -errno;
		err = http_get(url, &ho, fd >= 0 ? to_fd : to_mem, p, &res);
		/* Indexes are a wait each; package downloads one summed wait
		 * at the end (the timeline has room for a few dozen records). */
		if (fd < 0)
			tl_wait("http", url, t0, mono_ms());
		else {
			if (!p->fetch_ms)
				p->fetch_t0 = t0;
			p->fetch_ms += mono_ms() - t0;
		}
		if (!err)
			return 0;
		if (err == -EFBIG)
			return snprintf(why, whysz, "GET %s: more than %lld bytes; refused", url, max), err;
		if (!http_transient(err, &res) || attempt >= r->attempts) {
			snprintf(why, whysz, "GET %s: %s%s", url, res.why[0] ? res.why : strerror(-err),
			         attempt > 1 ? " (after retries)" : "");
			return err;
		}
		d = retry_delay_ms(r, attempt, &b->seed);
		log_warn("packages: GET %s: %s; retrying in %d.%d s (try %d of %d)", url,
		         res.why[0] ? res.why : strerror(-err), d / 1000, d % 1000 / 100, attempt + 1, r->attempts);
		sleep_ms(d);
	}
}

/* ---- repositories and indexes ---- */

static int add_repo(struct pk *p, const char *line)
{
	struct pk_repo *r;
	size_t l;

	line += strspn(line, " \t");
	l = strcspn(line, " \t\r\n#");
	if (!l)
		return 0;
	if (line[0] == '@') {
		log_warn("packages: tagged repository '%.*s' skipped (tags are not supported)", (int)strcspn(line, "\r\n"), line);
		return 0;
	}
	if (p->nrepo >= PK_REPOS_MAX) {
		log_warn("packages: more than %d repositories; ignoring %.*s", PK_REPOS_MAX, (int)l, line);
		return 0;
	}
	r = &p->repo[p->nrepo];
	if (l >= sizeof(r->where))
		return boot_fail(p->b, -ENAMETOOLONG, "repository %.*s...: too long", 64, line);
	memcpy(r->where, line, l);
	r->where[l] = '\0';
	while (l > 1 && r->where[l - 1] == '/')
		r->where[--l] = '\0';
	r->url = !strncmp(r->where, "http://", 7) || !strncmp(r->where, "https://", 8);
	if (!r->url && r->where[0] != '/') {
		log_warn("packages: repository %s is neither http(s):// nor an absolute path; skipped", r->where);
		return 0;
	}
	p->nrepo++;
	return 0;
}

/* The overlay's /etc/apk/repositories, else alpine_repo=, else the boot
 * repositories: the same choice newroot.c writes into the new root. */
static int find_repos(struct pk *p)
{
	struct boot *b = p->b;
	static char text[8192];
	char path[BOOT_PATH], list[1024], *save = NULL, *tok, *line;
	int i, err;

	if (!fmt_path(path, sizeof(path), "%s/etc/apk/repositories", p->nr) &&
	    file_read_str(path, text, sizeof(text)) >= 0) {
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if ((err = add_repo(p, line)))
				return err;
		return 0;
	}
	if (b->o.alpine_repo[0]) {
		snprintf(list, sizeof(list), "%s", b->o.alpine_repo);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if ((err = add_repo(p, tok)))
				return err;
		return 0;
	}
	for (i = 0; i < b->nrepos; i++)
		if ((err = add_repo(p, b->repos[i])))
			return err;
	return 0;
}

/* Read file PATH whole into p->mem. */
static int read_whole(struct pk *p, const char *path, char *why, size_t whysz)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return snprintf(why, whysz, "%s", strerror(errno)), -errno;
	if (fstat(fd, &st) < 0 || st.st_size > APK_INDEX_MAX) {
		close(fd);
		return snprintf(why, whysz, "larger than %lld MiB", APK_INDEX_MAX >> 20), -EFBIG;
	}
	p->mem_len = 0;
	if ((size_t)st.st_size + 1 > p->mem_cap) {
		char *m = realloc(p->mem, (size_t)st.st_size + 1);
		if (!m) {
			close(fd);
			return snprintf(why, whysz, "out of memory for %lld bytes", (long long)st.st_size), -ENOMEM;
		}
		p->mem = m;
		p->mem_cap = (size_t)st.st_size + 1;
	}
	while (p->mem_len < (size_t)st.st_size && (n = read(fd, p->mem + p->mem_len, (size_t)st.st_size - p->mem_len)) > 0)
		p->mem_len += (size_t)n;
	if (p->mem_len != (size_t)st.st_size)
		err = -EIO;
	close(fd);
	if (err)
		snprintf(why, whysz, "short read");
	return err;
}

static int load_index(struct pk *p, int i)
{
	struct pk_repo *r = &p->repo[i];
	static struct apk_index_file f;
	char loc[BOOT_PATH + 64], why[512], dbwhy[256];
	int err;
	long n;

	if (r->url) {
		if (fmt_path(loc, sizeof(loc), "%s/%s/APKINDEX.tar.gz", r->where, p->arch))
			return -ENAMETOOLONG;
		if (!p->b->net_up && p->b->pid1) {
			log_warn("packages: %s: skipped: the network is not up", loc);
			return 0;
		}
		err = fetch(p, loc, -1, -1, APK_INDEX_MAX, why, sizeof(why));
	} else {
		char path[BOOT_PATH + 64];
		if (fmt_path(loc, sizeof(loc), "%s/%s/APKINDEX.tar.gz", r->where, p->arch) ||
		    rpath(p->b, path, sizeof(path), loc))
			return -ENAMETOOLONG;
		err = read_whole(p, path, why, sizeof(why));
	}
	if (err == -EFBIG)
		return boot_fail(p->b, err, "%s: %s", loc, why);
	if (err) {
		/* As apk: an unreachable repository is a warning; what is then
		 * missing fails the resolution with its own line. */
		log_warn("packages: %s: %s; repository skipped", loc, why);
		return 0;
	}
	err = apk_index_unpack((unsigned char *)p->mem, p->mem_len, &p->keys, p->allow_untrusted, &f);
	if (err == -ENOKEY || err == -EKEYREJECTED) {
		if (!p->allow_untrusted) {
			free(f.text);
			return boot_fail(p->b, err, "%s: %s; refusing it (nbinit.allow_untrusted would accept it)",
			                 loc, f.why);
		}
		log_warn("packages: %s: %s; used anyway (nbinit.allow_untrusted)", loc, f.why);
	} else if (err) {
		return boot_fail(p->b, err, "%s: %s", loc, f.why);
	}
	n = apk_db_add_index(&p->db, f.text, f.text_len, i, dbwhy, sizeof(dbwhy));
	f.text = NULL;
	if (n < 0)
		return boot_fail(p->b, (int)n, "%s: APKINDEX %s", loc, dbwhy);
	r->loaded = true;
	r->npkgs = n;
	log_info("packages: %s: %ld package%s%s%s%s, %s", r->where, n, n == 1 ? "" : "s", f.description[0] ? " (" : "",
	         f.description, f.description[0] ? ")" : "", err ? "UNTRUSTED" : f.why);
	return 0;
}

/* ---- what is asked for ---- */

/* The words of TEXT (the world, pkgs=) as wants of FROM. */
static int add_wants(struct pk *p, char *text, const char *from, struct apk_want *w, size_t *n, size_t max)
{
	char bad[128];
	int err = apkdb_world_parse(text, from, w, n, max, bad, sizeof(bad));

	if (err == -E2BIG)
		return boot_fail(p->b, err, "more than %zu packages asked for", max);
	if (err)
		return boot_fail(p->b, err, "%s: '%s' is not a package name or dependency", from, bad);
	return 0;
}

/* ---- scripts ---- */

/* How a script could not be run, for script()'s line. */
struct pk_exec_err {
	char stage;                    /* 'c' chroot, 'e' execve */
	int err;                       /* errno */
};

/* Run script S of package NAME-VER inside the new root as apk does: the
 * script is written to /lib/apk/exec/NAME-VER.ACTION and executed itself
 * (its #! line names the interpreter) in a child chrooted into the new
 * root, with argv ACTION ARGS... (at most 60) and only PATH in the
 * environment, bounded by p->script_ms. Returns its exit status (>= 0;
 * 256 + N when signal N ended it),
 * -ETIMEDOUT, -ENOEXEC with *X saying why it could not be executed, or a
 * negative errno. */
static int run_script(struct pk *p, const char *name, const char *ver, const struct apk_script *s,
                      char *const *args, struct pk_exec_err *x)
{
	char rel[BOOT_PATH];
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int status = 0, err, pfd[2], dfd;
	pid_t pid;
	ssize_t n;

	if (fmt_path(rel, sizeof(rel), "/lib/apk/exec/%s-%s.%s", name, ver, s->action))
		return -ENAMETOOLONG;
	/* apk's exec directory is 0700; made, like the script, below the
	 * new root's fd without following a link */
	if ((dfd = beneath_mkdirs(p->rootfd, "/lib/apk", 0755)) >= 0) {
		if (mkdirat(dfd, "exec", 0700) == 0)
			fchmodat(dfd, "exec", 0700, 0);
		close(dfd);
	}
	if ((err = beneath_write(p->rootfd, rel, s->text, s->len, 0755)))
		return err;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		err = -errno;
		beneath_unlink(p->rootfd, rel);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		beneath_unlink(p->rootfd, rel);
		return err;
	}
	if (pid == 0) {
		char *argv[64] = { (char *)s->action };
		struct pk_exec_err e = { 'c', 0 };
		int a;

		close(pfd[0]);
		for (a = 0; args[a] && a < 60; a++)
			argv[a + 1] = args[a];
		argv[a + 1] = NULL;
		dup2(STDERR_FILENO, STDOUT_FILENO);
		umask(022);
		if (chroot(p->nr) == 0 && chdir("/") == 0) {
			e.stage = 'e';
			execve(rel, argv, envp);
		}
		/* The write end closes on a successful execve: nothing read
		 * means the script itself ran and its status is its own. */
		e.err = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	err = child_wait(pid, p->script_ms, &status);
	if (!err)
		err = WIFSIGNALED(status) ? 256 + WTERMSIG(status) : WEXITSTATUS(status);
	n = read(pfd[0], x, sizeof(*x));
	close(pfd[0]);
	if (n == (ssize_t)sizeof(*x) && err != -ETIMEDOUT)
		err = -ENOEXEC;
	beneath_unlink(p->rootfd, rel);
	p->ids_stale = true;           /* it may have added users (apk resets its id cache too) */
	return err;
}

/* Why the script S could not be executed (X) in words into WHY. */
static void exec_why(const struct pk *p, const struct apk_script *s, const struct pk_exec_err *x, char *why, size_t whysz)
{
	char interp[128] = "", path[BOOT_PATH + 128];
	struct stat st;

	if (x->stage == 'c') {
		snprintf(why, whysz, "cannot chroot into %s: %s", p->nr, strerror(x->err));
		return;
	}
	if (s->len > 2 && s->text[0] == '#' && s->text[1] == '!') {
		size_t i = 2, l;
		while (i < s->len && (s->text[i] == ' ' || s->text[i] == '\t'))
			i++;
		for (l = 0; i + l < s->len && l < sizeof(interp) - 1 && !strchr(" \t\n", s->text[i + l]); l++)
			;
		memcpy(interp, s->text + i, l);
		interp[l] = '\0';
	}
	if (x->err == ENOEXEC)
		snprintf(why, whysz, "cannot execute it: %s", interp[0] ? "its interpreter is not an executable" :
		         "no #! line naming its interpreter");
	else if (x->err == ENOENT && interp[0] && !fmt_path(path, sizeof(path), "%s%s", p->nr, interp) &&
	         lstat(path, &st) < 0)
		snprintf(why, whysz, "cannot execute it: its interpreter %s (its #! line) is not in the new root", interp);
	else if (x->err == ENOENT && interp[0])
		snprintf(why, whysz, "cannot execute it: its interpreter %s cannot be started (a missing library or loader?)",
		         interp);
	else if (x->err == EACCES)
		snprintf(why, whysz, "cannot execute it: %s (is /lib/apk/exec on a noexec filesystem?)", strerror(x->err));
	else
		snprintf(why, whysz, "cannot execute it: %s", strerror(x->err));
}

/* Run ACTION's script of IN, if it has one; a failure is a warning and
 * marks the package (f:s in the database), as apk does. ARGS NULL: the
 * version. */
static void script(struct pk *p, struct pk_inst *in, const char *action, char *const *args)
{
	const struct apk_pkg *pk = &p->db.pkgs[in->pkg];
	const struct apk_script *s = apk_pkg_script(&in->chk, action);
	char *ver[] = { (char *)pk->version, NULL };
	struct pk_exec_err x = { 0, 0 };
	long long t0 = mono_ms();
	char why[256];
	int r;

	if (!s)
		return;
	r = run_script(p, pk->name, pk->version, s, args ? args : ver, &x);
	if (!p->nscripts++)
		p->script_t0 = t0;
	p->script_sum_ms += mono_ms() - t0;
	if (r == 0) {
		log_debug("packages: %s-%s: %s ran", pk->name, pk->version, action);
		return;
	}
	in->script_failed = true;
	if (r == -ETIMEDOUT)
		log_warn("packages: %s-%s: %s script killed after %ld s", pk->name, pk->version, action, p->script_ms / 1000);
	else if (r == -ENOEXEC) {
		exec_why(p, s, &x, why, sizeof(why));
		log_warn("packages: %s-%s: %s script: %s", pk->name, pk->version, action, why);
	} else if (r < 0)
		log_warn("packages: %s-%s: %s script: %s", pk->name, pk->version, action, beneath_strerror(r));
	else if (r >= 256)
		log_warn("packages: %s-%s: %s script killed by signal %d", pk->name, pk->version, action, r - 256);
	else
		log_warn("packages: %s-%s: %s script exited with status %d", pk->name, pk->version, action, r);
}

/* ---- installing ---- */

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
static void owner_by_name(void *ctx, const char *uname, const char *gname, unsigned *uid, unsigned *gid)
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
static void load_protected(struct pk *p)
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
static bool keep_existing(void *ctx, const char *path, bool *protect)
{
	struct pk *p = ctx;
	struct pk_inst *in = &p->inst[p->cur];
	const struct pk_own *o = own_get(p, path);

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
static int q1_at(const struct pk *p, const char *rel, char out[APK_Q1_LEN])
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
static void read_replaces(struct pk_inst *in)
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

/* Make DIR (relative, a few levels) in the root with MODE, each level
 * opened without following symbolic links. Returns 0 (also when it
 * exists) or a negative errno. */
static int mkdir_root(const struct pk *p, const char *dir, mode_t mode)
{
	char comp[256];
	const char *c = dir;
	int fd = dup(p->rootfd), nfd, err = 0;

	if (fd < 0)
		return -errno;
	while (*c) {
		size_t l = strcspn(c, "/");
		bool last = !c[l];

		snprintf(comp, sizeof(comp), "%.*s", (int)l, c);
		if (mkdirat(fd, comp, last ? mode : 0755) == 0)
			fchmodat(fd, comp, last ? mode : 0755, 0);
		else if (errno != EEXIST) {
			err = -errno;
			break;
		}
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			struct stat st;
			err = errno == ENOTDIR && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) ?
			      -ELOOP : -errno;
			close(fd);
			return err;
		}
		close(fd);
		fd = nfd;
		c += l + !last;
	}
	close(fd);
	return err;
}

/* Before the first package, the new root gets what apk --initdb makes:
 * /tmp, the directories of apk's database and cache, the device nodes
 * install scripts use (/dev/null, zero, random, urandom, console), and
 * /proc is mounted there while scripts and triggers run (cleanup()
 * unmounts it before the newroot phase moves the real one in). */
static void prepare_root(struct pk *p)
{
	static const struct { const char *path; mode_t mode; } dirs[] = {
		{ "tmp", 01777 }, { "dev", 0755 }, { "proc", 0555 }, { "etc/apk", 0755 }, { "lib/apk/db", 0755 },
		{ "var/cache/apk", 0755 }, { "var/cache/misc", 0755 },
	};
	static const struct { const char *name; mode_t mode; unsigned maj, min; } nodes[] = {
		{ "null", 0666, 1, 3 }, { "zero", 0666, 1, 5 }, { "random", 0666, 1, 8 },
		{ "urandom", 0666, 1, 9 }, { "console", 0600, 5, 1 },
	};
	struct statfs sf;
	size_t i;
	int fd, err;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if ((err = mkdir_root(p, dirs[i].path, dirs[i].mode)))
			log_warn("packages: cannot make /%s in the new root: %s", dirs[i].path, beneath_strerror(err));
	fd = openat(p->rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (mknodat(fd, nodes[i].name, S_IFCHR | nodes[i].mode, makedev(nodes[i].maj, nodes[i].min)) == 0)
			fchmodat(fd, nodes[i].name, nodes[i].mode, 0);
		else if (errno != EEXIST)
			log_warn("packages: cannot make /dev/%s in the new root for the install scripts: %s", nodes[i].name,
			         strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	/* procfs is made with fsopen/fsmount and moved onto the directory's
	 * fd, so no path is resolved where a link could have been planted. */
	fd = beneath_mkdirs(p->rootfd, "/proc", 0555);
	if (fd < 0 || fstatfs(fd, &sf) < 0) {
		err = fd < 0 ? fd : -errno;
		log_warn("packages: /proc of the new root: %s; the install scripts run without it", beneath_strerror(err));
	} else if (sf.f_type != PROC_SUPER_MAGIC) {
		int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC), mnt = -1;

		if (fs >= 0 && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0 &&
		    (mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
		                        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) >= 0 &&
		    syscall(SYS_move_mount, mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0)
			p->proc_mounted = true;
		else
			log_warn("packages: mounting /proc in the new root: %s; the install scripts run without it",
			         strerror(errno));
		if (mnt >= 0)
			close(mnt);
		if (fs >= 0)
			close(fs);
	}
	if (fd >= 0)
		close(fd);
}

/* ROOT/proc/meminfo's MemAvailable in bytes, or -1. */
static long long mem_available(struct pk *p)
{
	char path[BOOT_PATH], text[4096], *m;

	if (!p->avail) {
		p->avail = -1;
		if (!rpath(p->b, path, sizeof(path), "/proc/meminfo") && file_read_str(path, text, sizeof(text)) > 0 &&
		    (m = strstr(text, "MemAvailable:")))
			p->avail = strtoll(m + 13, NULL, 10) * 1024;
	}
	return p->avail;
}

/* Is the depot file on FD too large a share of the memory to be copied? */
static bool in_place(struct pk *p, int fd)
{
	long long avail = mem_available(p);
	struct stat st;

	return avail > 0 && fstat(fd, &st) == 0 && st.st_size > avail / PK_COPY_SHARE;
}

/* Open the package file for package I, checked: the depot's when a path
 * repository holds it with the right checksum (copied into TMP, or read in
 * place when large), else a download into TMP. *PRIVATE is true when the
 * file is the init's own copy (no second hash when unpacking). */
static int package_fd(struct pk *p, int i, const char *tmp, struct apk_pkgcheck *c, char *from, size_t fromsz,
                      bool *private, char *why, size_t whysz)
{
	const struct apk_pkg *pk = &p->db.pkgs[i];
	const struct pk_repo *own = &p->repo[pk->repo];
	char rel[BOOT_PATH], path[BOOT_PATH * 2];
	long long t0, got;
	bool read_err = false;
	int k, fd, tfd, err;

	if (fmt_path(rel, sizeof(rel), "%s/%s-%s.apk", p->arch, pk->name, pk->version))
		return -ENAMETOOLONG;
	/* Its own repository first when that is a path, then any other path
	 * repository or boot repository (the depot) that holds the very same
	 * package: no network for what the depot has. */
	for (k = -1; k < p->nrepo + p->b->nrepos; k++) {
		const char *where = k < 0 ? own->where : k < p->nrepo ? p->repo[k].where : p->b->repos[k - p->nrepo];
		bool mine = k < 0;

		if ((k < 0 && own->url) || (k >= 0 && k < p->nrepo && (p->repo[k].url || &p->repo[k] == own)))
			continue;
		if (p->depot_down && !mine)
			continue;
		if (fmt_path(path, sizeof(path), "%s%s/%s", p->b->root, where, rel))
			continue;
		t0 = mono_us();
		if (!p->depot_t0)
			p->depot_t0 = mono_ms();
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = -errno;
		p->depot_us += mono_us() - t0;
		if (fd < 0) {
			if (mine || err != -ENOENT)
				log_warn("packages: %s/%s: %s%s", where, rel, strerror(-err),
				         mine ? "" : "; the depot is not used for the other packages");
			p->depot_down |= err != -ENOENT;
			continue;
		}
		/* Checked and unpacked from a private copy: the depot's file
		 * (NFS) may change in between, the copy cannot, so its data is
		 * hashed once. The medium's time is the time blocked reading. */
		*private = !in_place(p, fd);
		if (*private) {
			tfd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (tfd < 0) {
				close(fd);
				return snprintf(why, whysz, "%s: %s", tmp, strerror(errno)), -errno;
			}
			got = fd_copy(fd, tfd, &read_err, &p->depot_us);
			close(fd);
			fd = tfd;
			if (got < 0 && !read_err) {
				close(fd);
				return snprintf(why, whysz, "copying %s/%s to %s: %s", where, rel, tmp, strerror((int)-got)),
				       (int)got;
			}
			if (got < 0) {
				close(fd);
				if (mine)
					return snprintf(why, whysz, "%s/%s: read: %s", where, rel, strerror((int)-got)), (int)got;
				/* A soft NFS mount whose server stopped answering (media.c). */
				log_warn("packages: %s/%s: read: %s; the depot is not used for the other packages", where, rel,
				         strerror((int)-got));
				p->depot_down = true;
				continue;
			}
		}
		err = apk_pkg_check(fd, pk->csum, c);
		if (!*private) {
			p->depot_us += c->read_us;   /* read in place: the medium's time */
			if (err && !mine && err != -EBADMSG && err != -EKEYREJECTED) {
				log_warn("packages: %s/%s: %s; the depot is not used for the other packages", where, rel, c->why);
				p->depot_down = true;
			}
		}
		if (!err) {
			snprintf(from, fromsz, "%s/%s", where, rel);
			p->ndepot++;
			p->depot_bytes += c->size;
			return fd;
		}
		close(fd);
		if (mine)
			return snprintf(why, whysz, "%s/%s: %s", where, rel, c->why), err;
		log_debug("packages: %s/%s: not the indexed package (%s)", where, rel, c->why);
	}
	*private = true;
	if (!own->url)
		return snprintf(why, whysz, "%s/%s: not found", own->where, rel), -ENOENT;
	if (fmt_path(path, sizeof(path), "%s/%s", own->where, rel))
		return -ENAMETOOLONG;
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return snprintf(why, whysz, "%s: %s", tmp, strerror(errno)), -errno;
	if ((err = fetch(p, path, fd, pk->size > 0 ? pk->size : -1,
	                 pk->size > 0 ? pk->size + pk->size / PK_SIZE_SLACK_SHARE + PK_SIZE_SLACK : PK_PKG_MAX, why, whysz))) {
		close(fd);
		return err;
	}
	p->nfetched++;
	p->fetched += p->dl_got;
	if ((err = apk_pkg_check(fd, pk->csum, c))) {
		close(fd);
		return snprintf(why, whysz, "%s: %s", path, c->why), err;
	}
	snprintf(from, fromsz, "%s", path);
	return fd;
}

static int install_one(struct pk *p, struct pk_inst *in, int nth, int total, const char *tmp)
{
	const struct apk_pkg *pk = &p->db.pkgs[in->pkg];
	struct apk_unpack_opts uo = { .keep = keep_existing, .owner = owner_by_name, .ctx = p };
	char from[BOOT_PATH * 2], why[TAR_PATH_MAX + 256], sz[32];
	size_t k, kept = 0, same = 0;
	int fd, err;

	if (!safe_word(pk->name) || !safe_word(pk->version))
		return boot_fail(p->b, -EINVAL, "index entry '%s' '%s': not a package name and version",
		                 pk->name, pk->version);
	p->cur = (int)(in - p->inst);
	/* As apk: a package with no installed size (a meta package) is not
	 * fetched, unpacked or run; it is recorded with its dependencies. */
	if (pk->installed_size == 0) {
		log_info("packages: (%d/%d) %s-%s (meta package: nothing to unpack)", nth, total, pk->name, pk->version);
		return 0;
	}
	fd = package_fd(p, in->pkg, tmp, &in->chk, from, sizeof(from), &uo.fd_private, why, sizeof(why));
	if (fd < 0)
		return boot_fail(p->b, fd, "%s-%s: %s", pk->name, pk->version, why);
	human(in->chk.size, sz, sizeof(sz));
	log_info("packages: (%d/%d) %s-%s (%s) from %s", nth, total, pk->name, pk->version, sz, from);
	read_replaces(in);
	script(p, in, "pre-install", NULL);
	err = apk_pkg_unpack(fd, &in->chk, p->rootfd, &uo, &in->files, why, sizeof(why));
	close(fd);
	unlink(tmp);
	if (err)
		return boot_fail(p->b, err, "%s-%s: unpacking: %s", pk->name, pk->version, why);
	for (k = 0; k < in->files.n; k++) {
		struct apk_file *f = &in->files.f[k];
		struct pk_own *o;
		char q[APK_Q1_LEN], rel[TAR_PATH_MAX + 16];

		if (f->xattr_unsupported && !in->xattr_broken) {
			in->xattr_broken = true;
			log_warn("packages: %s-%s: /%s: the new root's filesystem does not support its extended attributes "
			         "(f:x)", pk->name, pk->version, f->path);
		}
		if (f->type == 'd')
			continue;
		o = own_get(p, f->path);
		if (o && o->inst != p->cur) {
			if (f->kept) {
				f->not_owned = true;   /* the other package keeps it */
				continue;
			}
			p->inst[o->inst].files.f[o->file].not_owned = true;
		}
		if (own_put(p, f->path, p->cur, k))
			return boot_fail(p->b, -ENOMEM, "%s-%s: the table of installed files: out of memory", pk->name, pk->version);
		/* As apk: no .apk-new when the package's file is the one there. */
		if (f->apk_new && f->csum[0] && !q1_at(p, f->path, q) && !strcmp(q, f->csum) &&
		    !fmt_path(rel, sizeof(rel), "%s.apk-new", f->path) && !unlinkat(p->rootfd, rel, 0)) {
			f->apk_new = false;
			same++;
			continue;
		}
		kept += f->kept && !f->apk_new;
		if (f->apk_new)
			log_info("packages: %s-%s: /%s kept (the overlay's); the package's is /%s.apk-new",
			         pk->name, pk->version, f->path, f->path);
	}
	if (kept)
		log_info("packages: %s-%s: %zu file%s kept from the overlay", pk->name, pk->version, kept, kept == 1 ? "" : "s");
	if (same)
		log_debug("packages: %s-%s: %zu protected file%s already the package's", pk->name, pk->version, same,
		          same == 1 ? "" : "s");
	p->unpacked += (unsigned long long)(pk->installed_size > 0 ? pk->installed_size : 0);
	script(p, in, "post-install", NULL);
	return 0;
}

/* ---- apk's database ---- */

/* Write REL in the new root, never through a symbolic link. */
static int write_nr(struct pk *p, const char *rel, const void *data, size_t len)
{
	return beneath_write(p->rootfd, rel, data, len, 0644);
}

/* Directories a trigger glob matched, as trigger script arguments. */
struct trig_args {
	const char *nr;          /* the new root, stripped from the paths */
	char *args[61];
	char dirs[60][BOOT_PATH];
	int n;
};

static int trig_add(void *ctx, const char *path)
{
	struct trig_args *t = ctx;

	if (t->n >= 60)
		return 1;
	snprintf(t->dirs[t->n], sizeof(t->dirs[t->n]), "%s", path + strlen(t->nr));
	t->args[t->n] = t->dirs[t->n];
	t->n++;
	return 0;
}

/* Triggers: each package's trigger script with the directories its
 * trigger globs match (all of them changed: the root is new). */
static void run_triggers(struct pk *p, struct apkdb_text *tdb)
{
	static struct trig_args t;
	int i;

	for (i = 0; i < p->ninst; i++) {
		struct pk_inst *in = &p->inst[i];
		const struct apk_pkg *pk = &p->db.pkgs[in->pkg];
		const struct apk_script *s = apk_pkg_script(&in->chk, "trigger");
		char trig[1024], *save = NULL, *g;

		if (!s || !in->chk.triggers[0])
			continue;
		apkdb_triggers(tdb, pk, in->chk.triggers);
		snprintf(trig, sizeof(trig), "%s", in->chk.triggers);
		t.nr = p->nr;
		t.n = 0;
		for (g = strtok_r(trig, " ", &save); g; g = strtok_r(NULL, " ", &save)) {
			char pat[BOOT_PATH];

			if (*g == '+')
				g++;
			if (!fmt_path(pat, sizeof(pat), "%s%s", p->nr, g))
				wild_dirs(pat, trig_add, &t);
		}
		t.args[t.n] = NULL;
		if (t.n)
			script(p, in, "trigger", t.args);
	}
}

static int write_db(struct pk *p, const struct apk_want *w, size_t nw)
{
	struct apkdb_text inst = { 0 }, scr = { 0 }, tdb = { 0 }, world = { 0 };
	char a[40];
	int i, err = 0, n;

	for (i = 0; i < p->ninst; i++) {
		const struct pk_inst *in = &p->inst[i];
		const struct apkdb_pkg e = {
			.db = &p->db, .pkg = in->pkg, .files = &in->files, .repl = in->repl, .nrepl = in->nrepl,
			.repl_prio = in->repl_prio, .files_broken = in->files_broken, .script_failed = in->script_failed,
			.xattr_broken = in->xattr_broken,
		};

		apkdb_installed(&inst, &e);
		apkdb_scripts(&scr, &p->db.pkgs[in->pkg], &in->chk);
	}
	apkdb_scripts_end(&scr);
	run_triggers(p, &tdb);
	apkdb_world(&world, w, nw);
	if ((err = inst.err ? inst.err : scr.err ? scr.err : tdb.err ? tdb.err : world.err))
		boot_fail(p->b, err, "apk's database: %s", strerror(-err));
	if (!err && (err = write_nr(p, "/lib/apk/db/installed", inst.p ? inst.p : "", inst.len)))
		boot_fail(p->b, err, "writing /lib/apk/db/installed: %s", beneath_strerror(err));
	if (!err && (err = write_nr(p, "/lib/apk/db/scripts.tar", scr.p, scr.len)))
		boot_fail(p->b, err, "writing /lib/apk/db/scripts.tar: %s", beneath_strerror(err));
	if (!err && (err = write_nr(p, "/lib/apk/db/triggers", tdb.p ? tdb.p : "", tdb.len)))
		boot_fail(p->b, err, "writing /lib/apk/db/triggers: %s", beneath_strerror(err));
	if (!err && (err = write_nr(p, "/etc/apk/world", world.p ? world.p : "", world.len)))
		boot_fail(p->b, err, "writing /etc/apk/world: %s", beneath_strerror(err));
	n = snprintf(a, sizeof(a), "%s\n", p->arch);
	if (!err && (err = write_nr(p, "/etc/apk/arch", a, (size_t)n)))
		boot_fail(p->b, err, "writing /etc/apk/arch: %s", beneath_strerror(err));
	apkdb_text_free(&inst);
	apkdb_text_free(&scr);
	apkdb_text_free(&tdb);
	apkdb_text_free(&world);
	return err;
}

/* The initrd's keys into the new root's /etc/apk/keys, so that apk in the
 * booted system trusts the same repositories. Existing keys stay. */
static void copy_keys(struct pk *p)
{
	char src[BOOT_PATH], path[BOOT_PATH * 2];
	size_t i;

	if (rpath(p->b, src, sizeof(src), "/etc/apk/keys"))
		return;
	for (i = 0; i < p->keys.n; i++) {
		static char pem[16384];
		char from[BOOT_PATH * 2];
		ssize_t n;
		int fd, err;

		if (fmt_path(path, sizeof(path), "/etc/apk/keys/%s", p->keys.k[i].name) ||
		    fmt_path(from, sizeof(from), "%s/%s", src, p->keys.k[i].name))
			continue;
		if ((fd = beneath_open(p->rootfd, path, O_PATH | O_NOFOLLOW, 0)) >= 0) {
			close(fd);
			continue;
		}
		n = file_read_str(from, pem, sizeof(pem) - 1);
		if (n <= 0)
			continue;
		pem[n++] = '\n';
		if ((err = fd == -ENOENT ? beneath_write(p->rootfd, path, pem, (size_t)n, 0644) : fd))
			log_warn("packages: cannot copy key %s into the new root: %s", p->keys.k[i].name,
			         beneath_strerror(err));
	}
}

static void cleanup(struct pk *p)
{
	size_t i;
	int k;

	if (p->proc_mounted) {
		char path[BOOT_PATH];
		if (!fmt_path(path, sizeof(path), "%s/proc", p->nr) && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			log_warn("packages: unmounting /proc of the new root: %s", strerror(errno));
	}
	for (k = 0; k < p->ninst; k++) {
		apk_pkgcheck_free(&p->inst[k].chk);
		apk_files_free(&p->inst[k].files);
		free(p->inst[k].repl_text);
	}
	free(p->passwd);
	free(p->group);
	free(p->inst);
	for (i = 0; i < p->owncap; i++)
		free(p->own[i].path);
	free(p->own);
	free(p->mem);
	apk_db_free(&p->db);
	if (p->rootfd >= 0)
		close(p->rootfd);
	memset(p, 0, sizeof(*p));
	p->rootfd = -1;
}

int packages_install(struct boot *b)
{
	struct pk *p = &P;
	static struct apk_want want[512];
	static char pkgs[1024];
	char keydir[BOOT_PATH], path[BOOT_PATH], tmp[BOOT_PATH], why[1024], t1[32], t2[32], t3[32];
	long long t0 = mono_ms();
	size_t nwant = 0;
	int *order = NULL, err = 0, i, loaded = 0;
	long n;

	memset(p, 0, sizeof(*p));
	p->b = b;
	p->rootfd = -1;
	snprintf(p->arch, sizeof(p->arch), "%s", arch_name());
	p->allow_untrusted = b->o.allow_untrusted;
	p->script_ms = b->o.script_timeout_ms > 0 ? b->o.script_timeout_ms : PK_SCRIPT_MS_DEFAULT;
	if (rpath(b, p->nr, sizeof(p->nr), b->newroot) || rpath(b, keydir, sizeof(keydir), "/etc/apk/keys") ||
	    rpath(b, tmp, sizeof(tmp), "/run/nbinit/package.apk"))
		return boot_fail(b, -ENAMETOOLONG, "path too long");

	/* What is asked for: alpine-base, the overlay's world, pkgs=. */
	want[nwant].from = "nbinit";
	apk_dep_parse(strcpy(pkgs, "alpine-base"), &want[nwant++].dep);
	if (!fmt_path(path, sizeof(path), "%s/etc/apk/world", p->nr) && file_read_str(path, p->world, sizeof(p->world)) > 0 &&
	    (err = add_wants(p, p->world, "/etc/apk/world", want, &nwant, sizeof(want) / sizeof(want[0]))))
		goto out;
	{
		static char pk2[1024];
		snprintf(pk2, sizeof(pk2), "%s", b->o.pkgs);
		if ((err = add_wants(p, pk2, "pkgs=", want, &nwant, sizeof(want) / sizeof(want[0]))))
			goto out;
	}

	if ((err = find_repos(p)))
		goto out;
	if (!p->nrepo) {
		log_info("packages: no repositories (no alpine_repo=, no .boot_repository, none in the overlay): "
		         "installing nothing; the new root holds only the overlay");
		goto out;
	}
	n = apk_keys_load(&p->keys, keydir);
	if (n < 0 && n != -ENOENT)
		log_warn("packages: %s: %s", keydir, strerror((int)-n));
	log_debug("packages: %ld trusted key%s in /etc/apk/keys (%u unreadable)", n > 0 ? n : 0, n == 1 ? "" : "s",
	          p->keys.bad);
	apk_db_init(&p->db, p->arch);
	for (i = 0; i < p->nrepo; i++) {
		if ((err = load_index(p, i)))
			goto out;
		loaded += p->repo[i].loaded;
	}
	if (!loaded) {
		err = boot_fail(b, -ENOENT, "none of the %d repositor%s has an index for %s (first: %s/%s/APKINDEX.tar.gz); "
		                "cannot install %s", p->nrepo, p->nrepo == 1 ? "y" : "ies", p->arch, p->repo[0].where,
		                p->arch, want[nwant > 1 ? 1 : 0].dep.name);
		goto out;
	}
	if ((err = apk_db_index(&p->db)) ||
	    !(order = malloc((p->db.npkgs + 1) * sizeof(*order))) ||
	    !(p->inst = calloc(p->db.npkgs + 1, sizeof(*p->inst)))) {
		err = boot_fail(b, -ENOMEM, "out of memory");
		goto out;
	}
	n = apk_solve(&p->db, want, nwant, order, why, sizeof(why));
	if (n < 0) {
		err = boot_fail(b, (int)n, "%s", why);
		goto out;
	}
	{
		unsigned long long bytes = 0;
		for (i = 0; i < n; i++)
			bytes += (unsigned long long)(p->db.pkgs[order[i]].size > 0 ? p->db.pkgs[order[i]].size : 0);
		human(bytes, t1, sizeof(t1));
		log_info("packages: installing %ld package%s (%s) for %zu asked for", n, n == 1 ? "" : "s", t1, nwant);
	}

	p->rootfd = open(p->nr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->rootfd < 0) {
		err = boot_fail(b, -errno, "%s: %s", b->newroot, strerror(errno));
		goto out;
	}
	{
		char run[BOOT_PATH];
		if (!rpath(b, run, sizeof(run), "/run/nbinit"))
			mkdir_p(run, 0755);
	}
	prepare_root(p);
	load_protected(p);
	for (i = 0; i < n; i++) {
		p->inst[i].pkg = order[i];
		p->ninst = i + 1;
		if ((err = install_one(p, &p->inst[i], i + 1, (int)n, tmp)))
			goto out;
	}
	copy_keys(p);
	if ((err = write_db(p, want, nwant)))
		goto out;
	human(p->fetched, t1, sizeof(t1));
	human(p->depot_bytes, t2, sizeof(t2));
	human(p->unpacked, t3, sizeof(t3));
	log_info("packages: %ld installed in %lld ms: %d fetched (%s, %lld ms), %d from the depot (%s), %s unpacked",
	         n, mono_ms() - t0, p->nfetched, t1, p->fetch_ms, p->ndepot, t2, t3);
	if (p->nfetched) {
		snprintf(path, sizeof(path), "%d packages, %s", p->nfetched, t1);
		tl_wait("http", path, p->fetch_t0, p->fetch_t0 + p->fetch_ms);
	}
	if (p->depot_t0) {
		snprintf(path, sizeof(path), "%d package files read from the boot media", p->ndepot);
		tl_wait("depot", path, p->depot_t0, p->depot_t0 + p->depot_us / 1000);
	}
	if (p->nscripts) {
		snprintf(path, sizeof(path), "%d package scripts", p->nscripts);
		tl_wait("script", path, p->script_t0, p->script_t0 + p->script_sum_ms);
	}
out:
	free(order);
	unlink(tmp);
	cleanup(p);
	return err;
}
