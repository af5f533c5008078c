/* apk's database in a root, as text (docs/apk-formats.md): the installed
 * database /lib/apk/db/installed with its scripts.tar and triggers, and
 * the world /etc/apk/world, written as apk 2.14 writes them; the world's
 * words (and pkgs=, the same notation) read as what is asked for. Knows
 * nothing about booting. */
#ifndef NB_APKDB_H
#define NB_APKDB_H

#include <stdbool.h>
#include <stddef.h>

#include "apk.h"
#include "apkpkg.h"

/* Text that grows as it is written. The first error sticks in ERR and
 * later writes do nothing, so a file is built whole and checked once. */
struct apkdb_text {
	char *p;                   /* malloc, NUL-terminated; NULL while empty */
	size_t len, cap;
	int err;                   /* 0, -ENOMEM, -ENAMETOOLONG (a line over 8 KiB), a tar writer's */
};

/* Append N bytes of DATA to the struct apkdb_text CTX (a tar_out for
 * lib/tar.c's writer). Returns its err. */
int apkdb_put(void *ctx, const void *data, size_t n);
void apkdb_text_free(struct apkdb_text *t);

/* One installed package as the installed database records it. */
struct apkdb_pkg {
	const struct apk_db *db;   /* the index its fields and dependencies come from */
	int pkg;                   /* index into db->pkgs */
	const struct apk_files *files;  /* what it put on disk; not_owned entries are left out */
	const struct apk_dep *repl;     /* .PKGINFO replaces, NREPL of them */
	int nrepl;
	unsigned repl_prio;        /* .PKGINFO replaces_priority */
	bool files_broken;         /* f:f: a file conflict */
	bool script_failed;        /* f:s */
	bool xattr_broken;         /* f:x: an extended attribute was refused */
};

/* Append IN's entry of /lib/apk/db/installed to T: the index fields (C P V
 * A S I T U L o m t c k D p i), r: and q:, f:, then each directory in the
 * order it first appears (F:, M:uid:gid:mode[:xattrs] unless root:root
 * 0755 without attributes) followed by its files (R:, a: likewise unless
 * root:root 0644, Z:), and a blank line. */
void apkdb_installed(struct apkdb_text *t, const struct apkdb_pkg *in);

/* Append package PK's scripts (CHK's) to scripts.tar in T, each named
 * NAME-VERSION.CSUM.ACTION with mode 0755. */
void apkdb_scripts(struct apkdb_text *t, const struct apk_pkg *pk, const struct apk_pkgcheck *chk);
/* End scripts.tar in T (the end-of-archive marker). */
void apkdb_scripts_end(struct apkdb_text *t);

/* Append PK's line of /lib/apk/db/triggers to T: its C: and GLOBS (the
 * .PKGINFO triggers, space-separated). */
void apkdb_triggers(struct apkdb_text *t, const struct apk_pkg *pk, const char *globs);

/* Append /etc/apk/world to T: the dependency of each of W[0..N) in apk's
 * notation, sorted, each once, one a line. */
void apkdb_world(struct apkdb_text *t, const struct apk_want *w, size_t n);

/* Read the words of TEXT (a world file or pkgs=: separated by blanks,
 * newlines or commas; parsed in place, so the wants point into TEXT) as
 * wants asked for by FROM, appended to W at *N (at most MAX in all).
 * Returns 0, -E2BIG (more than MAX) or -EINVAL (the word that is not a
 * package name or dependency is copied into BAD, BADSZ bytes). */
int apkdb_world_parse(char *text, const char *from, struct apk_want *w, size_t *n, size_t max, char *bad, size_t badsz);

#endif
