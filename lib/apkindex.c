/* The package table: entries of APKINDEX text ("X:value" lines, a blank
 * line between packages) and the names they provide. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk.h"

void apk_db_init(struct apk_db *db, const char *arch)
{
	memset(db, 0, sizeof(*db));
	db->arch = arch;
}

void apk_db_free(struct apk_db *db)
{
	size_t i;

	for (i = 0; i < db->ntexts; i++)
		free(db->texts[i]);
	free(db->texts);
	free(db->pkgs);
	free(db->deps);
	free(db->names);
	free(db->provs);
	memset(db, 0, sizeof(*db));
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Split the blank-separated words of VALUE (in place) into db->deps. */
static int add_deps(struct apk_db *db, char *value, unsigned *first, unsigned *n,
                    int line, char *why, size_t whysz)
{
	char *save = NULL, *w;

	*first = (unsigned)db->ndeps;
	*n = 0;
	for (w = strtok_r(value, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (grow((void **)&db->deps, &db->capdeps, db->ndeps + 1, sizeof(*db->deps)))
			return -ENOMEM;
		if (apk_dep_parse(w, &db->deps[db->ndeps])) {
			snprintf(why, whysz, "line %d: bad dependency '%s'", line, w);
			return -EBADMSG;
		}
		db->ndeps++;
		(*n)++;
	}
	return 0;
}

static long long num(const char *v)
{
	return strtoll(v, NULL, 10);
}

/* Check and keep the entry P (or drop it for another arch). */
static int finish(struct apk_db *db, struct apk_pkg *p, size_t dep_mark, int line, char *why, size_t whysz)
{
	if (!p->name || !p->version) {
		snprintf(why, whysz, "entry ending at line %d has no %s", line, p->name ? "V: (version)" : "P: (name)");
		return -EBADMSG;
	}
	if (!apk_version_valid(p->version)) {
		snprintf(why, whysz, "%s: version '%s' is not an apk version (line %d)", p->name, p->version, line);
		return -EBADMSG;
	}
	if (db->arch && p->arch && strcmp(p->arch, db->arch) && strcmp(p->arch, "noarch")) {
		db->skipped_arch++;
		db->ndeps = dep_mark;    /* forget its dependencies too */
		return 0;
	}
	db->npkgs++;
	return 1;
}

/* See apk.h. */
long apk_db_add_index(struct apk_db *db, char *text, size_t len, int repo, char *why, size_t whysz)
{
	struct apk_pkg *p = NULL;
	char *line = text, *end = text + len;
	size_t dep_mark = 0;
	long added = 0;
	int ln = 0, err;

	if (text[len] != '\0') {
		snprintf(why, whysz, "index text not terminated");
		free(text);
		return -EINVAL;
	}

	if (grow((void **)&db->texts, &db->captexts, db->ntexts + 1, sizeof(*db->texts))) {
		free(text);
		return -ENOMEM;
	}
	db->texts[db->ntexts++] = text;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *next = nl ? nl + 1 : end, *v;

		ln++;
		if (nl)
			*nl = '\0';
		if (!*line) {
			if (p) {
				if ((err = finish(db, p, dep_mark, ln, why, whysz)) < 0)
					return err;
				added += err;
				p = NULL;
			}
			line = next;
			continue;
		}
		if (line[1] != ':' || strlen(line) != (size_t)(next - line) - (nl ? 1 : 0)) {
			snprintf(why, whysz, "line %d: expected 'X:value'", ln);
			return -EBADMSG;
		}
		if (!p) {
			if (grow((void **)&db->pkgs, &db->cappkgs, db->npkgs + 1, sizeof(*db->pkgs)))
				return -ENOMEM;
			p = &db->pkgs[db->npkgs];
			memset(p, 0, sizeof(*p));
			p->provider_priority = -1;
			p->repo = repo;
			p->deps = p->provs = p->iifs = (unsigned)db->ndeps;
			dep_mark = db->ndeps;
		}
		v = line + 2;
		switch (line[0]) {
		case 'P': p->name = v; break;
		case 'V': p->version = v; break;
		case 'A': p->arch = v; break;
		case 'C': p->csum = v; break;
		case 'T': p->desc = v; break;
		case 'U': p->url = v; break;
		case 'L': p->license = v; break;
		case 'o': p->origin = v; break;
		case 'm': p->maintainer = v; break;
		case 'c': p->commit = v; break;
		case 'S': p->size = num(v); break;
		case 'I': p->installed_size = num(v); break;
		case 't': p->build_time = num(v); break;
		case 'k': p->provider_priority = (int)num(v); break;
		case 'D':
			if ((err = add_deps(db, v, &p->deps, &p->ndeps, ln, why, whysz)))
				return err;
			break;
		case 'p':
			if ((err = add_deps(db, v, &p->provs, &p->nprovs, ln, why, whysz)))
				return err;
			break;
		case 'i':
			if ((err = add_deps(db, v, &p->iifs, &p->niifs, ln, why, whysz)))
				return err;
			break;
		default:
			break;          /* fields nbinit does not use */
		}
		line = next;
	}
	if (p) {
		if ((err = finish(db, p, dep_mark, ln, why, whysz)) < 0)
			return err;
		added += err;
	}
	return added;
}

