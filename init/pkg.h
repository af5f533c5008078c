/* What the pieces of the packages phase share (packages.c, the install
 * loop; pkgfetch.c, indexes and package files from the depot or over
 * HTTP; pkgfiles.c, how a package's files meet what the new root holds;
 * pkgscripts.c, the new root's scripts and triggers): the phase's state
 * and the functions each offers the others. Internal to init/. */
#ifndef NB_PKG_H
#define NB_PKG_H

#include <stdbool.h>

#include "apk.h"
#include "apkdb.h"
#include "apkpkg.h"
#include "apksig.h"
#include "boot.h"

#define PK_REPOS_MAX BOOT_MAX_REPOS
/* A package download may exceed the index's S: by this share plus this
 * many bytes (a proxy's different compression cannot apply: the file is
 * checked byte for byte); without S: the bound is PK_PKG_MAX. */
#define PK_SIZE_SLACK_SHARE 16
#define PK_SIZE_SLACK (64LL << 10)
#define PK_PKG_MAX (512LL << 20)
#define PK_SCRIPT_MS_DEFAULT 60000
#define PK_PROGRESS_MS 2000
/* A depot file is copied into /run/nbinit (memory) to be checked and
 * unpacked when it takes at most this share of the memory available; a
 * larger one is read where it is, twice (checked, then unpacked and hashed
 * again), so that a big package cannot run a small machine out of memory. */
#define PK_COPY_SHARE 8

struct pk_repo {
	char where[BOOT_PATH];         /* URL or absolute path, as in /etc/apk/repositories */
	bool url;
	bool loaded;
	long npkgs;
};

#define PK_REPLACES_MAX 32
#define PK_PROTECT_MAX 64

struct pk_inst {
	int pkg;                       /* index into db.pkgs */
	struct apk_pkgcheck chk;
	struct apk_files files;
	bool script_failed;            /* f:s */
	bool files_broken;             /* f:f: a file could not be placed (a conflict) */
	bool xattr_broken;             /* f:x: the filesystem refused an extended attribute */
	char *repl_text;               /* .PKGINFO replaces (malloc), parsed into repl */
	struct apk_dep repl[PK_REPLACES_MAX];
	int nrepl;
	unsigned repl_prio;            /* .PKGINFO replaces_priority */
};

/* Who placed a path: package inst[inst], its file files.f[file]. */
struct pk_own {
	char *path;
	int inst;
	size_t file;
};

/* apk's protection modes of a directory (protected_paths.d prefixes). */
enum { PROT_NONE, PROT_IGNORE, PROT_CHANGED, PROT_SYMLINKS, PROT_ALL };

struct pk {
	struct boot *b;
	struct apk_db db;
	struct apk_keys keys;
	struct pk_repo repo[PK_REPOS_MAX];
	int nrepo;
	char arch[32];
	bool allow_untrusted;
	long script_ms;
	char nr[BOOT_PATH];            /* the new root, with the root prefix */
	int rootfd;
	struct pk_inst *inst;
	int ninst;
	struct pk_own *own;            /* paths the packages placed (open addressing) */
	size_t owncap, ownn;
	int cur;                       /* inst being unpacked */
	struct { char pat[256]; int mode; } prot[PK_PROTECT_MAX];
	int nprot;
	bool ids_stale;                /* a script ran: etc/passwd and etc/group are read again */
	char *passwd, *group;          /* the new root's, for owners by name */
	bool proc_mounted;             /* /proc of the new root is ours to unmount */
	char world[4096];              /* the overlay's /etc/apk/world */
	unsigned long long fetched, depot_bytes, unpacked;
	int nfetched, ndepot;
	bool depot_down;               /* a depot read failed with an I/O error: skip the depot from then on */
	long long depot_t0, depot_us;  /* first depot read, time blocked in open/read of depot files (timeline) */
	long long fetch_ms;            /* package downloads, summed */
	long long fetch_t0, script_t0, script_sum_ms;   /* first start, time summed (timeline) */
	int nscripts;
	/* download progress */
	const char *dl_what;
	long long dl_total, dl_last_ms;
	unsigned long long dl_got, dl_max;   /* bytes so far, and the bound */
	int dl_fd;
	char *mem;                     /* index download buffer */
	size_t mem_len, mem_cap;
	long long avail;               /* MemAvailable in bytes; -1 unknown, 0 not read yet */
};

