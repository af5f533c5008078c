/* HTTP/1.1 GET over plain TCP or TLS (lib/tls.c) with fixed buffers. One
 * connection per request (Connection: close); every connect, read and
 * write is bounded by poll() so a silent server cannot hang the caller,
 * and the whole exchange by a deadline on CLOCK_MONOTONIC, so a server
 * that trickles or never ends a body cannot either. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "fileio.h"
#include "http.h"
#include "tls.h"

#define HTTP_HDR_MAX 16384          /* status line + headers + blank line */
#define HTTP_CONNECT_MS_DEFAULT 10000
#define HTTP_IO_MS_DEFAULT 30000
#define HTTP_REDIRECTS_DEFAULT 5

/* One connection and its receive buffer; unread bytes are buf[pos, len).
 * Bytes travel through conn_recv() and conn_send(): straight over the
 * socket, or through TLS when tls is set. */
struct conn {
	int fd;
	struct tls *tls;            /* NULL for http:// */
	http_reader rd;             /* instead of fd/tls: http_read_response() */
	void *rctx;
	int io_ms;
	long long deadline;         /* mono_ms() when the exchange must end */
	int deadline_ms;            /* its length, for the words */
	long long max_body;         /* <= 0: no limit */
	size_t pos, len;
	char buf[HTTP_HDR_MAX];
};

/* What the status line and headers said. */
struct head {
	int status;
	char reason[64];
	long long clen;             /* -1 when absent */
	int chunked;
	char location[URL_MAX];
	int location_too_long;
};

static void set_why(struct http_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_why(struct http_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
}

/* "300 ms" or "10 s" */
static const char *dur(char *buf, size_t size, int ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%d s", ms / 1000);
	else
		snprintf(buf, size, "%d ms", ms);
	return buf;
}

/* Short lowercase words for the errors an admin will meet most often. */
static const char *err_words(int err)
{
	switch (err) {
	case -ECONNREFUSED: return "connection refused";
	case -ECONNRESET:   return "connection reset";
	case -EHOSTUNREACH: return "host unreachable";
	case -ENETUNREACH:  return "network unreachable";
	case -ETIMEDOUT:    return "timed out";
	case -EPIPE:        return "connection closed by the server";
	default:            return strerror(-err);
	}
}

/* How long the next wait for the peer may be: MS, or what is left before
 * the deadline when that is shorter (*BY_DEADLINE then set). Returns 0
 * once the deadline has passed. */
static int wait_ms(const struct conn *c, int ms, int *by_deadline)
{
	long long left = c->deadline - mono_ms();

	*by_deadline = 0;
	if (left <= 0) {
		*by_deadline = 1;
		return 0;
	}
	if (left < ms) {
		*by_deadline = 1;
		return (int)left;
	}
	return ms;
}

/* fd_wait bounded by both MS and the deadline: -ETIME when the deadline
 * ran out first, else as fd_wait. */
static int conn_wait(const struct conn *c, int fd, short events, int ms)
{
	int by_deadline, err;

	ms = wait_ms(c, ms, &by_deadline);
	if (ms == 0)
		return -ETIME;
	err = fd_wait(fd, events, ms);
	return err == -ETIMEDOUT && by_deadline ? -ETIME : err;
}

/* Non-blocking connect of a new socket to SA within MS (and the deadline).
 * Returns the socket or a negative errno. */
static int connect_addr(const struct conn *c, const struct sockaddr *sa, socklen_t salen, int ms)
{
	int fd, err, soerr = 0;
	socklen_t len = sizeof(soerr);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, salen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR) {
		err = -errno;
		goto err_close;
	}
	if ((err = conn_wait(c, fd, POLLOUT, ms)))
		goto err_close;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
		err = -errno;
		goto err_close;
	}
	if (soerr) {
		err = -soerr;
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
	return err;
}

/* Connect to U's host and port: literals directly, names through
 * dns_resolve4 (hosts file, then DNS; within the connect timeout) trying
 * every address. Returns the socket or -errno. */
