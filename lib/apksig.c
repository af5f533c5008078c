/* apk v2 signatures and archives (see apksig.h, docs/apk-formats.md):
 * PEM/DER RSA public keys read with a small DER reader, PKCS#1 v1.5
 * verification by BearSSL, base64, a gzip decoder that reports member
 * boundaries, and the signed APKINDEX.tar.gz. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "apksig.h"
#include "tar.h"

/* ---- base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int apk_b64_encode(const void *in, size_t n, char *out, size_t outsz)
{
	const unsigned char *p = in;
	size_t i, o = 0;

	if (outsz < (n + 2) / 3 * 4 + 1)
		return -ENOSPC;
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int apk_b64_decode(const char *in, size_t n, unsigned char *out, size_t outsz)
{
	unsigned acc = 0;
	size_t i, o = 0;
	int bits = 0;

	while (n && in[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		int v = b64_val(in[i]);
		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -ENOSPC;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)o;
}

void apk_q1(const unsigned char sha1[20], char out[APK_Q1_LEN])
{
	out[0] = 'Q';
	out[1] = '1';
	apk_b64_encode(sha1, 20, out + 2, APK_Q1_LEN - 2);
}

/* ---- DER ---- */

struct der {
	const unsigned char *p, *end;
};

/* Read one element with tag TAG from D into its contents IN. */
static int der_take(struct der *d, unsigned char tag, struct der *in)
{
	size_t len, i, nb;

	if (d->end - d->p < 2 || d->p[0] != tag)
		return -EINVAL;
	len = d->p[1];
	d->p += 2;
	if (len & 0x80) {
		nb = len & 0x7f;
		if (nb == 0 || nb > 4 || (size_t)(d->end - d->p) < nb)
			return -EINVAL;
		for (len = 0, i = 0; i < nb; i++)
			len = len << 8 | *d->p++;
	}
	if ((size_t)(d->end - d->p) < len)
		return -EINVAL;
	in->p = d->p;
	in->end = d->p + len;
	d->p += len;
	return 0;
}

/* An unsigned INTEGER into DST (without leading zeros). */
static int der_uint(struct der *d, unsigned char *dst, size_t cap, size_t *len)
{
	struct der v;

	if (der_take(d, 0x02, &v) || v.p == v.end || (v.p[0] & 0x80))
		return -EINVAL;
	while (v.end - v.p > 1 && v.p[0] == 0)
		v.p++;
	if ((size_t)(v.end - v.p) > cap)
		return -E2BIG;
	*len = (size_t)(v.end - v.p);
	memcpy(dst, v.p, *len);
	return 0;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static int rsa_pubkey(struct apk_key *k, struct der *d)
{
	struct der seq;
	int err;

	if (der_take(d, 0x30, &seq))
		return -EINVAL;
	if ((err = der_uint(&seq, k->n, sizeof(k->n), &k->pk.nlen)) ||
	    (err = der_uint(&seq, k->e, sizeof(k->e), &k->pk.elen)))
		return err;
	k->pk.n = k->n;
	k->pk.e = k->e;
	return k->pk.nlen >= 64 ? 0 : -EINVAL;
}

/* SubjectPublicKeyInfo with algorithm rsaEncryption (1.2.840.113549.1.1.1). */
static int spki(struct apk_key *k, struct der *d)
{
	static const unsigned char rsa_oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
	struct der seq, alg, oid, bits;

	if (der_take(d, 0x30, &seq) || der_take(&seq, 0x30, &alg) || der_take(&alg, 0x06, &oid))
		return -EINVAL;
	if ((size_t)(oid.end - oid.p) != sizeof(rsa_oid) || memcmp(oid.p, rsa_oid, sizeof(rsa_oid)))
		return -EOPNOTSUPP;
	if (der_take(&seq, 0x03, &bits) || bits.p == bits.end || bits.p[0] != 0)
		return -EINVAL;
	bits.p++;
	return rsa_pubkey(k, &bits);
}

int apk_key_parse_pem(struct apk_key *k, const char *pem, size_t len)
{
	static const char begin[] = "-----BEGIN ", end_mark[] = "-----END ";
	const char *p = memmem(pem, len, begin, sizeof(begin) - 1), *e = pem + len, *body, *stop;
	static unsigned char der[4096];
	char text[8192];
	size_t t = 0;
	int pkcs1, n;
	struct der d;

	if (!p)
		return -EINVAL;
	pkcs1 = (size_t)(e - p) > 26 && !memcmp(p, "-----BEGIN RSA PUBLIC KEY-----", 30);
	if (!pkcs1 && ((size_t)(e - p) < 26 || memcmp(p, "-----BEGIN PUBLIC KEY-----", 26)))
		return -EINVAL;
	body = memchr(p, '\n', (size_t)(e - p));
	stop = body ? memmem(body, (size_t)(e - body), end_mark, sizeof(end_mark) - 1) : NULL;
	if (!stop)
		return -EINVAL;
	for (p = body; p < stop; p++) {
		if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
			continue;
		if (t + 1 >= sizeof(text))
			return -E2BIG;
		text[t++] = *p;
	}
	n = apk_b64_decode(text, t, der, sizeof(der));
	if (n < 0)
		return n == -ENOSPC ? -E2BIG : -EINVAL;
	d.p = der;
	d.end = der + n;
	return pkcs1 ? rsa_pubkey(k, &d) : spki(k, &d);
}

int apk_keys_load(struct apk_keys *keys, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	memset(keys, 0, sizeof(*keys));
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[4096], pem[16384];
		struct apk_key *k;
		struct stat st;
		ssize_t r;
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= APK_KEY_NAME)
			continue;
		if (keys->n >= APK_KEYS_MAX) {
			keys->bad++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			continue;
		}
		r = read(fd, pem, sizeof(pem) - 1);
		close(fd);
		k = &keys->k[keys->n];
		if (r <= 0 || apk_key_parse_pem(k, pem, (size_t)r)) {
			keys->bad++;
			continue;
		}
		snprintf(k->name, sizeof(k->name), "%s", de->d_name);
		keys->n++;
		n++;
	}
	closedir(d);
	return n;
}

