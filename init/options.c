/* Phase 1: the kernel command line. Tokenized once; the last occurrence of
 * an option wins; unknown options are ignored (options_lint warns about
 * those that look like ours). A value that cannot be right is an error
 * naming the option. options_describe says what the boot will use
 * (init --check). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "fileio.h"
#include "match.h"

/* Defaults: every wait is bounded. */
static const struct retry dhcp_retry_default = { 4, 1000, 8000, 25 };
static const struct retry http_retry_default = { 4, 1000, 8000, 25 };

static int copy_opt(struct boot *b, char *dst, size_t size, const char *key, const char *val)
{
	if (strlen(val) >= size)
		return boot_fail(b, -ENAMETOOLONG, "%s=: value longer than %zu bytes", key, size - 1);
	strcpy(dst, val);
	return 0;
}

/* Seconds as a non-negative integer (fractions not accepted). */
static int seconds_opt(struct boot *b, const char *key, int *ms_out)
{
	const char *v = cmdline_get(&b->cl, key);
	char *end;
	long s;

	if (!v)
		return 0;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno || end == v || *end || s < 0 || s > 3600)
		return boot_fail(b, -EINVAL, "%s=%s: expected seconds (0-3600)", key, v);
	*ms_out = (int)s * 1000;
	return 0;
}

/* A byte count with an optional K, M or G suffix (powers of 1024), from
 * MIN to MAX. */
static int size_opt(struct boot *b, const char *key, long long min, long long max, long long *out)
{
	const char *v = cmdline_get(&b->cl, key);
	char *end;
	long long n;
	int shift = 0;

	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || end == v || *end || n < 0 || n > (max >> shift) || (n << shift) < min)
		return boot_fail(b, -EINVAL, "%s=%s: expected %lld to %lld (K, M, G: 1024s)", key, v, min, max);
	*out = n << shift;
	return 0;
}

static int parse_bootif(struct boot *b, const char *v)
{
	/* pxelinux/iPXE form: 01-aa-bb-cc-dd-ee-ff (ARP type 1 = Ethernet). */
	const char *p = v;
	int i;

	if (!strncmp(p, "01-", 3))
		p += 3;
	if (strlen(p) != 17)
		goto bad;
	for (i = 0; i < 17; i++) {
		char c = p[i];
		if (i % 3 == 2) {
			if (c != '-' && c != ':')
				goto bad;
			b->o.bootif[i] = ':';
		} else {
			if (!isxdigit((unsigned char)c))
				goto bad;
			b->o.bootif[i] = (char)tolower((unsigned char)c);
		}
	}
	b->o.bootif[17] = '\0';
	return 0;
bad:
	return boot_fail(b, -EINVAL, "BOOTIF=%s: expected 01-aa-bb-cc-dd-ee-ff", v);
}

/* apkovl=DEV:[FSTYPE:]PATH (Alpine), the device part parsed like ovl_dev. */
static int parse_apkovl_dev(struct boot *b, const char *v)
{
	char dev[512];
	const char *path = strrchr(v, ':');

	if (!path || path[1] != '/' || (size_t)(path - v) >= sizeof(dev))
		return boot_fail(b, -EINVAL, "apkovl=%s: expected a URL, a /path or DEV:[FSTYPE:]/PATH", v);
	memcpy(dev, v, (size_t)(path - v));
	dev[path - v] = '\0';
	if (devspec_parse(&b->o.ovl_dev, dev, false))
		return boot_fail(b, -EINVAL, "apkovl=%s: bad device '%s'", v, dev);
	b->o.ovl = OVL_DEV;
	return copy_opt(b, b->o.apkovl, sizeof(b->o.apkovl), "apkovl", path + 1);
}

/* The option at whose word a '"' opens that is never closed (the kernel
 * then takes the rest of the line into that value), into KEY; "" if none. */
