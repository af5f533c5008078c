/* kmod: modules.dep/alias/builtin parsing and load order against the
 * fixture tree tests/fixtures/kmod (insmod replaced by a recorder), module
 * decompression of files compressed at test time, and the real Debian
 * module tree in out/kernel when tests/setup has unpacked one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmod.h"
#include "modfile.h"
#include "tap.h"

#define FIXTURE "tests/fixtures/kmod"

/* ------------------------------------------------------------- recorder */

struct rec {
	char log[1024];        /* module file names, space separated */
	const char *root;      /* module directory the paths must be under */
	int bad_path;          /* a path outside ROOT was passed */
};

/* Base name of PATH up to ".ko", "{params}" appended when there are any. */
static void rec_add(struct rec *r, const char *path, const char *params)
{
	const char *base = strrchr(path, '/');
	size_t len = strlen(r->log);
	int n;

	base = base ? base + 1 : path;
	n = (int)(strstr(base, ".ko") ? strstr(base, ".ko") - base : (long)strlen(base));
	snprintf(r->log + len, sizeof(r->log) - len, "%s%.*s%s%s%s", len ? " " : "", n, base,
		 params[0] ? "{" : "", params, params[0] ? "}" : "");
}

/* The fixture's insmod: records the call; gone.ko is absent on disk, bad.ko
 * fails, exists.ko answers as an already loaded module does. */
static int rec_insmod(void *ctx, const char *path, const char *params)
{
	struct rec *r = ctx;
	const char *base = strrchr(path, '/') + 1;

	if (strncmp(path, r->root, strlen(r->root)) || path[strlen(r->root)] != '/')
		r->bad_path = 1;
	rec_add(r, path, params);
	if (access(path, R_OK))
		return -errno;
	if (!strcmp(base, "bad.ko"))
		return -EINVAL;
	if (!strcmp(base, "exists.ko"))
		return -EEXIST;
	return 0;
}

static int open_fixture(struct kmod_db *db, struct rec *r, const char *sysmodule)
{
	int err = kmod_open(db, FIXTURE);

	memset(r, 0, sizeof(*r));
	r->root = FIXTURE;
	db->insmod = rec_insmod;
	db->insmod_ctx = r;
	snprintf(db->sysmodule, sizeof(db->sysmodule), "%s", sysmodule);
	return err;
}

/* ------------------------------------------------------------- load table */

struct load_row {
	const char *file;
	int line;
	const char *names;     /* loaded one after another on a fresh database */
	const char *params;
	int want_err;          /* of the last load */
	const char *want_log;  /* insmod calls in order */
};

#define LOAD_TEST(names, params, err, log) { __FILE__, __LINE__, names, params, err, log }

