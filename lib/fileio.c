/* Small file helpers with fixed buffers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

ssize_t file_read_str(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (ssize_t)len;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[4096];
	int fd, err;

	if (fmt_path(tmp, sizeof(tmp), "%s.nbtmp", path))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	if ((err = write_all(fd, data, len)))
		goto err_close;
	if (fchmod(fd, mode) < 0) {
		err = -errno;
		goto err_close;
	}
	if (close(fd) < 0) {
		err = -errno;
		goto err_unlink;
	}
	if (rename(tmp, path) < 0) {
		err = -errno;
		goto err_unlink;
	}
	return 0;

err_close:
	close(fd);
err_unlink:
	unlink(tmp);
	return err;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	char *p;

	if (fmt_path(buf, sizeof(buf), "%s", path))
		return -ENAMETOOLONG;
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int fmt_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > size)
		return -ENOSPC;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

int kv_append(char *buf, size_t size, size_t *len, const char *key, const char *value)
{
	const char *q;

	if (put(buf, size, len, key, strlen(key)) || put(buf, size, len, "='", 2))
		return -ENOSPC;
	for (q = value ? value : ""; *q; q++) {
		if (*q == '\'') {
			if (put(buf, size, len, "'\\''", 4))
				return -ENOSPC;
		} else if (put(buf, size, len, q, 1)) {
			return -ENOSPC;
		}
	}
	return put(buf, size, len, "'\n", 2);
}

int kv_get(const char *text, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	const char *p = text;

	/* Walk record by record so that a quoted value holding "\nKEY=" is
	 * never taken for a record of its own. */
	while (*p) {
		const char *name = p;
		int match, inq = 0;
		size_t o = 0;

		p += strcspn(p, "=\n");
		if (*p != '=') {            /* not a KEY= line: skip it */
			if (*p)
				p++;
			continue;
		}
		match = (size_t)(p - name) == klen && !strncmp(name, key, klen);
		for (p++; *p && (inq || *p != '\n'); p++) {
			if (*p == '\'') {
				inq = !inq;
				continue;
			}
			if (!inq && *p == '\\' && p[1])
				p++;
			if (match) {
				if (o + 1 >= outsz)
					return -ENOSPC;
				out[o++] = *p;
			}
		}
		if (match) {
			out[o] = '\0';
			return 0;
		}
		if (*p)
			p++;
	}
	return -ENOENT;
}

long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long fd_copy(int in, int out, bool *read_err, long long *read_us)
{
	static char buf[65536];
	long long total = 0;

	for (;;) {
		long long t0 = mono_us();
		ssize_t n = read(in, buf, sizeof(buf));
		int err;

		if (read_us)
			*read_us += mono_us() - t0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*read_err = true;
			return -errno;
		}
		if (n == 0)
			return total;
		if ((err = write_all(out, buf, (size_t)n))) {
			*read_err = false;
			return err;
		}
		total += n;
	}
}

int fd_wait(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long deadline = mono_ms() + ms, left;
	int n;

	for (;;) {
		left = deadline - mono_ms();
		if (left < 0)
			left = 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* ---- writing below a directory fd -------------------------------------- */

#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

/* PATH relative to the directory fd: "/a/b" and "a/b" alike, "/" is ".". */
static const char *below(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

int beneath_open(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(unsigned)(flags | O_CLOEXEC),
		.mode = flags & (O_CREAT | O_TMPFILE) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = -1, tries;

	/* EAGAIN: a rename elsewhere raced with the kernel's checks */
	for (tries = 0; tries < 16; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, below(path), &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : fd;
}

int beneath_mkdirs(int dirfd, const char *path, mode_t mode)
{
	char comp[256];
	const char *p = below(path);
	int cur, next;

	cur = beneath_open(dirfd, ".", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n >= sizeof(comp)) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		p += strspn(p, "/");
		if (!strcmp(comp, "."))
			continue;
		/* mkdirat does not follow a symlink at COMP: EEXIST, then
		 * the open below refuses it */
		if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST) {
			next = -errno;
			close(cur);
			return next;
		}
		next = beneath_open(cur, comp, O_PATH | O_DIRECTORY, 0);
		close(cur);
		if (next < 0)
			return next;
		cur = next;
	}
	return cur;
}

int beneath_write(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
	char dir[4096], tmp[300];
	const char *rel = below(path), *leaf;
	struct stat st;
	int dfd, fd, err;

	if (fmt_path(dir, sizeof(dir), "%s", rel))
		return -ENAMETOOLONG;
	leaf = strrchr(rel, '/');
	if (leaf) {
		dir[leaf - rel] = '\0';
		leaf++;
	} else {
		strcpy(dir, ".");
		leaf = rel;
	}
	if (!*leaf || !strcmp(leaf, ".") || !strcmp(leaf, "..") ||
	    fmt_path(tmp, sizeof(tmp), "%s.nbtmp", leaf))
		return -EINVAL;
	dfd = beneath_mkdirs(dirfd, dir, 0755);
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		err = -ELOOP;
		goto err_dir;
	}
	/* O_PATH directory fds cannot be written through: reopen it */
	fd = beneath_open(dfd, ".", O_RDONLY | O_DIRECTORY, 0);
	close(dfd);
	if (fd < 0)
		return fd;
	dfd = fd;
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		err = -errno;
		goto err_dir;
	}
	if ((err = write_all(fd, data, len)) || (fchmod(fd, mode) < 0 && (err = -errno))) {
		close(fd);
		goto err_unlink;
	}
	if (close(fd) < 0 || renameat(dfd, tmp, dfd, leaf) < 0) {
		err = -errno;
		goto err_unlink;
	}
	close(dfd);
	return 0;

err_unlink:
	unlinkat(dfd, tmp, 0);
err_dir:
	close(dfd);
	return err;
}

int beneath_unlink(int dirfd, const char *path)
{
	char dir[4096];
	const char *rel = below(path), *leaf = strrchr(rel, '/');
	int dfd, err = 0;

	if (fmt_path(dir, sizeof(dir), "%s", rel))
		return -ENAMETOOLONG;
	if (leaf)
		dir[leaf++ - rel] = '\0';
	else
		strcpy(dir, "."), leaf = rel;
	dfd = beneath_open(dirfd, dir, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, leaf, 0) < 0)
		err = -errno;
	close(dfd);
	return err;
}

int beneath_move_mount(const char *from, int dirfd, const char *path)
{
	int to = beneath_mkdirs(dirfd, path, 0755), err = 0;

	if (to < 0)
		return to;
	if (syscall(SYS_move_mount, AT_FDCWD, from, to, "", MOVE_MOUNT_T_EMPTY_PATH) < 0)
		err = -errno;
	close(to);
	return err;
}

const char *beneath_strerror(int err)
{
	if (err == -ELOOP)
		return "a symbolic link is in the way";
	if (err == -EXDEV)
		return "it leads outside";
	return strerror(-err);
}
