/* Phase 5 as an ordinary process on a temporary root: overlays from a file
 * (apkovl=/PATH), signed the abuild-sign way or not, good or hostile. After
 * a refusal the new root must be empty: never half-applied. Fixtures are
 * made at test time with python3 (tarfile) and the openssl CLI. */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "extract.h"
#include "fileio.h"
#include "tap.h"

static char root[64];

static int entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

struct row {
	const char *file; int line;
	const char *what;
	const char *ovl;        /* fixture file name under ROOT/fx/ */
	bool verify;            /* nbinit.apkovl_verify */
	int want_err;           /* 0: applied */
	const char *why_has;
	long long max_size, max_files;  /* 0: the defaults */
};

#define ROW(what, ovl, verify, err, why) { __FILE__, __LINE__, what, ovl, verify, err, why, 0, 0 }
#define CAP(what, ovl, size, files, why) { __FILE__, __LINE__, what, ovl, false, -EFBIG, why, size, files }

static const struct row rows[] = {
	ROW("unsigned, not asked to verify", "plain.tar.gz", false, 0, NULL),
	ROW("unsigned, verification asked for", "plain.tar.gz", true, -EKEYREJECTED, "/fx/plain.tar.gz: not signed"),
	ROW("signed (SHA-1) by a trusted key", "signed.tar.gz", true, 0, NULL),
	ROW("signed (SHA-256) by a trusted key", "signed256.tar.gz", true, 0, NULL),
	ROW("signed by an unknown key, verification asked for", "otherkey.tar.gz", true, -EKEYREJECTED,
	    "signed with key other.rsa.pub, which is not in /etc/apk/keys (1 key there)"),
	ROW("signed by an unknown key, not asked to verify", "otherkey.tar.gz", false, 0, NULL),
	ROW("changed after signing", "tampered.tar.gz", false, -EKEYREJECTED,
	    "signature by test.rsa.pub does not match: the overlay was changed after signing"),
	ROW("changed after signing, verification asked for", "tampered.tar.gz", true, -EKEYREJECTED, "does not match"),
	ROW("hostile: .. in a name", "dotdot.tar.gz", false, -EPERM, "path leaves the root"),
	ROW("hostile: write through a planted symlink", "symlink-then-write.tar.gz", false, -1, "/fx/symlink-then-write.tar.gz: "),
	ROW("truncated gzip", "truncated.tar.gz", false, -EIO, "truncated"),
	ROW("signed but truncated", "signed-truncated.tar.gz", true, -EIO, "truncated"),
	/* issue 11, attack 2: extended headers in the unsigned signature
	 * member that would apply to the first signed entry */
	ROW("signature member with pax path=", "sig-pax-path.tar.gz", true, -EBADMSG,
	    "/fx/sig-pax-path.tar.gz: the signature member holds an extended tar header"),
	ROW("signature member with pax size= (swallows etc/ssh/sshd_config)", "sig-pax-size.tar.gz", true, -EBADMSG,
	    "/fx/sig-pax-size.tar.gz: the signature member holds an extended tar header"),
	ROW("signature member with pax size=, not asked to verify", "sig-pax-size.tar.gz", false, -EBADMSG,
	    "the signature member holds an extended tar header"),
	ROW("signature member with a GNU long name", "sig-gnu.tar.gz", true, -EBADMSG,
	    "the signature member holds an extended tar header"),
	ROW("signature member that also holds a file", "sig-entry.tar.gz", true, -EBADMSG,
	    "the signature member holds etc/shadow (only .SIGN.* files may be there)"),
	ROW("signed overlay with an entry after its end-of-archive marker", "after-end.tar.gz", true, -EBADMSG,
	    "data after the end-of-archive marker"),
	/* bounds: nbinit.apkovl_max_files, nbinit.apkovl_max_size, depth (attack 4) */
	CAP("more entries than nbinit.apkovl_max_files", "plain.tar.gz", 0, 2,
	    "/fx/plain.tar.gz: more than 2 entries (nbinit.apkovl_max_files)"),
	CAP("more bytes than nbinit.apkovl_max_size", "plain.tar.gz", 8, 0,
	    "more than 8 bytes unpacked (nbinit.apkovl_max_size)"),
	ROW("300 directory levels (the wipe reaches 512)", "deep.tar.gz", false, -ELOOP,
	    "300 directory levels, more than 256"),
};

