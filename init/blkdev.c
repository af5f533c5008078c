/* Block devices named by UUID=, LABEL= or name: found with lib/blkprobe under
 * ROOT/sys/class/block, waiting a bounded time for them to appear, and
 * mounted read-only under /media/<name>. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "blkprobe.h"
#include "boot.h"
#include "fileio.h"

/* Probe DEV; fill TYPE and return 0 when it matches D (tag or name). */
static int probe(const struct devspec *d, const char *name, const char *dev,
                 char *type, size_t typesz)
{
	struct blkprobe p;
	int match;

	type[0] = '\0';
	if (blk_probe(dev, &p) != 0)
		/* A named device without a recognised file system still matches. */
		return !d->tag[0] && !strcmp(name, d->value) ? 0 : -ENODEV;
	if (!strcmp(d->tag, "UUID"))
		match = p.uuid[0] && !strcmp(p.uuid, d->value);
	else if (!strcmp(d->tag, "LABEL"))
		match = p.label[0] && !strcmp(p.label, d->value);
	else
		match = !strcmp(name, d->value);
	if (match)
		snprintf(type, typesz, "%s", p.type);
	return match ? 0 : -ENODEV;
}

int blkdev_find(struct boot *b, const struct devspec *d, long wait_ms,
                char *dev, size_t devsz, char *fstype, size_t fssz)
{
	long long deadline = mono_ms() + wait_ms;
	char dir[BOOT_PATH], p[BOOT_PATH];
	struct dirent *de;
	DIR *dd;

	if (rpath(b, dir, sizeof(dir), "/sys/class/block"))
		return -ENAMETOOLONG;
	for (;;) {
		if ((dd = opendir(dir))) {
			while ((de = readdir(dd))) {
				if (de->d_name[0] == '.' || !strncmp(de->d_name, "ram", 3) ||
				    !strncmp(de->d_name, "loop", 4))
					continue;
				if (!d->tag[0] && strcmp(de->d_name, d->value))
					continue;
				if (fmt_path(p, sizeof(p), "%s/dev/%s", b->root, de->d_name))
					continue;
				if (probe(d, de->d_name, p, fstype, fssz) == 0) {
					closedir(dd);
					snprintf(dev, devsz, "%s", p);
					return 0;
				}
			}
			closedir(dd);
		}
		if (mono_ms() >= deadline)
			return -ENODEV;
		sleep_ms(50);
	}
}

int blkdev_mount(struct boot *b, const struct devspec *d, struct mount_rec **out)
{
	char dev[BOOT_PATH], type[32], mnt[BOOT_PATH], spec[300];
	struct mount_rec *m;
	const char *name;
	int i, err;

	long long t0 = mono_ms();

	devspec_str(d, spec, sizeof(spec));
	err = blkdev_find(b, d, b->o.dev_wait_ms, dev, sizeof(dev), type, sizeof(type));
	tl_wait("device", spec, t0, mono_ms());
	if (err)
		return boot_fail(b, err, "%s: no such block device after %d s", spec, b->o.dev_wait_ms / 1000);
	if (d->fstype[0])
		snprintf(type, sizeof(type), "%s", d->fstype);
	if (!type[0])
		return boot_fail(b, -EINVAL, "%s (%s): unknown file system type; give it as :FSTYPE", spec, dev);
	/* Mounted already (ovl_dev on the boot media)? */
	for (i = 0; i < b->nmedia; i++)
		if (!strcmp(b->media[i].what, dev)) {
			*out = &b->media[i];
			return 0;
		}
	if (b->nmedia >= BOOT_MAX_MEDIA)
		return boot_fail(b, -ENOSPC, "%s: too many mounts", spec);
	name = strrchr(dev, '/') + 1;
	if (fmt_path(mnt, sizeof(mnt), "%s/media/%s", b->root, name))
		return boot_fail(b, -ENAMETOOLONG, "%s: path too long", spec);
	mkdir_p(mnt, 0755);
	modules_want(b, type, false);
	if (!strcmp(type, "vfat")) {
		/* The kernel's default codepage and iocharset (Debian: 437, ascii). */
		modules_want(b, "nls_cp437", false);
		modules_want(b, "nls_ascii", false);
		modules_want(b, "nls_utf8", false);
		modules_want(b, "nls_iso8859_1", false);
	}
	if (mount(dev, mnt, type, MS_RDONLY, NULL) < 0) {
		err = -errno;
		return boot_fail(b, err, "mount %s (%s, %s) on %s: %s", spec, dev, type, mnt, strerror(-err));
	}
	m = &b->media[b->nmedia++];
	snprintf(m->mnt, sizeof(m->mnt), "/media/%s", name);
	snprintf(m->what, sizeof(m->what), "%s", dev);
	snprintf(m->fstype, sizeof(m->fstype), "%s", type);
	log_info("%s: mounted %s (%s, %s) on %s", b->phase ? b->phase : "media", spec, dev, type, m->mnt);
	*out = m;
	return 0;
}
