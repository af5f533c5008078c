/* IPv4 stub resolver (see dns.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "fileio.h"

const int dns_round_ms[] = { 1000, 2000, 3000, 0 };

enum { RC_OK = 0, RC_SERVFAIL = 2, RC_NXDOMAIN = 3 };

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ---- configuration ------------------------------------------------------ */

/* Next blank-separated word of *S into W (SIZE bytes); 0 at the end. */
static int word(const char **s, char *w, size_t size)
{
	size_t n = 0;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	while (**s && **s != ' ' && **s != '\t' && **s != '\n') {
		if (n + 1 < size)
			w[n++] = **s;
		(*s)++;
	}
	w[n] = '\0';
	return n > 0;
}

int dns_conf_read(struct dns_conf *c, const char *resolv, const char *hosts)
{
	char text[4096], w[256];
	const char *s;

	memset(c, 0, sizeof(*c));
	c->port = 53;
	if (hosts)
		snprintf(c->hosts, sizeof(c->hosts), "%s", hosts);
	if (!resolv || file_read_str(resolv, text, sizeof(text)) < 0)
		return 0;
	for (s = text; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s)) {
		if (!word(&s, w, sizeof(w)))
			continue;
		if (!strcmp(w, "nameserver")) {
			if (word(&s, w, sizeof(w)) && c->nns < DNS_MAX_NS &&
			    inet_pton(AF_INET, w, &c->ns[c->nns]) == 1)
				c->nns++;
		} else if (!strcmp(w, "search") || !strcmp(w, "domain")) {
			c->nsearch = 0;   /* the last of them wins, as in glibc */
			while (c->nsearch < DNS_MAX_SEARCH && word(&s, w, sizeof(w)))
				snprintf(c->search[c->nsearch++], sizeof(c->search[0]), "%s", w);
		}
	}
	return 0;
}

/* ---- messages ----------------------------------------------------------- */

int dns_query_a(unsigned char *buf, size_t size, const char *name, uint16_t id)
{
	size_t len = 12, nlen = strlen(name);
	const char *p = name;

	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (!nlen || nlen > 253 || size < 12 + nlen + 2 + 4)
		return -EINVAL;
	memset(buf, 0, 12);
	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	buf[2] = 0x01;            /* RD */
	buf[5] = 1;               /* one question */
	while (p < name + nlen) {
		const char *dot = memchr(p, '.', (size_t)(name + nlen - p));
		size_t l = dot ? (size_t)(dot - p) : (size_t)(name + nlen - p);

		if (l == 0 || l > 63)
			return -EINVAL;
		buf[len++] = (unsigned char)l;
		memcpy(buf + len, p, l);
		len += l;
		p += l + (dot ? 1 : 0);
	}
	buf[len++] = 0;
	buf[len++] = 0, buf[len++] = 1;   /* A */
	buf[len++] = 0, buf[len++] = 1;   /* IN */
	return (int)len;
}

/* Skip the (possibly compressed) name at *OFF. Returns 0 or -EBADMSG. */
static int skip_name(const unsigned char *m, size_t len, size_t *off)
{
	size_t o = *off;

	for (;;) {
		if (o >= len)
			return -EBADMSG;
		if (m[o] == 0) {
			*off = o + 1;
			return 0;
		}
		if ((m[o] & 0xC0) == 0xC0) {
			if (o + 2 > len)
				return -EBADMSG;
			*off = o + 2;
			return 0;
		}
		if (m[o] & 0xC0)
			return -EBADMSG;
		o += 1 + m[o];
	}
}

