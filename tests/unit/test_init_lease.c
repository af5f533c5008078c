/* The DHCP lease (init/dhcp.c): what the init, run as udhcpc's event
 * script (dhcp_script_main), writes from udhcpc's environment is read back
 * by lease_read into the same values; and lease_read on leases as that
 * script writes them: a host name or domain from the DHCP server that is
 * not a DNS name never reaches b->net (and so neither sethostname,
 * resolv.conf nor /run/nbinit/net); one warning names it, printable. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "tap.h"

struct row {
	const char *file;
	int line;
	const char *hostname, *domain;     /* as sent; NULL: not in the lease */
	const char *want_host, *want_domain;
	const char *warning;               /* substring of stderr; "" for none */
};

#define R(h, d, wh, wd, w) { __FILE__, __LINE__, h, d, wh, wd, w }

static char long_host[80], long_domain[300];

static const struct row rows[] = {
	R("node1", "example.org", "node1", "example.org", ""),
	R(NULL, NULL, "", "", ""),
	R("node1.lab.example.org", "lab.example.org.", "node1.lab.example.org", "lab.example.org.", ""),
	R("evil\nnameserver 6.6.6.6", "ok.example", "", "ok.example",
	  "net: DHCP host name 'evil\\x0anameserver 6.6.6.6' is not a valid DNS name"),
	R("node1", "example.org\nnameserver 6.6.6.6", "node1", "",
	  "net: DHCP domain 'example.org\\x0anameserver 6.6.6.6' is not a valid DNS name"),
	R("x'$(reboot)'", NULL, "", "", "host name 'x'$(reboot)''"),
	R("-lead", NULL, "", "", "DHCP host name '-lead'"),
	R(NULL, "a b", "", "", "DHCP domain 'a b'"),
	R("bad_underscore", NULL, "", "", "host name 'bad_underscore'"),
	R(long_host, NULL, "", "", "(RFC 1123, at most 64 bytes)"),
	R("ok", long_domain, "ok", "", "(RFC 1123, at most 253 bytes); ignored"),
	R("", "", "", "", ""),
};

/* udhcpc's environment for one event, as busybox udhcpc exports it. */
struct env { const char *key, *value; };

static const char *const env_keys[] = {
	"interface", "ip", "subnet", "mask", "router", "dns", "hostname", "domain",
	"siaddr", "serverid", "ntpsrv", "lease", "boot_file", "broadcast", NULL,
};

/* Run the script mode with ENV (a NULL key ends it) for EVENT in RUN;
 * its exit status. */
static int script(const char *run, const char *event, const struct env *env)
{
	char *argv[] = { DHCP_SCRIPT_NAME, (char *)event, NULL };
	int i;

	for (i = 0; env_keys[i]; i++)
		unsetenv(env_keys[i]);
	for (i = 0; env[i].key; i++)
		setenv(env[i].key, env[i].value, 1);
	setenv("NBINIT_RUN", run, 1);
	return dhcp_script_main(2, argv);
}

static const char *ip4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* What the script mode writes is what lease_read reads: addresses, mask
 * and prefix, router, DNS servers, next server, NTP, host name, domain;
 * a hostile host name is dropped on the way and the rest kept. */
