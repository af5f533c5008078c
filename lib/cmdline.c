/* Kernel command-line tokenizer with the quoting rules of the kernel's
 * next_arg(): a word ends at unquoted whitespace, '"' toggles quoting, and
 * the quotes opening the word or its value and the one closing it are
 * dropped. Quotes in the middle of a value are kept, as the kernel does. */
#include <errno.h>
#include <string.h>

#include "cmdline.h"

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\v' || ch == '\f';
}

/* Cut the word starting at P in place; return where the next one starts. */
static char *next_word(char *p, char **key, char **val)
{
	size_t i, eq = 0;
	int quoted = 0, in_quote = 0;
	char *next;

	if (*p == '"') {
		p++;
		quoted = in_quote = 1;
	}
	for (i = 0; p[i]; i++) {
		if (is_space(p[i]) && !in_quote)
			break;
		/* like the kernel, a '=' in the first column does not split */
		if (eq == 0 && i > 0 && p[i] == '=')
			eq = i;
		if (p[i] == '"')
			in_quote = !in_quote;
	}
	next = p[i] ? p + i + 1 : p + i;

	*key = p;
	*val = NULL;
	if (eq) {
		p[eq] = '\0';
		*val = p + eq + 1;
		if (**val == '"') {
			(*val)++;
			if (p[i - 1] == '"')
				p[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && p[i - 1] == '"')
		p[i - 1] = '\0';
	p[i] = '\0';
	return next;
}

/* Tokenize TEXT into C (see cmdline.h). Returns 0 or -E2BIG. */
int cmdline_parse(struct cmdline *c, const char *text)
{
	size_t len = strlen(text);
	char *p, *key, *val;

	c->argc = 0;
	c->buf[0] = '\0';
	if (len >= sizeof(c->buf))
		return -E2BIG;
	memcpy(c->buf, text, len + 1);

	p = c->buf;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		p = next_word(p, &key, &val);
		if (!*key && !val)
			continue;	/* "" on its own names nothing */
		if (c->argc == CMDLINE_MAXARGS) {
			c->argc = 0;
			return -E2BIG;
		}
		c->key[c->argc] = key;
		c->val[c->argc] = val;
		c->argc++;
	}
	return 0;
}

static struct cmdline_seen *recording;

void cmdline_record(struct cmdline_seen *seen)
{
	recording = seen;
}

/* Record KEY (once) while cmdline_record asks for that. */
static void seen(const char *key)
{
	struct cmdline_seen *s = recording;
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->key[i], key) == 0)
			return;
	if (s->n < CMDLINE_MAXSEEN)
		s->key[s->n++] = key;
}

/* Value of the last KEY=value (bare occurrences are skipped), or NULL. */
const char *cmdline_get(const struct cmdline *c, const char *key)
{
	int i;

	seen(key);
	for (i = c->argc - 1; i >= 0; i--)
		if (c->val[i] && strcmp(c->key[i], key) == 0)
			return c->val[i];
	return NULL;
}

/* True when KEY occurs bare or with a value. */
bool cmdline_has(const struct cmdline *c, const char *key)
{
	int i;

	seen(key);
	for (i = 0; i < c->argc; i++)
		if (strcmp(c->key[i], key) == 0)
			return true;
	return false;
}
