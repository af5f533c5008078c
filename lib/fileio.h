/* Small file helpers with fixed buffers. Knows nothing about booting. */
#ifndef NB_FILEIO_H
#define NB_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read at most SIZE-1 bytes of PATH into BUF, NUL-terminate, strip one
 * trailing newline. Returns the length or a negative errno. */
ssize_t file_read_str(const char *path, char *buf, size_t size);

/* Write all LEN bytes of BUF to FD (again after EINTR and short writes).
 * Returns 0 or a negative errno (-EIO for a write of 0 bytes). */
int write_all(int fd, const void *buf, size_t len);

/* Write LEN bytes of DATA to PATH (created with MODE, truncated) via a
 * temporary name and rename, so readers never see half a file.
 * Returns 0 or a negative errno. */
int file_write(const char *path, const void *data, size_t len, mode_t mode);

/* Copy what is left of IN (from its offset) to OUT. Adds the time spent
 * in read(2) to *READ_US (when not NULL): the source medium's share.
 * Returns the bytes copied, or -errno from reading IN (*READ_ERR true) or
 * from writing OUT (*READ_ERR false). */
long long fd_copy(int in, int out, bool *read_err, long long *read_us);

/* mkdir -p PATH with MODE for missing components. Returns 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);

/* snprintf into BUF that reports truncation: 0 or -ENAMETOOLONG. */
int fmt_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append KEY='VALUE'\n to BUF (length *LEN, capacity SIZE) with shell
 * single-quote escaping. Returns 0 or -ENOSPC. */
int kv_append(char *buf, size_t size, size_t *len, const char *key, const char *value);

/* Find KEY in KEY='value' text and unescape its value into OUT.
 * Returns 0, -ENOENT or -ENOSPC. */
int kv_get(const char *text, const char *key, char *out, size_t outsz);

/* Milliseconds of CLOCK_MONOTONIC. */
long long mono_ms(void);

/* Microseconds of CLOCK_MONOTONIC (for summing many short intervals). */
long long mono_us(void);

/* Wait up to MS milliseconds for EVENTS (poll(2) bits) on FD, restarting
 * after signals. Returns 0, -ETIMEDOUT or -errno. */
int fd_wait(int fd, short events, int ms);

/* ---- writing below a directory fd, never through a symbolic link ----
 * For a tree someone else filled (an overlay, packages): every path below
 * is resolved with openat2(2) RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS, so neither a symlink (absolute or relative, on the
 * way or at the end) nor ".." can lead a write outside DIRFD. A leading
 * '/' in PATH means DIRFD itself. Needs Linux 5.6 (-ENOSYS before). */

/* openat2 of PATH below DIRFD as above. Returns the fd, or -ELOOP (a
 * symbolic link on the way; at the end too unless FLAGS has O_PATH |
 * O_NOFOLLOW), -EXDEV (".." above DIRFD) or another -errno. */
int beneath_open(int dirfd, const char *path, int flags, mode_t mode);

/* mkdir -p of PATH below DIRFD with MODE for missing components, each
 * component checked as beneath_open does. Returns an O_PATH fd of the
 * directory, or -ELOOP when a component is a symbolic link, -ENOTDIR when
 * one is not a directory, or another -errno. */
int beneath_mkdirs(int dirfd, const char *path, mode_t mode);

/* file_write below DIRFD: the parent directories made by beneath_mkdirs,
 * LEN bytes of DATA written to a temporary name and renamed over PATH
 * (MODE). A symbolic link at PATH itself is refused as well (-ELOOP), not
 * replaced. Returns 0 or a negative errno as beneath_mkdirs. */
int beneath_write(int dirfd, const char *path, const void *data, size_t len, mode_t mode);

/* Remove the non-directory PATH below DIRFD, its parent reached as
 * beneath_open does. Returns 0 or a negative errno. */
int beneath_unlink(int dirfd, const char *path);

/* Move the mount at FROM (a path of the caller's) onto the directory PATH
 * below DIRFD, made with beneath_mkdirs: MS_MOVE without following a link
 * planted at or above the target (move_mount(2), Linux 5.2). Returns 0 or
 * a negative errno. */
int beneath_move_mount(const char *from, int dirfd, const char *path);

/* Words for an error of the beneath_ functions: "a symbolic link is in the
 * way" for -ELOOP, "it leads outside" for -EXDEV, else strerror. */
const char *beneath_strerror(int err);

#endif
