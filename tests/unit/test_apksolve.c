/* lib/apksolve.c: table-driven resolver cases over small APKINDEX texts:
 * versions, repositories, provides (so:, cmd:, virtual names with and
 * without provider_priority), install_if, conflicts, cycles, and the error
 * lines for what cannot be resolved. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk.h"
#include "tap.h"

/* Repository 0 and 1 of every case. */
static const char repo0[] =
	"P:musl\nV:1.2.4-r2\nA:x86_64\np:so:libc.musl-x86_64.so.1=1\n\n"
	"P:busybox\nV:1.36.1-r5\nA:x86_64\nD:so:libc.musl-x86_64.so.1\np:cmd:busybox=1.36.1-r5 cmd:sh=1.36.1-r5\n\n"
	"P:alpine-baselayout\nV:3.4.3-r1\nA:x86_64\nD:busybox\n\n"
	"P:alpine-base\nV:3.19.0-r0\nA:noarch\nD:alpine-baselayout busybox openrc\n\n"
	"P:openrc\nV:0.52-r0\nA:x86_64\nD:so:libc.musl-x86_64.so.1 cmd:sh\n\n"
	"P:c\nV:1.0-r0\nA:x86_64\n\n"
	"P:c\nV:2.0-r0\nA:x86_64\n\n"
	"P:c\nV:1.6.3-r0\nA:x86_64\n\n"
	"P:needs-c2\nV:1\nA:x86_64\nD:c>=2\n\n"
	"P:needs-c1\nV:1\nA:x86_64\nD:c<2\n\n"
	"P:needs-c16\nV:1\nA:x86_64\nD:c~1.6\n\n"
	"P:needs-missing\nV:1.0-r0\nA:x86_64\nD:libzz>=2\n\n"
	"P:libzz\nV:1.0-r0\nA:x86_64\n\n"
	"P:top\nV:1\nA:x86_64\nD:needs-missing\n\n"
	"P:mta-a\nV:1\nA:x86_64\np:mta\n\n"
	"P:mta-b\nV:1\nA:x86_64\np:mta\n\n"
	"P:needs-mta\nV:1\nA:x86_64\nD:mta\n\n"
	"P:sh-a\nV:1\nA:x86_64\np:shell\nk:10\n\n"
	"P:sh-b\nV:1\nA:x86_64\np:shell\nk:20\n\n"
	"P:needs-shell\nV:1\nA:x86_64\nD:shell\n\n"
	"P:real\nV:1\nA:x86_64\n\n"
	"P:fake-real\nV:9\nA:x86_64\np:real=9\n\n"
	"P:docs\nV:1\nA:noarch\n\n"
	"P:busybox-doc\nV:1.36.1-r5\nA:x86_64\ni:busybox=1.36.1-r5 docs\n\n"
	"P:busybox-doc-old\nV:1\nA:x86_64\ni:busybox=1.0 docs\n\n"
	"P:hates-c\nV:1\nA:x86_64\nD:!c\n\n"
	"P:cyc-a\nV:1\nA:x86_64\nD:cyc-b\n\n"
	"P:cyc-b\nV:1\nA:x86_64\nD:cyc-a musl\n\n"
	"P:dup\nV:1.0\nA:x86_64\n\n"
	"P:arm-only\nV:1\nA:aarch64\n\n";
static const char repo1[] =
	"P:dup\nV:1.0\nA:x86_64\nT:second repository\n\n"
	"P:dup\nV:0.9\nA:x86_64\n\n"
	"P:newer\nV:2\nA:x86_64\nT:second\n\n";
static const char repo0b[] =
	"P:newer\nV:1\nA:x86_64\n\n";

struct row {
	const char *file; int line;
	const char *world[6];      /* "FROM:dep" */
	long want;                 /* count, or a negative errno */
	const char *order;         /* expected install order "a b c", or error substring */
};
#define R(w, n, o) { __FILE__, __LINE__, w, n, o }
#define W(...) { __VA_ARGS__, NULL }