const struct apk_key *apk_keys_find(const struct apk_keys *keys, const char *name)
{
	size_t i;

	for (i = 0; keys && i < keys->n; i++)
		if (!strcmp(keys->k[i].name, name))
			return &keys->k[i];
	return NULL;
}

int apk_rsa_verify(const struct apk_key *k, const unsigned char *digest, size_t hashlen,
                   const unsigned char *sig, size_t siglen)
{
	br_rsa_pkcs1_vrfy vrfy = br_rsa_pkcs1_vrfy_get_default();
	const unsigned char *oid = hashlen == 20 ? BR_HASH_OID_SHA1 : BR_HASH_OID_SHA256;
	unsigned char out[64];

	if ((hashlen != 20 && hashlen != 32) || siglen != k->pk.nlen)
		return -EKEYREJECTED;
	if (!vrfy(sig, siglen, oid, hashlen, &k->pk, out))
		return -EKEYREJECTED;
	return memcmp(out, digest, hashlen) ? -EKEYREJECTED : 0;
}

/* ---- gzip members ---- */

struct gz_state {
	z_stream z;
	unsigned char out[32768];
};

static int gz_fail(struct apk_gz *g, int err, const char *why)
{
	if (why)
		snprintf(g->why, sizeof(g->why), "%s", why);
	g->err = err;
	return err;
}

int apk_gz_init(struct apk_gz *g)
{
	struct gz_state *s = calloc(1, sizeof(*s));

	g->member = 0;
	g->in_total = g->out_total = 0;
	g->between = false;
	g->err = 0;
	g->why[0] = '\0';
	g->z = NULL;
	if (!s)
		return gz_fail(g, -ENOMEM, "out of memory");
	if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
		free(s);
		return gz_fail(g, -ENOMEM, "out of memory");
	}
	g->z = s;
	return 0;
}

int apk_gz_feed(struct apk_gz *g, const void *buf, size_t len)
{
	struct gz_state *s = g->z;
	const unsigned char *in = buf;
	int err;

	if (g->err || !s)
		return g->err ? g->err : -EINVAL;
	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : len, used;
		bool fresh = g->between;
		int ret;

		if (g->between) {
			inflateReset(&s->z);
			g->member++;
			g->between = false;
		}
		s->z.next_in = (unsigned char *)in;
		s->z.avail_in = (uInt)chunk;
		s->z.next_out = s->out;
		s->z.avail_out = sizeof(s->out);
		ret = inflate(&s->z, Z_NO_FLUSH);
		used = chunk - s->z.avail_in;
		if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR)
			return gz_fail(g, -EBADMSG, !g->in_total ? "not gzip data" :
			               fresh ? "trailing garbage after the last gzip member" :
			               s->z.msg ? s->z.msg : "corrupt gzip data");
		if (ret == Z_MEM_ERROR)
			return gz_fail(g, -ENOMEM, "out of memory");
		if (used && g->on_raw && (err = g->on_raw(g->ctx, g->member, in, used)))
			return gz_fail(g, err, NULL);
		g->in_total += used;
		in += used;
		len -= used;
		if (sizeof(s->out) - s->z.avail_out) {
			size_t n = sizeof(s->out) - s->z.avail_out;
			g->out_total += n;
			if (g->on_data && (err = g->on_data(g->ctx, g->member, s->out, n)))
				return gz_fail(g, err, NULL);
		}
		if (ret == Z_STREAM_END) {
			g->between = true;
			if (g->on_end && (err = g->on_end(g->ctx, g->member, g->in_total)))
				return gz_fail(g, err, NULL);
		} else if (!used && s->z.avail_out) {
			break;          /* zlib wants more input */
		}
	}
	return 0;
}

