/* Safe extraction of tar entries below a root directory fd, and a wipe
 * that empties such a directory again.
 *
 * Every path is reduced to plain components (no "", ".", and ".." is
 * refused outright) and opened one component at a time with openat2()
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, so nothing
 * is ever reached through a symbolic link, whether it was there before or
 * came earlier in the same archive. Files are created with O_EXCL after
 * unlinking whatever non-directory had the name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "extract.h"
#include "fileio.h"

#ifndef STATX_TYPE
/* musl before 1.2.5 (Debian 12 has 1.2.3) has no statx(): the system call. */
#include <linux/stat.h>
static int statx(int dfd, const char *path, int flags, unsigned int mask,
                 struct statx *sx)
{
	return (int)syscall(SYS_statx, dfd, path, flags, mask, sx);
}
#endif

/* Deepest directory nesting extract_wipe descends into (one fd and a
 * small buffer per level). */
#define WIPE_DEPTH_MAX 512
_Static_assert(EXTRACT_DEPTH_MAX < WIPE_DEPTH_MAX, "the wipe must reach everything extraction can make");

static int refuse(struct extract *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(struct extract *x, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return err;
}

/* Open NAME, a single path component, in DIRFD without following any
 * symbolic link. Returns the fd or a negative errno (-ELOOP: a symlink). */
static int open_beneath(int dirfd, const char *name, int flags, mode_t mode)
{
	static int no_openat2;
	struct open_how how;
	int fd = -1, tries;

	if (!no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (unsigned)flags;
		how.mode = flags & O_CREAT ? mode : 0;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		/* EAGAIN: a rename raced with RESOLVE_BENEATH's checks. */
		for (tries = 0; tries < 16; tries++) {
			fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
		no_openat2 = 1;
	}
	/* Before Linux 5.6: NAME is one component other than "..", so
	 * O_NOFOLLOW alone keeps us off symlinks and inside DIRFD. */
	fd = openat(dirfd, name, flags | O_NOFOLLOW, mode);
	return fd < 0 ? -errno : fd;
}

/* Reduce NAME to components joined by single slashes into OUT (at least
 * strlen(NAME) + 1 bytes): "./a//b/" -> "a/b", "." -> "". Returns 0, or
 * -EPERM for an absolute name or a ".." component. */
static int normalise(const char *name, char *out)
{
	const char *p = name;
	size_t o = 0;

	if (name[0] == '/')
		return -EPERM;
	while (*p) {
		const char *c = p;
		size_t n;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		while (*p == '/')
			p++;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return -EPERM;
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

/* Split normalised PATH in place into its parent ("" for the root) and
 * last component, which is returned. */
static char *split_leaf(char *path, const char **parent)
{
	char *slash = strrchr(path, '/');

	if (!slash) {
		*parent = "";
		return path;
	}
	*slash = '\0';
	*parent = path;
	return slash + 1;
}

/* Open the directory at normalised PATH below the root one component at
 * a time; with CREATE, missing components are made (mode 0755). Returns an
 * fd or a negative errno, with *UPTO the length of PATH's prefix that
 * failed. */
static int walk(struct extract *x, const char *path, int create, size_t *upto)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	int cur, fd, err;

	*upto = 0;
	cur = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return -errno;
	while (*p) {
		const char *c = p;
		size_t n;
		int made = 0;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		*upto = (size_t)(p - path);
		if (*p)
			p++;
		if (n > NAME_MAX) {
			err = -ENAMETOOLONG;
			goto err_close;
		}
		memcpy(comp, c, n);
		comp[n] = '\0';
		fd = open_beneath(cur, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd == -ENOENT && create) {
			if (mkdirat(cur, comp, 0755) == 0)
				made = 1;
			else if (errno != EEXIST) {
				err = -errno;
				goto err_close;
			}
			fd = open_beneath(cur, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		}
		if (fd < 0) {
			err = fd;
			goto err_close;
		}
		/* Exactly 0755 whatever the umask. */
		if (made && fchmod(fd, 0755) < 0) {
			err = -errno;
			close(fd);
			goto err_close;
		}
		close(cur);
		cur = fd;
	}
	return cur;

err_close:
	close(cur);
	return err;
}

/* Words for a failed walk() to PATH (prefix length UPTO) for entry NAME. */
static int walk_fail(struct extract *x, const char *name, const char *what,
                     const char *path, size_t upto, int err)
{
	if (err == -ELOOP)
		return refuse(x, -EPERM, "%s: %s%.*s is a symbolic link; refusing to go through it",
		              name, what, (int)upto, path);
	if (err == -ENOTDIR)
		return refuse(x, err, "%s: %s%.*s is not a directory", name, what, (int)upto, path);
	return refuse(x, err, "%s: %s%.*s: %s", name, what, (int)upto, path, strerror(-err));
}

/* Make room for a new non-directory LEAF in DFD: unlink what is there
 * (a symlink is removed, not followed); a directory stays and is an error. */
static int clear_place(struct extract *x, const char *name, int dfd, const char *leaf)
{
	struct stat st;

	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return refuse(x, -errno, "%s: %s", name, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return refuse(x, -EISDIR, "%s: a directory is in the way", name);
	if (unlinkat(dfd, leaf, 0) < 0)
		return refuse(x, -errno, "%s: removing the old one: %s", name, strerror(errno));
	return 0;
}

static int chown_ok(void)
{
	return errno == EPERM && geteuid() != 0;
}

/* Owner, then mode (chown clears set-id bits), then the extended
 * attributes (chown also clears a file capability), then mtime of open FD.
 * An attribute the filesystem does not support is counted in
 * x->xattr_unsupported, not an error (as apk). */
static int set_attrs(struct extract *x, const struct tar_entry *e, int fd)
{
	struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };
	const unsigned char *v;
	const char *name;
	size_t len;
	int i;

	if (fchown(fd, e->uid, e->gid) < 0 && !chown_ok())
		return refuse(x, -errno, "%s: chown %u:%u: %s", e->name, (unsigned)e->uid,
		              (unsigned)e->gid, strerror(errno));
	if (fchmod(fd, e->mode & 07777) < 0)
		return refuse(x, -errno, "%s: chmod: %s", e->name, strerror(errno));
	for (i = 0; (name = tar_xattr(e, i, &v, &len)); i++)
		if (fsetxattr(fd, name, v, len, 0) < 0) {
			if (errno != ENOTSUP && errno != EOPNOTSUPP)
				return refuse(x, -errno, "%s: extended attribute %s: %s", e->name, name, strerror(errno));
			x->xattr_unsupported++;
		}
	if (futimens(fd, ts) < 0)
		return refuse(x, -errno, "%s: setting the time: %s", e->name, strerror(errno));
	return 0;
}

static int make_file(struct extract *x, const struct tar_entry *e, int dfd, const char *leaf)
{
	int fd, err;

	if ((err = clear_place(x, e->name, dfd, leaf)))
		return err;
	fd = open_beneath(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return refuse(x, fd, "%s: %s", e->name, strerror(-fd));
	x->fd = fd;
	return 0;
}

static int make_dir(struct extract *x, const struct tar_entry *e, int dfd, const char *leaf)
{
	struct stat st;
	int fd, err;

	if (mkdirat(dfd, leaf, 0700) < 0) {
		if (errno != EEXIST)
			return refuse(x, -errno, "%s: %s", e->name, strerror(errno));
		/* An existing directory is kept; anything else gives way. */
		if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return refuse(x, -errno, "%s: %s", e->name, strerror(errno));
		if (!S_ISDIR(st.st_mode)) {
			if ((err = clear_place(x, e->name, dfd, leaf)))
				return err;
			if (mkdirat(dfd, leaf, 0700) < 0)
				return refuse(x, -errno, "%s: %s", e->name, strerror(errno));
		}
	}
	fd = open_beneath(dfd, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return refuse(x, fd, "%s: %s", e->name, strerror(-fd));
	err = set_attrs(x, e, fd);
	close(fd);
	if (!err)
		x->dirs++;
	return err;
}

static int make_symlink(struct extract *x, const struct tar_entry *e, int dfd, const char *leaf)
{
	struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };
	int err;

	if (!e->linkname[0])
		return refuse(x, -EINVAL, "%s: symbolic link with an empty target", e->name);
	if ((err = clear_place(x, e->name, dfd, leaf)))
		return err;
	/* Any target: it is resolved inside the new root after switch_root,
	 * and never by us (nothing below goes through a symlink). */
	if (symlinkat(e->linkname, dfd, leaf) < 0)
		return refuse(x, -errno, "%s: %s", e->name, strerror(errno));
	if (fchownat(dfd, leaf, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0 && !chown_ok())
		return refuse(x, -errno, "%s: chown %u:%u: %s", e->name, (unsigned)e->uid,
		              (unsigned)e->gid, strerror(errno));
	if (utimensat(dfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return refuse(x, -errno, "%s: setting the time: %s", e->name, strerror(errno));
	x->links++;
	return 0;
}

static int make_hardlink(struct extract *x, const struct tar_entry *e, int dfd, const char *leaf)
{
	char target[TAR_PATH_MAX];
	const char *tparent, *tleaf;
	struct stat ts, st;
	size_t upto;
	int tfd, err;

	if (normalise(e->linkname, target) < 0)
		return refuse(x, -EPERM, "%s: hard link target %s leaves the root", e->name, e->linkname);
	if (!target[0])
		return refuse(x, -EPERM, "%s: hard link target %s is not a regular file", e->name, e->linkname);
	tleaf = split_leaf(target, &tparent);
	tfd = walk(x, tparent, 0, &upto);
	if (tfd == -ENOENT)
		return refuse(x, -ENOENT, "%s: hard link target %s does not exist", e->name, e->linkname);
	if (tfd < 0)
		return walk_fail(x, e->name, "hard link target ", tparent, upto, tfd);
	if (fstatat(tfd, tleaf, &ts, AT_SYMLINK_NOFOLLOW) < 0) {
		err = errno == ENOENT ?
		      refuse(x, -ENOENT, "%s: hard link target %s does not exist", e->name, e->linkname) :
		      refuse(x, -errno, "%s: hard link target %s: %s", e->name, e->linkname, strerror(errno));
		goto out;
	}
	if (!S_ISREG(ts.st_mode)) {
		err = refuse(x, -EPERM, "%s: hard link target %s is not a regular file", e->name, e->linkname);
		goto out;
	}
	/* Already the same file (a link to itself, or a repeated entry). */
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == ts.st_dev && st.st_ino == ts.st_ino) {
		err = 0;
		x->links++;
		goto out;
	}
	if ((err = clear_place(x, e->name, dfd, leaf)))
		goto out;
	/* Flags 0: a symlink at TLEAF would be linked itself, never followed
	 * (and S_ISREG above already excluded one). */
	if (linkat(tfd, tleaf, dfd, leaf, 0) < 0) {
		err = refuse(x, -errno, "%s: hard link to %s: %s", e->name, e->linkname, strerror(errno));
		goto out;
	}
	x->links++;
out:
	close(tfd);
	return err;
}

static int make_fifo(struct extract *x, const struct tar_entry *e, int dfd, const char *leaf)
{
	int fd, err;

	if ((err = clear_place(x, e->name, dfd, leaf)))
		return err;
	if (mknodat(dfd, leaf, S_IFIFO | 0600, 0) < 0)
		return refuse(x, -errno, "%s: %s", e->name, strerror(errno));
	/* O_NONBLOCK: opening a FIFO for reading must not wait for a writer. */
	fd = open_beneath(dfd, leaf, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0)
		return refuse(x, fd, "%s: %s", e->name, strerror(-fd));
	err = set_attrs(x, e, fd);
	close(fd);
	if (!err)
		x->files++;
	return err;
}

static int x_begin(void *ctx, const struct tar_entry *e)
{
	struct extract *x = ctx;
	char path[TAR_PATH_MAX];
	const char *parent, *leaf;
	size_t upto;
	int dfd, err, depth;

	snprintf(x->name, sizeof(x->name), "%s", e->name);
	switch (e->type) {
	case TAR_FILE: case TAR_DIR: case TAR_SYMLINK: case TAR_HARDLINK: case TAR_FIFO:
		break;
	case TAR_CHR: case TAR_BLK:
		return refuse(x, -EPERM, "%s: device nodes are not allowed", e->name);
	default:
		if (e->type > ' ' && e->type < 0x7f)
			return refuse(x, -EOPNOTSUPP, "%s: unsupported tar entry type '%c'", e->name, e->type);
		return refuse(x, -EOPNOTSUPP, "%s: unsupported tar entry type %d", e->name, e->type);
	}
	if (normalise(e->name, path) < 0)
		return refuse(x, -EPERM, "%s: path leaves the root", e->name);
	for (depth = 1, leaf = path; (leaf = strchr(leaf, '/')); leaf++)
		depth++;
	if (depth > EXTRACT_DEPTH_MAX)
		return refuse(x, -ELOOP, "%.64s...: %d directory levels, more than %d", e->name, depth, EXTRACT_DEPTH_MAX);
	if (!path[0]) {
		/* "./": the root itself, which belongs to the caller. */
		if (e->type == TAR_DIR)
			return 0;
		return refuse(x, -EINVAL, "%s: not a valid name for a %s", e->name,
		              e->type == TAR_SYMLINK || e->type == TAR_HARDLINK ? "link" : "file");
	}
	leaf = split_leaf(path, &parent);
	if (strlen(leaf) > NAME_MAX)
		return refuse(x, -ENAMETOOLONG, "%s: %s", e->name, strerror(ENAMETOOLONG));
	dfd = walk(x, parent, 1, &upto);
	if (dfd < 0)
		return walk_fail(x, e->name, "", parent, upto, dfd);

	switch (e->type) {
	case TAR_FILE:
		err = make_file(x, e, dfd, leaf);
		break;
	case TAR_DIR:
		err = make_dir(x, e, dfd, leaf);
		break;
	case TAR_SYMLINK:
		err = make_symlink(x, e, dfd, leaf);
		break;
	case TAR_HARDLINK:
		err = make_hardlink(x, e, dfd, leaf);
		break;
	default:
		err = make_fifo(x, e, dfd, leaf);
		break;
	}
	close(dfd);
	return err;
}

static int x_data(void *ctx, const void *buf, size_t len)
{
	struct extract *x = ctx;
	int err;

	if (x->fd < 0)
		return refuse(x, -EINVAL, "%s: data for an entry that has none", x->name);
	if ((err = write_all(x->fd, buf, len)))
		return refuse(x, err, "%s: %s", x->name, strerror(-err));
	x->bytes += (long long)len;
	return 0;
}

static int x_end(void *ctx, const struct tar_entry *e)
{
	struct extract *x = ctx;
	int err;

	if (x->fd < 0)
		return 0;
	err = set_attrs(x, e, x->fd);
	if (close(x->fd) < 0 && !err)
		err = refuse(x, -errno, "%s: %s", e->name, strerror(errno));
	x->fd = -1;
	if (!err)
		x->files++;
	return err;
}

/* tar_ops applying entries below x->rootfd (see extract.h). */
const struct tar_ops extract_tar_ops = {
	.begin = x_begin,
	.data = x_data,
	.end = x_end,
};

/* Prepare X to extract below ROOTFD; counters zero, nothing open. */
void extract_init(struct extract *x, int rootfd)
{
	memset(x, 0, sizeof(*x));
	x->rootfd = rootfd;
	x->fd = -1;
}

/* Close the file being written, if any (the partial file stays). */
void extract_abort(struct extract *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

/* Is NAME in FD a directory that we may descend into: same filesystem as
 * DEV and not the root of a mount (a bind mount of the same filesystem)?
 * Returns 1 yes, 0 no (a mount point: leave it), -1 not a directory. */
static int wipe_dir_kind(int fd, const char *name, dev_t dev, struct stat *st)
{
	struct statx sx;

	if (statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	          STATX_TYPE | STATX_INO, &sx) == 0) {
		if (!S_ISDIR(sx.stx_mode))
			return -1;
		if (makedev(sx.stx_dev_major, sx.stx_dev_minor) != dev)
			return 0;
		if (sx.stx_attributes_mask & sx.stx_attributes & STATX_ATTR_MOUNT_ROOT)
			return 0;
		st->st_dev = dev;
		st->st_ino = sx.stx_ino;
		return 1;
	}
	if (fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st->st_mode))
		return -1;
	return st->st_dev == dev;
}

/* Empty directory FD (on DEV). Sets *KEPT when something had to stay
 * (a mount point or a failure). Returns 0 or the first negative errno. */
static int wipe_dir(int fd, dev_t dev, int depth, int *kept)
{
	char buf[2048] __attribute__((aligned(8)));
	int err = 0;

	for (;;) {
		ssize_t n = getdents64(fd, (void *)buf, sizeof(buf)), off;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*kept = 1;
			return err ? err : -errno;
		}
		if (n == 0)
			break;
		for (off = 0; off < n; ) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			const char *name = d->d_name;
			struct stat st, cst;
			int kind, cfd, ckept = 0, e2;

			off += d->d_reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			kind = d->d_type == DT_DIR || d->d_type == DT_UNKNOWN ?
			       wipe_dir_kind(fd, name, dev, &st) : -1;
			if (kind == 0) {
				*kept = 1;
				continue;
			}
			if (kind < 0) {
				if (unlinkat(fd, name, 0) < 0 && errno != ENOENT) {
					*kept = 1;
					if (!err)
						err = -errno;
				}
				continue;
			}
			if (depth >= WIPE_DEPTH_MAX) {
				*kept = 1;
				if (!err)
					err = -ELOOP;
				continue;
			}
			cfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				*kept = 1;
				if (!err)
					err = -errno;
				continue;
			}
			/* Replaced between look and open: leave it alone. */
			if (fstat(cfd, &cst) < 0 || cst.st_dev != dev || cst.st_ino != st.st_ino) {
				close(cfd);
				*kept = 1;
				continue;
			}
			e2 = wipe_dir(cfd, dev, depth + 1, &ckept);
			close(cfd);
			if (e2 && !err)
				err = e2;
			if (ckept) {
				*kept = 1;
				continue;
			}
			if (unlinkat(fd, name, AT_REMOVEDIR) < 0) {
				*kept = 1;
				if (!err)
					err = -errno;
			}
		}
	}
	return err;
}

/* Remove everything below directory DIRFD (see extract.h): symlinks are
 * removed, never followed; directories on other filesystems and mount
 * points are left in place (not an error). Returns 0 or the first
 * negative errno (it goes on after an error). */
int extract_wipe(int dirfd)
{
	struct stat st;
	int fd, err, kept = 0;

	if (fstat(dirfd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* A private fd: getdents64 moves the file position. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = wipe_dir(fd, st.st_dev, 0, &kept);
	close(fd);
	return err;
}
