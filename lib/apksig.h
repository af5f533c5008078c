/* apk v2 signatures and archives: RSA public keys from PEM files, PKCS#1
 * v1.5 signatures over SHA-1 / SHA-256 (BearSSL), base64 "Q1" checksums,
 * a gzip reader that tells where each member starts and ends, and the
 * signed APKINDEX.tar.gz. Knows nothing about booting. See
 * docs/apk-formats.md. */
#ifndef NB_APKSIG_H
#define NB_APKSIG_H

#include <bearssl.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- base64 and checksums ---- */

/* Standard base64 of IN[0..N) into OUT (NUL-terminated). Returns the length
 * or -ENOSPC. */
int apk_b64_encode(const void *in, size_t n, char *out, size_t outsz);
/* Decode base64 text IN[0..N) (padding optional, no blanks) into OUT.
 * Returns the byte count, -EINVAL or -ENOSPC. */
int apk_b64_decode(const char *in, size_t n, unsigned char *out, size_t outsz);

/* "Q1" + base64 of a SHA-1 digest: the form of C:, Z: (31 bytes with the NUL). */
#define APK_Q1_LEN 31
void apk_q1(const unsigned char sha1[20], char out[APK_Q1_LEN]);

/* ---- keys ---- */

#define APK_KEY_NAME 256
#define APK_KEY_BYTES 1024        /* modulus up to 8192 bits */
#define APK_KEYS_MAX 32

struct apk_key {
	char name[APK_KEY_NAME];      /* file name in /etc/apk/keys */
	br_rsa_public_key pk;         /* points into n[] and e[] */
	unsigned char n[APK_KEY_BYTES];
	unsigned char e[16];
};

struct apk_keys {
	struct apk_key k[APK_KEYS_MAX];
	size_t n;
	unsigned bad;                 /* files that were not RSA public keys */
};

/* Decode the RSA public key in PEM text (-----BEGIN PUBLIC KEY----- with a
 * SubjectPublicKeyInfo, or -----BEGIN RSA PUBLIC KEY----- with PKCS#1
 * RSAPublicKey) into K (name left alone). Returns 0, -EINVAL (no PEM
 * block, bad base64 or DER), -EOPNOTSUPP (not RSA) or -E2BIG. */
int apk_key_parse_pem(struct apk_key *k, const char *pem, size_t len);

/* Load every regular file of DIR as a key (named by its file name; files
 * that do not decode are counted in KEYS->bad). Returns the number loaded
 * (0 is not an error) or -errno when DIR cannot be read (-ENOENT: none). */
int apk_keys_load(struct apk_keys *keys, const char *dir);

/* The key called NAME, or NULL. */
const struct apk_key *apk_keys_find(const struct apk_keys *keys, const char *name);

/* Verify the PKCS#1 v1.5 signature SIG (SIGLEN bytes) of DIGEST, a SHA-1
 * (HASHLEN 20) or SHA-256 (32) digest, with K. Returns 0 or -EKEYREJECTED. */
int apk_rsa_verify(const struct apk_key *k, const unsigned char *digest, size_t hashlen,
                   const unsigned char *sig, size_t siglen);

/* ---- gzip members ---- */

/* A streaming gzip decoder that reports member boundaries: ON_RAW gets
 * every compressed byte with the member it belongs to, ON_DATA the
 * decompressed bytes, ON_END the compressed offset just past a member. Any
 * callback may be NULL; a non-zero return stops the stream with it. */
struct apk_gz {
	int (*on_raw)(void *ctx, unsigned member, const void *buf, size_t len);
	int (*on_data)(void *ctx, unsigned member, const void *buf, size_t len);
	int (*on_end)(void *ctx, unsigned member, unsigned long long end);
	void *ctx;
	unsigned member;              /* member being read (0-based) */
	unsigned long long in_total, out_total;
	bool between;                 /* the last member ended; no byte of the next yet */
	int err;                      /* sticky */
	char why[128];
	void *z;                      /* private: zlib state and output buffer */
};

/* Returns 0 or -ENOMEM. */
int apk_gz_init(struct apk_gz *g);
/* Feed compressed bytes. Returns 0, -EBADMSG (WHY says why) or a
 * callback's error. */
int apk_gz_feed(struct apk_gz *g, const void *buf, size_t len);
/* After the last byte: 0 when a member had just ended, -EIO (truncated)
 * or the earlier error. Frees the state (also safe after errors). */
int apk_gz_finish(struct apk_gz *g);

/* ---- signed indexes ---- */

enum apk_sig_state {
	APK_SIG_NONE = 0,             /* no .SIGN.* member: unsigned */
	APK_SIG_GOOD,                 /* verified with a trusted key */
	APK_SIG_UNKNOWN_KEY,          /* signed with a key we do not have */
	APK_SIG_BAD,                  /* signature does not match */
};

struct apk_index_file {
	char *text;                   /* the APKINDEX file (malloc, NUL after text_len) */
	size_t text_len;
	char description[128];        /* DESCRIPTION, "" when absent */
	enum apk_sig_state sig;
	char key[APK_KEY_NAME];       /* the key named by the (first) signature */
	char why[256];                /* on failure, or about the signature */
};

/* Take apart the APKINDEX.tar.gz in BUF[0..LEN): check the signature over
 * the compressed bytes after the first gzip member against KEYS (SHA-1 for
 * .SIGN.RSA., SHA-256 for .SIGN.RSA256.) and extract the APKINDEX file.
 * Returns 0 with F->sig APK_SIG_GOOD; -ENOKEY (unsigned, or only keys we do
 * not have) or -EKEYREJECTED (bad signature) with F->text still filled so a
 * caller that allows untrusted repositories may go on; -EBADMSG for a
 * damaged archive or no APKINDEX in it, -ENOMEM. F->why says it in words.
 * Free F->text with free(). */
int apk_index_unpack(const unsigned char *buf, size_t len, const struct apk_keys *keys,
                     struct apk_index_file *f);

#endif
