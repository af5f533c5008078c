/* newroot_guard, the checks newroot_switch makes before it empties the
 * initramfs, on fixture roots: an old root that is no ramfs/tmpfs, a new
 * root that is no separate mount, init= missing, not executable, a
 * directory, or a link out of the new root. And newroot_switch refuses to
 * run under a root prefix at all. The mounts (tmpfs as the old root, tmpfs
 * as the new one) need root; they are made in a private mount namespace,
 * so nothing is left mounted. Without root those rows are counted as
 * skipped. */
#include <errno.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "boot.h"
#include "tap.h"

static struct boot b;

/* Run newroot_guard with ROOT as the old root; check the error and that
 * WHY (when given) is in the one failure line. */
static void guard(const char *root, const char *init, int want, const char *why, const char *what)
{
	int err;

	memset(&b, 0, sizeof(b));
	b.root = root;
	snprintf(b.newroot, sizeof(b.newroot), "/sysroot");
	snprintf(b.o.init, sizeof(b.o.init), "%s", init);
	b.phase = "newroot";
	err = newroot_guard(&b);
	if (!want)
		ok(err == 0 && !b.why[0], "%s: passes (err %d, why '%s')", what, err, b.why);
	else
		ok(err == want && strstr(b.why, why), "%s: %d '%s' (got %d '%s')", what, want, why, err, b.why);
}

static int is_tmpfs(const char *p)
{
	struct statfs s;

	return statfs(p, &s) == 0 && (s.f_type == TMPFS_MAGIC || s.f_type == RAMFS_MAGIC);
}

int main(void)
{
	char top[] = "/tmp/nbguard.XXXXXX", cwd[256], p[512];
	int err;

	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}

	/* Never under a root prefix, whatever the prefix holds. */
	memset(&b, 0, sizeof(b));
	b.root = top;
	snprintf(b.newroot, sizeof(b.newroot), "/sysroot");
	snprintf(b.o.init, sizeof(b.o.init), "/sbin/init");
	b.phase = "newroot";
	err = newroot_switch(&b);
	ok(err == -EPERM && strstr(b.why, "refusing to switch under a root prefix"),
	   "newroot_switch under a root prefix refuses before any check (%d '%s')", err, b.why);

	/* An old root on a disk file system: the repository's directory,
	 * unless it happens to be a tmpfs. */
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	if (!is_tmpfs(cwd))
		guard(cwd, "/sbin/init", -EPERM, " is not an initramfs (ramfs/tmpfs); refusing to empty it",
		      "the old root on a disk");
	else
		skip(1, "%s is a tmpfs: no disk directory to be the old root", cwd);

	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		skip(7, "not root (or no mount namespace): the tmpfs rows");
		rmdir(top);
		return done_testing();
	}
	if (mount("tmpfs", top, "tmpfs", 0, "size=4m") < 0) {
		printf("Bail out! mount tmpfs on %s: %s\n", top, strerror(errno));
		return 1;
	}
	snprintf(p, sizeof(p), "%s/sysroot", top);
	mkdir(p, 0755);
	guard(top, "/sbin/init", -EXDEV, "/sysroot is not a separate mount; refusing to switch",
	      "the new root is a directory of the old one");
	rmdir(p);
	guard(top, "/sbin/init", -ENOENT, "/sysroot: ", "no new root at all");
	mkdir(p, 0755);
	if (mount("tmpfs", p, "tmpfs", 0, "size=4m") < 0) {
		printf("Bail out! mount tmpfs on %s: %s\n", p, strerror(errno));
		return 1;
	}
	guard(top, "/sbin/init", -ENOENT, "init /sbin/init: not in the new root", "no init in the new root");
	sh("mkdir -p %s/sysroot/sbin && echo x >%s/sysroot/sbin/init && chmod 644 %s/sysroot/sbin/init", top, top, top);
	guard(top, "/sbin/init", -EACCES, "init /sbin/init: not an executable file", "init not executable");
	sh("mkdir -p %s/sysroot/bin/init.d", top);
	guard(top, "/bin/init.d", -EACCES, "init /bin/init.d: not an executable file", "init is a directory");
	/* A link resolves inside the new root, as after the switch: an
	 * absolute target that only exists outside it does not count. */
	sh("echo x >%s/outside && chmod 755 %s/outside && ln -s %s/outside %s/sysroot/sbin/out", top, top, top, top);
	guard(top, "/sbin/out", -ENOENT, "init /sbin/out: not in the new root", "init links to a file outside");
	sh("chmod 755 %s/sysroot/sbin/init && ln -s /sbin/init %s/sysroot/bin/init", top, top);
	guard(top, "/bin/init", 0, NULL, "an executable init through a link inside");

	umount2(p, MNT_DETACH);
	umount2(top, MNT_DETACH);
	rmdir(top);
	return done_testing();
}
