/* Phase 5: the apkovl. apkovl=URL (with {MAC} and {UUID}) is fetched with
 * our HTTP client and streamed through lib/apksig's reader of
 * abuild-signed gzip streams into the safe extractor, its signature
 * checked on the way, its size and entries bounded; ovl_dev= / apkovl=DEV:PATH / apkovl=/PATH come from a
 * device or the boot media; with none of them the boot media is searched.
 * A failed or truncated overlay is wiped: never half-applied. */
#include <bearssl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "extract.h"
#include "fileio.h"
#include "apksig.h"
#include "http.h"
#include "tar.h"

/* The overlay stream: an abuild-signed gzip stream (lib/apksig's reader)
 * -> the safe extractor. A signed overlay starts with a gzip member holding
 * only .SIGN.RSA.<key> (SHA-1) or .SIGN.RSA256.<key> (SHA-256) entries: RSA
 * PKCS#1 signatures of the compressed bytes that follow, as apk signs
 * packages. The signature member is never extracted and nothing of it
 * carries over to the content's tar reader; the rest is hashed as it
 * streams by, with the hashes the signature names (an unsigned overlay is
 * not hashed), and checked once the last byte arrived. */
struct ovl_stream {
	struct apk_signed sg;
	struct extract x;
	const char *failed;        /* "gzip", "tar", "unpack", "signature", "limit" */
	long long max_size, max_files;  /* nbinit.apkovl_max_size / _max_files */
	long long size, entries;   /* what the overlay unpacked so far */
	char why[300];             /* signature verdict or limit in words */
	long long work_us;         /* time in gunzip, tar and unpacking: the init's, not the network's */
};

/* Each content entry: the bounds, then the extractor. */
static int ovl_begin(void *ctx, const struct tar_entry *e)
{
	struct ovl_stream *s = ctx;

	if (++s->entries > s->max_files) {
		snprintf(s->why, sizeof(s->why), "more than %lld entries (nbinit.apkovl_max_files)", s->max_files);
		s->failed = "limit";
		return -EFBIG;
	}
	if (e->size > s->max_size - s->size) {
		snprintf(s->why, sizeof(s->why), "%.100s: more than %lld bytes unpacked (nbinit.apkovl_max_size)", e->name,
		         s->max_size);
		s->failed = "limit";
		return -EFBIG;
	}
	s->size += e->size;
	return extract_tar_ops.begin(&s->x, e);
}

static int ovl_data(void *ctx, const void *buf, size_t len)
{
	struct ovl_stream *s = ctx;

	return extract_tar_ops.data(&s->x, buf, len);
}

static int ovl_end(void *ctx, const struct tar_entry *e)
{
	struct ovl_stream *s = ctx;

	return extract_tar_ops.end(&s->x, e);
}

static const struct tar_ops ovl_tar_ops = { ovl_begin, ovl_data, ovl_end };

static int to_stream(void *ctx, const void *buf, size_t len)
{
	struct ovl_stream *s = ctx;
	long long t0 = mono_us();
	int err = apk_signed_feed(&s->sg, buf, len);

	s->work_us += mono_us() - t0;
	if (err && !s->failed)
		s->failed = s->x.why[0] ? "unpack" : "stream";
	return err;
}

static int stream_start(struct boot *b, struct ovl_stream *s, int rootfd)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->max_size = b->o.ovl_max_size;
	s->max_files = b->o.ovl_max_files;
	extract_init(&s->x, rootfd);
	if ((err = apk_signed_init(&s->sg)))
		return err;
	s->sg.ops = &ovl_tar_ops;
	s->sg.ctx = s;
	s->sg.hash = true;
	return 0;
}

/* Finish the stream after the last byte. Returns 0 or -errno (s->failed set). */
static int stream_end(struct ovl_stream *s)
{
	int err = apk_signed_finish(&s->sg);

	if (err && !s->failed)
		s->failed = "stream";
	extract_abort(&s->x);
	return err;
}

static void stream_abort(struct ovl_stream *s)
{
	apk_signed_finish(&s->sg);
	extract_abort(&s->x);
}

