/* Reading a kernel module file (.ko, .ko.gz, and .ko.xz / .ko.zst in a
 * build with NB_MODULE_XZ=1 / NB_MODULE_ZSTD=1) into memory, decompressed.
 * Knows nothing about modules.dep or loading (kmod.h). */
#ifndef NB_MODFILE_H
#define NB_MODFILE_H

#include <stdbool.h>
#include <stddef.h>

enum modfile_kind { MODFILE_RAW = 0, MODFILE_GZIP, MODFILE_XZ, MODFILE_ZSTD };

/* The compression of a module file whose first LEN bytes are HEAD (6 are
 * enough), by its magic: MODFILE_GZIP, _XZ, _ZSTD, else MODFILE_RAW. */
int modfile_kind(const void *head, size_t len);

/* Read the module file PATH into a new buffer (*BUF, free() it; *LEN bytes),
 * decompressed when it starts with the gzip, xz or zstd magic (any other
 * content is returned as is). Returns 0, -EBADMSG (corrupt or truncated
 * compressed data), -EFBIG (over 256 MiB decompressed), -EOPNOTSUPP (xz or
 * zstd in a build without it: NB_MODULE_XZ=0, NB_MODULE_ZSTD=0), -ENOMEM or
 * -errno. */
int modfile_read(const char *path, void **buf, size_t *len);

/* Whether this build decompresses .ko.xz / .ko.zst itself (NB_MODULE_XZ,
 * NB_MODULE_ZSTD); gzip it always does. */
extern const bool modfile_has_xz, modfile_has_zstd;

#endif
