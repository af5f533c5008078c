/* Streaming gzip decoder in front of a sink (multi-member aware). */
#ifndef NB_GUNZIP_H
#define NB_GUNZIP_H

#include <stddef.h>

typedef int (*gunzip_sink)(void *ctx, const void *buf, size_t len);

struct gunzip {
	void *z;                 /* private (z_stream) */
	gunzip_sink sink;
	void *ctx;
	int ended;               /* a member ended and nothing follows yet */
	unsigned long long in_total, out_total;
	char why[128];
	/* private, added after the first version of this header */
	int err;                 /* sticky: returned again by later calls */
	unsigned members;        /* gzip members completed */
};

/* The decoder's state (zlib's, plus one GUNZIP_OUT output buffer) is
 * allocated once by gunzip_init and freed by gunzip_finish/gunzip_abort;
 * the sink gets at most GUNZIP_OUT bytes per call. */
#define GUNZIP_OUT (64 * 1024)

/* Returns 0 or -ENOMEM. */
int gunzip_init(struct gunzip *g, gunzip_sink sink, void *ctx);
/* Feed compressed bytes; decompressed bytes go to the sink. Returns 0,
 * -EBADMSG (not gzip / corrupt / CRC or length mismatch) or the sink's error. */
int gunzip_feed(struct gunzip *g, const void *buf, size_t len);
/* Returns 0 when the stream ended cleanly, -EIO when truncated. Frees state. */
int gunzip_finish(struct gunzip *g);
/* Frees state without checks (after an error). */
void gunzip_abort(struct gunzip *g);

#endif
