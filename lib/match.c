/* Wildcards: wild_match (fnmatch with flags 0) and wild_dirs (glob of
 * directories). See match.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "match.h"

/* The class at P (just after '['): does C belong to it? *END is set after
 * the closing ']'; NULL when the class is not terminated. */
static bool in_class(const char *p, unsigned char c, const char **end)
{
	bool neg = false, hit = false;
	const char *start;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	start = p;
	for (;;) {
		unsigned char lo, hi;

		if (!*p) {
			*end = NULL;
			return false;
		}
		if (*p == ']' && p != start)
			break;
		if (*p == '\\' && p[1])
			p++;
		lo = hi = (unsigned char)*p++;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	*end = p + 1;
	return hit != neg;
}

bool wild_match(const char *pattern, const char *s)
{
	const char *p = pattern, *star_p = NULL, *star_s = NULL, *end;

	/* One pending '*' is enough: on a mismatch the last '*' takes one
	 * more character (an earlier '*' can never do better). */
	while (*s) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p == '[') {
			bool hit = in_class(p + 1, (unsigned char)*s, &end);

			if (end && hit) {
				p = end;
				s++;
				continue;
			}
			if (!end && *s == '[') {   /* unterminated: a literal '[' */
				p++;
				s++;
				continue;
			}
		} else if (*p == '\\' && p[1]) {
			if (p[1] == *s) {
				p += 2;
				s++;
				continue;
			}
		} else if (*p && (*p == '?' || *p == *s)) {
			p++;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}

static bool has_wild(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr("*?[\\", s[i]))
			return true;
	return false;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* PATH (length LEN, in a PATH_MAX buffer) is a directory matched so far;
 * REST is what is left of the pattern after a '/'. */
static int walk(char *path, size_t len, const char *rest,
                int (*fn)(void *ctx, const char *path), void *ctx)
{
	const char *slash, *comp;
	struct stat st;
	size_t clen;
	int ret = 0;

	while (*rest == '/')
		rest++;
	if (!*rest)
		return stat(path[0] ? path : "/", &st) == 0 && S_ISDIR(st.st_mode) ? fn(ctx, path[0] ? path : "/") : 0;
	comp = rest;
	slash = strchr(comp, '/');
	clen = slash ? (size_t)(slash - comp) : strlen(comp);
	rest = comp + clen;
	if (!has_wild(comp, clen)) {
		if (len + 1 + clen >= PATH_MAX)
			return 0;
		path[len] = '/';
		memcpy(path + len + 1, comp, clen);
		path[len + 1 + clen] = '\0';
		ret = walk(path, len + 1 + clen, rest, fn, ctx);
		path[len] = '\0';
		return ret;
	} else {
		char pat[NAME_MAX + 1], **names = NULL;
		size_t n = 0, cap = 0, i;
		struct dirent *de;
		DIR *d;

		if (clen > NAME_MAX)
			return 0;
		memcpy(pat, comp, clen);
		pat[clen] = '\0';
		if (!(d = opendir(path[0] ? path : "/")))
			return 0;
		while ((de = readdir(d))) {
			char **nn;

			if (de->d_name[0] == '.' || !wild_match(pat, de->d_name))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				if (!(nn = realloc(names, cap * sizeof(*names))))
					break;
				names = nn;
			}
			if (!(names[n] = strdup(de->d_name)))
				break;
			n++;
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(*names), cmp_names);
		for (i = 0; i < n; i++) {
			size_t nl = strlen(names[i]);

			if (!ret && len + 1 + nl < PATH_MAX) {
				path[len] = '/';
				memcpy(path + len + 1, names[i], nl + 1);
				ret = walk(path, len + 1 + nl, rest, fn, ctx);
				path[len] = '\0';
			}
			free(names[i]);
		}
		free(names);
		return ret;
	}
}

int wild_dirs(const char *pattern, int (*fn)(void *ctx, const char *path), void *ctx)
{
	char path[PATH_MAX];

	if (pattern[0] != '/')
		return 0;
	path[0] = '\0';
	return walk(path, 0, pattern, fn, ctx);
}

static char fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int str_distance(const char *a, const char *b)
{
	int d[64][64], la = 0, lb = 0, i, j;

	while (a[la] && la < 63)
		la++;
	while (b[lb] && lb < 63)
		lb++;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int cost = fold(a[i - 1]) != fold(b[j - 1]), v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}
