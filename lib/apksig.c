/* apk v2 signatures and archives (see apksig.h, docs/apk-formats.md):
 * PEM/DER RSA public keys read with a small DER reader, PKCS#1 v1.5
 * verification by BearSSL, base64, the reader of abuild-signed gzip
 * streams on lib/gunzip's member callbacks, and the signed
 * APKINDEX.tar.gz. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	pkcs1 = (size_t)(e - p) >= 30 && !memcmp(p, "-----BEGIN RSA PUBLIC KEY-----", 30);
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

/* ---- abuild-signed gzip streams ---- */

static int refuse(struct apk_signed *s, const char *fmt, const char *arg)
{
	snprintf(s->why, sizeof(s->why), fmt, arg);
	return -EBADMSG;
}

/* Member 0's entries while its role is not known, or it is the signature. */
static int head_begin(void *ctx, const struct tar_entry *e)
{
	struct apk_signed *s = ctx;
	const char *alg = e->name + 6;
	struct apk_sig *sig;

	if (s->sig_members < 0) {
		if (e->type != TAR_FILE || strncmp(e->name, ".SIGN.", 6)) {
			/* Unsigned: this reader is the content's from here on. */
			s->sig_members = 0;
			s->cur = &s->head;
			if (s->head_only)
				return 1;
			if (!s->ops) {
				s->tar_off = true;
				return 0;
			}
			return s->ops->begin ? s->ops->begin(s->ctx, e) : 0;
		}
		s->sig_members = 1;
	}
	if (s->sig_members == 0)
		return s->tar_off || !s->ops->begin ? 0 : s->ops->begin(s->ctx, e);
	if (e->type != TAR_FILE || strncmp(e->name, ".SIGN.", 6))
		return refuse(s, "the signature member holds %.200s (only .SIGN.* files may be there)", e->name);
	if (s->head.ext_seen)
		return refuse(s, "the signature member holds an extended tar header%s", "");
	if (s->nsig >= APK_SIGS_MAX || e->size > APK_KEY_BYTES)
		return refuse(s, "%.200s: more than 4 signatures or over 1024 bytes", e->name);
	sig = &s->sig[s->nsig++];
	memset(sig, 0, sizeof(*sig));
	if (!strncmp(alg, "RSA256.", 7)) {
		sig->hashlen = 32;
		alg += 7;
	} else if (!strncmp(alg, "RSA.", 4)) {
		sig->hashlen = 20;
		alg += 4;
	} else {
		alg = "";               /* DSA, RSA512: not supported, ignored */
	}
	snprintf(sig->name, sizeof(sig->name), "%s", alg);
	return 0;
}

static int head_data(void *ctx, const void *buf, size_t len)
{
	struct apk_signed *s = ctx;
	struct apk_sig *sig;

	if (s->sig_members == 0)
		return s->tar_off || !s->ops->data ? 0 : s->ops->data(s->ctx, buf, len);
	sig = &s->sig[s->nsig - 1];
	memcpy(sig->data + sig->len, buf, len);   /* size checked in head_begin */
	sig->len += len;
	return 0;
}

static int head_end(void *ctx, const struct tar_entry *e)
{
	struct apk_signed *s = ctx;

	if (s->sig_members == 0)
		return s->tar_off || !s->ops->end ? 0 : s->ops->end(s->ctx, e);
	return 0;
}

static const struct tar_ops head_ops = { head_begin, head_data, head_end };
static const struct tar_ops no_ops;

/* Inflated bytes of member G->members. */
static int sg_plain(void *ctx, const void *buf, size_t len)
{
	struct apk_signed *s = ctx;

	if (s->g.members == 0 && s->sig_members != 0) {
		s->head_bytes += len;
		if (s->sig_members > 0 && s->head_bytes > APK_SIG_MEMBER_MAX)
			return refuse(s, "the signature member is over %s", "16 KiB");
		return tar_feed(&s->head, buf, len);
	}
	if (s->tar_off)
		return 0;
	return tar_feed(s->cur, buf, len);
}

