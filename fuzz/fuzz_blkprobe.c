/* Fuzz the superblock probe (lib/blkprobe.c) with the input as a disk
 * image in a memfd: vfat, ext2/3/4, iso9660, squashfs, btrfs and xfs
 * superblocks at their offsets, short images included. Invariants: a
 * result is 0 or -ENODATA (the image is readable), a found file system
 * has a known type, and every field is NUL-terminated within its array. */
#include <sys/mman.h>

#include "common.h"
#include "blkprobe.h"

static const char *const types[] = { "vfat", "ext2", "ext3", "ext4", "iso9660", "squashfs",
                                     "squashfs3", "btrfs", "xfs", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct blkprobe p;
	int err, i, known = 0;

	if (size > 1024 * 1024)
		return 0;
	if (fd < 0 && (fd = memfd_create("fuzz-blkprobe", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	memset(&p, 0xa5, sizeof(p));
	err = blk_probe_fd(fd, &p);
	FZ_ASSERT(err == 0 || err == -ENODATA);
	if (err)
		return 0;
	FZ_ASSERT(memchr(p.type, '\0', sizeof(p.type)));
	FZ_ASSERT(memchr(p.label, '\0', sizeof(p.label)));
	FZ_ASSERT(memchr(p.uuid, '\0', sizeof(p.uuid)));
	for (i = 0; types[i]; i++)
		known |= !strcmp(p.type, types[i]);
	if (!known) {
		fprintf(stderr, "fuzz: unknown type ");
		fz_put_escaped(p.type);
		fputc('\n', stderr);
	}
	FZ_ASSERT(known);
	return 0;
}
