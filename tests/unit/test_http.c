/* http_get against real servers: busybox httpd serving a temp dir, and a
 * tiny forked server writing canned (often broken) responses. Every child
 * dies with the test (PR_SET_PDEATHSIG, atexit, and a SIGALRM bound). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "fileio.h"
#include "tap.h"

#define TEST_TIME_LIMIT_S 90
#define BLOB_SIZE (1024 * 1024 + 123)

/* ---- child processes: kids.h ------------------------------------------- */

#define KIDS_TEST_NAME "test_http"
#include "kids.h"

/* ---- sink --------------------------------------------------------------- */

struct body {
	char data[BLOB_SIZE + 4096];
	size_t len;
	int calls;
	size_t max_chunk;
	int fail_err;      /* return this on the first call when non-zero */
};

static struct body body;
static int sink_counts_only;	/* endless bodies: count, keep nothing */

static int sink(void *ctx, const void *buf, size_t len)
{
	struct body *b = ctx;

	b->calls++;
	if (sink_counts_only) {
		b->len += len;
		return 0;
	}
	if (len > b->max_chunk)
		b->max_chunk = len;
	if (b->fail_err)
		return b->fail_err;
	if (len > sizeof(b->data) - b->len)
		return -EFBIG;
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return 0;
}

static void body_reset(void)
{
	body.len = 0;
	body.calls = 0;
	body.max_chunk = 0;
	body.fail_err = 0;
}

/* ---- busybox httpd ------------------------------------------------------ */

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		printf("Bail out! cannot find a free port: %s\n", strerror(errno));
		exit(1);
	}
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int can_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc == 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd)) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static char blob[BLOB_SIZE];

/* Lay out the document root and start busybox httpd on it; returns port. */
static int start_busybox(pid_t *pid)
{
	char www[128], path[256], portarg[32], conf[128];
	unsigned x = 2463534242u;
	int i, port, tries;
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };

	for (i = 0; i < BLOB_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		blob[i] = (char)x;
	}
	snprintf(www, sizeof(www), "%s/www", tmpdir);
	snprintf(conf, sizeof(conf), "%s/httpd.conf", tmpdir);
	mkdir(www, 0755);
	write_file(conf, "", 0);
	snprintf(path, sizeof(path), "%s/blob.bin", www);
	write_file(path, blob, BLOB_SIZE);
	snprintf(path, sizeof(path), "%s/empty", www);
	write_file(path, "", 0);
	snprintf(path, sizeof(path), "%s/dir", www);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dir/index.html", www);
	write_file(path, "<html>dir</html>\n", 17);

	for (tries = 0; tries < 5; tries++) {
		port = free_port();
		snprintf(portarg, sizeof(portarg), "127.0.0.1:%d", port);
		if ((*pid = fork_kid()) == 0) {
			int devnull = open("/dev/null", O_RDWR);

			dup2(devnull, 0);
			dup2(devnull, 1);
			execl("/bin/busybox", "busybox", "httpd", "-f", "-p", portarg,
			      "-h", www, "-c", conf, (char *)NULL);
			_exit(127);
		}
		for (i = 0; i < 300; i++) {	/* up to 3 s */
			if (can_connect(port))
				return port;
			if (waitpid(*pid, NULL, WNOHANG) == *pid)
				break;	/* lost the port to someone else: try another */
			nanosleep(&ms10, NULL);
		}
		reap(*pid);
	}
	printf("Bail out! busybox httpd did not start\n");
	exit(1);
}

/* ---- tiny canned server ------------------------------------------------- */

#define ECHO "ECHO"        /* answer 200 with the request as the body */
#define SILENT "SILENT"    /* accept, read the request, never answer */

struct canned {
	const char *text;
	size_t len;            /* 0: strlen(text) */
	int hang_after;        /* keep the connection open after writing */
	const char *unit;      /* then write this again and again, for ever */
	int every_ms;          /* pausing this long between (0: at full speed) */
};

