/* Phase: packages. After the overlay, the new root becomes a real Alpine
 * root: alpine-base, the overlay's /etc/apk/world and pkgs= are resolved
 * against the repositories' signed APKINDEX files (alpine_repo= URLs, the
 * overlay's /etc/apk/repositories, or the boot media's .boot_repository
 * directories), fetched (from the depot when it holds the same package),
 * checked against the index, unpacked with lib/extract's path safety, their
 * install scripts run inside the new root, and apk's database is written
 * so that apk in the booted system knows what is installed.
 * This file is the install loop; pkgfetch.c gets indexes and package
 * files, pkgfiles.c decides what happens to each file, pkgscripts.c runs
 * the scripts, lib/apkdb.c writes the database (init/pkg.h).
 * Formats: docs/apk-formats.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fileio.h"
#include "pkg.h"

static struct pk P;

/* ---- helpers ---- */

static const char *arch_name(void)
{
	static const struct { const char *uname, *apk; } map[] = {
		{ "x86_64", "x86_64" }, { "aarch64", "aarch64" }, { "armv7l", "armv7" },
		{ "armv6l", "armhf" }, { "i686", "x86" }, { "i586", "x86" }, { "i386", "x86" },
		{ "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
		{ "loongarch64", "loongarch64" },
	};
	static struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		return "x86_64";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(u.machine, map[i].uname))
			return map[i].apk;
	return u.machine;
}

static bool safe_word(const char *s)
{
	if (!*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '+' || *s == '-' || *s == '~'))
			return false;
	return true;
}

/* ---- what is asked for ---- */

/* The words of TEXT (the world, pkgs=) as wants of FROM. */
static int add_wants(struct pk *p, char *text, const char *from, struct apk_want *w, size_t *n, size_t max)
{
	char bad[128];
	int err = apkdb_world_parse(text, from, w, n, max, bad, sizeof(bad));

	if (err == -E2BIG)
		return boot_fail(p->b, err, "%s: more than %zu packages asked for", from, max);
	if (err)
		return boot_fail(p->b, err, "%s: '%s' is not a package name or dependency", from, bad);
	return 0;
}

/* ---- installing ---- */

static int install_one(struct pk *p, struct pk_inst *in, int nth, int total, const char *tmp)
{
	const struct apk_pkg *pk = &p->db.pkgs[in->pkg];
	struct apk_unpack_opts uo = { .keep = pkg_keep_existing, .owner = pkg_owner_by_name, .ctx = p };
	char from[BOOT_PATH * 2], why[TAR_PATH_MAX + 256], sz[32];
	size_t k, kept = 0, same = 0;
	int fd, err;

	if (!safe_word(pk->name) || !safe_word(pk->version))
		return boot_fail(p->b, -EINVAL, "index entry '%s' '%s': not a package name and version",
		                 pk->name, pk->version);
	p->cur = (int)(in - p->inst);
	/* As apk: a package with no installed size (a meta package) is not
	 * fetched, unpacked or run; it is recorded with its dependencies. */
	if (pk->installed_size == 0) {
		log_info("packages: (%d/%d) %s-%s (meta package: nothing to unpack)", nth, total, pk->name, pk->version);
		return 0;
	}
	fd = pkg_open(p, in->pkg, tmp, &in->chk, from, sizeof(from), &uo.fd_private, why, sizeof(why));
	if (fd < 0)
		return boot_fail(p->b, fd, "%s-%s: %s", pk->name, pk->version, why);
	pkg_human(in->chk.size, sz, sizeof(sz));
	log_info("packages: (%d/%d) %s-%s (%s) from %s", nth, total, pk->name, pk->version, sz, from);
	pkg_read_replaces(in);
	pkg_script(p, in, "pre-install", NULL);
	err = apk_pkg_unpack(fd, &in->chk, p->rootfd, &uo, &in->files, why, sizeof(why));
	close(fd);
	unlink(tmp);
	if (err)
		return boot_fail(p->b, err, "%s-%s: unpacking: %s", pk->name, pk->version, why);
	for (k = 0; k < in->files.n; k++) {
		struct apk_file *f = &in->files.f[k];
		struct pk_own *o;
		char q[APK_Q1_LEN], rel[TAR_PATH_MAX + 16];

		if (f->xattr_unsupported && !in->xattr_broken) {
			in->xattr_broken = true;
			log_warn("packages: %s-%s: /%s: the new root's filesystem does not support its extended attributes "
			         "(f:x)", pk->name, pk->version, f->path);
		}
		if (f->type == 'd')
			continue;
		o = pkg_own_get(p, f->path);
		if (o && o->inst != p->cur) {
			if (f->kept) {
				f->not_owned = true;   /* the other package keeps it */
				continue;
			}
			p->inst[o->inst].files.f[o->file].not_owned = true;
		}
		if (pkg_own_put(p, f->path, p->cur, k))
			return boot_fail(p->b, -ENOMEM, "%s-%s: the table of installed files: out of memory", pk->name, pk->version);
		/* As apk: no .apk-new when the package's file is the one there. */
		if (f->apk_new && f->csum[0] && !pkg_q1_at(p, f->path, q) && !strcmp(q, f->csum) &&
		    !fmt_path(rel, sizeof(rel), "%s.apk-new", f->path) && !unlinkat(p->rootfd, rel, 0)) {
			f->apk_new = false;
			same++;
			continue;
		}
		kept += f->kept && !f->apk_new;
		if (f->apk_new)
			log_info("packages: %s-%s: /%s kept (the overlay's); the package's is /%s.apk-new",
			         pk->name, pk->version, f->path, f->path);
	}
	if (kept)
		log_info("packages: %s-%s: %zu file%s kept from the overlay", pk->name, pk->version, kept, kept == 1 ? "" : "s");
	if (same)
		log_debug("packages: %s-%s: %zu protected file%s already the package's", pk->name, pk->version, same,
		          same == 1 ? "" : "s");
	p->unpacked += (unsigned long long)(pk->installed_size > 0 ? pk->installed_size : 0);
	pkg_script(p, in, "post-install", NULL);
	return 0;
}

