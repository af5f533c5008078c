/* repos_choose on fixture roots: the overlay's /etc/apk/repositories, else
 * alpine_repo=, else the boot repositories, each line as apk takes it;
 * chosen once; and what the newroot phase then writes into
 * /etc/apk/repositories is that same list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

static char top[64], initrd[128], nr[160];

struct row {
	const char *file; int line;
	const char *what;
	const char *setup;          /* shell in the new root ($OUT: a directory next to the initrd), or "" */
	const char *cmdline;
	int boot_repos;             /* b.repos: how many of /media/nfs/r0, r1, ... */
	int err;
	enum repos_from from;
	const char *want;           /* the list, one per line */
	const char *written;        /* /etc/apk/repositories after newroot_prepare; "(kept)": the
	                             * overlay's stays; "(refused)": a link in the way stops it */
};
#define ROW(w, s, c, br, e, f, x, wr) { __FILE__, __LINE__, w, s, c, br, e, f, x, wr }
#define OVL "mkdir -p etc/apk && printf "

static const struct row rows[] = {
	ROW("nothing anywhere", "", "", 0, 0, REPOS_NONE, "", NULL),
	ROW("the boot repositories", "", "", 2, 0, REPOS_MEDIA, "/media/nfs/r0\n/media/nfs/r1\n",
	    "/media/nfs/r0\n/media/nfs/r1\n"),
	ROW("alpine_repo= over the boot repositories, trailing slashes dropped", "",
	    "alpine_repo=http://10.0.2.2/alpine/v3.20/main/,https://x/community", 2, 0, REPOS_CMDLINE,
	    "http://10.0.2.2/alpine/v3.20/main\nhttps://x/community\n",
	    "http://10.0.2.2/alpine/v3.20/main\nhttps://x/community\n"),
	ROW("alpine_repo=auto: the boot repositories", "", "alpine_repo=auto", 1, 0, REPOS_MEDIA, "/media/nfs/r0\n",
	    "/media/nfs/r0\n"),
	ROW("alpine_repo= with an entry that is no repository: skipped, here and in the file", "",
	    "alpine_repo=http://a/main,relative/dir,/abs", 0, 0, REPOS_CMDLINE, "http://a/main\n/abs\n",
	    "http://a/main\n/abs\n"),
	ROW("the overlay's file over alpine_repo=: blanks, comments, tags, relative paths",
	    OVL "'  http://o/main/  # main\\n@edge http://o/edge\\n# all comment\\nrelative\\n\\n/media/x//\\nhttps://o/c' >etc/apk/repositories",
	    "alpine_repo=http://a/main", 2, 0, REPOS_OVERLAY, "http://o/main\n/media/x\nhttps://o/c\n", "(kept)"),
	ROW("the overlay's empty file: no repository at all", OVL "'' >etc/apk/repositories", "alpine_repo=http://a/main", 1,
	    0, REPOS_OVERLAY, "", "(kept)"),
	ROW("a link in the new root is followed inside it",
	    OVL "'http://in/main\\n' >etc/apk/repos.real && ln -s /etc/apk/repos.real etc/apk/repositories",
	    "alpine_repo=http://a/main", 0, 0, REPOS_OVERLAY, "http://in/main\n", "(kept)"),
	ROW("a link out of the new root is not: /etc/apk -> / is the new root's /",
	    "mkdir -p etc $OUT && printf 'http://out/main\\n' >$OUT/repositories && ln -s $OUT etc/apk",
	    "alpine_repo=http://a/main", 0, 0, REPOS_CMDLINE, "http://a/main\n", "(refused)"),
	ROW("more than 16: the first 16",
	    OVL "'/r1\\n/r2\\n/r3\\n/r4\\n/r5\\n/r6\\n/r7\\n/r8\\n/r9\\n/r10\\n/r11\\n/r12\\n/r13\\n/r14\\n/r15\\n/r16\\n/r17\\n' >etc/apk/repositories",
	    "", 0, 0, REPOS_OVERLAY, "/r1\n/r2\n/r3\n/r4\n/r5\n/r6\n/r7\n/r8\n/r9\n/r10\n/r11\n/r12\n/r13\n/r14\n/r15\n/r16\n", "(kept)"),
	ROW("a line longer than a path may be", OVL "'http://x/%0600d\\n' 0 >etc/apk/repositories", "", 0, -ENAMETOOLONG,
	    REPOS_OVERLAY, "", NULL),
};

