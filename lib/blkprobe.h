/* File system superblock probe: TYPE, LABEL and UUID of the file systems a
 * netboot mounts, as libblkid names them (vfat, ext2/ext3/ext4, iso9660,
 * squashfs, btrfs, xfs), in a few KB instead of libblkid's 200. The musl
 * build (NB_BLKID=1) links lib/blkid.c instead: the same functions by libblkid. */
#ifndef NB_BLKPROBE_H
#define NB_BLKPROBE_H

struct blkprobe {
	char type[16];       /* "vfat", "ext4", ... */
	char label[256];     /* "" when the file system has none */
	char uuid[40];       /* libblkid's form: "1234-ABCD" (vfat), lowercase
	                      * 8-4-4-4-12 (ext, btrfs, xfs), the ISO date
	                      * "2024-01-02-03-04-05-00"; "" when none */
};

/* Probe the file system at the start of PATH (a block device or an image
 * file). Returns 0 with *P filled, -ENODATA when no known file system is
 * there, or -errno from open/read. */
int blk_probe(const char *path, struct blkprobe *p);

/* The same on an open descriptor (read with pread, never moved). */
int blk_probe_fd(int fd, struct blkprobe *p);

#endif
