/* Device specifications of alpine_dev=, ovl_dev= and apkovl=DEV:... */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"

static int copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int devspec_parse(struct devspec *d, const char *s, bool allow_nfs)
{
	const char *colon;

	memset(d, 0, sizeof(*d));
	if (!s || !*s)
		return -EINVAL;
	if (!strncmp(s, "nfs:", 4)) {
		const char *srv = s + 4, *path;

		if (!allow_nfs)
			return -EINVAL;
		path = strchr(srv, ':');
		if (!path || path == srv || path[1] != '/')
			return -EINVAL;
		d->kind = DEV_NFS;
		if (copy(d->server, sizeof(d->server), srv, (size_t)(path - srv)))
			return -EINVAL;
		return copy(d->path, sizeof(d->path), path + 1, strlen(path + 1));
	}
	d->kind = DEV_BLOCK;
	if (!strncmp(s, "UUID=", 5) || !strncmp(s, "LABEL=", 6)) {
		const char *eq = strchr(s, '=');
		copy(d->tag, sizeof(d->tag), s, (size_t)(eq - s));
		s = eq + 1;
	} else if (!strncmp(s, "/dev/", 5)) {
		s += 5;
	}
	colon = strchr(s, ':');
	if (!colon)
		colon = s + strlen(s);
	if (colon == s || copy(d->value, sizeof(d->value), s, (size_t)(colon - s)))
		return -EINVAL;
	if (!d->tag[0] && strchr(d->value, '/'))
		return -EINVAL;
	if (*colon && copy(d->fstype, sizeof(d->fstype), colon + 1, strlen(colon + 1)))
		return -EINVAL;
	if (*colon && (!d->fstype[0] || strchr(d->fstype, ':')))
		return -EINVAL;
	return 0;
}

const char *devspec_str(const struct devspec *d, char *buf, size_t size)
{
	if (d->kind == DEV_NFS)
		snprintf(buf, size, "%s:%s", d->server, d->path);
	else if (d->tag[0])
		snprintf(buf, size, "%s=%s", d->tag, d->value);
	else
		snprintf(buf, size, "/dev/%s", d->value);
	return buf;
}
