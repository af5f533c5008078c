/* Superblock probe (see blkprobe.h). Each file system is recognised by its
 * magic at a fixed offset; the weakest signature, the FAT boot sector, is
 * tried last and only with a plausible BIOS parameter block. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blkprobe.h"

/* Read SIZE bytes at OFF into BUF; bytes past the end of the device read as
 * zeros. Returns 0 or -errno. */
static int read_at(int fd, void *buf, size_t size, off_t off)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = pread(fd, (char *)buf + got, size - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset((char *)buf + got, 0, size - got);
	return 0;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* LEN bytes of S as a label: up to the first NUL, trailing blanks cut. */
static void set_label(struct blkprobe *p, const unsigned char *s, size_t len)
{
	size_t n = 0;

	while (n < len && n < sizeof(p->label) - 1 && s[n])
		n++;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	memcpy(p->label, s, n);
	p->label[n] = '\0';
}

/* 16 bytes as lowercase 8-4-4-4-12; all zeros is no UUID. */
static void set_uuid16(struct blkprobe *p, const unsigned char *u)
{
	static const unsigned char zero[16];
	int i, o = 0;

	if (!memcmp(u, zero, 16))
		return;
	for (i = 0; i < 16; i++)
		o += snprintf(p->uuid + o, sizeof(p->uuid) - (size_t)o, "%s%02x",
			      i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
}

/* ext2/3/4: superblock at 1024, magic 0xEF53. The name follows the
 * features, as libblkid decides it: a journal makes ext3, features beyond
 * ext3's make ext4; an external journal device is not a file system. */
static int probe_ext(const unsigned char *sb, struct blkprobe *p)
{
	uint32_t compat, incompat, ro;

	if (le16(sb + 0x38) != 0xEF53)
		return -ENODATA;
	compat = le32(sb + 0x5C);
	incompat = le32(sb + 0x60);
	ro = le32(sb + 0x64);
	if (incompat & 0x0008)             /* JOURNAL_DEV */
		return -ENODATA;
	if ((ro & ~0x7u) || (incompat & ~0x16u))
		strcpy(p->type, "ext4");
	else if (compat & 0x0004)          /* HAS_JOURNAL */
		strcpy(p->type, "ext3");
	else
		strcpy(p->type, "ext2");
	set_label(p, sb + 0x78, 16);
	set_uuid16(p, sb + 0x68);
	return 0;
}

/* ISO 9660: primary volume descriptor at 32768. The UUID is libblkid's:
 * the modification date (else the creation date) as digits. */
static int probe_iso(const unsigned char *vd, struct blkprobe *p)
{
	static const int at[2] = { 830, 813 };
	int i, k;

	if (vd[0] != 1 || memcmp(vd + 1, "CD001", 5))
		return -ENODATA;
	strcpy(p->type, "iso9660");
	set_label(p, vd + 40, 32);
	for (i = 0; i < 2; i++) {
		const unsigned char *d = vd + at[i];
		bool zero = true;

		for (k = 0; k < 16; k++) {
			if (d[k] < '0' || d[k] > '9')
				break;
			zero = zero && d[k] == '0';
		}
		if (k < 16 || zero)
			continue;
		snprintf(p->uuid, sizeof(p->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s",
			 d, d + 4, d + 6, d + 8, d + 10, d + 12, d + 14);
		break;
	}
	return 0;
}

/* FAT: the volume label is the root directory's label entry when there is
 * one (mlabel and Windows change that one), else the boot sector's. */
static void fat_root_label(int fd, const unsigned char *bs, bool fat32, struct blkprobe *p)
{
	unsigned char dir[16384];
	uint32_t bps = le16(bs + 11), spc = bs[13], res = le16(bs + 14), nfats = bs[16];
	uint32_t fatsz = fat32 ? le32(bs + 36) : le16(bs + 22);
	uint64_t off, len;
	size_t i;

	if (fat32) {
		uint32_t root = le32(bs + 44);
		if (root < 2)
			return;
		off = ((uint64_t)res + (uint64_t)nfats * fatsz + (uint64_t)(root - 2) * spc) * bps;
		len = (uint64_t)spc * bps;     /* the first cluster of the root */
	} else {
		off = ((uint64_t)res + (uint64_t)nfats * fatsz) * bps;
		len = (uint64_t)le16(bs + 17) * 32;
	}
	if (len > sizeof(dir))
		len = sizeof(dir);
	if (read_at(fd, dir, (size_t)len, (off_t)off))
		return;
	for (i = 0; i + 32 <= len; i += 32) {
		const unsigned char *e = dir + i;

		if (e[0] == 0)
			break;
		if (e[0] == 0xE5 || e[11] == 0x0F || (e[11] & 0x18) != 0x08)
			continue;   /* deleted, long name part, not a volume label */
		set_label(p, e, 11);
		if (p->label[0] == 0x05)
			p->label[0] = (char)0xE5;
		return;
	}
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int probe_fat(int fd, const unsigned char *bs, struct blkprobe *p)
{
	uint32_t bps = le16(bs + 11), spc = bs[13], res = le16(bs + 14), nfats = bs[16];
	const unsigned char *ext;
	bool fat32;

	if ((bs[0] != 0xEB && bs[0] != 0xE9) || bps < 512 || bps > 4096 || !pow2(bps) ||
	    !pow2(spc) || spc > 128 || !res || nfats < 1 || nfats > 2 ||
	    (bs[21] != 0xF0 && bs[21] < 0xF8) ||
	    (!le16(bs + 19) && !le32(bs + 32)))
		return -ENODATA;
	fat32 = le16(bs + 22) == 0;
	if (fat32 && !le32(bs + 36))
		return -ENODATA;
	strcpy(p->type, "vfat");
	ext = bs + (fat32 ? 64 : 36);        /* drive number, reserved, signature */
	if (ext[2] == 0x29 || ext[2] == 0x28)
		snprintf(p->uuid, sizeof(p->uuid), "%02X%02X-%02X%02X", ext[6], ext[5], ext[4], ext[3]);
	fat_root_label(fd, bs, fat32, p);
	if (!p->label[0] && ext[2] == 0x29 && memcmp(ext + 7, "NO NAME    ", 11))
		set_label(p, ext + 7, 11);
	return 0;
}

int blk_probe_fd(int fd, struct blkprobe *p)
{
	unsigned char head[2048], iso[2048], btr[1024];
	int err;

	memset(p, 0, sizeof(*p));
	if ((err = read_at(fd, head, sizeof(head), 0)))
		return err;
	if (!memcmp(head, "hsqs", 4)) {
		strcpy(p->type, le16(head + 28) >= 4 ? "squashfs" : "squashfs3");
		return 0;
	}
	if (!memcmp(head, "XFSB", 4)) {
		strcpy(p->type, "xfs");
		set_label(p, head + 108, 12);
		set_uuid16(p, head + 32);
		return 0;
	}
	if ((err = read_at(fd, iso, sizeof(iso), 32768)))
		return err;
	if (!probe_iso(iso, p))
		return 0;
	if (!probe_ext(head + 1024, p))
		return 0;
	if ((err = read_at(fd, btr, sizeof(btr), 65536)))
		return err;
	if (!memcmp(btr + 0x40, "_BHRfS_M", 8)) {
		strcpy(p->type, "btrfs");
		set_label(p, btr + 0x12B, 256);
		set_uuid16(p, btr + 0x20);
		return 0;
	}
	return probe_fat(fd, head, p);
}