static void open_quote(const char *text, char *key, size_t size)
{
	const char *word = NULL, *at = NULL, *p;
	bool in = false;

	key[0] = '\0';
	for (p = text; *p; p++) {
		if (!in && (*p == ' ' || *p == '\t' || *p == '\n'))
			word = NULL;
		else if (!word)
			word = p;
		if (*p == '"') {
			in = !in;
			if (in)
				at = word;
		}
	}
	if (in && at) {
		size_t n = strcspn(at, "= \t\n");
		if (*at == '"')
			n = 0;
		if (n > size - 2)
			n = size - 2;
		snprintf(key, size, "%.*s%s", (int)n, at, at[n] == '=' ? "=" : "");
		if (!key[0])
			snprintf(key, size, "\"");
	}
}

/* Architectures of Alpine's repositories: apk adds ARCH/APKINDEX.tar.gz to
 * a repository line itself. */
static const char *const alpine_arches[] = {
	"x86_64", "x86", "aarch64", "armhf", "armv7", "ppc64le", "s390x", "riscv64", "loongarch64", NULL,
};

/* Drop a trailing /ARCH (and '/') from each comma-separated URL of LIST in
 * place: the wiki's alpine_repo=.../main/x86_64 names what apk calls the
 * repository .../main. */
static void repo_strip_arch(char *list)
{
	char out[sizeof(((struct opts *)0)->alpine_repo)], *tok, *save = NULL;
	size_t len = 0;

	out[0] = '\0';
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);
		const char *slash;
		int i;

		while (n > 1 && tok[n - 1] == '/')
			n--;
		tok[n] = '\0';
		slash = strrchr(tok, '/');
		for (i = 0; slash && slash > tok && slash[-1] != '/' && alpine_arches[i]; i++)
			if (!strcmp(slash + 1, alpine_arches[i])) {
				n = (size_t)(slash - tok);
				break;
			}
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%.*s", len ? "," : "", (int)n, tok);
		if (len >= sizeof(out))
			break;
	}
	snprintf(list, sizeof(out), "%s", out);
}

int options_parse(struct boot *b)
{
	char path[BOOT_PATH];
	static char text[CMDLINE_MAX];
	ssize_t n;
	int err;

	if ((err = rpath(b, path, sizeof(path), "/proc/cmdline")))
		return boot_fail(b, err, "path too long");
	n = file_read_str(path, text, sizeof(text));
	if (n < 0)
		return boot_fail(b, (int)n, "%s: %s", path, strerror((int)-n));
	return options_parse_text(b, text);
}

