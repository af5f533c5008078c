/* Unit tests for lib/tar.c and lib/gunzip.c: archives are built here
 * block by block (ustar, GNU, v7, pax, base-256, broken ones) and fed in
 * 1-byte, 7-byte, 512-byte and whole chunks; gzip streams come from zlib's
 * deflate and are then cut, flipped, concatenated. The writer's archives
 * are read back by the reader (round trip). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gunzip.h"
#include "tap.h"
#include "tar.h"

/* ---- building archives ---- */

struct ar {
	unsigned char b[256 * 1024];
	size_t n;
};

enum { F_USTAR, F_GNU, F_V7 };

struct hdr {
	const char *name, *prefix, *link;
	const char *uname, *gname;     /* NULL: "root" */
	int type;                      /* the raw typeflag byte */
	long long size;
	unsigned mode, uid, gid;
	long long mtime;
	unsigned maj, min;
	int fmt;
	int b256_size, b256_uid, b256_mtime;
	int bad_sum;
	const char *raw_mode;          /* put this text in the mode field */
};

static void put_oct(unsigned char *f, size_t w, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)w - 1, v);
	memcpy(f, tmp, w - 1);
	f[w - 1] = '\0';
}

static void put_b256(unsigned char *f, size_t w, long long v)
{
	size_t i;

	for (i = w; i > 1; i--, v >>= 8)      /* arithmetic shift keeps the sign */
		f[i - 1] = (unsigned char)v;
	f[0] = v < 0 ? 0xff : 0x80;
}

