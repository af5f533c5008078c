/* beneath_open / beneath_mkdirs / beneath_write / beneath_unlink /
 * beneath_move_mount on fixture roots that hold planted symbolic links
 * (absolute, relative and leading out, on the way and at the end):
 * each refused with -ELOOP (-EXDEV for ".."), and nothing appears in
 * OUTSIDE, a directory next to the root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "tap.h"

static char top[64], root[128], outside[128];

static int outside_empty(void)
{
	return !sh("test -z \"$(ls -A %s)\"", outside);
}

struct row {
	const char *file;
	int line;
	const char *what;
	const char *plant;     /* shell run in ROOT first ($OUT is OUTSIDE) */
	const char *path;      /* written below ROOT */
	int want;
};

#define R(w, p, path, want) { __FILE__, __LINE__, w, p, path, want }

static const struct row rows[] = {
	R("plain write, directories made", "", "/etc/apk/repositories", 0),
	R("relative path", "", "var/lib/nbinit/net", 0),
	R("existing file replaced", "mkdir -p etc && echo old >etc/resolv.conf", "/etc/resolv.conf", 0),
	R("absolute link on the way", "ln -s $OUT etc", "/etc/apk/repositories", -ELOOP),
	R("relative link leading out", "mkdir etc && ln -s ../../outside etc/apk", "/etc/apk/repositories", -ELOOP),
	R("relative link staying inside", "mkdir -p etc/real && ln -s real etc/apk", "/etc/apk/world", -ELOOP),
	R("link at the end, to a file outside", "mkdir -p etc && ln -s $OUT/resolv.conf etc/resolv.conf",
	  "/etc/resolv.conf", -ELOOP),
	R("dangling link at the end", "mkdir -p etc && ln -s /nonexistent etc/resolv.conf", "/etc/resolv.conf", -ELOOP),
	R("link at the temporary name is removed, not followed",
	  "mkdir -p etc && ln -s $OUT/x etc/hostname.nbtmp", "/etc/hostname", 0),
	R("link to / at the top of var", "ln -s / var", "/var/lib/nbinit/boot", -ELOOP),
	R("dot-dot in the path", "", "/etc/../../outside/x", -EXDEV),
	R("a file where a directory should be", "echo x >lib", "/lib/apk/db/installed", -ENOTDIR),
};

static void run_row(const struct row *r)
{
	char p[512], got[64];
	int rootfd, err;

	sh("rm -rf %s %s && mkdir -p %s %s", root, outside, root, outside);
	if (r->plant[0] && sh("cd %s && OUT=%s && %s", root, outside, r->plant))
		diag("plant failed: %s", r->plant);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = beneath_write(rootfd, r->path, "new\n", 4, 0644);
	ok_at(err == r->want, r->file, r->line, "%s: %s -> %d (want %d: %s)", r->what, r->path, err,
	      r->want, beneath_strerror(r->want ? r->want : -EPERM));
	ok_at(outside_empty(), r->file, r->line, "%s: nothing outside", r->what);
	if (!err) {
		snprintf(p, sizeof(p), "%s/%s", root, r->path[0] == '/' ? r->path + 1 : r->path);
		ok_at(file_read_str(p, got, sizeof(got)) == 3 && !strcmp(got, "new"), r->file, r->line,
		      "%s: content written", r->what);
		snprintf(p, sizeof(p), "%s/%s.nbtmp", root, r->path[0] == '/' ? r->path + 1 : r->path);
		ok_at(access(p, F_OK) != 0, r->file, r->line, "%s: no temporary left", r->what);
	}
	close(rootfd);
}

static void other_tests(void)
{
	char p[512], src[256];
	int rootfd, fd, err;

	sh("rm -rf %s %s && mkdir -p %s %s", root, outside, root, outside);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* beneath_open: a link at the end with O_PATH|O_NOFOLLOW is the link */
	sh("cd %s && mkdir -p etc/apk && ln -s %s etc/apk/repositories && ln -s %s lnk", root, outside, outside);
	fd = beneath_open(rootfd, "/etc/apk/repositories", O_PATH | O_NOFOLLOW, 0);
	ok(fd >= 0, "O_PATH|O_NOFOLLOW opens a link at the end (%d)", fd);
	if (fd >= 0)
		close(fd);
	fd = beneath_open(rootfd, "/lnk/x", O_PATH | O_NOFOLLOW, 0);
	ok(fd == -ELOOP, "a link on the way refused even with O_NOFOLLOW (%d)", fd);
	fd = beneath_open(rootfd, "/etc/apk/repositories", O_RDONLY, 0);
	ok(fd == -ELOOP, "a link at the end refused without O_NOFOLLOW (%d)", fd);

	/* beneath_mkdirs */
	fd = beneath_mkdirs(rootfd, "/lnk/sub", 0755);
	ok(fd == -ELOOP && outside_empty(), "mkdirs through a link refused (%d)", fd);
	fd = beneath_mkdirs(rootfd, "/a/b/c", 0700);
	snprintf(p, sizeof(p), "%s/a/b/c", root);
	ok(fd >= 0 && access(p, F_OK) == 0, "mkdirs makes a/b/c (%d)", fd);
	if (fd >= 0)
		close(fd);

	/* beneath_unlink */
	sh("cd %s && echo keep >%s/victim && ln -s %s exec && mkdir -p real && echo x >real/f", root,
	   outside, outside);
	err = beneath_unlink(rootfd, "/exec/victim");
	snprintf(p, sizeof(p), "%s/victim", outside);
	ok(err == -ELOOP && access(p, F_OK) == 0, "unlink through a link refused, the file outside stays (%d)", err);
	err = beneath_unlink(rootfd, "/real/f");
	ok(err == 0, "unlink of a plain file (%d)", err);
	sh("rm -f %s/victim", outside);

	/* beneath_move_mount: a tmpfs moved below the root; through a link
	 * it stays where it was */
	snprintf(src, sizeof(src), "%s/src", top);
	sh("mkdir -p %s", src);
	if (mount("tmpfs", src, "tmpfs", 0, "size=64k") < 0) {
		skip(3, "cannot mount a tmpfs (%s)", strerror(errno));
	} else {
		sh("echo marker >%s/marker && cd %s && ln -s %s dev", src, root, outside);
		err = beneath_move_mount(src, rootfd, "/dev");
		snprintf(p, sizeof(p), "%s/marker", src);
		ok(err == -ELOOP && access(p, F_OK) == 0 && outside_empty(),
		   "MS_MOVE onto a planted link refused, the mount stays (%d)", err);
		err = beneath_move_mount(src, rootfd, "/proc");
		snprintf(p, sizeof(p), "%s/proc/marker", root);
		ok(err == 0 && access(p, F_OK) == 0, "MS_MOVE onto /proc below the root (%d)", err);
		snprintf(p, sizeof(p), "%s/proc", root);
		ok(umount2(p, MNT_DETACH) == 0, "the moved mount is unmounted at its new place");
	}
	close(rootfd);
}

int main(void)
{
	size_t i;

	snprintf(top, sizeof(top), "/tmp/nbbeneath.XXXXXX");
	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	other_tests();
	sh("rm -rf %s", top);
	return done_testing();
}