static const char *stream_why(const struct ovl_stream *s)
{
	if (s->failed && (!strcmp(s->failed, "signature") || !strcmp(s->failed, "limit")))
		return s->why;
	if (s->failed && !strcmp(s->failed, "unpack"))
		return s->x.why;
	if (s->failed)
		return apk_signed_why(&s->sg);
	return "";
}

/* The signature verdict after a complete stream: 0 to accept, -EKEYREJECTED
 * (s->failed = "signature", s->why set) to refuse. Keys: ROOT/etc/apk/keys. */
static int stream_verify(struct boot *b, struct ovl_stream *s)
{
	static struct apk_keys keys;
	static bool keys_loaded;
	const bool required = b->o.ovl_verify;
	char dir[BOOT_PATH];
	int err;

	if (s->sg.sig_members <= 0) {
		if (!required)
			return 0;
		snprintf(s->why, sizeof(s->why), "not signed (nbinit.apkovl_verify asks for an abuild-sign signature by a key in /etc/apk/keys)");
		goto refuse;
	}
	if (!keys_loaded) {
		int n = rpath(b, dir, sizeof(dir), "/etc/apk/keys") ? -ENAMETOOLONG : apk_keys_load(&keys, dir);
		if (n < 0)
			memset(&keys, 0, sizeof(keys));
		keys_loaded = true;
	}
	err = apk_signed_verify(&s->sg, &keys);
	if (!err) {
		log_info("overlay: signature by %s verified", s->sg.key);
		return 0;
	}
	if (s->sg.state == APK_SIG_NONE) {
		snprintf(s->why, sizeof(s->why), "%s: unknown signature type", s->sg.sig[0].name[0] ? s->sg.sig[0].name : ".SIGN.*");
		goto refuse;
	}
	if (s->sg.state == APK_SIG_UNKNOWN_KEY) {
		snprintf(s->why, sizeof(s->why), "signed with key %s, which is not in /etc/apk/keys (%zu key%s there)",
		         s->sg.key, keys.n, keys.n == 1 ? "" : "s");
		if (!required) {
			log_warn("overlay: %s; accepting it (nbinit.apkovl_verify is not set)", s->why);
			return 0;
		}
		goto refuse;
	}
	snprintf(s->why, sizeof(s->why), "signature by %s does not match: the overlay was changed after signing", s->sg.key);
refuse:
	s->failed = "signature";
	return -EKEYREJECTED;
}