static void add_hdr(struct ar *a, const struct hdr *h)
{
	unsigned char *b = a->b + a->n;
	unsigned sum = 0;
	size_t i;

	memset(b, 0, 512);
	strncpy((char *)b, h->name, 100);
	if (h->raw_mode)
		memcpy(b + 100, h->raw_mode, strlen(h->raw_mode));
	else
		put_oct(b + 100, 8, h->mode ? h->mode : 0644);
	if (h->b256_uid)
		put_b256(b + 108, 8, h->uid);
	else
		put_oct(b + 108, 8, h->uid);
	put_oct(b + 116, 8, h->gid);
	if (h->b256_size)
		put_b256(b + 124, 12, h->size);
	else
		put_oct(b + 124, 12, (unsigned long long)h->size);
	if (h->b256_mtime)
		put_b256(b + 136, 12, h->mtime);
	else
		put_oct(b + 136, 12, (unsigned long long)h->mtime);
	b[156] = (unsigned char)h->type;
	if (h->link)
		strncpy((char *)b + 157, h->link, 100);
	if (h->fmt == F_USTAR)
		memcpy(b + 257, "ustar\0" "00", 8);
	else if (h->fmt == F_GNU)
		memcpy(b + 257, "ustar  \0", 8);
	if (h->fmt != F_V7) {
		strncpy((char *)b + 265, h->uname ? h->uname : "root", 32);
		strncpy((char *)b + 297, h->gname ? h->gname : "root", 32);
		put_oct(b + 329, 8, h->maj);
		put_oct(b + 337, 8, h->min);
	}
	if (h->prefix)
		strncpy((char *)b + 345, h->prefix, 155);
	memset(b + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += b[i];
	if (h->bad_sum)
		sum += 1;
	snprintf((char *)b + 148, 8, "%06o", sum);
	a->n += 512;
}

static void add_data(struct ar *a, const void *d, size_t len)
{
	memcpy(a->b + a->n, d, len);
	a->n += len;
	while (a->n % 512)
		a->b[a->n++] = 0;
}

static void add_end(struct ar *a, int blocks)
{
	memset(a->b + a->n, 0, 512 * (size_t)blocks);
	a->n += 512 * (size_t)blocks;
}

/* A regular ustar file with DATA. */
static void add_file(struct ar *a, const char *name, const char *data)
{
	struct hdr h = { .name = name, .type = '0', .size = (long long)strlen(data) };

	add_hdr(a, &h);
	add_data(a, data, strlen(data));
}

/* An 'x', 'g', 'L' or 'K' header with payload P of LEN bytes. */
static void add_ext(struct ar *a, int type, const char *p, size_t len)
{
	struct hdr h = { .name = type == 'x' || type == 'g' ? "./PaxHeaders/x" : "././@LongLink",
	                 .type = type, .size = (long long)len, .fmt = type == 'x' || type == 'g' ? F_USTAR : F_GNU };

	add_hdr(a, &h);
	add_data(a, p, len);
}

/* Append the pax record "LEN key=value\n" to BUF. */
static void pax_rec(char *buf, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3, len = body + 1;
	char tmp[16];

	while ((size_t)snprintf(tmp, sizeof(tmp), "%zu", len) + body != len)
		len++;
	sprintf(buf + strlen(buf), "%zu %s=%s\n", len, key, val);
}

static char longstr[5000];

static const char *rep(char c, size_t n)
{
	memset(longstr, c, n);
	longstr[n] = '\0';
	return longstr;
}

/* ---- the archives ---- */

static void a_simple(struct ar *a)
{
	add_file(a, "hello.txt", "hi\n");
	add_file(a, "empty", "");
	add_end(a, 2);
}

static void a_prefix(struct ar *a)
{
	struct hdr h = { .name = "file.txt", .prefix = "some/deep/dir", .type = '0', .size = 2 };

	add_hdr(a, &h);
	add_data(a, "ok", 2);
	add_end(a, 2);
}

static void a_gnu_ignores_prefix(struct ar *a)
{
	struct hdr h = { .name = "gnu.txt", .prefix = "\x01\x02 atime", .type = '0', .size = 1, .fmt = F_GNU };

	add_hdr(a, &h);
	add_data(a, "g", 1);
	add_end(a, 2);
}

static void a_v7(struct ar *a)
{
	struct hdr d = { .name = "dir/", .type = '\0', .mode = 0755, .fmt = F_V7 };
	struct hdr f = { .name = "dir/old", .type = '\0', .size = 3, .fmt = F_V7 };
	struct hdr c = { .name = "contig", .type = '7', .size = 1 };

	add_hdr(a, &d);
	add_hdr(a, &f);
	add_data(a, "v7\n", 3);
	add_hdr(a, &c);
	add_data(a, "c", 1);
	add_end(a, 2);
}

static void a_gnu_long(struct ar *a)
{
	char name[400], target[300];
	struct hdr f = { .name = "truncated-short-name", .type = '0', .size = 4, .fmt = F_GNU };
	struct hdr s = { .name = "short", .link = "truncated-link", .type = '2', .fmt = F_GNU, .mode = 0777 };

	snprintf(name, sizeof(name), "d/%s", rep('n', 300));
	add_ext(a, 'L', name, strlen(name) + 1);
	add_hdr(a, &f);
	add_data(a, "long", 4);
	snprintf(target, sizeof(target), "/%s", rep('t', 200));
	add_ext(a, 'K', target, strlen(target) + 1);
	add_hdr(a, &s);
	/* The long name applied to one entry only. */
	add_file(a, "after", "x");
	add_end(a, 2);
}

static void a_pax(struct ar *a)
{
	char p[8192] = "", name[300];
	struct hdr f = { .name = "short", .type = '0', .size = 0 };
	struct hdr l = { .name = "l", .type = '2', .link = "x", .mode = 0777 };

	snprintf(name, sizeof(name), "pax/%s", rep('p', 250));
	pax_rec(p, "path", name);
	pax_rec(p, "size", "5");
	pax_rec(p, "uid", "4000000000");
	pax_rec(p, "gid", "77");
	pax_rec(p, "mtime", "1700000000.123456789");
	pax_rec(p, "SCHILY.xattr.user.x", "v");
	add_ext(a, 'x', p, strlen(p));
	add_hdr(a, &f);              /* header says 0 bytes, pax says 5 */
	add_data(a, "fives", 5);
	p[0] = '\0';
	pax_rec(p, "linkpath", "/a/pax/target");
	pax_rec(p, "mtime", "-5");
	add_ext(a, 'x', p, strlen(p));
	add_hdr(a, &l);
	add_end(a, 2);
}

/* apk's per-file checksum record: taken when it is 40 hex digits, for
 * its entry only. */
static void a_pax_sha1(struct ar *a)
{
	char p[512] = "";

	pax_rec(p, "APK-TOOLS.checksum.SHA1", "0123456789abcdefABCDEF0123456789abcdef01");
	add_ext(a, 'x', p, strlen(p));
	add_file(a, "with", "w");
	add_file(a, "without", "o");
	p[0] = '\0';
	pax_rec(p, "APK-TOOLS.checksum.SHA1", "0123456789abcdef0123456789abcdef0123456");
	add_ext(a, 'x', p, strlen(p));
	add_file(a, "short", "s");
	p[0] = '\0';
	pax_rec(p, "APK-TOOLS.checksum.SHA1", "0123456789abcdef0123456789abcdef0123456g");
	add_ext(a, 'x', p, strlen(p));
	add_file(a, "not-hex", "n");
	add_end(a, 2);
}

static void a_pax_global(struct ar *a)
{
	char p[256] = "";

	pax_rec(p, "path", "ignored-global");
	add_ext(a, 'g', p, strlen(p));
	add_file(a, "real", "r");
	add_end(a, 2);
}

static void a_pax_over_gnu(struct ar *a)
{
	char p[256] = "";
	struct hdr f = { .name = "hdr", .type = '0' };

	add_ext(a, 'L', "gnu-name", 9);
	pax_rec(p, "path", "pax-name");
	add_ext(a, 'x', p, strlen(p));
	add_hdr(a, &f);
	add_end(a, 2);
}

static void a_base256(struct ar *a)
{
	static char big[600];
	struct hdr f = { .name = "b256", .type = '0', .size = 600, .b256_size = 1,
	                 .uid = 3000000000u, .b256_uid = 1, .mtime = -1, .b256_mtime = 1 };

	memset(big, 'b', sizeof(big));
	add_hdr(a, &f);
	add_data(a, big, sizeof(big));
	add_end(a, 2);
}

static void a_types(struct ar *a)
{
	struct hdr h[] = {
		{ .name = "d", .type = '5', .mode = 0700 },
		{ .name = "hl", .type = '1', .link = "d/f", .size = 0 },
		{ .name = "c", .type = '3', .maj = 4, .min = 64, .mode = 0620 },
		{ .name = "b", .type = '4', .maj = 8, .min = 1, .mode = 0660 },
		{ .name = "p", .type = '6', .mode = 0600 },
		{ .name = "sm", .type = '0', .mode = 0104755 },  /* file type bits dropped */
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		add_hdr(a, &h[i]);
	add_end(a, 2);
}

static void a_unknown(struct ar *a)
{
	struct hdr h = { .name = "sparse", .type = 'S', .size = 3 };

	add_hdr(a, &h);
	add_data(a, "abc", 3);
	add_end(a, 2);
}

static void a_one_zero_block(struct ar *a)
{
	add_file(a, "f", "1");
	add_end(a, 1);
}

static void a_after_end(struct ar *a)
{
	add_file(a, "f", "1");
	add_end(a, 1);
	memcpy(a->b + a->n, "garbage after the end", 21);
	a->n += 21;
}

static void a_bad_sum_first(struct ar *a)
{
	struct hdr h = { .name = "f", .type = '0', .bad_sum = 1 };

	add_hdr(a, &h);
	add_end(a, 2);
}

static void a_bad_sum_second(struct ar *a)
{
	struct hdr h = { .name = "g", .type = '0', .bad_sum = 1 };

	add_file(a, "f", "ok");
	add_hdr(a, &h);
	add_end(a, 2);
}

static void a_text(struct ar *a)
{
	memset(a->b, 'A', 1024);
	a->n = 1024;
}

static void a_bad_mode(struct ar *a)
{
	struct hdr h = { .name = "f", .type = '0', .raw_mode = "abc" };

	add_hdr(a, &h);
	add_end(a, 2);
}

static void a_no_end(struct ar *a)
{
	add_file(a, "f", "data");
}

static void a_mid_entry(struct ar *a)
{
	add_file(a, "f", rep('z', 1000));
	a->n -= 1024 - 100;                 /* keep 100 of 1000 data bytes */
}

static void a_mid_header(struct ar *a)
{
	add_file(a, "f", "x");
	add_file(a, "g", "y");
	a->n -= 1024 - 100;
}

static void a_empty(struct ar *a)
{
	(void)a;
}

static void a_pax_too_big(struct ar *a)
{
	struct hdr h = { .name = "big", .type = 'x', .size = TAR_EXT_MAX + 1 };

	add_hdr(a, &h);
	add_end(a, 2);
}

static void a_long_too_long(struct ar *a)
{
	add_ext(a, 'L', rep('l', 4500), 4501);
	add_file(a, "f", "");
	add_end(a, 2);
}

static void a_pax_malformed(struct ar *a)
{
	add_ext(a, 'x', "99 path=x\n", 10);
	add_file(a, "f", "");
	add_end(a, 2);
}

static void a_pax_zero_len(struct ar *a)
{
	add_ext(a, 'x', "0 path=x\n", 9);
	add_file(a, "f", "");
	add_end(a, 2);
}

static void a_pax_nul_path(struct ar *a)
{
	add_ext(a, 'x', "12 path=a\0b\n", 12);
	add_file(a, "f", "");
	add_end(a, 2);
}

static void a_pax_then_end(struct ar *a)
{
	char p[64] = "";

	pax_rec(p, "path", "orphan");
	add_ext(a, 'x', p, strlen(p));
	add_end(a, 2);
}

static void a_pax_size_past_end(struct ar *a)
{
	char p[64] = "";
	struct hdr f = { .name = "f", .type = '0' };

	pax_rec(p, "size", "100000");
	add_ext(a, 'x', p, strlen(p));
	add_hdr(a, &f);
	add_data(a, "only a little", 13);
	add_end(a, 2);
}

/* Owner names (ustar fields, pax uname/gname over them) and extended
 * attributes (pax SCHILY.xattr.*), each for its one entry. */
static void a_names_xattrs(struct ar *a)
{
	char p[1024] = "";
	struct hdr named = { .name = "var/lib/openldap/", .type = '5', .mode = 0700, .uname = "ldap", .gname = "ldap" };
	struct hdr f = { .name = "usr/bin/ping", .type = '0', .mode = 0755, .size = 1 };
	struct hdr g = { .name = "plain", .type = '0', .size = 1, .uname = "daemon", .gname = "adm" };

	add_hdr(a, &named);
	pax_rec(p, "SCHILY.xattr.security.capability", "cap");
	pax_rec(p, "SCHILY.xattr.user.b", "2");
	pax_rec(p, "uname", "pax-user");
	add_ext(a, 'x', p, strlen(p));
	add_hdr(a, &f);
	add_data(a, "x", 1);
	add_hdr(a, &g);
	add_data(a, "y", 1);
	add_end(a, 2);
}

/* More extended attributes than an entry may carry. */
static void a_xattr_too_big(struct ar *a)
{
	char p[4096] = "";
	struct hdr f = { .name = "f", .type = '0', .size = 0 };

	pax_rec(p, "SCHILY.xattr.user.big", rep('v', 1100));
	add_ext(a, 'x', p, strlen(p));
	add_hdr(a, &f);
	add_end(a, 2);
}

static void a_refused(struct ar *a)
{
	add_file(a, "ok", "1");
	add_file(a, "refuse-me", "2");
	add_file(a, "never", "3");
	add_end(a, 2);
}

/* ---- collecting what the reader reports ---- */

struct log {
	char text[8192];
	char data[2048];
	size_t dlen, dtotal;
	int begun;
};

static int l_begin(void *ctx, const struct tar_entry *e)
{
	struct log *l = ctx;

	if (!strcmp(e->name, "refuse-me"))
		return -EPERM;
	if (l->begun)
		return -EPROTO;          /* begin twice without end */
	l->begun = 1;
	l->dlen = l->dtotal = 0;
	return 0;
}

static int l_data(void *ctx, const void *buf, size_t len)
{
	struct log *l = ctx;

	if (!l->begun)
		return -EPROTO;
	if (l->dlen + len < sizeof(l->data)) {
		memcpy(l->data + l->dlen, buf, len);
		l->dlen += len;
	}
	l->dtotal += len;
	return 0;
}

static int l_end(void *ctx, const struct tar_entry *e)
{
	struct log *l = ctx;
	size_t n = strlen(l->text);
	char name[40], link[40];

	if (!l->begun || (long long)l->dtotal != e->size)
		return -EPROTO;
	l->begun = 0;
	/* Long names are shown as their length and last characters. */
	if (strlen(e->name) > 32)
		snprintf(name, sizeof(name), "<%zu>%s", strlen(e->name), e->name + strlen(e->name) - 4);
	else
		snprintf(name, sizeof(name), "%s", e->name);
	if (strlen(e->linkname) > 32)
		snprintf(link, sizeof(link), "<%zu>%s", strlen(e->linkname), e->linkname + strlen(e->linkname) - 4);
	else
		snprintf(link, sizeof(link), "%s", e->linkname);
	snprintf(l->text + n, sizeof(l->text) - n, "%c|%s|%s|%04o|%u:%u|%lld|%lld|%.*s%s\n",
	         e->type, name, link, (unsigned)e->mode, (unsigned)e->uid, (unsigned)e->gid,
	         e->mtime, e->size, l->dlen > 16 ? 16 : (int)l->dlen, l->data,
	         l->dlen > 16 ? "..." : "");
	if (e->type == '3' || e->type == '4') {
		n = strlen(l->text);
		snprintf(l->text + n - 1, sizeof(l->text) - n + 1, "dev %u,%u\n", e->devmajor, e->devminor);
	}
	if (e->sha1[0]) {
		n = strlen(l->text);
		snprintf(l->text + n - 1, sizeof(l->text) - n + 1, "|sha1 %s\n", e->sha1);
	}
	if ((e->uname[0] || e->gname[0]) && (strcmp(e->uname, "root") || strcmp(e->gname, "root"))) {
		n = strlen(l->text);
		snprintf(l->text + n - 1, sizeof(l->text) - n + 1, "|own %s:%s\n", e->uname, e->gname);
	}
	{
		const unsigned char *v;
		const char *xn;
		size_t vl;
		int i;

		for (i = 0; (xn = tar_xattr(e, i, &v, &vl)); i++) {
			n = strlen(l->text);
			snprintf(l->text + n - 1, sizeof(l->text) - n + 1, "|xattr %s=%.*s\n", xn, (int)vl, (const char *)v);
		}
	}
	return 0;
}

static const struct tar_ops log_ops = { l_begin, l_data, l_end };

/* ---- the tar table ---- */

struct tcase {
	const char *file;
	int line;
	const char *desc;
	void (*build)(struct ar *);
	int feed_err, fin_err;
	const char *why;         /* substring of t.why, NULL: must be empty */
	const char *log;
};

#define TC(desc, build, feed_err, fin_err, why, log) \
	{ __FILE__, __LINE__, desc, build, feed_err, fin_err, why, log }

static const struct tcase tar_cases[] = {
	TC("ustar files", a_simple, 0, 0, NULL,
	   "0|hello.txt||0644|0:0|0|3|hi\n\n"
	   "0|empty||0644|0:0|0|0|\n"),
	TC("ustar prefix + name", a_prefix, 0, 0, NULL,
	   "0|some/deep/dir/file.txt||0644|0:0|0|2|ok\n"),
	TC("GNU magic: prefix field is not a prefix", a_gnu_ignores_prefix, 0, 0, NULL,
	   "0|gnu.txt||0644|0:0|0|1|g\n"),
	TC("v7 '\\0' file, v7 dir by slash, '7' contiguous", a_v7, 0, 0, NULL,
	   "5|dir/||0755|0:0|0|0|\n"
	   "0|dir/old||0644|0:0|0|3|v7\n\n"
	   "0|contig||0644|0:0|0|1|c\n"),
	TC("GNU long name and long link", a_gnu_long, 0, 0, NULL,
	   "0|<302>nnnn||0644|0:0|0|4|long\n"
	   "2|short|<201>tttt|0777|0:0|0|0|\n"
	   "0|after||0644|0:0|0|1|x\n"),
	TC("pax path, size, uid, gid, mtime, linkpath", a_pax, 0, 0, NULL,
	   "0|<254>pppp||0644|4000000000:77|1700000000|5|fives|xattr user.x=v\n"
	   "2|l|/a/pax/target|0777|0:0|-5|0|\n"),
	TC("pax APK-TOOLS.checksum.SHA1, for one entry, 40 hex digits only", a_pax_sha1, 0, 0, NULL,
	   "0|with||0644|0:0|0|1|w|sha1 0123456789abcdefABCDEF0123456789abcdef01\n"
	   "0|without||0644|0:0|0|1|o\n"
	   "0|short||0644|0:0|0|1|s\n"
	   "0|not-hex||0644|0:0|0|1|n\n"),
	TC("owner names: ustar fields, pax uname over them; SCHILY.xattr.* for one entry", a_names_xattrs, 0, 0, NULL,
	   "5|var/lib/openldap/||0700|0:0|0|0||own ldap:ldap\n"
	   "0|usr/bin/ping||0755|0:0|0|1|x|own pax-user:root|xattr security.capability=cap|xattr user.b=2\n"
	   "0|plain||0644|0:0|0|1|y|own daemon:adm\n"),
	TC("extended attributes over TAR_XATTR_MAX", a_xattr_too_big, -EBADMSG, -EBADMSG,
	   "pax extended attribute user.big too large or malformed", ""),
	TC("pax global header is skipped", a_pax_global, 0, 0, NULL,
	   "0|real||0644|0:0|0|1|r\n"),
	TC("pax path wins over GNU long name", a_pax_over_gnu, 0, 0, NULL,
	   "0|pax-name||0644|0:0|0|0|\n"),
	TC("base-256 size, uid, negative mtime", a_base256, 0, 0, NULL,
	   "0|b256||0644|3000000000:0|-1|600|bbbbbbbbbbbbbbbb...\n"),
	TC("non-data types carry no data; mode is permission bits", a_types, 0, 0, NULL,
	   "5|d||0700|0:0|0|0|\n"
	   "1|hl|d/f|0644|0:0|0|0|\n"
	   "3|c||0620|0:0|0|0|dev 4,64\n"
	   "4|b||0660|0:0|0|0|dev 8,1\n"
	   "6|p||0600|0:0|0|0|\n"
	   "0|sm||4755|0:0|0|0|\n"),
	TC("unknown type passed through with data", a_unknown, 0, 0, NULL,
	   "S|sparse||0644|0:0|0|3|abc\n"),
	TC("one zero block then EOF is the end", a_one_zero_block, 0, 0, NULL,
	   "0|f||0644|0:0|0|1|1\n"),
	TC("bytes after the end marker are ignored", a_after_end, 0, 0, NULL,
	   "0|f||0644|0:0|0|1|1\n"),
	TC("bad checksum in the first header", a_bad_sum_first, -EBADMSG, -EBADMSG,
	   "not a tar archive (bad header checksum) at byte 0", ""),
	TC("bad checksum in the second header", a_bad_sum_second, -EBADMSG, -EBADMSG,
	   "bad tar header checksum at byte 1024", "0|f||0644|0:0|0|2|ok\n"),
	TC("text is not tar", a_text, -EBADMSG, -EBADMSG, "not a tar archive", ""),
	TC("letters in a number field", a_bad_mode, -EBADMSG, -EBADMSG, "bad number in tar header", ""),
	TC("no end-of-archive marker", a_no_end, 0, -EIO,
	   "truncated tar archive: no end-of-archive marker after 1024 bytes", "0|f||0644|0:0|0|4|data\n"),
	TC("truncated inside file data", a_mid_entry, 0, -EIO,
	   "truncated tar archive: f: 100 of 1000 bytes", ""),
	TC("truncated inside a header", a_mid_header, 0, -EIO,
	   "truncated tar archive: partial header at byte 1024", "0|f||0644|0:0|0|1|x\n"),
	TC("empty input", a_empty, 0, -EIO, "no end-of-archive marker after 0 bytes", ""),
	TC("pax header over the limit", a_pax_too_big, -EBADMSG, -EBADMSG, "pax header of 65537 bytes", ""),
	TC("GNU long name over TAR_PATH_MAX", a_long_too_long, -EBADMSG, -EBADMSG,
	   "GNU long name of 4500 bytes is longer than 4095", ""),
	TC("pax record length past the end", a_pax_malformed, -EBADMSG, -EBADMSG, "malformed pax record", ""),
	TC("pax record length 0", a_pax_zero_len, -EBADMSG, -EBADMSG, "malformed pax record", ""),
	TC("pax path with a NUL", a_pax_nul_path, -EBADMSG, -EBADMSG, "pax path with a NUL byte", ""),
	TC("pax header and then the end", a_pax_then_end, -EBADMSG, -EBADMSG,
	   "extended header without an entry", ""),
	TC("pax size past the end of the archive", a_pax_size_past_end, 0, -EIO,
	   "truncated tar archive: f: ", ""),
	TC("callback error stops the reader, why untouched", a_refused, -EPERM, -EPERM, NULL,
	   "0|ok||0644|0:0|0|1|1\n"),
};

static struct ar arch;

static void run_tar_case(const struct tcase *c, size_t chunk)
{
	static struct log l;
	struct tar_reader t;
	int ferr = 0, ferr2, fin;
	size_t off;

	memset(&arch, 0, sizeof(arch));
	c->build(&arch);
	memset(&l, 0, sizeof(l));
	tar_init(&t, &log_ops, &l);
	for (off = 0; off < arch.n && !ferr; off += chunk) {
		size_t n = arch.n - off < chunk ? arch.n - off : chunk;
		ferr = tar_feed(&t, arch.b + off, n);
	}
	ferr2 = ferr ? tar_feed(&t, "x", 1) : 0;
	fin = tar_finish(&t);
	ok_at(ferr == c->feed_err && fin == c->fin_err && ferr2 == ferr, c->file, c->line,
	      "tar %s [%zu-byte chunks]: feed %d (want %d), finish %d (want %d), again %d",
	      c->desc, chunk, ferr, c->feed_err, fin, c->fin_err, ferr2);
	if (c->why)
		ok_at(strstr(t.why, c->why) != NULL, c->file, c->line, "  why \"%s\" has \"%s\"", t.why, c->why);
	else
		ok_at(t.why[0] == '\0', c->file, c->line, "  why is empty (\"%s\")", t.why);
	if (!ok_at(!strcmp(l.text, c->log), c->file, c->line, "  entries as expected"))
		diag("got:\n%s# want:\n%s", l.text, c->log);
	ok_at(tar_finish(&t) == c->fin_err && t.extbuf == NULL, c->file, c->line, "  finish again: same result, nothing held");
}

/* ---- gzip ---- */

static size_t deflate_gz(const void *in, size_t len, unsigned char *out, size_t cap, int level)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	deflateEnd(&z);
	return cap - z.avail_out;
}

struct gbuf {
	unsigned char in[600 * 1024];
	size_t in_len;
	unsigned char want[400 * 1024];
	size_t want_len;
};

static struct gbuf gb;

static void plain(const char *s, size_t len, int level)
{
	memcpy(gb.want + gb.want_len, s, len);
	gb.want_len += len;
	gb.in_len += deflate_gz(s, len, gb.in + gb.in_len, sizeof(gb.in) - gb.in_len, level);
}

static void g_one(void)
{
	plain("hello, world\n", 13, 9);
}

static void g_multi(void)
{
	plain("first member\n", 13, 9);
	plain("", 0, 9);
	plain("third member\n", 13, 1);
}

static void g_big(void)
{
	static char big[300 * 1024];
	unsigned x = 1;
	size_t i;

	for (i = 0; i < sizeof(big); i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (char)('a' + (x >> 16) % 4);
	}
	plain(big, sizeof(big), 6);
}

static void g_truncated(void)
{
	g_big();
	gb.in_len /= 2;
	gb.want_len = 0;             /* some output is fine; only the error counts */
}

static void g_no_last_byte(void)
{
	g_one();
	gb.in_len--;
}

static void g_crc(void)
{
	g_one();
	gb.in[gb.in_len - 8] ^= 1;
}

static void g_isize(void)
{
	g_one();
	gb.in[gb.in_len - 4] ^= 1;
}

static void g_corrupt(void)
{
	size_t i;

	g_big();
	for (i = gb.in_len / 2; i < gb.in_len / 2 + 16; i++)
		gb.in[i] ^= 0xa5;
	gb.want_len = 0;
}

static void g_garbage(void)
{
	g_one();
	memcpy(gb.in + gb.in_len, "GARBAGE", 7);
	gb.in_len += 7;
}

static void g_half_magic(void)
{
	g_one();
	gb.in[gb.in_len++] = 0x1f;
}

static void g_text(void)
{
	memcpy(gb.in, "plain text, no gzip", 19);
	gb.in_len = 19;
}

static void g_zlib(void)
{
	uLongf n = sizeof(gb.in);

	compress(gb.in, &n, (const Bytef *)"zlib, not gzip", 14);
	gb.in_len = n;
}

static void g_empty(void)
{
}

struct gcase {
	const char *file;
	int line;
	const char *desc;
	void (*build)(void);
	int feed_err, fin_err;
	const char *why;
};

#define GC(desc, build, feed_err, fin_err, why) \
	{ __FILE__, __LINE__, desc, build, feed_err, fin_err, why }

static const struct gcase gz_cases[] = {
	GC("one member", g_one, 0, 0, NULL),
	GC("three members (one empty) decode as one stream", g_multi, 0, 0, NULL),
	GC("300 KiB through the 64 KiB buffer", g_big, 0, 0, NULL),
	GC("cut in half", g_truncated, 0, -EIO, "truncated gzip stream after"),
	GC("last trailer byte missing", g_no_last_byte, 0, -EIO, "truncated gzip stream after"),
	GC("CRC flipped", g_crc, -EBADMSG, -EBADMSG, "gzip CRC mismatch"),
	GC("ISIZE flipped", g_isize, -EBADMSG, -EBADMSG, "gzip length (ISIZE) mismatch"),
	GC("bytes flipped mid-stream", g_corrupt, -EBADMSG, -EBADMSG, "gzip"),
	GC("garbage after a member", g_garbage, -EBADMSG, -EBADMSG, "trailing garbage after gzip member 1"),
	GC("half a magic after a member", g_half_magic, 0, -EIO, "truncated gzip stream"),
	GC("not gzip at all", g_text, -EBADMSG, -EBADMSG, "not gzip data"),
	GC("zlib wrapper is not gzip", g_zlib, -EBADMSG, -EBADMSG, "not gzip data"),
	GC("no bytes at all", g_empty, 0, -EIO, "truncated gzip stream: no data"),
};

struct gsink {
	unsigned char out[400 * 1024];
	size_t len;
	size_t biggest;
	int fail_after;              /* > 0: return -ENOSPC once this much arrived */
};

static int g_sink(void *ctx, const void *buf, size_t len)
{
	struct gsink *s = ctx;

	if (len == 0)
		return -EPROTO;
	if (len > s->biggest)
		s->biggest = len;
	if (s->len + len > sizeof(s->out))
		return -E2BIG;
	memcpy(s->out + s->len, buf, len);
	s->len += len;
	if (s->fail_after && s->len >= (size_t)s->fail_after)
		return -ENOSPC;
	return 0;
}

static void run_gz_case(const struct gcase *c, size_t chunk)
{
	static struct gsink s;
	struct gunzip g;
	int ferr = 0, fin;
	size_t off;

	memset(&gb, 0, sizeof(gb));
	c->build();
	memset(&s, 0, sizeof(s));
	if (gunzip_init(&g, g_sink, &s)) {
		ok_at(0, c->file, c->line, "gunzip_init");
		return;
	}
	for (off = 0; off < gb.in_len && !ferr; off += chunk) {
		size_t n = gb.in_len - off < chunk ? gb.in_len - off : chunk;
		ferr = gunzip_feed(&g, gb.in + off, n);
	}
	if (ferr)
		gunzip_abort(&g);
	fin = ferr ? g.err : gunzip_finish(&g);
	ok_at(ferr == c->feed_err && fin == c->fin_err && g.z == NULL, c->file, c->line,
	      "gunzip %s [%zu-byte chunks]: feed %d (want %d), finish %d (want %d)",
	      c->desc, chunk, ferr, c->feed_err, fin, c->fin_err);
	if (c->why)
		ok_at(strstr(g.why, c->why) != NULL, c->file, c->line, "  why \"%s\" has \"%s\"", g.why, c->why);
	else
		ok_at(!g.why[0] && s.len == gb.want_len && !memcmp(s.out, gb.want, s.len) &&
		      g.out_total == s.len && g.in_total == gb.in_len && s.biggest <= GUNZIP_OUT,
		      c->file, c->line, "  output %zu bytes (want %zu), sink pieces <= %d, totals %llu/%llu",
		      s.len, gb.want_len, GUNZIP_OUT, g.in_total, g.out_total);
}

/* A sink error comes back unchanged, with no words of gunzip's own. */
static void gz_sink_error(void)
{
	static struct gsink s;
	struct gunzip g;
	int err;

	memset(&gb, 0, sizeof(gb));
	g_big();
	memset(&s, 0, sizeof(s));
	s.fail_after = 1;
	gunzip_init(&g, g_sink, &s);
	err = gunzip_feed(&g, gb.in, gb.in_len);
	ok(err == -ENOSPC && !g.why[0], "gunzip: sink error returned as is (%d), why empty", err);
	ok(gunzip_feed(&g, gb.in, 1) == -ENOSPC, "gunzip: and again on the next feed");
	ok(gunzip_finish(&g) == -ENOSPC && g.z == NULL, "gunzip: finish reports it and frees");
}

/* gzip in front of tar: the chain the overlay phase uses. */
struct chain {
	struct gunzip g;
	struct tar_reader t;
	struct log l;
};

static int to_tar(void *ctx, const void *buf, size_t len)
{
	struct chain *c = ctx;

	return tar_feed(&c->t, buf, len);
}

static void gz_tar_chain(void)
{
	static struct chain c;
	static unsigned char z[64 * 1024];
	size_t zn, off;
	int err = 0;

	memset(&arch, 0, sizeof(arch));
	a_gnu_long(&arch);
	zn = deflate_gz(arch.b, arch.n, z, sizeof(z), 9);
	memset(&c, 0, sizeof(c));
	tar_init(&c.t, &log_ops, &c.l);
	gunzip_init(&c.g, to_tar, &c);
	for (off = 0; off < zn && !err; off += 3)
		err = gunzip_feed(&c.g, z + off, zn - off < 3 ? zn - off : 3);
	ok(!err && !gunzip_finish(&c.g) && !tar_finish(&c.t), "gzip -> tar chain in 3-byte chunks");
	ok(strstr(c.l.text, "0|after|") != NULL, "  all entries seen");
}

/* ---- the writer, read back ---- */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	size_t fail_after;       /* refuse the write that would go past this many bytes; 0: never */
};

