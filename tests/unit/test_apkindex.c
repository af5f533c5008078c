/* lib/apkindex.c: APKINDEX text into the package table, names and
 * providers; malformed entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk.h"
#include "tap.h"

static char *dup_text(const char *s)
{
	char *t = malloc(strlen(s) + 1);

	strcpy(t, s);
	return t;
}

static const char good[] =
	"C:Q1p0n9oq0mf7bYg8Y2hqxs3HpP0dA=\n"
	"P:musl\n"
	"V:1.2.4-r2\n"
	"A:x86_64\n"
	"S:383152\n"
	"I:622592\n"
	"T:the musl c library\n"
	"U:https://musl.libc.org/\n"
	"L:MIT\n"
	"o:musl\n"
	"m:Someone <a@b.c>\n"
	"t:1700000000\n"
	"c:0123abcd\n"
	"p:so:libc.musl-x86_64.so.1=1\n"
	"\n"
	"C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	"P:busybox\n"
	"V:1.36.1-r5\n"
	"A:x86_64\n"
	"S:500000\n"
	"I:900000\n"
	"D:so:libc.musl-x86_64.so.1 !busybox-extras<1\n"
	"p:cmd:busybox=1.36.1-r5 /bin/sh\n"
	"k:100\n"
	"\n"
	"P:docs\n"
	"V:1\n"
	"A:noarch\n"
	"\n"
	"P:busybox-doc\n"
	"V:1.36.1-r5\n"
	"A:aarch64\n"
	"i:busybox=1.36.1-r5 docs\n"
	"\n"
	"P:busybox-doc\n"
	"V:1.36.1-r5\n"
	"A:x86_64\n"
	"i:busybox=1.36.1-r5 docs\n";    /* no trailing blank line: still an entry */

struct bad {
	const char *file; int line;
	const char *text;
	const char *why;
};
#define B(t, w) { __FILE__, __LINE__, t, w }

static const struct bad bads[] = {
	B("P:x\n\n", "has no V:"),
	B("V:1\n\n", "has no P:"),
	B("P:x\nV:1.0bc\n\n", "not an apk version"),
	B("P:x\nV:1\nfoo\n\n", "line 3: expected 'X:value'"),
	B("P:x\nV:1\nD:a>=\n\n", "line 3: bad dependency 'a>='"),
};

int main(void)
{
	struct apk_db db;
	const struct apk_name *n;
	char why[256];
	long r;
	size_t i;

	apk_db_init(&db, "x86_64");
	r = apk_db_add_index(&db, dup_text(good), strlen(good), 0, why, sizeof(why));
	ok(r == 4, "four packages for x86_64 (got %ld: %s)", r, r < 0 ? why : "");
	ok(db.skipped_arch == 1, "the aarch64 entry is skipped (%lld)", db.skipped_arch);
	ok(!apk_db_index(&db), "name table built");
	ok(db.npkgs == 4 && !strcmp(db.pkgs[0].name, "musl") && !strcmp(db.pkgs[0].version, "1.2.4-r2") &&
	   !strcmp(db.pkgs[0].csum, "Q1p0n9oq0mf7bYg8Y2hqxs3HpP0dA=") && db.pkgs[0].size == 383152 &&
	   db.pkgs[0].installed_size == 622592 && db.pkgs[0].build_time == 1700000000 &&
	   !strcmp(db.pkgs[0].license, "MIT") && !strcmp(db.pkgs[0].desc, "the musl c library") &&
	   db.pkgs[0].provider_priority == -1, "musl's fields");
	ok(db.pkgs[1].ndeps == 2 && !strcmp(db.deps[db.pkgs[1].deps].name, "so:libc.musl-x86_64.so.1") &&
	   db.deps[db.pkgs[1].deps + 1].conflict && db.deps[db.pkgs[1].deps + 1].op == APK_LESS,
	   "busybox's dependencies");
	ok(db.pkgs[1].nprovs == 2 && db.pkgs[1].provider_priority == 100 &&
	   !strcmp(db.deps[db.pkgs[1].provs].version, "1.36.1-r5") && !db.deps[db.pkgs[1].provs + 1].version,
	   "busybox's provides and provider_priority");
	ok(db.pkgs[3].niifs == 2 && !strcmp(db.pkgs[3].arch, "x86_64") && !strcmp(db.deps[db.pkgs[3].iifs + 1].name, "docs"),
	   "the x86_64 busybox-doc and its install_if (the aarch64 one left no dependencies)");
	n = apk_db_name(&db, "so:libc.musl-x86_64.so.1");
	ok(n && n->n == 1 && db.provs[n->first].pkg == 0 && db.provs[n->first].prov >= 0, "so: name is provided by musl");
	n = apk_db_name(&db, "/bin/sh");
	ok(n && n->n == 1 && db.provs[n->first].pkg == 1, "/bin/sh is provided by busybox");
	n = apk_db_name(&db, "busybox");
	ok(n && n->n == 1 && db.provs[n->first].prov == -1, "busybox is its own name");
	ok(!apk_db_name(&db, "nonexistent"), "unknown names are not found");

	/* A second repository adds to the same table. */
	r = apk_db_add_index(&db, dup_text("P:musl\nV:1.2.5-r0\nA:x86_64\n\n"), 28, 1, why, sizeof(why));
	ok(r == 1 && !apk_db_index(&db), "second repository (got %ld)", r);
	n = apk_db_name(&db, "musl");
	ok(n && n->n == 2 && db.pkgs[db.provs[n->first + 1].pkg].repo == 1, "musl in two repositories");
	apk_db_free(&db);

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		apk_db_init(&db, "x86_64");
		why[0] = '\0';
		r = apk_db_add_index(&db, dup_text(b->text), strlen(b->text), 0, why, sizeof(why));
		ok_at(r == -EBADMSG && strstr(why, b->why), b->file, b->line, "malformed: %s (got %ld: %s)", b->why, r, why);
		apk_db_free(&db);
	}
	return done_testing();
}
