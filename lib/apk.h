/* Alpine apk v2 formats: versions, dependencies, the package table read
 * from APKINDEX files, and the resolver. Knows nothing about booting; the
 * formats are described in docs/apk-formats.md.
 *
 * Strings of packages and dependencies point into text the table owns
 * (the decompressed APKINDEX files), so a struct apk_db is only ever
 * passed by address and freed with apk_db_free. */
#ifndef NB_APK_H
#define NB_APK_H

#include <stdbool.h>
#include <stddef.h>

/* ---- versions (apkver.c) ---- */

/* Results of apk_version_cmp and the operator bits of a dependency. */
#define APK_LESS     1u
#define APK_EQUAL    2u
#define APK_GREATER  4u
#define APK_FUZZY    8u     /* "~": the version starts with the given components */
#define APK_CSUM    16u     /* "><Q1...": exactly the package with that C: */

/* Compare versions A and B by apk's rules: numbers (the first one as a
 * number, later ones as decimal fractions when either has a leading zero),
 * one letter, _alpha/_beta/_pre/_rc below a plain release below
 * _cvs/_svn/_git/_hg/_p, each with an optional number, ~hash, -rN.
 * Returns APK_LESS, APK_EQUAL or APK_GREATER. Malformed versions compare
 * token by token as far as they go, then as strings. */
unsigned apk_version_cmp(const char *a, const char *b);

/* True when V follows the version grammar above. */
bool apk_version_valid(const char *v);

/* True when VERSION has the leading components of PREFIX ("~" operator):
 * "1.6.2-r0" and "1.6" match "1.6", "1.7" does not. */
bool apk_version_fuzzy(const char *version, const char *prefix);

/* ---- dependencies (apkver.c) ---- */

/* One word of a D:, p:, i: field or of /etc/apk/world: [!]name[@tag][OP version]. */
struct apk_dep {
	const char *name;
	const char *version;       /* NULL: any version */
	const char *tag;           /* "@tag" without '@', or NULL */
	unsigned op;               /* APK_LESS|APK_EQUAL|APK_GREATER, APK_FUZZY, APK_CSUM; 0 with no version */
	bool conflict;             /* "!name": must not be installed */
};

/* Parse the dependency word S in place (NULs are written at the operator
 * and '@'). Returns 0 or -EINVAL (empty name, operator without version,
 * unknown operator). */
int apk_dep_parse(char *s, struct apk_dep *d);

/* Is a package or a provided name at VERSION (NULL: an unversioned
 * provide) acceptable to D, ignoring D->conflict? CSUM is the package's C:
 * field for "><" dependencies (may be NULL). */
bool apk_dep_accepts(const struct apk_dep *d, const char *version, const char *csum);

/* D in apk's notation ("!musl>=1.2", "so:libc.musl-x86_64.so.1") into BUF.
 * Returns BUF. */
char *apk_dep_str(const struct apk_dep *d, char *buf, size_t size);

/* ---- the package table (apkindex.c) ---- */

struct apk_pkg {
	const char *name, *version, *arch;
	const char *csum;          /* C: as written, "Q1" + base64 SHA-1 of the control gzip member */
	const char *desc, *url, *license, *origin, *maintainer, *commit;
	long long size;            /* S: bytes of the .apk file */
	long long installed_size;  /* I: */
	long long build_time;      /* t: */
	int provider_priority;     /* k:, -1 when absent */
	unsigned deps, ndeps;      /* D: in db->deps[deps .. deps+ndeps) */
	unsigned provs, nprovs;    /* p: */
	unsigned iifs, niifs;      /* i: (install_if) */
	int repo;                  /* index of the repository it came from */
	/* resolver state */
	int selected;              /* 0, or 1 + order of selection */
	int wanted_by;             /* package index that pulled it in, -1 for the world */
	int world_dep;             /* when wanted_by < 0: index into the world list */
};

/* A name and every package that has it as its own name or provides it. */
struct apk_name {
	const char *name;
	unsigned first, n;         /* db->provs[first .. first+n) */
};

struct apk_provider {
	int pkg;                   /* index into db->pkgs */
	int prov;                  /* -1: the package's own name, else index into db->deps */
};

struct apk_db {
	const char *arch;          /* packages of this arch or "noarch" are used */
	struct apk_pkg *pkgs;
	size_t npkgs, cappkgs;
	struct apk_dep *deps;
	size_t ndeps, capdeps;
	struct apk_name *names;    /* sorted by name (apk_db_index) */
	size_t nnames;
	struct apk_provider *provs;
	size_t nprovs;
	char **texts;              /* owned buffers the strings point into */
	size_t ntexts, captexts;
	long long skipped_arch;    /* entries of other architectures, ignored */
};

/* Empty table for ARCH (kept by pointer). */
void apk_db_init(struct apk_db *db, const char *arch);
void apk_db_free(struct apk_db *db);

/* Add the packages of APKINDEX text TEXT (LEN bytes and a NUL after them;
 * taken over: it must come from malloc and is freed with the table, also
 * on failure) from repository REPO.
 * Returns the number of packages added or a negative errno: -EBADMSG for
 * a malformed entry (WHY says which line), -ENOMEM. */
long apk_db_add_index(struct apk_db *db, char *text, size_t len, int repo, char *why, size_t whysz);

/* Build the name table after the last apk_db_add_index. Returns 0 or -ENOMEM. */
int apk_db_index(struct apk_db *db);

/* The name NAME, or NULL. */
const struct apk_name *apk_db_name(const struct apk_db *db, const char *name);

/* ---- the resolver (apksolve.c) ---- */

/* What the admin asked for: a dependency and who asked ("pkgs=",
 * "/etc/apk/world", "nbinit"). */
struct apk_want {
	struct apk_dep dep;
	const char *from;
};

/* Choose the packages that satisfy WANT[0..N) in DB: each name by its own
 * package (highest version, then the earliest repository), else by the
 * provider with the highest provider_priority or a versioned provide;
 * dependencies follow, then every package whose install_if is satisfied;
 * conflicts ("!name") are checked at the end. Fills pkg->selected and
 * ORDER (the install order, dependencies first; at most db->npkgs) and
 * returns its length, or -ENOENT / -EDEADLK / -EINVAL with one line in WHY
 * naming the package and who asked for it. */
long apk_solve(struct apk_db *db, const struct apk_want *want, size_t n, int *order,
               char *why, size_t whysz);

/* "name-version" of package I into BUF. Returns BUF. */
char *apk_pkg_str(const struct apk_db *db, int i, char *buf, size_t size);

#endif