static int w_out(void *ctx, const void *buf, size_t len)
{
	struct wbuf *w = ctx;

	if (w->fail_after && w->len + len > w->fail_after)
		return -ENOSPC;
	if (w->len + len > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		unsigned char *n;
		while (cap < w->len + len)
			cap *= 2;
		if (!(n = realloc(w->p, cap)))
			return -ENOMEM;
		w->p = n;
		w->cap = cap;
	}
	memcpy(w->p + w->len, buf, len);
	w->len += len;
	return 0;
}

struct wentry {
	size_t namelen;          /* a name of this many bytes ('a'.. cycling, then "-end") */
	unsigned mode;
	size_t size;             /* data bytes (i * 7 + namelen, as bytes) */
};

static const struct wentry wrows[] = {
	{ 1, 0644, 0 },          /* an empty file */
	{ 8, 0755, 1 },
	{ 98, 0600, 511 },
	{ 99, 04755, 512 },      /* the longest name the header holds */
	{ 100, 0644, 513 },      /* the first that takes a GNU long-name entry */
	{ 101, 0, 0 },           /* mode 0, empty, long name */
	{ 255, 01777, 1024 },
	{ 4095, 0644, 70000 },   /* TAR_PATH_MAX - 1 */
};

static void wname(char *buf, size_t n, size_t salt)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = i && i % 50 == 0 ? '/' : (char)('a' + (i + salt) % 26);
	buf[n] = '\0';
}