static void serve_one(int fd, const struct canned *c)
{
	char req[8192], hdr[128];
	size_t n = 0;
	ssize_t r;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* read the request head so closing does not reset the connection; a
	 * TLS record (0x16) answers a ClientHello, which ends in no blank
	 * line: take what has come at once */
	while (n < sizeof(req) - 1 && poll(&p, 1, c->text[0] == 0x16 ? 100 : 3000) > 0) {
		r = read(fd, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[n] = '\0';
	if (!strcmp(c->text, SILENT)) {
		for (;;)
			pause();
	}
	if (!strcmp(c->text, ECHO)) {
		snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
		if (write(fd, hdr, strlen(hdr)) < 0 || write(fd, req, n) < 0)
			_exit(1);
	} else if (write(fd, c->text, c->len ? c->len : strlen(c->text)) < 0) {
		_exit(1);
	}
	while (c->unit) {	/* until the client hangs up */
		struct timespec pause_ts = { c->every_ms / 1000, c->every_ms % 1000 * 1000000L };

		if (write(fd, c->unit, strlen(c->unit)) < 0)
			_exit(0);
		if (c->every_ms)
			nanosleep(&pause_ts, NULL);
	}
	if (c->hang_after) {
		for (;;)
			pause();
	}
	shutdown(fd, SHUT_WR);
	while (poll(&p, 1, 1000) > 0 && read(fd, req, sizeof(req)) > 0)
		;
	close(fd);
}

/* Listen on LOOPBACK (127.0.0.1 or ::1) and answer the i-th connection
 * with CANNED[i] (the last one repeats). Returns the port, or -1 when the
 * address family is not available. */
static int start_tiny(pid_t *pid, int family, const struct canned *canned, int n)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*a4) : sizeof(*a6);
	int lfd, fd, i, port;

	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		a6->sin6_addr = in6addr_loopback;
	lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &len)) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	port = ntohs(family == AF_INET ? a4->sin_port : a6->sin6_port);
	if ((*pid = fork_kid()) == 0) {
		for (i = 0;; i++) {
			fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				_exit(1);
			/* one connection at a time is enough: http_get is sequential */
			serve_one(fd, &canned[i < n ? i : n - 1]);
		}
	}
	close(lfd);
	return port;
}

/* ---- helpers ------------------------------------------------------------ */

static const struct http_opts opts = {
	.connect_timeout_ms = 3000,
	.io_timeout_ms = 3000,
	.max_redirects = 3,
	.user_agent = "nbinit-test/1",
};

static struct http_result res;

static int get(const char *url, const struct http_opts *o)
{
	int err;

	body_reset();
	err = http_get(url, o, sink, &body, &res);
	diag("GET %s -> %d status %d received %lld length %lld why '%s'", url, err,
	     res.status, res.received, res.content_length, res.why);
	return err;
}

static int body_is(const char *s)
{
	return body.len == strlen(s) && memcmp(body.data, s, body.len) == 0;
}