/* ---- apk's database ---- */

/* Write REL in the new root, never through a symbolic link. */
static int write_nr(struct pk *p, const char *rel, const void *data, size_t len)
{
	return beneath_write(p->rootfd, rel, data, len, 0644);
}

static int write_db(struct pk *p, const struct apk_want *w, size_t nw)
{
	struct apkdb_text inst = { 0 }, scr = { 0 }, tdb = { 0 }, world = { 0 };
	char a[40];
	int i, err = 0, n;

	for (i = 0; i < p->ninst; i++) {
		const struct pk_inst *in = &p->inst[i];
		const struct apkdb_pkg e = {
			.db = &p->db, .pkg = in->pkg, .files = &in->files, .repl = in->repl, .nrepl = in->nrepl,
			.repl_prio = in->repl_prio, .files_broken = in->files_broken, .script_failed = in->script_failed,
			.xattr_broken = in->xattr_broken,
		};

		apkdb_installed(&inst, &e);
		apkdb_scripts(&scr, &p->db.pkgs[in->pkg], &in->chk);
	}
	apkdb_scripts_end(&scr);
	pkg_triggers(p, &tdb);
	apkdb_world(&world, w, nw);
	if ((err = inst.err ? inst.err : scr.err ? scr.err : tdb.err ? tdb.err : world.err))
		boot_fail(p->b, err, "apk's database: %s", strerror(-err));
	if (!err && (err = write_nr(p, "/lib/apk/db/installed", inst.p ? inst.p : "", inst.len)))
		boot_fail(p->b, err, "writing /lib/apk/db/installed: %s", beneath_strerror(err));
	if (!err && (err = write_nr(p, "/lib/apk/db/scripts.tar", scr.p, scr.len)))
		boot_fail(p->b, err, "writing /lib/apk/db/scripts.tar: %s", beneath_strerror(err));
	if (!err && (err = write_nr(p, "/lib/apk/db/triggers", tdb.p ? tdb.p : "", tdb.len)))
		boot_fail(p->b, err, "writing /lib/apk/db/triggers: %s", beneath_strerror(err));
	if (!err && (err = write_nr(p, "/etc/apk/world", world.p ? world.p : "", world.len)))
		boot_fail(p->b, err, "writing /etc/apk/world: %s", beneath_strerror(err));
	n = snprintf(a, sizeof(a), "%s\n", p->arch);
	if (!err && (err = write_nr(p, "/etc/apk/arch", a, (size_t)n)))
		boot_fail(p->b, err, "writing /etc/apk/arch: %s", beneath_strerror(err));
	apkdb_text_free(&inst);
	apkdb_text_free(&scr);
	apkdb_text_free(&tdb);
	apkdb_text_free(&world);
	return err;
}

