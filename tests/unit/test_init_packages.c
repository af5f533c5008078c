/* The packages phase as an ordinary process on a temporary root: depot
 * repositories (paths under ROOT/media/nfs) and an HTTP repository
 * (python3 -m http.server on 127.0.0.1) with real apk v2 packages made by
 * tests/apk/mkapk from Debian's static busybox. Checks what lands in the
 * new root, the install and trigger scripts (run chrooted: needs root),
 * apk's database against the files on disk, and the refusals: unsigned
 * index, tampered package, unresolvable dependency. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apksig.h"
#include "boot.h"
#include "fileio.h"
#include "tap.h"

static char root[64], nr[128];
static int port;
static pid_t httpd = -1;

static bool exists(const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", nr, rel);
	return lstat(p, &st) == 0;
}

static bool has_text(const char *rel, const char *text)
{
	char p[512];
	static char buf[65536];

	snprintf(p, sizeof(p), "%s%s", nr, rel);
	return file_read_str(p, buf, sizeof(buf)) >= 0 && strstr(buf, text);
}

/* Q1 of the file (or link target) at REL in the new root. */
static int q1_of(const char *rel, char *out)
{
	char p[1024], target[1024];
	unsigned char buf[65536], d[20];
	br_sha1_context c;
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", nr, rel);
	if (lstat(p, &st) < 0)
		return -1;
	br_sha1_init(&c);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(p, target, sizeof(target));
		if (n < 0)
			return -1;
		br_sha1_update(&c, target, (size_t)n);
	} else {
		fd = open(p, O_RDONLY);
		if (fd < 0)
			return -1;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			br_sha1_update(&c, buf, (size_t)n);
		close(fd);
	}
	br_sha1_out(&c, d);
	apk_q1(d, out);
	return 0;
}

/* Every package in /lib/apk/db/installed is in WANT (blank-separated
 * names) and the other way round; every F:/R: exists, and each Z: matches
 * the file on disk unless it is one of KEPT (the overlay's). */
