/* Reading a kernel module file into memory: a .ko as it is, a .ko.gz
 * inflated (lib/gunzip), a .ko.xz or .ko.zst decompressed when the build
 * has them (NB_MODULE_XZ=1, NB_MODULE_ZSTD=1; liblzma, libzstd). What the
 * kernel cannot decompress itself goes to init_module from here. Knows
 * nothing about modules.dep or loading (lib/kmod.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* xz and zstd decompression in the init are build options (make
 * NB_MODULE_XZ=1 NB_MODULE_ZSTD=1 add liblzma and libzstd, about 280 KiB of
 * the static init): mkpxerd packs modules uncompressed, Alpine's are .ko.gz,
 * and a kernel with CONFIG_MODULE_DECOMPRESS takes its own format. */
#ifndef NB_MODULE_XZ
#define NB_MODULE_XZ 0
#endif
#ifndef NB_MODULE_ZSTD
#define NB_MODULE_ZSTD 0
#endif

#if NB_MODULE_XZ
#include <lzma.h>
#endif
#if NB_MODULE_ZSTD
#include <zstd.h>
#endif
#include "gunzip.h"
#include "modfile.h"

#define MODULE_MAX   (256u << 20)   /* one module, decompressed */

const bool modfile_has_xz = NB_MODULE_XZ, modfile_has_zstd = NB_MODULE_ZSTD;

int modfile_kind(const void *head, size_t len)
{
	const unsigned char *p = head;

	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return MODFILE_GZIP;
	if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return MODFILE_XZ;
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return MODFILE_ZSTD;
	return MODFILE_RAW;
}

/* Output buffer that doubles up to MODULE_MAX. */
struct outbuf {
	unsigned char *p;
	size_t len, cap;
};

static int out_grow(struct outbuf *o, size_t hint)
{
	size_t cap = o->cap ? o->cap * 2 : hint;
	unsigned char *p;

	if (o->cap >= MODULE_MAX)
		return -EFBIG;
	if (cap < 4096)
		cap = 4096;
	if (cap > MODULE_MAX)
		cap = MODULE_MAX;
	p = realloc(o->p, cap);
	if (!p)
		return -ENOMEM;
	o->p = p;
	o->cap = cap;
	return 0;
}

/* lib/gunzip's sink: append to the outbuf (at most MODULE_MAX). */
static int out_sink(void *ctx, const void *buf, size_t len)
{
	struct outbuf *o = ctx;
	int err;

	while (o->cap - o->len < len)
		if ((err = out_grow(o, len)))
			return err;
	memcpy(o->p + o->len, buf, len);
	o->len += len;
	return 0;
}

/* Inflate a gzip file (one or more members, as gzip -c a b writes) with
 * lib/gunzip. Returns 0, -EBADMSG (corrupt, truncated, trailing garbage),
 * -EFBIG or -ENOMEM. */
static int gunzip_mem(const unsigned char *in, size_t inlen, struct outbuf *o)
{
	struct gunzip g;
	int err;

	if (gunzip_init(&g, out_sink, o))
		return -ENOMEM;
	err = gunzip_feed(&g, in, inlen);
	if (err) {
		gunzip_abort(&g);
		return err == -EFBIG || err == -ENOMEM ? err : -EBADMSG;
	}
	return gunzip_finish(&g) ? -EBADMSG : 0;
}

#if NB_MODULE_XZ
static int unxz_mem(const unsigned char *in, size_t inlen, struct outbuf *o)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;
	int err = 0;

	if (lzma_stream_decoder(&s, 256u << 20, LZMA_CONCATENATED) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = inlen;
	for (;;) {
		if (o->len == o->cap && (err = out_grow(o, inlen * 4)))
			break;
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		ret = lzma_code(&s, LZMA_FINISH);
		o->len = o->cap - s.avail_out;
		if (ret == LZMA_STREAM_END)
			break;
		if (ret == LZMA_MEM_ERROR || ret == LZMA_MEMLIMIT_ERROR) {
			err = -ENOMEM;
			break;
		}
		if (ret != LZMA_OK && !(ret == LZMA_BUF_ERROR && s.avail_out == 0)) {
			err = -EBADMSG;
			break;
		}
	}
	lzma_end(&s);
	return err;
}

#else
static int unxz_mem(const unsigned char *in, size_t inlen, struct outbuf *o)
{
	return -EOPNOTSUPP;   /* built with NB_MODULE_XZ=0 */
}
#endif

#if NB_MODULE_ZSTD
static int unzstd_mem(const unsigned char *in, size_t inlen, struct outbuf *o)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer zin = { in, inlen, 0 };
	unsigned long long hint = ZSTD_getFrameContentSize(in, inlen);
	int err = 0;

	if (!z)
		return -ENOMEM;
	if (hint == ZSTD_CONTENTSIZE_UNKNOWN || hint == ZSTD_CONTENTSIZE_ERROR || hint >= MODULE_MAX)
		hint = inlen * 4;
	ZSTD_initDStream(z);
	for (;;) {
		ZSTD_outBuffer zout;
		size_t ret;

		if (o->len == o->cap && (err = out_grow(o, (size_t)hint + 1)))
			break;
		zout.dst = o->p;
		zout.size = o->cap;
		zout.pos = o->len;
		ret = ZSTD_decompressStream(z, &zout, &zin);
		o->len = zout.pos;
		if (ZSTD_isError(ret)) {
			err = -EBADMSG;
			break;
		}
		if (ret == 0 && zin.pos == zin.size)
			break;     /* the last frame is complete */
		if (zin.pos == zin.size && zout.pos < zout.size) {
			err = -EBADMSG;   /* input ended inside a frame */
			break;
		}
	}
	ZSTD_freeDStream(z);
	return err;
}
#else
static int unzstd_mem(const unsigned char *in, size_t inlen, struct outbuf *o)
{
	return -EOPNOTSUPP;   /* built with NB_MODULE_ZSTD=0 */
}
#endif

int modfile_read(const char *path, void **buf, size_t *len)
{
	struct outbuf o = { NULL, 0, 0 };
	unsigned char *in = NULL;
	struct stat st;
	size_t inlen = 0;
	int fd, err, kind;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto err_close;
	}
	if (st.st_size > (off_t)MODULE_MAX) {
		err = -EFBIG;
		goto err_close;
	}
	in = malloc((size_t)st.st_size + 1);
	if (!in) {
		err = -ENOMEM;
		goto err_close;
	}
	while (inlen < (size_t)st.st_size) {
		ssize_t n = read(fd, in + inlen, (size_t)st.st_size - inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto err_free;
		}
		if (n == 0)
			break;
		inlen += (size_t)n;
	}
	close(fd);
	fd = -1;

	kind = modfile_kind(in, inlen);
	if (kind == MODFILE_RAW) {
		*buf = in;
		*len = inlen;
		return 0;
	}
	err = kind == MODFILE_GZIP ? gunzip_mem(in, inlen, &o) :
	      kind == MODFILE_XZ ? unxz_mem(in, inlen, &o) : unzstd_mem(in, inlen, &o);
	if (err)
		goto err_free;
	free(in);
	*buf = o.p;
	*len = o.len;
	return 0;

err_free:
	free(o.p);
	free(in);
err_close:
	if (fd >= 0)
		close(fd);
	return err;
}
