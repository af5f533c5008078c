/* Fuzz the HTTP response parser (status line, headers, Content-Length,
 * chunked bodies) through http_read_response(). The input is served in
 * chunk sizes drawn from its first bytes. Invariants: RES is consistent
 * (received never exceeds an announced Content-Length on success, the why
 * text is set on failure and NUL-terminated), the sink sees exactly
 * RES->received bytes, and the same input read in one piece gives the same
 * verdict and body. A first byte of 0x80 or more sets a body limit
 * (max_body, (byte & 0x7f) * 13 bytes): no more than that reaches the sink,
 * and only a limit makes -EFBIG. */
#include "common.h"
#include "http.h"

struct feed {
	const uint8_t *p;
	size_t left;
	const uint8_t *sizes;
	size_t nsizes, k;
};

static ssize_t rd(void *rctx, void *buf, size_t len)
{
	struct feed *f = rctx;
	size_t n = f->left;

	if (f->nsizes) {
		size_t want = (size_t)f->sizes[f->k++ % f->nsizes] + 1;
		if (n > want)
			n = want;
	}
	if (n > len)
		n = len;
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (ssize_t)n;
}

struct body {
	unsigned long long n, hash;
};

static int sink(void *ctx, const void *buf, size_t len)
{
	struct body *b = ctx;
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		b->hash = (b->hash ^ p[i]) * 1099511628211ull;
	b->n += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_result r1, r2;
	struct body b1 = { 0, 14695981039346656037ull }, b2 = b1;
	size_t ns = size && data[0] < 16 ? data[0] : 0;
	struct http_opts o = { .max_body = size && data[0] >= 0x80 ? (data[0] & 0x7f) * 13 : 0 };
	struct feed f1, f2;
	int e1, e2;

	if (size < 1 + ns)
		return 0;
	f1 = (struct feed){ data + 1 + ns, size - 1 - ns, data + 1, ns, 0 };
	f2 = (struct feed){ data + 1 + ns, size - 1 - ns, NULL, 0, 0 };
	e1 = http_read_response(rd, &f1, &o, sink, &b1, &r1);
	FZ_ASSERT(memchr(r1.why, '\0', sizeof(r1.why)));
	FZ_ASSERT(e1 == 0 || r1.why[0]);
	FZ_ASSERT((unsigned long long)r1.received == b1.n);
	if (e1 == 0 && r1.content_length >= 0)
		FZ_ASSERT(r1.received == r1.content_length);
	if (o.max_body > 0)
		FZ_ASSERT(r1.received <= o.max_body);
	else
		FZ_ASSERT(e1 != -EFBIG);
	e2 = http_read_response(rd, &f2, &o, sink, &b2, &r2);
	FZ_ASSERT(e1 == e2);
	FZ_ASSERT(r1.status == r2.status);
	if (e1 == 0)
		FZ_ASSERT(b1.n == b2.n && b1.hash == b2.hash);
	return 0;
}
