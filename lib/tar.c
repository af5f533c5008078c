/* A push-style tar reader: bytes arrive in chunks of any size (one byte at
 * a time works), complete 512-byte headers are decoded into struct
 * tar_entry and handed to the caller's callbacks together with the file
 * data. Understands old v7, POSIX ustar (with the name prefix), GNU long
 * names/links ('L', 'K') and base-256 numbers, and pax extended headers
 * ('x': path, linkpath, size, uid, gid, mtime; 'g' is skipped).
 * The writer at the end makes what the reader reads: ustar headers for
 * regular files, with a GNU long-name entry before a long name. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"

enum {
	ST_HDR,     /* collecting a header block */
	ST_DATA,    /* entry data (to ops->data), then padding */
	ST_EXT,     /* pax / GNU long name payload (to extbuf), then padding */
	ST_SKIP,    /* payload nobody wants (pax global header) */
	ST_DONE,    /* end-of-archive marker seen; the rest is ignored */
	ST_ERR,     /* an error was returned; t->err is returned again */
};

enum {
	PAX_PATH = 1, PAX_LINK = 2, PAX_SIZE = 4, PAX_UID = 8, PAX_GID = 16,
	PAX_MTIME = 32, PAX_SHA1 = 64, PAX_UNAME = 128, PAX_GNAME = 256,
};

/* Header field offsets and lengths (POSIX ustar). */
#define H_NAME      0, 100
#define H_MODE    100, 8
#define H_UID     108, 8
#define H_GID     116, 8
#define H_SIZE    124, 12
#define H_MTIME   136, 12
#define H_CHKSUM  148, 8
#define H_TYPE    156
#define H_LINK    157, 100
#define H_MAGIC   257
#define H_UNAME   265, 32
#define H_GNAME   297, 32
#define H_DEVMAJ  329, 8
#define H_DEVMIN  337, 8
#define H_PREFIX  345, 155

static int fail(struct tar_reader *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct tar_reader *t, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	t->state = ST_ERR;
	t->err = err;
	return err;
}

/* A callback's error: its words are the caller's business. */
static int fail_cb(struct tar_reader *t, int err)
{
	t->state = ST_ERR;
	t->err = err;
	return err;
}

/* Decode a numeric header field: octal digits (leading spaces allowed,
 * ended by NUL or space; an empty field is 0) or GNU base-256 (first byte
 * 0x80 for positive, 0xff for negative). Returns 0, or -1 when malformed
 * or out of range. */
