/* Phase 1 on whole command lines: what the init understands, and the one
 * line it prints for values that cannot be right. */
#include <arpa/inet.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "tap.h"

struct row {
	const char *file; int line;
	const char *cmdline;
	int ok;                 /* 1 parses, 0 fails */
	const char *check;      /* field=value to check, or the expected error text */
};

#define GOOD(c, chk) { __FILE__, __LINE__, c, 1, chk }
#define BAD(c, why) { __FILE__, __LINE__, c, 0, why }

static const struct row rows[] = {
	GOOD("ip=dhcp alpine_dev=nfs:10.0.0.1:/srv/nfs/depot alpine_repo=http://x/v3.20/main/x86_64/", "net=dhcp"),
	GOOD("ip=dhcp alpine_dev=nfs:10.0.0.1:/srv/nfs/depot", "nfs=10.0.0.1:/srv/nfs/depot"),
	GOOD("apkovl=\"http://10.0.0.1/ovl/{MAC}.apkovl.tar.gz\"", "apkovl=http://10.0.0.1/ovl/{MAC}.apkovl.tar.gz"),
	GOOD("apkovl=http://10.0.0.1/{UUID}.apkovl.tar.gz", "net=needed"),
	GOOD("apkovl=http://a/1 apkovl=http://b/2", "apkovl=http://b/2"),
	GOOD("ovl_dev=LABEL=NBOVL", "ovl_dev=LABEL=NBOVL"),
	GOOD("ovl_dev=sda1:vfat", "ovl_dev=/dev/sda1:vfat"),
	GOOD("apkovl=LABEL=CFG:vfat:/hosts/a.apkovl.tar.gz", "ovl_dev=LABEL=CFG:vfat"),
	GOOD("apkovl=LABEL=CFG:vfat:/hosts/a.apkovl.tar.gz", "apkovl=/hosts/a.apkovl.tar.gz"),
	GOOD("apkovl=/boot/host.apkovl.tar.gz", "ovl=path"),
	GOOD("ip=10.0.2.15::10.0.2.2:255.255.255.0:nbstatic:eth0:off:10.0.2.3", "net=static"),
	GOOD("BOOTIF=01-52-54-00-12-34-56", "bootif=52:54:00:12:34:56"),
	GOOD("BOOTIF=01-52-54-00-AB-CD-EF", "bootif=52:54:00:ab:cd:ef"),
	GOOD("init=/bin/sh init_args=\"-x -y\"", "init=/bin/sh"),
	GOOD("panic=10 quiet", "panic=10"),
	GOOD("alpine_repo=auto alpine_dev=UUID=1234-ABCD", "net=none"),
	GOOD("nbinit.link_wait=30", "link_wait=30000"),
	GOOD("ip=off", "net=none"),
	GOOD("nbinit.onfail=reboot:30", "onfail=reboot:30"),
	GOOD("nbinit.onfail=reboot", "onfail=reboot:10"),
	GOOD("nbinit.onfail=poweroff panic=5", "onfail=poweroff:0"),
	GOOD("nbinit.report=http://10.0.0.1/r/{MAC}", "report=http://10.0.0.1/r/{MAC}"),
	GOOD("quiet", "http_deadline=600000"),
	GOOD("nbinit.http_deadline=1800", "http_deadline=1800000"),
	GOOD("quiet", "ovl_max=134217728/20000"),
	GOOD("nbinit.apkovl_max_size=64M nbinit.apkovl_max_files=500", "ovl_max=67108864/500"),
	GOOD("nbinit.apkovl_max_size=1g", "ovl_max=1073741824/20000"),
	GOOD("nbinit.apkovl_max_size=4096", "ovl_max=4096/20000"),
	GOOD("alpine_repo=http://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64", "repo=http://dl-cdn.alpinelinux.org/alpine/v3.20/main"),
	GOOD("alpine_repo=http://x/v3.20/main/x86_64/,http://y/v3.20/community/aarch64", "repo=http://x/v3.20/main,http://y/v3.20/community"),
	GOOD("alpine_repo=http://x/v3.20/main/", "repo=http://x/v3.20/main"),
	GOOD("alpine_repo=http://x86_64/alpine", "repo=http://x86_64/alpine"),
	GOOD("alpine_repo=http://x/x86_64", "repo=http://x"),
	GOOD("nbinit.script_timeout=5 nbinit.allow_untrusted", "script=5000 untrusted"),
	GOOD("", "script=60000"),
	BAD("apkovl=\"http://x/{MAC}.tar.gz panic=10", "cmdline: apkovl=http://x/{MAC}.tar.gz panic=10: not a valid URL"),
	BAD("nbinit.script_timeout=soon", "cmdline: nbinit.script_timeout=soon: expected seconds"),
	BAD("ip=10.0.2.x::10.0.2.2:255.255.255.0", "cmdline: ip=10.0.2.x::10.0.2.2:255.255.255.0: "),
	BAD("apkovl=http://a/x.tar.gz ovl_dev=LABEL=X",
	    "cmdline: ovl_dev=LABEL=X: apkovl=http://a/x.tar.gz is given too (one overlay: drop one of them)"),
	BAD("ovl_dev=LABEL=X apkovl=http://a/x.tar.gz", "cmdline: ovl_dev=LABEL=X: apkovl=http://a/x.tar.gz is given too"),
	BAD("alpine_dev=nfs:10.0.0.1", "cmdline: alpine_dev=nfs:10.0.0.1: expected nfs:SERVER:/PATH"),
	BAD("apkovl=ftp://a/x.tar.gz", "cmdline: apkovl=ftp://a/x.tar.gz: only http:// and https://"),
	BAD("BOOTIF=01-52-54", "cmdline: BOOTIF=01-52-54: expected"),
	BAD("panic=soon", "cmdline: panic=soon: expected a number"),
	BAD("init=sbin/init", "cmdline: init=sbin/init: must be an absolute path"),
	BAD("ip=off apkovl=http://a/x.apkovl.tar.gz", "the network is off but apkovl=URL needs it"),
	BAD("nbinit.link_wait=-1", "cmdline: nbinit.link_wait=-1: expected seconds"),
	BAD("nbinit.onfail=explode", "cmdline: nbinit.onfail=explode: expected shell, reboot[:SECONDS] or poweroff"),
	BAD("nbinit.onfail=reboot:soon", "cmdline: nbinit.onfail=reboot:soon: expected reboot:SECONDS"),
	BAD("nbinit.http_deadline=0", "cmdline: nbinit.http_deadline=0: must be at least 1 second"),
	BAD("nbinit.apkovl_max_size=0", "cmdline: nbinit.apkovl_max_size=0: expected 1 to 1099511627776 (K, M, G: 1024s)"),
	BAD("nbinit.apkovl_max_size=12X", "cmdline: nbinit.apkovl_max_size=12X: expected 1 to"),
	BAD("nbinit.apkovl_max_size=2048G", "cmdline: nbinit.apkovl_max_size=2048G: expected 1 to"),
	BAD("nbinit.apkovl_max_files=-1", "cmdline: nbinit.apkovl_max_files=-1: expected 1 to 10000000"),
	BAD("nbinit.http_deadline=4000", "cmdline: nbinit.http_deadline=4000: expected seconds (0-3600)"),
	BAD("nbinit.report=tftp://x/y", "cmdline: nbinit.report=tftp://x/y: not an http:// or https:// URL"),
};

