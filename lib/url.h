/* URLs and the {MAC}/{UUID} substitution of apkovl=. */
#ifndef NB_URL_H
#define NB_URL_H

#include <stdbool.h>
#include <stddef.h>

#define URL_MAX 2048

struct url {
	char scheme[8];         /* "http", "https" (lowercase) */
	char host[256];         /* name or IPv4 literal; IPv6 literal without [] */
	unsigned short port;    /* defaulted from scheme when absent */
	char path[URL_MAX];     /* starts with '/', includes ?query, no #fragment */
};

/* Parse an absolute http:// or https:// URL. Returns 0, -EINVAL (malformed),
 * -EPROTONOSUPPORT (other scheme) or -ENAMETOOLONG. */
int url_parse(struct url *u, const char *s);

/* True when S looks like a URL (scheme://...), as Alpine's is_url(). */
bool url_is_url(const char *s);

/* Resolve a Location header value REF against BASE into OUT (absolute or
 * path-absolute or relative references). Returns 0 or negative errno. */
int url_resolve(char *out, size_t outsz, const char *base, const char *ref);

/* Copy IN to OUT replacing every {MAC} with MAC and every {UUID} with UUID.
 * A NULL MAC or UUID that is needed gives -ENODATA. Returns 0, -ENODATA or
 * -ENAMETOOLONG. */
int url_subst(char *out, size_t outsz, const char *in, const char *mac, const char *uuid);

#endif