static unsigned char wbyte(size_t entry, size_t i)
{
	return (unsigned char)(entry * 31 + i * 7 + 1);
}

struct wcheck {
	size_t n;                /* entries seen */
	size_t got;              /* data bytes of the current entry */
	int bad;                 /* the first mismatch, as a row number + 1 */
	char why[200];
};

static int wc_begin(void *ctx, const struct tar_entry *e)
{
	struct wcheck *c = ctx;
	const struct wentry *w = &wrows[c->n];
	char name[TAR_PATH_MAX];

	c->got = 0;
	if (c->n >= sizeof(wrows) / sizeof(wrows[0]))
		return snprintf(c->why, sizeof(c->why), "an entry too many: %.40s", e->name), -EPROTO;
	wname(name, w->namelen, c->n);
	if (strcmp(e->name, name) || e->type != TAR_FILE || e->mode != w->mode || e->size != (long long)w->size ||
	    e->uid || e->gid || e->mtime)
		return snprintf(c->why, sizeof(c->why), "entry %zu: name %zu bytes (%s), type %c, mode %04o, size %lld, "
		                "%u:%u, mtime %lld", c->n, strlen(e->name), strcmp(e->name, name) ? "differs" : "same",
		                e->type, (unsigned)e->mode, e->size, (unsigned)e->uid, (unsigned)e->gid, e->mtime), -EPROTO;
	return 0;
}

