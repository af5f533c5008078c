/* Fuzz the push-style tar reader. The input is a tar stream; it is read
 * twice, once in one piece and once in chunks of sizes drawn from the input
 * (1 byte, around the 512-byte block, larger), and both reads must report
 * the same entries, the same data and the same result. Callbacks check the
 * entries: names and link names terminated, sizes and data counts sane,
 * begin/data/end properly nested. */
#include "common.h"
#include "tar.h"

struct trace {
	uint64_t hash;            /* of every event, in order */
	int open;                 /* between begin and end */
	long long got;            /* data bytes of the open entry */
	struct tar_entry cur;
	int entries;
	int ends;
};

static void mix(struct trace *t, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		t->hash = (t->hash ^ *b++) * 1099511628211ull;
}

static void check_entry(const struct tar_entry *e)
{
	FZ_ASSERT(memchr(e->name, '\0', sizeof(e->name)));
	FZ_ASSERT(memchr(e->linkname, '\0', sizeof(e->linkname)));
	FZ_ASSERT(e->size >= 0);
	FZ_ASSERT((e->mode & ~(mode_t)07777) == 0);
	FZ_ASSERT(memchr(e->uname, '\0', sizeof(e->uname)) && memchr(e->gname, '\0', sizeof(e->gname)));
	{
		/* The packed extended attributes walk exactly to xattr_len. */
		const unsigned char *v;
		const char *name;
		size_t len, sum = 0;
		int i;

		for (i = 0; (name = tar_xattr(e, i, &v, &len)); i++) {
			FZ_ASSERT(name[0] && v + len <= e->xattr + e->xattr_len);
			sum += strlen(name) + 3 + len;
		}
		FZ_ASSERT(i == e->nxattr && sum == e->xattr_len);
	}
}

static int on_begin(void *ctx, const struct tar_entry *e)
{
	struct trace *t = ctx;

	check_entry(e);
	FZ_ASSERT(!t->open);
	t->open = 1;
	t->got = 0;
	t->cur = *e;
	t->entries++;
	mix(t, "B", 1);
	mix(t, e->name, strlen(e->name));
	mix(t, "", 1);
	mix(t, e->linkname, strlen(e->linkname));
	mix(t, &e->type, sizeof(e->type));
	mix(t, &e->mode, sizeof(e->mode));
	mix(t, &e->uid, sizeof(e->uid));
	mix(t, &e->gid, sizeof(e->gid));
	mix(t, &e->size, sizeof(e->size));
	mix(t, &e->mtime, sizeof(e->mtime));
	mix(t, &e->devmajor, sizeof(e->devmajor));
	mix(t, &e->devminor, sizeof(e->devminor));
	return 0;
}

static int on_data(void *ctx, const void *buf, size_t len)
{
	struct trace *t = ctx;

	FZ_ASSERT(t->open);
	FZ_ASSERT(buf != NULL || len == 0);
	t->got += (long long)len;
	FZ_ASSERT(t->got <= t->cur.size);
	/* data is hashed as a stream: chunking may split it differently */
	mix(t, buf, len);
	return 0;
}

static int on_end(void *ctx, const struct tar_entry *e)
{
	struct trace *t = ctx;

	check_entry(e);
	FZ_ASSERT(t->open);
	FZ_ASSERT(strcmp(e->name, t->cur.name) == 0);
	FZ_ASSERT(e->type == t->cur.type && e->size == t->cur.size);
	/* types '1'..'6' carry no data and say size 0 (tar.h) */
	FZ_ASSERT(t->got == e->size);
	t->open = 0;
	t->ends++;
	mix(t, "E", 1);
	return 0;
}

static const struct tar_ops trace_ops = { on_begin, on_data, on_end };

/* Read DATA in chunks from R (or whole when R is NULL); the result code of
 * the first failing call, or of tar_finish. */
static int read_tar(struct trace *tr, const uint8_t *data, size_t size, struct fz_rng *r)
{
	static struct tar_reader t;
	size_t off = 0;
	int err = 0, fin;

	memset(tr, 0, sizeof(*tr));
	tar_init(&t, &trace_ops, tr);
	while (off < size) {
		size_t n = r ? fz_chunk(r) : size;

		if (n > size - off)
			n = size - off;
		err = tar_feed(&t, data + off, n);
		FZ_ASSERT(err == 0 || err == -EBADMSG);
		if (err)
			break;
		off += n;
	}
	fin = tar_finish(&t);
	if (err)
		return err;
	FZ_ASSERT(fin == 0 || fin == -EIO);
	if (fin == 0)
		FZ_ASSERT(!tr->open && tr->entries == tr->ends);
	return fin;
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace whole, chunked;
	struct fz_rng r;
	int e1, e2;

	fz_rng_seed(&r, data, size);
	e1 = read_tar(&whole, data, size, NULL);
	e2 = read_tar(&chunked, data, size, &r);
	FZ_ASSERT(e1 == e2);
	FZ_ASSERT(whole.entries == chunked.entries && whole.ends == chunked.ends);
	FZ_ASSERT(whole.hash == chunked.hash);
	FZ_ASSERT(whole.got == chunked.got);
	return 0;
}