static int newroot_fd(struct boot *b)
{
	char p[BOOT_PATH];

	int fd;

	if (rpath(b, p, sizeof(p), b->newroot))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Remove a partial overlay; the new root must be an empty tmpfs again.
 * Returns 0, or a negative errno after boot_fail: a root that still holds
 * files of a failed try is neither retried into nor booted. */
static int wipe(struct boot *b, int rootfd, const char *cause)
{
	int err = extract_wipe(rootfd);

	if (err)
		return boot_fail(b, err, "cleaning %s after a failure (%s): %s; not going on with a half-applied overlay",
		                 b->newroot, cause, err == -ELOOP ? "directories nested deeper than the wipe reaches" : strerror(-err));
	return 0;
}

static bool bad_uuid(const char *u)
{
	bool zero = true, eff = true;

	for (; *u; u++) {
		if (*u == '-')
			continue;
		if (*u != '0')
			zero = false;
		if (*u != 'f' && *u != 'F')
			eff = false;
	}
	return zero || eff;
}

/* One overlay GET, for each of its tries (http_get_retry's hooks). */
struct ovl_get {
	struct boot *b;
	int rootfd;
	const char *url;
	struct ovl_stream *s;
	long long t0;
	int tries;
	int start_err;             /* the stream could not be started */
	bool wipe_failed;          /* its line is printed: nothing more to say */
};

static int ovl_get_sink(void *ctx, const void *buf, size_t len)
{
	struct ovl_get *g = ctx;

	return to_stream(g->s, buf, len);
}

static int ovl_get_start(void *ctx)
{
	struct ovl_get *g = ctx;
	int err = stream_start(g->b, g->s, g->rootfd);

	if (err)
		return g->start_err = err;
	g->t0 = mono_ms();
	log_info("overlay: GET %s", g->url);
	return 0;
}

/* The stream's end, its signature, and a wipe after a failure; a failure
 * of the content (s->failed) or of the wipe is not retried. */
static int ovl_get_end(void *ctx, int err, const struct http_result *res, bool *final)
{
	struct ovl_get *g = ctx;
	struct ovl_stream *s = g->s;

	/* The wait is the download less the unpacking done as it streamed. */
	tl_wait("http", g->url, g->t0, mono_ms() - s->work_us / 1000);
	if (!err && !(err = stream_end(s)))
		err = stream_verify(g->b, s);
	else if (err)
		stream_abort(s);
	if (++g->tries == 1 && res->diag[0])
		log_warn("overlay: %s: %s", g->url, res->diag);
	if (!err) {
		log_info("overlay: %s: %lld bytes, %lld files, %lld directories, %lld links",
		         g->url, res->received, s->x.files, s->x.dirs, s->x.links);
		return 0;
	}
	if (wipe(g->b, g->rootfd, s->failed ? stream_why(s) : res->why[0] ? res->why : strerror(-err))) {
		*final = g->wipe_failed = true;
		return -EIO;
	}
	*final = s->failed != NULL;
	return err;
}

static int from_url(struct boot *b, int rootfd)
{
	struct http_opts ho = boot_http_opts(b);
	static struct http_result res;
	static struct ovl_stream s;
	char url[URL_MAX], p[BOOT_PATH], why[URL_MAX + 300];
	const char *uuid = NULL;
	struct ovl_get g = { .b = b, .rootfd = rootfd, .url = url, .s = &s };
	const struct http_try t = { .sink = ovl_get_sink, .start = ovl_get_start, .end = ovl_get_end, .ctx = &g };
	int err;

	if (strstr(b->o.apkovl, "{UUID}")) {
		if (rpath(b, p, sizeof(p), "/sys/class/dmi/id/product_uuid") ||
		    file_read_str(p, b->uuid, sizeof(b->uuid)) <= 0)
			return boot_fail(b, -ENODATA, "apkovl=%s: {UUID} asked for but this machine has no DMI product_uuid", b->o.apkovl);
		if (bad_uuid(b->uuid))
			return boot_fail(b, -EINVAL, "apkovl=%s: {UUID} is %s, which is not a usable machine identity (set a real UUID in the firmware)", b->o.apkovl, b->uuid);
		uuid = b->uuid;
	}
	if (strstr(b->o.apkovl, "{MAC}") && !b->net.mac[0])
		return boot_fail(b, -ENODATA, "apkovl=%s: {MAC} asked for but no interface was chosen", b->o.apkovl);
	err = url_subst(url, sizeof(url), b->o.apkovl, b->net.mac[0] ? b->net.mac : NULL, uuid);
	if (err)
		return boot_fail(b, err, "apkovl=%s: URL too long after substitution", b->o.apkovl);
	snprintf(b->ovl_source, sizeof(b->ovl_source), "%s", url);

	err = http_get_retry(b, url, &ho, &t, &res, why, sizeof(why));
	if (!err)
		return 0;
	if (g.wipe_failed)
		return -EIO;               /* the wipe's line says why */
	if (g.start_err)
		return boot_fail(b, err, "%s: out of memory", url);
	if (s.failed)
		return boot_fail(b, err, "%s: %s", url, stream_why(&s));
	return boot_fail(b, err, "%s", why);
}

static int from_file(struct boot *b, int rootfd, const char *path, const char *shown)
{
	static struct ovl_stream s;
	char buf[65536];
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return boot_fail(b, -errno, "%s: %s", shown, strerror(errno));
	snprintf(b->ovl_source, sizeof(b->ovl_source), "%s", shown);
	if ((err = stream_start(b, &s, rootfd))) {
		close(fd);
		return boot_fail(b, err, "%s: out of memory", shown);
	}
	log_info("overlay: unpacking %s", shown);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if ((err = to_stream(&s, buf, (size_t)n)))
			break;
	if (n < 0)
		err = -errno;
	close(fd);
	if (!err) {
		if (!(err = stream_end(&s)))
			err = stream_verify(b, &s);
	} else {
		stream_abort(&s);
	}
	if (err) {
		if (wipe(b, rootfd, s.failed ? stream_why(&s) : strerror(-err)))
			return -EIO;
		return boot_fail(b, err, "%s: %s", shown, s.failed ? stream_why(&s) : strerror(-err));
	}
	log_info("overlay: %s: %lld files, %lld directories, %lld links", shown, s.x.files, s.x.dirs, s.x.links);
	return 0;
}

/* The *.apkovl.tar.gz at the top of DIR (first in name order; warns about
 * the others). Returns 0 and the name in OUT, or -ENOENT. */
static int find_apkovl(const char *dir, char *out, size_t size)
{
	const char *suffix = ".apkovl.tar.gz";
	size_t sl = strlen(suffix);
	struct dirent *de;
	int found = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= sl || strcmp(de->d_name + l - sl, suffix))
			continue;
		if (!found || strcmp(de->d_name, out) < 0) {
			if (found)
				log_warn("overlay: %s: several overlays; ignoring %s", dir, out);
			snprintf(out, size, "%s", de->d_name);
		} else {
			log_warn("overlay: %s: several overlays; ignoring %s", dir, de->d_name);
		}
		found = 1;
	}
	closedir(d);
	return found ? 0 : -ENOENT;
}