static const struct load_row loads[] = {
	/* deepest dependency first, each once */
	LOAD_TEST("nfsv3", NULL, 0, "sunrpc lockd nfs nfs_acl nfsv3"),
	LOAD_TEST("nfsv3 nfsv4", NULL, 0, "sunrpc lockd nfs nfs_acl nfsv3 dns_resolver nfsv4"),
	LOAD_TEST("nfsv3 nfsv3 nfs lockd", NULL, 0, "sunrpc lockd nfs nfs_acl nfsv3"),
	LOAD_TEST("virtio_net virtio_blk", NULL, 0, "virtio_ring virtio virtio_net virtio_blk"),
	/* parameters go to the module asked for, not to its dependencies */
	LOAD_TEST("nfs", "nfs4_disable_idmapping=1", 0, "sunrpc lockd nfs{nfs4_disable_idmapping=1}"),
	LOAD_TEST("e1000", "debug=16", 0, "e1000{debug=16}"),
	/* '-' and '_' are the same in names */
	LOAD_TEST("ne2k-pci", NULL, 0, "8390 ne2k-pci"),
	LOAD_TEST("ne2k_pci", NULL, 0, "8390 ne2k-pci"),
	LOAD_TEST("uses_loaded", NULL, 0, "uses-loaded"),
	/* aliases: fnmatch patterns, every module matched, each once */
	LOAD_TEST("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", NULL, 0, "e1000"),
	LOAD_TEST("pci:v000010ECd00008029sv00001AF4sd00001100bc02sc00i00", NULL, 0, "8390 ne2k-pci"),
	LOAD_TEST("virtio:d00000001v00001AF4", NULL, 0, "virtio_ring virtio virtio_net"),
	LOAD_TEST("fs-nfs4", NULL, 0, "sunrpc lockd nfs dns_resolver nfsv4"),
	LOAD_TEST("fs_nfs4", NULL, 0, "sunrpc lockd nfs dns_resolver nfsv4"),
	LOAD_TEST("test-both", NULL, 0, "e1000 virtio_ring virtio virtio_blk"),
	LOAD_TEST("test-bothways", NULL, 0, "e1000"),
	LOAD_TEST("test-classb7", NULL, 0, "e1000"),
	LOAD_TEST("test-classd7", NULL, -ENOENT, ""),
	/* built in: nothing to load */
	LOAD_TEST("af_packet", NULL, 0, ""),
	LOAD_TEST("af-packet", NULL, 0, ""),
	LOAD_TEST("built_in_dash", NULL, 0, ""),
	LOAD_TEST("nls_base nfsv3", NULL, 0, "sunrpc lockd nfs nfs_acl nfsv3"),
	/* already loaded (fixture sys/module) */
	LOAD_TEST("already_loaded", NULL, 0, ""),
	LOAD_TEST("already-loaded", NULL, 0, ""),
	/* unknown names and aliases, and aliases of unknown modules */
	LOAD_TEST("no_such_module", NULL, -ENOENT, ""),
	LOAD_TEST("", NULL, -ENOENT, ""),
	LOAD_TEST("pci:v0000FFFFd0000FFFFsv0sd0bc0sc0i0", NULL, -ENOENT, ""),
	LOAD_TEST("not-in-modules-dep", NULL, -ENOENT, ""),
	LOAD_TEST("net-pf-17", NULL, -ENOENT, ""),
	/* failures: -EEXIST counts as loaded; others stop the chain, once */
	LOAD_TEST("exists", NULL, 0, "exists"),
	LOAD_TEST("needs_gone", NULL, -ENOENT, "gone"),
	LOAD_TEST("needs_bad", NULL, -EINVAL, "bad"),
	LOAD_TEST("needs_bad needs_bad bad", NULL, -EINVAL, "bad"),
	LOAD_TEST("bad e1000", NULL, 0, "bad e1000"),
	LOAD_TEST("dangling", NULL, -ENOENT, ""),
	LOAD_TEST("cycle_a", NULL, -ELOOP, ""),
	LOAD_TEST("cycle_b cycle_a", NULL, -ELOOP, ""),
};