static void describe(const struct boot *b, const char *key, char *out, size_t size)
{
	const struct opts *o = &b->o;
	char d[600];

	out[0] = '\0';
	if (!strcmp(key, "net"))
		snprintf(out, size, "%s", !b->net_needed ? "none" :
		         (!o->ip_given || o->ip.mode == IPCONF_DHCP) ? "dhcp" : "static");
	if (!strcmp(key, "net") && !strcmp(out, "dhcp") && !o->ip_given)
		snprintf(out, size, "needed");
	if (!strcmp(key, "nfs") && o->alpine_dev.kind == DEV_NFS)
		snprintf(out, size, "%s:%s", o->alpine_dev.server, o->alpine_dev.path);
	if (!strcmp(key, "apkovl"))
		snprintf(out, size, "%s", o->apkovl);
	if (!strcmp(key, "ovl") && o->ovl == OVL_PATH)
		snprintf(out, size, "path");
	if (!strcmp(key, "ovl_dev") && o->ovl == OVL_DEV)
		snprintf(out, size, "%s%s%s", devspec_str(&o->ovl_dev, d, sizeof(d)),
		         o->ovl_dev.fstype[0] ? ":" : "", o->ovl_dev.fstype);
	if (!strcmp(key, "bootif"))
		snprintf(out, size, "%s", o->bootif);
	if (!strcmp(key, "init"))
		snprintf(out, size, "%s", o->init);
	if (!strcmp(key, "panic"))
		snprintf(out, size, "%d", o->panic_given ? o->panic : -999);
	if (!strcmp(key, "onfail"))
		snprintf(out, size, "%s:%d", o->onfail == ONFAIL_REBOOT ? "reboot" : o->onfail == ONFAIL_POWEROFF ?
		         "poweroff" : o->onfail == ONFAIL_SHELL ? "shell" : "default", o->onfail_delay_s);
	if (!strcmp(key, "report"))
		snprintf(out, size, "%s", o->report);
	if (!strcmp(key, "link_wait"))
		snprintf(out, size, "%d", o->link_wait_ms);
	if (!strcmp(key, "repo"))
		snprintf(out, size, "%s", o->alpine_repo);
	if (!strcmp(key, "script"))
		snprintf(out, size, "%d%s", o->script_timeout_ms, o->allow_untrusted ? " untrusted" : "");
	if (!strcmp(key, "ovl_max"))
		snprintf(out, size, "%lld/%lld", o->ovl_max_size, o->ovl_max_files);
	if (!strcmp(key, "http_deadline")) {
		struct http_opts ho = boot_http_opts(b);
		snprintf(out, size, "%d", ho.deadline_ms);
	}
}

