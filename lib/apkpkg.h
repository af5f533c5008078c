/* apk v2 package files: checking one against its index entry (the C:
 * checksum of the control member and the datahash of the data), its
 * .PKGINFO and scripts, and unpacking its data below a root directory
 * while recording every file for apk's installed database. Knows nothing
 * about booting. See docs/apk-formats.md. */
#ifndef NB_APKPKG_H
#define NB_APKPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "apksig.h"

#define APK_SCRIPTS_MAX 8
#define APK_PKGINFO_MAX (64 * 1024)
#define APK_SCRIPT_MAX (256 * 1024)
/* A control member larger than this (compressed; four times as much
 * inflated) is refused: it holds .PKGINFO and at most APK_SCRIPTS_MAX
 * scripts. */
#define APK_CONTROL_MAX (4 << 20)

struct apk_script {
	char action[16];           /* "pre-install", "post-install", "trigger", ... */
	char *text;                /* malloc */
	size_t len;
};

/* What the first pass over a package file found. */
struct apk_pkgcheck {
	char csum[APK_Q1_LEN];     /* Q1 of the control member, as computed */
	char datahash[65];         /* .PKGINFO datahash (hex SHA-256), "" when absent */
	char data_sha256[65];      /* the data members' SHA-256, as computed */
	unsigned long long data_offset;  /* file offset where the data members start */
	unsigned long long size;   /* bytes of the file */
	long long read_us;         /* time spent in read(2): the medium's share (NFS, disk) */
	char *pkginfo;             /* .PKGINFO text (malloc, NUL-terminated) */
	struct apk_script scripts[APK_SCRIPTS_MAX];
	int nscripts;
	char triggers[1024];       /* .PKGINFO triggers = ..., "" when none */
	char why[256];
};

/* Read the package on FD from its start and check it, an abuild-signed
 * stream (apksig.h: the signature member, if any, holds only .SIGN.*
 * files): the control member (the first after the signature) must hash to
 * WANT_CSUM (the index's C:, NULL: no check) before it is read, with a tar
 * reader of its own, and the data members must hash to the datahash of
 * .PKGINFO. Returns 0; -EBADMSG for a damaged or smuggling file (no
 * .PKGINFO, bad gzip, bad tar, a signature member holding more); -EFBIG
 * (control member over APK_CONTROL_MAX); -EKEYREJECTED when a checksum does
 * not match or .PKGINFO has no datahash; -ENOMEM, -errno. C->why says
 * which. Free with apk_pkgcheck_free. */
int apk_pkg_check(int fd, const char *want_csum, struct apk_pkgcheck *c);
void apk_pkgcheck_free(struct apk_pkgcheck *c);

/* The script for ACTION ("post-install") or NULL. */
const struct apk_script *apk_pkg_script(const struct apk_pkgcheck *c, const char *action);

/* The value of KEY in .PKGINFO text (first occurrence) into OUT. Returns
 * 0 or -ENOENT. */
int apk_pkginfo_get(const char *pkginfo, const char *key, char *out, size_t outsz);

/* One file, link or directory that a package put on disk. */
struct apk_file {
	char *path;                /* relative, no leading '/' (malloc) */
	char type;                 /* 'f' file, 'l' symlink, 'h' hard link, 'd' directory */
	unsigned mode, uid, gid;
	char csum[APK_Q1_LEN];     /* Q1 of the contents (link target for symlinks), "" for dirs:
	                            * the package's APK-TOOLS.checksum.SHA1 record when it has
	                            * one, as apk takes it (the datahash covers it), else computed */
	char xattr_csum[APK_Q1_LEN];  /* Q1 of its extended attributes as apk hashes them, "" without */
	bool kept;                 /* the root already had it: left alone */
	bool apk_new;              /* written as PATH.apk-new instead */
	bool xattr_unsupported;    /* the filesystem refused an extended attribute (ENOTSUP) */
	bool not_owned;            /* set by the caller: another package owns it (not in the database) */
};

struct apk_files {
	struct apk_file *f;
	size_t n, cap;
};

void apk_files_free(struct apk_files *l);

/* How the data of a package meets what the root holds already. */
struct apk_unpack_opts {
	/* Should the existing non-directory PATH (relative) stay? Then a
	 * protected PATH gets the package's version as PATH.apk-new, another
	 * one is skipped. NULL: everything is replaced. */
	bool (*keep)(void *ctx, const char *path, bool *protect);
	void *ctx;
	/* Owner of an entry by name, as apk maps it: *UID / *GID hold the
	 * tar's numbers and are replaced when UNAME / GNAME ("" when the
	 * tar has none) are known. NULL: the numbers are used. */
	void (*owner)(void *ctx, const char *uname, const char *gname, unsigned *uid, unsigned *gid);
	/* Receives the data's bytes as they are unpacked (progress); may be NULL. */
	void (*progress)(void *ctx, unsigned long long bytes);
	/* FD is private to the caller (a copy it made): its bytes cannot have
	 * changed since apk_pkg_check, so they are not hashed again. */
	bool fd_private;
};

/* Unpack the data members of the package on FD (from C->data_offset) below
 * ROOTFD with lib/extract's path safety, recording each entry in FILES.
 * Unless O->fd_private, the bytes are hashed again: -EKEYREJECTED when
 * they are not the ones apk_pkg_check hashed (the file changed in between;
 * what was unpacked must then be discarded). Returns 0 or a negative errno
 * with WHY (WHYSZ) naming the entry. */
int apk_pkg_unpack(int fd, const struct apk_pkgcheck *c, int rootfd, const struct apk_unpack_opts *o,
                   struct apk_files *files, char *why, size_t whysz);

#endif