static const struct row rows[] = {
	R(W("nbinit:alpine-base"), 5, "musl busybox alpine-baselayout openrc alpine-base"),
	R(W("pkgs=:busybox", "/etc/apk/world:musl"), 2, "musl busybox"),
	R(W("pkgs=:c"), 1, "c-2.0-r0"),
	R(W("pkgs=:needs-c2"), 2, "c-2.0-r0 needs-c2"),
	R(W("pkgs=:needs-c1"), 2, "c-1.6.3-r0 needs-c1"),
	R(W("pkgs=:needs-c16"), 2, "c-1.6.3-r0 needs-c16"),
	R(W("pkgs=:c=1.0-r0"), 1, "c-1.0-r0"),
	R(W("pkgs=:c<1.6"), 1, "c-1.0-r0"),
	R(W("pkgs=:c>2.0-r0"), -ENOENT, "c>2.0-r0: required by pkgs=, but only c-1.0-r0, c-2.0-r0, c-1.6.3-r0 are in the repositories"),
	R(W("/etc/apk/world:needs-missing"), -ENOENT,
	  "libzz>=2: required by needs-missing-1.0-r0, which comes from /etc/apk/world, but only libzz-1.0-r0 is in"),
	R(W("pkgs=:top"), -ENOENT, "libzz>=2: required by needs-missing-1.0-r0, pulled in by top-1, which comes from pkgs="),
	R(W("pkgs=:nonesuch"), -ENOENT, "nonesuch: required by pkgs=, but no package of that name or providing it"),
	R(W("pkgs=:arm-only"), -ENOENT, "arm-only: required by pkgs=, but no package"),
	R(W("pkgs=:cmd:busybox"), 2, "musl busybox"),
	R(W("pkgs=:so:libc.musl-x86_64.so.1"), 1, "musl"),
	R(W("pkgs=:needs-mta"), -ENOENT, "mta: required by needs-mta-1, which comes from pkgs=, but only provided by mta-a, mta-b"),
	R(W("pkgs=:mta-b", "pkgs=:needs-mta"), 2, "mta-b needs-mta"),
	R(W("pkgs=:needs-shell"), 2, "sh-b needs-shell"),
	R(W("pkgs=:sh-a", "pkgs=:needs-shell"), 2, "sh-a needs-shell"),
	R(W("pkgs=:real"), 1, "real-1"),
	R(W("pkgs=:real>=2"), 1, "fake-real-9"),
	R(W("pkgs=:busybox", "pkgs=:docs"), 4, "musl busybox docs busybox-doc-1.36.1-r5"),
	R(W("pkgs=:busybox"), 2, "musl busybox"),
	R(W("pkgs=:c", "pkgs=:hates-c"), -EDEADLK, "hates-c: required by pkgs=, but it conflicts with c-2.0-r0, which is already chosen"),
	R(W("pkgs=:hates-c", "pkgs=:needs-c2"), -EDEADLK, "c>=2: required by needs-c2-1, which comes from pkgs=, but it conflicts with hates-c-1"),
	R(W("pkgs=:hates-c", "pkgs=:c"), -EDEADLK, "c: required by pkgs=, but it conflicts with hates-c-1"),
	R(W("pkgs=:busybox", "/etc/apk/world:!busybox"), -EDEADLK, "busybox: required by pkgs=, but /etc/apk/world forbids it (!busybox)"),
	R(W("pkgs=:alpine-base", "pkgs=:!openrc"), -EDEADLK, "openrc: required by alpine-base-3.19.0-r0, which comes from pkgs=, but pkgs= forbids it"),
	R(W("pkgs=:cyc-a"), 3, "musl cyc-b cyc-a"),
	R(W("pkgs=:dup"), 1, "dup-1.0@0"),
	R(W("pkgs=:newer"), 1, "newer-2@1"),
	R(W("pkgs=:c", "pkgs=:c=1.0-r0"), -EDEADLK, "c=1.0-r0: required by pkgs=, but it conflicts with c-2.0-r0"),
};

static char *dup(const char *s)
{
	char *t = malloc(strlen(s) + 1);

	return strcpy(t, s);
}

/* "name" or "name-version" or "name-version@repo" per expected word. */
static int word_ok(const struct apk_db *db, int i, const char *w, size_t wl)
{
	char nv[256], full[300];

	snprintf(nv, sizeof(nv), "%s-%s", db->pkgs[i].name, db->pkgs[i].version);
	snprintf(full, sizeof(full), "%s@%d", nv, db->pkgs[i].repo);
	return (strlen(db->pkgs[i].name) == wl && !strncmp(db->pkgs[i].name, w, wl)) ||
	       (strlen(nv) == wl && !strncmp(nv, w, wl)) || (strlen(full) == wl && !strncmp(full, w, wl));
}

int main(void)
{
	struct apk_db db;
	char why[512];
	size_t i;

	apk_db_init(&db, "x86_64");
	if (apk_db_add_index(&db, dup(repo0), strlen(repo0), 0, why, sizeof(why)) < 0 ||
	    apk_db_add_index(&db, dup(repo0b), strlen(repo0b), 0, why, sizeof(why)) < 0 ||
	    apk_db_add_index(&db, dup(repo1), strlen(repo1), 1, why, sizeof(why)) < 0 || apk_db_index(&db)) {
		ok(0, "indexes parse: %s", why);
		return done_testing();
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct apk_want want[6];
		char words[6][128], got[1024] = "";
		int order[64];
		size_t n = 0, k;
		long res;
		int good;

		for (; n < 6 && r->world[n]; n++) {
			char *colon;
			snprintf(words[n], sizeof(words[n]), "%s", r->world[n]);
			colon = strchr(words[n][0] == '/' ? strstr(words[n], "world") : words[n], ':');
			*colon = '\0';
			want[n].from = words[n];
			apk_dep_parse(colon + 1, &want[n].dep);
		}
		res = apk_solve(&db, want, n, order, why, sizeof(why));
		if (res < 0) {
			good = res == r->want && strstr(why, r->order);
			snprintf(got, sizeof(got), "%s", why);
		} else {
			const char *w = r->order;
			good = res == r->want;
			for (k = 0; k < (size_t)res; k++) {
				size_t wl;
				char b[200];
				while (*w == ' ')
					w++;
				wl = strcspn(w, " ");
				good = good && wl && word_ok(&db, order[k], w, wl);
				w += wl;
				snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s@%d", k ? " " : "",
				         apk_pkg_str(&db, order[k], b, sizeof(b)), db.pkgs[order[k]].repo);
			}
		}
		ok_at(good, r->file, r->line, "%s%s -> %ld: %s", r->world[0], r->world[1] ? " ..." : "", res, got);
	}
	apk_db_free(&db);
	return done_testing();
}