/* The linter: the warnings a command line gets, as the booted init and
 * --check print them. WANT is how many; HAS a text one of them holds. */
struct lint_row {
	const char *file; int line;
	const char *cmdline;
	int want;
	const char *has;
};

#define LINT(c, n, has) { __FILE__, __LINE__, c, n, has }

static const struct lint_row lint_rows[] = {
	/* The lab's and the wiki's command lines: nothing to say. */
	LINT("console=ttyS0 ip=dhcp alpine_dev=nfs:10.0.2.2:/srv/depot alpine_repo=http://10.0.2.2:8080/alpine/v3.20/main "
	     "apkovl=\"http://10.0.2.2:8080/ovl/{MAC}.apkovl.tar.gz\"", 0, NULL),
	LINT("BOOT_IMAGE=vmlinuz initrd=pxerd root=/dev/ram0 ro quiet console=ttyS0,115200 e1000.debug=1 ipv6.disable=1 "
	     "net.ifnames=0 nbinit.report=http://x/r/{UUID} apkovl=http://x/{UUID}.tar.gz", 0, NULL),
	LINT("nbinit.http_deadline=60 nbinit.allow_untrusted nbinit.script_timeout=9 nbinit.apkovl_verify", 0, NULL),
	/* Options that look like nbinit's. */
	LINT("apkvol=http://x/a.tar.gz", 1, "cmdline: apkvol=: unknown option, ignored; did you mean apkovl=?"),
	LINT("nbinit.linkwait=5", 1, "cmdline: nbinit.linkwait=: unknown option, ignored; did you mean nbinit.link_wait=?"),
	LINT("nbint.link_wait=5", 1, "did you mean nbinit.link_wait=?"),
	LINT("alpine_repos=http://x/main", 1, "did you mean alpine_repo=?"),
	LINT("bootif=01-52-54-00-12-34-56", 1, "did you mean BOOTIF=?"),
	LINT("nbinit.allow_untrustd", 1, "cmdline: nbinit.allow_untrustd: unknown option, ignored; did you mean nbinit.allow_untrusted?"),
	LINT("nbinit.frobnicate=1", 1, "cmdline: nbinit.frobnicate: unknown nbinit option, ignored"),
	LINT("apkvol=a apkvol=b", 1, "apkvol="),
	LINT("modloop=http://x/modloop-lts", 1, "cmdline: modloop=: Alpine's initramfs option, not used by nbinit"),
	/* Placeholders. */
	LINT("apkovl=\"http://x/{mac}.apkovl.tar.gz\"", 1, "unknown placeholder {mac}, left as it is; did you mean {MAC}?"),
	LINT("apkovl=\"http://x/{HOSTNAME}.apkovl.tar.gz\"", 1, "unknown placeholder {HOSTNAME}, left as it is (known: {MAC}, {UUID})"),
	LINT("nbinit.report=http://x/{UID}", 1, "cmdline: nbinit.report=http://x/{UID}: unknown placeholder {UID}, left as it is; did you mean {UUID}?"),
	LINT("apkovl=http://x/{MAC.tar.gz", 1, "'{' without '}'"),
	/* alpine_repo= with the architecture, as the seed's wiki writes it. */
	LINT("alpine_repo=http://x/v3.20/main/x86_64", 1,
	     "cmdline: alpine_repo=http://x/v3.20/main/x86_64: ends in the architecture, which apk adds itself (ARCH/APKINDEX.tar.gz); using http://x/v3.20/main"),
	LINT("alpine_repo=http://x/v3.20/main/", 0, NULL),
	/* An unclosed quote. */
	LINT("panic=10 ip=dhcp apkovl=\"http://x/{MAC}.tar.gz", 1, "cmdline: apkovl=: the '\"' opened there is never closed"),
	LINT("\"ip=dhcp", 1, "cmdline: \": the '\"' opened there is never closed"),
	/* Several at once, each once. */
	LINT("apkvol=x nbinit.linkwait=3 modloop=y apkovl=\"http://x/{mac}\"", 4, "did you mean {MAC}?"),
};

