/* blk_probe on real images made by mkfs.vfat, mke2fs, genisoimage,
 * mksquashfs, mkfs.btrfs and mkfs.xfs (a tool that is missing is a skip),
 * checked against the values given to the tool and against util-linux's
 * `blkid -p` on the same image. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkprobe.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_blkprobe.XXXXXX";

struct row {
	const char *file;
	int line;
	const char *tool;     /* needed on PATH */
	const char *cmd;      /* makes img in the temp dir */
	int err;
	const char *type, *label, *uuid;   /* NULL: not checked (blkid decides) */
};

#define P(tool, cmd, type, label, uuid) { __FILE__, __LINE__, tool, cmd, 0, type, label, uuid }
#define P_ERR(tool, cmd, err) { __FILE__, __LINE__, tool, cmd, err, NULL, NULL, NULL }

static const struct row rows[] = {
	P("mkfs.vfat", "mkfs.vfat -C -F 12 -n NBBOOT -i 1234abcd img 2048", "vfat", "NBBOOT", "1234-ABCD"),
	P("mkfs.vfat", "mkfs.vfat -C -F 16 -n OVL -i 0badcafe img 32768", "vfat", "OVL", "0BAD-CAFE"),
	P("mkfs.vfat", "mkfs.vfat -C -F 32 -n 'MY DISK' -i deadbeef img 65536", "vfat", "MY DISK", "DEAD-BEEF"),
	P("mkfs.vfat", "mkfs.vfat -C -F 16 -i 00000001 img 32768", "vfat", "", "0000-0001"),
	/* mlabel changes the root directory's label: that one counts */
	P("mlabel", "mkfs.vfat -C -F 16 -n OLD img 32768 && MTOOLS_SKIP_CHECK=1 mlabel -i img ::NEWLABEL",
	  "vfat", "NEWLABEL", NULL),
	P("mlabel", "mkfs.vfat -C -F 32 -n OLD img 65536 && MTOOLS_SKIP_CHECK=1 mlabel -i img ::NEW32",
	  "vfat", "NEW32", NULL),
	P("mke2fs", "mke2fs -q -F -t ext2 -L e2 -U 0e2a7d2e-1111-4222-8333-444455556666 img 4096",
	  "ext2", "e2", "0e2a7d2e-1111-4222-8333-444455556666"),
	P("mke2fs", "mke2fs -q -F -t ext3 -L e3 -U 0e3a7d2e-1111-4222-8333-444455556666 img 4096",
	  "ext3", "e3", "0e3a7d2e-1111-4222-8333-444455556666"),
	P("mke2fs", "mke2fs -q -F -t ext4 -L alpine-boot -U 0e4a7d2e-1111-4222-8333-444455556666 img 8192",
	  "ext4", "alpine-boot", "0e4a7d2e-1111-4222-8333-444455556666"),
	P("mke2fs", "mke2fs -q -F -t ext4 -O ^has_journal -L nojournal img 8192", "ext4", "nojournal", NULL),
	P("mke2fs", "mke2fs -q -F -t ext4 -L 0123456789abcdef img 8192", "ext4", "0123456789abcdef", NULL),
	P("genisoimage", "mkdir -p iso/a && echo x > iso/a/f && genisoimage -quiet -V ALPINE_ISO -J -r -o img iso",
	  "iso9660", "ALPINE_ISO", NULL),
	P("mksquashfs", "mkdir -p sq && echo x > sq/f && mksquashfs sq img -quiet -noappend >/dev/null",
	  "squashfs", "", ""),
	P("mkfs.btrfs", "truncate -s 128M img && mkfs.btrfs -q -f -L btrlabel -U 0b7a7d2e-1111-4222-8333-444455556666 img",
	  "btrfs", "btrlabel", "0b7a7d2e-1111-4222-8333-444455556666"),
	P("mkfs.xfs", "truncate -s 320M img && mkfs.xfs -q -f -L xfslabel -m uuid=0f5a7d2e-1111-4222-8333-444455556666 img",
	  "xfs", "xfslabel", "0f5a7d2e-1111-4222-8333-444455556666"),
	/* ext4 over an old vfat: mke2fs wipes the FAT boot sector */
	P("mke2fs", "mkfs.vfat -C -n OLDFAT img 8192 && mke2fs -q -F -t ext4 -L newext img", "ext4", "newext", NULL),
	P_ERR(NULL, "truncate -s 1M img", -ENODATA),
	P_ERR(NULL, "head -c 200000 /dev/urandom > img", -ENODATA),
	P_ERR(NULL, "printf x > img", -ENODATA),
	/* a partition table alone is no file system (the whole disk) */
	P_ERR(NULL, "truncate -s 8M img && printf '\\200\\040\\041\\000\\014' | dd of=img bs=1 seek=446 conv=notrunc && "
	      "printf '\\010' | dd of=img bs=1 seek=455 conv=notrunc && printf '\\125\\252' | dd of=img bs=1 seek=510 conv=notrunc",
	      -ENODATA),
	P_ERR(NULL, "rm -f img", -ENOENT),
};

static int have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static int run(const char *cmd)
{
	char full[1024];

	snprintf(full, sizeof(full), "cd %s && rm -rf img iso sq && PATH=$PATH:/sbin:/usr/sbin && (%s) >/dev/null 2>&1",
		 tmpdir, cmd);
	return system(full);
}

/* KEY's value from `blkid -p img`, "" when absent; -1 without blkid. */
static int blkid_value(const char *key, char *out, size_t size)
{
	char cmd[512], line[512];
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin blkid -p -o value -s %s %s/img 2>/dev/null",
		 key, tmpdir);
	if (!(f = popen(cmd, "r")))
		return -1;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%s", line);
	}
	pclose(f);
	return 0;
}

static void check(const struct row *r, bool with_blkid)
{
	struct blkprobe p;
	char path[300], bt[64], bl[300], bu[64];
	int err;

	if (r->tool && !have(r->tool)) {
		tap_n++;
		printf("ok %d # skip %s not installed\n", tap_n, r->tool);
		return;
	}
	if (run(r->cmd) != 0) {
		ok_at(0, r->file, r->line, "`%s` failed", r->cmd);
		return;
	}
	snprintf(path, sizeof(path), "%s/img", tmpdir);
	err = blk_probe(path, &p);
	if (r->err) {
		ok_at(err == r->err, r->file, r->line, "`%s`: %d (want %d)", r->cmd, err, r->err);
		return;
	}
	ok_at(err == 0 && !strcmp(p.type, r->type) && !strcmp(p.label, r->label) &&
	      (!r->uuid || !strcmp(p.uuid, r->uuid)), r->file, r->line,
	      "`%s`: %d TYPE=%s LABEL='%s' UUID=%s", r->cmd, err, p.type, p.label, p.uuid);
	if (!with_blkid)
		return;
	blkid_value("TYPE", bt, sizeof(bt));
	blkid_value("LABEL", bl, sizeof(bl));
	blkid_value("UUID", bu, sizeof(bu));
	ok_at(!strcmp(p.type, bt) && !strcmp(p.label, bl) && !strcmp(p.uuid, bu), r->file, r->line,
	      "same as blkid -p: TYPE=%s LABEL='%s' UUID=%s", bt, bl, bu);
}

int main(void)
{
	bool with_blkid;
	char cmd[300];
	size_t i;

	if (!mkdtemp(tmpdir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	with_blkid = have("blkid");
	if (!with_blkid)
		diag("no blkid: not compared with util-linux");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(&rows[i], with_blkid);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	(void)!system(cmd);
	return done_testing();
}
