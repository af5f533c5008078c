/* lease_read on leases as udhcpc's script writes them: a host name or
 * domain from the DHCP server that is not a DNS name never reaches
 * b->net (and so neither sethostname, resolv.conf nor /run/nbinit/net);
 * one warning names it, printable. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	return done_testing();
}
