/* apk v2 package files (see apkpkg.h): a checking pass that inflates the
 * signature and control members (SHA-1 of the control member, .PKGINFO and
 * the scripts kept) and hashes the data members' compressed bytes with
 * SHA-256 without inflating them, and an unpacking pass over the data
 * members that goes through lib/extract and records what it wrote. The
 * data is inflated once, by the unpacking pass; a file's SHA-1 is the
 * package's own record of it when it has one (as apk does), so the data is
 * hashed once too when the caller unpacks a private copy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apkpkg.h"
#include "extract.h"
#include "fileio.h"
#include "gunzip.h"
#include "tar.h"

static const char *const actions[] = {
	"pre-install", "post-install", "pre-upgrade", "post-upgrade",
	"pre-deinstall", "post-deinstall", "trigger",
};

/* Returned by pass_end when the control member has ended: the
 * inflating stops there, the rest of the file is the data. */
#define CHK_CONTROL_DONE 1

/* The first pass: the signature member and the control member go through
 * the abuild-signed stream reader uninterpreted (ops NULL), the control
 * member's compressed bytes are kept to be hashed and only then read. */
struct pass {
	struct apk_signed s;
	struct apk_pkgcheck *c;
	unsigned char *raw[2];         /* compressed members 0 and 1 */
	size_t len[2], cap[2];
	unsigned long long end;        /* offset past the control member */
	int err;
};

/* What the control member's entries are kept in. */
struct chk {
	struct apk_pkgcheck *c;
	struct tar_reader t;
	bool pkginfo;                  /* .PKGINFO seen */
	char **dst;                    /* entry being kept: its buffer ... */
	size_t *dlen, dcap;            /* ... length and the bound */
	int err;
};

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static int chk_begin(void *ctx, const struct tar_entry *e)
{
	struct chk *k = ctx;
	struct apk_pkgcheck *c = k->c;
	size_t i;

	k->dst = NULL;
	if (e->type != TAR_FILE)
		return 0;
	if (!strcmp(e->name, ".PKGINFO")) {
		if (k->pkginfo) {
			snprintf(c->why, sizeof(c->why), "a second .PKGINFO in the control member");
			return k->err = -EBADMSG;
		}
		if (e->size >= APK_PKGINFO_MAX) {
			snprintf(c->why, sizeof(c->why), ".PKGINFO of %lld bytes is too large", e->size);
			return k->err = -EBADMSG;
		}
		k->pkginfo = true;
		c->pkginfo = calloc(1, (size_t)e->size + 1);
		if (!c->pkginfo)
			return k->err = -ENOMEM;
		k->dst = &c->pkginfo;
		k->dlen = &k->dcap;
		k->dcap = 0;
		return 0;
	}
	if (e->name[0] != '.' || !k->pkginfo || strchr(e->name, '/'))
		return 0;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		struct apk_script *s;

		if (strcmp(e->name + 1, actions[i]))
			continue;
		if (c->nscripts >= APK_SCRIPTS_MAX || e->size >= APK_SCRIPT_MAX) {
			snprintf(c->why, sizeof(c->why), "script %s: too large or too many scripts", e->name);
			return k->err = -EBADMSG;
		}
		s = &c->scripts[c->nscripts++];
		snprintf(s->action, sizeof(s->action), "%s", actions[i]);
		s->text = calloc(1, (size_t)e->size + 1);
		if (!s->text)
			return k->err = -ENOMEM;
		s->len = 0;
		k->dst = &s->text;
		k->dlen = &s->len;
	}
	return 0;
}

static int chk_data(void *ctx, const void *buf, size_t len)
{
	struct chk *k = ctx;

	if (k->dst) {
		memcpy(*k->dst + *k->dlen, buf, len);   /* sized from the header */
		*k->dlen += len;
	}
	return 0;
}

static int chk_end(void *ctx, const struct tar_entry *e)
{
	struct chk *k = ctx;

	k->dst = NULL;
	return 0;
}

