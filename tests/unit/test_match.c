/* wild_match against a table and against glibc's fnmatch(flags 0) on random
 * patterns; wild_dirs on a temporary tree. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "match.h"
#include "tap.h"

struct row {
	const char *file;
	int line;
	const char *pattern, *s;
	bool want;
};

#define M(p, s, w) { __FILE__, __LINE__, p, s, w }

static const struct row rows[] = {
	M("", "", true), M("", "a", false), M("a", "", false), M("*", "", true),
	M("abc", "abc", true), M("abc", "abd", false), M("ab", "abc", false),
	M("a*", "a", true), M("a*", "abc", true), M("*c", "abc", true), M("*c", "abd", false),
	M("a*b*c", "aXbYbZc", true), M("a*b*c", "aXbYbZ", false), M("**a", "a", true),
	M("?", "a", true), M("?", "", false), M("a?c", "abc", true), M("a?c", "ac", false),
	M("[abc]", "b", true), M("[abc]", "d", false), M("[a-c]x", "bx", true),
	M("[!a-c]", "d", true), M("[!a-c]", "b", false), M("[^a]", "b", true),
	M("[]]", "]", true), M("[!]]", "]", false), M("[a-]", "-", true),
	M("[", "[", true), M("a[", "a[", true), M("a[b", "ab", false),
	M("\\*", "*", true), M("\\*", "a", false), M("a\\?", "a?", true),
	M("[\\]]", "]", true),
	M("a/*", "a/b/c", true),            /* no FNM_PATHNAME */
	M("*", ".hidden", true),            /* no FNM_PERIOD */
	/* modules.alias patterns, names normalised ('-' -> '_') by kmod */
	M("pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", true),
	M("pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Fsv00001AF4sd00001100bc02sc00i00", false),
	M("virtio:d00000001v*", "virtio:d00000001v00001AF4", true),
	M("acpi*:PNP0A0[38]:*", "acpi:PNP0A08:", true),
	M("acpi*:PNP0A0[38]:*", "acpi:PNP0A09:", false),
	M("usb:v*p*d*dc*dsc*dp*ic09isc*ip*in*", "usb:v1D6Bp0002d0601dc09dsc00dp01ic09isc00ip00in00", true),
};

/* Random patterns over a small alphabet so that stars, classes and escapes
 * meet; glibc's fnmatch is the reference. */
static void differential(void)
{
	static const char pa[] = "ab*?[]!-\\", sa[] = "ab-[]!\\*";
	unsigned seed = 12345;
	int i, bad = 0;

	for (i = 0; i < 200000; i++) {
		char p[12], s[10];
		int pl = (int)(rand_r(&seed) % 10), sl = (int)(rand_r(&seed) % 9), k;
		bool mine, ref;

		for (k = 0; k < pl; k++)
			p[k] = pa[rand_r(&seed) % (sizeof(pa) - 1)];
		p[pl] = '\0';
		for (k = 0; k < sl; k++)
			s[k] = sa[rand_r(&seed) % (sizeof(sa) - 1)];
		s[sl] = '\0';
		if (pl && p[pl - 1] == '\\')
			continue;   /* a trailing backslash: unspecified */
		if (strchr(p, '[') && strchr(strchr(p, '['), '\\') && !strchr(strchr(p, '['), ']'))
			continue;   /* glibc refuses "[\b" where POSIX reads a literal '[' */
#ifndef __GLIBC__
		if (strchr(p, '['))
			continue;   /* musl reads '\\' and ranges ending in '-' or '?' in
			               brackets unlike glibc, the reference ("*[!-\\]") */
#endif
		mine = wild_match(p, s);
		ref = fnmatch(p, s, 0) == 0;
		if (mine != ref && bad++ < 5)
			diag("differs from fnmatch: pattern '%s' string '%s': %d, fnmatch %d", p, s, mine, ref);
	}
	ok(bad == 0, "200000 random patterns agree with fnmatch(flags 0): %d differ", bad);
}