static void collect(void *ctx, const char *line)
{
	char *buf = ctx;
	size_t n = strlen(buf);

	snprintf(buf + n, 4096 - n, "%s%s", n ? " | " : "", line);
}

/* Every option name that init/ looks up with cmdline_get/cmdline_has or
 * seconds_opt, in the sources: each must be one the parser knows (looked
 * up in options_parse_text), or --check and the booted init would call it
 * unknown. */
static void source_options(void)
{
	static const char *const calls[] = { "cmdline_get(&b->cl, \"", "cmdline_has(&b->cl, \"", "seconds_opt(b, \"", NULL };
	const char *const *known;
	int nknown, j, found = 0;
	glob_t g;
	size_t i;

	known = options_known(&nknown);
	if (glob("init/*.c", 0, NULL, &g) != 0) {
		ok(0, "init/*.c: not found (run from the repository's top)");
		return;
	}
	ok(g.gl_pathc > 10, "the sources of init/: %zu files", g.gl_pathc);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *const *files = (const char *const *)g.gl_pathv;
		static char text[1 << 20];
		FILE *f = fopen(files[i], "r");
		size_t len;

		if (!f) {
			diag("%s: not found (run from the repository's top)", files[i]);
			continue;
		}
		len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[len] = '\0';
		for (j = 0; calls[j]; j++) {
			const char *p = text;
			while ((p = strstr(p, calls[j]))) {
				char name[64];
				int k, is = 0;

				p += strlen(calls[j]);
				snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, "\""), p);
				for (k = 0; k < nknown && !is; k++)
					is = !strcmp(known[k], name);
				ok(is, "%s looks up %s, which the parser knows", files[i], name);
				found++;
			}
		}
	}
	globfree(&g);
	ok(found > 20, "the sources look up %d option names", found);
}

/* options_describe (what `init --check` prints): each row a command line,
 * lines the description must hold exactly and lines it must not. */
struct drow {
	const char *file; int line;
	const char *cmdline;
	const char *has[10];    /* whole lines, NULL-ended */
	const char *hasnt[6];   /* line prefixes that must be absent */
};

#define D(c, has, hasnt) { __FILE__, __LINE__, c, has, hasnt }
#define L(...) { __VA_ARGS__, NULL }

