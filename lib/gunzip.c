/* A streaming gzip decoder (RFC 1952) on top of zlib's inflate: compressed
 * bytes arrive in chunks of any size, decompressed bytes go to a sink in
 * pieces of at most GUNZIP_OUT. Concatenated members decode as one stream,
 * like gzip -d; anything after a member that is not another member is an
 * error, and so is a stream that stops inside a member. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gunzip.h"

struct gz_state {
	z_stream z;
	gz_header head;          /* head.done: did the error hit a header? */
	unsigned char out[GUNZIP_OUT];
};

static int fail(struct gunzip *g, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct gunzip *g, int err, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(g->why, sizeof(g->why), fmt, ap);
		va_end(ap);
	}
	g->err = err;
	return err;
}

/* Put words on a Z_DATA_ERROR. */
static int data_error(struct gunzip *g, struct gz_state *s)
{
	const char *msg = s->z.msg ? s->z.msg : "invalid data";

	/* head.done: 0 while in a gzip header, -1 when it was not one. */
	if (s->head.done <= 0 && g->members)
		return fail(g, -EBADMSG, "trailing garbage after gzip member %u at byte %llu",
		            g->members, g->in_total);
	if (s->head.done <= 0)
		return fail(g, -EBADMSG, "not gzip data (%s)", msg);
	if (!strcmp(msg, "incorrect data check"))
		return fail(g, -EBADMSG, "gzip CRC mismatch at byte %llu (corrupt data)", g->in_total);
	if (!strcmp(msg, "incorrect length check"))
		return fail(g, -EBADMSG, "gzip length (ISIZE) mismatch at byte %llu", g->in_total);
	return fail(g, -EBADMSG, "corrupt gzip data at byte %llu: %s", g->in_total, msg);
}

/* Prepare G to decode a gzip stream into SINK (see gunzip.h). Allocates the
 * decoder state once. Returns 0 or -ENOMEM. */
int gunzip_init(struct gunzip *g, gunzip_sink sink, void *ctx)
{
	struct gz_state *s;

	memset(g, 0, sizeof(*g));
	g->sink = sink;
	g->ctx = ctx;
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(g, -ENOMEM, "out of memory");
	/* 15 + 16: the largest window, gzip wrapper only (no zlib, no raw). */
	if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
		free(s);
		return fail(g, -ENOMEM, "out of memory");
	}
	inflateGetHeader(&s->z, &s->head);
	g->z = s;
	return 0;
}

/* Decode LEN compressed bytes from BUF into the sink. Returns 0, -EBADMSG
 * (why set), -ENOMEM, or the sink's error (why left alone); after an error
 * every later call returns it again. */
int gunzip_feed(struct gunzip *g, const void *buf, size_t len)
{
	struct gz_state *s = g->z;
	int more = len > 0;

	if (g->err || !s)
		return g->err ? g->err : -EINVAL;
	s->z.next_in = (unsigned char *)buf;
	s->z.avail_in = (uInt)len;
	if ((size_t)s->z.avail_in != len)
		return fail(g, -EINVAL, "input chunk too large");

	while (more) {
		const unsigned char *start = s->z.next_in;
		uInt before = s->z.avail_in;
		size_t produced;
		int ret, err;

		s->z.next_out = s->out;
		s->z.avail_out = sizeof(s->out);
		ret = inflate(&s->z, Z_NO_FLUSH);
		produced = sizeof(s->out) - s->z.avail_out;
		g->in_total += before - s->z.avail_in;
		if (before != s->z.avail_in && ret != Z_STREAM_END)
			g->ended = 0;
		if (produced) {
			g->out_total += produced;
			if (g->sink && (err = g->sink(g->ctx, s->out, produced)))
				return fail(g, err, NULL);
		}
		if (before != s->z.avail_in && g->raw && (ret == Z_OK || ret == Z_STREAM_END || ret == Z_BUF_ERROR) &&
		    (err = g->raw(g->ctx, g->members, start, before - s->z.avail_in)))
			return fail(g, err, NULL);
		switch (ret) {
		case Z_STREAM_END:
			/* CRC and ISIZE were checked; a new member may follow. */
			if (g->end && (err = g->end(g->ctx, g->members, g->in_total))) {
				g->members++;
				g->ended = 1;
				return fail(g, err, NULL);
			}
			g->members++;
			g->ended = 1;
			inflateReset(&s->z);
			inflateGetHeader(&s->z, &s->head);
			break;
		case Z_OK:
		case Z_BUF_ERROR:     /* no progress possible: needs more input */
			break;
		case Z_MEM_ERROR:
			return fail(g, -ENOMEM, "out of memory");
		case Z_NEED_DICT:
		case Z_DATA_ERROR:
		default:
			return data_error(g, s);
		}
		/* Go on while input is left or the output buffer filled up;
		 * never spin when zlib makes no progress. */
		more = s->z.avail_in > 0 || (ret == Z_OK && s->z.avail_out == 0);
		if (ret == Z_BUF_ERROR && before == s->z.avail_in && !produced)
			more = 0;
	}
	return 0;
}

/* Free the decoder state without any check. */
void gunzip_abort(struct gunzip *g)
{
	struct gz_state *s = g->z;

	if (s) {
		inflateEnd(&s->z);
		free(s);
		g->z = NULL;
	}
}

/* Call after the last byte. Returns 0 when the last member ended cleanly,
 * -EIO (why "truncated gzip stream ...") when it did not, or an earlier
 * error. Frees the state; a second call returns the same result. */
int gunzip_finish(struct gunzip *g)
{
	int was_open = g->z != NULL;

	gunzip_abort(g);
	if (g->err || !was_open)
		return g->err;
	if (!g->ended && !g->in_total)
		return fail(g, -EIO, "truncated gzip stream: no data");
	if (!g->ended)
		return fail(g, -EIO, "truncated gzip stream after %llu bytes", g->in_total);
	return 0;
}
