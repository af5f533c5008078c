/* .boot_repository search: depth limit, order, reported paths, and a
 * directory it cannot read (named, the rest still searched). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	/* names that would break /etc/apk/repositories are not searched */
	ROW("newline in a name", L("alpine/v3.20\nhttp:", "alpine/v3.20/main"),
	    L("/media/nfs/alpine/v3.20/main")),
	ROW("escape sequence in a name", L("alpine/\x1b[2Jx/main"), L(NULL)),
	ROW("carriage return at the top", L("r\r"), L(NULL)),
	ROW("space and # in names", L("a b/main", "c#d/main", "ok/main"), L("/media/nfs/ok/main")),
};

/* b/ cannot be read (mode 0, searched as nobody so root's override does
 * not apply): the search names it and still finds a/r and c/r. */
static void unreadable(void)
{
	char tmpl[] = "/tmp/nbrepo.XXXXXX", p[1024], eacces[16];
	char *root = mkdtemp(tmpl);
	int fds[2], status = 0;
	pid_t pid;

	if (!root || chmod(root, 0755) || sh("cd %s && mkdir -p a/r b/r c/r && touch a/r/.boot_repository "
	                                     "b/r/.boot_repository c/r/.boot_repository && chmod 0 b", root) ||
	    pipe(fds)) {
		ok(0, "unreadable directory: fixtures");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char found[8][BOOT_PATH], unread[BOOT_PATH], line[3 * BOOT_PATH];
		int n, err;

		close(fds[0]);
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(2);
		n = bootrepo_find(root, "/media/nfs", found, 8, unread, sizeof(unread), &err);
		snprintf(line, sizeof(line), "%d %d %s %s %s", n, err, unread, n > 0 ? found[0] : "-",
		         n > 1 ? found[1] : "-");
		if (write(fds[1], line, strlen(line)) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	memset(p, 0, sizeof(p));
	if (pid > 0 && read(fds[0], p, sizeof(p) - 1) < 0)
		p[0] = '\0';
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	snprintf(eacces, sizeof(eacces), " %d ", -EACCES);
	ok(!strncmp(p, "2 ", 2) && strstr(p, eacces) && strstr(p, " /media/nfs/b ") &&
	   strstr(p, "/media/nfs/a/r /media/nfs/c/r"),
	   "unreadable directory: named with EACCES, the others found (%s)", p);
	sh("chmod 755 %s/b; rm -rf %s", root, root);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char tmpl[] = "/tmp/nbrepo.XXXXXX", p[1024], cmd[64];
		char found[8][BOOT_PATH];
		char *root = mkdtemp(tmpl), unread[BOOT_PATH] = "x";
		int n, k, want = 0, good, err = 1;

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
		n = bootrepo_find(root, "/media/nfs", found, 8, unread, sizeof(unread), &err);
		good = n == want && !err && !unread[0];
		for (k = 0; good && k < n; k++)
			good = !strcmp(found[k], r->want[k]);
		ok_at(good, r->file, r->line, "%s: found %d (want %d)%s%s", r->what, n, want,
		      n ? ", first " : "", n ? found[0] : "");
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			diag("cannot remove %s", root);
	}
	unreadable();
	return done_testing();
}
