/* ipconf_parse and ipconf_prefixlen over every ip= form. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "ipconf.h"
#include "tap.h"

struct row {
	const char *file;
	int line;
	const char *val;
	int rc;
	enum ipconf_mode mode;
	/* client server gw netmask dns0 dns1 ntp; NULL means 0.0.0.0 */
	const char *addr[7];
	const char *hostname, *device;
	const char *why;   /* substring of the reason on error */
};

#define OK(val, mode, c, s, g, m, host, dev, d0, d1, ntp) \
	{ __FILE__, __LINE__, val, 0, mode, { c, s, g, m, d0, d1, ntp }, host, dev, NULL }
#define BAD(val, why) \
	{ __FILE__, __LINE__, val, -EINVAL, IPCONF_UNSET, { 0 }, "", "", why }

#define N NULL

static const struct row rows[] = {
	OK("dhcp",  IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK("on",    IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK("any",   IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK("bootp", IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK("rarp",  IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK("both",  IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK("off",   IPCONF_OFF,  N, N, N, N, "", "", N, N, N),
	OK("none",  IPCONF_OFF,  N, N, N, N, "", "", N, N, N),
	/* nothing known: the kernel configures automatically */
	OK("",      IPCONF_DHCP, N, N, N, N, "", "", N, N, N),
	OK(":::::eth0:dhcp", IPCONF_DHCP, N, N, N, N, "", "eth0", N, N, N),
	OK(":::::eth1", IPCONF_DHCP, N, N, N, N, "", "eth1", N, N, N),
	OK("::::box:eth0:", IPCONF_DHCP, N, N, N, N, "box", "eth0", N, N, N),
	OK(":::::eth0:off", IPCONF_OFF, N, N, N, N, "", "eth0", N, N, N),
	OK(":::::eth0:none", IPCONF_OFF, N, N, N, N, "", "eth0", N, N, N),
	/* an address with autoconf asking for DHCP still means DHCP */
	OK("10.0.0.5::::::dhcp", IPCONF_DHCP, "10.0.0.5", N, N, N, "", "", N, N, N),
	OK("10.0.0.5:::::eth0:any", IPCONF_DHCP, "10.0.0.5", N, N, N, "", "eth0", N, N, N),
	/* static */
	OK("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:nb1:eth0:off",
	   IPCONF_STATIC, "10.0.2.15", "10.0.2.2", "10.0.2.2", "255.255.255.0", "nb1", "eth0", N, N, N),
	OK("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:nb1:eth0:none:10.0.2.3:8.8.8.8:10.0.2.4",
	   IPCONF_STATIC, "10.0.2.15", "10.0.2.2", "10.0.2.2", "255.255.255.0", "nb1", "eth0",
	   "10.0.2.3", "8.8.8.8", "10.0.2.4"),
	OK("10.0.2.15::10.0.2.2:255.255.255.0::eth0::10.0.2.3",
	   IPCONF_STATIC, "10.0.2.15", N, "10.0.2.2", "255.255.255.0", "", "eth0", "10.0.2.3", N, N),
	OK("192.168.1.7::192.168.1.1:255.255.255.0",
	   IPCONF_STATIC, "192.168.1.7", N, "192.168.1.1", "255.255.255.0", "", "", N, N, N),
	OK("192.168.1.7:::255.255.254.0:::", IPCONF_STATIC,
	   "192.168.1.7", N, N, "255.255.254.0", "", "", N, N, N),
	/* no netmask: the kernel's classful guess */
	OK("10.1.2.3", IPCONF_STATIC, "10.1.2.3", N, N, "255.0.0.0", "", "", N, N, N),
	OK("172.16.5.4::172.16.0.1", IPCONF_STATIC, "172.16.5.4", N, "172.16.0.1", "255.255.0.0",
	   "", "", N, N, N),
	OK("192.168.9.9:::::eth0:off", IPCONF_STATIC, "192.168.9.9", N, N, "255.255.255.0",
	   "", "eth0", N, N, N),
	OK("10.0.0.9:::0.0.0.0", IPCONF_STATIC, "10.0.0.9", N, N, "255.0.0.0", "", "", N, N, N),
	OK("10.0.0.9:::255.255.255.255", IPCONF_STATIC, "10.0.0.9", N, N, "255.255.255.255",
	   "", "", N, N, N),
	/* 0.0.0.0 is "no address" */
	OK("0.0.0.0:::::eth0", IPCONF_DHCP, N, N, N, N, "", "eth0", N, N, N),
	OK("::::hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh:eth0",
	   IPCONF_DHCP, N, N, N, N, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh",
	   "eth0", N, N, N),
	OK(":::::enp0s25abcdefgh", IPCONF_DHCP, N, N, N, N, "", "enp0s25abcdefgh", N, N, N),

	BAD("10.0.0", "field 1 (client) '10.0.0' is not an IPv4 address"),
	BAD("10.0.0.256", "field 1 (client)"),
	BAD("10.0.0.1 ", "field 1 (client)"),
	BAD("fe80::1", "field 1 (client)"),
	BAD("10.0.0.5:10.0.0.x", "field 2 (server) '10.0.0.x'"),
	BAD("10.0.0.5::gw", "field 3 (gw) 'gw'"),
	BAD("10.0.0.5:::255.0.x", "field 4 (netmask) '255.0.x' is not an IPv4 address"),
	BAD("10.0.0.5:::255.0.255.0", "field 4 (netmask) '255.0.255.0' is not contiguous"),
	BAD("10.0.0.5:::0.255.255.255", "not contiguous"),
	BAD("10.0.0.5::::h:eth0:off:1.2.3", "field 8 (dns0)"),
	BAD("10.0.0.5::::h:eth0:off:1.2.3.4:dns", "field 9 (dns1) 'dns'"),
	BAD("10.0.0.5::::h:eth0:off:::ntp.example", "field 10 (ntp0)"),
	BAD("10.0.0.5::::h:eth0:off:::1.2.3.4:", "more than 10"),
	BAD(":::::eth0:dhcp6", "field 7 (autoconf) 'dhcp6' is unknown"),
	BAD(":::::eth0:DHCP", "field 7 (autoconf)"),
	BAD(":::::eth0:averyveryverylongword", "field 7 (autoconf)"),
	BAD(":::::enp0s25abcdefghi", "field 6 (device)"),
	BAD("::::hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh", "field 5 (hostname)"),
	/* class D/E: no classful netmask to guess */
	BAD("224.0.0.5", "cannot be guessed"),
	BAD("240.1.2.3:::::eth0:off", "cannot be guessed"),
	BAD("DHCP", "field 1 (client) 'DHCP'"),
};

static void check_addr(const struct row *r, const char *name, struct in_addr got, const char *want)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr w = { 0 };

	if (want)
		inet_pton(AF_INET, want, &w);
	inet_ntop(AF_INET, &got, buf, sizeof(buf));
	ok_at(got.s_addr == w.s_addr, r->file, r->line, "'%s': %s %s (want %s)",
	      r->val, name, buf, want ? want : "0.0.0.0");
}

static void run_row(const struct row *r)
{
	struct ipconf ic;
	char why[256] = "unchanged";
	int err;

	memset(&ic, 0x55, sizeof(ic));
	err = ipconf_parse(&ic, r->val, why, sizeof(why));
	if (!ok_at(err == r->rc, r->file, r->line, "'%s': rc %d (want %d) why '%s'",
	           r->val, err, r->rc, why))
		return;
	if (err) {
		ok_at(strstr(why, r->why) != NULL, r->file, r->line, "'%s': why '%s' has '%s'",
		      r->val, why, r->why);
		return;
	}
	ok_at(why[0] == '\0', r->file, r->line, "'%s': why empty on success", r->val);
	ok_at(ic.mode == r->mode, r->file, r->line, "'%s': mode %d (want %d)", r->val, ic.mode, r->mode);
	check_addr(r, "client", ic.client, r->addr[0]);
	check_addr(r, "server", ic.server, r->addr[1]);
	check_addr(r, "gw", ic.gw, r->addr[2]);
	check_addr(r, "netmask", ic.netmask, r->addr[3]);
	check_addr(r, "dns0", ic.dns[0], r->addr[4]);
	check_addr(r, "dns1", ic.dns[1], r->addr[5]);
	check_addr(r, "ntp", ic.ntp, r->addr[6]);
	ok_at(strcmp(ic.hostname, r->hostname) == 0, r->file, r->line, "'%s': hostname '%s'",
	      r->val, ic.hostname);
	ok_at(strcmp(ic.device, r->device) == 0, r->file, r->line, "'%s': device '%s'",
	      r->val, ic.device);
}

struct mask_row {
	const char *file;
	int line;
	const char *mask;
	int want;
};

#define MASK(m, w) { __FILE__, __LINE__, m, w }

static const struct mask_row masks[] = {
	MASK("0.0.0.0", 0),
	MASK("128.0.0.0", 1),
	MASK("255.0.0.0", 8),
	MASK("255.255.0.0", 16),
	MASK("255.255.254.0", 23),
	MASK("255.255.255.0", 24),
	MASK("255.255.255.252", 30),
	MASK("255.255.255.254", 31),
	MASK("255.255.255.255", 32),
	MASK("255.0.255.0", -EINVAL),
	MASK("0.0.0.255", -EINVAL),
	MASK("255.255.255.253", -EINVAL),
	MASK("127.0.0.0", -EINVAL),
};

int main(void)
{
	struct in_addr a;
	char why[8];
	struct ipconf ic;
	size_t i;
	int n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		inet_pton(AF_INET, masks[i].mask, &a);
		n = ipconf_prefixlen(a);
		ok_at(n == masks[i].want, masks[i].file, masks[i].line, "prefixlen(%s) = %d (want %d)",
		      masks[i].mask, n, masks[i].want);
	}

	/* WHY may be NULL or short */
	ok(ipconf_parse(&ic, "1.2.3", NULL, 0) == -EINVAL, "NULL why: still -EINVAL");
	ok(ipconf_parse(&ic, "1.2.3", why, sizeof(why)) == -EINVAL && strlen(why) == sizeof(why) - 1,
	   "short why is truncated: '%s'", why);
	ok(ipconf_parse(&ic, "1.2.3", why, sizeof(why)) == -EINVAL && ic.mode == IPCONF_UNSET,
	   "failed parse leaves mode UNSET");
	return done_testing();
}
