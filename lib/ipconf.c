/* The nfsroot-style ip= option:
 *   ip=client:server:gw:netmask:hostname:device:autoconf:dns0:dns1:ntp0
 * or one of the words off, none, on, any, dhcp, bootp, rarp, both.
 * Addresses must be dotted quads; an empty field means "not given". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipconf.h"

#define IPCONF_FIELDS 10

static const char *const field_name[IPCONF_FIELDS] = {
	"client", "server", "gw", "netmask", "hostname",
	"device", "autoconf", "dns0", "dns1", "ntp0",
};

/* Words that ask for automatic configuration; we only speak DHCP, which
 * also answers BOOTP and RARP requests in practice. */
static const char *const auto_words[] = {
	"on", "any", "dhcp", "bootp", "rarp", "both",
};

static int is_auto_word(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(auto_words) / sizeof(auto_words[0]); i++)
		if (strcmp(s, auto_words[i]) == 0)
			return 1;
	return 0;
}

static int is_off_word(const char *s)
{
	return strcmp(s, "off") == 0 || strcmp(s, "none") == 0;
}

static int fail(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Parse field N (text S, length LEN) as an IPv4 address into A. */
static int parse_addr(struct in_addr *a, int n, const char *s, size_t len,
                      char *why, size_t whylen)
{
	char tmp[INET_ADDRSTRLEN];

	a->s_addr = 0;
	if (len == 0)
		return 0;
	if (len >= sizeof(tmp))
		goto err_bad;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, a) != 1)
		goto err_bad;
	return 0;

err_bad:
	return fail(why, whylen, -EINVAL, "field %d (%s) '%.*s' is not an IPv4 address",
	            n + 1, field_name[n], (int)(len > 40 ? 40 : len), s);
}

/* Classful default netmask of A, as the kernel guesses it; 0 for class D/E. */
static in_addr_t classful_mask(struct in_addr a)
{
	in_addr_t h = ntohl(a.s_addr);

	if ((h & 0x80000000u) == 0)
		return htonl(0xff000000u);
	if ((h & 0xc0000000u) == 0x80000000u)
		return htonl(0xffff0000u);
	if ((h & 0xe0000000u) == 0xc0000000u)
		return htonl(0xffffff00u);
	return 0;
}

/* Prefix length of a contiguous NETMASK (0..32), or -EINVAL. */
int ipconf_prefixlen(struct in_addr netmask)
{
	in_addr_t h = ntohl(netmask.s_addr);
	int n = 0;

	while (n < 32 && (h & (0x80000000u >> n)))
		n++;
	if (n < 32 && (h << n) != 0)
		return -EINVAL;
	return n;
}

/* Parse the value of ip= into IC (see ipconf.h). Returns 0 or -EINVAL
 * with WHY naming the offending field. */
int ipconf_parse(struct ipconf *ic, const char *val, char *why, size_t whylen)
{
	const char *f[IPCONF_FIELDS] = { 0 };
	size_t flen[IPCONF_FIELDS] = { 0 };
	struct in_addr *addr_field[IPCONF_FIELDS] = { 0 };
	char autoconf[16] = "";
	const char *p = val, *colon;
	int n = 0, i, err;

	memset(ic, 0, sizeof(*ic));
	if (why && whylen)
		why[0] = '\0';

	if (is_off_word(val)) {
		ic->mode = IPCONF_OFF;
		return 0;
	}
	if (is_auto_word(val)) {
		ic->mode = IPCONF_DHCP;
		return 0;
	}

	for (;;) {
		if (n == IPCONF_FIELDS)
			return fail(why, whylen, -EINVAL,
			            "more than %d ':'-separated fields", IPCONF_FIELDS);
		colon = strchr(p, ':');
		f[n] = p;
		flen[n] = colon ? (size_t)(colon - p) : strlen(p);
		n++;
		if (!colon)
			break;
		p = colon + 1;
	}

	addr_field[0] = &ic->client;
	addr_field[1] = &ic->server;
	addr_field[2] = &ic->gw;
	addr_field[3] = &ic->netmask;
	addr_field[7] = &ic->dns[0];
	addr_field[8] = &ic->dns[1];
	addr_field[9] = &ic->ntp;
	for (i = 0; i < n; i++) {
		if (addr_field[i] &&
		    (err = parse_addr(addr_field[i], i, f[i], flen[i], why, whylen)))
			goto err_clear;
	}

	if (flen[4] >= sizeof(ic->hostname)) {
		err = fail(why, whylen, -EINVAL, "field 5 (hostname) is longer than %zu characters",
		           sizeof(ic->hostname) - 1);
		goto err_clear;
	}
	memcpy(ic->hostname, f[4] ? f[4] : "", flen[4]);
	ic->hostname[flen[4]] = '\0';

	if (flen[5] >= sizeof(ic->device)) {
		err = fail(why, whylen, -EINVAL, "field 6 (device) '%.*s' is longer than %zu characters",
		           (int)(flen[5] > 40 ? 40 : flen[5]), f[5], sizeof(ic->device) - 1);
		goto err_clear;
	}
	memcpy(ic->device, f[5] ? f[5] : "", flen[5]);
	ic->device[flen[5]] = '\0';

	if (flen[6] >= sizeof(autoconf)) {
		err = fail(why, whylen, -EINVAL, "field 7 (autoconf) '%.*s' is unknown",
		           (int)(flen[6] > 40 ? 40 : flen[6]), f[6]);
		goto err_clear;
	}
	memcpy(autoconf, f[6] ? f[6] : "", flen[6]);
	autoconf[flen[6]] = '\0';

	if (autoconf[0] && !is_off_word(autoconf) && !is_auto_word(autoconf)) {
		err = fail(why, whylen, -EINVAL, "field 7 (autoconf) '%s' is unknown "
		           "(want off, none, on, any, dhcp, bootp, rarp)", autoconf);
		goto err_clear;
	}

	if (ic->netmask.s_addr && ipconf_prefixlen(ic->netmask) < 0) {
		err = fail(why, whylen, -EINVAL, "field 4 (netmask) '%.*s' is not contiguous",
		           (int)flen[3], f[3]);
		goto err_clear;
	}

	if (is_auto_word(autoconf)) {
		ic->mode = IPCONF_DHCP;
	} else if (ic->client.s_addr == 0) {
		/* the kernel configures automatically when it has no address,
		 * unless told off */
		ic->mode = autoconf[0] ? IPCONF_OFF : IPCONF_DHCP;
	} else {
		ic->mode = IPCONF_STATIC;
		if (ic->netmask.s_addr == 0) {
			ic->netmask.s_addr = classful_mask(ic->client);
			if (ic->netmask.s_addr == 0) {
				err = fail(why, whylen, -EINVAL, "field 4 (netmask) is empty and "
				           "cannot be guessed for class D/E address '%.*s'",
				           (int)flen[0], f[0]);
				goto err_clear;
			}
		}
	}
	return 0;

err_clear:
	memset(ic, 0, sizeof(*ic));
	return err;
}