/* S with CR and LF shown as \r \n, for diag lines. */
static const char *crlf(const char *s)
{
	static char buf[1024];
	size_t n = 0;

	for (; *s && n + 3 < sizeof(buf); s++) {
		if (*s == '\r' || *s == '\n') {
			buf[n++] = '\\';
			buf[n++] = *s == '\r' ? 'r' : 'n';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* ---- tests against busybox httpd ---------------------------------------- */

static void busybox_tests(void)
{
	char url[256], want[256];
	pid_t pid;
	int port = start_busybox(&pid), err;
	struct http_opts o = opts;

	diag("busybox httpd on 127.0.0.1:%d", port);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/blob.bin", port);
	err = get(url, &opts);
	ok(err == 0 && res.status == 200, "busybox: blob.bin 200 (rc %d, %s)", err, res.why);
	ok(body.len == BLOB_SIZE && memcmp(body.data, blob, BLOB_SIZE) == 0,
	   "busybox: blob.bin content matches (%zu bytes)", body.len);
	ok(res.content_length == BLOB_SIZE && res.received == BLOB_SIZE,
	   "busybox: Content-Length %lld, received %lld", res.content_length, res.received);
	ok(body.calls > 1 && body.max_chunk <= 16384,
	   "busybox: streamed in %d chunks of at most %zu bytes", body.calls, body.max_chunk);
	ok(!strcmp(res.final_url, url) && res.why[0] == '\0', "busybox: final_url, empty why");

	snprintf(url, sizeof(url), "http://localhost:%d/dir/index.html", port);
	err = get(url, &opts);
	ok(err == 0 && body_is("<html>dir</html>\n"), "busybox: host name via getaddrinfo (rc %d, %s)",
	   err, res.why);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/empty", port);
	err = get(url, &opts);
	ok(err == 0 && res.status == 200 && res.content_length == 0 && res.received == 0 &&
	   body.calls == 0, "busybox: empty file (rc %d, length %lld)", err, res.content_length);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/missing.apkovl.tar.gz", port);
	err = get(url, &opts);
	ok(err == -EPROTO && res.status == 404, "busybox: missing file -EPROTO 404 (rc %d, status %d)",
	   err, res.status);
	ok(!strcmp(res.why, "404 Not Found"), "busybox: why '%s'", res.why);
	ok(res.received == 0 && body.calls == 0, "busybox: error page not passed to the sink");

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/dir", port);
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/dir/", port);
	err = get(url, &opts);
	ok(err == 0 && res.status == 200 && body_is("<html>dir</html>\n"),
	   "busybox: /dir redirect followed (rc %d, status %d, %s)", err, res.status, res.why);
	ok(!strcmp(res.final_url, want), "busybox: final_url '%s'", res.final_url);

	o.max_redirects = 0;
	err = get(url, &o);
	/* busybox 1.35 answers 302 Found here, others 301 */
	ok(err == -ELOOP && (res.status == 301 || res.status == 302),
	   "busybox: /dir with 0 redirects allowed: -ELOOP (rc %d, status %d)", err, res.status);
	ok(!strcmp(res.why, "redirect loop: more than 0 redirects"), "busybox: why '%s'", res.why);

	reap(pid);
}

/* ---- tests against the tiny server -------------------------------------- */

struct tiny_case {
	const char *file;
	int line;
	const char *name;
	const struct canned *canned;
	int ncanned;
	const char *path;
	int io_ms, max_redirects;
	int rc, status;
	const char *body;          /* NULL: do not check */
	long long content_length;
	long long received;        /* -1: strlen(body) */
	const char *why;           /* substring; "" for an empty why */
};

#define CANNED(...) (const struct canned[]){ __VA_ARGS__ }, \
	(int)(sizeof((const struct canned[]){ __VA_ARGS__ }) / sizeof(struct canned))
#define C1(t) CANNED({ t, 0, 0, NULL, 0 })
#define TINY(name, canned, path, io, redirs, rc, status, body, clen, recv, why) \
	{ __FILE__, __LINE__, name, canned, path, io, redirs, rc, status, body, clen, recv, why }

static char trunc_cl[256 + 1200], big_head[20000], ok_head[16500], big_chunk[64000];
static char chunk_want[40001];

static void build_payloads(void)
{
	size_t n;
	int i;

	n = (size_t)snprintf(trunc_cl, sizeof(trunc_cl), "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
	memset(trunc_cl + n, 'x', 1200);
	trunc_cl[n + 1200] = '\0';

	strcpy(big_head, "HTTP/1.1 200 OK\r\n");
	while (strlen(big_head) < 17000)
		strcat(big_head, "X-Padding: 0123456789012345678901234567890123456789012345678901234567890123\r\n");
	strcat(big_head, "Content-Length: 2\r\n\r\nhi");

	/* 16384 bytes of head in total: exactly fits */
	strcpy(ok_head, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Fill: ");
	n = strlen(ok_head);
	memset(ok_head + n, 'f', 16384 - n - 4);
	strcpy(ok_head + 16384 - 4, "\r\n\r\nhi");

	for (i = 0; i < 40000; i++)
		chunk_want[i] = (char)('a' + i % 26);
	n = (size_t)snprintf(big_chunk, sizeof(big_chunk),
	                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	                     "9C3F\r\n");	/* 39999 */
	memcpy(big_chunk + n, chunk_want, 39999);
	n += 39999;
	n += (size_t)snprintf(big_chunk + n, sizeof(big_chunk) - n, "\r\n1;last\r\n%c\r\n0\r\n\r\n",
	                      chunk_want[39999]);
	big_chunk[n] = '\0';
}

static const struct tiny_case tiny_cases[] = {
	TINY("truncated Content-Length body", C1(trunc_cl), "/", 3000, 3,
	     -EIO, 200, NULL, 5000, 1200, "truncated: 1200 of 5000 bytes"),
	TINY("more bytes than Content-Length", C1("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello world"),
	     "/", 3000, 3, 0, 200, "hello", 5, -1, ""),
	TINY("header names in any case", C1("HTTP/1.1 200 OK\r\ncontent-LENGTH:3\r\n\r\nabcdef"),
	     "/", 3000, 3, 0, 200, "abc", 3, -1, ""),
	TINY("HTTP/1.0 body to EOF", C1("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end"),
	     "/", 3000, 3, 0, 200, "until the end", -1, -1, ""),
	TINY("LF-only line ends", C1("HTTP/1.1 200 OK\nContent-Length: 2\n\nok"),
	     "/", 3000, 3, 0, 200, "ok", 2, -1, ""),
	TINY("chunked body",
	     C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1000\r\n\r\n"
	        "5\r\nhello\r\n7;ext=1\r\n, world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"),
	     "/", 3000, 3, 0, 200, "hello, world0123456789", -1, -1, ""),
	TINY("chunked body, no trailer blank line", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	        "3\r\nabc\r\n0\r\n"),
	     "/", 3000, 3, 0, 200, "abc", -1, -1, ""),
	TINY("chunked larger than the buffer", C1(big_chunk),
	     "/", 3000, 3, 0, 200, chunk_want, -1, 40000, ""),
	TINY("chunked truncated in a chunk", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	        "5\r\nhello\r\n100\r\n0123456789"),
	     "/", 3000, 3, -EIO, 200, "hello0123456789", -1, -1, "truncated"),
	TINY("chunked without the last chunk", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	        "5\r\nhello\r\n"),
	     "/", 3000, 3, -EIO, 200, "hello", -1, -1, "truncated: chunked body ended after 5 bytes"),
	TINY("chunked bad size", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
	     "/", 3000, 3, -EPROTO, 200, "", -1, 0, "bad chunk size line 'zz'"),
	TINY("chunked negative size", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
	     "/", 3000, 3, -EPROTO, 200, "", -1, 0, "bad chunk size"),
	TINY("chunk without CRLF", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n"),
	     "/", 3000, 3, -EPROTO, 200, "he", -1, -1, "chunk not followed by CRLF"),
	TINY("unsupported transfer coding", C1("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx"),
	     "/", 3000, 3, -EPROTO, 200, "", -1, 0, "unsupported Transfer-Encoding 'gzip'"),
	TINY("bad Content-Length", C1("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\nxx"),
	     "/", 3000, 3, -EPROTO, 200, "", -1, 0, "bad Content-Length '12x'"),
	TINY("negative Content-Length", C1("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nxx"),
	     "/", 3000, 3, -EPROTO, 200, "", -1, 0, "bad Content-Length"),
	TINY("headers too large", C1(big_head), "/", 3000, 3,
	     -EPROTO, 0, "", -1, 0, "response headers too large"),
	TINY("headers of exactly 16 KiB", C1(ok_head), "/", 3000, 3,
	     0, 200, "hi", 2, -1, ""),
	TINY("not HTTP", C1("SSH-2.0-OpenSSH_9.2\r\n\r\n"), "/", 3000, 3,
	     -EPROTO, 0, "", -1, 0, "not an HTTP response"),
	TINY("closed without a response", C1(""), "/", 3000, 3,
	     -EPROTO, 0, "", -1, 0, "connection closed without a response"),
	TINY("closed in the headers", C1("HTTP/1.1 200 OK\r\nContent-Le"), "/", 3000, 3,
	     -EPROTO, 0, "", -1, 0, "in the middle of the headers"),
	TINY("status without reason", C1("HTTP/1.1 500\r\nContent-Length: 0\r\n\r\n"), "/", 3000, 3,
	     -EPROTO, 500, "", 0, 0, "500"),
	TINY("403 with reason", C1("HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!"), "/", 3000, 3,
	     -EPROTO, 403, "", 3, 0, "403 Forbidden"),
	TINY("100 Continue first", C1("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes"),
	     "/", 3000, 3, 0, 200, "yes", 3, -1, ""),
	TINY("204 No Content", C1("HTTP/1.1 204 No Content\r\n\r\n"), "/", 3000, 3,
	     0, 204, "", -1, 0, ""),
	TINY("redirect loop", C1("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n"),
	     "/start", 3000, 3, -ELOOP, 302, "", 0, 0, "redirect loop: more than 3 redirects"),
	TINY("redirect without Location", C1("HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n"),
	     "/", 3000, 3, -EPROTO, 301, "", 0, 0, "301 Moved Permanently without Location"),
	/* followed: TLS itself is tested in test_tls.c; nobody listens on port 1 */
	TINY("redirect to https", C1("HTTP/1.1 308 Permanent Redirect\r\nlocation: https://127.0.0.1:1/x\r\n\r\n"),
	     "/", 3000, 3, -ECONNREFUSED, 0, "", -1, 0, "connection refused"),
	TINY("redirect to ftp", C1("HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1/x\r\n\r\n"),
	     "/", 3000, 3, -EPROTONOSUPPORT, 302, "", -1, 0, "302 Found to unsupported URL scheme"),
	TINY("redirect to a bad Location", C1("HTTP/1.1 302 Found\r\nLocation: /a b\r\n\r\n"),
	     "/", 3000, 3, -EPROTO, 302, "", -1, 0, "302 Found to bad Location '/a b'"),
	TINY("relative redirect then echo",
	     CANNED({ "HTTP/1.1 303 See Other\r\nLOCATION: ../b/final?x=1#frag\r\nContent-Length: 4\r\n\r\nskip", 0, 0, NULL, 0 },
	            { "HTTP/1.1 307 Temporary Redirect\r\nLocation: /c/last\r\n\r\n", 0, 0, NULL, 0 },
	            { ECHO, 0, 0, NULL, 0 }),
	     "/a/start", 3000, 3, 0, 200, NULL, -2, -2, ""),
	TINY("server never answers", C1(SILENT), "/", 300, 3,
	     -ETIMEDOUT, 0, "", -1, 0, "no response within 300 ms"),
	TINY("server stalls in the body",
	     CANNED({ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 0, 1, NULL, 0 }), "/", 300, 3,
	     -ETIMEDOUT, 200, "0123456789", 100, -1, "stalled for 300 ms after 10 bytes"),
	TINY("server stalls in a chunked body",
	     CANNED({ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n", 0, 1, NULL, 0 }), "/", 300, 3,
	     -ETIMEDOUT, 200, "abcd", -1, -1, "stalled for 300 ms after 4 bytes"),
};

static void run_tiny(const struct tiny_case *t)
{
	struct http_opts o = opts;
	char url[256], want[256];
	long long t0, ms;
	long long recv;
	pid_t pid;
	int port, err;

	port = start_tiny(&pid, AF_INET, t->canned, t->ncanned);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, t->path);
	o.io_timeout_ms = t->io_ms;
	o.max_redirects = t->max_redirects;
	t0 = mono_ms();
	err = get(url, &o);
	ms = mono_ms() - t0;
	reap(pid);

	ok_at(err == t->rc && res.status == t->status, t->file, t->line,
	      "%s: rc %d (want %d), status %d (want %d)", t->name, err, t->rc, res.status, t->status);
	if (t->why[0])
		ok_at(strstr(res.why, t->why) != NULL, t->file, t->line, "%s: why '%s' has '%s'",
		      t->name, res.why, t->why);
	else
		ok_at(res.why[0] == '\0', t->file, t->line, "%s: why empty ('%s')", t->name, res.why);
	if (t->body)
		ok_at(body_is(t->body), t->file, t->line, "%s: body (%zu bytes) as expected",
		      t->name, body.len);
	if (t->content_length != -2)
		ok_at(res.content_length == t->content_length, t->file, t->line,
		      "%s: content_length %lld (want %lld)", t->name, res.content_length,
		      t->content_length);
	recv = t->received == -1 ? (long long)strlen(t->body) : t->received;
	if (t->received != -2)
		ok_at(res.received == recv && (long long)body.len == recv, t->file, t->line,
		      "%s: received %lld, sink got %zu (want %lld)", t->name, res.received, body.len, recv);
	if (t->rc == -ETIMEDOUT)
		ok_at(ms >= t->io_ms - 20 && ms < t->io_ms + 1500, t->file, t->line,
		      "%s: gave up after %lld ms", t->name, ms);

	if (!strcmp(t->name, "relative redirect then echo")) {
		snprintf(want, sizeof(want), "http://127.0.0.1:%d/c/last", port);
		ok(!strcmp(res.final_url, want), "echo: final_url '%s'", res.final_url);
		body.data[body.len] = '\0';
		diag("request: %s", crlf(body.data));
		ok(!strncmp(body.data, "GET /c/last HTTP/1.1\r\n", 22), "echo: request line");
		snprintf(want, sizeof(want), "\r\nHost: 127.0.0.1:%d\r\n", port);
		ok(strstr(body.data, want) != NULL, "echo: Host header with port");
		ok(strstr(body.data, "\r\nUser-Agent: nbinit-test/1\r\n") != NULL, "echo: User-Agent");
		ok(strstr(body.data, "\r\nConnection: close\r\n") != NULL, "echo: Connection: close");
		ok(strstr(body.data, "\r\nAccept-Encoding: identity\r\n") != NULL,
		   "echo: Accept-Encoding: identity");
		ok(body.len > 4 && !memcmp(body.data + body.len - 4, "\r\n\r\n", 4), "echo: request ends");
	}
}

static void tiny_tests(void)
{
	size_t i;

	for (i = 0; i < sizeof(tiny_cases) / sizeof(tiny_cases[0]); i++)
		run_tiny(&tiny_cases[i]);
}

/* ---- POST (failure reports) ------------------------------------------------ */

static void post_tests(void)
{
	static const struct canned created[] = { { "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 0, 0, NULL, 0 } };
	static const struct canned broken[] = { { "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 0, 0, NULL, 0 } };
	static const struct canned moved[] = { { "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n", 0, 0, NULL, 0 } };
	const char msg[] = "nbinit: overlay: GET http://x/y: 404 Not Found\n";
	char url[64];
	pid_t pid;
	int port, err;

	port = start_tiny(&pid, AF_INET, created, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/report", port);
	err = http_post(url, &opts, "text/plain", msg, strlen(msg), &res);
	ok(err == 0 && res.status == 201, "POST answered 201 is a success (err %d, status %d, %s)", err, res.status, res.why);
	reap(pid);

	port = start_tiny(&pid, AF_INET, broken, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/report", port);
	err = http_post(url, &opts, "text/plain", msg, strlen(msg), &res);
	ok(err == -EPROTO && !strcmp(res.why, "500 Internal Server Error"), "POST answered 500: %d '%s'", err, res.why);
	reap(pid);

	port = start_tiny(&pid, AF_INET, moved, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/report", port);
	err = http_post(url, &opts, "text/plain", msg, strlen(msg), &res);
	ok(err == -EPROTO && strstr(res.why, "302"), "POST is not redirected: %d '%s'", err, res.why);
	reap(pid);

	err = http_post("ftp://127.0.0.1/x", &opts, "text/plain", msg, strlen(msg), &res);
	ok(err == -EPROTONOSUPPORT, "POST to ftp:// refused: %d '%s'", err, res.why);
}

/* ---- tests of single behaviours ----------------------------------------- */

/* A listener that never accepts, its queue filled by our own half-open
 * connections: further SYNs are dropped, so connect() must time out. */
static void connect_timeout_test(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct pollfd p;
	struct http_opts o = opts;
	char url[64];
	int lfd, fds[64], n = 0, err, full = 0;
	long long t0, ms;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 0) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len)) {
		printf("Bail out! listen: %s\n", strerror(errno));
		exit(1);
	}
	while (n < 64 && !full) {
		fds[n] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(fds[n], (struct sockaddr *)&a, sizeof(a));
		p.fd = fds[n];
		p.events = POLLOUT;
		full = poll(&p, 1, 200) == 0;
		n++;
	}
	if (!full) {
		skip(2, "could not fill the listen queue");
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
		o.connect_timeout_ms = 300;
		t0 = mono_ms();
		err = get(url, &o);
		ms = mono_ms() - t0;
		ok(err == -ETIMEDOUT && !strcmp(res.why, "no connection within 300 ms"),
		   "full listen queue: -ETIMEDOUT (rc %d, '%s')", err, res.why);
		ok(ms >= 280 && ms < 1500, "connect gave up after %lld ms", ms);
	}
	while (n > 0)
		close(fds[--n]);
	close(lfd);
}

/* ---- the deadline of a whole request and the body limit ----------------- */

/* GET from a server answering CANNED with O; checks the verdict and that
 * it came within [MIN_MS, MAX_MS). */
static void bound_case(const char *name, const struct canned *canned, const char *scheme,
                       const struct http_opts *o, int rc, const char *why, long long min_ms,
                       long long max_ms)
{
	char url[128];
	long long t0, ms;
	pid_t pid;
	int port, err;

	port = start_tiny(&pid, AF_INET, canned, 1);
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d/", scheme, port);
	t0 = mono_ms();
	err = get(url, o);
	ms = mono_ms() - t0;
	reap(pid);
	ok(err == rc && strstr(res.why, why), "%s: rc %d (want %d), why '%s' has '%s'", name, err, rc,
	   res.why, why);
	ok(ms >= min_ms && ms < max_ms, "%s: gave up after %lld ms (want %lld-%lld)", name, ms,
	   min_ms, max_ms);
	if (rc)
		ok(!http_transient(err, &res), "%s: not worth a retry", name);
}

static char endless_chunk[1100];

static void bound_tests(void)
{
	/* each read comes well within the 800 ms read timeout: only the
	 * deadline of the whole exchange can stop these */
	const struct canned trickle_body[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", 0, 0, "x", 200 } };
	const struct canned trickle_head[] = { { "HTTP/1.1 200 OK\r\nX-Slow: ", 0, 0, "a", 200 } };
	const struct canned trickle_chunks[] = {
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0, "1\r\nx\r\n", 200 } };
	const struct canned endless[] = {
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0, endless_chunk, 0 } };
	/* a TLS record of 1 KiB arriving a byte at a time: a ServerHello
	 * whose random is still coming in */
	const struct canned trickle_tls[] = {
		{ "\x16\x03\x03\x04\x00" "\x02\x00\x03\xfc" "\x03\x03", 11, 0, "A", 200 } };
	const struct canned big[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\nxx", 0, 0, NULL, 0 } };
	const struct canned hello[] = { { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, 0, NULL, 0 } };
	const struct canned hello_eof[] = { { "HTTP/1.0 200 OK\r\n\r\nhello", 0, 0, NULL, 0 } };
	struct http_opts o = opts;
	size_t n;

	n = (size_t)snprintf(endless_chunk, sizeof(endless_chunk), "400\r\n");
	memset(endless_chunk + n, 'z', 1024);
	strcpy(endless_chunk + n + 1024, "\r\n");

	o.io_timeout_ms = 800;
	o.deadline_ms = 1500;
	bound_case("body a byte every 200 ms", trickle_body, "http", &o, -ETIME,
	           "no complete answer within the deadline of 1500 ms", 1400, 2600);
	ok(res.received > 0 && res.received < 20 && res.status == 200,
	   "trickled body: %lld bytes before the deadline", res.received);
	bound_case("headers a byte every 200 ms", trickle_head, "http", &o, -ETIME,
	           "deadline of 1500 ms (0 body bytes received)", 1400, 2600);
	bound_case("one-byte chunks every 200 ms", trickle_chunks, "http", &o, -ETIME,
	           "deadline of 1500 ms", 1400, 2600);
	sink_counts_only = 1;
	bound_case("endless chunked body at full speed", endless, "http", &o, -ETIME,
	           "deadline of 1500 ms", 1400, 2600);
	sink_counts_only = 0;
	ok(res.received > 100000, "endless body: %lld bytes before the deadline", res.received);
	bound_case("TLS handshake a byte every 200 ms", trickle_tls, "https", &o, -ETIME,
	           "deadline of 1500 ms", 1400, 2600);

	o.deadline_ms = 0;	/* the default: 10 min */
	o.max_body = 100000;
	bound_case("endless chunked body over the limit", endless, "http", &o, -EFBIG,
	           "body longer than the limit of 100000 bytes", 0, 2000);
	ok(res.received <= 100000 && body.len == (size_t)res.received,
	   "over the limit: %lld bytes passed on, none beyond it", res.received);
	bound_case("Content-Length over the limit", big, "http", &o, -EFBIG,
	           "Content-Length 5000000 is over the limit of 100000 bytes", 0, 2000);
	ok(res.received == 0 && body.calls == 0, "announced too long: nothing passed on");
	o.max_body = 5;
	bound_case("body of exactly the limit", hello, "http", &o, 0, "", 0, 2000);
	bound_case("body to EOF of exactly the limit", hello_eof, "http", &o, 0, "", 0, 2000);
	o.max_body = 4;
	bound_case("body to EOF one byte over the limit", hello_eof, "http", &o, -EFBIG,
	           "body longer than the limit of 4 bytes", 0, 2000);
	ok(body.len == 0, "one byte over: nothing passed on (%zu)", body.len);
}

static void misc_tests(void)
{
	static const struct canned first_hop[] = {
		{ "HTTP/1.1 302 Found\r\nLocation: /final?q\r\n\r\n", 0, 0, NULL, 0 },
		{ ECHO, 0, 0, NULL, 0 },
	};
	static const struct canned echo[] = { { ECHO, 0, 0, NULL, 0 } };
	static const struct canned hello[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, 0, NULL, 0 },
	};
	char url[256], want[256];
	struct http_opts o = opts;
	pid_t pid;
	int port, err;

	/* a refused connection: a port nobody listens on */
	port = free_port();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	err = get(url, &opts);
	ok(err == -ECONNREFUSED && !strcmp(res.why, "connection refused") && res.status == 0,
	   "closed port: -ECONNREFUSED 'connection refused' (rc %d, '%s')", err, res.why);

	connect_timeout_test();

	/* https reads the CA bundle before it connects (see test_tls.c) */
	err = get("https://127.0.0.1:1/x", &opts);
	ok(err == -ECONNREFUSED && !strcmp(res.why, "connection refused") &&
	   !strcmp(res.final_url, "https://127.0.0.1:1/x"), "https to a closed port (rc %d, '%s')",
	   err, res.why);
	o.ca_file = "/nonexistent/ca.pem";
	err = get("https://127.0.0.1:1/x", &o);
	ok(err == -ENOENT && !strcmp(res.why, "cannot read trust anchors /nonexistent/ca.pem: "
	   "No such file or directory"), "https without its CA file (rc %d, '%s')", err, res.why);
	o = opts;
	err = get("ftp://127.0.0.1/x", &opts);
	ok(err == -EPROTONOSUPPORT && res.why[0], "ftp: -EPROTONOSUPPORT '%s'", res.why);
	err = get("http://127.0.0.1/a b", &opts);
	ok(err == -EINVAL && !strcmp(res.why, "malformed URL"), "space in URL: -EINVAL '%s'", res.why);

	/* a name that cannot resolve; without a name server -EAGAIN is fair */
	err = get("http://nonexistent.invalid/x", &opts);
	ok((err == -ENOENT || err == -EAGAIN) && strstr(res.why, "nonexistent.invalid"),
	   "unresolvable name: rc %d '%s'", err, res.why);

	/* the sink's error stops the transfer and is returned as is */
	port = start_tiny(&pid, AF_INET, hello, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	body_reset();
	body.fail_err = -ENOSPC;
	err = http_get(url, &opts, sink, &body, &res);
	ok(err == -ENOSPC && body.calls == 1 && res.received == 0 && strstr(res.why, "No space"),
	   "sink error returned (rc %d, '%s')", err, res.why);
	err = http_get(url, &opts, NULL, NULL, &res);
	ok(err == 0 && res.received == 5, "NULL sink discards the body (rc %d)", err);
	body_reset();
	err = http_get(url, NULL, sink, &body, &res);
	ok(err == 0 && body_is("hello"), "NULL options use defaults (rc %d)", err);
	reap(pid);

	/* redirect within the limit: exactly max_redirects hops are fine */
	port = start_tiny(&pid, AF_INET, first_hop, 2);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/start#frag", port);
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/final?q", port);
	o.max_redirects = 1;
	err = get(url, &o);
	ok(err == 0 && !strcmp(res.final_url, want) && !strncmp(body.data, "GET /final?q HTTP/1.1\r\n", 23),
	   "one redirect with max_redirects 1 (rc %d, %s)", err, res.final_url);
	reap(pid);

	/* IPv6 literal, when the host has ::1 */
	port = start_tiny(&pid, AF_INET6, echo, 1);
	if (port < 0) {
		skip(2, "no IPv6 loopback");
	} else {
		snprintf(url, sizeof(url), "http://[::1]:%d/v6", port);
		err = get(url, &opts);
		ok(err == 0 && !strncmp(body.data, "GET /v6 HTTP/1.1\r\n", 18), "IPv6 literal (rc %d, %s)",
		   err, res.why);
		snprintf(want, sizeof(want), "\r\nHost: [::1]:%d\r\n", port);
		body.data[body.len] = '\0';
		ok(strstr(body.data, want) != NULL, "IPv6 Host header in brackets");
		reap(pid);
	}

	/* default port 80 is left out of Host: we cannot bind 80, so look at
	 * the header through a redirect-free echo on another port instead */
	port = start_tiny(&pid, AF_INET, echo, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ua", port);
	o = opts;
	o.user_agent = NULL;
	err = get(url, &o);
	body.data[body.len] = '\0';
	ok(err == 0 && strstr(body.data, "\r\nUser-Agent: nbinit\r\n"), "default User-Agent nbinit");
	o.user_agent = "evil\r\nX-Injected: 1";
	err = get(url, &o);
	ok(err == -EINVAL, "User-Agent with CR LF refused (rc %d)", err);
	reap(pid);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(TEST_TIME_LIMIT_S);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nbinit-http.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	atexit(cleanup);
	build_payloads();

	busybox_tests();
	tiny_tests();
	post_tests();
	bound_tests();
	misc_tests();
	return done_testing();
}
