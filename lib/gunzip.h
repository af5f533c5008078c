/* Streaming gzip decoder in front of a sink (multi-member aware), with
 * optional callbacks that see each member's compressed bytes and its end:
 * the one gzip decoder of lib/ (overlays, APKINDEX, packages, modules). */
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
	/* private */
	int err;                 /* sticky: returned again by later calls */
	unsigned members;        /* gzip members completed: during a sink or
	                          * callback call, the member being decoded */
	/* Optional, set after gunzip_init: RAW gets the compressed bytes of
	 * member MEMBER as they are consumed (after the sink got what they
	 * decoded to), END the compressed offset just past a member once its
	 * CRC and length were checked. A non-zero return stops the stream
	 * and is returned by gunzip_feed (a positive one too: a caller's
	 * "stop here"). */
	int (*raw)(void *ctx, unsigned member, const void *buf, size_t len);
	int (*end)(void *ctx, unsigned member, unsigned long long end);
};

/* The decoder's state (zlib's, plus one GUNZIP_OUT output buffer) is
 * allocated once by gunzip_init and freed by gunzip_finish/gunzip_abort;
 * the sink gets at most GUNZIP_OUT bytes per call. */
#define GUNZIP_OUT (64 * 1024)

/* SINK may be NULL (the decoded bytes are only counted). Returns 0 or
 * -ENOMEM. */
int gunzip_init(struct gunzip *g, gunzip_sink sink, void *ctx);
/* Feed compressed bytes; decompressed bytes go to the sink. Returns 0,
 * -EBADMSG (not gzip / corrupt / CRC or length mismatch) or the sink's error. */
int gunzip_feed(struct gunzip *g, const void *buf, size_t len);
/* Returns 0 when the stream ended cleanly, -EIO when truncated. Frees state. */
int gunzip_finish(struct gunzip *g);
/* Frees state without checks (after an error). */
void gunzip_abort(struct gunzip *g);

#endif