static const struct drow drows[] = {
	D("ip=dhcp apkovl=http://10.0.2.2/{MAC}.tar.gz",
	  L("network: DHCP", "  DHCP: 4 udhcpc runs, backoff 1000 ms doubling to 8000 ms",
	    "interface: every physical one, the first lease wins (links waited for up to 10 s, nbinit.link_wait)",
	    "overlay: GET http://10.0.2.2/{MAC}.tar.gz", "on failure: rescue shell"),
	  L("  address:", "  signature:", "report:", "console:")),
	D("ip=10.0.2.15::10.0.2.2:255.255.255.0:nbstatic::off:10.0.2.3 nbinit.link_wait=3",
	  L("network: static ip=", "  address: 10.0.2.15", "  netmask: 255.255.255.0", "  gateway: 10.0.2.2",
	    "  hostname: nbstatic", "  name server: 10.0.2.3",
	    "interface: the first with carrier within 3 s (nbinit.link_wait)"),
	  L("  DHCP:")),
	D("ip=10.0.2.15:::::eth1:off",
	  L("network: static ip=", "  netmask: 255.0.0.0", "  gateway: (none)", "interface: eth1 (ip=)"),
	  L("  hostname:", "  name server:")),
	D("ip=dhcp BOOTIF=01-52-54-00-AB-CD-EF nbinit.dhcp_tries=2",
	  L("network: DHCP", "interface: the one with MAC 52:54:00:ab:cd:ef (BOOTIF)"),
	  L("interface: every")),
	D("alpine_dev=UUID=1234-ABCD:ext4 ovl_dev=sdb1",
	  L("boot media: UUID=1234-ABCD as ext4", "overlay: *.apkovl.tar.gz on /dev/sdb1"),
	  L("overlay: GET")),
	D("quiet",
	  L("network: not needed", "overlay: the boot media's *.apkovl.tar.gz, if any",
	    "repositories: the boot media's .boot_repository directories", "console: quiet: warnings and errors only"),
	  L("interface:", "  DHCP:")),
	D("ovl_dev=LABEL=NBOVL:vfat nbinit.apkovl_verify",
	  L("network: not needed", "overlay: *.apkovl.tar.gz on LABEL=NBOVL as vfat", "  signature: required (nbinit.apkovl_verify)"),
	  L("overlay: GET")),
	D("ip=dhcp apkovl=http://x/o.tar.gz alpine_repo=http://x/v3.20/main pkgs=vim,htop nbinit.allow_untrusted "
	  "nbinit.script_timeout=5 nbinit.onfail=reboot:30 nbinit.report=http://x/r debug_init",
	  L("repositories: http://x/v3.20/main", "packages: alpine-base, the overlay's /etc/apk/world, vim,htop",
	    "  index signatures: not required (nbinit.allow_untrusted)", "  script timeout: 5 s",
	    "on failure: reboot after 30 s (nbinit.onfail)", "report: POST the outcome to http://x/r",
	    "console: debug_init: extra detail"),
	  L("  index signatures: required")),
	D("nbinit.onfail=poweroff", L("on failure: power off (nbinit.onfail)", "  script timeout: 60 s",
	                             "  index signatures: required (/etc/apk/keys)"), L("report:")),
	D("nbinit.onfail=shell panic=10", L("on failure: rescue shell (nbinit.onfail)"), L("on failure: exit")),
	D("panic=10", L("on failure: exit so the kernel reboots after 10 s (panic=10)"), L("on failure: rescue")),
	D("panic=-1", L("on failure: exit so the kernel reboots at once (panic=-1)"), L("on failure: rescue")),
	D("panic=0", L("on failure: exit, and the kernel halts (panic=0)"), L("on failure: rescue")),
	D("init=/sbin/runit rootflags=size=50% nbinit.http_timeout=4 nbinit.dev_wait=7",
	  L("init: /sbin/runit ", "new root: tmpfs size=50%", "waits: block device 7 s, NFS mount 30 s"),
	  L("init: /sbin/init")),
};