/* The initrd's keys into the new root's /etc/apk/keys, so that apk in the
 * booted system trusts the same repositories. Existing keys stay. */
static void copy_keys(struct pk *p)
{
	char src[BOOT_PATH], path[BOOT_PATH * 2];
	size_t i;

	if (rpath(p->b, src, sizeof(src), "/etc/apk/keys"))
		return;
	for (i = 0; i < p->keys.n; i++) {
		static char pem[16384];
		char from[BOOT_PATH * 2];
		ssize_t n;
		int fd, err;

		if (fmt_path(path, sizeof(path), "/etc/apk/keys/%s", p->keys.k[i].name) ||
		    fmt_path(from, sizeof(from), "%s/%s", src, p->keys.k[i].name))
			continue;
		if ((fd = beneath_open(p->rootfd, path, O_PATH | O_NOFOLLOW, 0)) >= 0) {
			close(fd);
			continue;
		}
		n = file_read_str(from, pem, sizeof(pem) - 1);
		if (n <= 0)
			continue;
		pem[n++] = '\n';
		if ((err = fd == -ENOENT ? beneath_write(p->rootfd, path, pem, (size_t)n, 0644) : fd))
			log_warn("packages: cannot copy key %s into the new root: %s", p->keys.k[i].name,
			         beneath_strerror(err));
	}
}

static void cleanup(struct pk *p)
{
	int k;

	pkg_root_release(p);
	for (k = 0; k < p->ninst; k++) {
		apk_pkgcheck_free(&p->inst[k].chk);
		apk_files_free(&p->inst[k].files);
		free(p->inst[k].repl_text);
	}
	pkg_files_free(p);
	free(p->inst);
	free(p->mem);
	apk_db_free(&p->db);
	if (p->rootfd >= 0)
		close(p->rootfd);
	memset(p, 0, sizeof(*p));
	p->rootfd = -1;
}