static int field_num(const unsigned char *h, size_t off, size_t n, long long *out)
{
	const unsigned char *f = h + off;
	unsigned long long u;
	size_t i = 0;

	if (f[0] == 0x80 || f[0] == 0xff) {
		u = f[0] == 0xff ? ~0ULL : 0;
		for (i = 1; i < n; i++) {
			if (f[0] == 0x80 && u >> 55)
				return -1;
			if (f[0] == 0xff && (u >> 55) != 0x1ff)
				return -1;
			u = (u << 8) | f[i];
		}
		if (f[0] == 0xff && !(u >> 63))
			return -1;
		*out = (long long)u;
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (u = 0; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (u >> 60)
			return -1;
		u = u * 8 + (f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = (long long)u;
	return 0;
}

/* Copy a NUL-padded (not necessarily terminated) string field. */
static void field_str(char *dst, const unsigned char *h, size_t off, size_t n)
{
	size_t len = strnlen((const char *)h + off, n);

	memcpy(dst, h + off, len);
	dst[len] = '\0';
}

static int all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* Verify the header checksum (unsigned sum, or the signed sum some old
 * writers used, with the checksum field counted as spaces). */
static int check_sum(struct tar_reader *t)
{
	unsigned long long pos = t->pos - 512;
	long long stored, us = 0, ss = 0;
	size_t i;

	for (i = 0; i < 512; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : t->hdr[i];
		us += c;
		ss += (signed char)c;
	}
	if (field_num(t->hdr, H_CHKSUM, &stored) < 0 || (stored != us && stored != ss))
		return fail(t, -EBADMSG, "%s at byte %llu", pos == 0 ?
		            "not a tar archive (bad header checksum)" : "bad tar header checksum", pos);
	return 0;
}

/* Forget per-entry overrides after the entry they applied to. */
static void clear_pending(struct tar_reader *t)
{
	t->longname[0] = t->longlink[0] = '\0';
	t->pax_have = 0;
	t->pax_size = -1;
	t->pax_xattr_len = 0;
	t->pax_nxattr = 0;
}

/* Keep the pax record SCHILY.xattr.NAME=VALUE for the next entry. */
static int add_xattr(struct tar_reader *t, const char *name, size_t nlen, const char *val, size_t vlen)
{
	unsigned char *o = t->pax_xattr + t->pax_xattr_len;

	if (!nlen || memchr(name, '\0', nlen) || vlen > 0xffff ||
	    t->pax_xattr_len + nlen + 3 + vlen > sizeof(t->pax_xattr))
		return fail(t, -EBADMSG, "pax extended attribute %.*s too large or malformed at byte %llu",
		            (int)(nlen < 64 ? nlen : 64), name, t->pos);
	memcpy(o, name, nlen);
	o[nlen] = '\0';
	o[nlen + 1] = (unsigned char)(vlen >> 8);
	o[nlen + 2] = (unsigned char)vlen;
	memcpy(o + nlen + 3, val, vlen);
	t->pax_xattr_len += nlen + 3 + vlen;
	t->pax_nxattr++;
	return 0;
}

/* The Ith extended attribute of E (see tar.h). */
const char *tar_xattr(const struct tar_entry *e, int i, const unsigned char **value, size_t *len)
{
	size_t o = 0;

	if (i < 0 || i >= e->nxattr)
		return NULL;
	for (;;) {
		const char *name = (const char *)e->xattr + o;
		size_t nl = strlen(name), vl = (size_t)e->xattr[o + nl + 1] << 8 | e->xattr[o + nl + 2];

		if (!i--) {
			*value = e->xattr + o + nl + 3;
			*len = vl;
			return name;
		}
		o += nl + 3 + vl;
	}
}

/* Parse a decimal number (pax value) of LEN bytes; an optional fraction
 * is dropped (mtime). Returns 0 or -1. */
static int dec_num(const char *s, size_t len, int allow_neg, int allow_frac, long long *out)
{
	unsigned long long u = 0;
	size_t i = 0;
	int neg = 0;

	if (allow_neg && len && s[0] == '-') {
		neg = 1;
		i++;
	}
	if (i == len || s[i] < '0' || s[i] > '9')
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (u > (unsigned long long)LLONG_MAX / 10)
			return -1;
		u = u * 10 + (unsigned)(s[i] - '0');
		if (u > (unsigned long long)LLONG_MAX)
			return -1;
	}
	if (i < len && allow_frac && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
	}
	if (i != len)
		return -1;
	*out = neg ? -(long long)u : (long long)u;
	return 0;
}

/* Store a path-like value in DST (TAR_PATH_MAX bytes). */
static int set_path(struct tar_reader *t, char *dst, const char *v, size_t len, const char *what)
{
	if (memchr(v, '\0', len))
		return fail(t, -EBADMSG, "%s with a NUL byte at byte %llu", what, t->pos);
	if (len >= TAR_PATH_MAX)
		return fail(t, -EBADMSG, "%s of %zu bytes is longer than %d at byte %llu",
		            what, len, TAR_PATH_MAX - 1, t->pos);
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

/* Apply the records "LEN key=value\n" of a pax extended header. */
static int parse_pax(struct tar_reader *t)
{
	const char *b = t->extbuf, *end = t->extbuf + t->ext_len;
	int err;

	while (b < end) {
		const char *rec = b, *key, *eq, *val, *rend;
		size_t len = 0;
		long long n;

		while (b < end && *b >= '0' && *b <= '9' && len < TAR_EXT_MAX)
			len = len * 10 + (size_t)(*b++ - '0');
		if (b == rec || b == end || *b != ' ' || len > (size_t)(end - rec) ||
		    len < (size_t)(b - rec) + 2 || rec[len - 1] != '\n')
			return fail(t, -EBADMSG, "malformed pax record at byte %llu", t->pos);
		key = b + 1;
		rend = rec + len - 1;
		eq = memchr(key, '=', (size_t)(rend - key));
		if (!eq || eq == key)
			return fail(t, -EBADMSG, "malformed pax record at byte %llu", t->pos);
		val = eq + 1;
		b = rec + len;
#define KEY(s) ((size_t)(eq - key) == sizeof(s) - 1 && !memcmp(key, s, sizeof(s) - 1))
		if (KEY("path")) {
			if ((err = set_path(t, t->longname, val, (size_t)(rend - val), "pax path")))
				return err;
			t->pax_have = (t->pax_have & ~PAX_PATH) | (val < rend ? PAX_PATH : 0);
		} else if (KEY("linkpath")) {
			if ((err = set_path(t, t->longlink, val, (size_t)(rend - val), "pax linkpath")))
				return err;
			t->pax_have = (t->pax_have & ~PAX_LINK) | (val < rend ? PAX_LINK : 0);
		} else if (KEY("size")) {
			if (dec_num(val, (size_t)(rend - val), 0, 0, &n) < 0)
				return fail(t, -EBADMSG, "bad pax size at byte %llu", t->pos);
			t->pax_size = n;
			t->pax_have |= PAX_SIZE;
		} else if (KEY("uid") || KEY("gid")) {
			if (dec_num(val, (size_t)(rend - val), 0, 0, &n) < 0 || n > 0xfffffffeLL)
				return fail(t, -EBADMSG, "bad pax %.3s at byte %llu", key, t->pos);
			if (key[0] == 'u')
				t->pax_uid = n;
			else
				t->pax_gid = n;
			t->pax_have |= key[0] == 'u' ? PAX_UID : PAX_GID;
		} else if (KEY("mtime")) {
			if (dec_num(val, (size_t)(rend - val), 1, 1, &n) < 0)
				return fail(t, -EBADMSG, "bad pax mtime at byte %llu", t->pos);
			t->pax_mtime = n;
			t->pax_have |= PAX_MTIME;
		} else if (KEY("uname") || KEY("gname")) {
			size_t vl = (size_t)(rend - val);
			char *dst = key[0] == 'u' ? t->pax_uname : t->pax_gname;

			if (vl > 32 || memchr(val, '\0', vl))
				return fail(t, -EBADMSG, "bad pax %.5s at byte %llu", key, t->pos);
			memcpy(dst, val, vl);
			dst[vl] = '\0';
			t->pax_have |= key[0] == 'u' ? PAX_UNAME : PAX_GNAME;
		} else if ((size_t)(eq - key) > 13 && !memcmp(key, "SCHILY.xattr.", 13)) {
			if ((err = add_xattr(t, key + 13, (size_t)(eq - key) - 13, val, (size_t)(rend - val))))
				return err;
		} else if (KEY("APK-TOOLS.checksum.SHA1")) {
			/* Anything but 40 hex digits is ignored: the reader's user
			 * then computes the checksum itself. */
			size_t i, len = (size_t)(rend - val);

			for (i = 0; i < len && is_hex(val[i]); i++)
				;
			t->pax_have &= ~PAX_SHA1;
			if (len == 40 && i == len) {
				memcpy(t->pax_sha1, val, 40);
				t->pax_sha1[40] = '\0';
				t->pax_have |= PAX_SHA1;
			}
		}
#undef KEY
	}
	return 0;
}

/* The payload of an 'x', 'L' or 'K' header is complete. */
static int ext_done(struct tar_reader *t)
{
	int err = 0;

	t->extbuf[t->ext_len] = '\0';
	if (t->ext_type == 'x') {
		err = parse_pax(t);
	} else {
		size_t len = strnlen(t->extbuf, t->ext_len);
		/* GNU tar writes the NUL; pax path/linkpath still win. */
		if (t->ext_type == 'L' && !(t->pax_have & PAX_PATH))
			err = set_path(t, t->longname, t->extbuf, len, "GNU long name");
		else if (t->ext_type == 'K' && !(t->pax_have & PAX_LINK))
			err = set_path(t, t->longlink, t->extbuf, len, "GNU long link name");
	}
	free(t->extbuf);
	t->extbuf = NULL;
	t->state = err ? ST_ERR : ST_HDR;
	return err;
}

/* Data and padding of the current entry are through. */
static int entry_done(struct tar_reader *t)
{
	int err = t->ops->end ? t->ops->end(t->ctx, &t->e) : 0;

	if (err)
		return fail_cb(t, err);
	t->state = ST_HDR;
	return 0;
}

/* Assemble the name from prefix + name (POSIX ustar only). */
static void header_name(struct tar_reader *t, char *dst)
{
	char name[101], prefix[156];

	field_str(name, t->hdr, H_NAME);
	if (!memcmp(t->hdr + H_MAGIC, "ustar\0", 6)) {
		field_str(prefix, t->hdr, H_PREFIX);
		if (prefix[0]) {
			snprintf(dst, TAR_PATH_MAX, "%s/%s", prefix, name);
			return;
		}
	}
	strcpy(dst, name);
}

/* A complete header block is in t->hdr. */
static int header(struct tar_reader *t)
{
	struct tar_entry *e = &t->e;
	long long mode, uid, gid, size, mtime, maj = 0, min = 0;
	unsigned long long pos = t->pos - 512;
	int type = t->hdr[H_TYPE], err;

	if (all_zero(t->hdr, 512)) {
		if (t->longname[0] || t->longlink[0] || t->pax_have || t->pax_nxattr)
			return fail(t, -EBADMSG, "extended header without an entry at byte %llu", pos);
		t->zero_blocks++;
		t->done = 1;
		t->state = ST_DONE;
		return 0;
	}
	if ((err = check_sum(t)))
		return err;
	if (field_num(t->hdr, H_SIZE, &size) < 0 || size < 0)
		return fail(t, -EBADMSG, "bad size field in tar header at byte %llu", pos);

	if (type == 'x' || type == 'L' || type == 'K' || type == 'g')
		t->ext_seen++;
	if (type == 'x' || type == 'L' || type == 'K') {
		if (size > TAR_EXT_MAX)
			return fail(t, -EBADMSG, "%s header of %lld bytes (more than %d) at byte %llu",
			            type == 'x' ? "pax" : "GNU long name", size, TAR_EXT_MAX, pos);
		t->extbuf = malloc((size_t)size + 1);
		if (!t->extbuf)
			return fail(t, -ENOMEM, "out of memory");
		t->ext_type = type;
		t->ext_len = (size_t)size;
		t->ext_fill = 0;
		t->remain = size;
		t->pad = (512 - size % 512) % 512;
		t->state = ST_EXT;
		return size ? 0 : ext_done(t);
	}
	if (type == 'g') {
		t->remain = size;
		t->pad = (512 - size % 512) % 512;
		t->state = ST_SKIP;
		return 0;
	}

	if (field_num(t->hdr, H_MODE, &mode) < 0 || field_num(t->hdr, H_UID, &uid) < 0 ||
	    field_num(t->hdr, H_GID, &gid) < 0 || field_num(t->hdr, H_MTIME, &mtime) < 0 ||
	    uid < 0 || uid > 0xfffffffeLL || gid < 0 || gid > 0xfffffffeLL)
		return fail(t, -EBADMSG, "bad number in tar header at byte %llu", pos);
	if (type == TAR_CHR || type == TAR_BLK) {
		if (field_num(t->hdr, H_DEVMAJ, &maj) < 0 || field_num(t->hdr, H_DEVMIN, &min) < 0 ||
		    maj < 0 || maj > UINT_MAX || min < 0 || min > UINT_MAX)
			return fail(t, -EBADMSG, "bad device number in tar header at byte %llu", pos);
	}

	memset(e, 0, sizeof(*e));
	if (t->longname[0])
		strcpy(e->name, t->longname);
	else
		header_name(t, e->name);
	if (t->longlink[0])
		strcpy(e->linkname, t->longlink);
	else
		field_str(e->linkname, t->hdr, H_LINK);

	if (type == '\0') {
		size_t l = strlen(e->name);
		type = l && e->name[l - 1] == '/' ? TAR_DIR : TAR_FILE;
	} else if (type == '7') {
		type = TAR_FILE;
	}
	if (t->pax_have & PAX_SIZE)
		size = t->pax_size;
	if (t->pax_have & PAX_UID)
		uid = t->pax_uid;
	if (t->pax_have & PAX_GID)
		gid = t->pax_gid;
	if (t->pax_have & PAX_MTIME)
		mtime = t->pax_mtime;
	if (t->pax_have & PAX_SHA1)
		memcpy(e->sha1, t->pax_sha1, sizeof(e->sha1));
	if (!memcmp(t->hdr + H_MAGIC, "ustar", 5)) {
		field_str(e->uname, t->hdr, H_UNAME);
		field_str(e->gname, t->hdr, H_GNAME);
	}
	if (t->pax_have & PAX_UNAME)
		strcpy(e->uname, t->pax_uname);
	if (t->pax_have & PAX_GNAME)
		strcpy(e->gname, t->pax_gname);
	if (t->pax_nxattr) {
		memcpy(e->xattr, t->pax_xattr, t->pax_xattr_len);
		e->xattr_len = t->pax_xattr_len;
		e->nxattr = t->pax_nxattr;
	}
	if (type >= TAR_HARDLINK && type <= TAR_FIFO)
		size = 0;

	e->type = type;
	e->mode = (mode_t)(mode & 07777);
	e->uid = (uid_t)uid;
	e->gid = (gid_t)gid;
	e->size = size;
	e->mtime = mtime;
	e->devmajor = (unsigned)maj;
	e->devminor = (unsigned)min;
	clear_pending(t);

	if (t->ops->begin && (err = t->ops->begin(t->ctx, e)))
		return fail_cb(t, err);
	t->remain = size;
	t->pad = (512 - size % 512) % 512;
	t->state = ST_DATA;
	return size ? 0 : entry_done(t);
}

/* Start reading an archive; callbacks get CTX. */
void tar_init(struct tar_reader *t, const struct tar_ops *ops, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->ctx = ctx;
	t->state = ST_HDR;
	t->pax_size = -1;
}

/* Feed LEN bytes of the archive (see tar.h). Returns 0, -EBADMSG (why set),
 * -ENOMEM, or a callback's error (why left alone). */
int tar_feed(struct tar_reader *t, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	int err;

	while (len) {
		size_t n;

		switch (t->state) {
		case ST_ERR:
			return t->err;
		case ST_DONE:
			if (t->strict_end) {
				for (n = 0; n < len && !p[n]; n++)
					;
				if (n < len)
					return fail(t, -EBADMSG, "data after the end-of-archive marker at byte %llu",
					            t->pos + n);
			}
			t->pos += len;
			return 0;
		case ST_HDR:
			n = 512 - t->hdr_fill;
			n = n < len ? n : len;
			memcpy(t->hdr + t->hdr_fill, p, n);
			t->hdr_fill += n;
			t->pos += n;
			p += n;
			len -= n;
			if (t->hdr_fill == 512) {
				t->hdr_fill = 0;
				if ((err = header(t)))
					return err;
			}
			continue;
		default:
			break;
		}

		/* ST_DATA, ST_EXT, ST_SKIP: payload, then padding to 512. */
		if (t->remain) {
			n = (unsigned long long)t->remain < len ? (size_t)t->remain : len;
			if (t->state == ST_DATA && t->ops->data && (err = t->ops->data(t->ctx, p, n)))
				return fail_cb(t, err);
			if (t->state == ST_EXT) {
				memcpy(t->extbuf + t->ext_fill, p, n);
				t->ext_fill += n;
			}
			t->remain -= (long long)n;
		} else {
			n = (unsigned long long)t->pad < len ? (size_t)t->pad : len;
			t->pad -= (long long)n;
		}
		t->pos += n;
		p += n;
		len -= n;
		if (t->remain || t->pad)
			continue;
		err = 0;
		if (t->state == ST_DATA)
			err = entry_done(t);
		else if (t->state == ST_EXT)
			err = ext_done(t);
		else
			t->state = ST_HDR;
		if (err)
			return err;
	}
	return 0;
}

/* Between two entries, nothing pending? (see tar.h) */
const char *tar_between(const struct tar_reader *t)
{
	switch (t->state) {
	case ST_HDR:
		if (t->hdr_fill)
			return "ends inside a header";
		if (t->longname[0] || t->longlink[0] || t->pax_have || t->pax_nxattr)
			return "ends with an extended header";
		return NULL;
	case ST_DONE:
		return "holds an end-of-archive marker";
	case ST_ERR:
		return "damaged";
	case ST_DATA:
		return "ends inside an entry";
	default:
		return "ends inside an extended header";
	}
}

/* Call after the last byte (see tar.h). Returns 0 when the end-of-archive
 * marker was seen, -EIO with why "truncated ..." otherwise, or the error
 * an earlier call returned. Frees the payload buffer; safe to call twice. */
int tar_finish(struct tar_reader *t)
{
	int err = 0;

	free(t->extbuf);
	t->extbuf = NULL;
	switch (t->state) {
	case ST_ERR:
		return t->err;
	case ST_DONE:
		return 0;
	case ST_HDR:
		if (t->hdr_fill)
			err = fail(t, -EIO, "truncated tar archive: partial header at byte %llu",
			           t->pos - t->hdr_fill);
		else if (t->longname[0] || t->longlink[0] || t->pax_have || t->pax_nxattr)
			err = fail(t, -EIO, "truncated tar archive: extended header without an entry");
		else
			err = fail(t, -EIO, "truncated tar archive: no end-of-archive marker after %llu bytes",
			           t->pos);
		break;
	case ST_DATA:
		err = fail(t, -EIO, "truncated tar archive: %s: %lld of %lld bytes",
		           t->e.name, t->e.size - t->remain, t->e.size);
		break;
	default:
		err = fail(t, -EIO, "truncated tar archive: inside an extended header");
		break;
	}
	return err;
}

/* ---- writing ---- */

static const unsigned char zero_block[512];

/* One ustar header: NAME (its first 99 bytes), SIZE, MODE, TYPE. */
static int put_header(tar_out out, void *ctx, const char *name, size_t size, unsigned mode, char type)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strnlen(name, 99));
	snprintf((char *)h + 100, 8, "%07o", mode & 07777777);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return out(ctx, h, sizeof(h));
}

/* SIZE bytes of DATA, then zeros to the end of the block. */
static int put_data(tar_out out, void *ctx, const void *data, size_t size)
{
	int err = size ? out(ctx, data, size) : 0;

	if (!err && size % 512)
		err = out(ctx, zero_block, 512 - size % 512);
	return err;
}

int tar_write_file(tar_out out, void *ctx, const char *name, const void *data, size_t size, unsigned mode)
{
	size_t nl = strnlen(name, TAR_PATH_MAX);
	int err;

	if (!nl || nl >= TAR_PATH_MAX)
		return -ENAMETOOLONG;
	if ((unsigned long long)size > 077777777777ULL)
		return -EFBIG;
	if (nl > 99 && ((err = put_header(out, ctx, "././@LongLink", nl + 1, 0644, 'L')) ||
	                (err = put_data(out, ctx, name, nl + 1))))
		return err;
	if ((err = put_header(out, ctx, name, size, mode, '0')))
		return err;
	return put_data(out, ctx, data, size);
}

int tar_write_end(tar_out out, void *ctx)
{
	int err = out(ctx, zero_block, sizeof(zero_block));

	return err ? err : out(ctx, zero_block, sizeof(zero_block));
}