static void describe_rows(void)
{
	static struct boot b;
	size_t i, k;

	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		const struct drow *r = &drows[i];
		char *text = NULL, *p;
		size_t len = 0;
		bool clean = true;
		int err, failed = tap_failed;
		FILE *f;

		memset(&b, 0, sizeof(b));
		b.root = "";
		b.phase = "cmdline";
		err = options_parse_text(&b, r->cmdline);
		f = open_memstream(&text, &len);
		if (err || !f) {
			ok_at(0, r->file, r->line, "describe %s: parse %d (%s)", r->cmdline, err, b.why);
			if (f)
				fclose(f);
			free(text);
			continue;
		}
		options_describe(&b, f);
		fclose(f);
		for (p = text; *p; p++)
			clean &= *p == '\n' || (*p >= ' ' && *p < 0x7f);
		ok_at(len > 0 && clean && text[len - 1] == '\n', r->file, r->line,
		      "describe %s: %zu bytes of printable lines", r->cmdline, len);
		for (k = 0; r->has[k]; k++) {
			char want[512];
			snprintf(want, sizeof(want), "\n%s\n", r->has[k]);
			ok_at(strstr(text, want + 1) == text ? !strncmp(text, want + 1, strlen(want + 1))
			                                     : strstr(text, want) != NULL,
			      r->file, r->line, "describe %s: has '%s'", r->cmdline, r->has[k]);
		}
		for (k = 0; r->hasnt[k]; k++) {
			char want[512];
			snprintf(want, sizeof(want), "\n%s", r->hasnt[k]);
			ok_at(!strstr(text, want) && strncmp(text, r->hasnt[k], strlen(r->hasnt[k])), r->file, r->line,
			      "describe %s: no '%s...'", r->cmdline, r->hasnt[k]);
		}
		if (tap_failed > failed)
			diag("the description:\n%s", text);
		free(text);
	}
}

int main(void)
{
	static struct boot b;
	size_t i;

	/* init_args keeps its inner words; quiet is a bare word. */
	b.root = "";
	b.phase = "cmdline";
	ok(options_parse_text(&b, "init_args=\"-x -y\" quiet") == 0 && !strcmp(b.o.init_args, "-x -y") && b.o.quiet,
	   "init_args quoted with spaces: '%s', quiet %d", b.o.init_args, b.o.quiet);
	ok(options_parse_text(&b, "ip=10.0.2.15::10.0.2.2:255.255.255.0:nbstatic:eth0:off:10.0.2.3") == 0 &&
	   !strcmp(b.o.ip.device, "eth0") && !strcmp(b.o.ip.hostname, "nbstatic") &&
	   b.o.ip.dns[0].s_addr == inet_addr("10.0.2.3"), "static ip= fields reach the options");

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char got[1024];
		int err;

		memset(&b, 0, sizeof(b));
		b.root = "";
		b.phase = "cmdline";
		err = options_parse_text(&b, r->cmdline);
		if (r->ok) {
			const char *eq = strchr(r->check, '=');
			char key[32];

			snprintf(key, sizeof(key), "%.*s", (int)(eq - r->check), r->check);
			describe(&b, key, got, sizeof(got));
			ok_at(err == 0 && !strcmp(got, eq + 1), r->file, r->line, "%s -> %s (got '%s'%s%s)",
			      r->cmdline, r->check, got, err ? ", error: " : "", err ? b.why : "");
		} else {
			ok_at(err < 0 && strstr(b.why, r->check), r->file, r->line, "%s -> error '%s'", r->cmdline, b.why);
		}
	}

	for (i = 0; i < sizeof(lint_rows) / sizeof(lint_rows[0]); i++) {
		const struct lint_row *r = &lint_rows[i];
		static char got[4096];
		int n, err;

		memset(&b, 0, sizeof(b));
		b.root = "";
		b.phase = "cmdline";
		got[0] = '\0';
		err = options_parse_text(&b, r->cmdline);
		n = err ? -1 : options_lint(&b, collect, got);
		ok_at(n == r->want && (!r->has || strstr(got, r->has)) && (r->want || !got[0]), r->file, r->line,
		      "lint %s -> %d warning(s)%s%s (got %d: %s)", r->cmdline, r->want, r->has ? " with " : "",
		      r->has ? r->has : "", n, got[0] ? got : "none");
	}
	{
		const char *const *known;
		int n, k, want = 0;
		static const char *const must[] = { "apkovl", "alpine_repo", "BOOTIF", "nbinit.link_wait",
		                                    "nbinit.http_deadline", "nbinit.allow_untrusted",
		                                    "nbinit.script_timeout", "nbinit.apkovl_verify", "quiet",
		                                    "nbinit.apkovl_max_size", "nbinit.apkovl_max_files", NULL };

		known = options_known(&n);
		for (k = 0; must[k]; k++)
			for (int j = 0; j < n; j++)
				want += !strcmp(known[j], must[k]);
		ok(want == k, "options_known has %d of the %d options checked (of %d known)", want, k, n);
	}
	source_options();
	describe_rows();
	return done_testing();
}