int packages_install(struct boot *b)
{
	struct pk *p = &P;
	static struct apk_want want[512];
	static char pkgs[1024];
	char keydir[BOOT_PATH], path[BOOT_PATH], tmp[BOOT_PATH], why[1024], t1[32], t2[32], t3[32];
	long long t0 = mono_ms();
	size_t nwant = 0;
	int *order = NULL, err = 0, i, loaded = 0;
	long n;

	memset(p, 0, sizeof(*p));
	p->b = b;
	p->rootfd = -1;
	snprintf(p->arch, sizeof(p->arch), "%s", arch_name());
	p->allow_untrusted = b->o.allow_untrusted;
	p->script_ms = b->o.script_timeout_ms > 0 ? b->o.script_timeout_ms : PK_SCRIPT_MS_DEFAULT;
	if (rpath(b, p->nr, sizeof(p->nr), b->newroot) || rpath(b, keydir, sizeof(keydir), "/etc/apk/keys") ||
	    rpath(b, tmp, sizeof(tmp), "/run/nbinit/package.apk"))
		return boot_fail(b, -ENAMETOOLONG, "%s, /etc/apk/keys, /run/nbinit: path too long", b->newroot);

	/* What is asked for: alpine-base, the overlay's world, pkgs=. */
	want[nwant].from = "nbinit";
	apk_dep_parse(strcpy(pkgs, "alpine-base"), &want[nwant++].dep);
	if (!fmt_path(path, sizeof(path), "%s/etc/apk/world", p->nr) && file_read_str(path, p->world, sizeof(p->world)) > 0 &&
	    (err = add_wants(p, p->world, "/etc/apk/world", want, &nwant, sizeof(want) / sizeof(want[0]))))
		goto out;
	{
		static char pk2[1024];
		snprintf(pk2, sizeof(pk2), "%s", b->o.pkgs);
		if ((err = add_wants(p, pk2, "pkgs=", want, &nwant, sizeof(want) / sizeof(want[0]))))
			goto out;
	}

	if ((err = pkg_find_repos(p)))
		goto out;
	if (!p->nrepo) {
		log_info("packages: no repositories (no alpine_repo=, no .boot_repository, none in the overlay): "
		         "installing nothing; the new root holds only the overlay");
		goto out;
	}
	n = apk_keys_load(&p->keys, keydir);
	if (n < 0 && n != -ENOENT)
		log_warn("packages: %s: %s", keydir, strerror((int)-n));
	log_debug("packages: %ld trusted key%s in /etc/apk/keys (%u unreadable)", n > 0 ? n : 0, n == 1 ? "" : "s",
	          p->keys.bad);
	apk_db_init(&p->db, p->arch);
	for (i = 0; i < p->nrepo; i++) {
		if ((err = pkg_load_index(p, i)))
			goto out;
		loaded += p->repo[i].loaded;
	}
	if (!loaded) {
		err = boot_fail(b, -ENOENT, "none of the %d repositor%s has an index for %s (first: %s/%s/APKINDEX.tar.gz); "
		                "cannot install %s", p->nrepo, p->nrepo == 1 ? "y" : "ies", p->arch, p->repo[0].where,
		                p->arch, want[nwant > 1 ? 1 : 0].dep.name);
		goto out;
	}
	if ((err = apk_db_index(&p->db)) ||
	    !(order = malloc((p->db.npkgs + 1) * sizeof(*order))) ||
	    !(p->inst = calloc(p->db.npkgs + 1, sizeof(*p->inst)))) {
		err = boot_fail(b, -ENOMEM, "the package tables: out of memory");
		goto out;
	}
	n = apk_solve(&p->db, want, nwant, order, why, sizeof(why));
	if (n < 0) {
		err = boot_fail(b, (int)n, "%s", why);
		goto out;
	}
	{
		unsigned long long bytes = 0;
		for (i = 0; i < n; i++)
			bytes += (unsigned long long)(p->db.pkgs[order[i]].size > 0 ? p->db.pkgs[order[i]].size : 0);
		pkg_human(bytes, t1, sizeof(t1));
		log_info("packages: installing %ld package%s (%s) for %zu asked for", n, n == 1 ? "" : "s", t1, nwant);
	}

	p->rootfd = open(p->nr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->rootfd < 0) {
		err = boot_fail(b, -errno, "%s: %s", b->newroot, strerror(errno));
		goto out;
	}
	{
		char run[BOOT_PATH];
		if (!rpath(b, run, sizeof(run), "/run/nbinit"))
			mkdir_p(run, 0755);
	}
	pkg_root_prepare(p);
	pkg_load_protected(p);
	for (i = 0; i < n; i++) {
		p->inst[i].pkg = order[i];
		p->ninst = i + 1;
		if ((err = install_one(p, &p->inst[i], i + 1, (int)n, tmp)))
			goto out;
	}
	copy_keys(p);
	if ((err = write_db(p, want, nwant)))
		goto out;
	pkg_human(p->fetched, t1, sizeof(t1));
	pkg_human(p->depot_bytes, t2, sizeof(t2));
	pkg_human(p->unpacked, t3, sizeof(t3));
	log_info("packages: %ld installed in %lld ms: %d fetched (%s, %lld ms), %d from the depot (%s), %s unpacked",
	         n, mono_ms() - t0, p->nfetched, t1, p->fetch_ms, p->ndepot, t2, t3);
	if (p->nfetched) {
		snprintf(path, sizeof(path), "%d packages, %s", p->nfetched, t1);
		tl_wait("http", path, p->fetch_t0, p->fetch_t0 + p->fetch_ms);
	}
	if (p->depot_t0) {
		snprintf(path, sizeof(path), "%d package files read from the boot media", p->ndepot);
		tl_wait("depot", path, p->depot_t0, p->depot_t0 + p->depot_us / 1000);
	}
	if (p->nscripts) {
		snprintf(path, sizeof(path), "%d package scripts", p->nscripts);
		tl_wait("script", path, p->script_t0, p->script_t0 + p->script_sum_ms);
	}
out:
	free(order);
	unlink(tmp);
	cleanup(p);
	return err;
}
