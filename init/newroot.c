/* Phase 6: the new root. A tmpfs (rootflags=) at /sysroot holds the
 * overlay; the repositories, resolv.conf and nbinit's records are written
 * into it; proc, sys, dev and the boot media move in; the initramfs is
 * emptied and init= runs there. Destructive steps are guarded first.
 * The overlay and the packages filled the new root: every write and mount
 * target in it goes through its directory fd and never follows a symbolic
 * link (lib/fileio.h beneath_*). A link in the way of
 * /etc/apk/repositories or of a mount target stops the boot; of
 * resolv.conf or nbinit's records in /var/lib/nbinit it is a warning and
 * the file is not written. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "extract.h"
#include "fileio.h"

/* Mount the tmpfs for the new root. Returns 0 or a negative errno. */
int newroot_mount(struct boot *b)
{
	char p[BOOT_PATH];

	snprintf(b->newroot, sizeof(b->newroot), "/sysroot");
	if (rpath(b, p, sizeof(p), b->newroot))
		return boot_fail(b, -ENAMETOOLONG, "%s: path too long", b->newroot);
	mkdir_p(p, 0755);
	if (mount("tmpfs", p, "tmpfs", 0, b->o.rootflags) < 0)
		return boot_fail(b, -errno, "mount tmpfs on %s with rootflags=%s: %s", b->newroot,
		                 b->o.rootflags, strerror(errno));
	return 0;
}

static int nr_path(struct boot *b, char *buf, size_t size, const char *p)
{
	return fmt_path(buf, size, "%s%s%s", b->root, b->newroot, p);
}