static const struct tar_ops chk_ops = { chk_begin, chk_data, chk_end };

static int chk_plain(void *ctx, const void *buf, size_t len)
{
	struct chk *k = ctx;

	return tar_feed(&k->t, buf, len);
}

static int pass_raw(void *ctx, unsigned member, const void *buf, size_t len)
{
	struct pass *p = ctx;

	if (p->s.g.out_total > APK_CONTROL_MAX * 4ULL) {
		snprintf(p->c->why, sizeof(p->c->why), "the control member is over %d MiB", APK_CONTROL_MAX >> 20);
		return p->err = -EFBIG;
	}
	if (member > 1)
		return 0;
	if (p->len[member] + len > p->cap[member]) {
		size_t cap = p->cap[member] ? p->cap[member] * 2 : 65536;
		unsigned char *n;

		while (cap < p->len[member] + len)
			cap *= 2;
		if (p->len[member] + len > APK_CONTROL_MAX) {
			snprintf(p->c->why, sizeof(p->c->why), "the control member is over %d MiB", APK_CONTROL_MAX >> 20);
			return p->err = -EFBIG;
		}
		if (!(n = realloc(p->raw[member], cap)))
			return p->err = -ENOMEM;
		p->raw[member] = n;
		p->cap[member] = cap;
	}
	memcpy(p->raw[member] + p->len[member], buf, len);
	p->len[member] += len;
	return 0;
}

static int pass_end(void *ctx, unsigned member, unsigned long long end)
{
	struct pass *p = ctx;

	if ((int)member != p->s.sig_members)
		return 0;
	p->end = end;
	return CHK_CONTROL_DONE;
}

/* Read the control member's compressed bytes RAW[0..LEN) (checked
 * already) with a tar reader of its own into C. Returns 0 or -EBADMSG,
 * -ENOMEM with C->why set. */
static int read_control(const unsigned char *raw, size_t len, struct apk_pkgcheck *c)
{
	static struct chk k;
	struct gunzip g;
	const char *between;
	int err;

	memset(&k, 0, sizeof(k));
	k.c = c;
	tar_init(&k.t, &chk_ops, &k);
	if (gunzip_init(&g, chk_plain, &k))
		return -ENOMEM;
	err = gunzip_feed(&g, raw, len);
	if (err)
		gunzip_abort(&g);
	else
		err = gunzip_finish(&g);
	between = err ? NULL : tar_between(&k.t);
	tar_finish(&k.t);
	if (err || (between && !k.t.done)) {
		if (k.err)
			return k.err;
		if (!c->why[0])
			snprintf(c->why, sizeof(c->why), "the control member: %s",
			         between ? between : k.t.why[0] ? k.t.why : g.why[0] ? g.why : strerror(-err));
		return err == -ENOMEM ? err : -EBADMSG;
	}
	if (!k.pkginfo) {
		snprintf(c->why, sizeof(c->why), "no .PKGINFO: not an apk package");
		return -EBADMSG;
	}
	return 0;
}

