/* A small HTTP/1.1 GET client: http:// and https:// (TLS with verified
 * certificates, lib/tls.h), timeouts, redirects, Content-Length and
 * chunked bodies, streaming into a sink. Knows nothing about booting. */
#ifndef NB_HTTP_H
#define NB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "url.h"

/* Supplies response bytes: up to LEN into BUF; returns the count, 0 at the
 * end of the stream, or a negative errno. */
typedef ssize_t (*http_reader)(void *rctx, void *buf, size_t len);

/* Receives body bytes in order; return 0 to go on or a negative errno to stop. */
typedef int (*http_sink)(void *ctx, const void *buf, size_t len);

#define HTTP_DEADLINE_MS_DEFAULT 600000	/* 10 min */

struct http_opts {
	int connect_timeout_ms;   /* per connection attempt; <= 0: 10 s */
	int io_timeout_ms;        /* longest silence while reading or writing;
	                             <= 0: 30 s */
	int max_redirects;        /* 301/302/303/307/308 followed at most this often */
	int deadline_ms;          /* the whole exchange: connecting, TLS, every
	                             redirect and the body, on CLOCK_MONOTONIC;
	                             <= 0: HTTP_DEADLINE_MS_DEFAULT */
	long long max_body;       /* longest body passed to the sink; a longer
	                             one (announced or received) is refused;
	                             <= 0: no limit */
	const char *user_agent;   /* NULL: "nbinit" */
	const char *ca_file;      /* https: PEM bundle of trusted CAs; NULL:
	                             /etc/ssl/certs/ca-certificates.crt */
	long long now_floor;      /* https: when the clock is behind this Unix
	                             time or the binary's build date (the later
	                             one), check certificates as of that time
	                             instead; 0: the build date alone */
};

struct http_result {
	int status;               /* last HTTP status, 0 when none was read */
	char final_url[URL_MAX];  /* URL of the last request, or the redirect
	                             target that could not be requested */
	long long content_length; /* -1 when not announced */
	long long received;       /* body bytes passed to the sink */
	char why[256];            /* on failure: the cause in words, e.g.
	                             "404 Not Found", "connection refused",
	                             "truncated: 1200 of 5000 bytes",
	                             "no response within 10 s" */
	char diag[192];           /* worth saying once even on success, "" if
	                             nothing: "the clock says 1970-01-01, before
	                             the build date 2026-11-25: checking
	                             certificates as of 2026-11-25" */
};

/* GET URL and stream the body of the final 2xx response into SINK.
 * Returns 0 when the whole body arrived; -EPROTO for a non-2xx status, a
 * malformed response or a failed TLS handshake, -ELOOP for too many
 * redirects, -EPERM for a redirect from https to http, -ETIMEDOUT (a
 * connect or a read waited longer than its timeout), -ETIME (the whole
 * exchange took longer than O->deadline_ms), -EFBIG (the body is longer
 * than O->max_body),
 * -ECONNREFUSED, -EHOSTUNREACH, -ENOENT for a name that does not resolve
 * or a missing CA bundle, -EKEYREJECTED for an untrusted or misnamed
 * certificate, -EKEYEXPIRED for one outside its validity, -EIO for a
 * truncated body, or the sink's own error. RES always filled.
 * Not reentrant for https: the TLS state (about 190 KiB) is static. */
int http_get(const char *url, const struct http_opts *o, http_sink sink,
             void *ctx, struct http_result *res);

/* Parse one HTTP/1.1 response read through RD (the parser http_get uses,
 * without a connection: for tests and fuzzing) and stream a 2xx body into
 * SINK, with O's max_body and deadline (O may be NULL). Returns 0, -EPROTO
 * (non-2xx or malformed), -EIO (truncated), -EFBIG, -ETIME or an error of
 * RD or SINK; RES always filled. Not reentrant. */
int http_read_response(http_reader rd, void *rctx, const struct http_opts *o,
                       http_sink sink, void *ctx, struct http_result *res);

/* Whether ERR (with RES) from http_get is worth asking again: timeouts,
 * refused or reset connections, truncation and 5xx may get better; a 4xx,
 * a refused certificate, a redirect loop, a body over the limit or a
 * passed deadline (-ETIME: asking again would only multiply the bound)
 * will not. */
bool http_transient(int err, const struct http_result *res);

/* POST LEN bytes of BODY with Content-Type CTYPE to URL, once (redirects
 * are not followed). Returns 0 for a 2xx answer, else a negative errno as
 * http_get; RES always filled. */
int http_post(const char *url, const struct http_opts *o, const char *ctype,
              const void *body, size_t len, struct http_result *res);

#endif
