/* Fuzz the kernel command-line tokenizer: the input is /proc/cmdline.
 * Checks that every word points into the struct's own buffer, and that
 * cmdline_get/cmdline_has agree with a plain scan of the words (last
 * occurrence wins, bare words have no value). */
#include "cmdline.h"
#include "common.h"

static int inside(const struct cmdline *c, const char *p)
{
	return p >= c->buf && p < c->buf + sizeof(c->buf) &&
	       memchr(p, '\0', (size_t)(c->buf + sizeof(c->buf) - p)) != NULL;
}

/* The value cmdline_get must return for KEY, found the slow way. */
static const char *model_get(const struct cmdline *c, const char *key)
{
	const char *v = NULL;
	int i;

	for (i = 0; i < c->argc; i++)
		if (c->val[i] && strcmp(c->key[i], key) == 0)
			v = c->val[i];
	return v;
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline c;
	char *text = fz_str(data, size);
	size_t len = strlen(text);
	int err, i;

	memset(&c, 0x5a, sizeof(c));
	err = cmdline_parse(&c, text);
	FZ_ASSERT(err == 0 || err == -E2BIG);
	if (len >= CMDLINE_MAX)
		FZ_ASSERT(err == -E2BIG);
	if (err) {
		FZ_ASSERT(c.argc == 0);
		FZ_ASSERT(cmdline_get(&c, "ip") == NULL);
		goto out;
	}
	FZ_ASSERT(c.argc >= 0 && c.argc <= CMDLINE_MAXARGS);
	for (i = 0; i < c.argc; i++) {
		FZ_ASSERT(inside(&c, c.key[i]));
		FZ_ASSERT(c.val[i] == NULL || inside(&c, c.val[i]));
		FZ_ASSERT(c.val[i] == NULL || c.val[i] > c.key[i]);
		FZ_ASSERT(c.key[i][0] != '\0' || c.val[i] != NULL);
		/* a word splits at its first '=' past the first column */
		FZ_ASSERT(c.key[i][0] == '\0' || strchr(c.key[i] + 1, '=') == NULL);
		FZ_ASSERT(cmdline_get(&c, c.key[i]) == model_get(&c, c.key[i]));
		FZ_ASSERT(cmdline_has(&c, c.key[i]));
	}
	FZ_ASSERT(cmdline_get(&c, "") == model_get(&c, ""));
	FZ_ASSERT(cmdline_get(&c, "ip") == model_get(&c, "ip"));
	FZ_ASSERT(cmdline_get(&c, "apkovl") == model_get(&c, "apkovl"));
out:
	free(text);
	return 0;
}