int apk_gz_finish(struct apk_gz *g)
{
	struct gz_state *s = g->z;

	if (s) {
		inflateEnd(&s->z);
		free(s);
		g->z = NULL;
	}
	if (g->err)
		return g->err;
	if (!g->between)
		return gz_fail(g, -EIO, g->in_total ? "truncated gzip stream" : "empty file");
	return 0;
}

/* ---- APKINDEX.tar.gz ---- */

#define SIGS_MAX 4

struct idx_ctx {
	struct tar_reader t;
	struct apk_index_file *f;
	unsigned member;              /* member of the bytes being fed */
	unsigned long long sig_end;   /* compressed offset past member 0 */
	bool first_is_sig;            /* member 0 held .SIGN.* entries */
	int target;                   /* entry being read: 0 skip, 1 sig, 2 APKINDEX, 3 DESCRIPTION */
	struct {
		char name[APK_KEY_NAME];
		size_t hashlen;
		unsigned char data[APK_KEY_BYTES];
		size_t len;
	} sig[SIGS_MAX];
	int nsig;
	size_t text_cap, desc_len;
	int bad;                      /* set when a sink said no: -ENOMEM, -EBADMSG */
};

static int idx_begin(void *ctx, const struct tar_entry *e)
{
	struct idx_ctx *c = ctx;

	c->target = 0;
	if (e->type != TAR_FILE)
		return 0;
	if (!strncmp(e->name, ".SIGN.", 6)) {
		const char *alg = e->name + 6, *key;
		size_t hashlen;

		if (c->member != 0)
			return 0;       /* signatures count only in the first member */
		c->first_is_sig = true;
		if (!strncmp(alg, "RSA256.", 7)) {
			hashlen = 32;
			key = alg + 7;
		} else if (!strncmp(alg, "RSA.", 4)) {
			hashlen = 20;
			key = alg + 4;
		} else {
			return 0;       /* DSA, RSA512: not supported, ignored */
		}
		if (c->nsig >= SIGS_MAX || e->size > APK_KEY_BYTES || strlen(key) >= APK_KEY_NAME)
			return 0;
		snprintf(c->sig[c->nsig].name, APK_KEY_NAME, "%s", key);
		c->sig[c->nsig].hashlen = hashlen;
		c->sig[c->nsig].len = 0;
		c->nsig++;
		c->target = 1;
	} else if (!strcmp(e->name, "APKINDEX")) {
		if (c->f->text) {
			c->bad = -EBADMSG;
			return -EBADMSG;
		}
		c->text_cap = (size_t)e->size + 1;
		c->f->text = malloc(c->text_cap);
		if (!c->f->text) {
			c->bad = -ENOMEM;
			return -ENOMEM;
		}
		c->f->text_len = 0;
		c->target = 2;
	} else if (!strcmp(e->name, "DESCRIPTION")) {
		c->desc_len = 0;
		c->target = 3;
	}
	return 0;
}

static int idx_data(void *ctx, const void *buf, size_t len)
{
	struct idx_ctx *c = ctx;

	if (c->target == 1) {
		typeof(c->sig[0]) *s = &c->sig[c->nsig - 1];
		memcpy(s->data + s->len, buf, len);   /* size was checked */
		s->len += len;
	} else if (c->target == 2) {
		memcpy(c->f->text + c->f->text_len, buf, len);
		c->f->text_len += len;
	} else if (c->target == 3) {
		size_t room = sizeof(c->f->description) - 1 - c->desc_len;
		size_t n = len < room ? len : room;
		memcpy(c->f->description + c->desc_len, buf, n);
		c->desc_len += n;
		c->f->description[c->desc_len] = '\0';
	}
	return 0;
}

static int idx_end(void *ctx, const struct tar_entry *e)
{
	struct idx_ctx *c = ctx;

	if (c->target == 2)
		c->f->text[c->f->text_len] = '\0';
	if (c->target == 3) {
		size_t l = strlen(c->f->description);
		while (l && (c->f->description[l - 1] == '\n' || c->f->description[l - 1] == ' '))
			c->f->description[--l] = '\0';
	}
	c->target = 0;
	return 0;
}