int options_parse_text(struct boot *b, const char *text)
{
	struct opts *o = &b->o;
	char why[160];
	const char *v;
	int err;

	memset(o, 0, sizeof(*o));
	strcpy(o->init, "/sbin/init");
	strcpy(o->rootflags, "mode=0755");
	o->panic = -1;
	o->link_wait_ms = 10000;
	o->dhcp_retry = dhcp_retry_default;
	o->http_retry = http_retry_default;
	o->http_timeout_ms = 10000;
	/* a 100 MB package over a 2 Mbit/s link, with room to spare */
	o->http_deadline_ms = 600000;
	o->dev_wait_ms = 10000;
	o->nfs_timeout_ms = 30000;
	o->script_timeout_ms = 60000;
	open_quote(text, o->open_quote, sizeof(o->open_quote));
	o->ovl_max_size = OVL_MAX_SIZE_DEFAULT;
	o->ovl_max_files = OVL_MAX_FILES_DEFAULT;

	if ((err = cmdline_parse(&b->cl, text)))
		return boot_fail(b, err, "more than %d options or %d bytes",
		                 CMDLINE_MAXARGS, CMDLINE_MAX);
	/* panic= first: it decides what happens if anything below is wrong. */
	if ((v = cmdline_get(&b->cl, "panic"))) {
		char *end;
		long p = strtol(v, &end, 10);
		o->panic_given = true;
		o->panic = (int)p;
		if (end == v || *end) {
			o->panic = 0;
			return boot_fail(b, -EINVAL, "panic=%s: expected a number of seconds", v);
		}
	}

	o->quiet = cmdline_has(&b->cl, "quiet");
	o->debug = cmdline_has(&b->cl, "debug_init");
	log_init(b);

	if ((v = cmdline_get(&b->cl, "ip"))) {
		o->ip_given = true;
		if (ipconf_parse(&o->ip, v, why, sizeof(why)))
			return boot_fail(b, -EINVAL, "ip=%s: %s", v, why);
	}
	if ((v = cmdline_get(&b->cl, "BOOTIF")) && *v && (err = parse_bootif(b, v)))
		return err;
	if ((v = cmdline_get(&b->cl, "alpine_dev")) && *v) {
		if (devspec_parse(&o->alpine_dev, v, true))
			return boot_fail(b, -EINVAL, "alpine_dev=%s: expected nfs:SERVER:/PATH, UUID=, LABEL= or a device name, with optional :FSTYPE", v);
	}
	if ((v = cmdline_get(&b->cl, "alpine_repo")) && *v) {
		if (!strcmp(v, "auto"))
			o->repo_auto = true;
		else if ((err = copy_opt(b, o->alpine_repo, sizeof(o->alpine_repo), "alpine_repo", v)))
			return err;
		else
			repo_strip_arch(o->alpine_repo);
	}
	if ((v = cmdline_get(&b->cl, "apkovl")) && *v) {
		if (url_is_url(v)) {
			struct url u;
			if ((err = url_parse(&u, v)) && err != -EPROTONOSUPPORT)
				return boot_fail(b, -EINVAL, "apkovl=%s: not a valid URL", v);
			if (err)
				return boot_fail(b, err, "apkovl=%s: only http:// and https:// are supported", v);
			o->ovl = OVL_URL;
			if ((err = copy_opt(b, o->apkovl, sizeof(o->apkovl), "apkovl", v)))
				return err;
		} else if (v[0] == '/') {
			o->ovl = OVL_PATH;
			if ((err = copy_opt(b, o->apkovl, sizeof(o->apkovl), "apkovl", v)))
				return err;
		} else if ((err = parse_apkovl_dev(b, v))) {
			return err;
		}
	}
	if ((v = cmdline_get(&b->cl, "ovl_dev")) && *v) {
		if (o->ovl != OVL_NONE)
			return boot_fail(b, -EINVAL, "ovl_dev=%s: apkovl=%s is given too (one overlay: drop one of them)",
			                 v, cmdline_get(&b->cl, "apkovl"));
		if (devspec_parse(&o->ovl_dev, v, false))
			return boot_fail(b, -EINVAL, "ovl_dev=%s: expected UUID=, LABEL= or a device name, with optional :FSTYPE", v);
		o->ovl = OVL_DEV;
	}
	if ((v = cmdline_get(&b->cl, "modules")) && (err = copy_opt(b, o->modules, sizeof(o->modules), "modules", v)))
		return err;
	if ((v = cmdline_get(&b->cl, "init")) && *v) {
		if (v[0] != '/')
			return boot_fail(b, -EINVAL, "init=%s: must be an absolute path", v);
		if ((err = copy_opt(b, o->init, sizeof(o->init), "init", v)))
			return err;
	}
	if ((v = cmdline_get(&b->cl, "init_args")) && (err = copy_opt(b, o->init_args, sizeof(o->init_args), "init_args", v)))
		return err;
	if ((v = cmdline_get(&b->cl, "rootflags")) && *v && (err = copy_opt(b, o->rootflags, sizeof(o->rootflags), "rootflags", v)))
		return err;
	if ((v = cmdline_get(&b->cl, "pkgs")) && (err = copy_opt(b, o->pkgs, sizeof(o->pkgs), "pkgs", v)))
		return err;
	if ((v = cmdline_get(&b->cl, "nbinit.onfail"))) {
		char *end = NULL;
		if (!strcmp(v, "shell"))
			o->onfail = ONFAIL_SHELL;
		else if (!strcmp(v, "poweroff"))
			o->onfail = ONFAIL_POWEROFF;
		else if (!strncmp(v, "reboot", 6) && (v[6] == '\0' || v[6] == ':')) {
			o->onfail = ONFAIL_REBOOT;
			o->onfail_delay_s = 10;
			if (v[6] == ':')
				o->onfail_delay_s = (int)strtol(v + 7, &end, 10);
			if (end && (end == v + 7 || *end || o->onfail_delay_s < 0 || o->onfail_delay_s > 86400))
				return boot_fail(b, -EINVAL, "nbinit.onfail=%s: expected reboot:SECONDS", v);
		} else
			return boot_fail(b, -EINVAL, "nbinit.onfail=%s: expected shell, reboot[:SECONDS] or poweroff", v);
	}
	if (cmdline_has(&b->cl, "nbinit.apkovl_verify")) {
		v = cmdline_get(&b->cl, "nbinit.apkovl_verify");
		o->ovl_verify = !v || !strcmp(v, "1") || !strcmp(v, "yes");
		if (v && !o->ovl_verify && strcmp(v, "0") && strcmp(v, "no"))
			return boot_fail(b, -EINVAL, "nbinit.apkovl_verify=%s: expected nothing, 1/yes or 0/no", v);
	}
	if ((err = size_opt(b, "nbinit.apkovl_max_size", 1, 1LL << 40, &o->ovl_max_size)) ||
	    (err = size_opt(b, "nbinit.apkovl_max_files", 1, 10000000, &o->ovl_max_files)))
		return err;
	if ((v = cmdline_get(&b->cl, "nbinit.report")) && *v) {
		struct url u;
		if (url_parse(&u, v))
			return boot_fail(b, -EINVAL, "nbinit.report=%s: not an http:// or https:// URL", v);
		if ((err = copy_opt(b, o->report, sizeof(o->report), "nbinit.report", v)))
			return err;
	}
	o->allow_untrusted = cmdline_has(&b->cl, "nbinit.allow_untrusted");
	if ((err = seconds_opt(b, "nbinit.script_timeout", &o->script_timeout_ms)) ||
	    (err = seconds_opt(b, "nbinit.link_wait", &o->link_wait_ms)) ||
	    (err = seconds_opt(b, "nbinit.http_timeout", &o->http_timeout_ms)) ||
	    (err = seconds_opt(b, "nbinit.http_deadline", &o->http_deadline_ms)) ||
	    (err = seconds_opt(b, "nbinit.dev_wait", &o->dev_wait_ms)) ||
	    (err = seconds_opt(b, "nbinit.nfs_timeout", &o->nfs_timeout_ms)))
		return err;
	if ((v = cmdline_get(&b->cl, "nbinit.dhcp_tries"))) {
		char *end;
		long t = strtol(v, &end, 10);
		if (end == v || *end || t < 1 || t > 100)
			return boot_fail(b, -EINVAL, "nbinit.dhcp_tries=%s: expected 1-100", v);
		o->dhcp_retry.attempts = (int)t;
	}
	if (o->http_timeout_ms == 0)
		return boot_fail(b, -EINVAL, "nbinit.http_timeout=0: must be at least 1 second");
	if (o->http_deadline_ms == 0)
		return boot_fail(b, -EINVAL, "nbinit.http_deadline=0: must be at least 1 second");

	/* The network is needed for ip=, a URL overlay, an nfs: device or URL repositories. */
	b->net_needed = (o->ip_given && o->ip.mode != IPCONF_OFF) || o->ovl == OVL_URL ||
	                o->alpine_dev.kind == DEV_NFS;
	if (o->ip_given && o->ip.mode == IPCONF_OFF && (o->ovl == OVL_URL || o->alpine_dev.kind == DEV_NFS))
		return boot_fail(b, -EINVAL, "ip=%s: the network is off but %s needs it",
		                 cmdline_get(&b->cl, "ip"), o->ovl == OVL_URL ? "apkovl=URL" : "alpine_dev=nfs:");
	return 0;
}