int apk_pkginfo_get(const char *pkginfo, const char *key, char *out, size_t outsz)
{
	size_t kl = strlen(key);
	const char *p = pkginfo;

	while (p && *p) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);

		if ((size_t)(end - p) > kl + 3 && !strncmp(p, key, kl) && !strncmp(p + kl, " = ", 3)) {
			snprintf(out, outsz, "%.*s", (int)(end - p - (long)kl - 3), p + kl + 3);
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

void apk_pkgcheck_free(struct apk_pkgcheck *c)
{
	int i;

	free(c->pkginfo);
	c->pkginfo = NULL;
	for (i = 0; i < c->nscripts; i++)
		free(c->scripts[i].text);
	c->nscripts = 0;
}

const struct apk_script *apk_pkg_script(const struct apk_pkgcheck *c, const char *action)
{
	int i;

	for (i = 0; i < c->nscripts; i++)
		if (!strcmp(c->scripts[i].action, action))
			return &c->scripts[i];
	return NULL;
}

/* After a data SHA-256 mismatch: inflate the data members from OFFSET to
 * tell a damaged file (truncated, corrupt gzip) from other data. Returns
 * 0 when they inflate cleanly, else -EBADMSG with C->why set. */
static int data_damaged(int fd, unsigned long long offset, struct apk_pkgcheck *c, unsigned char *buf, size_t size)
{
	struct gunzip g;
	ssize_t n;
	int err;

	if (lseek(fd, (off_t)offset, SEEK_SET) < 0 || gunzip_init(&g, NULL, NULL))
		return 0;
	err = 0;
	while (!err && (n = read(fd, buf, size)) > 0)
		err = gunzip_feed(&g, buf, (size_t)n);
	if (!err)
		err = gunzip_finish(&g);
	else
		gunzip_abort(&g);
	if (!err)
		return 0;
	snprintf(c->why, sizeof(c->why), "data: %s", g.why[0] ? g.why : strerror(-err));
	return -EBADMSG;
}

int apk_pkg_check(int fd, const char *want_csum, struct apk_pkgcheck *c)
{
	static struct pass p;
	static unsigned char buf[65536];
	br_sha256_context data;
	br_sha1_context ctl;
	unsigned char d[32];
	unsigned long long pos = 0;
	bool control_done = false;
	ssize_t n;
	int err = 0;

	memset(c, 0, sizeof(*c));
	free(p.raw[0]);
	free(p.raw[1]);
	memset(&p, 0, sizeof(p));
	p.c = c;
	br_sha256_init(&data);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	if ((err = apk_signed_init(&p.s)))
		return err;
	p.s.ctx = &p;
	p.s.raw = pass_raw;
	p.s.end = pass_end;
	/* Inflate up to the end of the control member, keeping its
	 * compressed bytes; from there on the file is the data, hashed as it
	 * is (the unpacking inflates it). */
	for (;;) {
		long long t0 = mono_us();
		size_t skip = 0;

		n = read(fd, buf, sizeof(buf));
		c->read_us += mono_us() - t0;
		if (n <= 0)
			break;
		c->size += (unsigned long long)n;
		if (!control_done) {
			err = apk_signed_feed(&p.s, buf, (size_t)n);
			if (err != CHK_CONTROL_DONE) {
				if (err)
					break;
				pos += (unsigned long long)n;
				continue;
			}
			err = 0;
			control_done = true;
			skip = (size_t)(p.end - pos);
		}
		br_sha256_update(&data, buf + skip, (size_t)n - skip);
		pos += (unsigned long long)n;
	}
	if (n < 0) {
		err = -errno;
		apk_signed_finish(&p.s);
		snprintf(c->why, sizeof(c->why), "read: %s", strerror(-err));
		goto fail;
	}
	if (!err && !control_done)
		err = apk_signed_finish(&p.s);   /* the file ended before its data */
	else
		apk_signed_finish(&p.s);
	if (err) {
		if (p.err)
			err = p.err;
		else if (!c->why[0])
			snprintf(c->why, sizeof(c->why), "%s", apk_signed_why(&p.s));
		if (err != -ENOMEM && err != -EFBIG)
			err = -EBADMSG;
		goto fail;
	}
	if (!control_done) {
		snprintf(c->why, sizeof(c->why), "no data after the control member");
		err = -EBADMSG;
		goto fail;
	}
	/* The control member is what the index's C: vouches for: its bytes
	 * are checked before they are read. */
	br_sha1_init(&ctl);
	br_sha1_update(&ctl, p.raw[p.s.sig_members], p.len[p.s.sig_members]);
	br_sha1_out(&ctl, d);
	apk_q1(d, c->csum);
	if (want_csum && strcmp(want_csum, c->csum)) {
		snprintf(c->why, sizeof(c->why), "control checksum %s is not the index's %s", c->csum, want_csum);
		err = -EKEYREJECTED;
		goto fail;
	}
	if ((err = read_control(p.raw[p.s.sig_members], p.len[p.s.sig_members], c)))
		goto fail;
	if (c->size <= p.end) {
		snprintf(c->why, sizeof(c->why), "no data after the control member");
		err = -EBADMSG;
		goto fail;
	}
	c->data_offset = p.end;
	br_sha256_out(&data, d);
	hex(d, 32, c->data_sha256);
	if (apk_pkginfo_get(c->pkginfo, "triggers", c->triggers, sizeof(c->triggers)))
		c->triggers[0] = '\0';
	if (apk_pkginfo_get(c->pkginfo, "datahash", c->datahash, sizeof(c->datahash))) {
		snprintf(c->why, sizeof(c->why), "no datahash in .PKGINFO: the data cannot be checked");
		err = -EKEYREJECTED;
		goto fail;
	}
	if (strcmp(c->datahash, c->data_sha256)) {
		if ((err = data_damaged(fd, c->data_offset, c, buf, sizeof(buf))))
			goto fail;
		snprintf(c->why, sizeof(c->why), "data SHA-256 %.16s... is not the datahash %.16s... of .PKGINFO",
		         c->data_sha256, c->datahash);
		err = -EKEYREJECTED;
		goto fail;
	}
	goto out;
fail:
	apk_pkgcheck_free(c);
out:
	free(p.raw[0]);
	free(p.raw[1]);
	p.raw[0] = p.raw[1] = NULL;
	return err;
}

/* ---- unpacking ---- */

void apk_files_free(struct apk_files *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->f[i].path);
	free(l->f);
	memset(l, 0, sizeof(*l));
}