static int make_fixtures(void)
{
	/* plain overlay; keys; signed variants; a tampered one keeps the old signature. */
	return sh("set -e; cd %s; mkdir -p fx etc/apk/keys sysroot src/etc/apk; "
	          "echo host1 > src/etc/hostname; echo alpine-base > src/etc/apk/world; "
	          "python3 -c 'import tarfile,sys; t=tarfile.open(\"fx/plain.tar.gz\",\"w:gz\"); t.add(\"src/etc\", arcname=\"etc\"); t.close()'; "
	          "echo host2 > src/etc/hostname; "
	          "python3 -c 'import tarfile,sys; t=tarfile.open(\"other.tar.gz\",\"w:gz\"); t.add(\"src/etc\", arcname=\"etc\"); t.close()'; "
	          "openssl genrsa -out test.pem 2048 2>/dev/null; openssl rsa -in test.pem -pubout -out etc/apk/keys/test.rsa.pub 2>/dev/null; "
	          "openssl genrsa -out other.pem 2048 2>/dev/null; "
	          "S=%s/tests/fixtures/abuild-sign.py; "
	          "$S test.pem test.rsa.pub fx/plain.tar.gz fx/signed.tar.gz; "
	          "$S --sha256 test.pem test.rsa.pub fx/plain.tar.gz fx/signed256.tar.gz; "
	          "$S other.pem other.rsa.pub fx/plain.tar.gz fx/otherkey.tar.gz; "
	          "$S test.pem test.rsa.pub other.tar.gz resigned.tar.gz; "
	          "python3 -c 'import gzip,sys,zlib; "
	          "s=open(\"fx/signed.tar.gz\",\"rb\").read(); d=zlib.decompressobj(31); d.decompress(s); first=len(s)-len(d.unused_data); "
	          "open(\"fx/tampered.tar.gz\",\"wb\").write(s[:first]+open(\"other.tar.gz\",\"rb\").read()); "
	          "open(\"fx/signed-truncated.tar.gz\",\"wb\").write(s[:len(s)-40])'; "
	          "mkdir -p src2/etc/ssh; echo host1 > src2/etc/hostname; echo PermitRootLogin no > src2/etc/ssh/sshd_config; "
	          "python3 -c 'import tarfile; t=tarfile.open(\"first-file.tar.gz\",\"w:gz\",format=tarfile.USTAR_FORMAT); "
	          "[t.add(\"src2/\"+n, arcname=n, recursive=False) for n in (\"etc/hostname\",\"etc/ssh/sshd_config\")]; t.close()'; "
	          "python3 -c 'import tarfile,io; t=tarfile.open(\"fx/deep.tar.gz\",\"w:gz\",format=tarfile.GNU_FORMAT); "
	          "i=tarfile.TarInfo(\"d/\"*299+\"f\"); i.size=1; t.addfile(i, io.BytesIO(b\"x\")); t.close()'; "
	          "python3 -c 'import tarfile,io; t=tarfile.open(\"fx/deep256.tar.gz\",\"w:gz\",format=tarfile.GNU_FORMAT); "
	          "i=tarfile.TarInfo(\"d/\"*255+\"f\"); i.size=1; t.addfile(i, io.BytesIO(b\"x\")); t.close()'; "
	          "echo 'root::0:0:99999:7:::' > shadow; "
	          "$S --sig-pax path=etc/evil test.pem test.rsa.pub first-file.tar.gz fx/sig-pax-path.tar.gz; "
	          "$S --sig-pax size=1536 test.pem test.rsa.pub first-file.tar.gz fx/sig-pax-size.tar.gz; "
	          "$S --sig-gnu-name etc/evil test.pem test.rsa.pub first-file.tar.gz fx/sig-gnu.tar.gz; "
	          "$S --sig-entry etc/shadow=shadow test.pem test.rsa.pub fx/plain.tar.gz fx/sig-entry.tar.gz; "
	          "$S --after-end etc/shadow=shadow test.pem test.rsa.pub fx/plain.tar.gz fx/after-end.tar.gz; "
	          "cp %s/tests/corpus/dotdot.tar.gz %s/tests/corpus/symlink-then-write.tar.gz %s/tests/corpus/truncated.tar.gz fx/",
	          root, getenv("NB_SRC") ? getenv("NB_SRC") : ".", getenv("NB_SRC") ? getenv("NB_SRC") : ".",
	          getenv("NB_SRC") ? getenv("NB_SRC") : ".", getenv("NB_SRC") ? getenv("NB_SRC") : ".");
}