static int wc_data(void *ctx, const void *buf, size_t len)
{
	struct wcheck *c = ctx;
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++, c->got++)
		if (b[i] != wbyte(c->n, c->got))
			return snprintf(c->why, sizeof(c->why), "entry %zu: byte %zu differs", c->n, c->got), -EPROTO;
	return 0;
}

static int wc_end(void *ctx, const struct tar_entry *e)
{
	struct wcheck *c = ctx;

	if (c->got != wrows[c->n].size)
		return snprintf(c->why, sizeof(c->why), "entry %zu: %zu data bytes", c->n, c->got), -EPROTO;
	c->n++;
	return 0;
}

static const struct tar_ops wc_ops = { wc_begin, wc_data, wc_end };

/* Every row written with tar_write_file, then the end marker; read back in
 * chunks of CHUNK bytes, each entry as written. */
static void writer_roundtrip(void)
{
	static const size_t chunks[] = { 1, 7, 512, (size_t)-1 };
	static unsigned char data[70000];
	struct wbuf w = { 0 };
	char name[TAR_PATH_MAX];
	size_t i, k, j;
	int err = 0;

	for (i = 0; i < sizeof(wrows) / sizeof(wrows[0]) && !err; i++) {
		for (j = 0; j < wrows[i].size; j++)
			data[j] = wbyte(i, j);
		wname(name, wrows[i].namelen, i);
		err = tar_write_file(w_out, &w, name, data, wrows[i].size, wrows[i].mode);
		ok(!err, "writer: a file of %zu bytes named with %zu bytes, mode %04o: %d", wrows[i].size,
		   wrows[i].namelen, wrows[i].mode, err);
		ok(w.len % 512 == 0, "writer: the archive stays in whole blocks (%zu bytes)", w.len);
	}
	ok(!tar_write_end(w_out, &w), "writer: the end marker");
	for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct tar_reader t;
		struct wcheck c = { 0 };
		size_t off, step = chunks[k] == (size_t)-1 ? w.len : chunks[k];

		tar_init(&t, &wc_ops, &c);
		t.strict_end = true;
		for (off = 0, err = 0; off < w.len && !err; off += step)
			err = tar_feed(&t, w.p + off, w.len - off < step ? w.len - off : step);
		if (!err)
			err = tar_finish(&t);
		else
			tar_finish(&t);
		ok(!err && c.n == sizeof(wrows) / sizeof(wrows[0]),
		   "writer -> reader in %zu-byte chunks: %zu of %zu entries as written (%d%s%s%s%s)", step, c.n,
		   sizeof(wrows) / sizeof(wrows[0]), err, c.why[0] ? ": " : "", c.why, t.why[0] ? ": " : "", t.why);
	}
	/* What the writer refuses, and its sink's error passed on. */
	ok(tar_write_file(w_out, &w, "", "", 0, 0644) == -ENAMETOOLONG, "writer: an empty name is refused");
	{
		static char big[TAR_PATH_MAX + 1];
		memset(big, 'x', TAR_PATH_MAX);
		ok(tar_write_file(w_out, &w, big, "", 0, 0644) == -ENAMETOOLONG,
		   "writer: a name of TAR_PATH_MAX bytes is refused");
	}
	free(w.p);
	memset(&w, 0, sizeof(w));
	w.fail_after = 512 + 100;
	ok(tar_write_file(w_out, &w, "f", data, 1000, 0644) == -ENOSPC, "writer: the sink's error comes back");
	free(w.p);
	memset(&w, 0, sizeof(w));
	w.fail_after = 1024;
	wname(name, 120, 0);
	ok(tar_write_file(w_out, &w, name, data, 10, 0644) == -ENOSPC,
	   "writer: the sink's error after the long-name entry comes back");
	free(w.p);
	memset(&w, 0, sizeof(w));
	w.fail_after = 512;
	ok(tar_write_end(w_out, &w) == -ENOSPC, "writer: the sink's error in the end marker comes back");
	free(w.p);
}

int main(void)
{
	static const size_t chunks[] = { 1, 7, 512, (size_t)-1 };
	size_t i, k;

	for (i = 0; i < sizeof(tar_cases) / sizeof(tar_cases[0]); i++)
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++)
			run_tar_case(&tar_cases[i], chunks[k] == (size_t)-1 ? sizeof(arch.b) : chunks[k]);
	for (i = 0; i < sizeof(gz_cases) / sizeof(gz_cases[0]); i++)
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++)
			run_gz_case(&gz_cases[i], chunks[k] == (size_t)-1 ? sizeof(gb.in) : chunks[k]);
	gz_sink_error();
	gz_tar_chain();
	writer_roundtrip();
	return done_testing();
}