static const struct tar_ops idx_ops = { idx_begin, idx_data, idx_end };

static int idx_raw_data(void *ctx, unsigned member, const void *buf, size_t len)
{
	struct idx_ctx *c = ctx;

	c->member = member;
	return tar_feed(&c->t, buf, len);
}

static int idx_member_end(void *ctx, unsigned member, unsigned long long end)
{
	struct idx_ctx *c = ctx;

	if (member == 0)
		c->sig_end = end;
	return 0;
}

/* Verify the signatures of C over BUF[c->sig_end..LEN). */
static void check_sigs(struct idx_ctx *c, const unsigned char *buf, size_t len, const struct apk_keys *keys)
{
	unsigned char d1[20], d256[32];
	br_sha1_context s1;
	br_sha256_context s256;
	int i;

	c->f->sig = c->nsig ? APK_SIG_UNKNOWN_KEY : APK_SIG_NONE;
	if (!c->nsig)
		return;
	snprintf(c->f->key, sizeof(c->f->key), "%s", c->sig[0].name);
	br_sha1_init(&s1);
	br_sha1_update(&s1, buf + c->sig_end, len - c->sig_end);
	br_sha1_out(&s1, d1);
	br_sha256_init(&s256);
	br_sha256_update(&s256, buf + c->sig_end, len - c->sig_end);
	br_sha256_out(&s256, d256);
	for (i = 0; i < c->nsig; i++) {
		const struct apk_key *k = apk_keys_find(keys, c->sig[i].name);
		const unsigned char *d = c->sig[i].hashlen == 20 ? d1 : d256;

		if (!k)
			continue;
		snprintf(c->f->key, sizeof(c->f->key), "%s", c->sig[i].name);
		if (!apk_rsa_verify(k, d, c->sig[i].hashlen, c->sig[i].data, c->sig[i].len)) {
			c->f->sig = APK_SIG_GOOD;
			return;
		}
		c->f->sig = APK_SIG_BAD;
	}
}

int apk_index_unpack(const unsigned char *buf, size_t len, const struct apk_keys *keys,
                     struct apk_index_file *f)
{
	static struct idx_ctx c;
	struct apk_gz g = { .on_data = idx_raw_data, .on_end = idx_member_end, .ctx = &c };
	int err, terr;

	memset(f, 0, sizeof(*f));
	memset(&c, 0, sizeof(c));
	c.f = f;
	tar_init(&c.t, &idx_ops, &c);
	if ((err = apk_gz_init(&g)))
		return snprintf(f->why, sizeof(f->why), "out of memory"), err;
	err = apk_gz_feed(&g, buf, len);
	if (!err)
		err = apk_gz_finish(&g);
	else
		apk_gz_finish(&g);
	terr = tar_finish(&c.t);
	if (err) {
		if (c.bad)
			err = c.bad;
		snprintf(f->why, sizeof(f->why), "%s", c.bad == -ENOMEM ? "out of memory" :
		         g.why[0] ? g.why : c.t.why[0] ? c.t.why : "damaged archive");
		if (err != -ENOMEM)
			err = -EBADMSG;
		goto fail;
	}
	if (terr) {
		err = -EBADMSG;
		snprintf(f->why, sizeof(f->why), "%s", c.t.why[0] ? c.t.why : "damaged tar archive");
		goto fail;
	}
	if (!f->text) {
		err = -EBADMSG;
		snprintf(f->why, sizeof(f->why), "no APKINDEX file in the archive");
		goto fail;
	}
	if (!c.first_is_sig || !c.sig_end || c.sig_end >= len) {
		f->sig = APK_SIG_NONE;
		snprintf(f->why, sizeof(f->why), "unsigned (no .SIGN.RSA.* signature)");
		return -ENOKEY;
	}
	check_sigs(&c, buf, len, keys);
	switch (f->sig) {
	case APK_SIG_GOOD:
		snprintf(f->why, sizeof(f->why), "signed by %s", f->key);
		return 0;
	case APK_SIG_BAD:
		snprintf(f->why, sizeof(f->why), "BAD signature by %s (the index was changed after signing, or the key is not the signer's)",
		         f->key);
		return -EKEYREJECTED;
	case APK_SIG_UNKNOWN_KEY:
		snprintf(f->why, sizeof(f->why), "signed by %s, which is not in the trusted keys", f->key);
		return -ENOKEY;
	default:
		snprintf(f->why, sizeof(f->why), "no usable signature (only DSA or RSA512)");
		return -ENOKEY;
	}
fail:
	free(f->text);
	f->text = NULL;
	return err;
}