static int prov_cmp(const void *a, const void *b, void *ctx)
{
	const struct apk_db *db = ctx;
	const struct apk_provider *x = a, *y = b;
	const char *nx = x->prov < 0 ? db->pkgs[x->pkg].name : db->deps[x->prov].name;
	const char *ny = y->prov < 0 ? db->pkgs[y->pkg].name : db->deps[y->prov].name;
	int c = strcmp(nx, ny);

	if (c)
		return c;
	return x->pkg != y->pkg ? (x->pkg < y->pkg ? -1 : 1) : (x->prov < y->prov ? -1 : x->prov > y->prov);
}

static const char *prov_name(const struct apk_db *db, const struct apk_provider *p)
{
	return p->prov < 0 ? db->pkgs[p->pkg].name : db->deps[p->prov].name;
}

/* See apk.h. */
int apk_db_index(struct apk_db *db)
{
	size_t i, n = 0, k;
	unsigned j;

	free(db->provs);
	free(db->names);
	db->provs = NULL;
	db->names = NULL;
	db->nnames = db->nprovs = 0;
	for (i = 0; i < db->npkgs; i++)
		n += 1 + db->pkgs[i].nprovs;
	db->provs = calloc(n ? n : 1, sizeof(*db->provs));
	if (!db->provs)
		return -ENOMEM;
	for (i = 0; i < db->npkgs; i++) {
		const struct apk_pkg *p = &db->pkgs[i];
		db->provs[db->nprovs++] = (struct apk_provider){ (int)i, -1 };
		for (j = 0; j < p->nprovs; j++)
			db->provs[db->nprovs++] = (struct apk_provider){ (int)i, (int)(p->provs + j) };
	}
	qsort_r(db->provs, db->nprovs, sizeof(*db->provs), prov_cmp, db);
	db->names = calloc(db->nprovs ? db->nprovs : 1, sizeof(*db->names));
	if (!db->names)
		return -ENOMEM;
	for (k = 0; k < db->nprovs; k++) {
		const char *nm = prov_name(db, &db->provs[k]);
		if (!db->nnames || strcmp(db->names[db->nnames - 1].name, nm)) {
			db->names[db->nnames].name = nm;
			db->names[db->nnames].first = (unsigned)k;
			db->names[db->nnames].n = 0;
			db->nnames++;
		}
		db->names[db->nnames - 1].n++;
	}
	return 0;
}

static int name_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct apk_name *)elem)->name);
}

/* See apk.h. */
const struct apk_name *apk_db_name(const struct apk_db *db, const char *name)
{
	if (!db->nnames)
		return NULL;
	return bsearch(name, db->names, db->nnames, sizeof(*db->names), name_key_cmp);
}

/* See apk.h. */
char *apk_pkg_str(const struct apk_db *db, int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s", db->pkgs[i].name, db->pkgs[i].version);
	return buf;
}
