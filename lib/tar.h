/* A push-style tar reader (ustar, GNU long names, pax path/linkpath/size,
 * the per-file SHA-1 apk's packager writes as a pax record, owner names,
 * and extended attributes as pax SCHILY.xattr.* records, as GNU tar and
 * apk write them), and a writer of regular files (ustar, GNU long names).
 * Bytes can be fed in any chunk sizes; it knows nothing about files. */
#ifndef NB_TAR_H
#define NB_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TAR_PATH_MAX 4096
#define TAR_XATTR_MAX 1024        /* all extended attributes of one entry, packed */

enum tar_type {
	TAR_FILE = '0', TAR_HARDLINK = '1', TAR_SYMLINK = '2', TAR_CHR = '3',
	TAR_BLK = '4', TAR_DIR = '5', TAR_FIFO = '6',
};

struct tar_entry {
	char name[TAR_PATH_MAX];
	char linkname[TAR_PATH_MAX];
	int type;                 /* enum tar_type ('0' also for old '\0') */
	mode_t mode;              /* permission bits only */
	uid_t uid;
	gid_t gid;
	long long size;           /* data bytes that follow (regular files) */
	long long mtime;
	unsigned devmajor, devminor;
	char sha1[41];            /* pax APK-TOOLS.checksum.SHA1 (40 hex digits), "" without */
	char uname[33], gname[33];  /* owner names (ustar fields, pax uname/gname), "" without */
	/* Extended attributes of pax SCHILY.xattr.NAME records, packed as
	 * NAME '\0' LEN(2 bytes, big-endian) VALUE, NXATTR of them in XATTR_LEN bytes. */
	unsigned char xattr[TAR_XATTR_MAX];
	size_t xattr_len;
	int nxattr;
};

struct tar_ops {
	int (*begin)(void *ctx, const struct tar_entry *e);              /* each entry */
	int (*data)(void *ctx, const void *buf, size_t len);             /* file data */
	int (*end)(void *ctx, const struct tar_entry *e);                /* after data */
};

struct tar_reader {
	const struct tar_ops *ops;
	void *ctx;
	char why[160];            /* cause of the last error in words */
	/* private */
	int state;
	unsigned char hdr[512];
	size_t hdr_fill;
	long long remain, pad;
	struct tar_entry e;
	char *extbuf;             /* pax / GNU long name payload */
	size_t ext_len, ext_fill;
	int ext_type;
	char longname[TAR_PATH_MAX], longlink[TAR_PATH_MAX];
	long long pax_size;
	int zero_blocks;
	int done;
	int err;                  /* sticky: returned again by later calls */
	unsigned pax_have;        /* which pax_* overrides are pending */
	long long pax_uid, pax_gid, pax_mtime;
	unsigned long long pos;   /* archive bytes consumed so far */
	char pax_sha1[41];
	char pax_uname[33], pax_gname[33];
	unsigned char pax_xattr[TAR_XATTR_MAX];
	size_t pax_xattr_len;
	int pax_nxattr;
	unsigned ext_seen;        /* extended headers (pax x/g, GNU L/K) read so far */
	/* Set by the caller after tar_init: refuse any byte other than zero
	 * after the end-of-archive marker (a signed stream holds exactly
	 * what it says). */
	bool strict_end;
};

/* The Ith extended attribute of E: its name, *VALUE and *LEN. Returns
 * the name or NULL past the last one. */
const char *tar_xattr(const struct tar_entry *e, int i, const unsigned char **value, size_t *len);

/* Limits on what the reader buffers: a pax extended header or a GNU long
 * name/link payload larger than this is refused with -EBADMSG. The payload
 * is the reader's only heap allocation (exactly its size, freed right after
 * it is parsed). Entries of types '1'..'6' carry no data (size 0), as in
 * POSIX; regular files and unknown types ('S', 'V', ...) carry SIZE bytes,
 * passed to ops->data. Old v7 '\0' and contiguous '7' are reported as '0'. */
#define TAR_EXT_MAX (64 * 1024)

/* Start reading an archive; callbacks get CTX. */
void tar_init(struct tar_reader *t, const struct tar_ops *ops, void *ctx);

/* Feed LEN bytes. Returns 0, -EBADMSG for a bad header (checksum, number
 * field), or a callback's error. Bytes after the end-of-archive marker are
 * ignored, unless T->strict_end: then anything but zero bytes is -EBADMSG. */
int tar_feed(struct tar_reader *t, const void *buf, size_t len);

/* NULL when T stands between two entries with nothing pending (no partial
 * header, no entry data left, no extended header waiting for its entry,
 * no end-of-archive marker seen), else the reason in words. */
const char *tar_between(const struct tar_reader *t);

/* Call after the last byte. Returns 0 when the end-of-archive marker was
 * seen and no entry is incomplete, else -EIO (truncated). Frees buffers. */
int tar_finish(struct tar_reader *t);

/* ---- writing ---- */

/* Receives the archive's bytes in order; returns 0 or a negative errno. */
typedef int (*tar_out)(void *ctx, const void *buf, size_t len);

/* Write a regular file NAME (relative, any length up to TAR_PATH_MAX - 1:
 * a GNU long-name entry comes first when it is longer than 99 bytes, as
 * apk's scripts.tar has them) holding SIZE bytes of DATA, permission bits
 * MODE, owner 0:0, mtime 0, to OUT (CTX), padded to 512-byte blocks.
 * Returns 0, -ENAMETOOLONG, -EFBIG (SIZE does not fit the 11 octal digits
 * of the size field) or OUT's error. */
int tar_write_file(tar_out out, void *ctx, const char *name, const void *data, size_t size, unsigned mode);

/* Write the end-of-archive marker (two zero blocks). Returns 0 or OUT's error. */
int tar_write_end(tar_out out, void *ctx);

#endif