static int sg_raw(void *ctx, unsigned member, const void *buf, size_t len)
{
	struct apk_signed *s = ctx;

	if (s->hash && member > 0 && s->sig_members > 0)
		apk_signed_hash(s, buf, len);
	return s->raw ? s->raw(s->ctx, member, buf, len) : 0;
}

static int sg_end(void *ctx, unsigned member, unsigned long long end)
{
	struct apk_signed *s = ctx;
	const char *why;
	int i;

	if (member == 0 && s->sig_members < 0) {
		/* No entry began in member 0: unsigned, one tar stream. */
		s->sig_members = 0;
		s->cur = &s->head;
		if (s->head_only)
			return 1;
		s->tar_off = !s->ops;
	}
	if (member == 0 && s->sig_members > 0) {
		if (s->head.ext_seen)
			return refuse(s, "the signature member holds an extended tar header%s", "");
		if ((why = tar_between(&s->head)))
			return refuse(s, "the signature member: %s", why);
		s->sig_end = end;
		for (i = 0; i < s->nsig; i++) {
			s->want1 |= s->sig[i].hashlen == 20;
			s->want256 |= s->sig[i].hashlen == 32;
		}
		/* The content's own reader: nothing carries over. */
		tar_init(&s->body, s->ops ? s->ops : &no_ops, s->ctx);
		s->body.strict_end = true;
		s->cur = &s->body;
		s->tar_off = !s->ops;
		if (s->head_only)
			return 1;
	}
	return s->end ? s->end(s->ctx, member, end) : 0;
}

/* Start reading an abuild-signed stream (see apksig.h). Returns 0 or
 * -ENOMEM. */
int apk_signed_init(struct apk_signed *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->sig_members = -1;
	tar_init(&s->head, &head_ops, s);
	s->head.strict_end = true;
	s->cur = &s->head;
	br_sha1_init(&s->sha1);
	br_sha256_init(&s->sha256);
	if ((err = gunzip_init(&s->g, sg_plain, s)))
		return snprintf(s->why, sizeof(s->why), "out of memory"), err;
	s->g.raw = sg_raw;
	s->g.end = sg_end;
	return 0;
}

/* Feed compressed bytes (see apksig.h). */
int apk_signed_feed(struct apk_signed *s, const void *buf, size_t len)
{
	return gunzip_feed(&s->g, buf, len);
}

/* After the last byte (see apksig.h). */
int apk_signed_finish(struct apk_signed *s)
{
	int err = gunzip_finish(&s->g), terr;

	if (s->tar_off || s->head_only) {
		tar_finish(&s->head);
		tar_finish(&s->body);
		return err;
	}
	if (!err && s->sig_members > 0 && s->g.members < 2)
		err = refuse(s, "nothing after the signature member%s", "");
	terr = tar_finish(s->cur);
	tar_finish(s->cur == &s->head ? &s->body : &s->head);
	return err ? err : terr;
}

/* The words of the last error (see apksig.h). */
const char *apk_signed_why(const struct apk_signed *s)
{
	if (s->why[0])
		return s->why;
	if (s->g.why[0])
		return s->g.why;
	if (s->cur && s->cur->why[0])
		return s->cur->why;
	if (s->head.why[0])
		return s->head.why;
	return "damaged archive";
}

/* Hash signed bytes (see apksig.h): only with the hashes a signature names. */
void apk_signed_hash(struct apk_signed *s, const void *buf, size_t len)
{
	if (s->want1)
		br_sha1_update(&s->sha1, buf, len);
	if (s->want256)
		br_sha256_update(&s->sha256, buf, len);
}

