/* The packages phase: where indexes and packages come from. The
 * repositories repos.c chose (the overlay's /etc/apk/repositories,
 * alpine_repo=, the boot media's), their signed APKINDEX.tar.gz read from a
 * path or fetched with the boot's HTTP retries (http_get_retry), and each
 * package's file: from the depot (a path repository or a boot repository
 * holding the very same package) or over HTTP, bounded by the index's S:,
 * checked against its C: and datahash before anything is unpacked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "http.h"
#include "pkg.h"

void pkg_human(unsigned long long n, char *buf, size_t size)
{
	if (n >= 10ULL << 20)
		snprintf(buf, size, "%llu MiB", n >> 20);
	else if (n >= 1ULL << 20)
		snprintf(buf, size, "%.1f MiB", (double)n / (1 << 20));
	else
		snprintf(buf, size, "%llu KiB", (n + 1023) >> 10);
}

static void progress(struct pk *p)
{
	long long t = mono_ms();
	char got[32], total[32];

	if (t - p->dl_last_ms < PK_PROGRESS_MS)
		return;
	p->dl_last_ms = t;
	pkg_human(p->dl_got, got, sizeof(got));
	if (p->dl_total > 0) {
		pkg_human((unsigned long long)p->dl_total, total, sizeof(total));
		log_info("packages: %s: %s of %s (%d %%)", p->dl_what, got, total,
		         (int)(p->dl_got * 100 / (unsigned long long)p->dl_total));
	} else {
		log_info("packages: %s: %s", p->dl_what, got);
	}
}

static int to_mem(void *ctx, const void *buf, size_t len)
{
	struct pk *p = ctx;

	if (p->dl_got + len > p->dl_max)
		return -EFBIG;
	if (p->mem_len + len + 1 > p->mem_cap) {
		size_t cap = p->mem_cap ? p->mem_cap : 1 << 20;
		char *n;
		while (cap < p->mem_len + len + 1)
			cap *= 2;
		if (!(n = realloc(p->mem, cap)))
			return -ENOMEM;
		p->mem = n;
		p->mem_cap = cap;
	}
	memcpy(p->mem + p->mem_len, buf, len);
	p->mem_len += len;
	p->dl_got += len;
	progress(p);
	return 0;
}

static int to_fd(void *ctx, const void *buf, size_t len)
{
	struct pk *p = ctx;
	int err;

	if (p->dl_got + len > p->dl_max)
		return -EFBIG;
	if ((err = write_all(p->dl_fd, buf, len)))
		return err;
	p->dl_got += len;
	progress(p);
	return 0;
}

/* One download, for each of its tries (http_get_retry's hooks). */
struct pk_get {
	struct pk *p;
	const char *url;
	int fd;                        /* the file, or < 0: p->mem */
	long long expect, max, t0;
	char *why;
	size_t whysz;
};

/* The body's bytes into p->mem or the file. */
static int get_sink(void *ctx, const void *buf, size_t len)
{
	struct pk_get *g = ctx;

	return g->fd >= 0 ? to_fd(g->p, buf, len) : to_mem(g->p, buf, len);
}

static int get_start(void *ctx)
{
	struct pk_get *g = ctx;
	struct pk *p = g->p;

	g->t0 = mono_ms();
	p->mem_len = 0;
	p->dl_got = 0;
	p->dl_what = g->url;
	p->dl_total = g->expect;
	p->dl_max = (unsigned long long)g->max;
	p->dl_last_ms = g->t0;
	p->dl_fd = g->fd;
	if (g->fd >= 0 && (ftruncate(g->fd, 0) < 0 || lseek(g->fd, 0, SEEK_SET) < 0)) {
		int err = -errno;
		snprintf(g->why, g->whysz, "temporary file: %s", strerror(-err));
		return err;
	}
	return 0;
}

static int get_end(void *ctx, int err, const struct http_result *res, bool *final)
{
	struct pk_get *g = ctx;
	struct pk *p = g->p;

	/* Indexes are a wait each; package downloads one summed wait at
	 * the end (the timeline has room for a few dozen records). */
	if (g->fd < 0)
		tl_wait("http", g->url, g->t0, mono_ms());
	else {
		if (!p->fetch_ms)
			p->fetch_t0 = g->t0;
		p->fetch_ms += mono_ms() - g->t0;
	}
	return err;
}

/* GET URL into memory (FD < 0) or the file FD, with the boot's retries
 * (http_get_retry); more than MAX bytes are refused as they arrive
 * (-EFBIG). Returns 0 or a negative errno with WHY set. */
static int fetch(struct pk *p, const char *url, int fd, long long expect, long long max, char *why, size_t whysz)
{
	struct pk_get g = { .p = p, .url = url, .fd = fd, .expect = expect, .max = max, .why = why, .whysz = whysz };
	const struct http_try t = { .sink = get_sink, .start = get_start, .end = get_end, .ctx = &g };
	struct http_opts ho = boot_http_opts(p->b);
	static struct http_result res;
	int err = http_get_retry(p->b, url, &ho, &t, &res, why, whysz);

	if (err == -EFBIG)
		snprintf(why, whysz, "GET %s: more than %lld bytes; refused", url, max);
	return err;
}