struct http_opts boot_http_opts(const struct boot *b)
{
	struct http_opts ho = {
		.connect_timeout_ms = b->o.http_timeout_ms,
		.io_timeout_ms = b->o.http_timeout_ms,
		.deadline_ms = b->o.http_deadline_ms,
		.max_redirects = 5,
	};

	return ho;
}

const char *const *options_known(int *n)
{
	static struct cmdline_seen seen;
	static struct boot scratch;
	static bool done;

	if (!done) {
		scratch.root = "";
		cmdline_record(&seen);
		options_parse_text(&scratch, "");
		cmdline_record(NULL);
		done = true;
	}
	*n = seen.n;
	return seen.key;
}

/* Options of Alpine's initramfs-init that nbinit does not use, and why. */
static const struct {
	const char *key, *why;
} alpine_only[] = {
	{ "modloop", "nbinit mounts no modloop: the modules come in the initrd (mkpxerd, mkinitfs -F nbinit)" },
	{ "modloop_verify", "nbinit mounts no modloop" },
	{ "ssh_key", "nbinit installs no key for sshd: put it in the overlay" },
	{ "usbdelay", "block devices are waited for up to nbinit.dev_wait" },
	{ "cryptroot", "nbinit opens no encrypted device" },
	{ "dasd", "nbinit configures no s390 DASD" },
	{ NULL, NULL },
};