static void run_load(const struct load_row *row)
{
	char names[256], *save = NULL, *tok;
	struct kmod_db db;
	struct rec r;
	int err = -ENOENT;

	if (open_fixture(&db, &r, FIXTURE "/sys/module")) {
		ok_at(0, row->file, row->line, "open %s", FIXTURE);
		return;
	}
	snprintf(names, sizeof(names), "%s", row->names);
	if (!names[0])
		err = kmod_load(&db, "", row->params);
	for (tok = strtok_r(names, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		err = kmod_load(&db, tok, row->params);
	ok_at(err == row->want_err && !strcmp(r.log, row->want_log) && !r.bad_path,
	      row->file, row->line, "load \"%s\": %d [%s] (want %d [%s])", row->names, err, r.log,
	      row->want_err, row->want_log);
	kmod_close(&db);
}

/* ------------------------------------------------------------- lookups */

struct find_row {
	const char *file;
	int line;
	const char *name;
	const char *want;      /* module name found, NULL for -ENOENT */
	int builtin;
};

#define FIND_TEST(name, want, builtin) { __FILE__, __LINE__, name, want, builtin }

static const struct find_row finds[] = {
	FIND_TEST("nfsv3", "nfsv3", 0),
	FIND_TEST("ne2k-pci", "ne2k_pci", 0),
	FIND_TEST("ne2k_pci", "ne2k_pci", 0),
	FIND_TEST("uses-loaded", "uses_loaded", 0),
	FIND_TEST("e1000e", NULL, 0),
	FIND_TEST("e100", NULL, 0),
	FIND_TEST("af_packet", NULL, 1),
	FIND_TEST("af-packet", NULL, 1),
	FIND_TEST("built-in-dash", NULL, 1),
	FIND_TEST("nls-base", NULL, 1),
	FIND_TEST("", NULL, 0),
};

static void run_find(const struct kmod_db *db, const struct find_row *row)
{
	int i = kmod_find(db, row->name);
	const char *got = i >= 0 ? db->mods[i].name : NULL;

	ok_at(row->want ? got && !strcmp(got, row->want) : i == -ENOENT, row->file, row->line,
	      "find \"%s\": %s (want %s)", row->name, got ? got : "ENOENT",
	      row->want ? row->want : "ENOENT");
	ok_at(kmod_is_builtin(db, row->name) == !!row->builtin, row->file, row->line,
	      "builtin \"%s\": %d", row->name, row->builtin);
}

struct alias_row {
	const char *file;
	int line;
	const char *modalias;
	const char *want;      /* module names, space separated */
};

#define ALIAS_TEST(modalias, want) { __FILE__, __LINE__, modalias, want }

static const struct alias_row aliases[] = {
	ALIAS_TEST("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", "e1000"),
	ALIAS_TEST("pci:v00008086d0000100Fsv00001AF4sd00001100bc02sc00i00", ""),
	ALIAS_TEST("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", "virtio_net"),
	ALIAS_TEST("pci:v00001AF4d00001000sv00001AF4sd00000002bc01sc00i00", ""),
	ALIAS_TEST("virtio:d00000002v00001AF4", "virtio_blk"),
	ALIAS_TEST("test-both", "e1000 virtio_blk"),
	ALIAS_TEST("test_both", "e1000 virtio_blk"),
	ALIAS_TEST("test-classa", "e1000"),
	ALIAS_TEST("test-class-", ""),
	ALIAS_TEST("net-pf-17", ""),
	ALIAS_TEST("", ""),
};

static void run_alias(const struct kmod_db *db, const struct alias_row *row)
{
	char got[256] = "";
	int idx[8], n, i;

	n = kmod_match_alias(db, row->modalias, idx, 8);
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			 db->mods[idx[i]].name);
	ok_at(!strcmp(got, row->want), row->file, row->line, "alias \"%s\": [%s] (want [%s])",
	      row->modalias, got, row->want);
}

static void fixture_db(void)
{
	struct kmod_db db;
	struct rec r;
	size_t i;
	int err;

	err = open_fixture(&db, &r, "");
	ok(err == 0, "kmod_open %s: %d", FIXTURE, err);
	if (err)
		return;
	ok(db.nmods == 24, "24 modules (%d)", db.nmods);
	ok(db.naliases == 11, "11 aliases of listed modules (%d)", db.naliases);
	ok(db.nbuiltin == 3, "3 builtins (%d)", db.nbuiltin);
	i = (size_t)kmod_find(&db, "nfsv3");
	ok(!strcmp(db.mods[i].path, "kernel/fs/nfs/nfsv3.ko") && db.mods[i].ndeps == 4,
	   "nfsv3: path %s, %d deps", db.mods[i].path, db.mods[i].ndeps);
	for (i = 0; i < sizeof(finds) / sizeof(finds[0]); i++)
		run_find(&db, &finds[i]);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		run_alias(&db, &aliases[i]);

	/* Without a sysmodule directory, already_loaded gets loaded. */
	err = kmod_load(&db, "uses-loaded", NULL);
	ok(err == 0 && !strcmp(r.log, "already_loaded uses-loaded"),
	   "no sysmodule: [%s] %d", r.log, err);
	/* A match list shorter than the matches. */
	ok(kmod_match_alias(&db, "test-both", (int[1]){ 0 }, 1) == 1, "alias matches capped at max");
	kmod_close(&db);

	ok(kmod_open(&db, FIXTURE "/no-such-dir") == -ENOENT, "no modules.dep: -ENOENT");
	kmod_close(&db);
	ok(kmod_load(&db, "nfsv3", NULL) == -ENOENT, "load on a closed database: -ENOENT");
}

/* ------------------------------------------------------------- decompression */

static char tmpdir[] = "/tmp/test_kmod.XXXXXX";
static unsigned char *payload;
static size_t payload_len;

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len)
		err = -1;
	if (fclose(f))
		err = -1;
	return err;
}

static int run(const char *cmd)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "cd %s && %s 2>/dev/null", tmpdir, cmd);
	return system(buf);
}