/* ---- repositories and indexes ---- */

int pkg_find_repos(struct pk *p)
{
	struct boot *b = p->b;
	int i, err;

	if ((err = repos_choose(b)))
		return err;
	for (i = 0; i < b->napk_repos && p->nrepo < PK_REPOS_MAX; i++) {
		struct pk_repo *r = &p->repo[p->nrepo++];

		snprintf(r->where, sizeof(r->where), "%s", b->apk_repos[i]);
		r->url = repo_is_url(r->where);
	}
	return 0;
}

/* Read file PATH whole into p->mem. */
static int read_whole(struct pk *p, const char *path, char *why, size_t whysz)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return snprintf(why, whysz, "%s", strerror(errno)), -errno;
	if (fstat(fd, &st) < 0 || st.st_size > APK_INDEX_MAX) {
		close(fd);
		return snprintf(why, whysz, "larger than %lld MiB", APK_INDEX_MAX >> 20), -EFBIG;
	}
	p->mem_len = 0;
	if ((size_t)st.st_size + 1 > p->mem_cap) {
		char *m = realloc(p->mem, (size_t)st.st_size + 1);
		if (!m) {
			close(fd);
			return snprintf(why, whysz, "out of memory for %lld bytes", (long long)st.st_size), -ENOMEM;
		}
		p->mem = m;
		p->mem_cap = (size_t)st.st_size + 1;
	}
	while (p->mem_len < (size_t)st.st_size && (n = read(fd, p->mem + p->mem_len, (size_t)st.st_size - p->mem_len)) > 0)
		p->mem_len += (size_t)n;
	if (p->mem_len != (size_t)st.st_size)
		err = -EIO;
	close(fd);
	if (err)
		snprintf(why, whysz, "short read");
	return err;
}

int pkg_load_index(struct pk *p, int i)
{
	struct pk_repo *r = &p->repo[i];
	static struct apk_index_file f;
	char loc[BOOT_PATH + 64], why[512], dbwhy[256];
	int err;
	long n;

	if (fmt_path(loc, sizeof(loc), "%s/%s/APKINDEX.tar.gz", r->where, p->arch))
		return boot_fail(p->b, -ENAMETOOLONG, "%s/%s/APKINDEX.tar.gz: path too long", r->where, p->arch);
	if (r->url) {
		if (!p->b->net_up && p->b->pid1) {
			log_warn("packages: %s: skipped: the network is not up", loc);
			return 0;
		}
		err = fetch(p, loc, -1, -1, APK_INDEX_MAX, why, sizeof(why));
	} else {
		char path[BOOT_PATH + 64];
		if (rpath(p->b, path, sizeof(path), loc))
			return boot_fail(p->b, -ENAMETOOLONG, "%s: path too long", loc);
		err = read_whole(p, path, why, sizeof(why));
	}
	if (err == -EFBIG)
		return boot_fail(p->b, err, "%s: %s", loc, why);
	if (err) {
		/* As apk: an unreachable repository is a warning; what is then
		 * missing fails the resolution with its own line. */
		log_warn("packages: %s: %s; repository skipped", loc, why);
		return 0;
	}
	err = apk_index_unpack((unsigned char *)p->mem, p->mem_len, &p->keys, p->allow_untrusted, &f);
	if (err == -ENOKEY || err == -EKEYREJECTED) {
		if (!p->allow_untrusted) {
			free(f.text);
			return boot_fail(p->b, err, "%s: %s; refusing it (nbinit.allow_untrusted would accept it)",
			                 loc, f.why);
		}
		log_warn("packages: %s: %s; used anyway (nbinit.allow_untrusted)", loc, f.why);
	} else if (err) {
		return boot_fail(p->b, err, "%s: %s", loc, f.why);
	}
	n = apk_db_add_index(&p->db, f.text, f.text_len, i, dbwhy, sizeof(dbwhy));
	f.text = NULL;
	if (n < 0)
		return boot_fail(p->b, (int)n, "%s: APKINDEX %s", loc, dbwhy);
	r->loaded = true;
	r->npkgs = n;
	log_info("packages: %s: %ld package%s%s%s%s, %s", r->where, n, n == 1 ? "" : "s", f.description[0] ? " (" : "",
	         f.description, f.description[0] ? ")" : "", err ? "UNTRUSTED" : f.why);
	return 0;
}

/* ROOT/proc/meminfo's MemAvailable in bytes, or -1. */
static long long mem_available(struct pk *p)
{
	char path[BOOT_PATH], text[4096], *m;

	if (!p->avail) {
		p->avail = -1;
		if (!rpath(p->b, path, sizeof(path), "/proc/meminfo") && file_read_str(path, text, sizeof(text)) > 0 &&
		    (m = strstr(text, "MemAvailable:")))
			p->avail = strtoll(m + 13, NULL, 10) * 1024;
	}
	return p->avail;
}

/* Is the depot file on FD too large a share of the memory to be copied? */
static bool in_place(struct pk *p, int fd)
{
	long long avail = mem_available(p);
	struct stat st;

	return avail > 0 && fstat(fd, &st) == 0 && st.st_size > avail / PK_COPY_SHARE;
}

