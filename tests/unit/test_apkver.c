/* lib/apkver.c: apk version comparison and dependency words. */
#include <errno.h>
#include <string.h>

#include "apk.h"
#include "tap.h"

struct vrow {
	const char *file; int line;
	const char *a, *op, *b;
};
#define V(a, op, b) { __FILE__, __LINE__, a, op, b }

/* Pairs chosen to cover each rule; the expected results follow apk's
 * documented ordering (docs/apk-formats.md). */
static const struct vrow vrows[] = {
	V("1.0", "=", "1.0"),
	V("1.0", "<", "1.0.1"),
	V("1.0.1", "<", "1.1"),
	V("1.2.1", ">", "1.2"),
	V("2.34", ">", "0.1.0_alpha"),
	V("10", ">", "9"),
	V("1.10", ">", "1.9"),
	V("2.2.39-r1", ">", "1.0.4-r3"),
	V("1.0.4-r3", "<", "1.0.4-r4"),
	V("1.0.4-r10", ">", "1.0.4-r9"),
	V("1.2.2-r1", ">", "1.2.2"),
	V("1.2.2", "<", "1.2.2-r1"),
	/* letters */
	V("1.0", "<", "1.0a"),
	V("1.0a", "<", "1.0b"),
	V("2.3.0b-r1", "<", "2.3.0b-r2"),
	V("1.0a", "<", "1.0.1"),
	V("1.7", "<", "1.7b"),
	/* pre-release suffixes below the release, post-release above */
	V("1.1_alpha1", "<", "1.1"),
	V("1.1_alpha", "<", "1.1_beta"),
	V("1.1_beta", "<", "1.1_pre"),
	V("1.1_pre", "<", "1.1_rc"),
	V("1.1_rc9", "<", "1.1"),
	V("1.1", "<", "1.1_cvs"),
	V("1.1_cvs", "<", "1.1_svn"),
	V("1.1_svn", "<", "1.1_git"),
	V("1.1_git", "<", "1.1_hg"),
	V("1.1_hg", "<", "1.1_p"),
	V("3.1_p16", "<", "3.1_p17"),
	V("1.0_p9-r0", "<", "1.0_p10-r0"),
	V("0.1.0_alpha2", ">", "0.1.0_alpha"),
	V("0.1.0_alpha_pre2", "<", "0.1.0_alpha"),
	V("1.3_pre1-r1", "<", "1.3.2"),
	V("1.0-r1", "<", "1.0_p1"),
	V("1.0_rc1-r5", "<", "1.0-r0"),
	V("2.9.11_pre20051101-r3", ">", "2.9.11_pre20051101"),
	V("1.0.0_pre20191002222144-r0", "<", "1.0.0_pre20210530193627-r0"),
	/* leading zeros after a dot compare as decimal fractions */
	V("1.02", "<", "1.1"),
	V("1.05", "<", "1.5"),
	V("1.01", "<", "1.010"),
	V("4.01", "<", "4.20"),
	V("1.2.07.8", "<", "1.2.12.04"),
	V("1.39", ">", "1.00_beta2"),
	V("0.0.16", "<", "0.6"),
	/* the first number is always a number */
	V("006", ">", "1.0.0"),
	V("1.06-r6", "<", "006"),
	V("20050718-r1", ">", "2.59"),
	/* ~hash */
	V("1.0~abc123", ">", "1.0"),
	V("1.0~abc-r1", ">", "1.0~abc"),
	/* not versions: as far as the tokens go */
	V("1.0", "<", "1.0bc"),
};

struct drow {
	const char *file; int line;
	const char *word;
	int err;
	const char *name, *version, *tag;
	unsigned op;
	int conflict;
	const char *back;          /* apk_dep_str of the result */
};
#define D(w, err, n, v, t, op, c, back) { __FILE__, __LINE__, w, err, n, v, t, op, c, back }