static int from_mount(struct boot *b, int rootfd, const struct mount_rec *m, const char *path, bool required)
{
	char dir[BOOT_PATH], file[BOOT_PATH], name[256], shown[BOOT_PATH * 2];

	if (rpath(b, dir, sizeof(dir), m->mnt))
		return boot_fail(b, -ENAMETOOLONG, "%s: path too long", m->mnt);
	if (path && *path) {
		if (fmt_path(file, sizeof(file), "%s%s", dir, path))
			return boot_fail(b, -ENAMETOOLONG, "%s%s: path too long", m->mnt, path);
		snprintf(shown, sizeof(shown), "%s%s", m->mnt, path);
		if (!required && access(file, F_OK) < 0)
			return -ENOENT;
		return from_file(b, rootfd, file, shown);
	}
	if (find_apkovl(dir, name, sizeof(name))) {
		if (required)
			return boot_fail(b, -ENOENT, "%s (%s): no *.apkovl.tar.gz on it", m->what, m->mnt);
		return -ENOENT;
	}
	if (fmt_path(file, sizeof(file), "%s/%s", dir, name))
		return boot_fail(b, -ENAMETOOLONG, "%s/%s: path too long", m->mnt, name);
	snprintf(shown, sizeof(shown), "%s/%s", m->mnt, name);
	return from_file(b, rootfd, file, shown);
}

int overlay_apply(struct boot *b)
{
	struct mount_rec *m;
	int rootfd, err = 0, i;

	rootfd = newroot_fd(b);
	if (rootfd < 0)
		return boot_fail(b, rootfd, "%s: %s", b->newroot, strerror(-rootfd));
	switch (b->o.ovl) {
	case OVL_URL:
		err = from_url(b, rootfd);
		break;
	case OVL_DEV:
		err = blkdev_mount(b, &b->o.ovl_dev, &m);
		if (!err)
			err = from_mount(b, rootfd, m, b->o.apkovl, true);
		break;
	case OVL_PATH:
		for (i = 0; i < b->nmedia; i++) {
			err = from_mount(b, rootfd, &b->media[i], b->o.apkovl, false);
			if (err != -ENOENT)
				goto out;
		}
		{
			char p[BOOT_PATH];
			if (rpath(b, p, sizeof(p), b->o.apkovl))
				err = boot_fail(b, -ENAMETOOLONG, "apkovl=%s: path too long", b->o.apkovl);
			else if (access(p, F_OK) < 0)
				err = boot_fail(b, -ENOENT, "apkovl=%s: not on the boot media nor in the initramfs", b->o.apkovl);
			else
				err = from_file(b, rootfd, p, b->o.apkovl);
		}
		break;
	case OVL_NONE:
		for (i = 0; i < b->nmedia; i++) {
			err = from_mount(b, rootfd, &b->media[i], NULL, false);
			if (err != -ENOENT)
				goto out;
		}
		err = 0;
		log_info("overlay: none given and none on the boot media; the new root starts empty");
		break;
	}
out:
	close(rootfd);
	return err;
}
