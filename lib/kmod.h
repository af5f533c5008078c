/* Kernel module database (modules.dep, modules.alias, modules.builtin) and
 * loader. Knows nothing about booting; all paths are given by the caller. */
#ifndef NB_KMOD_H
#define NB_KMOD_H

#include <stdbool.h>
#include <stddef.h>

struct kmod_mod {
	char *name;          /* normalised: '-' -> '_' */
	char *path;          /* relative to the module directory */
	int *deps;           /* indexes into db->mods, modules.dep order */
	int ndeps;
	int state;           /* 0 untouched, 1 loading, 2 loaded/builtin, -errno failed */
};

struct kmod_alias {
	char *pattern;       /* wild_match pattern */
	int mod;             /* index into db->mods */
};

struct kmod_db {
	char dir[512];       /* /lib/modules/KVER (with any root prefix) */
	struct kmod_mod *mods;
	int nmods;
	struct kmod_alias *aliases;
	int naliases;
	char **builtin;      /* names from modules.builtin */
	int nbuiltin;
	char *text;          /* private: file contents the strings point into,
	                      * then the module names (one allocation) */
	int *pool;           /* private: the name and path hash tables, then
	                      * every module's deps (one allocation) */
	int hsize;           /* private: slots per hash table (a power of two) */
	/* Loads one module file (absolute path) with PARAMS. Default:
	 * kmod_insmod_file. Return 0,
	 * -EEXIST (already loaded counts as success) or -errno. */
	int (*insmod)(void *ctx, const char *path, const char *params);
	void *insmod_ctx;
	/* Where /sys/module lives (to skip loaded modules); "" to not check. */
	char sysmodule[512];
};

/* Read DIR/modules.dep, modules.alias and modules.builtin (the last two may
 * be missing). The three files are read once into one buffer (db->text) that
 * the names and patterns point into; the tables take four more allocations,
 * all freed by kmod_close. Clears *DB first: set insmod (default
 * kmod_insmod_file), insmod_ctx and sysmodule ("" by default) after.
 * Returns 0, -ENOENT (no modules.dep), -EFBIG (a file over 64 MiB),
 * -ENOMEM or another -errno. */
int kmod_open(struct kmod_db *db, const char *dir);
/* Free what kmod_open allocated; DB may be opened again. */
void kmod_close(struct kmod_db *db);

/* Index of the module named NAME ('-' and '_' equal), or -ENOENT. */
int kmod_find(const struct kmod_db *db, const char *name);

/* True when NAME is listed in modules.builtin. */
bool kmod_is_builtin(const struct kmod_db *db, const char *name);

/* Module indexes whose alias pattern matches MODALIAS, into OUT (up to MAX),
 * each once, in modules.alias order. '-' and '_' are equal outside [...].
 * Returns the count (may be 0). */
int kmod_match_alias(const struct kmod_db *db, const char *modalias, int *out, int max);

/* Load module NAME (a name or an alias) after its dependencies, deepest
 * first. Already loaded or built in: 0. Returns 0, -ENOENT when neither
 * the module nor an alias is known, or the insmod error.
 * Each module is tried at most once per open database: a later call for a
 * module that failed returns the same error. An alias loads every module it
 * matches (the first error is returned). PARAMS go to NAME only, never to
 * its dependencies. A dependency cycle is -ELOOP. */
int kmod_load(struct kmod_db *db, const char *name, const char *params);

/* Load the module file PATH with finit_module; a compressed file (gzip, xz
 * or zstd magic) is handed to the kernel to decompress
 * (MODULE_INIT_COMPRESSED_FILE). Returns 0, -EEXIST (already loaded),
 * -EOPNOTSUPP when the kernel cannot take the file this way (no
 * finit_module; for a compressed file no CONFIG_MODULE_DECOMPRESS, a kernel
 * before 6.1, or another compression than the kernel's), or the syscall's
 * -errno. */
int kmod_finit(const char *path, const char *params);

/* The default insmod (CTX unused): kmod_finit, and when the kernel cannot
 * take the file, modfile_read and init_module. Returns 0, -EEXIST
 * (already loaded), a modfile_read error (-EOPNOTSUPP: compressed in a
 * format neither the kernel nor this build can decompress) or the
 * syscall's -errno. */
int kmod_insmod_file(void *ctx, const char *path, const char *params);

#endif