static void list(const struct boot *b, char *out, size_t size)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < b->napk_repos; i++)
		len += (size_t)snprintf(out + len, size - len, "%s\n", b->apk_repos[i]);
}

int main(void)
{
	static struct boot b;
	static char got[16 * 520], text[16 * 520];
	char p[256], cl[256];
	size_t i;

	snprintf(top, sizeof(top), "/tmp/nbrepos.XXXXXX");
	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(initrd, sizeof(initrd), "%s/initrd", top);
	snprintf(nr, sizeof(nr), "%s/sysroot", initrd);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int err, k;

		/* the newroot phase wants an init in the new root before it writes */
		sh("rm -rf %s/* && mkdir -p %s/sbin && printf '#!/bin/sh\\n' >%s/sbin/init && chmod 755 %s/sbin/init",
		   top, nr, nr, nr);
		if (r->setup[0] && sh("cd %s && OUT=%s/outside && %s", nr, top, r->setup))
			diag("setup failed: %s", r->setup);
		memset(&b, 0, sizeof(b));
		b.root = initrd;
		b.phase = "packages";
		snprintf(cl, sizeof(cl), "%s quiet", r->cmdline);
		if (options_parse_text(&b, cl))
			diag("options: %s", b.why);
		b.root = initrd;
		b.phase = "packages";
		strcpy(b.newroot, "/sysroot");
		for (k = 0; k < r->boot_repos; k++)
			snprintf(b.repos[b.nrepos++], BOOT_PATH, "/media/nfs/r%d", k);
		err = repos_choose(&b);
		list(&b, got, sizeof(got));
		ok_at(err == r->err, r->file, r->line, "%s: %d (want %d) %s", r->what, err, r->err, err ? b.why : "");
		if (err)
			continue;
		ok_at(b.repos_from == r->from && !strcmp(got, r->want), r->file, r->line, "%s: from %d (want %d), %d chosen",
		      r->what, b.repos_from, r->from, b.napk_repos);
		if (strcmp(got, r->want))
			diag("got:\n%s# want:\n%s", got, r->want);
		/* chosen once: a second call keeps the first choice */
		snprintf(b.o.alpine_repo, sizeof(b.o.alpine_repo), "http://changed/main");
		b.nrepos = 0;
		repos_choose(&b);
		list(&b, text, sizeof(text));
		ok_at(!strcmp(got, text), r->file, r->line, "%s: chosen once", r->what);
		/* the newroot phase writes the same list (or keeps the overlay's file) */
		b.phase = "newroot";
		err = newroot_prepare(&b);
		snprintf(p, sizeof(p), "%s/etc/apk/repositories", nr);
		if (!r->written)
			ok_at(!err && access(p, F_OK), r->file, r->line, "%s: newroot writes no /etc/apk/repositories (%d)",
			      r->what, err);
		else if (!strcmp(r->written, "(refused)"))
			ok_at(err == -ELOOP && strstr(b.why, "a symbolic link is in the way") &&
			      !sh("test \"$(cat %s/outside/repositories)\" = http://out/main", top), r->file, r->line,
			      "%s: newroot refuses to write through the link (%d %s)", r->what, err, b.why);
		else if (!strcmp(r->written, "(kept)"))
			ok_at(!err && !sh("test -L %s || test -f %s", p, p), r->file, r->line,
			      "%s: newroot keeps the overlay's /etc/apk/repositories (%d)", r->what, err);
		else {
			/* file_read_str drops the last newline */
			ok_at(!err && file_read_str(p, text, sizeof(text)) >= 0 && !strncmp(text, r->written, strlen(text)) &&
			      !strcmp(r->written + strlen(text), "\n"), r->file, r->line,
			      "%s: newroot writes the chosen list (%d)", r->what, err);
		}
	}
	sh("rm -rf %s", top);
	return done_testing();
}