static int db_matches(const char *want, const char *kept, char *why, size_t whysz)
{
	static char db[1 << 20];
	char p[512], dir[1024] = "", file[2048] = "", names[1024] = " ", *line, *save = NULL;
	int npk = 0, nwant = 0, nfiles = 0;
	const char *w;

	snprintf(p, sizeof(p), "%s/lib/apk/db/installed", nr);
	if (file_read_str(p, db, sizeof(db)) < 0)
		return snprintf(why, whysz, "no installed db"), -1;
	for (line = strtok_r(db, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char q[APK_Q1_LEN];
		if (!strncmp(line, "P:", 2)) {
			npk++;
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s ", line + 2);
		} else if (!strncmp(line, "F:", 2)) {
			snprintf(dir, sizeof(dir), "%s", line + 2);
			snprintf(file, sizeof(file), "/%s", dir);
			if (!exists(file))
				return snprintf(why, whysz, "directory %s listed, not on disk", file), -1;
		} else if (!strncmp(line, "R:", 2)) {
			snprintf(file, sizeof(file), "%s%s%s", dir, dir[0] ? "/" : "", line + 2);
			nfiles++;
		} else if (!strncmp(line, "Z:", 2)) {
			char sp[2100];
			snprintf(sp, sizeof(sp), " %s ", file);
			if (q1_of(file, q))
				return snprintf(why, whysz, "%s listed, not on disk", file), -1;
			if (strcmp(q, line + 2) && !strstr(kept, sp))
				return snprintf(why, whysz, "%s: disk %s, db %s", file, q, line + 2), -1;
		}
	}
	for (w = want; *w; ) {
		char n[128], k[130];
		size_t l = strcspn(w, " ");
		snprintf(n, sizeof(n), "%.*s", (int)l, w);
		snprintf(k, sizeof(k), " %s ", n);
		if (!strstr(names, k))
			return snprintf(why, whysz, "%s not in the db (%s)", n, names), -1;
		nwant++;
		w += l;
		w += strspn(w, " ");
	}
	if (nwant != npk)
		return snprintf(why, whysz, "db has %d packages:%s, want %d", npk, names, nwant), -1;
	snprintf(why, whysz, "%d packages, %d files", npk, nfiles);
	return 0;
}

static int make_fixtures(const char *mkapk)
{
	return sh("set -e; cd %s; M=%s; exec >fixtures.log 2>&1\n"
	  "$M key keys test@nbinit-1 >/dev/null; mkdir -p initrd/etc/apk/keys; cp keys/*.pub initrd/etc/apk/keys/\n"
	  "$M key other other-1 >/dev/null\n"
	  "mkdir -p t/libc/lib t/bb/bin t/bl/etc t/bl/var/lib t/bl/tmp t/hello/usr/bin t/comp/usr/share/hello t/trig/usr/share/trig/a t/empty\n"
	  "echo fake-libc >t/libc/lib/libc.fake; cp /bin/busybox t/bb/bin/busybox; ln -s busybox t/bb/bin/sh\n"
	  "echo 'Welcome (package)' >t/bl/etc/motd; echo 'packaged issue' >t/bl/etc/issue; chmod 1777 t/bl/tmp\n"
	  "printf '#!/bin/sh\\necho hello\\n' >t/hello/usr/bin/hello; chmod 755 t/hello/usr/bin/hello\n"
	  "echo completion >t/comp/usr/share/hello/completion; echo x >t/trig/usr/share/trig/a/f\n"
	  "printf '#!/bin/sh\\n/bin/busybox mkdir -p /var/lib\\necho \"post-install $1\" >/var/lib/bb-post-install\\n' >bb.post\n"
	  "printf '#!/bin/sh\\necho \"pre-install $1\" >/var/lib/bl-pre-install\\n' >bl.pre\n"
	  "printf '#!/bin/sh\\necho \"trigger $*\" >/var/lib/trigger-ran\\n' >trig.trigger\n"
	  "printf '#!/bin/sh\\nexit 3\\n' >fail.post\n"
	  "P() { o=$1; shift; $M pkg -o pk/$o.apk --key other/other-1.rsa \"$@\"; }\n"
	  "mkdir -p pk\n"
	  "P musl-1.2.4-r0 --name musl --version 1.2.4-r0 --root t/libc --provides so:libc.musl-x86_64.so.1=1\n"
	  "P busybox-1.36.1-r5 --name busybox --version 1.36.1-r5 --root t/bb --depends so:libc.musl-x86_64.so.1"
	  "  --provides 'cmd:sh=1.36.1-r5 cmd:busybox=1.36.1-r5' --post-install bb.post\n"
	  "P alpine-baselayout-3.4.3-r1 --name alpine-baselayout --version 3.4.3-r1 --root t/bl --depends busybox --pre-install bl.pre\n"
	  "P alpine-base-3.19.0-r0 --name alpine-base --version 3.19.0-r0 --arch noarch --root t/empty --depends 'alpine-baselayout busybox'\n"
	  "P hello-1.0-r0 --name hello --version 1.0-r0 --root t/hello --depends 'cmd:sh so:libc.musl-x86_64.so.1'\n"
	  "P hello-completion-1.0-r0 --name hello-completion --version 1.0-r0 --root t/comp --install-if 'hello=1.0-r0 busybox'\n"
	  "P trigpkg-1-r0 --name trigpkg --version 1-r0 --root t/trig --triggers '/usr/share/trig/*' --trigger trig.trigger\n"
	  "P failing-1-r0 --name failing --version 1-r0 --root t/empty --post-install fail.post\n"
	  "P hello-2.0-r0 --name hello --version 2.0-r0 --root t/hello --depends 'cmd:sh'\n"
	  "KEY=keys/test@nbinit-1.rsa\n"
	  "repo() { d=$1; shift; mkdir -p $d/x86_64; for p in \"$@\"; do cp pk/$p.apk $d/x86_64/; done; }\n"
	  "main='musl-1.2.4-r0 busybox-1.36.1-r5 alpine-baselayout-3.4.3-r1 alpine-base-3.19.0-r0 trigpkg-1-r0 failing-1-r0'\n"
	  "repo good/alpine/v3.20/main $main; repo good/alpine/v3.20/community hello-1.0-r0 hello-completion-1.0-r0\n"
	  "for d in good/alpine/v3.20/main good/alpine/v3.20/community; do $M index -o $d/x86_64/APKINDEX.tar.gz --key $KEY $d/x86_64/*.apk; done\n"
	  "cp -a good unsigned; $M index -o unsigned/alpine/v3.20/main/x86_64/APKINDEX.tar.gz unsigned/alpine/v3.20/main/x86_64/*.apk\n"
	  "cp -a good tampered; $M splice -o tampered/alpine/v3.20/main/x86_64/busybox-1.36.1-r5.apk pk/busybox-1.36.1-r5.apk:0,1 pk/musl-1.2.4-r0.apk:2\n"
	  /* HTTP: the main repository of the depot plus hello-2.0 that only the web has */
	  /* main's packages only in the depot: the phase must take them from there */
	  "mkdir -p www; cp -a good/alpine www/; rm -f www/alpine/v3.20/community/x86_64/* www/alpine/v3.20/main/x86_64/*.apk\n"
	  "cp pk/hello-2.0-r0.apk www/alpine/v3.20/community/x86_64/\n"
	  "$M index -o www/alpine/v3.20/community/x86_64/APKINDEX.tar.gz --key $KEY www/alpine/v3.20/community/x86_64/*.apk\n"
	  "mkdir -p ovl/etc/apk ovl/bin; echo 'Welcome (overlay)' >ovl/etc/motd; echo hello >ovl/etc/apk/world\n",
	  root, mkapk);
}

struct row {
	const char *file; int line;
	const char *what;
	const char *depot;         /* fixture tree linked at ROOT/media/nfs; NULL: none */
	const char *cmdline;       /* $PORT is replaced */
	int boot_repos;            /* b->repos: 0 none, 1 main, 2 main and community */
	int err;                   /* 0: installed */
	const char *want;          /* installed names, or words of the failure line */
	const char *setup;         /* shell run in ROOT/initrd before the phase, or NULL */
};
#define ROW(w, d, c, br, e, x) { __FILE__, __LINE__, w, d, c, br, e, x, NULL }
#define ROW_SETUP(w, d, c, br, e, x, s) { __FILE__, __LINE__, w, d, c, br, e, x, s }
/* The copy of a depot package goes to run/nbinit/package.apk: a directory
 * there makes every copy fail. */
#define NO_COPY "mkdir -p run/nbinit/package.apk"

static const struct row rows[] = {
	ROW("depot: world hello, pkgs=trigpkg", "good", "pkgs=trigpkg", 2, 0,
	    "musl busybox alpine-baselayout alpine-base hello hello-completion trigpkg"),
	ROW("unsigned index refused", "unsigned", "", 2, -ENOKEY,
	    "packages: /media/nfs/alpine/v3.20/main/x86_64/APKINDEX.tar.gz: unsigned (no .SIGN.RSA.* signature); refusing it (nbinit.allow_untrusted would accept it)"),
	ROW("unsigned index with nbinit.allow_untrusted", "unsigned", "nbinit.allow_untrusted", 2, 0,
	    "musl busybox alpine-baselayout alpine-base hello hello-completion"),
	ROW("tampered package refused", "tampered", "", 2, -EKEYREJECTED,
	    "packages: busybox-1.36.1-r5: /media/nfs/alpine/v3.20/main/x86_64/busybox-1.36.1-r5.apk: data SHA-256"),
	ROW("unresolvable pkgs=", "good", "pkgs=nonesuch>=2", 2, -ENOENT,
	    "packages: nonesuch>=2: required by pkgs=, but no package of that name or providing it is in the repositories"),
	ROW("world needs a repository that is not there", "good", "", 1, -ENOENT,
	    "packages: hello: required by /etc/apk/world, but no package"),
	ROW("failing post-install is a warning (f:s)", "good", "pkgs=failing", 2, 0,
	    "musl busybox alpine-baselayout alpine-base hello hello-completion failing"),
	ROW("HTTP repositories; main's packages only in the depot, taken from there", "good",
	    "alpine_repo=http://127.0.0.1:$PORT/alpine/v3.20/main,http://127.0.0.1:$PORT/alpine/v3.20/community", 2, 0,
	    "musl busybox alpine-baselayout alpine-base hello"),
	ROW("no repositories: nothing installed", NULL, "", 0, 0, ""),
	/* Depot packages are copied into memory to be checked and unpacked,
	 * unless that takes more than an eighth of MemAvailable. */
	ROW_SETUP("depot packages are copied (the copy cannot be made: that is the error)", "good", "", 2, -EISDIR,
	          "run/nbinit/package.apk: Is a directory", NO_COPY),
	ROW_SETUP("little memory: depot packages read where they are, not copied", "good", "", 2, 0,
	          "musl busybox alpine-baselayout alpine-base hello hello-completion",
	          NO_COPY " proc && printf 'MemTotal: 65536 kB\\nMemAvailable: 1 kB\\n' >proc/meminfo"),
};

static void start_httpd(void)
{
	char dir[128];
	int i;

	port = 20000 + (int)(getpid() % 20000);
	snprintf(dir, sizeof(dir), "%s/www", root);
	httpd = fork();
	if (httpd == 0) {
		char ps[16];
		int fd = open("/dev/null", O_WRONLY);
		snprintf(ps, sizeof(ps), "%d", port);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("python3", "python3", "-m", "http.server", ps, "--bind", "127.0.0.1", "--directory", dir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 50; i++) {
		if (!sh("python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %d), 1)' 2>/dev/null", port))
			return;
		usleep(100000);
	}
}

int main(void)
{
	static struct boot b;
	char mkapk[1024], cwd[1024];
	size_t i;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (install scripts run chrooted)\n");
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)) || !realpath("tests/apk/mkapk", mkapk) || access("/bin/busybox", X_OK) ||
	    system("command -v python3 openssl >/dev/null")) {
		printf("1..0 # SKIP run from the source tree with python3, openssl and busybox-static\n");
		return 0;
	}
	snprintf(root, sizeof(root), "/tmp/nbpkgs.XXXXXX");
	if (!mkdtemp(root) || make_fixtures(mkapk)) {
		printf("Bail out! cannot make the fixtures in %s (see fixtures.log there)\n", root);
		return 1;
	}
	start_httpd();
	snprintf(nr, sizeof(nr), "%s/initrd/sysroot", root);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char cl[512], rootdir[128], why[512];
		const char *d;
		int err;

		/* A fresh initramfs: keys, media link, new root with the overlay. */
		sh("cd %s && rm -rf initrd/sysroot initrd/media initrd/run initrd/proc && mkdir -p initrd/media && cp -a ovl initrd/sysroot",
		   root);
		if (r->depot)
			sh("ln -s ../../%s %s/initrd/media/nfs", r->depot, root);
		if (r->setup)
			sh("cd %s/initrd && %s", root, r->setup);
		memset(&b, 0, sizeof(b));
		snprintf(rootdir, sizeof(rootdir), "%s/initrd", root);
		b.root = rootdir;
		strcpy(b.newroot, "/sysroot");
		snprintf(cl, sizeof(cl), "%s", r->cmdline);
		if ((d = strstr(r->cmdline, "$PORT"))) {
			char tmp[512];
			const char *s = r->cmdline;
			size_t o = 0;
			while ((d = strstr(s, "$PORT"))) {
				o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "%.*s%d", (int)(d - s), s, port);
				s = d + 5;
			}
			snprintf(tmp + o, sizeof(tmp) - o, "%s", s);
			snprintf(cl, sizeof(cl), "%s", tmp);
		}
		if (options_parse_text(&b, cl)) {
			ok_at(0, r->file, r->line, "%s: command line %s", r->what, cl);
			continue;
		}
		b.root = rootdir;
		if (r->boot_repos >= 1)
			snprintf(b.repos[b.nrepos++], BOOT_PATH, "/media/nfs/alpine/v3.20/main");
		if (r->boot_repos >= 2)
			snprintf(b.repos[b.nrepos++], BOOT_PATH, "/media/nfs/alpine/v3.20/community");
		b.o.quiet = !getenv("NBINIT_VERBOSE");
		log_init(&b);
		err = packages_install(&b);
		if (r->err) {
			ok_at(err == r->err && strstr(b.why, r->want), r->file, r->line, "%s: %d %s", r->what, err, b.why);
			continue;
		}
		if (!r->want[0]) {
			ok_at(err == 0 && !exists("/lib/apk/db/installed") && has_text("/etc/motd", "overlay"), r->file, r->line,
			      "%s: %d %s", r->what, err, b.why);
			continue;
		}
		err = err ? err : db_matches(r->want, " etc/motd ", why, sizeof(why));
		ok_at(err == 0, r->file, r->line, "%s: db matches the disk: %s %s", r->what, why, b.why);
		if (i == 0) {
			ok(has_text("/etc/motd", "Welcome (overlay)") && has_text("/etc/motd.apk-new", "Welcome (package)") &&
			   has_text("/etc/issue", "packaged issue"), "the overlay's /etc/motd is kept, the package's is motd.apk-new");
			ok(has_text("/var/lib/bb-post-install", "post-install 1.36.1-r5"), "busybox post-install ran in the new root");
			ok(has_text("/var/lib/bl-pre-install", "pre-install 3.4.3-r1"), "alpine-baselayout pre-install ran");
			ok(has_text("/var/lib/trigger-ran", "trigger /usr/share/trig/a"), "trigger ran with its directory");
			ok(has_text("/lib/apk/db/triggers", " /usr/share/trig/*"), "triggers db");
			ok(has_text("/etc/apk/world", "alpine-base\nhello\ntrigpkg"), "world: sorted, alpine-base added");
			ok(has_text("/etc/apk/arch", "x86_64"), "arch");
			ok(exists("/etc/apk/keys/test@nbinit-1.rsa.pub"), "the initrd's key is in the new root");
			ok(!exists("/lib/apk/exec/busybox-1.36.1-r5.post-install") && exists("/bin/sh"), "scripts removed after running");
			ok(!sh("tar -tf %s/lib/apk/db/scripts.tar | grep -q '^busybox-1.36.1-r5.Q1.*post-install$'", nr),
			   "scripts.tar holds the post-install under apk's name");
			ok(has_text("/lib/apk/db/installed", "F:tmp\nM:0:0:1777\n"), "directory modes that are not 0755 recorded (M:)");
			ok(has_text("/lib/apk/db/installed", "R:sh\na:0:0:777\nZ:Q1"), "symlinks recorded with their target's checksum");
			ok(!exists("/lib/apk/db/installed") || !has_text("/lib/apk/db/installed", "f:s"), "no failed scripts");
		}
		if (strstr(r->cmdline, "failing"))
			ok(has_text("/lib/apk/db/installed", "P:failing\n") && has_text("/lib/apk/db/installed", "f:s\n"),
			   "failed post-install recorded as f:s");
		if (strstr(r->cmdline, "alpine_repo"))
			ok(has_text("/lib/apk/db/installed", "P:hello\nV:2.0-r0"), "hello 2.0 from the HTTP repository");
	}
	if (httpd > 0) {
		kill(httpd, SIGTERM);
		waitpid(httpd, NULL, 0);
	}
	if (!getenv("NBINIT_KEEP"))
		sh("rm -rf %s", root);
	return done_testing();
}
