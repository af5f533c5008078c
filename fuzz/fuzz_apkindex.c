/* Fuzz apk_index_unpack, the signed APKINDEX.tar.gz reader: with and
 * without untrusted indexes allowed. The text it hands out must be
 * NUL-terminated at its length and within APK_INDEX_TEXT_MAX; without
 * UNTRUSTED_OK nothing is handed out unless the signature is good (there
 * are no keys here, so never); a failure has words. */
#include "common.h"
#include "apksig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct apk_keys keys;
	static struct apk_index_file f;
	int err, pass;

	for (pass = 0; pass < 2; pass++) {
		err = apk_index_unpack(data, size, &keys, pass == 1, &f);
		FZ_ASSERT(err != 0);              /* no key can make it good */
		FZ_ASSERT(f.why[0] && memchr(f.why, '\0', sizeof(f.why)));
		FZ_ASSERT(memchr(f.description, '\0', sizeof(f.description)));
		if (f.text) {
			FZ_ASSERT(pass == 1 && (err == -ENOKEY || err == -EKEYREJECTED));
			FZ_ASSERT(f.text_len <= (size_t)APK_INDEX_TEXT_MAX && f.text[f.text_len] == '\0');
		}
		FZ_ASSERT(f.sig != APK_SIG_GOOD);
		free(f.text);
		f.text = NULL;
	}
	return 0;
}
