/* Fuzz the apk text layer: APKINDEX text (apk_db_add_index), dependency
 * words (apk_dep_parse, apk_dep_str), versions (apk_version_cmp, _valid,
 * _fuzzy), the resolver (apk_solve) fed that index and a world, and the
 * database written from its result (apkdb_installed, apkdb_world, the
 * world read back with apkdb_world_parse).
 * Input: the world's words on the first line, then APKINDEX text, split in
 * two repositories at the first "\n\n\n".
 * Invariants: the solver's order holds distinct packages of the table,
 * each marked selected, every world word it accepted is satisfied by one
 * of them (or a conflict by none), a failure has a reason; versions
 * compare as a total order on what was seen (reflexive, antisymmetric);
 * a parsed dependency printed and parsed again is the same dependency. */
#include "common.h"
#include "apk.h"
#include "apkdb.h"

#define WANT_MAX 16

static unsigned flip(unsigned r)
{
	return r == APK_LESS ? APK_GREATER : r == APK_GREATER ? APK_LESS : r;
}

/* A dependency printed and parsed again says the same. */
static void dep_roundtrip(const struct apk_dep *d)
{
	char buf[512], copy[512];
	struct apk_dep e;

	apk_dep_str(d, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf) - 1)
		return;	/* cut: nothing to compare */
	memcpy(copy, buf, sizeof(buf));
	if (apk_dep_parse(copy, &e)) {
		fprintf(stderr, "fuzz: printed dependency does not parse: ");
		fz_put_escaped(buf);
		fputc('\n', stderr);
		FZ_ASSERT(0);
	}
	FZ_ASSERT(!strcmp(e.name, d->name));
	FZ_ASSERT(e.conflict == d->conflict && e.op == d->op);
	FZ_ASSERT(!e.version == !d->version);
	if (d->version)
		FZ_ASSERT(!strcmp(e.version, d->version));
}

static void versions(const struct apk_db *db)
{
	size_t i, j, n = db->npkgs < 24 ? db->npkgs : 24;

	for (i = 0; i < n; i++) {
		const char *a = db->pkgs[i].version;

		FZ_ASSERT(apk_version_cmp(a, a) == APK_EQUAL);
		(void)apk_version_valid(a);
		for (j = 0; j < n; j++) {
			const char *b = db->pkgs[j].version;
			unsigned ab = apk_version_cmp(a, b), ba = apk_version_cmp(b, a);

			FZ_ASSERT(ab == APK_LESS || ab == APK_EQUAL || ab == APK_GREATER);
			if (ab != flip(ba)) {
				fprintf(stderr, "fuzz: versions not antisymmetric: ");
				fz_put_escaped(a);
				fprintf(stderr, " %u ", ab);
				fz_put_escaped(b);
				fprintf(stderr, " %u\n", ba);
				FZ_ASSERT(0);
			}
			(void)apk_version_fuzzy(a, b);
		}
	}
}

/* Does a selected package (or what it provides) satisfy D? */
static bool satisfied(const struct apk_db *db, const struct apk_dep *d)
{
	const struct apk_name *nm = apk_db_name(db, d->name);
	unsigned k;

	if (!nm)
		return false;
	for (k = 0; k < nm->n; k++) {
		const struct apk_provider *pv = &db->provs[nm->first + k];
		const struct apk_pkg *pk = &db->pkgs[pv->pkg];
		const char *ver = pv->prov < 0 ? pk->version : db->deps[pv->prov].version;

		if (pk->selected && apk_dep_accepts(d, ver, pk->csum))
			return true;
	}
	return false;
}

/* The installed entries of the chosen packages: "K:value" lines, a blank
 * line after each; the world written, read back and written again is the
 * same text. */
