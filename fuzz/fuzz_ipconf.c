/* Fuzz the ip= parser: the input is the option's value. Checks the result
 * is either a cleared struct with a reason, or a consistent configuration
 * (static needs an address and a contiguous netmask), and that WHY is
 * always terminated and never written past WHYLEN. */
#include <arpa/inet.h>

#include "common.h"
#include "ipconf.h"

/* Prefix length the slow way, -1 when not contiguous. */
static int model_prefixlen(uint32_t h)
{
	int n = 0, i;

	while (n < 32 && (h & (0x80000000u >> n)))
		n++;
	for (i = n; i < 32; i++)
		if (h & (0x80000000u >> i))
			return -1;
	return n;
}

static int is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* libFuzzer calls this for every input; a failed check aborts. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *val = fz_str(data, size);
	struct ipconf ic, ic2;
	char why[256], *small;
	size_t whylen;
	int err, err2, pl;

	memset(&ic, 0x5a, sizeof(ic));
	err = ipconf_parse(&ic, val, why, sizeof(why));
	FZ_ASSERT(err == 0 || err == -EINVAL);
	FZ_ASSERT(memchr(why, '\0', sizeof(why)));
	if (err) {
		FZ_ASSERT(why[0] != '\0');
		FZ_ASSERT(is_zero(&ic, sizeof(ic)));
	} else {
		FZ_ASSERT(why[0] == '\0');
		FZ_ASSERT(ic.mode == IPCONF_OFF || ic.mode == IPCONF_DHCP ||
		          ic.mode == IPCONF_STATIC);
		FZ_ASSERT(memchr(ic.hostname, '\0', sizeof(ic.hostname)));
		FZ_ASSERT(memchr(ic.device, '\0', sizeof(ic.device)));
		if (ic.mode == IPCONF_STATIC) {
			FZ_ASSERT(ic.client.s_addr != 0);
			FZ_ASSERT(ic.netmask.s_addr != 0);
		}
		if (ic.netmask.s_addr)
			FZ_ASSERT(ipconf_prefixlen(ic.netmask) >= 0);
	}

	/* the same answer without a WHY buffer and with a tiny one */
	err2 = ipconf_parse(&ic2, val, NULL, 0);
	FZ_ASSERT(err2 == err);
	FZ_ASSERT(memcmp(&ic, &ic2, sizeof(ic)) == 0);
	whylen = 1 + size % 16;
	small = malloc(whylen);   /* exact size: ASan sees any overrun */
	if (!small)
		abort();
	err2 = ipconf_parse(&ic2, val, small, whylen);
	FZ_ASSERT(err2 == err);
	FZ_ASSERT(memchr(small, '\0', whylen));
	FZ_ASSERT(strncmp(small, why, whylen - 1) == 0);
	free(small);

	/* the prefix length of any four bytes of input, against a model */
	if (size >= 4) {
		struct in_addr m;
		uint32_t h;

		memcpy(&h, data, 4);
		m.s_addr = htonl(h);
		pl = ipconf_prefixlen(m);
		FZ_ASSERT(model_prefixlen(h) < 0 ? pl == -EINVAL : pl == model_prefixlen(h));
	}
	free(val);
	return 0;
}
