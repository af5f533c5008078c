/* Safe extraction of tar entries below a root directory. Never writes
 * outside ROOTFD: refuses absolute names, "..", hard links that leave the
 * root, device nodes, and any write through a symbolic link. */
#ifndef NB_EXTRACT_H
#define NB_EXTRACT_H

#include "tar.h"

struct extract {
	int rootfd;              /* directory everything goes below */
	int fd;                  /* private: file being written */
	long long files, dirs, links, bytes;
	char why[TAR_PATH_MAX + 128];  /* on error: "etc/../../x: path leaves the root" */
	/* private */
	char name[TAR_PATH_MAX];       /* entry being written (for why) */
	long long xattr_unsupported;   /* extended attributes the filesystem refused (ENOTSUP) */
};

/* Deepest path an entry may have, in components ("a/b/c" is 3): below
 * the depth extract_wipe reaches, so that a wipe can always remove
 * everything an extraction made. */
#define EXTRACT_DEPTH_MAX 256

/* Errors (x->why always says which entry and why; set on every error):
 *   -EPERM       absolute name or ".." ("NAME: path leaves the root"), a
 *                path through a symbolic link, a hard link whose target
 *                leaves the root / is not a regular file, device nodes
 *   -EOPNOTSUPP  entry types other than file, dir, symlink, hard link, FIFO
 *   -ENOENT      hard link target not extracted (yet)
 *   -ELOOP       more than EXTRACT_DEPTH_MAX path components
 *   -EISDIR      a directory stands where a non-directory goes
 *   -ENOTDIR     a non-directory stands where a parent directory goes
 *   other        system call errors (-ENOSPC, ...)
 * Later entries replace earlier non-directories of the same name (the old
 * one is unlinked, never followed). Modes, owners (EPERM ignored when not
 * root), extended attributes (pax SCHILY.xattr.*, after the owner: a
 * chown clears a file capability; ENOTSUP counted in xattr_unsupported)
 * and mtimes are applied as each entry completes, so a directory's
 * mtime changes again when entries are added below it; without root, a
 * directory whose mode denies its owner writing cannot receive entries. */

/* Prepare X to extract below ROOTFD (kept open by the caller). */
void extract_init(struct extract *x, int rootfd);

/* tar_ops that apply entries to x->rootfd; pass the struct extract as ctx. */
extern const struct tar_ops extract_tar_ops;

/* Close anything left open after an error. */
void extract_abort(struct extract *x);

/* Remove everything below directory fd DIRFD (not DIRFD itself), staying on
 * its filesystem. Returns 0 or the first negative errno. Symlinks are
 * removed, never followed; mount points below (another filesystem or a
 * bind mount) are left with what is in them, which is not an error; it goes
 * on after an error, and stops descending at 512 levels (-ELOOP). */
int extract_wipe(int dirfd);

#endif
