/* Every phase's failure returns that a fixture root can reach, run as
 * main's loop runs them (phase_run): each must give exactly one
 * well-formed line "PHASE: OBJECT: CAUSE" in b->why (the phase the loop
 * set, an object and a cause, printable, no bytes left from before) and on
 * stderr exactly one "nbinit: " failure line, that one. A phase that fails
 * without a line gets phase_run's. Each row runs in a child of its own
 * (and, as root, in its own mount and network namespaces: the mounts and
 * addresses a phase tries touch nothing of the host's). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

struct row {
	const char *file; int line;
	const char *what;
	const char *phase;      /* the loop's name for it */
	int (*run)(struct boot *b);
	const char *setup;      /* shell in the fixture root ($R), or NULL */
	const char *cmdline;    /* parsed before the phase (cmdline: ROOT/proc/cmdline) */
	int long_root;          /* the root prefix made longer than BOOT_PATH allows */
	const char *want;       /* substring of b->why after "PHASE: " */
	int want_err;           /* the error, its strerror the line's end; 0: any */
};

#define ROW(w, ph, fn, setup, cl, want) { __FILE__, __LINE__, w, ph, fn, setup, cl, 0, want, 0 }
#define ROW_ERR(w, ph, fn, want, err) { __FILE__, __LINE__, w, ph, fn, NULL, "quiet", 0, want, err }
#define LONG_ROOT(w, ph, fn, cl, want) { __FILE__, __LINE__, w, ph, fn, NULL, cl, 1, want, 0 }
#define A50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A500 A50 A50 A50 A50 A50 A50 A50 A50 A50 A50

/* sysfs of one physical interface NAME with carrier */
#define IFACE(name) "mkdir -p sys/class/net/" name "/device && echo 52:54:00:fa:11:01 >sys/class/net/" name \
	"/address && echo 1 >sys/class/net/" name "/carrier && echo 2 >sys/class/net/" name "/ifindex"

static int says_nothing(struct boot *b) { return -ETIMEDOUT; }
static int positive(struct boot *b) { return 5; }
static int says_it(struct boot *b) { return boot_fail(b, -ENOENT, "thing: gone"); }