static const struct drow drows[] = {
	D("musl", 0, "musl", NULL, NULL, 0, 0, "musl"),
	D("musl>=1.2.3", 0, "musl", "1.2.3", NULL, APK_GREATER | APK_EQUAL, 0, "musl>=1.2.3"),
	D("musl<=1.2", 0, "musl", "1.2", NULL, APK_LESS | APK_EQUAL, 0, "musl<=1.2"),
	D("musl<1.2", 0, "musl", "1.2", NULL, APK_LESS, 0, "musl<1.2"),
	D("musl>1.2", 0, "musl", "1.2", NULL, APK_GREATER, 0, "musl>1.2"),
	D("musl=1.2.4-r0", 0, "musl", "1.2.4-r0", NULL, APK_EQUAL, 0, "musl=1.2.4-r0"),
	D("busybox~1.36", 0, "busybox", "1.36", NULL, APK_FUZZY, 0, "busybox~1.36"),
	D("busybox~=1.36", 0, "busybox", "1.36", NULL, APK_FUZZY, 0, "busybox~1.36"),
	D("!busybox-suid", 0, "busybox-suid", NULL, NULL, 0, 1, "!busybox-suid"),
	D("!foo<2", 0, "foo", "2", NULL, APK_LESS, 1, "!foo<2"),
	D("so:libc.musl-x86_64.so.1", 0, "so:libc.musl-x86_64.so.1", NULL, NULL, 0, 0, "so:libc.musl-x86_64.so.1"),
	D("cmd:busybox=1.36.1-r0", 0, "cmd:busybox", "1.36.1-r0", NULL, APK_EQUAL, 0, "cmd:busybox=1.36.1-r0"),
	D("pc:zlib>=1.2", 0, "pc:zlib", "1.2", NULL, APK_GREATER | APK_EQUAL, 0, "pc:zlib>=1.2"),
	D("busybox@edge", 0, "busybox", NULL, "edge", 0, 0, "busybox@edge"),
	D("busybox@edge>=1.36", 0, "busybox", "1.36", "edge", APK_GREATER | APK_EQUAL, 0, "busybox@edge>=1.36"),
	D("foo><Q1abc=", 0, "foo", "Q1abc=", NULL, APK_CSUM, 0, "foo><Q1abc="),
	D("foo>=", -EINVAL, NULL, NULL, NULL, 0, 0, NULL),
	D(">=1.0", -EINVAL, NULL, NULL, NULL, 0, 0, NULL),
	D("!", -EINVAL, NULL, NULL, NULL, 0, 0, NULL),
	D("foo<>1", -EINVAL, NULL, NULL, NULL, 0, 0, NULL),
	D("foo@", -EINVAL, NULL, NULL, NULL, 0, 0, NULL),
};

struct arow {
	const char *file; int line;
	const char *dep, *version;
	int want;
};
#define A(d, v, w) { __FILE__, __LINE__, d, v, w }

static const struct arow arows[] = {
	A("foo", "1.0", 1),
	A("foo", NULL, 1),              /* an unversioned provide satisfies a plain name */
	A("foo>=1", NULL, 0),           /* ... but no version constraint */
	A("foo>=1.2", "1.2", 1),
	A("foo>=1.2", "1.1.9", 0),
	A("foo>1.2", "1.2", 0),
	A("foo>1.2", "1.2-r1", 1),
	A("foo<1.2", "1.2_rc1", 1),
	A("foo<=1.2", "1.2", 1),
	A("foo=1.2", "1.2-r0", 0),
	A("foo=1.2-r0", "1.2-r0", 1),
	A("foo~1.6", "1.6.2-r0", 1),
	A("foo~1.6", "1.6", 1),
	A("foo~1.6", "1.7", 0),
	A("foo~1.6", "1.60", 0),
	A("foo~1.6.2", "1.6.10", 0),
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(vrows) / sizeof(vrows[0]); i++) {
		const struct vrow *r = &vrows[i];
		unsigned want = r->op[0] == '<' ? APK_LESS : r->op[0] == '>' ? APK_GREATER : APK_EQUAL;
		unsigned back = want == APK_LESS ? APK_GREATER : want == APK_GREATER ? APK_LESS : APK_EQUAL;
		unsigned got = apk_version_cmp(r->a, r->b), rev = apk_version_cmp(r->b, r->a);

		ok_at(got == want && rev == back, r->file, r->line, "version %s %s %s (got %u, reversed %u)",
		      r->a, r->op, r->b, got, rev);
	}
	ok(apk_version_valid("1.2.3_rc1_p2~beef-r10"), "1.2.3_rc1_p2~beef-r10 is a version");
	ok(apk_version_valid("006"), "006 is a version");
	ok(!apk_version_valid("1.0bc"), "1.0bc is not a version");
	ok(!apk_version_valid("1.0_foo"), "1.0_foo is not a version");
	ok(!apk_version_valid("r1"), "r1 is not a version");
	ok(!apk_version_valid(""), "the empty string is not a version");
	ok(!apk_version_valid("1.0-r"), "1.0-r is not a version");
	ok(!apk_version_valid("1..0"), "1..0 is not a version");

	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		const struct drow *r = &drows[i];
		char w[128], back[128];
		struct apk_dep d;
		int err, good;

		snprintf(w, sizeof(w), "%s", r->word);
		err = apk_dep_parse(w, &d);
		good = err == r->err;
		if (good && !err)
			good = !strcmp(d.name, r->name) && (r->version ? d.version && !strcmp(d.version, r->version) : !d.version) &&
			       (r->tag ? d.tag && !strcmp(d.tag, r->tag) : !d.tag) && d.op == r->op &&
			       d.conflict == r->conflict && !strcmp(apk_dep_str(&d, back, sizeof(back)), r->back);
		ok_at(good, r->file, r->line, "dependency '%s' (err %d)", r->word, err);
	}

	for (i = 0; i < sizeof(arows) / sizeof(arows[0]); i++) {
		const struct arow *r = &arows[i];
		char w[128];
		struct apk_dep d;

		snprintf(w, sizeof(w), "%s", r->dep);
		apk_dep_parse(w, &d);
		ok_at(apk_dep_accepts(&d, r->version, NULL) == r->want, r->file, r->line, "%s %s %s", r->dep,
		      r->want ? "accepts" : "refuses", r->version ? r->version : "(unversioned)");
	}
	return done_testing();
}