int dns_parse_a(const unsigned char *m, size_t len, uint16_t id, const char *name,
                struct in_addr *out, int max, int *rcode, int *tc)
{
	size_t off = 12, nlen = strlen(name);
	unsigned qd, an, i;
	const char *p = name;
	int n = 0;

	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (len < 12 || ((unsigned)m[0] << 8 | m[1]) != id || !(m[2] & 0x80) || (m[2] & 0x78))
		return -EBADMSG;   /* not our ID, not a response, not a standard query */
	*tc = !!(m[2] & 0x02);
	*rcode = m[3] & 0x0F;
	qd = (unsigned)m[4] << 8 | m[5];
	an = (unsigned)m[6] << 8 | m[7];
	if (qd != 1)
		return *tc && qd == 0 ? 0 : -EBADMSG;
	/* The question must be ours, label by label (case does not matter). */
	while (off < len && m[off]) {
		size_t l = m[off++], k;
		const char *dot = memchr(p, '.', (size_t)(name + nlen - p));
		size_t want = dot ? (size_t)(dot - p) : (size_t)(name + nlen - p);

		if (l > 63 || l != want || off + l > len || p >= name + nlen)
			return -EBADMSG;
		for (k = 0; k < l; k++)
			if (lower(m[off + k]) != lower((unsigned char)p[k]))
				return -EBADMSG;
		off += l;
		p += l + (dot ? 1 : 0);
	}
	if (off + 5 > len || p != name + nlen || m[off + 1] || m[off + 2] != 1 || m[off + 3] || m[off + 4] != 1)
		return -EBADMSG;
	off += 5;
	for (i = 0; i < an; i++) {
		unsigned type, class, rdlen;

		if (skip_name(m, len, &off) || off + 10 > len)
			return *tc ? n : -EBADMSG;
		type = (unsigned)m[off] << 8 | m[off + 1];
		class = (unsigned)m[off + 2] << 8 | m[off + 3];
		rdlen = (unsigned)m[off + 8] << 8 | m[off + 9];
		off += 10;
		if (off + rdlen > len)
			return *tc ? n : -EBADMSG;
		if (type == 1 && class == 1 && rdlen == 4 && n < max)
			memcpy(&out[n++], m + off, 4);
		off += rdlen;
	}
	return n;
}

/* ---- transport ---------------------------------------------------------- */

/* Wait until FD is ready for EV or DEADLINE passes. 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short ev, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = ev };
		long long left = deadline - mono_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r > 0)
			return 0;
	}
}

/* The truncated answer again over TCP: the 2-byte length, then the message.
 * Returns the answer's length in BUF or -errno. */
static int ask_tcp(const struct sockaddr_in *sa, const unsigned char *q, int qlen,
                   unsigned char *buf, size_t size, long long deadline)
{
	unsigned char hdr[2] = { (unsigned char)(qlen >> 8), (unsigned char)qlen };
	size_t want = 2, got = 0;
	int fd, err;
	socklen_t el = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS) {
		err = -errno;
		goto out;
	}
	if ((err = wait_fd(fd, POLLOUT, deadline)))
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		err = err ? -err : -errno;
		goto out;
	}
	if (send(fd, hdr, 2, MSG_NOSIGNAL | MSG_MORE) != 2 || send(fd, q, (size_t)qlen, MSG_NOSIGNAL) != qlen) {
		err = -EIO;
		goto out;
	}
	/* First the length into BUF's start, then the message over it. */
	while (got < want) {
		ssize_t n;

		if ((err = wait_fd(fd, POLLIN, deadline)))
			goto out;
		n = recv(fd, buf + got, want - got, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)n;
		if (want == 2 && got == 2) {
			want = (size_t)buf[0] << 8 | buf[1];
			got = 0;
			if (want > size || want < 12) {
				err = -EBADMSG;
				goto out;
			}
		}
	}
	err = (int)want;
out:
	close(fd);
	return err;
}

/* Ask the server SA about NAME, waiting until DEADLINE. Returns the count
 * of addresses, -ENOENT (the server says there is no such name or no A
 * record), -EAGAIN (no usable answer: silence, SERVFAIL, REFUSED, ...). */