static const struct row rows[] = {
	/* cmdline: options_parse reads ROOT/proc/cmdline */
	ROW("a bad number", "cmdline", options_parse, "mkdir -p proc && echo 'nbinit.link_wait=soon' >proc/cmdline",
	    NULL, "nbinit.link_wait=soon: "),
	ROW("a bad BOOTIF", "cmdline", options_parse, "mkdir -p proc && echo 'BOOTIF=zz' >proc/cmdline", NULL,
	    "BOOTIF=zz: expected 01-aa-bb-cc-dd-ee-ff"),
	ROW("two overlays", "cmdline", options_parse,
	    "mkdir -p proc && echo 'apkovl=http://x/a.tar.gz ovl_dev=LABEL=X' >proc/cmdline", NULL,
	    "ovl_dev=LABEL=X: apkovl=http://x/a.tar.gz is given too"),
	ROW("a bad failure policy", "cmdline", options_parse, "mkdir -p proc && echo 'nbinit.onfail=explode' >proc/cmdline",
	    NULL, "nbinit.onfail=explode: expected"),
	ROW("no /proc/cmdline", "cmdline", options_parse, NULL, NULL, "/proc/cmdline: "),
	/* modules */
	LONG_ROOT("a root too long for /lib/modules", "modules", modules_load, "quiet", "/lib/modules/"),
	/* net */
	ROW("no /sys/class/net", "net", net_up, NULL, "ip=dhcp quiet", "/sys/class/net: No such file or directory"),
	ROW("static ip= on a missing interface", "net", net_up, IFACE("nbfx0"),
	    "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth7:off quiet", "eth7 (from ip=): no such interface (found: nbfx0)"),
	ROW("only virtual interfaces", "net", net_up, "mkdir -p sys/class/net/lo sys/class/net/br0", "ip=dhcp quiet",
	    "no physical network interface (found: "),
	ROW("static ip= on an interface the kernel does not have", "net", net_up, IFACE("nbfx0"),
	    "ip=10.0.2.15::10.0.2.2:255.255.255.0::nbfx0:off quiet", "nbfx0: setting the address 10.0.2.15: "),
	ROW("DHCP without busybox", "net", net_up, IFACE("nbfx0"), "ip=:::::nbfx0:dhcp quiet",
	    "DHCP on nbfx0: cannot run "),
	/* media */
	ROW("a missing device", "media", media_mount, "mkdir -p dev sys/class/block",
	    "alpine_dev=LABEL=NBNOSUCH nbinit.dev_wait=1 quiet", "LABEL=NBNOSUCH: no such block device after 1 s"),
	ROW("an NFS server that is not there", "media", media_mount, NULL,
	    "alpine_dev=nfs:127.0.0.1:/depot nbinit.nfs_timeout=2 quiet", "nfs 127.0.0.1:/depot: "),
	/* rootfs */
	LONG_ROOT("a root too long for /sysroot", "rootfs", newroot_mount, "quiet", "/sysroot: path too long"),
	ROW("rootflags the tmpfs refuses", "rootfs", newroot_mount, NULL, "rootflags=size=bogus quiet",
	    "mount tmpfs on /sysroot with rootflags=size=bogus: "),
	/* overlay */
	ROW("no new root", "overlay", overlay_apply, "mkdir -p fx", "apkovl=/fx/a.apkovl.tar.gz quiet",
	    "/sysroot: No such file or directory"),
	ROW("a missing overlay file", "overlay", overlay_apply, "mkdir -p sysroot", "apkovl=/fx/nope.apkovl.tar.gz quiet",
	    "apkovl=/fx/nope.apkovl.tar.gz: not on the boot media nor in the initramfs"),
	ROW("an overlay that is not gzip", "overlay", overlay_apply,
	    "mkdir -p sysroot fx && echo 'not a tar.gz' >fx/bad.apkovl.tar.gz", "apkovl=/fx/bad.apkovl.tar.gz quiet",
	    "/fx/bad.apkovl.tar.gz: "),
	ROW("a truncated overlay", "overlay", overlay_apply,
	    "mkdir -p sysroot fx/t/etc && echo x >fx/t/etc/motd && tar -C fx/t -czf - etc | head -c 40 >fx/cut.apkovl.tar.gz",
	    "apkovl=/fx/cut.apkovl.tar.gz quiet", "/fx/cut.apkovl.tar.gz: "),
	ROW("{UUID} without DMI", "overlay", overlay_apply, "mkdir -p sysroot", "apkovl=http://10.0.2.2/{UUID}.tar.gz quiet",
	    "apkovl=http://10.0.2.2/{UUID}.tar.gz: {UUID} asked for but this machine has no DMI product_uuid"),
	ROW("{MAC} without an interface", "overlay", overlay_apply, "mkdir -p sysroot",
	    "apkovl=http://10.0.2.2/{MAC}.tar.gz quiet", "{MAC} asked for but no interface was chosen"),
	LONG_ROOT("a root too long for the new root", "overlay", overlay_apply, "apkovl=/fx/a.apkovl.tar.gz quiet",
	          "/sysroot: "),
	ROW("an overlay path too long under the root", "overlay", overlay_apply, "mkdir -p sysroot",
	    "apkovl=/fx/" A500 ".apkovl.tar.gz quiet", ".apkovl.tar.gz: path too long"),
	/* newroot */
	ROW("no new root", "newroot", newroot_prepare, NULL, "quiet", "/sysroot: No such file or directory"),
	ROW("init missing", "newroot", newroot_prepare, "mkdir -p sysroot/etc", "quiet",
	    "init /sbin/init: not in the new root (No such file or directory)"),
	ROW("init not executable", "newroot", newroot_prepare, "mkdir -p sysroot/sbin && echo x >sysroot/sbin/init",
	    "quiet", "init /sbin/init: not an executable file"),
	ROW("a symbolic link in the way of /etc/apk", "newroot", newroot_prepare,
	    "mkdir -p sysroot/sbin sysroot/etc out && install -m 0755 /dev/null sysroot/sbin/init && ln -s $R/out sysroot/etc/apk",
	    "alpine_repo=http://10.0.2.2/alpine/main quiet", "/etc/apk/repositories: "),
	/* packages */
	LONG_ROOT("a root too long for the packages' paths", "packages", packages_install, "quiet",
	          "/sysroot, /etc/apk/keys, /run/nbinit: path too long"),
	ROW("a pkgs= word that is no package name", "packages", packages_install, "mkdir -p sysroot",
	    "pkgs=hello,x<>1 alpine_repo=/media/none quiet", "pkgs=: 'x<>1' is not a package name"),
	ROW("a world of too many names", "packages", packages_install,
	    "mkdir -p sysroot/etc/apk && seq -f 'p%g' 1 5000 >sysroot/etc/apk/world", "alpine_repo=/media/none quiet",
	    "/etc/apk/world: more than "),
	ROW("a repository without an index", "packages", packages_install, "mkdir -p sysroot media/none",
	    "alpine_repo=/media/none pkgs=hello quiet", "none of the 1 repository has an index for "),
	/* phase_run's own line for a phase that has none */
	ROW_ERR("a phase that fails without a line", "media", says_nothing, "failed without saying why: ", -ETIMEDOUT),
	ROW_ERR("a phase that returns a positive number", "overlay", positive, "failed without saying why: ", -EIO),
	ROW_ERR("a phase with its own line keeps it", "packages", says_it, "thing: gone", -ENOENT),
};

