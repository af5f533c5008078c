/* Shell wildcard matching (fnmatch without flags) and directory globbing,
 * small enough for the static init: glibc's fnmatch and glob bring wide
 * characters, collation and, for glob's ~user, the whole NSS machinery. */
#ifndef NB_MATCH_H
#define NB_MATCH_H

#include <stdbool.h>

/* True when S matches PATTERN: '*' any string, '?' any character,
 * '[abc]', '[a-z]', '[!x]' or '[^x]' one character of a class (']' first
 * in the class is literal), '\' quotes the next character. Bytes, no
 * locale; '/' and a leading '.' are ordinary characters (fnmatch with
 * flags 0). An unterminated '[' matches itself. */
bool wild_match(const char *pattern, const char *s);

/* Directories matching the absolute path PATTERN, each component matched
 * with wild_match (a wildcard never matches a leading '.', as with glob),
 * names sorted with strcmp at each level. FN(CTX, PATH) is called for each
 * match in that order; a nonzero return stops the walk and is returned.
 * Returns 0 after the last match (none is no error), or FN's value. */
int wild_dirs(const char *pattern, int (*fn)(void *ctx, const char *path), void *ctx);

/* The edit distance of A and B, ignoring ASCII case: insertions,
 * deletions, substitutions and swaps of two neighbours each count 1 (for
 * "did you mean"). Strings longer than 63 bytes are compared on their
 * first 63. */
int str_distance(const char *a, const char *b);

#endif