static int ask(const struct sockaddr_in *sa, const char *name, struct in_addr *out, int max,
               long long deadline)
{
	unsigned char q[300], a[4096];
	uint16_t id;
	int fd, qlen, n, rcode, tc, err = -EAGAIN;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(mono_ms() * 2654435761u >> 16);
	if ((qlen = dns_query_a(q, sizeof(q), name, id)) < 0)
		return qlen;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* connect: the kernel drops datagrams from any other address or port. */
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    send(fd, q, (size_t)qlen, MSG_NOSIGNAL) != qlen)
		goto out;
	for (;;) {
		ssize_t len;

		if (wait_fd(fd, POLLIN, deadline))
			goto out;
		len = recv(fd, a, sizeof(a), 0);
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0)
			goto out;   /* ICMP port unreachable: ECONNREFUSED */
		n = dns_parse_a(a, (size_t)len, id, name, out, max, &rcode, &tc);
		if (n == -EBADMSG)
			continue;   /* not the answer to this query: keep waiting */
		break;
	}
	if (tc && rcode == RC_OK) {
		int alen = ask_tcp(sa, q, qlen, a, sizeof(a), deadline);

		if (alen < 0)
			goto out;
		n = dns_parse_a(a, (size_t)alen, id, name, out, max, &rcode, &tc);
		if (n < 0)
			goto out;
	}
	if (rcode == RC_NXDOMAIN || (rcode == RC_OK && n == 0))
		err = -ENOENT;
	else if (rcode == RC_OK)
		err = n;
out:
	close(fd);
	return err;
}

/* NAME through the name servers, round after round. */
static int query(const struct dns_conf *c, const char *name, struct in_addr *out, int max,
                 long long end)
{
	int r, i, n;

	for (r = 0; dns_round_ms[r]; r++)
		for (i = 0; i < c->nns; i++) {
			struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(c->port),
			                          .sin_addr = c->ns[i] };
			long long now = mono_ms(), deadline = now + dns_round_ms[r];

			if (now >= end)
				return -EAGAIN;
			n = ask(&sa, name, out, max, deadline < end ? deadline : end);
			if (n != -EAGAIN)
				return n;
		}
	return -EAGAIN;
}

/* NAME (case-insensitive) in the hosts file: the first line's address. */
static int hosts_lookup(const char *path, const char *name, struct in_addr *out)
{
	char text[16384], w[256], addr[64];
	const char *s;

	if (!path[0] || file_read_str(path, text, sizeof(text)) < 0)
		return -ENOENT;
	for (s = text; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s)) {
		struct in_addr a;

		if (*s == '#' || !word(&s, addr, sizeof(addr)) || inet_pton(AF_INET, addr, &a) != 1)
			continue;
		while (word(&s, w, sizeof(w)) && w[0] != '#')
			if (!strcasecmp(w, name)) {
				*out = a;
				return 1;
			}
	}
	return -ENOENT;
}

int dns_lookup4(const struct dns_conf *c, const char *name, struct in_addr *out, int max,
                int budget_ms)
{
	long long end = mono_ms() + budget_ms;
	char full[300];
	int i, n, nodot;

	if (max < 1)
		return -EINVAL;
	if (inet_pton(AF_INET, name, out) == 1)
		return 1;
	if (dns_query_a((unsigned char *)full, sizeof(full), name, 0) < 0)
		return -EINVAL;
	if (hosts_lookup(c->hosts, name, out) == 1)
		return 1;
	if (!c->nns)
		return -EDESTADDRREQ;
	nodot = !strchr(name, '.');
	for (i = 0; nodot && i < c->nsearch; i++) {
		if (snprintf(full, sizeof(full), "%s.%s", name, c->search[i]) >= (int)sizeof(full))
			continue;
		n = query(c, full, out, max, end);
		if (n != -ENOENT && n != -EINVAL)
			return n;
	}
	return query(c, name, out, max, end);
}

int dns_resolve4(const char *name, struct in_addr *out, int max, int budget_ms)
{
	struct dns_conf c;

	dns_conf_read(&c, "/etc/resolv.conf", "/etc/hosts");
	return dns_lookup4(&c, name, out, max, budget_ms);
}

const char *dns_strerror(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such host";
	case -EAGAIN:
		return "name server not answering";
	case -EDESTADDRREQ:
		return "no name server (resolv.conf)";
	case -EINVAL:
		return "not a valid host name";
	default:
		return strerror(-err);
	}
}
