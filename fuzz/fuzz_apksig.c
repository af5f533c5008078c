/* Fuzz the reader of abuild-signed gzip streams (lib/apksig.c,
 * apk_signed_*), which sees an overlay, an APKINDEX and every package
 * before anything is trusted. The input is read twice, in one piece and in
 * chunks whose sizes come from its first byte, and both reads must agree
 * on the result, on the signature member and on the content's entries.
 * Checked on the way: a content entry of a signed stream never comes from
 * the signature member, begin/data/end nest, data counts match the sizes,
 * member callbacks come in order, at most APK_SIGS_MAX signatures of at
 * most APK_KEY_BYTES are kept, a refusal has words. A head-only pass must
 * find the same signature member. */
#include "common.h"
#include "apksig.h"

struct fx {
	struct apk_signed *s;
	int open, entries;
	long long got, size;
	unsigned long long raw, ends;
	uint64_t hash;
};

static void mix(struct fx *f, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		f->hash = (f->hash ^ *b++) * 1099511628211ull;
}

static int on_begin(void *ctx, const struct tar_entry *e)
{
	struct fx *f = ctx;

	FZ_ASSERT(memchr(e->name, '\0', sizeof(e->name)));
	FZ_ASSERT(!f->open);
	FZ_ASSERT(f->s->sig_members == 0 || (f->s->sig_members == 1 && f->s->g.members >= 1));
	f->open = 1;
	f->got = 0;
	f->size = e->size;
	f->entries++;
	mix(f, e->name, strlen(e->name) + 1);
	mix(f, &e->size, sizeof(e->size));
	return 0;
}

static int on_data(void *ctx, const void *buf, size_t len)
{
	struct fx *f = ctx;

	FZ_ASSERT(f->open);
	f->got += (long long)len;
	FZ_ASSERT(f->got <= f->size);
	mix(f, buf, len);
	return 0;
}

static int on_end(void *ctx, const struct tar_entry *e)
{
	struct fx *f = ctx;

	FZ_ASSERT(f->open && f->got == f->size);
	f->open = 0;
	return 0;
}

static const struct tar_ops ops = { on_begin, on_data, on_end };

static int on_raw(void *ctx, unsigned member, const void *buf, size_t len)
{
	struct fx *f = ctx;

	FZ_ASSERT(member == f->s->g.members);
	f->raw += len;
	return 0;
}

static int on_member_end(void *ctx, unsigned member, unsigned long long end)
{
	struct fx *f = ctx;

	FZ_ASSERT(end == f->raw && end > f->ends);
	f->ends = end;
	return 0;
}

struct result {
	int err, sig_members, nsig, entries;
	unsigned long long sig_end;
	uint64_t hash;
};

static void run(const uint8_t *data, size_t size, size_t chunk, bool head_only, struct result *r)
{
	static struct apk_signed s;
	static struct apk_keys keys;
	struct fx f = { .s = &s, .hash = 1469598103934665603ull };
	size_t off = 0;
	int err = 0, i;

	FZ_ASSERT(apk_signed_init(&s) == 0);
	s.ops = head_only ? NULL : &ops;
	s.ctx = &f;
	s.raw = on_raw;
	s.end = on_member_end;
	s.hash = true;
	s.head_only = head_only;
	while (!err && off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		err = apk_signed_feed(&s, data + off, n);
		off += n;
	}
	if (!err)
		err = apk_signed_finish(&s);
	else
		apk_signed_finish(&s);
	FZ_ASSERT(err > 0 || apk_signed_finish(&s) == err);   /* safe twice, same verdict */
	if (err < 0)
		FZ_ASSERT(apk_signed_why(&s)[0]);
	FZ_ASSERT(s.sig_members >= -1 && s.sig_members <= 1);
	FZ_ASSERT(s.nsig >= 0 && s.nsig <= APK_SIGS_MAX);
	for (i = 0; i < s.nsig; i++)
		FZ_ASSERT(s.sig[i].len <= APK_KEY_BYTES && memchr(s.sig[i].name, '\0', sizeof(s.sig[i].name)));
	if (s.sig_members == 1 && !err) {
		int v = apk_signed_verify(&s, &keys);   /* no keys: never good */
		FZ_ASSERT(v == -ENOKEY && s.state != APK_SIG_GOOD);
	}
	r->err = err;
	r->sig_members = s.sig_members;
	r->nsig = s.nsig;
	r->sig_end = s.sig_end;
	r->entries = f.entries;
	r->hash = f.hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[] = { 1, 7, 511, 512, 513, 4096, 65536 };
	struct result a, b, h;

	if (size < 1)
		return 0;
	run(data + 1, size - 1, size, false, &a);
	run(data + 1, size - 1, chunks[data[0] % 7], false, &b);
	FZ_ASSERT(a.err == b.err && a.sig_members == b.sig_members && a.nsig == b.nsig &&
	          a.sig_end == b.sig_end && a.entries == b.entries && a.hash == b.hash);
	run(data + 1, size - 1, size, true, &h);
	if (a.sig_members == 1 && h.err == 1)
		FZ_ASSERT(h.sig_end == a.sig_end && h.nsig == a.nsig);
	return 0;
}