/* Words of the kernel and boot loaders that are never nbinit's. */
static const char *const kernel_words[] = {
	"initrd", "root", "rootfstype", "rootwait", "rdinit", "ro", "rw", "console", "BOOT_IMAGE",
	"loglevel", "debug", "single", "nomodeset", "splash", NULL,
};

struct lint {
	void (*emit)(void *ctx, const char *line);
	void *ctx;
	int n;
};

static void warn(struct lint *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct lint *l, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	l->emit(l->ctx, line);
	l->n++;
}

/* True when S starts with the lowercase PREFIX, ignoring ASCII case
 * (glibc's strncasecmp brings its locale tables into the static init). */
static bool prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (tolower((unsigned char)*s) != *prefix)
			return false;
	return true;
}

/* The known option nearest KEY, or NULL when none is near enough to be
 * what was meant. */
static const char *nearest(const char *key, const char *const *known, int n)
{
	bool ours = prefix_ci(key, "nbinit") || strchr(key, '.') == NULL;
	const char *best = NULL;
	int i, bd = 99, limit = strlen(key) >= 6 ? 2 : 1;

	if (strchr(key, '.')) {
		/* module.param: only when the module part is close to nbinit */
		size_t m = (size_t)(strchr(key, '.') - key);
		char mod[16];
		snprintf(mod, sizeof(mod), "%.*s", (int)(m < sizeof(mod) ? m : sizeof(mod) - 1), key);
		ours = str_distance(mod, "nbinit") <= 2;
		limit = 3;
	}
	if (!ours || strlen(key) < 3)
		return NULL;
	for (i = 0; i < n; i++) {
		int d = str_distance(key, known[i]);
		if (d < bd) {
			bd = d;
			best = known[i];
		}
	}
	return bd <= limit ? best : NULL;
}

/* Every {NAME} of VALUE (option KEY) that url_subst does not know. */
static void lint_placeholders(struct lint *l, const char *key, const char *value)
{
	static const char *const known[] = { "{MAC}", "{UUID}", NULL };
	const char *p = value;

	while ((p = strchr(p, '{'))) {
		const char *e = strchr(p, '}');
		char name[40];
		int i, best = -1, bd = 99;

		if (!e) {
			warn(l, "cmdline: %s=%s: '{' without '}' (placeholders are {MAC} and {UUID})", key, value);
			return;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(e - p + 1 < (int)sizeof(name) ? e - p + 1 : (int)sizeof(name) - 1), p);
		for (i = 0; known[i]; i++) {
			int d = str_distance(name, known[i]);
			if (d < bd) {
				bd = d;
				best = i;
			}
		}
		if (bd != 0 || strcmp(name, known[best])) {
			if (bd <= 2)
				warn(l, "cmdline: %s=%s: unknown placeholder %s, left as it is; did you mean %s?",
				     key, value, name, known[best]);
			else
				warn(l, "cmdline: %s=%s: unknown placeholder %s, left as it is (known: {MAC}, {UUID})",
				     key, value, name);
		}
		p = e + 1;
	}
}