struct unp {
	struct extract x;
	struct gunzip g;
	struct tar_reader t;
	const struct apk_unpack_opts *o;
	struct apk_files *files;
	br_sha1_context sha1;
	bool hashing;                  /* the entry's SHA-1 is computed (no pax record) */
	bool forward;                  /* the entry goes to the extractor */
	struct tar_entry e2;           /* the entry as forwarded (renamed) */
	long cur;                      /* index in files of the entry, -1 */
	long long xattr_unsupported;   /* the extractor's count before the entry */
	unsigned long long bytes;
	char why[TAR_PATH_MAX + 160];
};

static int unp_fail(struct unp *u, int err, const char *fmt, const char *name)
{
	snprintf(u->why, sizeof(u->why), fmt, name);
	return err;
}

/* NAME without "./" and trailing slashes into OUT. */
static void clean_name(const char *name, char *out, size_t size)
{
	size_t l;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	snprintf(out, size, "%s", name);
	l = strlen(out);
	while (l > 1 && out[l - 1] == '/')
		out[--l] = '\0';
}

/* The SHA-1 given as 40 hex digits HEX40 (checked by the tar reader) as a
 * Q1 into OUT. */
static void q1_of_hex(const char *hex40, char out[APK_Q1_LEN])
{
	unsigned char d[20];
	int i;

	for (i = 0; i < 20; i++) {
		int hi = hex40[2 * i], lo = hex40[2 * i + 1];
		hi = hi <= '9' ? hi - '0' : (hi | 32) - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : (lo | 32) - 'a' + 10;
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	apk_q1(d, out);
}

static struct apk_file *add_file(struct unp *u, const char *path)
{
	struct apk_files *l = u->files;
	struct apk_file *f;

	if (l->n == l->cap) {
		size_t n = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->f, n * sizeof(*l->f));
		if (!p)
			return NULL;
		l->f = p;
		l->cap = n;
	}
	f = &l->f[l->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	u->cur = (long)l->n++;
	return f;
}

/* apk's checksum of the extended attributes of E into OUT ("" without):
 * SHA-1 over each attribute in name order as a big-endian 32-bit length
 * and the name, then a length and the value. */
static void xattr_q1(const struct tar_entry *e, char out[APK_Q1_LEN])
{
	const unsigned char *v;
	const char *last = NULL;
	br_sha1_context c;
	unsigned char d[20];
	size_t len;
	int i, k;

	out[0] = '\0';
	if (!e->nxattr)
		return;
	br_sha1_init(&c);
	for (k = 0; k < e->nxattr; k++) {
		const char *best = NULL, *n;
		const unsigned char *bv = NULL;
		size_t bl = 0;

		for (i = 0; (n = tar_xattr(e, i, &v, &len)); i++)
			if ((!last || strcmp(n, last) > 0) && (!best || strcmp(n, best) < 0)) {
				best = n;
				bv = v;
				bl = len;
			}
		if (!best)
			break;
		for (i = 0; i < 2; i++) {
			size_t l = i ? bl : strlen(best);
			unsigned char be[4] = { (unsigned char)(l >> 24), (unsigned char)(l >> 16), (unsigned char)(l >> 8),
			                        (unsigned char)l };
			br_sha1_update(&c, be, 4);
			br_sha1_update(&c, i ? (const void *)bv : (const void *)best, l);
		}
		last = best;
	}
	br_sha1_out(&c, d);
	apk_q1(d, out);
}

static int unp_begin(void *ctx, const struct tar_entry *e)
{
	struct unp *u = ctx;
	char path[TAR_PATH_MAX];
	struct apk_file *f;
	struct stat st;

	clean_name(e->name, path, sizeof(path));
	u->forward = true;
	u->hashing = false;
	u->cur = -1;
	u->e2 = *e;
	if (!strcmp(path, ".") || !path[0])
		return 0;               /* the root itself */
	if (!(f = add_file(u, path)))
		return unp_fail(u, -ENOMEM, "%s: out of memory", path);
	f->mode = e->mode;
	f->uid = e->uid;
	f->gid = e->gid;
	if (u->o && u->o->owner) {
		u->o->owner(u->o->ctx, e->uname, e->gname, &f->uid, &f->gid);
		u->e2.uid = f->uid;
		u->e2.gid = f->gid;
	}
	if (e->type != TAR_SYMLINK)
		xattr_q1(e, f->xattr_csum);
	u->xattr_unsupported = u->x.xattr_unsupported;
	switch (e->type) {
	case TAR_DIR:
		f->type = 'd';
		break;
	case TAR_SYMLINK:
		f->type = 'l';
		if (e->sha1[0]) {
			q1_of_hex(e->sha1, f->csum);
			break;
		}
		u->hashing = true;
		br_sha1_init(&u->sha1);
		br_sha1_update(&u->sha1, e->linkname, strlen(e->linkname));
		break;
	case TAR_HARDLINK: {
		char target[TAR_PATH_MAX];
		size_t i;

		f->type = 'h';
		clean_name(e->linkname, target, sizeof(target));
		for (i = u->files->n - 1; i-- > 0;)
			if (!strcmp(u->files->f[i].path, target)) {
				memcpy(f->csum, u->files->f[i].csum, sizeof(f->csum));
				break;
			}
		break;
	}
	default:
		f->type = 'f';
		if (e->sha1[0]) {
			q1_of_hex(e->sha1, f->csum);
			break;
		}
		u->hashing = true;
		br_sha1_init(&u->sha1);
		break;
	}
	if (f->type != 'd' && u->o && u->o->keep &&
	    fstatat(u->x.rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
		bool protect = false;

		if (u->o->keep(u->o->ctx, path, &protect)) {
			f->kept = true;
			if (protect && f->type == 'f') {
				f->apk_new = true;
				if (snprintf(u->e2.name, sizeof(u->e2.name), "%s.apk-new", path) >= (int)sizeof(u->e2.name))
					return unp_fail(u, -ENAMETOOLONG, "%s: name too long", path);
			} else {
				u->forward = false;
			}
		}
	}
	if (!u->forward)
		return 0;
	if (extract_tar_ops.begin(&u->x, &u->e2)) {
		snprintf(u->why, sizeof(u->why), "%s", u->x.why);
		return -EPERM;
	}
	return 0;
}

static int unp_data(void *ctx, const void *buf, size_t len)
{
	struct unp *u = ctx;
	int err;

	if (u->hashing)
		br_sha1_update(&u->sha1, buf, len);
	u->bytes += len;
	if (u->o && u->o->progress)
		u->o->progress(u->o->ctx, u->bytes);
	if (u->forward && (err = extract_tar_ops.data(&u->x, buf, len))) {
		snprintf(u->why, sizeof(u->why), "%s", u->x.why);
		return err;
	}
	return 0;
}

static int unp_end(void *ctx, const struct tar_entry *e)
{
	struct unp *u = ctx;
	int err;

	if (u->cur >= 0) {
		struct apk_file *f = &u->files->f[u->cur];
		if (u->hashing) {
			unsigned char d[20];
			br_sha1_out(&u->sha1, d);
			apk_q1(d, f->csum);
		}
	}
	if (u->forward && (err = extract_tar_ops.end(&u->x, &u->e2))) {
		snprintf(u->why, sizeof(u->why), "%s", u->x.why);
		return err;
	}
	if (u->cur >= 0 && u->x.xattr_unsupported != u->xattr_unsupported)
		u->files->f[u->cur].xattr_unsupported = true;
	return 0;
}

static const struct tar_ops unp_ops = { unp_begin, unp_data, unp_end };

static int unp_tar(void *ctx, const void *buf, size_t len)
{
	struct unp *u = ctx;

	return tar_feed(&u->t, buf, len);
}

int apk_pkg_unpack(int fd, const struct apk_pkgcheck *c, int rootfd, const struct apk_unpack_opts *o,
                   struct apk_files *files, char *why, size_t whysz)
{
	static struct unp u;
	static unsigned char buf[65536];
	br_sha256_context data;
	unsigned char d[32];
	char got[65];
	ssize_t n;
	int err;

	br_sha256_init(&data);
	memset(&u, 0, sizeof(u));
	extract_init(&u.x, rootfd);
	u.o = o;
	u.files = files;
	u.cur = -1;
	tar_init(&u.t, &unp_ops, &u);
	u.t.strict_end = true;
	if (lseek(fd, (off_t)c->data_offset, SEEK_SET) < 0)
		return snprintf(why, whysz, "seek: %s", strerror(errno)), -errno;
	if ((err = gunzip_init(&u.g, unp_tar, &u)))
		return snprintf(why, whysz, "out of memory"), err;
	err = 0;
	/* Unless the caller's copy is private, the bytes are hashed again as
	 * they are unpacked: a file that changed since apk_pkg_check (a depot
	 * on NFS) is not taken as checked. */
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!o || !o->fd_private)
			br_sha256_update(&data, buf, (size_t)n);
		if ((err = gunzip_feed(&u.g, buf, (size_t)n)))
			break;
	}
	if (n < 0 && !err)
		err = -errno;
	if (!err) {
		err = gunzip_finish(&u.g);
		if (!err && (err = tar_finish(&u.t)))
			snprintf(u.why, sizeof(u.why), "%s", u.t.why);
		else if (err)
			snprintf(u.why, sizeof(u.why), "%s", u.g.why);
		br_sha256_out(&data, d);
		hex(d, 32, got);
		if (!err && (!o || !o->fd_private) && strcmp(got, c->data_sha256)) {
			err = -EKEYREJECTED;
			snprintf(u.why, sizeof(u.why), "the data changed after it was checked (SHA-256 %s, checked %s)",
			         got, c->data_sha256);
		}
	} else {
		gunzip_abort(&u.g);
		tar_finish(&u.t);
		if (!u.why[0])
			snprintf(u.why, sizeof(u.why), "%s", u.t.why[0] ? u.t.why : u.g.why[0] ? u.g.why : strerror(-err));
	}
	extract_abort(&u.x);
	if (err)
		snprintf(why, whysz, "%s", u.why);
	return err;
}
