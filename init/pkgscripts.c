/* The packages phase: the new root as install scripts need it (what apk
 * --initdb makes: directories, device nodes, /proc mounted while scripts
 * run), each package's pre-/post-install script run as apk runs it
 * (written to /lib/apk/exec, executed by its own #! line chrooted in the
 * new root, bounded by nbinit.script_timeout), and the trigger scripts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FSOPEN_CLOEXEC
/* musl 1.2.3's <sys/mount.h> has no new mount API: the kernel's UAPI header. */
#include <linux/mount.h>
#endif

#include "fileio.h"
#include "match.h"
#include "pkg.h"

/* How a script could not be run, for pkg_script()'s line. */
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
void pkg_script(struct pk *p, struct pk_inst *in, const char *action, char *const *args)
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
void pkg_root_prepare(struct pk *p)
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

void pkg_root_release(struct pk *p)
{
	char path[BOOT_PATH];

	if (!p->proc_mounted)
		return;
	p->proc_mounted = false;
	if (!fmt_path(path, sizeof(path), "%s/proc", p->nr) && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		log_warn("packages: unmounting /proc of the new root: %s", strerror(errno));
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
void pkg_triggers(struct pk *p, struct apkdb_text *tdb)
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
			pkg_script(p, in, "trigger", t.args);
	}
}

