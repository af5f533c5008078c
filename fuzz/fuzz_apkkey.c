/* Fuzz the key and checksum text parsers of lib/apksig.c: PEM (BEGIN
 * PUBLIC KEY / BEGIN RSA PUBLIC KEY) with the DER reader behind it, and
 * base64 both ways. The input is copied into a buffer of exactly its size
 * so that AddressSanitizer sees any read past it (issue 11, attack 8). A
 * key that parses has a modulus of 64..APK_KEY_BYTES bytes; base64
 * decodes what it encoded, and re-encodes what it decoded to the same
 * bytes. */
#include "common.h"
#include "apksig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct apk_key k;
	static unsigned char raw[8192], back[8192];
	static char text[12000];
	char *buf = malloc(size ? size : 1);
	int n, m, e;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (!apk_key_parse_pem(&k, buf, size)) {
		FZ_ASSERT(k.pk.nlen >= 64 && k.pk.nlen <= APK_KEY_BYTES && k.pk.elen <= sizeof(k.e));
		FZ_ASSERT(k.pk.n == k.n && k.pk.e == k.e);
	}
	n = apk_b64_decode(buf, size, raw, sizeof(raw));
	FZ_ASSERT(n == -EINVAL || n == -ENOSPC || (n >= 0 && (size_t)n <= size));
	if (n >= 0) {
		e = apk_b64_encode(raw, (size_t)n, text, sizeof(text));
		FZ_ASSERT(e >= 0);
		m = apk_b64_decode(text, (size_t)e, back, sizeof(back));
		FZ_ASSERT(m == n && !memcmp(raw, back, (size_t)n));
	}
	if (size <= sizeof(raw)) {
		e = apk_b64_encode(buf, size, text, sizeof(text));
		FZ_ASSERT(e >= 0 && (size_t)e == (size + 2) / 3 * 4);
		m = apk_b64_decode(text, (size_t)e, back, sizeof(back));
		FZ_ASSERT(m == (int)size && !memcmp(buf, back, size));
	}
	free(buf);
	return 0;
}
