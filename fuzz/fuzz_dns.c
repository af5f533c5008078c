/* Fuzz the DNS answer parser (dns_parse_a) and the query builder. The first
 * byte picks the question (one of a few names); the rest is the answer, its
 * ID taken from its own first two bytes so that most inputs get past the
 * ID check.
 * Checks: no read outside the message; the count is within [0, MAX] or
 * -EBADMSG; a message that parses also parses with MAX 1 to min(count, 1);
 * a query built for the name parses back as its own question. */
#include "common.h"
#include "dns.h"

static const char *const names[] = { "boot.example", "x", "BOOT.example.", "a.b.c.d.e.f.g" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name;
	struct in_addr out[8];
	unsigned char *m, q[300];
	uint16_t id;
	int n, n1, rc, tc, ql;

	if (size < 1)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	size--;
	m = malloc(size ? size : 1);   /* exact size: ASan sees any overrun */
	if (!m)
		abort();
	memcpy(m, data + 1, size);
	id = size >= 2 ? (uint16_t)(m[0] << 8 | m[1]) : 0;
	n = dns_parse_a(m, size, id, name, out, 8, &rc, &tc);
	FZ_ASSERT(n == -EBADMSG || (n >= 0 && n <= 8));
	if (n >= 0) {
		n1 = dns_parse_a(m, size, id, name, out, 1, &rc, &tc);
		FZ_ASSERT(n1 == (n > 0 ? 1 : 0));
		FZ_ASSERT(rc >= 0 && rc <= 15 && (tc == 0 || tc == 1));
	}
	free(m);

	/* The query for NAME, answered by itself with QR set: no addresses. */
	ql = dns_query_a(q, sizeof(q), name, id);
	FZ_ASSERT(ql > 12);
	q[2] |= 0x80;
	FZ_ASSERT(dns_parse_a(q, (size_t)ql, id, name, out, 8, &rc, &tc) == 0 && rc == 0 && !tc);
	return 0;
}
