/* The resolver: from what the admin asked for to the packages to install,
 * in install order (see apk.h for the rules, docs/apk-formats.md for how
 * they relate to apk's). It makes one choice per name and never goes back
 * on it; when a later requirement contradicts an earlier choice the
 * answer is an error naming both, not a search. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk.h"

struct item {
	const struct apk_dep *dep;
	int by;                    /* requiring package, or -1 */
	int world;                 /* index into the world list when by < 0 */
};

struct solver {
	struct apk_db *db;
	const struct apk_want *want;
	size_t nwant;
	struct item *q;
	size_t qhead, qtail;
	int nsel;
	char *why;
	size_t whysz;
};

/* Version under which provider P offers its name (NULL: unversioned). */
static const char *prov_version(const struct apk_db *db, const struct apk_provider *p)
{
	return p->prov < 0 ? db->pkgs[p->pkg].version : db->deps[p->prov].version;
}

static bool prov_accepts(const struct apk_db *db, const struct apk_provider *p, const struct apk_dep *d)
{
	return apk_dep_accepts(d, prov_version(db, p), db->pkgs[p->pkg].csum);
}

/* The selected package that satisfies D (ignoring D->conflict), or -1. */
static int selected_for(const struct apk_db *db, const struct apk_dep *d)
{
	const struct apk_name *nm = apk_db_name(db, d->name);
	unsigned i;

	for (i = 0; nm && i < nm->n; i++) {
		const struct apk_provider *p = &db->provs[nm->first + i];
		if (db->pkgs[p->pkg].selected && prov_accepts(db, p, d))
			return p->pkg;
	}
	return -1;
}

/* Does package I match dependency D by its name or a provide? */
static bool pkg_matches(const struct apk_db *db, int i, const struct apk_dep *d)
{
	const struct apk_pkg *p = &db->pkgs[i];
	unsigned j;

	if (!strcmp(p->name, d->name) && apk_dep_accepts(d, p->version, p->csum))
		return true;
	for (j = 0; j < p->nprovs; j++) {
		const struct apk_dep *pv = &db->deps[p->provs + j];
		if (!strcmp(pv->name, d->name) && apk_dep_accepts(d, pv->version, p->csum))
			return true;
	}
	return false;
}

/* The selected package that conflicts with candidate I (either side's
 * "!name"), or -1; WORLD_DEP gets the world conflict instead, if any. */
static int conflict_with(const struct solver *s, int i, int *world_dep)
{
	const struct apk_db *db = s->db;
	const struct apk_pkg *p = &db->pkgs[i];
	size_t k;
	unsigned j;

	*world_dep = -1;
	for (j = 0; j < p->ndeps; j++) {
		const struct apk_dep *d = &db->deps[p->deps + j];
		int o;
		if (d->conflict && (o = selected_for(db, d)) >= 0 && o != i)
			return o;
	}
	for (k = 0; k < db->npkgs; k++) {
		const struct apk_pkg *o = &db->pkgs[k];
		if (!o->selected || (int)k == i)
			continue;
		if (!strcmp(o->name, p->name))
			return (int)k;           /* one package per name */
		for (j = 0; j < o->ndeps; j++) {
			const struct apk_dep *d = &db->deps[o->deps + j];
			if (d->conflict && pkg_matches(db, i, d))
				return (int)k;
		}
	}
	for (k = 0; k < s->nwant; k++)
		if (s->want[k].dep.conflict && pkg_matches(db, i, &s->want[k].dep)) {
			*world_dep = (int)k;
			return -1;
		}
	return -1;
}

/* "bar-1.0-r0 (from foo-2-r0, which pkgs= asks for)" into BUF. */
static char *who(const struct solver *s, int by, int world, char *buf, size_t size)
{
	const struct apk_db *db = s->db;
	size_t len = 0;
	int depth = 0;

	buf[0] = '\0';
	while (by >= 0 && depth < 4 && len < size) {
		const struct apk_pkg *p = &db->pkgs[by];
		len += (size_t)snprintf(buf + len, size - len, "%s%s-%s", depth ? ", pulled in by " : "",
		                        p->name, p->version);
		world = p->world_dep;
		by = p->wanted_by;
		depth++;
	}
	if (by == -2 && len < size)
		snprintf(buf + len, size - len, "%s(install_if)", depth ? ", " : "");
	else if (by >= 0 && len < size)
		snprintf(buf + len, size - len, ", ...");
	else if (world >= 0 && len < size)
		snprintf(buf + len, size - len, "%s%s", depth ? ", which comes from " : "", s->want[world].from);
	return buf;
}

static int fail(struct solver *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct solver *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, s->whysz, fmt, ap);
	va_end(ap);
	return err;
}