/* Open the package file for package I, checked: the depot's when a path
 * repository holds it with the right checksum (copied into TMP, or read in
 * place when large), else a download into TMP. *PRIVATE is true when the
 * file is the init's own copy (no second hash when unpacking). */
int pkg_open(struct pk *p, int i, const char *tmp, struct apk_pkgcheck *c, char *from, size_t fromsz,
                      bool *private, char *why, size_t whysz)
{
	const struct apk_pkg *pk = &p->db.pkgs[i];
	const struct pk_repo *own = &p->repo[pk->repo];
	char rel[BOOT_PATH], path[BOOT_PATH * 2];
	long long t0, got;
	bool read_err = false;
	int k, fd, tfd, err;

	if (fmt_path(rel, sizeof(rel), "%s/%s-%s.apk", p->arch, pk->name, pk->version))
		return snprintf(why, whysz, "%s/%s-%s.apk: path too long", p->arch, pk->name, pk->version), -ENAMETOOLONG;
	/* Its own repository first when that is a path, then any other path
	 * repository or boot repository (the depot) that holds the very same
	 * package: no network for what the depot has. */
	for (k = -1; k < p->nrepo + p->b->nrepos; k++) {
		const char *where = k < 0 ? own->where : k < p->nrepo ? p->repo[k].where : p->b->repos[k - p->nrepo];
		bool mine = k < 0;

		if ((k < 0 && own->url) || (k >= 0 && k < p->nrepo && (p->repo[k].url || &p->repo[k] == own)))
			continue;
		if (p->depot_down && !mine)
			continue;
		if (fmt_path(path, sizeof(path), "%s%s/%s", p->b->root, where, rel))
			continue;
		t0 = mono_us();
		if (!p->depot_t0)
			p->depot_t0 = mono_ms();
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = -errno;
		p->depot_us += mono_us() - t0;
		if (fd < 0) {
			if (mine || err != -ENOENT)
				log_warn("packages: %s/%s: %s%s", where, rel, strerror(-err),
				         mine ? "" : "; the depot is not used for the other packages");
			p->depot_down |= err != -ENOENT;
			continue;
		}
		/* Checked and unpacked from a private copy: the depot's file
		 * (NFS) may change in between, the copy cannot, so its data is
		 * hashed once. The medium's time is the time blocked reading. */
		*private = !in_place(p, fd);
		if (*private) {
			tfd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (tfd < 0) {
				close(fd);
				return snprintf(why, whysz, "%s: %s", tmp, strerror(errno)), -errno;
			}
			got = fd_copy(fd, tfd, &read_err, &p->depot_us);
			close(fd);
			fd = tfd;
			if (got < 0 && !read_err) {
				close(fd);
				return snprintf(why, whysz, "copying %s/%s to %s: %s", where, rel, tmp, strerror((int)-got)),
				       (int)got;
			}
			if (got < 0) {
				close(fd);
				if (mine)
					return snprintf(why, whysz, "%s/%s: read: %s", where, rel, strerror((int)-got)), (int)got;
				/* A soft NFS mount whose server stopped answering (media.c). */
				log_warn("packages: %s/%s: read: %s; the depot is not used for the other packages", where, rel,
				         strerror((int)-got));
				p->depot_down = true;
				continue;
			}
		}
		err = apk_pkg_check(fd, pk->csum, c);
		if (!*private) {
			p->depot_us += c->read_us;   /* read in place: the medium's time */
			if (err && !mine && err != -EBADMSG && err != -EKEYREJECTED) {
				log_warn("packages: %s/%s: %s; the depot is not used for the other packages", where, rel, c->why);
				p->depot_down = true;
			}
		}
		if (!err) {
			snprintf(from, fromsz, "%s/%s", where, rel);
			p->ndepot++;
			p->depot_bytes += c->size;
			return fd;
		}
		close(fd);
		if (mine)
			return snprintf(why, whysz, "%s/%s: %s", where, rel, c->why), err;
		log_debug("packages: %s/%s: not the indexed package (%s)", where, rel, c->why);
	}
	*private = true;
	if (!own->url)
		return snprintf(why, whysz, "%s/%s: not found", own->where, rel), -ENOENT;
	if (fmt_path(path, sizeof(path), "%s/%s", own->where, rel))
		return snprintf(why, whysz, "%s/%s: path too long", own->where, rel), -ENAMETOOLONG;
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return snprintf(why, whysz, "%s: %s", tmp, strerror(errno)), -errno;
	if ((err = fetch(p, path, fd, pk->size > 0 ? pk->size : -1,
	                 pk->size > 0 ? pk->size + pk->size / PK_SIZE_SLACK_SHARE + PK_SIZE_SLACK : PK_PKG_MAX, why, whysz))) {
		close(fd);
		return err;
	}
	p->nfetched++;
	p->fetched += p->dl_got;
	if ((err = apk_pkg_check(fd, pk->csum, c))) {
		close(fd);
		return snprintf(why, whysz, "%s: %s", path, c->why), err;
	}
	snprintf(from, fromsz, "%s", path);
	return fd;
}

