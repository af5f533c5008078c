/* A small IPv4 stub resolver: the hosts file, then A queries over UDP to
 * the name servers of resolv.conf (TCP when an answer is truncated), with
 * the waits as data. What glibc's getaddrinfo brings into a static binary
 * (NSS, nscd, IDN, the dynamic loader) is 160 KB; the init needs A records. */
#ifndef NB_DNS_H
#define NB_DNS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_NS     3
#define DNS_MAX_SEARCH 3

struct dns_conf {
	struct in_addr ns[DNS_MAX_NS];   /* "nameserver" lines (IPv4 only) */
	int nns;
	char search[DNS_MAX_SEARCH][128];/* "search" / "domain" */
	int nsearch;
	unsigned short port;             /* 53; tests use another */
	char hosts[256];                 /* hosts file to look in first, "" none */
};

/* How long to wait for each name server in each round (ms), the last entry
 * 0: every server is asked once per round, rounds are tried in order. */
extern const int dns_round_ms[];

/* Read RESOLV (resolv.conf) into C, with HOSTS as its hosts file (either
 * may be NULL or missing: no name servers, no hosts file). Returns 0. */
int dns_conf_read(struct dns_conf *c, const char *resolv, const char *hosts);

/* IPv4 addresses of NAME into OUT (up to MAX): a dotted quad as is, the
 * hosts file, then DNS (a name without a dot is tried with each search
 * domain first), all within BUDGET_MS. Returns the count (>= 1),
 * -ENOENT (no such name, or no address), -EAGAIN (no name server
 * answered), -EDESTADDRREQ (no name server configured), -EINVAL (not a
 * valid host name) or another -errno. */
int dns_lookup4(const struct dns_conf *c, const char *name, struct in_addr *out, int max,
                int budget_ms);

/* ERR of dns_lookup4/dns_resolve4 in words ("no such host", "name server
 * not answering", ...), for one failure line. */
const char *dns_strerror(int err);

/* dns_lookup4 with /etc/resolv.conf and /etc/hosts. */
int dns_resolve4(const char *name, struct in_addr *out, int max, int budget_ms);

/* Build an A query for NAME (no trailing dot needed) with ID into BUF
 * (SIZE bytes). Returns its length, or -EINVAL for an invalid name. */
int dns_query_a(unsigned char *buf, size_t size, const char *name, uint16_t id);

/* Parse the answer MSG (LEN bytes) to the query ID for NAME: the A records
 * of its answer section into OUT (up to MAX). *RCODE gets the response
 * code and *TC the truncation bit. Returns the number of addresses, or
 * -EBADMSG when MSG is not an answer to that query (wrong ID, question or
 * form). */
int dns_parse_a(const unsigned char *msg, size_t len, uint16_t id, const char *name,
                struct in_addr *out, int max, int *rcode, int *tc);

#endif