/* Is candidate A better than B for dependency D? */
static bool better(const struct apk_db *db, const struct apk_provider *a, const struct apk_provider *b)
{
	const struct apk_pkg *pa = &db->pkgs[a->pkg], *pb = &db->pkgs[b->pkg];
	const char *va, *vb;
	unsigned c;

	/* A package by that very name beats any provider. */
	if ((a->prov < 0) != (b->prov < 0))
		return a->prov < 0;
	if (a->prov >= 0 && pa->provider_priority != pb->provider_priority)
		return pa->provider_priority > pb->provider_priority;
	va = prov_version(db, a);
	vb = prov_version(db, b);
	if (va && vb && (c = apk_version_cmp(va, vb)) != APK_EQUAL)
		return c == APK_GREATER;
	if (a->prov >= 0 && (c = apk_version_cmp(pa->version, pb->version)) != APK_EQUAL && !strcmp(pa->name, pb->name))
		return c == APK_GREATER;
	if (pa->repo != pb->repo)
		return pa->repo < pb->repo;
	return strcmp(pa->name, pb->name) < 0;
}

static int push_deps(struct solver *s, int i)
{
	const struct apk_pkg *p = &s->db->pkgs[i];
	unsigned j;

	for (j = 0; j < p->ndeps; j++)
		s->q[s->qtail++] = (struct item){ &s->db->deps[p->deps + j], i, -1 };
	return 0;
}

static void select_pkg(struct solver *s, int i, int by, int world)
{
	struct apk_pkg *p = &s->db->pkgs[i];

	p->selected = ++s->nsel;
	p->wanted_by = by;
	p->world_dep = world;
	push_deps(s, i);
}

/* Satisfy one requirement: already met, or choose a package for it. */
static int satisfy(struct solver *s, const struct item *it)
{
	const struct apk_db *db = s->db;
	const struct apk_dep *d = it->dep;
	const struct apk_name *nm;
	const struct apk_provider *best = NULL;
	char ds[300], w[600], list[400];
	int blocker = -1, world_block = -1, nversions = 0, nvirtual = 0;
	size_t ll = 0;
	unsigned i;

	if (d->conflict || selected_for(db, d) >= 0)
		return 0;
	apk_dep_str(d, ds, sizeof(ds));
	nm = apk_db_name(db, d->name);
	if (!nm)
		return fail(s, -ENOENT, "%s: required by %s, but no package of that name or providing it is in the repositories",
		            ds, who(s, it->by, it->world, w, sizeof(w)));
	list[0] = '\0';
	for (i = 0; i < nm->n; i++) {
		const struct apk_provider *p = &db->provs[nm->first + i];
		const struct apk_pkg *pk = &db->pkgs[p->pkg];
		int o, wd;

		if (!prov_accepts(db, p, d)) {
			if (ll < sizeof(list) && nversions < 4)
				ll += (size_t)snprintf(list + ll, sizeof(list) - ll, "%s%s-%s", nversions ? ", " : "",
				                       pk->name, pk->version);
			nversions++;
			continue;
		}
		/* An unversioned provide without provider_priority is never
		 * chosen on its own: the admin names one of them. */
		if (p->prov >= 0 && !db->deps[p->prov].version && pk->provider_priority < 0) {
			if (ll < sizeof(list) && nvirtual < 4)
				ll += (size_t)snprintf(list + ll, sizeof(list) - ll, "%s%s", nvirtual ? ", " : "", pk->name);
			nvirtual++;
			continue;
		}
		o = conflict_with(s, p->pkg, &wd);
		if (o >= 0 || wd >= 0) {
			blocker = o;
			world_block = wd;
			continue;
		}
		if (!best || better(db, p, best))
			best = p;
	}
	if (best) {
		select_pkg(s, best->pkg, it->by, it->world);
		return 0;
	}
	who(s, it->by, it->world, w, sizeof(w));
	if (blocker >= 0) {
		char b[300];
		return fail(s, -EDEADLK, "%s: required by %s, but it conflicts with %s, which is already chosen",
		            ds, w, apk_pkg_str(db, blocker, b, sizeof(b)));
	}
	if (world_block >= 0) {
		char b[300];
		return fail(s, -EDEADLK, "%s: required by %s, but %s forbids it (%s)", ds, w,
		            s->want[world_block].from, apk_dep_str(&s->want[world_block].dep, b, sizeof(b)));
	}
	if (nvirtual && !nversions)
		return fail(s, -ENOENT, "%s: required by %s, but only provided by %s%s: add one of them to the world",
		            ds, w, list, nvirtual > 4 ? ", ..." : "");
	return fail(s, -ENOENT, "%s: required by %s, but only %s%s %s in the repositories", ds, w, list,
	            nversions > 4 ? ", ..." : "", nversions + nvirtual == 1 ? "is" : "are");
}

static int drain(struct solver *s)
{
	int err;

	while (s->qhead < s->qtail)
		if ((err = satisfy(s, &s->q[s->qhead++])))
			return err;
	return 0;
}

/* Are all install_if conditions of package I met by the selection? */
static bool iif_met(const struct solver *s, int i)
{
	const struct apk_db *db = s->db;
	const struct apk_pkg *p = &db->pkgs[i];
	unsigned j;

	if (!p->niifs)
		return false;
	for (j = 0; j < p->niifs; j++) {
		const struct apk_dep *d = &db->deps[p->iifs + j];
		bool have = selected_for(db, d) >= 0;
		if (have == d->conflict)
			return false;
	}
	return true;
}

