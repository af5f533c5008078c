/* Phase 5 as an ordinary process on a temporary root: overlays from a file
 * (apkovl=/PATH), signed the abuild-sign way or not, good or hostile. After
 * a refusal the new root must be empty: never half-applied. Fixtures are
 * made at test time with python3 (tarfile) and the openssl CLI. */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
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
};

#define ROW(what, ovl, verify, err, why) { __FILE__, __LINE__, what, ovl, verify, err, why }

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
		strcpy(b.newroot, "/sysroot");
		b.o.ovl = OVL_PATH;
		b.o.ovl_verify = r->verify;
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
	sh("rm -rf %s", root);
	return done_testing();
}