static int open_conn(const struct conn *c, const struct url *u, int ms, struct http_result *res)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(u->port) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct in_addr addrs[8];
	char d[32];
	int fd = -EHOSTUNREACH, n, i, dms, by_deadline;

	if (inet_pton(AF_INET, u->host, &s4.sin_addr) == 1) {
		fd = connect_addr(c, (struct sockaddr *)&s4, sizeof(s4), ms);
	} else if (inet_pton(AF_INET6, u->host, &s6.sin6_addr) == 1) {
		s6.sin6_port = htons(u->port);
		fd = connect_addr(c, (struct sockaddr *)&s6, sizeof(s6), ms);
	} else {
		dms = wait_ms(c, ms, &by_deadline);
		n = dms ? dns_resolve4(u->host, addrs, 8, dms) : -ETIMEDOUT;
		if (n < 0 && by_deadline && c->deadline <= mono_ms())
			return -ETIME;
		if (n < 0) {
			set_why(res, "cannot resolve %s: %s", u->host, dns_strerror(n));
			return n == -EAGAIN ? -EAGAIN : -ENOENT;
		}
		for (i = 0; i < n; i++) {
			s4.sin_addr = addrs[i];
			fd = connect_addr(c, (struct sockaddr *)&s4, sizeof(s4), ms);
			if (fd >= 0 || fd == -ETIME)
				break;
		}
	}
	if (fd == -ETIMEDOUT)
		set_why(res, "no connection within %s", dur(d, sizeof(d), ms));
	else if (fd < 0 && fd != -ETIME)
		set_why(res, "%s", err_words(fd));
	return fd;
}

/* https:// state: one connection at a time, so http_get is not reentrant
 * for https. Static rather than on the stack: about 190 KiB, of which only
 * the record buffers and the used part of the trust store are touched. */
static struct tls_anchors https_anchors;
static struct tls https_tls;

/* Words for a failed read or write: TLS knows more than errno. */
static const char *io_words(const struct conn *c, int err)
{
	if (c->tls && c->tls->why[0])
		return c->tls->why;
	return err_words(err);
}

/* The cause of -ETIME in words: the whole exchange took too long. */
static void deadline_why(const struct conn *c, struct http_result *res)
{
	char d[32];

	set_why(res, "no complete answer within the deadline of %s (%lld body bytes received)",
	        dur(d, sizeof(d), c->deadline_ms), res->received);
}

/* Send LEN bytes of BUF, each wait bounded by the io timeout. */
static int conn_send(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;
	int err;

	if (c->tls)
		return tls_write(c->tls, buf, len);
	while (len) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if ((err = conn_wait(c, c->fd, POLLOUT, c->io_ms)))
			return err;
	}
	return 0;
}

/* Receive up to LEN bytes into BUF, waiting at most the io timeout.
 * Returns the count, 0 at end of stream, -ETIMEDOUT, -ETIME once the
 * deadline has passed (however fast the bytes come), or -errno. */
