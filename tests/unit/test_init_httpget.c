/* http_get_retry, the one GET with retries of the overlay and the
 * packages, against a real HTTP server on 127.0.0.1 (a forked child that
 * answers each connection with the next canned response): which failures
 * are tried again and how often (the schedule is b->o.http_retry), the
 * hooks around each try, the warning and the final WHY. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "tap.h"

#define OK200 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
#define E500 "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#define E404 "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#define CUT "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhel"

struct row {
	const char *file; int line;
	const char *what;
	const char *answers[5];    /* one per connection, NULL: no more */
	int attempts;              /* b->o.http_retry.attempts */
	bool final_on_body;        /* the end hook calls a received body final (a content failure) */
	int err;
	int tries;                 /* start hook calls */
	const char *body;          /* what the sink holds at the end */
	const char *why;           /* WHY, exactly (PORT: the server's) */
};
#define ROW(w, n, fb, e, t, bd, y, ...) { __FILE__, __LINE__, w, { __VA_ARGS__ }, n, fb, e, t, bd, y }

static const struct row rows[] = {
	ROW("200 at once", 4, false, 0, 1, "hello", "", OK200),
	ROW("500, 500, then 200: tried again", 4, false, 0, 3, "hello", "", E500, E500, OK200),
	ROW("a truncated body, then 200: the sink starts afresh", 4, false, 0, 2, "hello", "", CUT, OK200),
	ROW("500 every time: as many tries as the schedule has", 3, false, -EPROTO, 3,
	    "", "GET http://127.0.0.1:PORT/x: 500 Internal Server Error (after 3 tries)", E500, E500, E500, E500, E500),
	ROW("404: final at once", 4, false, -EPROTO, 1, "", "GET http://127.0.0.1:PORT/x: 404 Not Found", E404, OK200),
	ROW("the end hook calls it final: no retry, no WHY", 4, true, -EIO, 1, "hel", "", CUT, OK200),
	ROW("one try only", 1, false, -EPROTO, 1, "", "GET http://127.0.0.1:PORT/x: 500 Internal Server Error", E500, OK200),
};

struct ctx {
	char body[64];
	size_t len;
	int starts, ends;
	bool final_on_body;
};

static int sink(void *c, const void *buf, size_t len)
{
	struct ctx *x = c;

	if (x->len + len >= sizeof(x->body))
		return -EFBIG;
	memcpy(x->body + x->len, buf, len);
	x->len += len;
	return 0;
}

static int start(void *c)
{
	struct ctx *x = c;

	x->starts++;
	x->len = 0;
	return 0;
}

static int end(void *c, int err, const struct http_result *res, bool *final)
{
	struct ctx *x = c;

	x->ends++;
	if (err && x->final_on_body && x->len)
		*final = true;
	return err;
}

/* A server answering each connection with the next of ANSWERS. */
static pid_t serve(const char *const *answers, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, i;
	pid_t pid;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 || getsockname(s, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	if ((pid = fork()) != 0) {
		close(s);
		return pid;
	}
	for (i = 0; i < 5 && answers[i]; i++) {
		char req[2048];
		int c = accept(s, NULL, NULL);
		ssize_t n;

		if (c < 0)
			_exit(1);
		n = read(c, req, sizeof(req));   /* the request (one read is enough here) */
		(void)n;
		if (write(c, answers[i], strlen(answers[i])) < 0)
			_exit(1);
		shutdown(c, SHUT_WR);
		while (read(c, req, sizeof(req)) > 0)
			;
		close(c);
	}
	_exit(0);
}

int main(void)
{
	static struct boot b;
	static struct http_result res;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct ctx x = { .final_on_body = r->final_on_body };
		const struct http_try t = { .sink = sink, .start = start, .end = end, .ctx = &x };
		struct http_opts ho = { .connect_timeout_ms = 3000, .io_timeout_ms = 3000, .max_redirects = 5 };
		char url[64], why[512], want[256], *port_at;
		int port = 0, err;
		pid_t pid = serve(r->answers, &port);

		if (!ok_at(pid > 0, r->file, r->line, "%s: server started", r->what))
			continue;
		memset(&b, 0, sizeof(b));
		b.root = "";
		b.phase = "overlay";
		b.o.http_retry = (struct retry){ .attempts = r->attempts, .first_ms = 10, .cap_ms = 40, .jitter_pct = 0 };
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
		err = http_get_retry(&b, url, &ho, &t, &res, why, sizeof(why));
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		snprintf(want, sizeof(want), "%s", r->why);
		if ((port_at = strstr(want, "PORT")))
			snprintf(port_at, sizeof(want) - (size_t)(port_at - want), "%d/x%s", port, strstr(r->why, "PORT") + 6);
		x.body[x.len] = '\0';
		ok_at(err == r->err, r->file, r->line, "%s: %d (want %d)", r->what, err, r->err);
		ok_at(x.starts == r->tries && x.ends == r->tries, r->file, r->line, "%s: %d tries, %d ends (want %d)", r->what,
		      x.starts, x.ends, r->tries);
		ok_at(!strcmp(x.body, r->body), r->file, r->line, "%s: the sink holds '%s' (want '%s')", r->what, x.body,
		      r->body);
		ok_at(!strcmp(why, want), r->file, r->line, "%s: why '%s' (want '%s')", r->what, why,
		      want);
	}
	return done_testing();
}
