/* Small file helpers with fixed buffers. Knows nothing about booting. */
#ifndef NB_FILEIO_H
#define NB_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read at most SIZE-1 bytes of PATH into BUF, NUL-terminate, strip one
 * trailing newline. Returns the length or a negative errno. */
ssize_t file_read_str(const char *path, char *buf, size_t size);

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

#endif