static ssize_t conn_recv(struct conn *c, char *buf, size_t len)
{
	ssize_t n;
	int err;

	if (mono_ms() >= c->deadline)
		return -ETIME;
	if (c->rd)
		return c->rd(c->rctx, buf, len);
	if (c->tls)
		return tls_read(c->tls, buf, len);
	for (;;) {
		n = recv(c->fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if ((err = conn_wait(c, c->fd, POLLIN, c->io_ms)))
			return err;
	}
}

static void conn_close(struct conn *c)
{
	if (c->tls)
		tls_close(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Read more bytes into the buffer (moving unread bytes to its start when it
 * is full). Returns the count, 0 at end of stream, -ENOBUFS when the unread
 * bytes already fill the buffer, -ETIMEDOUT or -errno. */
static ssize_t conn_fill(struct conn *c)
{
	ssize_t n;

	if (c->pos == c->len) {
		c->pos = c->len = 0;
	} else if (c->len == sizeof(c->buf) && c->pos > 0) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->len == sizeof(c->buf))
		return -ENOBUFS;
	n = conn_recv(c, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n > 0)
		c->len += (size_t)n;
	return n;
}

/* Next line (CRLF or LF, terminator removed) from the buffer, NUL-terminated
 * in place; valid until the next read. Returns 0, -ENODATA at end of stream,
 * -ENOBUFS for a line longer than the buffer, or a read error. */
static int read_line(struct conn *c, char **line)
{
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		if (nl) {
			*line = c->buf + c->pos;
			*nl = '\0';
			if (nl > *line && nl[-1] == '\r')
				nl[-1] = '\0';
			c->pos = (size_t)(nl - c->buf) + 1;
			return 0;
		}
		n = conn_fill(c);
		if (n == 0)
			return -ENODATA;
		if (n < 0)
			return (int)n;
	}
}

/* Offset just past the blank line ending a header block in P[0, N), or 0. */
static size_t head_end(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Parse one header line into H. 0 or -EPROTO with RES->why set. */
static int parse_header(char *line, struct head *h, struct http_result *res)
{
	char *colon = strchr(line, ':'), *v, *end, *last;
	long long cl;

	if (!colon || colon == line) {
		set_why(res, "malformed header line '%.60s'", line);
		return -EPROTO;
	}
	*colon = '\0';
	v = trim(colon + 1);

	if (strcasecmp(line, "Content-Length") == 0) {
		if (*v < '0' || *v > '9')
			goto err_clen;
		errno = 0;
		cl = strtoll(v, &end, 10);
		if (errno || *end)
			goto err_clen;
		if (h->clen >= 0 && h->clen != cl) {
			set_why(res, "conflicting Content-Length headers");
			return -EPROTO;
		}
		h->clen = cl;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		/* only the last coding frames the body */
		last = strrchr(v, ',');
		last = trim(last ? last + 1 : v);
		if (strcasecmp(last, "chunked") == 0) {
			h->chunked = 1;
		} else if (strcasecmp(v, "identity") != 0) {
			set_why(res, "unsupported Transfer-Encoding '%.60s'", v);
			return -EPROTO;
		}
	} else if (strcasecmp(line, "Location") == 0) {
		if (strlen(v) >= sizeof(h->location))
			h->location_too_long = 1;
		else
			strcpy(h->location, v);
	}
	return 0;

err_clen:
	set_why(res, "bad Content-Length '%.60s'", v);
	return -EPROTO;
}

/* Parse the status line "HTTP/1.x 200 OK" into H. */
static int parse_status(char *line, struct head *h, struct http_result *res)
{
	char *p = line;

	if (strncmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' || p[6] != '.' ||
	    p[7] < '0' || p[7] > '9' || p[8] != ' ')
		goto err_bad;
	p += 9;
	if (p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9' || (p[3] != ' ' && p[3] != '\0'))
		goto err_bad;
	h->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	snprintf(h->reason, sizeof(h->reason), "%s", p[3] ? trim(p + 4) : "");
	res->status = h->status;
	return 0;

err_bad:
	set_why(res, "not an HTTP response: '%.60s'", line);
	return -EPROTO;
}

/* Read the status line and headers of the final (non-1xx) response. */
static int read_head(struct conn *c, struct head *h, struct http_result *res)
{
	char d[32], *line, *end_of_block;
	size_t end;
	ssize_t n;
	int err, first;

next_response:
	memset(h, 0, sizeof(*h));
	h->clen = -1;
	while (!(end = head_end(c->buf + c->pos, c->len - c->pos))) {
		n = conn_fill(c);
		if (n == -ENOBUFS) {
			set_why(res, "response headers too large");
			return -EPROTO;
		}
		if (n == -ETIMEDOUT) {
			set_why(res, "no response within %s", dur(d, sizeof(d), c->io_ms));
			return (int)n;
		}
		if (n == -ETIME) {
			deadline_why(c, res);
			return (int)n;
		}
		if (n < 0) {
			set_why(res, "reading response: %s", io_words(c, (int)n));
			return (int)n;
		}
		if (n == 0) {
			set_why(res, c->len == c->pos ? "connection closed without a response"
			                              : "connection closed in the middle of the headers");
			return -EPROTO;
		}
	}

	end_of_block = c->buf + c->pos + end;
	for (first = 1; c->buf + c->pos < end_of_block; first = 0) {
		if ((err = read_line(c, &line)))
			return err;	/* cannot happen: the block is complete */
		if (!*line && first) {
			set_why(res, "not an HTTP response: empty status line");
			return -EPROTO;
		}
		if (!*line)
			break;
		err = first ? parse_status(line, h, res) : parse_header(line, h, res);
		if (err)
			return err;
	}
	if (h->status >= 100 && h->status < 200)
		goto next_response;	/* 100 Continue and friends precede the answer */
	return 0;
}

/* Hand N bytes to the sink and count them; none beyond the body limit. */
static int deliver(const struct conn *c, struct http_result *res, http_sink sink, void *ctx,
                   const char *p, size_t n)
{
	int err;

	if (n == 0)
		return 0;
	if (c->max_body > 0 && (long long)n > c->max_body - res->received) {
		set_why(res, "body longer than the limit of %lld bytes", c->max_body);
		return -EFBIG;
	}
	if (sink && (err = sink(ctx, p, n))) {
		if (err > 0)
			err = -EIO;
		set_why(res, "storing the body: %s", strerror(-err));
		return err;
	}
	res->received += (long long)n;
	return 0;
}

/* Pass up to WANT bytes (or until EOF when WANT < 0) from the connection to
 * the sink. Returns the bytes moved, or a negative errno with why set. */
static long long pump(struct conn *c, long long want, http_sink sink, void *ctx,
                      struct http_result *res)
{
	long long moved = 0;
	size_t take;
	ssize_t n;
	char d[32];
	int err;

	while (want < 0 || moved < want) {
		if (c->pos == c->len) {
			n = conn_fill(c);
			if (n == 0 && want < 0 && c->tls && !c->tls->eof_clean) {
				/* only close_notify proves that nobody cut the body short */
				set_why(res, "truncated: TLS connection closed without close_notify "
				        "after %lld bytes", res->received);
				return -EIO;
			}
			if (n == 0)
				break;
			if (n == -ETIMEDOUT) {
				set_why(res, "stalled for %s after %lld bytes",
				        dur(d, sizeof(d), c->io_ms), res->received);
				return n;
			}
			if (n == -ETIME) {
				deadline_why(c, res);
				return n;
			}
			if (n < 0) {
				set_why(res, "reading body after %lld bytes: %s",
				        res->received, io_words(c, (int)n));
				return n;
			}
		}
		take = c->len - c->pos;
		if (want >= 0 && (long long)take > want - moved)
			take = (size_t)(want - moved);
		if ((err = deliver(c, res, sink, ctx, c->buf + c->pos, take)))
			return err;
		c->pos += take;
		moved += (long long)take;
	}
	return moved;
}

static int line_error(const struct conn *c, int err, struct http_result *res)
{
	char d[32];

	if (err == -ENODATA) {
		set_why(res, "truncated: chunked body ended after %lld bytes", res->received);
		return -EIO;
	}
	if (err == -ENOBUFS) {
		set_why(res, "chunk header line too long");
		return -EPROTO;
	}
	if (err == -ETIMEDOUT)
		set_why(res, "stalled for %s after %lld bytes", dur(d, sizeof(d), c->io_ms), res->received);
	else if (err == -ETIME)
		deadline_why(c, res);
	else
		set_why(res, "reading body after %lld bytes: %s", res->received, io_words(c, err));
	return err;
}

static int is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Body in chunked transfer coding: hex size line, data, CRLF ... 0, trailers. */
static int read_chunked(struct conn *c, http_sink sink, void *ctx, struct http_result *res)
{
	char *line, *end;
	unsigned long long size;
	long long got;
	int err;

	for (;;) {
		if ((err = read_line(c, &line)))
			return line_error(c, err, res);
		errno = 0;
		size = strtoull(line, &end, 16);
		if (!is_hex(line[0]) || errno || (*end && *end != ';' && *end != ' ' && *end != '\t') ||
		    size > (unsigned long long)0x7fffffffffffffffLL) {
			set_why(res, "bad chunk size line '%.40s'", line);
			return -EPROTO;
		}
		if (size == 0)
			break;
		got = pump(c, (long long)size, sink, ctx, res);
		if (got < 0)
			return (int)got;
		if ((unsigned long long)got < size) {
			set_why(res, "truncated: chunked body ended after %lld bytes", res->received);
			return -EIO;
		}
		if ((err = read_line(c, &line)))
			return line_error(c, err, res);
		if (*line) {
			set_why(res, "chunk not followed by CRLF");
			return -EPROTO;
		}
	}
	/* trailers up to the blank line; a server that closes right after the
	 * last chunk has still sent the whole body */
	do {
		err = read_line(c, &line);
		if (err == -ENODATA)
			return 0;
		if (err)
			return line_error(c, err, res);
	} while (*line);
	return 0;
}

/* Read the body framed as H says into the sink. */
static int read_body(struct conn *c, const struct head *h, http_sink sink, void *ctx,
                     struct http_result *res)
{
	long long got;

	if (h->status == 204 || h->status == 304)
		return 0;
	if (!h->chunked && c->max_body > 0 && h->clen > c->max_body) {
		set_why(res, "Content-Length %lld is over the limit of %lld bytes", h->clen, c->max_body);
		return -EFBIG;
	}
	if (h->chunked)
		return read_chunked(c, sink, ctx, res);
	got = pump(c, h->clen, sink, ctx, res);
	if (got < 0)
		return (int)got;
	if (h->clen >= 0 && got < h->clen) {
		set_why(res, "truncated: %lld of %lld bytes", got, h->clen);
		return -EIO;
	}
	return 0;
}

static int is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* What goes after the request line: nothing for GET, a body for POST. */
struct req_body {
	const char *method;
	const char *ctype;
	const void *data;
	size_t len;
};

static const struct req_body get_req = { "GET", NULL, NULL, 0 };

/* Build and send the request for U (headers, then any body). */
static int send_request(struct conn *c, const struct url *u, const char *ua,
                        const struct req_body *rb, struct http_result *res)
{
	char req[URL_MAX + 1024], port[8] = "", d[32], extra[128] = "";
	int n, err, v6 = strchr(u->host, ':') != NULL;

	if (u->port != (strcmp(u->scheme, "https") ? 80 : 443))
		snprintf(port, sizeof(port), ":%u", u->port);
	if (rb->data)
		snprintf(extra, sizeof(extra), "Content-Type: %s\r\nContent-Length: %zu\r\n",
		         rb->ctype ? rb->ctype : "text/plain", rb->len);
	n = snprintf(req, sizeof(req),
	             "%s %s HTTP/1.1\r\n"
	             "Host: %s%s%s%s\r\n"
	             "User-Agent: %s\r\n"
	             "Accept: */*\r\n"
	             "Accept-Encoding: identity\r\n"
	             "Connection: close\r\n"
	             "%s"
	             "\r\n",
	             rb->method, u->path, v6 ? "[" : "", u->host, v6 ? "]" : "", port, ua, extra);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		set_why(res, "request too long");
		return -ENAMETOOLONG;
	}
	err = conn_send(c, req, (size_t)n);
	if (!err && rb->data && rb->len)
		err = conn_send(c, rb->data, rb->len);
	if (err == -ETIMEDOUT)
		set_why(res, "could not send the request within %s", dur(d, sizeof(d), c->io_ms));
	else if (err == -ETIME)
		deadline_why(c, res);
	else if (err)
		set_why(res, "sending the request: %s", io_words(c, err));
	return err;
}

/* Connect to U and, for https, start TLS on the connection. */
static int conn_open(struct conn *c, const struct url *u, const struct http_opts *o, int cms,
                     int *anchors_loaded, struct http_result *res)
{
	struct tls_config cfg = { .anchors = &https_anchors, .io_timeout_ms = c->io_ms,
	                          .deadline = c->deadline };
	int https = !strcmp(u->scheme, "https"), err;

	c->tls = NULL;
	c->pos = c->len = 0;
	if (https && !*anchors_loaded) {
		err = tls_anchors_load(&https_anchors, o ? o->ca_file : NULL, res->why,
		                       sizeof(res->why));
		if (err)
			return err;
		*anchors_loaded = 1;
	}
	c->fd = open_conn(c, u, cms, res);
	if (c->fd == -ETIME)
		deadline_why(c, res);
	if (c->fd < 0 || !https)
		return c->fd < 0 ? c->fd : 0;
	cfg.now_floor = o ? o->now_floor : 0;
	err = tls_start(&https_tls, c->fd, u->host, &cfg);
	if (https_tls.note[0] && !res->diag[0])
		snprintf(res->diag, sizeof(res->diag), "%s", https_tls.note);
	if (err) {
		if (err == -ETIME)
			deadline_why(c, res);
		else
			set_why(res, "%s", https_tls.why);
		conn_close(c);
		return err;
	}
	c->tls = &https_tls;
	return 0;
}

/* Start a request: RES emptied (no Content-Length yet), C unconnected
 * with O's read timeout, body limit and deadline, which starts now (O NULL
 * or <= 0: the defaults). */
static void request_start(struct conn *c, const struct http_opts *o, struct http_result *res)
{
	memset(res, 0, sizeof(*res));
	res->content_length = -1;
	c->fd = -1;
	c->tls = NULL;
	c->rd = NULL;
	c->io_ms = o && o->io_timeout_ms > 0 ? o->io_timeout_ms : HTTP_IO_MS_DEFAULT;
	c->deadline_ms = o && o->deadline_ms > 0 ? o->deadline_ms : HTTP_DEADLINE_MS_DEFAULT;
	c->deadline = mono_ms() + c->deadline_ms;
	c->max_body = o ? o->max_body : 0;
}

/* GET URL following redirects and stream the final 2xx body into SINK
 * (see http.h). Timeouts <= 0 mean 10 s (connect) and 30 s (io); a NULL O
 * also allows 5 redirects. https:// goes through TLS with the CA bundle
 * O->ca_file; a redirect from https to http is refused. Returns 0 or a
 * negative errno; RES is always filled and RES->why explains any
 * failure. */
int http_get(const char *url, const struct http_opts *o, http_sink sink,
             void *ctx, struct http_result *res)
{
	struct conn c;
	struct url u;
	struct head h;
	char next[URL_MAX];
	const char *ua = o && o->user_agent ? o->user_agent : "nbinit";
	int cms = o && o->connect_timeout_ms > 0 ? o->connect_timeout_ms : HTTP_CONNECT_MS_DEFAULT;
	int max = o ? o->max_redirects : HTTP_REDIRECTS_DEFAULT;
	int redirects, err, was_https, anchors_loaded = 0;
	const char *p;

	request_start(&c, o, res);
	if (strlen(url) >= sizeof(res->final_url)) {
		snprintf(res->final_url, sizeof(res->final_url), "%s", url);
		set_why(res, "URL too long");
		return -ENAMETOOLONG;
	}
	strcpy(res->final_url, url);
	for (p = ua; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			set_why(res, "bad User-Agent");
			return -EINVAL;
		}
	}

	for (redirects = 0;; redirects++) {
		res->status = 0;
		res->content_length = -1;
		err = url_parse(&u, res->final_url);
		if (err == -EPROTONOSUPPORT) {
			set_why(res, "unsupported URL scheme");
			return err;
		}
		if (err) {
			set_why(res, err == -ENAMETOOLONG ? "URL too long" : "malformed URL");
			return err;
		}

		if ((err = conn_open(&c, &u, o, cms, &anchors_loaded, res)))
			return err;
		if ((err = send_request(&c, &u, ua, &get_req, res)))
			goto err_close;
		if ((err = read_head(&c, &h, res)))
			goto err_close;
		if (!h.chunked && h.status != 204 && h.status != 304)
			res->content_length = h.clen;

		if (!is_redirect(h.status))
			break;
		conn_close(&c);
		if (!h.location[0]) {
			set_why(res, h.location_too_long ? "%d %s: Location too long"
			                                 : "%d %s without Location",
			        h.status, h.reason);
			return -EPROTO;
		}
		if (redirects >= max) {
			set_why(res, "redirect loop: more than %d redirects", max < 0 ? 0 : max);
			return -ELOOP;
		}
		was_https = !strcmp(u.scheme, "https");
		err = url_resolve(next, sizeof(next), res->final_url, h.location);
		if (!err)
			err = url_parse(&u, next);
		if (err == -EPROTONOSUPPORT) {
			strcpy(res->final_url, next);
			set_why(res, "%d %s to unsupported URL scheme", h.status, h.reason);
			return err;
		}
		if (err) {
			set_why(res, "%d %s to bad Location '%.60s'", h.status, h.reason, h.location);
			return -EPROTO;
		}
		strcpy(res->final_url, next);
		if (was_https && strcmp(u.scheme, "https")) {
			set_why(res, "%d %s: redirect from https to http refused", h.status, h.reason);
			return -EPERM;
		}
	}

	if (h.status < 200 || h.status > 299) {
		if (h.reason[0])
			set_why(res, "%d %s", h.status, h.reason);
		else
			set_why(res, "%d", h.status);
		err = -EPROTO;
		goto err_close;
	}
	if ((err = read_body(&c, &h, sink, ctx, res)))
		goto err_close;
	conn_close(&c);
	return 0;

err_close:
	conn_close(&c);
	return err;
}

static int discard(void *ctx, const void *buf, size_t len)
{
	return 0;
}

/* POST BODY (LEN bytes of CTYPE) to URL once, without following redirects
 * (see http.h). Returns 0 for a 2xx answer, else a negative errno with
 * RES->why set. */
int http_post(const char *url, const struct http_opts *o, const char *ctype,
              const void *body, size_t len, struct http_result *res)
{
	struct req_body rb = { "POST", ctype, body ? body : "", len };
	const char *ua = o && o->user_agent ? o->user_agent : "nbinit";
	int cms = o && o->connect_timeout_ms > 0 ? o->connect_timeout_ms : HTTP_CONNECT_MS_DEFAULT;
	int err, anchors_loaded = 0;
	struct conn c;
	struct head h;
	struct url u;

	request_start(&c, o, res);
	snprintf(res->final_url, sizeof(res->final_url), "%s", url);
	if ((err = url_parse(&u, url))) {
		set_why(res, err == -EPROTONOSUPPORT ? "unsupported URL scheme" : "malformed URL");
		return err;
	}
	for (const char *p = ua; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			set_why(res, "bad User-Agent");
			return -EINVAL;
		}
	if ((err = conn_open(&c, &u, o, cms, &anchors_loaded, res)))
		return err;
	if ((err = send_request(&c, &u, ua, &rb, res)) || (err = read_head(&c, &h, res)))
		goto out;
	if (h.status < 200 || h.status > 299) {
		set_why(res, "%d %s", h.status, h.reason);
		err = -EPROTO;
		goto out;
	}
	if (!h.chunked && h.status != 204)
		res->content_length = h.clen;
	err = read_body(&c, &h, discard, NULL, res);
out:
	conn_close(&c);
	return err;
}

/* Parse one response (status line, headers, body) read through RD and
 * stream a 2xx body into SINK; see http.h. */
int http_read_response(http_reader rd, void *rctx, const struct http_opts *o,
                       http_sink sink, void *ctx, struct http_result *res)
{
	static struct conn c;
	struct head h;
	int err;

	request_start(&c, o, res);
	c.rd = rd;
	c.rctx = rctx;
	c.pos = c.len = 0;
	if ((err = read_head(&c, &h, res)))
		return err;
	if (!h.chunked && h.status != 204 && h.status != 304)
		res->content_length = h.clen;
	if (h.status < 200 || h.status > 299) {
		set_why(res, "%d %s", h.status, h.reason);
		return -EPROTO;
	}
	return read_body(&c, &h, sink, ctx, res);
}

/* Whether a failed GET is worth asking again (see http.h). */
bool http_transient(int err, const struct http_result *res)
{
	switch (err) {
	case -ETIMEDOUT: case -ECONNREFUSED: case -ECONNRESET: case -EHOSTUNREACH:
	case -ENETUNREACH: case -EIO: case -EAGAIN: case -EPIPE:
		return true;
	case -EPROTO:
		return res->status >= 500;
	default:
		return false;
	}
}