/* The new root's directory fd, or a negative errno. */
static int nr_open(struct boot *b)
{
	char buf[BOOT_PATH];
	int fd;

	if (nr_path(b, buf, sizeof(buf), ""))
		return -ENAMETOOLONG;
	fd = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* 1 when P is in the new root (a symbolic link at P counts), 0 when not,
 * or a negative errno (-ELOOP: a link on the way to it). */
static int nr_exists(struct boot *b, const char *p)
{
	int rootfd = nr_open(b), fd;

	if (rootfd < 0)
		return rootfd;
	fd = beneath_open(rootfd, p, O_PATH | O_NOFOLLOW, 0);
	close(rootfd);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : fd == -ENOENT ? 0 : fd;
}

/* Write P in the new root, never through a symbolic link. */
int newroot_write(struct boot *b, const char *p, const char *text, size_t len)
{
	int rootfd = nr_open(b), err;

	if (rootfd < 0)
		return rootfd;
	err = beneath_write(rootfd, p, text, len, 0644);
	close(rootfd);
	return err;
}

/* The boot's repositories (repos_choose: the packages phase chose them)
 * into /etc/apk/repositories, unless the overlay brought that file. */
static int write_repositories(struct boot *b)
{
	char text[BOOT_MAX_REPOS * (BOOT_PATH + 1)];
	size_t len = 0;
	int i, err = nr_exists(b, "/etc/apk/repositories");

	if (err < 0)
		return boot_fail(b, err, "/etc/apk/repositories: %s; not written",
		                 beneath_strerror(err));
	if (err) {
		log_info("newroot: keeping the overlay's /etc/apk/repositories");
		return 0;
	}
	if ((err = repos_choose(b)))
		return err;
	for (i = 0; i < b->napk_repos; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", b->apk_repos[i]);
	if (!b->napk_repos) {
		log_info("newroot: no repositories (no alpine_repo= and no .boot_repository found)");
		return 0;
	}
	log_info("newroot: %d repositor%s in /etc/apk/repositories", b->napk_repos, b->napk_repos == 1 ? "y" : "ies");
	if ((err = newroot_write(b, "/etc/apk/repositories", text, len)))
		return boot_fail(b, err, "/etc/apk/repositories: %s; not written",
		                 beneath_strerror(err));
	return 0;
}

static void copy_in(struct boot *b, const char *from, const char *to)
{
	char src[BOOT_PATH], text[8192];
	ssize_t n;
	int err = nr_exists(b, to);

	if (err == 1 || rpath(b, src, sizeof(src), from))
		return;
	n = file_read_str(src, text, sizeof(text) - 1);
	if (n < 0)
		return;
	text[n++] = '\n';
	if (err || (err = newroot_write(b, to, text, (size_t)n)))
		log_warn("newroot: %s: %s; not written", to, beneath_strerror(err));
}

static int write_boot_record(struct boot *b)
{
	char text[4096], repos[2048] = "", media[1024] = "";
	size_t len = 0;
	int i, err = 0;

	for (i = 0; i < b->nrepos; i++) {
		size_t l = strlen(repos);
		snprintf(repos + l, sizeof(repos) - l, "%s%s", i ? " " : "", b->repos[i]);
	}
	for (i = 0; i < b->nmedia; i++) {
		size_t l = strlen(media);
		snprintf(media + l, sizeof(media) - l, "%s%s", i ? " " : "", b->media[i].mnt);
	}
	text[0] = '\0';
	err |= kv_append(text, sizeof(text), &len, "APKOVL", b->ovl_source);
	err |= kv_append(text, sizeof(text), &len, "MEDIA", media);
	err |= kv_append(text, sizeof(text), &len, "BOOT_REPOSITORIES", repos);
	err |= kv_append(text, sizeof(text), &len, "KERNEL", b->kver);
	err |= kv_append(text, sizeof(text), &len, "UUID", b->uuid);
	if (err)
		return -ENOSPC;
	return newroot_write(b, "/var/lib/nbinit/boot", text, len);
}

static int check_init(struct boot *b, int rootfd);

int newroot_prepare(struct boot *b)
{
	int err, rootfd;

	/* The init is checked here too, before anything is written, and
	 * again by newroot_switch right before the switch. */
	if ((rootfd = nr_open(b)) < 0)
		return boot_fail(b, rootfd, "%s: %s", b->newroot, strerror(-rootfd));
	err = check_init(b, rootfd);
	close(rootfd);
	if (err)
		return err;
	if ((err = write_repositories(b)))
		return err;
	copy_in(b, "/etc/resolv.conf", "/etc/resolv.conf");
	if (b->net_up)
		copy_in(b, "/run/nbinit/net", "/var/lib/nbinit/net");
	if ((err = write_boot_record(b)))
		log_warn("newroot: /var/lib/nbinit/boot: %s; not written", beneath_strerror(err));
	return 0;
}

/* INIT must be an executable regular file inside the new root (symlinks
 * resolved as they will be after the switch). */
static int check_init(struct boot *b, int rootfd)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	struct stat st;
	int fd, err = 0;

	fd = (int)syscall(SYS_openat2, rootfd, b->o.init, &how, sizeof(how));
	if (fd < 0)
		return boot_fail(b, -errno, "init %s: not in the new root (%s); the overlay must provide it or init= must name it",
		                 b->o.init, strerror(errno));
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		err = -EACCES;
	close(fd);
	if (err)
		return boot_fail(b, err, "init %s: not an executable file", b->o.init);
	return 0;
}

/* The mounts to move into the new root, media first: their targets are
 * made and checked before anything moves, so a link planted at one
 * leaves everything where it was. Returns 0 or the boot_fail error. */
static int move_all(struct boot *b)
{
	static const char *const core[] = { "/dev", "/proc", "/sys" };
	const char *what[BOOT_MAX_MEDIA + 3];
	int n = 0, i, rootfd, fd, err = 0;

	for (i = 0; i < b->nmedia; i++)
		what[n++] = b->media[i].mnt;
	for (i = 0; i < 3; i++)
		what[n++] = core[i];
	if ((rootfd = nr_open(b)) < 0)
		return boot_fail(b, rootfd, "%s: %s", b->newroot, strerror(-rootfd));
	for (i = 0; i < n && !err; i++) {
		fd = beneath_mkdirs(rootfd, what[i], 0755);
		if (fd < 0)
			err = boot_fail(b, fd, "%s: cannot move it into the new root: %s there",
			                what[i], fd == -ELOOP ? "a symbolic link is in the way" : strerror(-fd));
		else
			close(fd);
	}
	for (i = 0; i < n && !err; i++) {
		char src[BOOT_PATH];
		int e;

		if (rpath(b, src, sizeof(src), what[i]))
			continue;
		if ((e = beneath_move_mount(src, rootfd, what[i])))
			log_warn("newroot: moving %s into the new root: %s", what[i], beneath_strerror(e));
	}
	close(rootfd);
	return err;
}

/* The checks before anything destructive: the old root (b->root, "/" at
 * boot) must be an initramfs (ramfs or tmpfs: it is emptied), the new root
 * a separate mount below it, holding init= as an executable file. Returns
 * 0 or the boot_fail error; changes nothing. */
int newroot_guard(struct boot *b)
{
	const char *old = b->root && b->root[0] ? b->root : "/";
	struct statfs sfs;
	struct stat rs, ns;
	int rootfd, err;

	if (statfs(old, &sfs) < 0 || (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC))
		return boot_fail(b, -EPERM, "%s is not an initramfs (ramfs/tmpfs); refusing to empty it", old);
	if ((rootfd = nr_open(b)) < 0)
		return boot_fail(b, rootfd, "%s: %s", b->newroot, strerror(-rootfd));
	if (stat(old, &rs) < 0 || fstat(rootfd, &ns) < 0 || rs.st_dev == ns.st_dev) {
		close(rootfd);
		return boot_fail(b, -EXDEV, "%s is not a separate mount; refusing to switch", b->newroot);
	}
	err = check_init(b, rootfd);
	close(rootfd);
	return err;
}

int newroot_switch(struct boot *b)
{
	char *argv[34], args[512], *save = NULL, *tok;
	int fd, argc = 0, err;

	/* The emptying and the switch act on this process's "/": never under
	 * a root prefix (a phase run as an ordinary process in a test). */
	if (b->root && b->root[0])
		return boot_fail(b, -EPERM, "%s%s: refusing to switch under a root prefix (%s)", b->root, b->newroot,
		                 b->root);
	if ((err = newroot_guard(b)))
		return err;

	if ((err = move_all(b)))
		return err;

	argv[argc++] = b->o.init;
	snprintf(args, sizeof(args), "%s", b->o.init_args);
	for (tok = strtok_r(args, " \t", &save); tok && argc < 33; tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	log_info("newroot: switching to %s, running %s", b->newroot, b->o.init);

	/* Empty the initramfs (this file system only), then make the new root /. */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		err = extract_wipe(fd);
		if (err)
			log_warn("newroot: emptying the initramfs: %s", strerror(-err));
		close(fd);
	}
	if (chdir(b->newroot) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return boot_fail(b, -errno, "switching to %s: %s", b->newroot, strerror(errno));
	execv(argv[0], argv);
	return boot_fail(b, -errno, "exec %s: %s", argv[0], strerror(errno));
}