static int collect(void *ctx, const char *path)
{
	char *out = ctx;
	size_t len = strlen(out);

	snprintf(out + len, 1024 - len, "%s%s", len ? " " : "", path);
	return 0;
}

static int stop_first(void *ctx, const char *path)
{
	return 7;
}

static void dirs(void)
{
	char tmp[] = "/tmp/test_match.XXXXXX", pat[256], got[1024], want[1024], cmd[512];
	int rc;

	if (!mkdtemp(tmp)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir -p usr/share/fonts/b usr/share/fonts/a usr/share/fonts/.h "
		 "usr/lib/gdk/2.10/loaders usr/lib/gdk/3.0/loaders usr/lib/gdk/4.0 && touch usr/share/fonts/file "
		 "usr/lib/gdk/4.0/loaders", tmp);
	if (system(cmd) != 0) {
		ok(0, "%s", cmd);
		return;
	}
	got[0] = '\0';
	snprintf(pat, sizeof(pat), "%s/usr/share/fonts/*", tmp);
	rc = wild_dirs(pat, collect, got);
	snprintf(want, sizeof(want), "%s/usr/share/fonts/a %s/usr/share/fonts/b", tmp, tmp);
	ok(rc == 0 && !strcmp(got, want), "fonts/*: directories only, sorted, no dot names: [%s]", got);

	got[0] = '\0';
	snprintf(pat, sizeof(pat), "%s/usr/lib/gdk/*/loaders", tmp);
	rc = wild_dirs(pat, collect, got);
	snprintf(want, sizeof(want), "%s/usr/lib/gdk/2.10/loaders %s/usr/lib/gdk/3.0/loaders", tmp, tmp);
	ok(rc == 0 && !strcmp(got, want), "gdk/*/loaders (a file named loaders is not a match): [%s]", got);

	got[0] = '\0';
	snprintf(pat, sizeof(pat), "%s//usr/share/fonts/", tmp);
	rc = wild_dirs(pat, collect, got);
	snprintf(want, sizeof(want), "%s/usr/share/fonts", tmp);
	ok(rc == 0 && !strcmp(got, want), "no wildcard: the directory itself: [%s]", got);

	got[0] = '\0';
	snprintf(pat, sizeof(pat), "%s/usr/none/*", tmp);
	rc = wild_dirs(pat, collect, got);
	ok(rc == 0 && !got[0], "nothing matches: 0, no call: %d [%s]", rc, got);

	snprintf(pat, sizeof(pat), "%s/usr/share/fonts/[ab]", tmp);
	rc = wild_dirs(pat, stop_first, NULL);
	ok(rc == 7, "the callback's nonzero value stops the walk: %d", rc);

	ok(wild_dirs("relative/*", collect, got) == 0, "a relative pattern matches nothing");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	(void)!system(cmd);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		bool got = wild_match(r->pattern, r->s);

		ok_at(got == r->want, r->file, r->line, "'%s' on '%s': %d", r->pattern, r->s, got);
	}
	differential();
	dirs();
	{
		static const struct { const char *a, *b; int d; } dist[] = {
			{ "", "", 0 }, { "apkovl", "apkovl", 0 }, { "apkvol", "apkovl", 1 }, { "BOOTIF", "bootif", 0 },
			{ "nbinit.linkwait", "nbinit.link_wait", 1 }, { "alpine_repos", "alpine_repo", 1 },
			{ "kitten", "sitting", 3 }, { "", "abc", 3 }, { "ovl_dev", "ovldev", 1 }, { "ab", "ba", 1 },
		};
		size_t k;

		for (k = 0; k < sizeof(dist) / sizeof(dist[0]); k++)
			ok(str_distance(dist[k].a, dist[k].b) == dist[k].d && str_distance(dist[k].b, dist[k].a) == dist[k].d,
			   "str_distance(%s, %s) = %d (%d)", dist[k].a, dist[k].b, dist[k].d, str_distance(dist[k].a, dist[k].b));
	}
	return done_testing();
}