int options_lint(struct boot *b, void (*emit)(void *ctx, const char *line), void *ctx)
{
	struct lint l = { emit, ctx, 0 };
	const struct cmdline *c = &b->cl;
	const char *const *known;
	const char *v;
	int n, i, j;

	known = options_known(&n);
	log_init(b);   /* options_known parsed a command line of its own */
	if (b->o.open_quote[0])
		warn(&l, "cmdline: %s: the '\"' opened there is never closed: the value runs to the end of the line",
		     b->o.open_quote);
	for (i = 0; i < c->argc; i++) {
		const char *key = c->key[i], *near;
		bool is_known = false, dup = false;

		for (j = 0; j < i; j++)
			dup |= !strcmp(c->key[j], key);
		if (dup)
			continue;   /* one warning per key */
		for (j = 0; j < n && !is_known; j++)
			is_known = !strcmp(key, known[j]);
		for (j = 0; kernel_words[j] && !is_known; j++)
			is_known = !strcmp(key, kernel_words[j]);
		if (is_known)
			continue;
		for (j = 0; alpine_only[j].key; j++)
			if (!strcmp(key, alpine_only[j].key))
				break;
		if (alpine_only[j].key) {
			warn(&l, "cmdline: %s=: Alpine's initramfs option, not used by nbinit: %s", key, alpine_only[j].why);
			continue;
		}
		near = nearest(key, known, n);
		if (near)
			warn(&l, "cmdline: %s%s: unknown option, ignored; did you mean %s%s?", key, c->val[i] ? "=" : "",
			     near, c->val[i] ? "=" : "");
		else if (prefix_ci(key, "nbinit."))
			warn(&l, "cmdline: %s: unknown nbinit option, ignored (see README.md, Boot parameters)", key);
	}
	if ((v = cmdline_get(c, "apkovl")) && b->o.ovl == OVL_URL)
		lint_placeholders(&l, "apkovl", v);
	if ((v = cmdline_get(c, "nbinit.report")) && *v)
		lint_placeholders(&l, "nbinit.report", v);
	if ((v = cmdline_get(c, "alpine_repo")) && *v && !b->o.repo_auto && strcmp(v, b->o.alpine_repo)) {
		char trimmed[sizeof(b->o.alpine_repo)];
		size_t k = strlen(v);

		/* Only a trailing '/' dropped is not worth a word. */
		snprintf(trimmed, sizeof(trimmed), "%s", v);
		while (k > 1 && trimmed[k - 1] == '/')
			trimmed[--k] = '\0';
		if (strcmp(trimmed, b->o.alpine_repo) && !strchr(v, ','))
			warn(&l, "cmdline: alpine_repo=%s: ends in the architecture, which apk adds itself "
			     "(ARCH/APKINDEX.tar.gz); using %s", v, b->o.alpine_repo);
		else if (strcmp(trimmed, b->o.alpine_repo))
			warn(&l, "cmdline: alpine_repo=%s: a URL ends in the architecture, which apk adds itself "
			     "(ARCH/APKINDEX.tar.gz); using %s", v, b->o.alpine_repo);
	}
	return l.n;
}

static const char *secs(int ms, char *buf, size_t size)
{
	snprintf(buf, size, "%d s", ms / 1000);
	return buf;
}