/* pkgfetch.c: N bytes in words ("3 KiB", "1.5 MiB", "12 MiB") into BUF. */
void pkg_human(unsigned long long n, char *buf, size_t size);
/* pkgfetch.c: the boot's repositories (repos_choose) into p->repo.
 * Returns 0 or a negative errno after boot_fail. */
int pkg_find_repos(struct pk *p);
/* pkgfetch.c: repository I's signed APKINDEX.tar.gz into p->db (over HTTP
 * or from its path); an unreachable repository is a warning (not loaded).
 * Returns 0 or a negative errno after boot_fail (a refused index). */
int pkg_load_index(struct pk *p, int i);
/* pkgfetch.c: open package I's file, checked against its index entry
 * (apk_pkg_check into C): the depot's when a path repository holds it
 * (copied into TMP, or read in place when large), else downloaded into
 * TMP. Where it came from into FROM; *PRIVATE true when the file is the
 * init's own copy. Returns the fd or a negative errno with WHY set. */
int pkg_open(struct pk *p, int i, const char *tmp, struct apk_pkgcheck *c, char *from, size_t fromsz,
             bool *private, char *why, size_t whysz);

/* pkgfiles.c: the entry of the package that placed PATH, or NULL. */
struct pk_own *pkg_own_get(const struct pk *p, const char *path);
/* pkgfiles.c: PATH is now package INST's file FILE. Returns 0 or -ENOMEM. */
int pkg_own_put(struct pk *p, const char *path, int inst, size_t file);
/* pkgfiles.c: apk's protected paths (its defaults, then the new root's
 * /etc/apk/protected_paths.d/ *.list) into p->prot. */
void pkg_load_protected(struct pk *p);
/* pkgfiles.c: .PKGINFO's replaces and replaces_priority of IN into IN. */
void pkg_read_replaces(struct pk_inst *in);
/* pkgfiles.c: apk_unpack_opts.keep for the package p->cur (see there):
 * true when the existing PATH stays (*PROTECT: as PATH.apk-new). */
bool pkg_keep_existing(void *ctx, const char *path, bool *protect);
/* pkgfiles.c: apk_unpack_opts.owner: owners by name through the new
 * root's /etc/passwd and /etc/group as they are now. */
void pkg_owner_by_name(void *ctx, const char *uname, const char *gname, unsigned *uid, unsigned *gid);
/* pkgfiles.c: the Q1 of the new root's regular file REL into OUT.
 * Returns 0 or a negative errno. */
int pkg_q1_at(const struct pk *p, const char *rel, char out[APK_Q1_LEN]);
/* pkgfiles.c: free the table of owners and the passwd/group copies. */
void pkg_files_free(struct pk *p);

/* pkgscripts.c: before the first package, what apk --initdb makes in the
 * new root, and /proc mounted there for the scripts (p->proc_mounted). */
void pkg_root_prepare(struct pk *p);
/* pkgscripts.c: unmount what pkg_root_prepare mounted. */
void pkg_root_release(struct pk *p);
/* pkgscripts.c: run ACTION's script of IN, if it has one (ARGS NULL: its
 * version); a failure is a warning and marks IN (f:s). */
void pkg_script(struct pk *p, struct pk_inst *in, const char *action, char *const *args);
/* pkgscripts.c: each installed package's trigger script with the
 * directories its globs match; its line of /lib/apk/db/triggers into TDB. */
void pkg_triggers(struct pk *p, struct apkdb_text *tdb);

#endif
