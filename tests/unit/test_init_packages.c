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
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apksig.h"
#include "boot.h"
#include "fileio.h"
#include "tap.h"

static char root[64], nr[128];
static char plog[65536];       /* the phase's warnings of the last row */
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

/* cap_net_raw+ep as a VFS_CAP_REVISION_2 security.capability value */
#define CAP_HEX "0100000200200000000000000000000000000000"

/* A small reader of apk's installed database (docs/apk-formats.md): the
 * entry of package NAME (its lines from P: to the blank line) into OUT. */
static bool db_entry(const char *name, char *out, size_t outsz)
{
	static char db[1 << 20];
	char p[512], key[160];
	const char *e, *end;

	snprintf(p, sizeof(p), "%s/lib/apk/db/installed", nr);
	if (file_read_str(p, db, sizeof(db)) < 0)
		return false;
	snprintf(key, sizeof(key), "\nP:%s\n", name);
	if (!(e = strstr(db, key)))
		return false;
	while (e > db && !(e[-1] == '\n' && (e - 1 == db || e[-2] == '\n')))
		e--;
	end = strstr(e, "\n\n");
	snprintf(out, outsz, "%.*s", (int)(end ? end - e + 1 : (long)strlen(e)), e);
	return true;
}

/* The packages whose entries list the file PATH (F:dir + R:name), blank
 * separated, into OUT: what `apk info --who-owns` would answer, and what
 * `apk del` would remove the file with. */
static void db_owners(const char *path, char *out, size_t outsz)
{
	static char db[1 << 20];
	char p[512], dir[1024] = "", pkg[128] = "", *line, *save = NULL;

	out[0] = '\0';
	snprintf(p, sizeof(p), "%s/lib/apk/db/installed", nr);
	if (file_read_str(p, db, sizeof(db)) < 0)
		return;
	for (line = strtok_r(db, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char f[2048];
		if (!strncmp(line, "P:", 2))
			snprintf(pkg, sizeof(pkg), "%s", line + 2);
		else if (!strncmp(line, "F:", 2))
			snprintf(dir, sizeof(dir), "%s", line + 2);
		else if (!strncmp(line, "R:", 2)) {
			snprintf(f, sizeof(f), "%s%s%s", dir, dir[0] ? "/" : "", line + 2);
			if (!strcmp(f, path))
				snprintf(out + strlen(out), outsz - strlen(out), "%s%s", out[0] ? " " : "", pkg);
		}
	}
}

static bool owner_is(const char *rel, unsigned uid, unsigned gid, unsigned mode)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", nr, rel);
	return lstat(p, &st) == 0 && st.st_uid == uid && st.st_gid == gid && (st.st_mode & 07777) == mode;
}