void options_describe(const struct boot *b, FILE *f)
{
	const struct opts *o = &b->o;
	char a[INET_ADDRSTRLEN], t[32];

	fprintf(f, "network: %s\n", !b->net_needed ? "not needed" :
	           (!o->ip_given || o->ip.mode == IPCONF_DHCP) ? "DHCP" : "static ip=");
	if (b->net_needed && o->ip_given && o->ip.mode != IPCONF_DHCP) {
		fprintf(f, "  address: %s\n", inet_ntop(AF_INET, &o->ip.client, a, sizeof(a)));
		fprintf(f, "  netmask: %s\n", o->ip.netmask.s_addr ? inet_ntop(AF_INET, &o->ip.netmask, a, sizeof(a)) :
		           "(none: the class default)");
		fprintf(f, "  gateway: %s\n", o->ip.gw.s_addr ? inet_ntop(AF_INET, &o->ip.gw, a, sizeof(a)) : "(none)");
		if (o->ip.hostname[0])
			fprintf(f, "  hostname: %s\n", o->ip.hostname);
		for (int i = 0; i < 2; i++)
			if (o->ip.dns[i].s_addr)
				fprintf(f, "  name server: %s\n", inet_ntop(AF_INET, &o->ip.dns[i], a, sizeof(a)));
	} else if (b->net_needed) {
		fprintf(f, "  DHCP: %d udhcpc runs, backoff %d ms doubling to %d ms\n", o->dhcp_retry.attempts,
		           o->dhcp_retry.first_ms, o->dhcp_retry.cap_ms);
	}
	if (o->ip.device[0])
		fprintf(f, "interface: %s (ip=)\n", o->ip.device);
	else if (o->bootif[0])
		fprintf(f, "interface: the one with MAC %s (BOOTIF)\n", o->bootif);
	else if (b->net_needed && (!o->ip_given || o->ip.mode == IPCONF_DHCP))
		fprintf(f, "interface: every physical one, the first lease wins (links waited for up to %s, "
		           "nbinit.link_wait)\n", secs(o->link_wait_ms, t, sizeof(t)));
	else if (b->net_needed)
		fprintf(f, "interface: the first with carrier within %s (nbinit.link_wait)\n", secs(o->link_wait_ms, t, sizeof(t)));
	fprintf(f, "modules: %s\n", o->modules[0] ? o->modules : "(none besides coldplug and what the options need)");
	if (o->alpine_dev.kind) {
		char d[600];
		fprintf(f, "boot media: %s%s%s\n", devspec_str(&o->alpine_dev, d, sizeof(d)),
		           o->alpine_dev.fstype[0] ? " as " : "", o->alpine_dev.fstype);
	}
	if (o->ovl == OVL_URL)
		fprintf(f, "overlay: GET %s\n", o->apkovl);
	else if (o->ovl == OVL_DEV) {
		char d[600];
		fprintf(f, "overlay: %s on %s%s%s\n", o->apkovl[0] ? o->apkovl : "*.apkovl.tar.gz",
		           devspec_str(&o->ovl_dev, d, sizeof(d)), o->ovl_dev.fstype[0] ? " as " : "", o->ovl_dev.fstype);
	} else if (o->ovl == OVL_PATH)
		fprintf(f, "overlay: %s\n", o->apkovl);
	else
		fprintf(f, "overlay: the boot media's *.apkovl.tar.gz, if any\n");
	if (o->ovl_verify)
		fprintf(f, "  signature: required (nbinit.apkovl_verify)\n");
	fprintf(f, "repositories: %s\n", o->alpine_repo[0] ? o->alpine_repo : "the boot media's .boot_repository directories");
	fprintf(f, "packages: alpine-base, the overlay's /etc/apk/world%s%s\n", o->pkgs[0] ? ", " : "", o->pkgs);
	fprintf(f, "  index signatures: %s\n", o->allow_untrusted ? "not required (nbinit.allow_untrusted)" :
	           "required (/etc/apk/keys)");
	fprintf(f, "  script timeout: %s\n", secs(o->script_timeout_ms, t, sizeof(t)));
	fprintf(f, "HTTP: timeout %s, whole request %s\n", secs(o->http_timeout_ms, t, sizeof(t)),
	           secs(o->http_deadline_ms, a, sizeof(a)));
	fprintf(f, "waits: block device %s, NFS mount %s\n", secs(o->dev_wait_ms, t, sizeof(t)),
	           secs(o->nfs_timeout_ms, a, sizeof(a)));
	fprintf(f, "new root: tmpfs %s\n", o->rootflags);
	fprintf(f, "init: %s %s\n", o->init, o->init_args);
	if (o->onfail == ONFAIL_REBOOT)
		fprintf(f, "on failure: reboot after %d s (nbinit.onfail)\n", o->onfail_delay_s);
	else if (o->onfail == ONFAIL_POWEROFF)
		fprintf(f, "on failure: power off (nbinit.onfail)\n");
	else if (o->onfail == ONFAIL_SHELL)
		fprintf(f, "on failure: rescue shell (nbinit.onfail)\n");
	else if (o->panic_given && o->panic > 0)
		fprintf(f, "on failure: exit so the kernel reboots after %d s (panic=%d)\n", o->panic, o->panic);
	else if (o->panic_given && o->panic < 0)
		fprintf(f, "on failure: exit so the kernel reboots at once (panic=%d)\n", o->panic);
	else if (o->panic_given)
		fprintf(f, "on failure: exit, and the kernel halts (panic=0)\n");
	else
		fprintf(f, "on failure: rescue shell\n");
	if (o->report[0])
		fprintf(f, "report: POST the outcome to %s\n", o->report);
	if (o->quiet || o->debug)
		fprintf(f, "console: %s\n", o->debug ? "debug_init: extra detail" : "quiet: warnings and errors only");
}
