/* Checks of names from the network: DNS names (RFC 1123), list lines, and
 * their printable form. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int name_dns_check(const char *s, size_t max)
{
	size_t len = strlen(s), label = 0, i;

	if (len > max)
		return -ENAMETOOLONG;
	if (len == 0 || s[0] == '.')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -EINVAL;
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return -EINVAL;
		if (c == '-' && label == 0)
			return -EINVAL;
		if (++label > 63)
			return -EINVAL;
	}
	if (label && s[len - 1] == '-')
		return -EINVAL;
	return 0;
}

int name_line_check(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == ' ' || c == '#')
			return -EINVAL;
	}
	return 0;
}

char *name_shown(char *out, size_t size, const char *s)
{
	size_t n = 0;

	if (!size)
		return out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (n + 1 >= size)
				break;
			out[n++] = (char)c;
		} else {
			if (n + 4 >= size)
				break;
			snprintf(out + n, 5, "\\x%02x", c);
			n += 4;
		}
	}
	out[n] = '\0';
	return out;
}