static int have(const char *tool)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", tool);
	return system(buf) == 0;
}

/* The recording insmod for compressed modules: the bytes it gets must be the
 * payload. */
struct comp_rec {
	struct rec r;
	int bytes_ok;
	int calls;
};

static int comp_insmod(void *ctx, const char *path, const char *params)
{
	struct comp_rec *c = ctx;
	void *buf;
	size_t len;
	int err;

	rec_add(&c->r, path, params);
	c->calls++;
	err = modfile_read(path, &buf, &len);
	if (err)
		return err;
	if (len == payload_len && !memcmp(buf, payload, len))
		c->bytes_ok++;
	free(buf);
	return 0;
}

struct comp_row {
	const char *file;
	int line;
	const char *tool;      /* needed on PATH, NULL for none */
	const char *cmd;       /* run in the temp dir on a fresh copy of "payload" */
	const char *module;    /* the file modfile_read reads */
	int want_err;
};

#define COMP_TEST(tool, cmd, module, err) { __FILE__, __LINE__, tool, cmd, module, err }

static const struct comp_row comps[] = {
	COMP_TEST(NULL, "cp payload plain.ko", "plain.ko", 0),
	COMP_TEST("gzip", "gzip -n -9 -c payload > m.ko.gz", "m.ko.gz", 0),
	COMP_TEST("xz", "xz --check=crc32 -c payload > m.ko.xz", "m.ko.xz", 0),
	COMP_TEST("xz", "xz --check=crc64 -c payload > m.ko.xz", "m.ko.xz", 0),
	COMP_TEST("zstd", "zstd -q -19 -c payload > m.ko.zst", "m.ko.zst", 0),
	COMP_TEST("zstd", "zstd -q --no-content-size -c < payload > m.ko.zst", "m.ko.zst", 0),
	/* the magic decides, not the name */
	COMP_TEST("gzip", "gzip -n -c payload > m.ko", "m.ko", 0),
	/* gzip members and zstd frames, one after another */
	COMP_TEST("gzip", "head -c 1000 payload | gzip -n > m.ko.gz && tail -c +1001 payload | gzip -n >> m.ko.gz",
		  "m.ko.gz", 0),
	COMP_TEST("zstd", "head -c 1000 payload | zstd -q > m.ko.zst && tail -c +1001 payload | zstd -q >> m.ko.zst",
		  "m.ko.zst", 0),
	/* truncated */
	COMP_TEST("gzip", "gzip -n -c payload > t && head -c $(($(wc -c < t) / 2)) t > m.ko.gz", "m.ko.gz", -EBADMSG),
	COMP_TEST("gzip", "gzip -n -c payload | head -c -4 > m.ko.gz", "m.ko.gz", -EBADMSG),
	COMP_TEST("xz", "xz -c payload > t && head -c $(($(wc -c < t) / 2)) t > m.ko.xz", "m.ko.xz", -EBADMSG),
	COMP_TEST("xz", "xz -c payload | head -c -1 > m.ko.xz", "m.ko.xz", -EBADMSG),
	COMP_TEST("zstd", "zstd -q -c payload > t && head -c $(($(wc -c < t) / 2)) t > m.ko.zst", "m.ko.zst", -EBADMSG),
	COMP_TEST("zstd", "zstd -q -c payload | head -c -1 > m.ko.zst", "m.ko.zst", -EBADMSG),
	/* corrupt: a byte in the middle changed */
	COMP_TEST("gzip", "gzip -n -c payload > m.ko.gz && printf 'XXXX' | dd of=m.ko.gz bs=1 seek=5000 conv=notrunc",
		  "m.ko.gz", -EBADMSG),
	COMP_TEST("xz", "xz -c payload > m.ko.xz && printf 'XXXX' | dd of=m.ko.xz bs=1 seek=5000 conv=notrunc",
		  "m.ko.xz", -EBADMSG),
	COMP_TEST("zstd", "zstd -q -c payload > m.ko.zst && printf 'XXXX' | dd of=m.ko.zst bs=1 seek=5000 conv=notrunc",
		  "m.ko.zst", -EBADMSG),
	/* garbage after a gzip member */
	COMP_TEST("gzip", "gzip -n -c payload > m.ko.gz && printf 'junk' >> m.ko.gz", "m.ko.gz", -EBADMSG),
	COMP_TEST(NULL, "true", "absent.ko", -ENOENT),
};

