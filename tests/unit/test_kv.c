/* KEY='value' files (the DHCP lease, /run/nbinit/net): append and read back. */
#include <errno.h>
#include <string.h>

#include "fileio.h"
#include "tap.h"

struct row {
	const char *file; int line;
	const char *text, *key;
	int err;
	const char *want;
};

#define ROW(t, k, e, w) { __FILE__, __LINE__, t, k, e, w }

static const struct row rows[] = {
	ROW("ip='10.0.2.15'\nrouter='10.0.2.2'\n", "router", 0, "10.0.2.2"),
	ROW("ip='10.0.2.15'\nrouter='10.0.2.2'\n", "ip", 0, "10.0.2.15"),
	ROW("ip='10.0.2.15'\n", "i", -ENOENT, NULL),
	ROW("ip='10.0.2.15'\n", "dns", -ENOENT, NULL),
	ROW("c='it'\\''s'\n", "c", 0, "it's"),
	ROW("T='\nk='\nk=''\n", "k", 0, ""),
	ROW("T='\nk='\nk=''\n", "T", 0, "\nk="),
	ROW("junk line\nk='v'\n", "k", 0, "v"),
	ROW("k=plain\n", "k", 0, "plain"),
	ROW("k=", "k", 0, ""),
};

int main(void)
{
	const char *vals[] = { "", "a b", "it's", "\nk=", "'''", "x\\y", NULL };
	char buf[1024], out[64];
	size_t i, len = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int err = kv_get(r->text, r->key, out, sizeof(out));
		ok_at(err == r->err && (err || !strcmp(out, r->want)), r->file, r->line,
		      "kv_get %s -> %d '%s'", r->key, err, err ? "" : out);
	}
	buf[0] = '\0';
	for (i = 0; vals[i]; i++) {
		char key[8] = { 'k', (char)('0' + i), 0 };
		ok(kv_append(buf, sizeof(buf), &len, key, vals[i]) == 0, "append %s", key);
	}
	for (i = 0; vals[i]; i++) {
		char key[8] = { 'k', (char)('0' + i), 0 };
		ok(kv_get(buf, key, out, sizeof(out)) == 0 && !strcmp(out, vals[i]), "round trip %s", key);
	}
	ok(kv_get(buf, "k1", out, 3) == -ENOSPC, "value longer than the buffer: -ENOSPC");
	len = 0;
	ok(kv_append(buf, 8, &len, "key", "long value") == -ENOSPC, "append beyond capacity: -ENOSPC");
	return done_testing();
}
