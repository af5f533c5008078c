/* blk_probe by path, for either probe (lib/blkprobe.c or, with NB_BLKID=1,
 * lib/blkid.c): both give blk_probe_fd. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "blkprobe.h"

int blk_probe(const char *path, struct blkprobe *p)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	memset(p, 0, sizeof(*p));
	if (fd < 0)
		return -errno;
	err = blk_probe_fd(fd, p);
	close(fd);
	return err;
}
