/* Checks of names that come from the network (a DHCP lease, a directory
 * listing of an NFS server) before they reach the kernel or a file.
 * Knows nothing about booting. */
#ifndef NB_NAMES_H
#define NB_NAMES_H

#include <stddef.h>

/* Whether S is a DNS name by RFC 1123: dot-separated labels of 1 to 63
 * letters, digits and '-', a label neither starting nor ending with '-',
 * one trailing dot allowed, at most MAX bytes in all (64 for a host name
 * the kernel takes, 253 for a domain). Returns 0, -EINVAL for a bad
 * character or label (also the empty name), -ENAMETOOLONG. */
int name_dns_check(const char *s, size_t max);

/* Whether S can stand as one line of a list file such as
 * /etc/apk/repositories: no control character (below 0x20, DEL), no
 * space and no '#' (they end the entry or start a comment). Returns 0 or
 * -EINVAL. */
int name_line_check(const char *s);

/* S made safe to print in one log line: control characters, DEL, bytes
 * above 0x7e and '\' as \xNN, cut to SIZE-1 bytes. Returns OUT. */
char *name_shown(char *out, size_t size, const char *s);

#endif
