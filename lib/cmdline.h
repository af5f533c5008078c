/* Kernel command-line tokenizer. Knows nothing about booting. */
#ifndef NB_CMDLINE_H
#define NB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX 4096
#define CMDLINE_MAXARGS 256
#define CMDLINE_MAXSEEN 128

/* The keys a program looked up (cmdline_get, cmdline_has), each once, in
 * the order first asked: with the parser's own lookups, the options it
 * knows. KEY points at the caller's string (a literal). */
struct cmdline_seen {
	const char *key[CMDLINE_MAXSEEN];
	int n;
};

struct cmdline {
	char buf[CMDLINE_MAX];
	int argc;
	char *key[CMDLINE_MAXARGS];   /* option name (before the first '=') */
	char *val[CMDLINE_MAXARGS];   /* value after '=', NULL for a bare word */
};

/* From now on, record every key looked up (cmdline_get, cmdline_has, on
 * any struct cmdline) into SEEN; NULL stops. */
void cmdline_record(struct cmdline_seen *seen);

/* Split TEXT the way the kernel's next_arg() does: words separated by
 * whitespace, double quotes group spaces and are removed (a quoted value
 * such as apkovl="http://x/{MAC}" yields the unquoted value).
 * Returns 0, or -E2BIG when TEXT or the number of words is too large. */
int cmdline_parse(struct cmdline *c, const char *text);

/* Value of the LAST occurrence of KEY: "" for key= , NULL when KEY is absent
 * or only present as a bare word. */
const char *cmdline_get(const struct cmdline *c, const char *key);

/* True when KEY occurs at all, bare or with a value. */
bool cmdline_has(const struct cmdline *c, const char *key);

#endif