/* Select every package whose install_if holds, until none is added. */
static int install_if(struct solver *s)
{
	struct apk_db *db = s->db;
	bool added = true;
	int err;

	while (added) {
		size_t i;

		added = false;
		for (i = 0; i < db->npkgs; i++) {
			const struct apk_name *nm;
			int best = -1, o, wd;
			unsigned k;

			if (db->pkgs[i].selected || !iif_met(s, (int)i))
				continue;
			/* The best eligible package of this name. */
			nm = apk_db_name(db, db->pkgs[i].name);
			for (k = 0; nm && k < nm->n; k++) {
				const struct apk_provider *p = &db->provs[nm->first + k];
				if (p->prov >= 0 || db->pkgs[p->pkg].selected || !iif_met(s, p->pkg))
					continue;
				if (best < 0 || better(db, p, &(struct apk_provider){ best, -1 }))
					best = p->pkg;
			}
			if (best < 0 || (o = conflict_with(s, best, &wd)) >= 0 || wd >= 0)
				continue;
			select_pkg(s, best, -2, -1);
			if ((err = drain(s)))
				return err;
			added = true;
		}
	}
	return 0;
}

/* Every "!name" of the selection and of the world holds. */
static int check_conflicts(struct solver *s)
{
	const struct apk_db *db = s->db;
	char a[300], b[300], w[600];
	size_t i, k;
	unsigned j;

	for (i = 0; i < db->npkgs; i++) {
		const struct apk_pkg *p = &db->pkgs[i];
		if (!p->selected)
			continue;
		for (j = 0; j < p->ndeps; j++) {
			const struct apk_dep *d = &db->deps[p->deps + j];
			int o;
			if (d->conflict && (o = selected_for(db, d)) >= 0 && o != (int)i)
				return fail(s, -EDEADLK, "%s conflicts with %s (%s), which is required by %s",
				            apk_pkg_str(db, (int)i, a, sizeof(a)), apk_pkg_str(db, o, b, sizeof(b)),
				            apk_dep_str(d, w, sizeof(w)),
				            who(s, db->pkgs[o].wanted_by, db->pkgs[o].world_dep, w, sizeof(w)));
		}
	}
	for (k = 0; k < s->nwant; k++) {
		int o;
		if (s->want[k].dep.conflict && (o = selected_for(db, &s->want[k].dep)) >= 0)
			return fail(s, -EDEADLK, "%s forbids %s, but %s is required by %s", s->want[k].from,
			            apk_dep_str(&s->want[k].dep, a, sizeof(a)), apk_pkg_str(db, o, b, sizeof(b)),
			            who(s, db->pkgs[o].wanted_by, db->pkgs[o].world_dep, w, sizeof(w)));
	}
	return 0;
}

/* Depth-first: dependencies before the package (cycles broken). */
static void visit(const struct apk_db *db, int i, char *mark, int *order, long *n)
{
	const struct apk_pkg *p = &db->pkgs[i];
	unsigned j;

	if (mark[i])
		return;
	mark[i] = 1;
	for (j = 0; j < p->ndeps; j++) {
		const struct apk_dep *d = &db->deps[p->deps + j];
		int o;
		if (!d->conflict && (o = selected_for(db, d)) >= 0)
			visit(db, o, mark, order, n);
	}
	order[(*n)++] = i;
}

static int by_selection(const void *a, const void *b, void *ctx)
{
	const struct apk_db *db = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	return db->pkgs[x].selected - db->pkgs[y].selected;
}

/* See apk.h. */
long apk_solve(struct apk_db *db, const struct apk_want *want, size_t n, int *order,
               char *why, size_t whysz)
{
	struct solver s = { .db = db, .want = want, .nwant = n, .why = why, .whysz = whysz };
	int *sel = NULL;
	char *mark = NULL;
	long count = 0;
	size_t i, k = 0;
	int err;

	why[0] = '\0';
	for (i = 0; i < db->npkgs; i++) {
		db->pkgs[i].selected = 0;
		db->pkgs[i].wanted_by = -1;
		db->pkgs[i].world_dep = -1;
	}
	/* Each package's dependencies are queued at most once. */
	s.q = malloc((n + db->ndeps + 1) * sizeof(*s.q));
	sel = malloc((db->npkgs + 1) * sizeof(*sel));
	mark = calloc(db->npkgs + 1, 1);
	if (!s.q || !sel || !mark) {
		err = fail(&s, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		s.q[s.qtail++] = (struct item){ &want[i].dep, -1, (int)i };
	if ((err = drain(&s)) || (err = install_if(&s)) || (err = check_conflicts(&s)))
		goto out;
	for (i = 0; i < db->npkgs; i++)
		if (db->pkgs[i].selected)
			sel[k++] = (int)i;
	qsort_r(sel, k, sizeof(*sel), by_selection, db);
	for (i = 0; i < k; i++)
		visit(db, sel[i], mark, order, &count);
	err = 0;
out:
	free(s.q);
	free(sel);
	free(mark);
	return err ? err : count;
}
