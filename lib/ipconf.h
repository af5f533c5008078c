/* The nfsroot-style ip= option (Documentation/admin-guide/nfs/nfsroot.rst). */
#ifndef NB_IPCONF_H
#define NB_IPCONF_H

#include <netinet/in.h>
#include <net/if.h>

enum ipconf_mode {
	IPCONF_UNSET = 0,  /* no ip= given */
	IPCONF_OFF,        /* ip=off / ip=none / autoconf off|none without address */
	IPCONF_DHCP,       /* ip=dhcp, or autoconf dhcp/bootp/rarp/any/on, or no client address */
	IPCONF_STATIC,     /* client address given and autoconf off/none/empty */
};

struct ipconf {
	enum ipconf_mode mode;
	struct in_addr client, server, gw, netmask;  /* 0.0.0.0 when empty */
	char hostname[65];
	char device[IF_NAMESIZE];                    /* "" when empty */
	struct in_addr dns[2];
	struct in_addr ntp;
};

/* Parse the value of ip= into IC. Accepts "dhcp", "off", "none", "on",
 * "any", "bootp", "rarp" and client:server:gw:netmask:hostname:device:
 * autoconf:dns0:dns1:ntp0 (trailing fields optional). Returns 0 or -EINVAL
 * (bad address, too many fields, unknown autoconf, static without netmask
 * that cannot be derived, name too long). On error WHY (may be NULL) gets a
 * short reason such as "field 4 (netmask) '255.0.x' is not an IPv4 address". */
int ipconf_parse(struct ipconf *ic, const char *val, char *why, size_t whylen);

/* Prefix length of NETMASK, or -EINVAL when it is not contiguous. */
int ipconf_prefixlen(struct in_addr netmask);

#endif