static int make_fixtures(const char *mkapk)
{
	return sh("set -e; cd %s; M=%s; exec >fixtures.log 2>&1\n"
	  "$M key keys test@nbinit-1 >/dev/null; mkdir -p initrd/etc/apk/keys; cp keys/*.pub initrd/etc/apk/keys/\n"
	  "$M key other other-1 >/dev/null\n"
	  "mkdir -p t/libc/lib t/bb/bin t/binsh/bin t/bl/etc t/bl/var/lib t/bl/tmp t/hello/usr/bin t/comp/usr/share/hello t/trig/usr/share/trig/a t/empty\n"
	  "mkdir -p t/ybase/usr/share/y t/yextra/usr/share/y; echo base >t/ybase/usr/share/y/f; echo extra >t/yextra/usr/share/y/f\n"
	  "mkdir -p t/fail/usr/share/failing t/ldap/var/lib/openldap t/ldap/etc/openldap t/cap/usr/bin t/xold/usr/share/x t/xnew/usr/share/x t/xclash/usr/share/x\n"
	  "echo fake-libc >t/libc/lib/libc.fake; cp /bin/busybox t/bb/bin/busybox; ln -s /bin/busybox t/binsh/bin/sh\n"
	  "echo 'Welcome (package)' >t/bl/etc/motd; echo 'packaged issue' >t/bl/etc/issue; chmod 1777 t/bl/tmp\n"
	  "echo 'root:x:0:0:root:/root:/bin/sh' >t/bl/etc/passwd; echo 'root:x:0:root' >t/bl/etc/group\n"
	  "echo f >t/fail/usr/share/failing/f; echo 'rootdn cn=admin' >t/ldap/etc/openldap/slapd.conf; chmod 640 t/ldap/etc/openldap/slapd.conf\n"
	  "chmod 700 t/ldap/var/lib/openldap; printf 'ping\\n' >t/cap/usr/bin/pinger; chmod 755 t/cap/usr/bin/pinger\n"
	  "echo old >t/xold/usr/share/x/common; echo new >t/xnew/usr/share/x/common; echo clash >t/xclash/usr/share/x/common\n"
	  /* as Alpine's busybox: its post-install runs by its #! line before any /bin/sh exists */
	  "printf '#!/bin/busybox sh\n/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /var/lib\n/bin/busybox --install -s\n"
	  "echo \"post-install $1\" >/var/lib/bb-post-install\n' >bb.post\n"
	  /* as abuild's openldap.pre-install: a system user made with 2>/dev/null (busybox sh skips a command whose
	   * redirection fails); this busybox has no adduser, so the lines are written the way adduser would */
	  "printf '#!/bin/sh\ngrep -q ^ldap: /etc/group 2>/dev/null || echo ldap:x:102: >>/etc/group 2>/dev/null\n"
	  "grep -q ^ldap: /etc/passwd 2>/dev/null || echo ldap:x:101:102:OpenLDAP:/var/lib/openldap:/sbin/nologin >>/etc/passwd 2>/dev/null\n"
	  "[ -r /proc/self/stat ] && echo seen >/var/lib/proc-seen\nexit 0\n' >ldap.pre\n"
	  "printf '#!/bin/sh\necho meta >/var/lib/meta-ran\n' >meta.post\n"
	  "printf '#!/bin/sh\nno-such-command-here\n' >e127.post\n"
	  "printf '#!/bin/nonesuch sh\necho x\n' >badinterp.post\n"
	  "python3 -c 'import hashlib,base64,struct,sys; n=b\"security.capability\"; v=bytes.fromhex(sys.argv[1]); "
	  "print(\"Q1\"+base64.b64encode(hashlib.sha1(struct.pack(\">I\",len(n))+n+struct.pack(\">I\",len(v))+v).digest()).decode())' "
	  CAP_HEX " >cap.q1\n"
	  "printf '#!/bin/sh\\necho hello\\n' >t/hello/usr/bin/hello; chmod 755 t/hello/usr/bin/hello\n"
	  "echo completion >t/comp/usr/share/hello/completion; echo x >t/trig/usr/share/trig/a/f\n"
	  "printf '#!/bin/sh\\necho \"pre-install $1\" >/var/lib/bl-pre-install\\n' >bl.pre\n"
	  "printf '#!/bin/sh\\necho \"trigger $*\" >/var/lib/trigger-ran\\n' >trig.trigger\n"
	  "printf '#!/bin/sh\\nexit 3\\n' >fail.post\n"
	  "P() { o=$1; shift; $M pkg -o pk/$o.apk --key other/other-1.rsa \"$@\"; }\n"
	  "mkdir -p pk\n"
	  "P musl-1.2.4-r0 --name musl --version 1.2.4-r0 --root t/libc --provides so:libc.musl-x86_64.so.1=1\n"
	  "P busybox-1.36.1-r5 --name busybox --version 1.36.1-r5 --root t/bb --depends so:libc.musl-x86_64.so.1"
	  "  --provides 'cmd:busybox=1.36.1-r5' --post-install bb.post\n"
	  "P busybox-binsh-1.36.1-r5 --name busybox-binsh --version 1.36.1-r5 --root t/binsh --depends busybox"
	  "  --provides 'cmd:sh=1.36.1-r5'\n"
	  "P alpine-baselayout-3.4.3-r1 --name alpine-baselayout --version 3.4.3-r1 --root t/bl --depends busybox --pre-install bl.pre\n"
	  "P alpine-base-3.19.0-r0 --name alpine-base --version 3.19.0-r0 --arch noarch --root t/empty --depends 'alpine-baselayout busybox'\n"
	  "P hello-1.0-r0 --name hello --version 1.0-r0 --root t/hello --depends 'cmd:sh so:libc.musl-x86_64.so.1'\n"
	  "P hello-completion-1.0-r0 --name hello-completion --version 1.0-r0 --root t/comp --install-if 'hello=1.0-r0 busybox'\n"
	  "P trigpkg-1-r0 --name trigpkg --version 1-r0 --root t/trig --triggers '/usr/share/trig/*' --trigger trig.trigger"
	  "  --owner usr/share/trig/a/f=ghost:ghosts:1234:4321\n"
	  "P failing-1-r0 --name failing --version 1-r0 --root t/fail --post-install fail.post\n"
	  "P exit127-1-r0 --name exit127 --version 1-r0 --root t/fail --origin failing --post-install e127.post\n"
	  "P badinterp-1-r0 --name badinterp --version 1-r0 --root t/fail --origin failing --post-install badinterp.post\n"
	  "P slapd-2.6.6-r0 --name slapd --version 2.6.6-r0 --root t/ldap --depends 'alpine-baselayout cmd:sh' --pre-install ldap.pre"
	  /* abuild's tar maps the package's users to number 0 (--owner-map NAME NAME:0): the names count */
	  "  --owner var/lib/openldap=ldap:ldap:0:0 --owner etc/openldap/slapd.conf=root:ldap:0:0\n"
	  "P capped-1-r0 --name capped --version 1-r0 --root t/cap --xattr usr/bin/pinger=security.capability=" CAP_HEX "\n"
	  "P x-old-1-r0 --name x-old --version 1-r0 --root t/xold\n"
	  "P x-new-1-r0 --name x-new --version 1-r0 --root t/xnew --depends x-old --replaces x-old\n"
	  "P x-clash-1-r0 --name x-clash --version 1-r0 --root t/xclash --depends x-new\n"
	  /* y-base replaces y-extra with a higher priority than y-extra's replaces of y-base: its file stays */
	  "P y-base-1-r0 --name y-base --version 1-r0 --root t/ybase --replaces y-extra --replaces-priority 10\n"
	  "P y-extra-1-r0 --name y-extra --version 1-r0 --root t/yextra --depends y-base --replaces y-base\n"
	  "P metapkg-1-r0 --name metapkg --version 1-r0 --root t/empty --depends hello --post-install meta.post\n"
	  "P hello-2.0-r0 --name hello --version 2.0-r0 --root t/hello --depends 'cmd:sh'\n"
	  "KEY=keys/test@nbinit-1.rsa\n"
	  "repo() { d=$1; shift; mkdir -p $d/x86_64; for p in \"$@\"; do cp pk/$p.apk $d/x86_64/; done; }\n"
	  "main='musl-1.2.4-r0 busybox-1.36.1-r5 busybox-binsh-1.36.1-r5 alpine-baselayout-3.4.3-r1 alpine-base-3.19.0-r0 trigpkg-1-r0 failing-1-r0"
	  " exit127-1-r0 badinterp-1-r0 slapd-2.6.6-r0 capped-1-r0 x-old-1-r0 x-new-1-r0 x-clash-1-r0 metapkg-1-r0"
	  " y-base-1-r0 y-extra-1-r0'\n"
	  "repo good/alpine/v3.20/main $main; repo good/alpine/v3.20/community hello-1.0-r0 hello-completion-1.0-r0\n"
	  "for d in good/alpine/v3.20/main good/alpine/v3.20/community; do $M index -o $d/x86_64/APKINDEX.tar.gz --key $KEY $d/x86_64/*.apk; done\n"
	  "cp -a good unsigned; $M index -o unsigned/alpine/v3.20/main/x86_64/APKINDEX.tar.gz unsigned/alpine/v3.20/main/x86_64/*.apk\n"
	  "cp -a good tampered; $M splice -o tampered/alpine/v3.20/main/x86_64/busybox-1.36.1-r5.apk pk/busybox-1.36.1-r5.apk:0,1 pk/musl-1.2.4-r0.apk:2\n"
	  /* HTTP: the main repository of the depot plus hello-2.0 that only the web has */
	  /* main's packages only in the depot: the phase must take them from there */
	  "mkdir -p www; cp -a good/alpine www/; rm -f www/alpine/v3.20/community/x86_64/* www/alpine/v3.20/main/x86_64/*.apk\n"
	  "cp pk/hello-2.0-r0.apk www/alpine/v3.20/community/x86_64/\n"
	  "$M index -o www/alpine/v3.20/community/x86_64/APKINDEX.tar.gz --key $KEY www/alpine/v3.20/community/x86_64/*.apk\n"
	  "mkdir -p ovl/etc/apk ovl/bin; echo 'Welcome (overlay)' >ovl/etc/motd; echo hello >ovl/etc/apk/world\n"
	  /* outside the protected paths the package's file replaces the overlay's (as apk); a directory the
	   * overlay protects in protected_paths.d keeps the overlay's, the package's goes to .apk-new;
	   * a protected file identical to the package's gets no .apk-new */
	  "mkdir -p ovl/usr/bin ovl/usr/share/hello ovl/etc/apk/protected_paths.d; echo 'overlay hello' >ovl/usr/bin/hello\n"
	  "echo 'overlay completion' >ovl/usr/share/hello/completion; echo +usr/share/hello >ovl/etc/apk/protected_paths.d/local.list\n"
	  "echo 'packaged issue' >ovl/etc/issue\n"
	  /* a server whose hello-2.0 is 200 KB longer than the index's S: says */
	  "mkdir -p www/big; cp -a www/alpine www/big/; cat pk/hello-2.0-r0.apk /dev/zero | head -c 200000"
	  " >www/big/alpine/v3.20/community/x86_64/hello-2.0-r0.apk\n",
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
	ROW("depot: world hello, pkgs=trigpkg and abuild-like packages", "good", "pkgs=trigpkg,slapd,capped,x-clash,metapkg,y-extra", 2, 0,
	    "musl busybox busybox-binsh alpine-baselayout alpine-base hello hello-completion trigpkg slapd capped x-old x-new x-clash metapkg"
	    " y-base y-extra"),
	ROW("unsigned index refused", "unsigned", "", 2, -ENOKEY,
	    "packages: /media/nfs/alpine/v3.20/main/x86_64/APKINDEX.tar.gz: unsigned (no .SIGN.RSA.* signature); refusing it (nbinit.allow_untrusted would accept it)"),
	ROW("unsigned index with nbinit.allow_untrusted", "unsigned", "nbinit.allow_untrusted", 2, 0,
	    "musl busybox busybox-binsh alpine-baselayout alpine-base hello hello-completion"),
	ROW("tampered package refused", "tampered", "", 2, -EKEYREJECTED,
	    "packages: busybox-1.36.1-r5: /media/nfs/alpine/v3.20/main/x86_64/busybox-1.36.1-r5.apk: data SHA-256"),
	ROW("unresolvable pkgs=", "good", "pkgs=nonesuch>=2", 2, -ENOENT,
	    "packages: nonesuch>=2: required by pkgs=, but no package of that name or providing it is in the repositories"),
	ROW("world needs a repository that is not there", "good", "", 1, -ENOENT,
	    "packages: hello: required by /etc/apk/world, but no package"),
	ROW("failing post-install is a warning (f:s)", "good", "pkgs=failing,exit127,badinterp", 2, 0,
	    "musl busybox busybox-binsh alpine-baselayout alpine-base hello hello-completion failing exit127 badinterp"),
	ROW("HTTP repositories; main's packages only in the depot, taken from there", "good",
	    "alpine_repo=http://127.0.0.1:$PORT/alpine/v3.20/main,http://127.0.0.1:$PORT/alpine/v3.20/community", 2, 0,
	    "musl busybox busybox-binsh alpine-baselayout alpine-base hello"),
	/* issue 11, attack 6: a download is cut at the index's S: plus slack */
	ROW("HTTP package longer than its S:", "good",
	    "alpine_repo=http://127.0.0.1:$PORT/alpine/v3.20/main,http://127.0.0.1:$PORT/big/alpine/v3.20/community", 2, -EFBIG,
	    "/big/alpine/v3.20/community/x86_64/hello-2.0-r0.apk: more than "),
	ROW("no repositories: nothing installed", NULL, "", 0, 0, ""),
	/* Depot packages are copied into memory to be checked and unpacked,
	 * unless that takes more than an eighth of MemAvailable. */
	ROW_SETUP("depot packages are copied (the copy cannot be made: that is the error)", "good", "", 2, -EISDIR,
	          "run/nbinit/package.apk: Is a directory", NO_COPY),
	/* the overlay planted links: the phase's own writes do not follow
	 * them (ROOT/outside must stay empty) */
	ROW_SETUP("a link planted at lib/apk/db: the database is not written through it", "good", "", 2, -ELOOP,
	          "packages: writing /lib/apk/db/installed: a symbolic link is in the way",
	          "mkdir -p sysroot/lib/apk && ln -s $PWD/../outside sysroot/lib/apk/db"),
	ROW_SETUP("a link planted at etc/apk/keys: the key is not copied through it", "good", "", 2, 0,
	          "musl busybox busybox-binsh alpine-baselayout alpine-base hello hello-completion",
	          "rm -rf sysroot/etc/apk/keys && ln -s ../../../../outside sysroot/etc/apk/keys"),
	ROW_SETUP("links planted at /proc and /dev: no procfs mounted and no device node made through them", "good", "",
	          2, 0, "musl busybox busybox-binsh alpine-baselayout alpine-base hello hello-completion",
	          "ln -s $PWD/../outside sysroot/proc && ln -s ../../../outside sysroot/dev"),
	ROW_SETUP("little memory: depot packages read where they are, not copied", "good", "", 2, 0,
	          "musl busybox busybox-binsh alpine-baselayout alpine-base hello hello-completion",
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

/* The abuild-like packages of the first row, installed as apk does. */
static void row0_checks(void)
{
	char e[16384], who[256], p[512], q1[64] = "", cap[64];
	static const unsigned char want_cap[20] = { 1, 0, 0, 2, 0, 0x20 };
	struct statfs sf;
	struct stat st;
	ssize_t n;

	/* 1: /dev and /proc while the scripts run; /proc unmounted after */
	ok(has_text("/var/lib/proc-seen", "seen"), "pre-install saw /proc of the new root");
	snprintf(p, sizeof(p), "%s/dev/null", nr);
	ok(stat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) && (st.st_mode & 0777) == 0666,
	   "/dev/null made as apk --initdb makes it");
	snprintf(p, sizeof(p), "%s/dev/urandom", nr);
	ok(stat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 9), "/dev/urandom made");
	snprintf(p, sizeof(p), "%s/proc", nr);
	ok(statfs(p, &sf) == 0 && sf.f_type != PROC_SUPER_MAGIC, "/proc of the new root unmounted after the phase");
	/* 2: owners by name, after the pre-install made the user with 2>/dev/null */
	ok(has_text("/etc/passwd", "\nldap:x:101:102:") && has_text("/etc/group", "\nldap:x:102:"),
	   "slapd's pre-install made the ldap user and group (its 2>/dev/null worked)");
	ok(owner_is("var/lib/openldap", 101, 102, 0700), "/var/lib/openldap is ldap:ldap 0700 by name (the tar says ldap:ldap 0:0)");
	ok(owner_is("etc/openldap/slapd.conf", 0, 102, 0640), "slapd.conf is root:ldap 0640 by name");
	ok(owner_is("usr/share/trig/a/f", 1234, 4321, 0644) && db_entry("trigpkg", e, sizeof(e)) &&
	   strstr(e, "\nR:f\na:1234:4321:644\n"), "names the new root does not know fall back to the tar's numbers, as apk");
	ok(db_entry("slapd", e, sizeof(e)) && strstr(e, "\nF:var/lib/openldap\nM:101:102:700\n") &&
	   strstr(e, "\nR:slapd.conf\na:0:102:640\n"), "the database records the owners by name");
	/* 3: busybox's post-install ran by its #! line before /bin/sh existed */
	snprintf(p, sizeof(p), "%s/bin/ls", nr);
	n = readlink(p, who, sizeof(who) - 1);
	ok(n > 0 && !memcmp(who, "/bin/busybox", (size_t)n), "busybox's post-install (#!/bin/busybox sh) made the applet links");
	db_owners("bin/sh", who, sizeof(who));
	ok(!strcmp(who, "busybox-binsh"), "/bin/sh is busybox-binsh's (the link the post-install made is replaced): %s", who);
	/* 4: replaces and conflicts */
	ok(has_text("/usr/share/x/common", "new"), "x-new's file replaced x-old's, x-clash did not overwrite it");
	db_owners("usr/share/x/common", who, sizeof(who));
	ok(!strcmp(who, "x-new"), "only x-new owns usr/share/x/common (apk del x-old or x-clash leaves it): '%s'", who);
	ok(db_entry("x-new", e, sizeof(e)) && strstr(e, "\nr:x-old\n"), "x-new's replaces recorded (r:)");
	ok(db_entry("x-clash", e, sizeof(e)) && strstr(e, "\nf:f\n"), "x-clash's conflict recorded (f:f)");
	ok(strstr(plog, "x-clash-1-r0: trying to overwrite /usr/share/x/common owned by x-new-1-r0") != NULL,
	   "the conflict is named");
	ok(has_text("/usr/share/y/f", "base"), "y-base's file stays: it replaces y-extra with a higher replaces_priority");
	db_owners("usr/share/y/f", who, sizeof(who));
	ok(!strcmp(who, "y-base"), "only y-base owns usr/share/y/f: '%s'", who);
	ok(db_entry("y-base", e, sizeof(e)) && strstr(e, "\nr:y-extra\nq:10\n") && db_entry("y-extra", e, sizeof(e)) &&
	   strstr(e, "\nr:y-base\n") && !strstr(e, "\nf:"), "r: and q: recorded; no conflict for y-extra");
	/* 5: meta package, apk's directories, xattrs */
	ok(!exists("/var/lib/meta-ran") && db_entry("metapkg", e, sizeof(e)) && !strstr(e, "\nF:"),
	   "metapkg (I:0): no script run, no files");
	ok(sh("tar -tf %s/lib/apk/db/scripts.tar | grep -q metapkg", nr), "metapkg's script is not in scripts.tar");
	ok(owner_is("var/cache/apk", 0, 0, 0755) && owner_is("var/cache/misc", 0, 0, 0755), "var/cache/apk and var/cache/misc");
	ok(owner_is("lib/apk/exec", 0, 0, 0700), "lib/apk/exec is 0700");
	ok(owner_is("tmp", 0, 0, 01777), "tmp is 1777");
	snprintf(p, sizeof(p), "%s/usr/bin/pinger", nr);
	n = getxattr(p, "security.capability", cap, sizeof(cap));
	ok(n == 20 && !memcmp(cap, want_cap, 20), "usr/bin/pinger has its capability (cap_net_raw+ep), %zd bytes", n);
	snprintf(p, sizeof(p), "%s/cap.q1", root);
	file_read_str(p, q1, sizeof(q1));
	snprintf(who, sizeof(who), "\nR:pinger\na:0:0:755:%s\n", q1);
	ok(q1[0] && db_entry("capped", e, sizeof(e)) && strstr(e, who), "its xattr checksum recorded as apk does (a:0:0:755:%s)", q1);
	/* 6: the overlay outside the protected paths gives way; protected ones stay */
	ok(!has_text("/usr/bin/hello", "overlay"), "the package's /usr/bin/hello replaced the overlay's");
	ok(has_text("/usr/share/hello/completion", "overlay completion") &&
	   has_text("/usr/share/hello/completion.apk-new", "completion"),
	   "a path the overlay protects (protected_paths.d) keeps the overlay's file, the package's is .apk-new");
	ok(!exists("/etc/issue.apk-new"), "no .apk-new when the protected file is already the package's");
}

int main(void)
{
	static struct boot b;
	char mkapk[1024], cwd[1024];
	size_t i;

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

		if (geteuid() != 0 && !r->err && r->want[0]) {
			skip(1, "%s: not root (an install runs scripts chrooted and sets owners)", r->what);
			continue;
		}
		/* A fresh initramfs: keys, media link, new root with the overlay. */
		sh("cd %s && rm -rf initrd/sysroot initrd/media initrd/run initrd/proc outside && mkdir -p initrd/media outside && cp -a ovl initrd/sysroot",
		   root);
		if (r->depot)
			sh("ln -s ../../%s %s/initrd/media/nfs", r->depot, root);
		if (r->setup)
			sh("cd %s/initrd && %s", root, r->setup);
		memset(&b, 0, sizeof(b));
		snprintf(rootdir, sizeof(rootdir), "%s/initrd", root);
		b.root = rootdir;
		b.phase = "packages";
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
		b.phase = "packages";
		if (r->boot_repos >= 1)
			snprintf(b.repos[b.nrepos++], BOOT_PATH, "/media/nfs/alpine/v3.20/main");
		if (r->boot_repos >= 2)
			snprintf(b.repos[b.nrepos++], BOOT_PATH, "/media/nfs/alpine/v3.20/community");
		b.o.quiet = !getenv("NBINIT_VERBOSE");
		log_init(&b);
		{
			/* The phase's warnings (and the scripts' output) for the checks. */
			char lp[128];
			int save = dup(2), fd;
			snprintf(lp, sizeof(lp), "%s/phase.log", root);
			fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			dup2(fd, 2);
			close(fd);
			err = packages_install(&b);
			dup2(save, 2);
			close(save);
			if (file_read_str(lp, plog, sizeof(plog)) < 0)
				plog[0] = '\0';
			if (getenv("NBINIT_VERBOSE"))
				fputs(plog, stderr);
		}
		if (r->setup && strstr(r->setup, "outside"))
			ok_at(!sh("test -z \"$(ls -A %s/outside)\"", root), r->file, r->line,
			      "%s: nothing written outside the new root", r->what);
		if (r->err) {
			ok_at(err == r->err && strstr(b.why, r->want), r->file, r->line, "%s: %d %s", r->what, err, b.why);
			continue;
		}
		if (!r->want[0]) {
			ok_at(err == 0 && !exists("/lib/apk/db/installed") && has_text("/etc/motd", "overlay"), r->file, r->line,
			      "%s: %d %s", r->what, err, b.why);
			continue;
		}
		/* Files apk, too, records with the package's checksum while the disk has
		 * another: the overlay's protected ones, and what scripts changed. */
		err = err ? err : db_matches(r->want, " etc/motd usr/share/hello/completion etc/passwd etc/group ", why, sizeof(why));
		ok_at(err == 0, r->file, r->line, "%s: db matches the disk: %s %s", r->what, why, b.why);
		if (i == 0) {
			ok(has_text("/etc/motd", "Welcome (overlay)") && has_text("/etc/motd.apk-new", "Welcome (package)") &&
			   has_text("/etc/issue", "packaged issue"), "the overlay's /etc/motd is kept, the package's is motd.apk-new");
			ok(has_text("/var/lib/bb-post-install", "post-install 1.36.1-r5"), "busybox post-install ran in the new root");
			ok(has_text("/var/lib/bl-pre-install", "pre-install 3.4.3-r1"), "alpine-baselayout pre-install ran");
			ok(has_text("/var/lib/trigger-ran", "trigger /usr/share/trig/a"), "trigger ran with its directory");
			ok(has_text("/lib/apk/db/triggers", " /usr/share/trig/*"), "triggers db");
			ok(has_text("/etc/apk/world", "alpine-base\ncapped\nhello\nmetapkg\nslapd\ntrigpkg\nx-clash\ny-extra"),
			   "world: sorted, alpine-base added");
			ok(has_text("/etc/apk/arch", "x86_64"), "arch");
			ok(exists("/etc/apk/keys/test@nbinit-1.rsa.pub"), "the initrd's key is in the new root");
			ok(!exists("/lib/apk/exec/busybox-1.36.1-r5.post-install") && exists("/bin/sh"), "scripts removed after running");
			ok(!sh("tar -tf %s/lib/apk/db/scripts.tar | grep -q '^busybox-1.36.1-r5.Q1.*post-install$'", nr),
			   "scripts.tar holds the post-install under apk's name");
			ok(has_text("/lib/apk/db/installed", "F:tmp\nM:0:0:1777\n"), "directory modes that are not 0755 recorded (M:)");
			ok(has_text("/lib/apk/db/installed", "R:sh\na:0:0:777\nZ:Q1"), "symlinks recorded with their target's checksum");
			ok(!exists("/lib/apk/db/installed") || !has_text("/lib/apk/db/installed", "f:s"), "no failed scripts");
			row0_checks();
		}
		if (strstr(r->cmdline, "failing")) {
			char e[8192];
			ok(has_text("/lib/apk/db/installed", "P:failing\n") && has_text("/lib/apk/db/installed", "f:s\n"),
			   "failed post-install recorded as f:s");
			ok(strstr(plog, "exit127-1-r0: post-install script exited with status 127") && !strstr(plog, "no /bin/sh"),
			   "a script's own exit 127 is named as such, not as a missing /bin/sh");
			ok(strstr(plog, "badinterp-1-r0: post-install script: cannot execute it: its interpreter /bin/nonesuch "
			                "(its #! line) is not in the new root") != NULL,
			   "a missing interpreter is named from the script's #! line");
			ok(db_entry("badinterp", e, sizeof(e)) && strstr(e, "\nf:s\n") && db_entry("exit127", e, sizeof(e)) &&
			   strstr(e, "\nf:s\n"), "both recorded as f:s");
			{
				char who[256];
				db_owners("usr/share/failing/f", who, sizeof(who));
				ok(!strstr(plog, "trying to overwrite") && !strcmp(who, "badinterp"),
				   "packages of one origin overwrite each other's files without a conflict; the last owns it: '%s'",
				   who);
			}
		}
		if (strstr(r->cmdline, "alpine_repo"))
			ok(has_text("/lib/apk/db/installed", "P:hello\nV:2.0-r0"), "hello 2.0 from the HTTP repository");
		if (r->setup && strstr(r->setup, "sysroot/proc"))
			ok(strstr(plog, "packages: /proc of the new root: a symbolic link is in the way; the install scripts run"
			                " without it") != NULL, "the planted /proc link is named");
	}
	if (httpd > 0) {
		kill(httpd, SIGTERM);
		waitpid(httpd, NULL, 0);
	}
	if (!getenv("NBINIT_KEEP"))
		sh("rm -rf %s", root);
	return done_testing();
}
