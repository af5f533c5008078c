/* lib/apkpkg: a package built by tests/apk/mkapk is checked, then unpacked;
 * a package whose data changes between the check and the unpacking (a
 * depot on NFS serving other bytes the second time) is refused by the
 * unpacking, not installed as checked. The checksums recorded for the
 * files are the package's own APK-TOOLS.checksum.SHA1 records, as apk
 * takes them, and computed from the contents when there are none. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apkpkg.h"
#include "tap.h"

static char dir[64] = "/tmp/test-apkpkg.XXXXXX";

static int unpack(const char *what, bool spoil, int want, const char *why_has)
{
	struct apk_pkgcheck c;
	struct apk_files files = { 0 };
	struct apk_unpack_opts uo = { 0 };
	char path[256], root[256], why[512] = "";
	int fd, rootfd, err;

	snprintf(path, sizeof(path), "%s/p.apk", dir);
	snprintf(root, sizeof(root), "%s/root-%s", dir, what);
	if (mkdir(root, 0755) || (fd = open(path, O_RDWR)) < 0 || (rootfd = open(root, O_RDONLY | O_DIRECTORY)) < 0)
		return ok(0, "%s: set up: %s", what, strerror(errno)), -1;
	err = apk_pkg_check(fd, NULL, &c);
	ok(err == 0, "%s: the package checks (%s)", what, err ? c.why : "ok");
	if (spoil) {
		/* The same control member, other data (valid gzip,
		 * another busybox): written into the very file after the check. */
		snprintf(path, sizeof(path), "cat %s/p.spliced >%s/p.apk", dir, dir);
		if (system(path) != 0)
			ok(0, "%s: rewriting the file failed", what);
	}
	err = apk_pkg_unpack(fd, &c, rootfd, &uo, &files, why, sizeof(why));
	ok(err == want && (!why_has || strstr(why, why_has)),
	   "%s: unpack returns %d (want %d): %s", what, err, want, why[0] ? why : "no message");
	apk_pkgcheck_free(&c);
	apk_files_free(&files);
	close(rootfd);
	close(fd);
	return 0;
}

/* The Q1 of LEN bytes of DATA, or of the SHA-1 given as 40 hex digits. */
static void q1(const void *data, size_t len, const char *hex, char out[APK_Q1_LEN])
{
	unsigned char d[20];
	int i;

	if (hex) {
		for (i = 0; i < 20; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			d[i] = (unsigned char)v;
		}
	} else {
		br_sha1_context s;
		br_sha1_init(&s);
		br_sha1_update(&s, data, len);
		br_sha1_out(&s, d);
	}
	apk_q1(d, out);
}

/* Package tree s/ (etc/motd, etc/link -> motd) built with --file-sums HOW,
 * unpacked from a private copy: the checksums recorded for the file and
 * the symlink. */
static void file_sums(const char *how)
{
	struct apk_pkgcheck c;
	struct apk_files files = { 0 };
	struct apk_unpack_opts uo = { .fd_private = true };
	char path[256], root[256], why[512] = "", want_f[APK_Q1_LEN], want_l[APK_Q1_LEN];
	const char *bogus = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	bool bad = !strcmp(how, "bogus");
	size_t i, seen = 0;
	int fd, rootfd, err;

	snprintf(path, sizeof(path), "%s/s-%s.apk", dir, how);
	snprintf(root, sizeof(root), "%s/root-s-%s", dir, how);
	if (mkdir(root, 0755) || (fd = open(path, O_RDONLY)) < 0 || (rootfd = open(root, O_RDONLY | O_DIRECTORY)) < 0) {
		ok(0, "file sums %s: set up: %s", how, strerror(errno));
		return;
	}
	err = apk_pkg_check(fd, NULL, &c);
	if (!err)
		err = apk_pkg_unpack(fd, &c, rootfd, &uo, &files, why, sizeof(why));
	ok(err == 0, "file sums %s: checked and unpacked (%s)", how, err ? (why[0] ? why : c.why) : "ok");
	q1("motd text\n", 10, bad ? bogus : NULL, want_f);
	q1("motd", 4, bad ? bogus : NULL, want_l);
	for (i = 0; i < files.n; i++) {
		const struct apk_file *f = &files.f[i];
		if (!strcmp(f->path, "etc/motd"))
			seen++, ok(!strcmp(f->csum, want_f), "file sums %s: etc/motd recorded as %s (want %s)", how, f->csum, want_f);
		if (!strcmp(f->path, "etc/link"))
			seen++, ok(!strcmp(f->csum, want_l), "file sums %s: etc/link recorded as %s (want %s)", how, f->csum, want_l);
	}
	ok(seen == 2, "file sums %s: both entries recorded", how);
	apk_pkgcheck_free(&c);
	apk_files_free(&files);
	close(rootfd);
	close(fd);
}

int main(void)
{
	char cmd[2048], mkapk[PATH_MAX];

	if (!realpath("tests/apk/mkapk", mkapk) || access("/bin/busybox", X_OK) || !mkdtemp(dir)) {
		diag("needs tests/apk/mkapk (run from the top directory) and /bin/busybox");
		ok(0, "fixtures");
		return done_testing();
	}
	snprintf(cmd, sizeof(cmd), "set -e; cd %s; mkdir -p t/bin; cp /bin/busybox t/bin/busybox; "
	         "M=%s; $M pkg -o p.apk --name bb --version 1-r0 --root t >/dev/null; cp p.apk p.orig; "
	         "mkdir -p t2/bin; cp t/bin/busybox t2/bin/busybox; printf X | dd of=t2/bin/busybox bs=1 seek=4096 conv=notrunc 2>/dev/null; "
	         "$M pkg -o p2.apk --name bb --version 1-r0 --root t2 >/dev/null; $M splice -o p.spliced p.apk:0 p2.apk:1; "
	         "mkdir -p s/etc; printf 'motd text\\n' >s/etc/motd; ln -s motd s/etc/link; "
	         "for h in sha1 none bogus; do $M pkg -o s-$h.apk --name s --version 1-r0 --root s --file-sums $h >/dev/null; done",
	         dir, mkapk);
	if (system(cmd) != 0) {
		ok(0, "mkapk pkg");
		return done_testing();
	}
	unpack("unchanged", false, 0, NULL);
	snprintf(cmd, sizeof(cmd), "test -x %s/root-unchanged/bin/busybox && cmp -s /bin/busybox %s/root-unchanged/bin/busybox",
	         dir, dir);
	ok(system(cmd) == 0, "unchanged: bin/busybox unpacked, identical to its source");
	snprintf(cmd, sizeof(cmd), "cp %s/p.orig %s/p.apk", dir, dir);
	if (system(cmd) == 0)
		unpack("changed after the check", true, -EKEYREJECTED, "the data changed after it was checked");
	file_sums("sha1");
	file_sums("none");
	file_sums("bogus");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
