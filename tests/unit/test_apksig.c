/* lib/apksig.c and the checking pass of lib/apkpkg.c against real apk v2
 * files made by tests/apk/mkapk (python3 + openssl): keys, signed,
 * re-signed, unsigned and tampered indexes, good and tampered packages.
 * Skips when mkapk cannot run. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apk.h"
#include "apkpkg.h"
#include "apksig.h"
#include "fileio.h"
#include "tap.h"

static char dir[64], mkapk[1024];

/* Like sh() (tap.h), run in the fixtures directory DIR. */
static int sh_dir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh_dir(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = snprintf(cmd, sizeof(cmd), "cd %s && ", dir);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static unsigned char *slurp(const char *name, size_t *len)
{
	char p[256];
	struct stat st;
	unsigned char *b;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	b = malloc((size_t)st.st_size + 1);
	*len = (size_t)read(fd, b, (size_t)st.st_size);
	close(fd);
	return b;
}

static int open_in(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return open(p, O_RDONLY);
}

struct irow {
	const char *file; int line;
	const char *index;
	bool untrusted;            /* apk_index_unpack's UNTRUSTED_OK */
	int err;
	enum apk_sig_state sig;
	const char *why;
};
#define I(f, u, e, s, w) { __FILE__, __LINE__, f, u, e, s, w }

static const struct irow irows[] = {
	I("good.tar.gz", false, 0, APK_SIG_GOOD, "signed by test@nbinit-1.rsa.pub"),
	I("sha256.tar.gz", false, 0, APK_SIG_GOOD, "signed by test@nbinit-1.rsa.pub"),
	I("unsigned.tar.gz", true, -ENOKEY, APK_SIG_NONE, "unsigned"),
	I("unsigned.tar.gz", false, -ENOKEY, APK_SIG_NONE, "unsigned"),
	I("other.tar.gz", true, -ENOKEY, APK_SIG_UNKNOWN_KEY, "not in the trusted keys"),
	I("other.tar.gz", false, -ENOKEY, APK_SIG_UNKNOWN_KEY, "not in the trusted keys"),
	I("tampered.tar.gz", true, -EKEYREJECTED, APK_SIG_BAD, "BAD signature"),
	I("tampered.tar.gz", false, -EKEYREJECTED, APK_SIG_BAD, "BAD signature"),
	I("resigned.tar.gz", true, -EKEYREJECTED, APK_SIG_BAD, "BAD signature"),
	I("truncated.tar.gz", false, -EBADMSG, APK_SIG_NONE, ""),
	I("garbage.tar.gz", false, -EBADMSG, APK_SIG_NONE, "not gzip"),
	I("noindex.tar.gz", true, -EBADMSG, APK_SIG_NONE, "no APKINDEX"),
	/* issue 11, attack 1: a genuine signature member that also holds a
	 * forged APKINDEX and an end-of-archive marker */
	I("smuggled.tar.gz", false, -EBADMSG, APK_SIG_NONE,
	  "the signature member holds APKINDEX (only .SIGN.* files may be there)"),
	I("smuggled.tar.gz", true, -EBADMSG, APK_SIG_NONE, "the signature member holds APKINDEX"),
	/* a signed index with a second APKINDEX after its end-of-archive marker */
	I("afterend.tar.gz", false, -EBADMSG, APK_SIG_GOOD, "data after the end-of-archive marker"),
	/* extended headers in the signature member */
	I("sigpax.tar.gz", false, -EBADMSG, APK_SIG_NONE, "the signature member holds an extended tar header"),
	I("siggnu.tar.gz", false, -EBADMSG, APK_SIG_NONE, "the signature member holds an extended tar header"),
	/* issue 11, attack 6: 510 KiB that inflate to 512 MiB, genuinely signed */
	I("bomb.tar.gz", false, -EFBIG, APK_SIG_GOOD, "larger than 32 MiB"),
};

struct prow {
	const char *file; int line;
	const char *pkg, *csum_of;  /* check PKG against the C: of CSUM_OF in good.tar.gz */
	int err;
	const char *why;
};
#define P(p, c, e, w) { __FILE__, __LINE__, p, c, e, w }

static const struct prow prows[] = {
	P("bb.apk", "busybox", 0, ""),
	P("motd.apk", "motd", 0, ""),
	P("unsigned.apk", "motd", 0, ""),          /* no signature member: the index vouches */
	P("bb.apk", "motd", -EKEYREJECTED, "not the index's"),
	P("mixed.apk", "busybox", -EKEYREJECTED, "is not the datahash"),
	P("nodatahash.apk", NULL, -EKEYREJECTED, "no datahash"),
	P("cut.apk", "busybox", -EBADMSG, "truncated"),
	P("noinfo.apk", NULL, -EBADMSG, "no .PKGINFO"),
	/* issue 11, attack 3: a pax size= in the signature member would make
	 * .PKGINFO swallow the scripts, the control member unchanged */
	P("swallow.apk", NULL, -EBADMSG, "the signature member holds an extended tar header"),
	P("sigpath.apk", NULL, -EBADMSG, "the signature member holds an extended tar header"),
	P("scripts.apk", NULL, 0, ""),
};

int main(void)
{
	static struct apk_keys keys;
	struct apk_index_file f;
	struct apk_key k;
	char p[256], q1[APK_Q1_LEN], b[64];
	unsigned char raw[64];
	size_t i, len;
	int n;

	/* base64 and Q1 without any fixture */
	apk_q1((const unsigned char *)"\xda\x39\xa3\xee\x5e\x6b\x4b\x0d\x32\x55\xbf\xef\x95\x60\x18\x90\xaf\xd8\x07\x09", q1);
	ok(!strcmp(q1, "Q12jmj7l5rSw0yVb/vlWAYkK/YBwk="), "Q1 of SHA-1(\"\") (%s)", q1);
	n = apk_b64_encode("ab", 2, b, sizeof(b));
	ok(n == 4 && !strcmp(b, "YWI="), "base64 of 'ab' (%s)", b);
	n = apk_b64_decode("YWI=", 4, raw, sizeof(raw));
	ok(n == 2 && !memcmp(raw, "ab", 2), "base64 decode with padding");
	ok(apk_b64_decode("YW I=", 5, raw, sizeof(raw)) == -EINVAL, "base64 refuses blanks");
	ok(apk_key_parse_pem(&k, "junk", 4) == -EINVAL, "not a PEM key");
	ok(apk_key_parse_pem(&k, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 56) == -EINVAL,
	   "PEM that is not DER");

	{
		/* issue 11, attack 8: a PEM that ends 28 bytes into "-----BEGIN
		 * RSA PUBLIC KEY-----", right before an unmapped page: nothing
		 * past the text may be read (a child, in case it is) */
		static const char head[] = "-----BEGIN RSA PUBLIC KEY---";
		long pg = sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int status = -1;
		pid_t pid;

		if (m != MAP_FAILED && !mprotect(m + pg, (size_t)pg, PROT_NONE)) {
			char *at = m + pg - (sizeof(head) - 1);
			memcpy(at, head, sizeof(head) - 1);
			fflush(stdout);
			if ((pid = fork()) == 0)
				_exit(apk_key_parse_pem(&k, at, sizeof(head) - 1) == -EINVAL ? 0 : 1);
			if (pid < 0 || waitpid(pid, &status, 0) != pid)
				status = -1;
		}
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "a PEM cut inside BEGIN RSA PUBLIC KEY at the end of a mapping: -EINVAL, nothing read past it (status %#x)",
		   status);
	}

	if (getenv("NBINIT_SRC"))
		snprintf(mkapk, sizeof(mkapk), "%s/tests/apk/mkapk", getenv("NBINIT_SRC"));
	else if (!realpath("tests/apk/mkapk", mkapk))
		mkapk[0] = '\0';
	snprintf(dir, sizeof(dir), "/tmp/nbapksig.XXXXXX");
	if (!mkapk[0] || access(mkapk, X_OK) || system("command -v python3 openssl >/dev/null") || !mkdtemp(dir)) {
		printf("ok %d # SKIP tests/apk/mkapk, python3 or openssl missing (run from the source tree)\n", ++tap_n);
		return done_testing();
	}
	n = sh_dir("M=%s; $M key keys test@nbinit-1 >/dev/null && $M key other test@other-1 >/dev/null &&"
	       " mkdir -p r1/bin r2/etc && cp /bin/busybox r1/bin/ && ln -s busybox r1/bin/sh && echo hello >r2/etc/motd &&"
	       " $M pkg -o bb.apk --name busybox --version 1.36.1-r0 --root r1 --provides 'cmd:sh=1.36.1-r0'"
	       "   --key keys/test@nbinit-1.rsa &&"
	       " $M pkg -o motd.apk --name motd --version 1-r0 --root r2 --key keys/test@nbinit-1.rsa &&"
	       " $M pkg -o unsigned.apk --name motd --version 1-r0 --root r2 &&"
	       " $M pkg -o nodatahash.apk --name motd --version 1-r0 --root r2 --no-datahash &&"
	       " $M splice -o mixed.apk bb.apk:0,1 motd.apk:2 &&"
	       " printf '#!/bin/sh\\necho hi\\n' >post.sh &&"
	       " $M pkg -o scripts.apk --name motd --version 1-r0 --root r2 --post-install post.sh --pre-install post.sh"
	       "   --key keys/test@nbinit-1.rsa &&"
	       " $M pkg -o swallow.apk --name motd --version 1-r0 --root r2 --post-install post.sh --pre-install post.sh"
	       "   --key keys/test@nbinit-1.rsa --swallow-scripts &&"
	       " $M pkg -o sigpath.apk --name motd --version 1-r0 --root r2 --sig-pax path=.post-install"
	       "   --key keys/test@nbinit-1.rsa &&"
	       " $M splice -o noinfo.apk bb.apk:0,2 &&"
	       " head -c 5000 bb.apk >cut.apk &&"
	       " $M index -o good.tar.gz --key keys/test@nbinit-1.rsa bb.apk motd.apk &&"
	       " $M index -o sha256.tar.gz --sha256 --key keys/test@nbinit-1.rsa bb.apk motd.apk &&"
	       " $M index -o unsigned.tar.gz bb.apk motd.apk &&"
	       " $M index -o other.tar.gz --key other/test@other-1.rsa bb.apk motd.apk &&"
	       " $M index -o motdonly.tar.gz --key keys/test@nbinit-1.rsa motd.apk &&"
	       " $M splice -o tampered.tar.gz good.tar.gz:0 motdonly.tar.gz:1 &&"
	       " cp other/test@other-1.rsa other/test@nbinit-1.rsa &&"
	       " $M index -o resigned.tar.gz --key other/test@nbinit-1.rsa bb.apk &&"
	       " head -c 300 good.tar.gz >truncated.tar.gz && echo 'not gzip' >garbage.tar.gz &&"
	       " tar -cf - -C r2 etc | gzip -n >noindex.tar.gz &&"
	       " openssl rsa -pubin -in keys/test@nbinit-1.rsa.pub -RSAPublicKey_out -out pkcs1.pem 2>/dev/null &&"
	       " printf 'C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\\nP:evil\\nV:1-r0\\n\\n' >forged.txt &&"
	       " A='%.*s/fixtures/abuild-sign.py'; K='keys/test@nbinit-1.rsa test@nbinit-1.rsa.pub' &&"
	       " $A --sig-entry APKINDEX=forged.txt $K unsigned.tar.gz smuggled.tar.gz &&"
	       " $A --after-end APKINDEX=forged.txt $K unsigned.tar.gz afterend.tar.gz &&"
	       " $A --sig-pax path=APKINDEX $K unsigned.tar.gz sigpax.tar.gz &&"
	       " $A --sig-gnu-name APKINDEX $K unsigned.tar.gz siggnu.tar.gz &&"
	       " $M index -o bomb.tar.gz --key keys/test@nbinit-1.rsa --pad-mib 512 motd.apk",
	       mkapk, (int)(strlen(mkapk) - strlen("/apk/mkapk")), mkapk);
	ok(n == 0, "fixtures made with tests/apk/mkapk in %s", dir);
	if (n)
		return done_testing();

	snprintf(p, sizeof(p), "%s/keys", dir);
	/* The private key in keys/ is not a public key: counted as bad. */
	n = apk_keys_load(&keys, p);
	ok(n == 1 && keys.bad == 1 && apk_keys_find(&keys, "test@nbinit-1.rsa.pub") &&
	   keys.k[0].pk.nlen == 256, "keys dir: one 2048-bit public key, the private key skipped (%d, bad %u)", n, keys.bad);
	{
		unsigned char *pem = slurp("pkcs1.pem", &len);
		struct apk_key k2;
		ok(pem && !apk_key_parse_pem(&k2, (char *)pem, len) && k2.pk.nlen == keys.k[0].pk.nlen &&
		   !memcmp(k2.n, keys.k[0].n, k2.pk.nlen), "BEGIN RSA PUBLIC KEY (PKCS#1) form decodes to the same key");
		free(pem);
	}
	snprintf(p, sizeof(p), "%s/nonexistent", dir);
	ok(apk_keys_load(&keys, p) == -ENOENT, "missing keys directory is -ENOENT");
	snprintf(p, sizeof(p), "%s/keys", dir);
	apk_keys_load(&keys, p);

	for (i = 0; i < sizeof(irows) / sizeof(irows[0]); i++) {
		const struct irow *r = &irows[i];
		unsigned char *buf = slurp(r->index, &len);
		int err = apk_index_unpack(buf, len, &keys, r->untrusted, &f);
		int good = err == r->err && f.sig == r->sig && strstr(f.why, r->why);

		if (good && (err == 0 || (r->untrusted && (err == -ENOKEY || err == -EKEYREJECTED))))
			good = f.text && strstr(f.text, "P:") && !strcmp(f.description, "nbinit test repository");
		else if (good)
			good = !f.text;
		ok_at(good, r->file, r->line, "index %s: %d, %s", r->index, err, f.why);
		free(f.text);
		free(buf);
	}

	{
		/* attack 6: the bomb is refused without the memory it asks for
		 * (measured in a child: its peak resident set) */
		unsigned char *buf = slurp("bomb.tar.gz", &len);
		struct rusage ru;
		int status = -1;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int err = apk_index_unpack(buf, len, &keys, true, &f);
			_exit(err == -EFBIG ? 0 : 1);
		}
		memset(&ru, 0, sizeof(ru));
		if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
			status = -1;
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && ru.ru_maxrss < 100 * 1024, "index bomb of %zu KiB: -EFBIG with a peak of %ld KiB resident (under 100 MiB)",
		   len >> 10, ru.ru_maxrss);
		free(buf);
	}
	{
		unsigned char *buf = slurp("good.tar.gz", &len);
		struct apk_db db;
		char why[256];

		apk_index_unpack(buf, len, &keys, false, &f);
		apk_db_init(&db, "x86_64");
		ok(apk_db_add_index(&db, f.text, f.text_len, 0, why, sizeof(why)) == 2 && !apk_db_index(&db),
		   "the signed index parses: two packages");
		for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
			const struct prow *r = &prows[i];
			const struct apk_name *nm = r->csum_of ? apk_db_name(&db, r->csum_of) : NULL;
			const char *want = nm ? db.pkgs[db.provs[nm->first].pkg].csum : NULL;
			struct apk_pkgcheck c;
			int fd = open_in(r->pkg), err;

			err = apk_pkg_check(fd, want, &c);
			ok_at(err == r->err && strstr(c.why, r->why) && (err || (c.pkginfo && strstr(c.pkginfo, "pkgname = ") &&
			      !strcmp(c.datahash, c.data_sha256) && c.data_offset > 0 &&
			      (strcmp(r->pkg, "scripts.apk") || c.nscripts == 2))),
			      r->file, r->line, "package %s against %s: %d %s", r->pkg, r->csum_of ? r->csum_of : "(none)",
			      err, c.why);
			apk_pkgcheck_free(&c);
			close(fd);
		}
		apk_db_free(&db);
		free(buf);
	}
	if (!getenv("NBINIT_KEEP"))
		sh_dir("cd / && rm -rf %s", dir);
	return done_testing();
}