int main(void)
{
	static struct boot b;
	char top[sizeof(root) + 16], cwd[1024];
	size_t i;

	if (!getcwd(cwd, sizeof(cwd)))
		return 1;
	setenv("NB_SRC", cwd, 0);
	snprintf(root, sizeof(root), "/tmp/nbovl.XXXXXX");
	if (!mkdtemp(root) || make_fixtures() != 0) {
		printf("Bail out! cannot make the fixtures (python3, openssl) in %s\n", root);
		return 1;
	}
	snprintf(top, sizeof(top), "%s/sysroot", root);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char host[64] = "", p[256];
		int err;

		memset(&b, 0, sizeof(b));
		b.root = root;
		b.phase = "overlay";
		strcpy(b.newroot, "/sysroot");
		b.o.ovl = OVL_PATH;
		b.o.ovl_verify = r->verify;
		b.o.ovl_max_size = r->max_size ? r->max_size : OVL_MAX_SIZE_DEFAULT;
		b.o.ovl_max_files = r->max_files ? r->max_files : OVL_MAX_FILES_DEFAULT;
		snprintf(b.o.apkovl, sizeof(b.o.apkovl), "/fx/%s", r->ovl);
		err = overlay_apply(&b);
		snprintf(p, sizeof(p), "%s/etc/hostname", top);
		file_read_str(p, host, sizeof(host));
		if (r->want_err == 0) {
			snprintf(p, sizeof(p), "%s/.SIGN.RSA.test.rsa.pub", top);
			ok_at(err == 0 && !strcmp(host, "host1") && access(p, F_OK) < 0, r->file, r->line,
			      "%s: applied (err %d, hostname '%s') %s", r->what, err, host, b.why);
		} else {
			ok_at((r->want_err == -1 ? err < 0 : err == r->want_err) && strstr(b.why, r->why_has) &&
			      entries(top) == 0, r->file, r->line, "%s: refused with '%s' (err %d), new root left with %d entries",
			      r->what, b.why, err, entries(top));
		}
		sh("rm -rf %s/* %s/.[!.]* 2>/dev/null", top, top);
	}
	{
		/* 256 levels, the most extraction allows: unpacked, then wiped */
		int err, fd;

		memset(&b, 0, sizeof(b));
		b.root = root;
		b.phase = "overlay";
		strcpy(b.newroot, "/sysroot");
		b.o.ovl = OVL_PATH;
		b.o.ovl_max_size = OVL_MAX_SIZE_DEFAULT;
		b.o.ovl_max_files = OVL_MAX_FILES_DEFAULT;
		strcpy(b.o.apkovl, "/fx/deep256.tar.gz");
		err = overlay_apply(&b);
		fd = open(top, O_RDONLY | O_DIRECTORY);
		ok(err == 0 && fd >= 0 && extract_wipe(fd) == 0 && entries(top) == 0,
		   "256 directory levels are unpacked and wiped completely (%d) %s", err, b.why);
		if (fd >= 0)
			close(fd);
	}
	{
		/* attack 4: what a failed try leaves and the wipe cannot remove
		 * (600 levels, beyond its 512) stops the boot: nothing is
		 * unpacked or booted on top of it */
		int fd = open(top, O_RDONLY | O_DIRECTORY), i, err;

		for (i = 0; fd >= 0 && i < 600; i++) {
			int next = mkdirat(fd, "d", 0755) < 0 ? -1 : openat(fd, "d", O_RDONLY | O_DIRECTORY);
			close(fd);
			fd = next;
		}
		if (fd >= 0)
			close(fd);
		memset(&b, 0, sizeof(b));
		b.root = root;
		b.phase = "overlay";
		strcpy(b.newroot, "/sysroot");
		b.o.ovl = OVL_PATH;
		b.o.ovl_max_size = OVL_MAX_SIZE_DEFAULT;
		b.o.ovl_max_files = OVL_MAX_FILES_DEFAULT;
		strcpy(b.o.apkovl, "/fx/dotdot.tar.gz");
		err = overlay_apply(&b);
		ok(err < 0 && strstr(b.why, "overlay: cleaning /sysroot after a failure (") &&
		   strstr(b.why, "; not going on with a half-applied overlay"),
		   "a wipe that cannot empty the new root is fatal: '%s' (%d)", b.why, err);
	}
	sh("rm -rf %s", root);
	return done_testing();
}
