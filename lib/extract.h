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
};

/* Prepare X to extract below ROOTFD (kept open by the caller). */
void extract_init(struct extract *x, int rootfd);

/* tar_ops that apply entries to x->rootfd; pass the struct extract as ctx. */
extern const struct tar_ops extract_tar_ops;

/* Close anything left open after an error. */
void extract_abort(struct extract *x);

/* Remove everything below directory fd DIRFD (not DIRFD itself), staying on
 * its filesystem. Returns 0 or the first negative errno. */
int extract_wipe(int dirfd);

#endif