/* Check the signatures over what was hashed (see apksig.h). */
int apk_signed_verify(struct apk_signed *s, const struct apk_keys *keys)
{
	unsigned char d1[20], d256[32];
	int i;

	s->state = APK_SIG_NONE;
	s->key[0] = '\0';
	if (s->sig_members <= 0)
		return -ENOKEY;
	if (s->want1)
		br_sha1_out(&s->sha1, d1);
	if (s->want256)
		br_sha256_out(&s->sha256, d256);
	for (i = 0; i < s->nsig; i++) {
		const struct apk_sig *g = &s->sig[i];
		const struct apk_key *k;

		if (!g->hashlen)
			continue;
		if (s->state == APK_SIG_NONE) {
			s->state = APK_SIG_UNKNOWN_KEY;
			snprintf(s->key, sizeof(s->key), "%s", g->name);
		}
		if (!(k = apk_keys_find(keys, g->name)))
			continue;
		snprintf(s->key, sizeof(s->key), "%s", g->name);
		if (!apk_rsa_verify(k, g->hashlen == 20 ? d1 : d256, g->hashlen, g->data, g->len)) {
			s->state = APK_SIG_GOOD;
			return 0;
		}
		s->state = APK_SIG_BAD;
	}
	return s->state == APK_SIG_BAD ? -EKEYREJECTED : -ENOKEY;
}

/* ---- APKINDEX.tar.gz ---- */

struct idx_ctx {
	struct apk_index_file *f;
	int target;                   /* entry being read: 0 skip, 2 APKINDEX, 3 DESCRIPTION */
	size_t text_cap, desc_len;
	int bad;                      /* -ENOMEM, -EFBIG, -EBADMSG with f->why set */
};

