/* newroot_prepare on a fixture new root where the overlay planted
 * symbolic links: /etc/apk/repositories is never written through one (the
 * boot stops with one line), resolv.conf and the records in /var/lib/nbinit are skipped
 * with a warning, and nothing lands in OUTSIDE next to the initramfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

static char top[64], initrd[128], outside[128];

struct row {
	const char *file;
	int line;
	const char *what;
	const char *plant;          /* shell in the new root ($OUT: OUTSIDE) */
	int err;
	const char *why;            /* substring of b.why when err */
	const char *written;        /* files the new root must hold, space-separated */
};

#define R(w, p, e, why, wr) { __FILE__, __LINE__, w, p, e, why, wr }

static const struct row rows[] = {
	R("nothing planted", "", 0, "",
	  "etc/apk/repositories etc/resolv.conf var/lib/nbinit/net var/lib/nbinit/boot"),
	R("etc is a link out", "rm -rf etc && ln -s $OUT etc", -ELOOP,
	  "newroot: /etc/apk/repositories: a symbolic link is in the way; not written", ""),
	R("etc/apk is a relative link out", "mkdir -p etc && ln -s ../../../outside etc/apk", -ELOOP,
	  "newroot: /etc/apk/repositories: a symbolic link is in the way; not written", ""),
	R("var/lib is a link out: the records are skipped", "mkdir -p var && ln -s $OUT var/lib", 0, "",
	  "etc/apk/repositories etc/resolv.conf"),
	R("var/lib/nbinit is an absolute link out", "mkdir -p var/lib && ln -s $OUT var/lib/nbinit", 0, "",
	  "etc/apk/repositories etc/resolv.conf"),
	R("resolv.conf is a link out: kept, not written", "mkdir -p etc && ln -s $OUT/resolv.conf etc/resolv.conf",
	  0, "", "etc/apk/repositories var/lib/nbinit/boot"),
};

int main(void)
{
	static struct boot b;
	char nr[256], p[512];
	size_t i;

	snprintf(top, sizeof(top), "/tmp/nbnewroot.XXXXXX");
	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(initrd, sizeof(initrd), "%s/initrd", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	snprintf(nr, sizeof(nr), "%s/sysroot", initrd);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		const char *w;
		int err, all = 1;

		sh("rm -rf %s %s && mkdir -p %s %s/etc %s/run/nbinit %s", initrd, outside, nr, initrd, initrd, outside);
		sh("echo 'nameserver 10.0.2.3' >%s/etc/resolv.conf && echo \"IFACE='eth0'\" >%s/run/nbinit/net"
		   " && mkdir -p %s/sbin && install -m 0755 /dev/null %s/sbin/init", initrd, initrd, nr, nr);
		if (r->plant[0] && sh("cd %s && OUT=%s && %s", nr, outside, r->plant))
			diag("plant failed: %s", r->plant);
		memset(&b, 0, sizeof(b));
		b.root = initrd;
		b.phase = "newroot";
		if (options_parse_text(&b, "alpine_repo=http://10.0.2.2/alpine/main quiet"))
			diag("options: %s", b.why);
		b.root = initrd;
		b.phase = "newroot";
		strcpy(b.newroot, "/sysroot");
		b.net_up = true;
		err = newroot_prepare(&b);
		ok_at(err == r->err && (!r->err || strstr(b.why, r->why)), r->file, r->line, "%s: %d '%s'",
		      r->what, err, b.why);
		ok_at(!sh("test -z \"$(ls -A %s)\"", outside), r->file, r->line, "%s: nothing outside", r->what);
		for (w = r->written; *w; w += strspn(w, " ")) {
			size_t n = strcspn(w, " ");

			snprintf(p, sizeof(p), "%s/%.*s", nr, (int)n, w);
			if (access(p, F_OK))
				all = 0, diag("missing %s", p);
			w += n;
		}
		ok_at(all, r->file, r->line, "%s: written: %s", r->what, r->written);
	}
	sh("rm -rf %s", top);
	return done_testing();
}
