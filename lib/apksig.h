/* apk v2 signatures and archives: RSA public keys from PEM files, PKCS#1
 * v1.5 signatures over SHA-1 / SHA-256 (BearSSL), base64 "Q1" checksums,
 * the one reader of abuild-signed gzip streams (overlays, indexes,
 * packages) and the signed APKINDEX.tar.gz. Knows nothing about booting.
 * See docs/apk-formats.md. */
#ifndef NB_APKSIG_H
#define NB_APKSIG_H

#include <bearssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "gunzip.h"
#include "tar.h"

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

/* ---- abuild-signed gzip streams ---- */

enum apk_sig_state {
	APK_SIG_NONE = 0,             /* no .SIGN.* member: unsigned */
	APK_SIG_GOOD,                 /* verified with a trusted key */
	APK_SIG_UNKNOWN_KEY,          /* signed with a key we do not have */
	APK_SIG_BAD,                  /* signature does not match */
};

#define APK_SIGS_MAX 4
/* Inflated bytes the signature member may hold (APK_SIGS_MAX entries of
 * a header and up to APK_KEY_BYTES each, with room to spare). */
#define APK_SIG_MEMBER_MAX (16 * 1024)

struct apk_sig {
	char name[APK_KEY_NAME];      /* the key's file name */
	size_t hashlen;               /* 20 .SIGN.RSA., 32 .SIGN.RSA256., 0 other kinds (ignored) */
	unsigned char data[APK_KEY_BYTES];
	size_t len;
};

/* A stream of gzip members as abuild-sign writes them: member 0 may be
 * the signature, a tar segment of only .SIGN.* regular files (no extended
 * headers, no end-of-archive marker, ending between two entries), whose
 * RSA signatures cover the compressed bytes of all later members. Member 0
 * is the signature when its first entry is a .SIGN.* file; else the stream
 * is unsigned and the content starts at member 0. The content is read by
 * a tar reader of its own that starts at the first content member (nothing
 * of the signature member carries over) and refuses data after its
 * end-of-archive marker. Anything else is refused with WHY set. */
struct apk_signed {
	/* The caller's, set after apk_signed_init. */
	const struct tar_ops *ops;    /* the content's entries; NULL: not read as tar */
	void *ctx;
	/* Optional: every compressed byte by gzip member (signature member
	 * too), and each gzip member's end (compressed offset past it). A
	 * positive return stops the stream: apk_signed_feed returns it. */
	int (*raw)(void *ctx, unsigned member, const void *buf, size_t len);
	int (*end)(void *ctx, unsigned member, unsigned long long end);
	bool hash;                    /* hash the signed bytes as they pass (apk_signed_verify) */
	bool head_only;               /* stop (return 1) once member 0's role is known
	                               * and a signature member has ended */
	/* Results. */
	int sig_members;              /* -1 not known yet, 0 unsigned, 1 signed (member 0) */
	struct apk_sig sig[APK_SIGS_MAX];
	int nsig;
	unsigned long long sig_end;   /* compressed offset past the signature member */
	enum apk_sig_state state;     /* set by apk_signed_verify */
	char key[APK_KEY_NAME];       /* the key it names (the first, or the one tried) */
	char why[256];                /* a refusal of the layout, in words */
	/* Private. */
	struct gunzip g;
	struct tar_reader head, body, *cur;
	bool tar_off;                 /* content not read as tar (ops NULL) */
	bool want1, want256;
	br_sha1_context sha1;
	br_sha256_context sha256;
	unsigned long long head_bytes;
};

/* Start reading a stream into S (callbacks set afterwards). Returns 0 or
 * -ENOMEM. */
int apk_signed_init(struct apk_signed *s);
/* Feed compressed bytes. Returns 0, -EBADMSG (S->why, or S->g.why for the
 * gzip layer, or the content reader's why), a callback's error, or a
 * positive stop (head_only, a callback's). */
int apk_signed_feed(struct apk_signed *s, const void *buf, size_t len);
/* After the last byte: 0 when the gzip stream and (with ops) the content's
 * tar archive ended cleanly; else as apk_signed_feed (-EIO: truncated).
 * Frees the decoder; safe after errors and twice. */
int apk_signed_finish(struct apk_signed *s);
/* The words of the last error of S (its own, gzip's or the tar reader's). */
const char *apk_signed_why(const struct apk_signed *s);
/* Hash LEN signed bytes that were not fed (the rest of an in-memory file
 * after a head_only pass). */
void apk_signed_hash(struct apk_signed *s, const void *buf, size_t len);
/* Check the signatures of a signed stream against KEYS over what was
 * hashed. Returns 0 (S->state APK_SIG_GOOD, S->key the signer), -ENOKEY
 * (unsigned, or no signature by a key in KEYS; state NONE or UNKNOWN_KEY)
 * or -EKEYREJECTED (state BAD). */
int apk_signed_verify(struct apk_signed *s, const struct apk_keys *keys);

/* ---- signed indexes ---- */

/* An APKINDEX.tar.gz larger than this is refused (compressed), and so is
 * an APKINDEX file larger than APK_INDEX_TEXT_MAX once inflated: Alpine's
 * largest (community) is about 3 MiB and 12 MiB. */
#define APK_INDEX_MAX (16LL << 20)
#define APK_INDEX_TEXT_MAX (32LL << 20)


struct apk_index_file {
	char *text;                   /* the APKINDEX file (malloc, NUL after text_len) */
	size_t text_len;
	char description[128];        /* DESCRIPTION, "" when absent */
	enum apk_sig_state sig;
	char key[APK_KEY_NAME];       /* the key named by the (first) signature */
	char why[256];                /* on failure, or about the signature */
};

/* Take apart the APKINDEX.tar.gz in BUF[0..LEN), an abuild-signed stream
 * (struct apk_signed): the signature over the compressed bytes after the
 * signature member is checked against KEYS (SHA-1 for .SIGN.RSA., SHA-256
 * for .SIGN.RSA256.) before anything else is inflated, then the APKINDEX
 * file is extracted from the signed part. Returns 0 with F->sig
 * APK_SIG_GOOD; -ENOKEY (unsigned, or only keys we do not have) or
 * -EKEYREJECTED (bad signature), with F->text filled only when
 * UNTRUSTED_OK (a caller that allows untrusted repositories goes on);
 * -EBADMSG for a damaged or smuggling archive or no APKINDEX in it, -EFBIG
 * (larger than APK_INDEX_MAX or APK_INDEX_TEXT_MAX), -ENOMEM. F->why says
 * it in words. Free F->text with free(). */
int apk_index_unpack(const unsigned char *buf, size_t len, const struct apk_keys *keys, bool untrusted_ok,
                     struct apk_index_file *f);

#endif
