/* Absolute http(s) URLs, Location resolution (RFC 3986 section 5.2) and
 * the {MAC}/{UUID} placeholders of Alpine's apkovl=. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "url.h"

/* The first N bytes of S are LOWER (lowercase ASCII) in any case. Not
 * strncasecmp: in a static glibc it brings 25 KB of per-CPU variants. */
static int is_word_ci(const char *s, const char *lower, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != lower[i])
			return 0;
	return 1;
}

static int is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Length of a scheme ("http") at S followed by ':', or 0 when S has none. */
static size_t scheme_len(const char *s)
{
	size_t i;

	if (!is_alpha(s[0]))
		return 0;
	for (i = 1; is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' ||
	            s[i] == '-' || s[i] == '.'; i++)
		;
	return s[i] == ':' ? i : 0;
}

static int is_host_char(char ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '.' || ch == '_';
}

/* Parse an absolute http:// or https:// URL into U (see url.h). */
int url_parse(struct url *u, const char *s)
{
	const char *p, *auth, *auth_end, *host, *host_end, *port = NULL;
	size_t n, plen;
	unsigned long pnum = 0;
	char v6[INET6_ADDRSTRLEN];
	struct in6_addr a6;

	memset(u, 0, sizeof(*u));
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return -EINVAL;

	n = scheme_len(s);
	if (n == 0 || strncmp(s + n, "://", 3) != 0)
		return -EINVAL;
	if (n == 4 && is_word_ci(s, "http", 4)) {
		strcpy(u->scheme, "http");
		u->port = 80;
	} else if (n == 5 && is_word_ci(s, "https", 5)) {
		strcpy(u->scheme, "https");
		u->port = 443;
	} else {
		return -EPROTONOSUPPORT;
	}

	auth = s + n + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)))
		return -EINVAL;	/* user:password@ is not supported */

	if (*auth == '[') {
		host = auth + 1;
		host_end = memchr(host, ']', (size_t)(auth_end - host));
		if (!host_end)
			return -EINVAL;
		n = (size_t)(host_end - host);
		if (n == 0 || n >= sizeof(v6))
			return -EINVAL;
		memcpy(v6, host, n);
		v6[n] = '\0';
		if (inet_pton(AF_INET6, v6, &a6) != 1)
			return -EINVAL;
		p = host_end + 1;
		if (p != auth_end && *p != ':')
			return -EINVAL;
	} else {
		host = auth;
		for (p = auth; p != auth_end && *p != ':'; p++)
			if (!is_host_char(*p))
				return -EINVAL;
		host_end = p;
		n = (size_t)(host_end - host);
		if (n == 0)
			return -EINVAL;
	}
	if (n >= sizeof(u->host))
		return -ENAMETOOLONG;
	memcpy(u->host, host, n);
	u->host[n] = '\0';

	if (p != auth_end) {
		/* p is at ':'; an empty port means the default */
		for (port = p + 1; port != auth_end; port++) {
			if (!is_digit(*port))
				return -EINVAL;
			pnum = pnum * 10 + (unsigned long)(*port - '0');
			if (pnum > 65535)
				return -EINVAL;
		}
		if (port != p + 1) {
			if (pnum == 0)
				return -EINVAL;
			u->port = (unsigned short)pnum;
		}
	}

	plen = strcspn(auth_end, "#");
	if (plen == 0 || auth_end[0] == '?') {
		/* "http://h" or "http://h?q": the path is "/" */
		if (plen + 2 > sizeof(u->path))
			return -ENAMETOOLONG;
		u->path[0] = '/';
		memcpy(u->path + 1, auth_end, plen);
		u->path[plen + 1] = '\0';
	} else {
		if (plen + 1 > sizeof(u->path))
			return -ENAMETOOLONG;
		memcpy(u->path, auth_end, plen);
		u->path[plen] = '\0';
	}
	return 0;
}

/* True when S starts with scheme:// (any scheme), as Alpine's is_url(). */
bool url_is_url(const char *s)
{
	size_t n = scheme_len(s);

	return n && strncmp(s + n, "://", 3) == 0;
}