static void database(const struct apk_db *db, const int *order, long n, const struct apk_want *want, size_t nwant)
{
	struct apkdb_text t = { 0 }, w1 = { 0 }, w2 = { 0 };
	struct apk_want back[WANT_MAX];
	char bad[64], *copy, *line;
	size_t nback = 0, i;
	long k;

	for (k = 0; k < n; k++) {
		const struct apkdb_pkg e = { .db = db, .pkg = order[k] };
		apkdb_installed(&t, &e);
	}
	if (!t.err && n > 0) {
		FZ_ASSERT(t.len >= 2 && !strcmp(t.p + t.len - 2, "\n\n"));
		for (line = t.p; *line; line = strchr(line, '\n') + 1)
			FZ_ASSERT(*line == '\n' || (line[0] && strchr("CPVASITULomtckDpirqf", line[0]) && line[1] == ':'));
	}
	for (i = 0; i < nwant; i++) {
		char d[512];
		if (strlen(apk_dep_str(&want[i].dep, d, sizeof(d))) >= sizeof(d) - 1)
			goto out;       /* cut: nothing to compare */
	}
	apkdb_world(&w1, want, nwant);
	if (w1.err || !w1.p)
		goto out;
	copy = strdup(w1.p);
	if (!copy)
		abort();
	FZ_ASSERT(!apkdb_world_parse(copy, "/etc/apk/world", back, &nback, WANT_MAX, bad, sizeof(bad)));
	apkdb_world(&w2, back, nback);
	FZ_ASSERT(!w2.err && w2.p && !strcmp(w1.p, w2.p));
	free(copy);
out:
	apkdb_text_free(&t);
	apkdb_text_free(&w1);
	apkdb_text_free(&w2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct apk_db db;
	struct apk_want want[WANT_MAX];
	char *parts[3], *world, *tok, *save = NULL, why[256];
	size_t plen[3], nwant = 0, i, j;
	int nparts, *order;
	long n;

	if (size > 256 * 1024)
		return 0;
	nparts = fz_split(data, size, "\n", 1, parts, plen, 2);
	world = parts[0];
	if (nparts < 2) {
		fz_free_parts(parts, nparts);
		return 0;
	}
	/* the index in up to two repositories */
	{
		char *text = parts[1], *cut = strstr(text, "\n\n\n");
		size_t len = strlen(text);
		char *r0, *r1 = NULL;

		r0 = strndup(text, cut ? (size_t)(cut - text) + 2 : len);
		if (cut)
			r1 = strdup(cut + 3);
		if (!r0 || (cut && !r1))
			abort();
		apk_db_init(&db, "x86_64");
		why[0] = '\0';
		n = apk_db_add_index(&db, r0, strlen(r0), 0, why, sizeof(why));
		FZ_ASSERT(n >= 0 || why[0]);
		if (n >= 0 && r1) {
			n = apk_db_add_index(&db, r1, strlen(r1), 1, why, sizeof(why));
			FZ_ASSERT(n >= 0 || why[0]);
		} else {
			free(r1);
		}
	}
	if (n < 0 || apk_db_index(&db)) {
		apk_db_free(&db);
		fz_free_parts(parts, nparts);
		return 0;
	}
	for (i = 0; i < db.ndeps; i++)
		dep_roundtrip(&db.deps[i]);
	versions(&db);

	for (tok = strtok_r(world, " \t,", &save); tok && nwant < WANT_MAX; tok = strtok_r(NULL, " \t,", &save)) {
		if (apk_dep_parse(tok, &want[nwant].dep))
			continue;
		dep_roundtrip(&want[nwant].dep);
		want[nwant++].from = "fuzz";
	}
	order = malloc((db.npkgs + 1) * sizeof(*order));
	if (!order)
		abort();
	why[0] = '\0';
	n = apk_solve(&db, want, nwant, order, why, sizeof(why));
	FZ_ASSERT(memchr(why, '\0', sizeof(why)));
	if (n < 0) {
		FZ_ASSERT(why[0]);
	} else {
		FZ_ASSERT((size_t)n <= db.npkgs);
		for (i = 0; i < (size_t)n; i++) {
			FZ_ASSERT(order[i] >= 0 && (size_t)order[i] < db.npkgs);
			FZ_ASSERT(db.pkgs[order[i]].selected);
			for (j = 0; j < i; j++)
				FZ_ASSERT(order[j] != order[i]);
		}
		for (i = 0; i < nwant; i++)
			FZ_ASSERT(want[i].dep.conflict ? !satisfied(&db, &want[i].dep)
			                               : satisfied(&db, &want[i].dep));
		database(&db, order, n, want, nwant);
	}
	free(order);
	apk_db_free(&db);
	fz_free_parts(parts, nparts);
	return 0;
}