struct result {
	int err;
	char why[sizeof(((struct boot *)0)->why)];
	char phase[32];
};

/* The row in this child: fixture root RDIR (or a longer name for it), the
 * phase's stderr into ERRFD, the result into *RES. */
static void child(const struct row *r, const char *rdir, int errfd, struct result *res)
{
	static struct boot b;
	static char longroot[BOOT_PATH + 64];
	const char *root = rdir;

	if (geteuid() == 0 && (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	                       mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)) {
		snprintf(res->why, sizeof(res->why), "unshare: %s", strerror(errno));
		res->err = 1;
		return;
	}
	if (r->long_root) {
		/* the name of RDIR, padded with "/." up to past BOOT_PATH */
		size_t n = (size_t)snprintf(longroot, sizeof(longroot), "%s", rdir);
		while (n + 2 < BOOT_PATH - 4)
			n += (size_t)snprintf(longroot + n, sizeof(longroot) - n, "/.");
		root = longroot;
	}
	memset(&b, 0, sizeof(b));
	b.root = root;
	b.phase = "cmdline";
	b.seed = 1;
	if (r->cmdline && options_parse_text(&b, r->cmdline)) {
		snprintf(res->why, sizeof(res->why), "command line %s: %s", r->cmdline, b.why);
		res->err = 1;
		return;
	}
	b.root = root;
	b.o.quiet = true;
	log_init(&b);
	snprintf(b.newroot, sizeof(b.newroot), "/sysroot");
	/* What a phase leaves unwritten shows as bytes that are not text. */
	memset(b.why, 0xa5, sizeof(b.why));
	dup2(errfd, STDERR_FILENO);
	res->err = phase_run(&b, r->phase, r->run);
	fflush(stderr);
	memcpy(res->why, b.why, sizeof(res->why));
	snprintf(res->phase, sizeof(res->phase), "%s", b.phase ? b.phase : "(null)");
}