/* Drop "." and ".." segments of the absolute PATH in place (RFC 3986
 * remove_dot_segments for paths that start with '/'). */
static void remove_dots(char *path)
{
	char *out = path;
	const char *in = path;

	while (*in) {
		const char *seg = in + 1;
		const char *end = strchrnul(seg, '/');
		size_t len = (size_t)(end - seg);

		if (len == 1 && seg[0] == '.') {
			if (!*end)
				*out++ = '/';
		} else if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			if (!*end)
				*out++ = '/';
		} else {
			memmove(out, in, len + 1);
			out += len + 1;
		}
		in = end;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Append LEN bytes of S to BUF (used *POS of SIZE). 0 or -ENAMETOOLONG. */
static int put(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
	if (len >= size - *pos)
		return -ENAMETOOLONG;
	memcpy(buf + *pos, s, len);
	*pos += len;
	buf[*pos] = '\0';
	return 0;
}

/* Resolve REF (a Location value) against the absolute URL BASE into OUT.
 * Fragments are dropped. Returns 0, url_parse()'s error for a bad BASE
 * or -ENAMETOOLONG when the result does not fit. */
int url_resolve(char *out, size_t outsz, const char *base, const char *ref)
{
	struct url b;
	char path[URL_MAX];
	const char *auth_end, *q;
	size_t rlen, plen = 0, pos = 0, n;
	int err;

	if (outsz == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if ((err = url_parse(&b, base)))
		return err;
	rlen = strcspn(ref, "#");

	if (scheme_len(ref))
		return put(out, outsz, &pos, ref, rlen);
	if (ref[0] == '/' && ref[1] == '/') {
		n = scheme_len(base);
		if ((err = put(out, outsz, &pos, base, n + 1)))
			return err;
		return put(out, outsz, &pos, ref, rlen);
	}

	/* scheme://authority of BASE, exactly as written there */
	auth_end = strstr(base, "://") + 3;
	auth_end += strcspn(auth_end, "/?#");
	if ((err = put(out, outsz, &pos, base, (size_t)(auth_end - base))))
		return err;

	/* the path part of the target (query handled separately) */
	path[0] = '\0';
	if (ref[0] == '/') {
		n = strcspn(ref, "?#");
		if ((err = put(path, sizeof(path), &plen, ref, n)))
			return err;
		q = ref + n;
	} else if (rlen == 0 || ref[0] == '?') {
		n = strcspn(b.path, "?");
		if ((err = put(path, sizeof(path), &plen, b.path, n)))
			return err;
		q = rlen == 0 ? b.path + n : ref;
	} else {
		/* the directory of the base path; a '/' in its query does not count */
		n = strcspn(b.path, "?");
		n = (size_t)((const char *)memrchr(b.path, '/', n) - b.path) + 1;
		if ((err = put(path, sizeof(path), &plen, b.path, n)))
			return err;
		n = strcspn(ref, "?#");
		if ((err = put(path, sizeof(path), &plen, ref, n)))
			return err;
		q = ref + n;
	}
	remove_dots(path);
	if ((err = put(out, outsz, &pos, path, strlen(path))))
		return err;
	if (*q == '?')
		return put(out, outsz, &pos, q, strcspn(q, "#"));
	return 0;
}

/* Copy IN to OUT replacing every {MAC} and {UUID} (see url.h). */
int url_subst(char *out, size_t outsz, const char *in, const char *mac, const char *uuid)
{
	size_t pos = 0;
	int err;

	if (outsz == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	while (*in) {
		if (strncmp(in, "{MAC}", 5) == 0) {
			if (!mac)
				return -ENODATA;
			if ((err = put(out, outsz, &pos, mac, strlen(mac))))
				return err;
			in += 5;
		} else if (strncmp(in, "{UUID}", 6) == 0) {
			if (!uuid)
				return -ENODATA;
			if ((err = put(out, outsz, &pos, uuid, strlen(uuid))))
				return err;
			in += 6;
		} else {
			if ((err = put(out, outsz, &pos, in, 1)))
				return err;
			in++;
		}
	}
	return 0;
}