static int idx_begin(void *ctx, const struct tar_entry *e)
{
	struct idx_ctx *c = ctx;

	c->target = 0;
	if (e->type != TAR_FILE)
		return 0;
	if (!strcmp(e->name, "APKINDEX")) {
		if (c->f->text) {
			snprintf(c->f->why, sizeof(c->f->why), "a second APKINDEX file in the archive");
			return c->bad = -EBADMSG;
		}
		/* The size in the header is not trusted for an allocation:
		 * the text grows as its bytes arrive, up to the bound. */
		if (e->size > APK_INDEX_TEXT_MAX) {
			snprintf(c->f->why, sizeof(c->f->why), "APKINDEX of %lld bytes is larger than %lld MiB", e->size,
			         APK_INDEX_TEXT_MAX >> 20);
			return c->bad = -EFBIG;
		}
		c->f->text = calloc(1, 1);
		if (!c->f->text)
			return c->bad = -ENOMEM;
		c->text_cap = 1;
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

	if (c->target == 2) {
		if (c->f->text_len + len + 1 > c->text_cap) {
			size_t cap = c->text_cap < 65536 ? 65536 : c->text_cap * 2;
			char *n;

			while (cap < c->f->text_len + len + 1)
				cap *= 2;
			if ((long long)cap > APK_INDEX_TEXT_MAX + 1)
				cap = APK_INDEX_TEXT_MAX + 1;
			if (c->f->text_len + len + 1 > cap) {
				snprintf(c->f->why, sizeof(c->f->why), "APKINDEX larger than %lld MiB", APK_INDEX_TEXT_MAX >> 20);
				return c->bad = -EFBIG;
			}
			if (!(n = realloc(c->f->text, cap)))
				return c->bad = -ENOMEM;
			c->f->text = n;
			c->text_cap = cap;
		}
		memcpy(c->f->text + c->f->text_len, buf, len);
		c->f->text_len += len;
		c->f->text[c->f->text_len] = '\0';
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

	if (c->target == 3) {
		size_t l = strlen(c->f->description);
		while (l && (c->f->description[l - 1] == '\n' || c->f->description[l - 1] == ' '))
			c->f->description[--l] = '\0';
	}
	c->target = 0;
	return 0;
}

static const struct tar_ops idx_ops = { idx_begin, idx_data, idx_end };

/* The signature verdict of the head pass S over BUF[0..LEN) into F.
 * Returns 0, -ENOKEY or -EKEYREJECTED. */
static int index_verdict(struct apk_signed *s, const unsigned char *buf, size_t len, const struct apk_keys *keys,
                         struct apk_index_file *f)
{
	int err;

	if (s->sig_members <= 0) {
		f->sig = APK_SIG_NONE;
		snprintf(f->why, sizeof(f->why), "unsigned (no .SIGN.RSA.* signature)");
		return -ENOKEY;
	}
	apk_signed_hash(s, buf + s->sig_end, len - s->sig_end);
	err = apk_signed_verify(s, keys);
	f->sig = s->state;
	snprintf(f->key, sizeof(f->key), "%s", s->key);
	switch (s->state) {
	case APK_SIG_GOOD:
		snprintf(f->why, sizeof(f->why), "signed by %s", f->key);
		break;
	case APK_SIG_BAD:
		snprintf(f->why, sizeof(f->why), "BAD signature by %s (the index was changed after signing, or the key is not the signer's)",
		         f->key);
		break;
	case APK_SIG_UNKNOWN_KEY:
		snprintf(f->why, sizeof(f->why), "signed by %s, which is not in the trusted keys", f->key);
		break;
	default:
		snprintf(f->why, sizeof(f->why), "no usable signature (only DSA or RSA512)");
		break;
	}
	return err;
}

int apk_index_unpack(const unsigned char *buf, size_t len, const struct apk_keys *keys, bool untrusted_ok,
                     struct apk_index_file *f)
{
	static struct apk_signed s;
	static struct idx_ctx c;
	char verdict[sizeof(f->why)];
	int err, verr;

	memset(f, 0, sizeof(*f));
	memset(&c, 0, sizeof(c));
	c.f = f;
	if ((long long)len > APK_INDEX_MAX) {
		snprintf(f->why, sizeof(f->why), "%zu bytes, larger than %lld MiB", len, APK_INDEX_MAX >> 20);
		return -EFBIG;
	}
	/* The signature member alone first: nothing of the signed part is
	 * inflated before its signature was checked. */
	if ((err = apk_signed_init(&s)))
		return snprintf(f->why, sizeof(f->why), "out of memory"), err;
	s.head_only = true;
	err = apk_signed_feed(&s, buf, len);
	if (err == 0) {
		err = apk_signed_finish(&s);
		if (!err && s.sig_members < 0) {
			snprintf(f->why, sizeof(f->why), "no tar entry in the archive");
			return -EBADMSG;
		}
	} else {
		apk_signed_finish(&s);
	}
	if (err < 0) {
		snprintf(f->why, sizeof(f->why), "%s", apk_signed_why(&s));
		return err == -ENOMEM ? err : -EBADMSG;
	}
	verr = index_verdict(&s, buf, len, keys, f);
	if (verr && !untrusted_ok)
		return verr;
	snprintf(verdict, sizeof(verdict), "%s", f->why);

	if ((err = apk_signed_init(&s)))
		return snprintf(f->why, sizeof(f->why), "out of memory"), err;
	s.ops = &idx_ops;
	s.ctx = &c;
	err = apk_signed_feed(&s, buf, len);
	if (!err)
		err = apk_signed_finish(&s);
	else
		apk_signed_finish(&s);
	if (err) {
		if (c.bad)
			err = c.bad;
		else
			snprintf(f->why, sizeof(f->why), "%s", apk_signed_why(&s));
		if (err != -ENOMEM && err != -EFBIG)
			err = -EBADMSG;
		goto fail;
	}
	if (!f->text) {
		err = -EBADMSG;
		snprintf(f->why, sizeof(f->why), "no APKINDEX file in the %s", s.sig_members > 0 ? "signed part" : "archive");
		goto fail;
	}
	snprintf(f->why, sizeof(f->why), "%s", verdict);
	return verr;
fail:
	free(f->text);
	f->text = NULL;
	return err;
}
