/* .boot_repository search: depth limit, order, reported paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

struct row {
	const char *file; int line;
	const char *what;
	const char *markers[4];   /* directories (relative) that get a .boot_repository */
	const char *want[4];      /* expected results, in order */
};

#define ROW(what, m, w) { __FILE__, __LINE__, what, m, w }
#define L(...) { __VA_ARGS__ }

static const struct row rows[] = {
	ROW("none", L(NULL), L(NULL)),
	ROW("at the top", L("."), L("/media/nfs")),
	ROW("seed layout: dir holding arch subdirs",
	    L("alpine/v3.20/main"), L("/media/nfs/alpine/v3.20/main")),
	ROW("two repositories sorted",
	    L("alpine/v3.20/main", "alpine/v3.20/community"),
	    L("/media/nfs/alpine/v3.20/community", "/media/nfs/alpine/v3.20/main")),
	ROW("four levels down is too deep", L("a/b/c/d"), L(NULL)),
	ROW("three levels down is found", L("a/b/c"), L("/media/nfs/a/b/c")),
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char tmpl[] = "/tmp/nbrepo.XXXXXX", p[1024], cmd[64];
		char found[8][BOOT_PATH];
		char *root = mkdtemp(tmpl);
		int n, k, want = 0, good;

		for (k = 0; k < 4 && r->markers[k]; k++) {
			snprintf(p, sizeof(p), "%s/%s", root, r->markers[k]);
			mkdir_p(p, 0755);
			snprintf(p, sizeof(p), "%s/%s/x86_64", root, r->markers[k]);
			mkdir_p(p, 0755);
			snprintf(p, sizeof(p), "%s/%s/.boot_repository", root, r->markers[k]);
			file_write(p, "", 0, 0644);
		}
		while (want < 4 && r->want[want])
			want++;
		n = bootrepo_find(root, "/media/nfs", found, 8);
		good = n == want;
		for (k = 0; good && k < n; k++)
			good = !strcmp(found[k], r->want[k]);
		ok_at(good, r->file, r->line, "%s: found %d (want %d)%s%s", r->what, n, want,
		      n ? ", first " : "", n ? found[0] : "");
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			diag("cannot remove %s", root);
	}
	return done_testing();
}
