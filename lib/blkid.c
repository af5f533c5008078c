/* blkprobe.h's probe done by libblkid (make LIBC=musl, NB_BLKID=1): every
 * file system util-linux knows, under the names and in the forms that
 * lib/blkprobe.c copies for the few it reads itself. */
#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "blkprobe.h"

/* Copy the probe's value NAME into DST (SIZE bytes, cut there); "" when
 * there is none. */
static void value(blkid_probe pr, const char *name, char *dst, size_t size)
{
	const char *v;
	size_t len;

	if (blkid_probe_lookup_value(pr, name, &v, &len) < 0 || !v) {
		dst[0] = '\0';
		return;
	}
	len = strnlen(v, len);
	if (len >= size)
		len = size - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

int blk_probe_fd(int fd, struct blkprobe *p)
{
	blkid_probe pr;
	int r;

	memset(p, 0, sizeof(*p));
	pr = blkid_new_probe();
	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		r = errno ? -errno : -EIO;
		blkid_free_probe(pr);
		return r;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID);
	/* 1: nothing found; -2: two signatures that disagree (not guessed). */
	r = blkid_do_safeprobe(pr);
	if (r == 0) {
		value(pr, "TYPE", p->type, sizeof(p->type));
		value(pr, "LABEL", p->label, sizeof(p->label));
		value(pr, "UUID", p->uuid, sizeof(p->uuid));
	}
	blkid_free_probe(pr);
	if (r == 0 && p->type[0])
		return 0;
	return r == -1 ? -EIO : -ENODATA;
}