/* The child's result, in memory shared with it. */
static struct result *mmap_result(void)
{
	void *p = mmap(NULL, sizeof(struct result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void munmap_result(struct result *r)
{
	munmap(r, sizeof(*r));
}

/* "PHASE: OBJECT: CAUSE" with PHASE as set, both non-empty, printable. */
static bool well_formed(const char *why, size_t size, const char *phase, char *bad, size_t badsz)
{
	size_t n = strnlen(why, size), pl = strlen(phase), i;
	const char *obj, *sep;

	if (n == size)
		return snprintf(bad, badsz, "not terminated"), false;
	for (i = 0; i < n; i++)
		if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] >= 0x7f)
			return snprintf(bad, badsz, "byte 0x%02x at %zu", (unsigned char)why[i], i), false;
	if (strncmp(why, phase, pl) || strncmp(why + pl, ": ", 2))
		return snprintf(bad, badsz, "does not start with '%s: '", phase), false;
	obj = why + pl + 2;
	sep = strstr(obj, ": ");
	if (!sep || sep == obj || *obj == ' ')
		return snprintf(bad, badsz, "no OBJECT before ': '"), false;
	if (!sep[2] || sep[2] == ' ')
		return snprintf(bad, badsz, "no CAUSE after OBJECT"), false;
	return true;
}

int main(void)
{
	char top[] = "/tmp/test_init_fail.XXXXXX", rdir[256], errp[300], out[8192];
	size_t i;

	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct result *res;
		char bad[128] = "", want_line[1200];
		const char *l;
		int errfd, status = 0, nfail = 0, same = 0;
		pid_t pid;

		snprintf(rdir, sizeof(rdir), "%s/r%zu", top, i);
		snprintf(errp, sizeof(errp), "%s/stderr.%zu", top, i);
		mkdir(rdir, 0755);
		if (r->setup && sh("cd %s && R=%s && %s", rdir, rdir, r->setup)) {
			ok_at(0, r->file, r->line, "%s: fixture: %s", r->what, r->setup);
			continue;
		}
		errfd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		res = mmap_result();
		if (errfd < 0 || !res) {
			ok_at(0, r->file, r->line, "%s: stderr file or shared memory: %s", r->what, strerror(errno));
			continue;
		}
		memset(res, 0, sizeof(*res));
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			child(r, rdir, errfd, res);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			ok_at(0, r->file, r->line, "%s: the child ended badly (status %d)", r->what, status);
			close(errfd);
			continue;
		}
		memset(out, 0, sizeof(out));
		if (pread(errfd, out, sizeof(out) - 1, 0) < 0)
			out[0] = '\0';
		close(errfd);
		if (r->want_err) {
			const char *c = strerror(-r->want_err);
			size_t wl = strnlen(res->why, sizeof(res->why)), cl = strlen(c);
			ok_at(res->err == r->want_err && (r->run == says_it || (wl > cl && !strcmp(res->why + wl - cl, c))),
			      r->file, r->line, "%s: error %d (want %d), the line ends with its strerror '%s'", r->what,
			      res->err, r->want_err, c);
		}
		ok_at(res->err < 0 && well_formed(res->why, sizeof(res->why), r->phase, bad, sizeof(bad)) &&
		      strstr(res->why + strlen(r->phase) + 2, r->want) && !strcmp(res->phase, r->phase),
		      r->file, r->line, "%s: %d, '%.300s'%s%s (want '%s: ...%s...')", r->what, res->err,
		      strnlen(res->why, sizeof(res->why)) < sizeof(res->why) ? res->why : "(unterminated)",
		      bad[0] ? ": " : "", bad, r->phase, r->want);
		/* stderr: the one failure line, the same as b->why */
		snprintf(want_line, sizeof(want_line), "nbinit: %.*s", (int)sizeof(res->why) - 1, res->why);
		for (l = out; *l; l += strcspn(l, "\n"), l += *l == '\n') {
			size_t n = strcspn(l, "\n");
			if (!strncmp(l, "nbinit: ", 8) && strncmp(l, "nbinit: warning: ", 17) &&
			    strncmp(l, "nbinit: debug: ", 15)) {
				nfail++;
				same += n == strlen(want_line) && !strncmp(l, want_line, n);
			}
		}
		ok_at(nfail == 1 && same == 1, r->file, r->line, "%s: stderr has %d failure line(s), %d of them b->why's",
		      r->what, nfail, same);
		if (nfail != 1 || same != 1)
			diag("stderr: %s", out);
		munmap_result(res);
	}
	sh("rm -rf %s", top);
	return done_testing();
}
