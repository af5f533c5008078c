/* Fuzz the module database reader and loader. The input is up to four
 * parts separated by lines holding only "%%": modules.dep, modules.alias,
 * modules.builtin (a missing part means a missing file) and names or
 * modaliases to look up and load, one a line. The files go to a private
 * temporary directory; insmod is replaced by a recorder, so nothing is
 * ever loaded. Checks that every index the database hands out is in range,
 * that a module is only loaded after each of its dependencies was tried, and
 * that no module file is loaded more often than modules.dep lists it. */
#include "common.h"
#include "kmod.h"

#define SEP "\n%%\n"
#define MAXCALLS 4096

static const char *dir;
static int dirfd_;

static struct {
	struct kmod_db *db;
	struct fz_rng rng;        /* drives what the fake insmod answers */
	char *paths[MAXCALLS];
	int ncalls;
} rec;

static const char *const db_files[] = { "modules.dep", "modules.alias", "modules.builtin" };

static void cleanup(void)
{
	if (dir)
		fz_rm_rf_path(dir);
}

/* libFuzzer calls this once before any input: set up the private
 * temporary directory. Returns 0. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s", fz_tmpdir("nbfuzz-kmod"));
	dir = path;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0)
		abort();
	atexit(cleanup);
	return 0;
}

/* How many modules have DIR/PATH as their file. */
static int modules_at(const struct kmod_db *db, const char *path)
{
	char full[2048];
	int i, n = 0;

	for (i = 0; i < db->nmods; i++) {
		snprintf(full, sizeof(full), "%s/%s", db->dir, db->mods[i].path);
		if (!strcmp(full, path) || !strcmp(db->mods[i].path, path))
			n++;
	}
	return n;
}

/* True when some module at PATH has had every dependency tried. */
static int deps_tried(const struct kmod_db *db, const char *path)
{
	char full[2048];
	int i, k;

	for (i = 0; i < db->nmods; i++) {
		const struct kmod_mod *m = &db->mods[i];

		snprintf(full, sizeof(full), "%s/%s", db->dir, m->path);
		if (strcmp(full, path) && strcmp(m->path, path))
			continue;
		for (k = 0; k < m->ndeps; k++) {
			const struct kmod_mod *d;

			if (m->deps[k] < 0)
				break;   /* unknown: the module cannot be loaded */
			d = &db->mods[m->deps[k]];
			if (d->state == 0 && !kmod_is_builtin(db, d->name))
				break;
		}
		if (k == m->ndeps)
			return 1;
	}
	return 0;
}

static int fake_insmod(void *ctx, const char *path, const char *params)
{
	struct kmod_db *db = ctx;
	int i, same = 0;

	FZ_ASSERT(db == rec.db);
	FZ_ASSERT(path != NULL);
	FZ_ASSERT(deps_tried(db, path));
	for (i = 0; i < rec.ncalls; i++)
		if (!strcmp(rec.paths[i], path))
			same++;
	FZ_ASSERT(same < modules_at(db, path));
	if (rec.ncalls < MAXCALLS)
		rec.paths[rec.ncalls++] = strdup(path);
	switch (fz_rng_next(&rec.rng) >> 61) {
	case 0:
		return -ENOEXEC;
	case 1:
		return -EEXIST;
	default:
		return 0;
	}
}

static void check_db(const struct kmod_db *db)
{
	int i, k;

	FZ_ASSERT(db->nmods >= 0 && db->naliases >= 0 && db->nbuiltin >= 0);
	for (i = 0; i < db->nmods; i++) {
		const struct kmod_mod *m = &db->mods[i];

		FZ_ASSERT(m->name && m->path);
		/* names are normalised ('[' keeps a pattern's ranges) */
		FZ_ASSERT(strchr(m->name, '-') == NULL || strchr(m->name, '['));
		FZ_ASSERT(m->ndeps >= 0);
		/* -1: a dependency modules.dep does not list (kmod.c) */
		for (k = 0; k < m->ndeps; k++)
			FZ_ASSERT(m->deps[k] >= -1 && m->deps[k] < db->nmods);
		/* findable by name, at least with a name the kernel accepts
		 * (MODULE_NAME_LEN is 64 with the NUL) */
		if (strlen(m->name) < 56) {
			FZ_ASSERT(kmod_find(db, m->name) >= 0);
			FZ_ASSERT(!strcmp(db->mods[kmod_find(db, m->name)].name, m->name));
		}
	}
	for (i = 0; i < db->naliases; i++) {
		FZ_ASSERT(db->aliases[i].pattern);
		FZ_ASSERT(db->aliases[i].mod >= 0 && db->aliases[i].mod < db->nmods);
	}
	for (i = 0; i < db->nbuiltin; i++) {
		FZ_ASSERT(db->builtin[i]);
		if (strlen(db->builtin[i]) < 56)
			FZ_ASSERT(kmod_is_builtin(db, db->builtin[i]));
	}
}

static void query(struct kmod_db *db, const char *q)
{
	int out[8], n, i, idx, err;

	idx = kmod_find(db, q);
	FZ_ASSERT(idx == -ENOENT || (idx >= 0 && idx < db->nmods));
	n = kmod_match_alias(db, q, out, 8);
	FZ_ASSERT(n >= 0 && n <= 8);
	for (i = 0; i < n; i++)
		FZ_ASSERT(out[i] >= 0 && out[i] < db->nmods);
	kmod_is_builtin(db, q);
	err = kmod_load(db, q, "fuzz=1");
	FZ_ASSERT(err <= 0);
	if (idx >= 0 && err == 0 && !kmod_is_builtin(db, q))
		FZ_ASSERT(db->mods[idx].state != 0);
	/* a second try of the same module gives the same answer */
	FZ_ASSERT(kmod_load(db, q, "fuzz=1") == err);
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[4];
	struct kmod_db db;
	int n, i, err;

	n = fz_split(data, size, SEP, strlen(SEP), part, NULL, 4);
	for (i = 0; i < 3; i++) {
		if (i < n)
			fz_write_at(dirfd_, db_files[i], part[i], strlen(part[i]));
		else
			unlinkat(dirfd_, db_files[i], 0);
	}

	err = kmod_open(&db, dir);
	FZ_ASSERT(err == 0 || err == -ENOMEM || err == -EFBIG);
	if (err)
		goto out;
	check_db(&db);
	db.insmod = fake_insmod;
	db.insmod_ctx = &db;
	db.sysmodule[0] = '\0';
	memset(&rec, 0, sizeof(rec));
	rec.db = &db;
	fz_rng_seed(&rec.rng, data, size);

	if (n > 3) {
		char *line = part[3], *next;
		int count = 0;

		for (; line && *line && count < 32; line = next, count++) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			query(&db, line);
		}
	} else {
		/* no queries given: load the first and the last module by name */
		if (db.nmods > 0) {
			query(&db, db.mods[0].name);
			query(&db, db.mods[db.nmods - 1].name);
		}
		query(&db, "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
	}
	for (i = 0; i < rec.ncalls; i++)
		free(rec.paths[i]);
	kmod_close(&db);
out:
	fz_free_parts(part, n);
	return 0;
}