static void run_comp(const struct comp_row *row)
{
	char path[256];
	void *buf = NULL;
	size_t len = 0;
	int err, want = row->want_err;

	if (row->tool && !have(row->tool)) {
		skip(1, "%s", row->tool);
		return;
	}
	run("rm -f m.ko m.ko.gz m.ko.xz m.ko.zst plain.ko t");
	if (run(row->cmd) != 0) {
		ok_at(0, row->file, row->line, "%s", row->cmd);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, row->module);
	/* A build without xz or zstd refuses those files, broken or not. */
	if (row->tool && ((!strcmp(row->tool, "xz") && !modfile_has_xz) ||
			  (!strcmp(row->tool, "zstd") && !modfile_has_zstd)))
		want = -EOPNOTSUPP;
	err = modfile_read(path, &buf, &len);
	ok_at(err == want &&
	      (err || (len == payload_len && !memcmp(buf, payload, len))) && (!err || !buf),
	      row->file, row->line, "read %s after `%s`: %d, %zu bytes (want %d, %zu bytes)",
	      row->module, row->cmd, err, len, want, want ? 0 : payload_len);
	free(buf);
}

/* Compressed modules through kmod_load: the hook gets the plain bytes. */
static void compressed_load(void)
{
	static const char dep[] =
		"kernel/c/gzmod.ko.gz:\n"
		"kernel/c/xzmod.ko.xz: kernel/c/gzmod.ko.gz\n"
		"kernel/c/zstmod.ko.zst: kernel/c/xzmod.ko.xz kernel/c/gzmod.ko.gz\n";
	struct comp_rec c;
	struct kmod_db db;
	char dir[256], path[300];
	int err;

	if (!have("gzip") || !have("xz") || !have("zstd")) {
		skip(1, "gzip, xz or zstd missing");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/mods", tmpdir);
	if (run("mkdir -p mods/kernel/c && gzip -n -c payload > mods/kernel/c/gzmod.ko.gz && "
		"xz --check=crc32 -c payload > mods/kernel/c/xzmod.ko.xz && "
		"zstd -q -c payload > mods/kernel/c/zstmod.ko.zst") ||
	    snprintf(path, sizeof(path), "%s/modules.dep", dir) >= (int)sizeof(path) ||
	    write_file(path, dep, sizeof(dep) - 1)) {
		ok(0, "compressed module tree in %s", dir);
		return;
	}
	err = kmod_open(&db, dir);
	ok(err == 0, "kmod_open %s (no alias, no builtin file): %d", dir, err);
	if (err)
		return;
	memset(&c, 0, sizeof(c));
	db.insmod = comp_insmod;
	db.insmod_ctx = &c;
	ok(kmod_find(&db, "zstmod") >= 0 && kmod_find(&db, "gzmod.ko") < 0, "names without .ko.zst");
	err = kmod_load(&db, "zstmod", "p=1");
	if (modfile_has_xz && modfile_has_zstd)
		ok(err == 0 && !strcmp(c.r.log, "gzmod xzmod zstmod{p=1}") && c.bytes_ok == 3,
		   "load zstmod: %d [%s], %d of %d calls got the %zu plain bytes", err, c.r.log,
		   c.bytes_ok, c.calls, payload_len);
	else   /* the xz dependency cannot be decompressed: the error stops the load */
		ok(err == -EOPNOTSUPP && !strncmp(c.r.log, "gzmod xzmod", 11) && c.bytes_ok == 1,
		   "load zstmod without xz/zstd: %d [%s], %d of %d calls got the %zu plain bytes",
		   err, c.r.log, c.bytes_ok, c.calls, payload_len);
	kmod_close(&db);
}

static void decompression(void)
{
	char path[256];
	size_t i;
	int err;

	if (!mkdtemp(tmpdir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	/* Compressible but not trivial, larger than the first output guess. */
	payload_len = 700 * 1024 + 17;
	payload = malloc(payload_len);
	if (!payload)
		abort();
	for (i = 0; i < payload_len; i++)
		payload[i] = i % 251 < 200 ? (unsigned char)"\177ELF module body "[i % 17] :
					     (unsigned char)((i * 2654435761u) >> 24);
	snprintf(path, sizeof(path), "%s/payload", tmpdir);
	if (write_file(path, payload, payload_len)) {
		ok(0, "write %s", path);
		return;
	}
	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		run_comp(&comps[i]);
	compressed_load();

	/* The default insmod refuses a broken file (the kernel is asked first
	 * to decompress it, then the init reports the corruption). */
	snprintf(path, sizeof(path), "%s/absent.ko", tmpdir);
	err = kmod_insmod_file(NULL, path, "");
	ok(err == -ENOENT, "kmod_insmod_file absent: %d", err);
	run("gzip -n -c payload | head -c 1000 > m.ko.gz");
	snprintf(path, sizeof(path), "%s/m.ko.gz", tmpdir);
	err = kmod_insmod_file(NULL, path, NULL);
	ok(err == -EBADMSG, "kmod_insmod_file truncated .ko.gz: %d", err);

	run("rm -rf mods payload m.ko m.ko.gz m.ko.xz m.ko.zst plain.ko t");
	rmdir(tmpdir);
	free(payload);
}

/* ------------------------------------------------------------- Debian tree */

static int before(const char *log, const char *a, const char *b)
{
	char wa[64], wb[64];
	const char *pa, *pb;

	snprintf(wa, sizeof(wa), " %s ", a);
	snprintf(wb, sizeof(wb), " %s ", b);
	pa = strstr(log, wa);
	pb = strstr(log, wb);
	return pa && pb && pa < pb && !strstr(pa + 1, wa) && !strstr(pb + 1, wb);
}

static void debian_tree(void)
{
	const char *kdir = getenv("NBINIT_KERNEL_DIR") ? getenv("NBINIT_KERNEL_DIR") : "out/kernel";
	char kver[128], path[512], log[1100];
	struct kmod_db db;
	struct rec r;
	FILE *f;
	int idx[8], n, err;

	snprintf(path, sizeof(path), "%s/kver", kdir);
	f = fopen(path, "r");
	if (!f || !fgets(kver, sizeof(kver), f)) {
		if (f)
			fclose(f);
		skip(1, "no Debian kernel in out/kernel (tests/setup unpacks one)");
		return;
	}
	fclose(f);
	kver[strcspn(kver, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s/root/lib/modules/%s", kdir, kver);
	err = kmod_open(&db, path);
	ok(err == 0, "kmod_open %s: %d", path, err);
	if (err)
		return;
	diag("%s: %d modules, %d aliases, %d builtin", path, db.nmods, db.naliases, db.nbuiltin);
	memset(&r, 0, sizeof(r));
	r.root = db.dir;
	db.insmod = rec_insmod;
	db.insmod_ctx = &r;

	err = kmod_load(&db, "nfsv3", NULL);
	snprintf(log, sizeof(log), " %s ", r.log);
	ok(err == 0 && before(log, "sunrpc", "lockd") && before(log, "lockd", "nfs") &&
	   before(log, "nfs", "nfsv3") && before(log, "nfs_acl", "nfsv3") && !r.bad_path,
	   "nfsv3 after its deps, each once: %d [%s]", err, r.log);

	n = kmod_match_alias(&db, "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", idx, 8);
	ok(n == 1 && !strcmp(db.mods[idx[0]].name, "e1000"), "QEMU e1000 modalias: %d match(es), %s",
	   n, n > 0 ? db.mods[idx[0]].name : "none");
	r.log[0] = '\0';
	err = kmod_load(&db, "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", NULL);
	ok(err == 0 && !strcmp(r.log, "e1000"), "load by that modalias: %d [%s]", err, r.log);

	r.log[0] = '\0';
	err = kmod_load(&db, "virtio_net", NULL);
	ok(err == 0 && !strcmp(r.log, "virtio_ring virtio failover net_failover virtio_net"),
	   "virtio_net: %d [%s]", err, r.log);

	ok(kmod_is_builtin(&db, "af_packet") && kmod_load(&db, "af_packet", NULL) == 0,
	   "af_packet is built in");
	kmod_close(&db);
}

int main(void)
{
	size_t i;

	fixture_db();
	for (i = 0; i < sizeof(loads) / sizeof(loads[0]); i++)
		run_load(&loads[i]);
	decompression();
	debian_tree();
	return done_testing();
}