static void round_trip(void)
{
	static const struct env full[] = {
		{ "interface", "eth1" }, { "ip", "10.0.2.15" }, { "subnet", "255.255.254.0" }, { "mask", "23" },
		{ "router", "10.0.2.2 10.0.2.1" }, { "dns", "10.0.2.3 192.0.2.53 198.51.100.53 203.0.113.53" },
		{ "hostname", "node7" }, { "domain", "lab.example.org" }, { "siaddr", "10.0.2.4" },
		{ "serverid", "10.0.2.2" }, { "ntpsrv", "10.0.2.5 10.0.2.6" }, { "lease", "86400" },
		{ "broadcast", "10.0.3.255" }, { NULL, NULL },
	};
	static const struct env hostile[] = {
		{ "interface", "eth0" }, { "ip", "192.0.2.77" }, { "subnet", "255.255.255.0" }, { "mask", "24" },
		{ "router", "192.0.2.1" }, { "dns", "192.0.2.1" },
		{ "hostname", "x'\n$(reboot)\nnameserver 6.6.6.6" }, { "domain", "ok.example" }, { NULL, NULL },
	};
	static const struct env no_iface[] = { { "ip", "10.0.2.15" }, { NULL, NULL } };
	static const struct env slash[] = { { "interface", "../eth0" }, { "ip", "10.0.2.15" }, { NULL, NULL } };
	static struct boot b;
	char run[] = "/tmp/nblease-run.XXXXXX", p[512], text[4096], a[8][INET_ADDRSTRLEN];
	struct stat st;
	int rc, err;

	if (!mkdtemp(run)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	rc = script(run, "bound", full);
	snprintf(p, sizeof(p), "%s/dhcp.eth1", run);
	ok(rc == 0 && file_read_str(p, text, sizeof(text)) > 0, "bound: the script mode wrote %s (exit %d)", p, rc);
	memset(&b, 0, sizeof(b));
	b.root = "";
	err = lease_read(&b, text);
	ok(err == 0 && !strcmp(ip4(b.net.addr, a[0]), "10.0.2.15") && !strcmp(ip4(b.net.mask, a[1]), "255.255.254.0") &&
	   ipconf_prefixlen(b.net.mask) == 23 && !strcmp(ip4(b.net.gw, a[2]), "10.0.2.2"),
	   "read back: address %s, mask %s (prefix %d, udhcpc's mask=23), router %s (the first of two); err %d",
	   a[0], a[1], ipconf_prefixlen(b.net.mask), a[2], err);
	ok(b.net.ndns == 3 && !strcmp(ip4(b.net.dns[0], a[0]), "10.0.2.3") &&
	   !strcmp(ip4(b.net.dns[1], a[1]), "192.0.2.53") && !strcmp(ip4(b.net.dns[2], a[2]), "198.51.100.53"),
	   "read back: the first 3 of 4 DNS servers (%d: %s %s %s)", b.net.ndns, a[0], a[1], a[2]);
	ok(!strcmp(ip4(b.net.next_server, a[0]), "10.0.2.4") && !strcmp(ip4(b.net.ntp, a[1]), "10.0.2.5"),
	   "read back: next server %s, NTP %s (the first of two)", a[0], a[1]);
	ok(!strcmp(b.net.hostname, "node7") && !strcmp(b.net.domain, "lab.example.org"),
	   "read back: host name '%s', domain '%s'", b.net.hostname, b.net.domain);

	/* renew writes the lease too, replacing the file. */
	rc = script(run, "renew", hostile);
	snprintf(p, sizeof(p), "%s/dhcp.eth0", run);
	ok(rc == 0 && file_read_str(p, text, sizeof(text)) > 0, "renew: the script mode wrote %s (exit %d)", p, rc);
	memset(&b, 0, sizeof(b));
	b.root = "";
	err = lease_read(&b, text);
	ok(err == 0 && !strcmp(ip4(b.net.addr, a[0]), "192.0.2.77") && ipconf_prefixlen(b.net.mask) == 24 &&
	   !strcmp(ip4(b.net.gw, a[1]), "192.0.2.1") && b.net.ndns == 1,
	   "a hostile host name: the rest of the lease is read (%s/%d via %s, %d DNS)", a[0],
	   ipconf_prefixlen(b.net.mask), a[1], b.net.ndns);
	ok(b.net.hostname[0] == '\0' && !strcmp(b.net.domain, "ok.example"),
	   "a hostile host name is dropped ('%s'), the domain kept ('%s')", b.net.hostname, b.net.domain);

	/* Events that carry no lease write nothing; a lease without a
	 * usable interface name is refused. */
	snprintf(p, sizeof(p), "%s/dhcp.eth1", run);
	unlink(p);
	rc = script(run, "deconfig", full);
	ok(rc == 0 && stat(p, &st) < 0, "deconfig: exit 0, no lease written");
	rc = script(run, "leasefail", full);
	ok(rc == 0 && stat(p, &st) < 0, "leasefail: exit 0, no lease written");
	rc = script(run, "bound", no_iface);
	ok(rc == 1, "bound without interface: exit %d (want 1)", rc);
	rc = script(run, "bound", slash);
	ok(rc == 1, "bound with interface '../eth0': exit %d (want 1)", rc);
	memset(text, 0, sizeof(text));
	kv_append(text, sizeof(text), &(size_t){ 0 }, "subnet", "255.255.255.0");
	memset(&b, 0, sizeof(b));
	b.root = "";
	ok(lease_read(&b, text) == -EBADMSG, "a lease without ip: -EBADMSG");
	sh("rm -rf '%s'", run);
	for (rc = 0; env_keys[rc]; rc++)
		unsetenv(env_keys[rc]);
}

int main(void)
{
	static struct boot b;
	char lease[2048], err_path[] = "/tmp/nblease.XXXXXX", got[4096];
	size_t i, len;
	int fd = mkstemp(err_path), saved = dup(2), rc;

	if (fd < 0 || saved < 0) {
		printf("Bail out! mkstemp: %s\n", strerror(errno));
		return 1;
	}
	memset(long_host, 'h', 70);
	for (i = 0; i + 2 < sizeof(long_domain); i += 2)
		memcpy(long_domain + i, "d.", 2);
	long_domain[sizeof(long_domain) - 2] = 'd';

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		memset(&b, 0, sizeof(b));
		b.root = "";
		len = 0;
		lease[0] = '\0';
		kv_append(lease, sizeof(lease), &len, "interface", "eth0");
		kv_append(lease, sizeof(lease), &len, "ip", "10.0.2.15");
		kv_append(lease, sizeof(lease), &len, "subnet", "255.255.255.0");
		if (r->hostname)
			kv_append(lease, sizeof(lease), &len, "hostname", r->hostname);
		if (r->domain)
			kv_append(lease, sizeof(lease), &len, "domain", r->domain);
		if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) || dup2(fd, 2) < 0) {
			printf("Bail out! stderr: %s\n", strerror(errno));
			return 1;
		}
		rc = lease_read(&b, lease);
		fflush(stderr);
		dup2(saved, 2);
		memset(got, 0, sizeof(got));
		if (pread(fd, got, sizeof(got) - 1, 0) < 0)
			got[0] = '\0';
		ok_at(rc == 0 && !strcmp(b.net.hostname, r->want_host) &&
		      !strcmp(b.net.domain, r->want_domain), r->file, r->line,
		      "lease hostname/domain -> '%s' / '%s' (rc %d)", b.net.hostname, b.net.domain, rc);
		if (r->warning[0])
			ok_at(strstr(got, r->warning) && strchr(got, '\n') == got + strlen(got) - 1,
			      r->file, r->line,
			      "one warning line with '%s' (got '%.*s')", r->warning,
			      (int)strcspn(got, "\n"), got);
		else
			ok_at(got[0] == '\0', r->file, r->line, "no warning (got '%s')", got);
	}
	unlink(err_path);
	round_trip();
	return done_testing();
}
