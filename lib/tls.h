/* A TLS 1.2 client over a connected socket, built on BearSSL's client
 * engine and its "minimal" X.509 validator, offering only ECDHE suites
 * with AES-GCM or ChaCha20-Poly1305. Certificates are always
 * verified against trust anchors read from a PEM bundle; a clock that is
 * behind the build date of the binary is floored, never ignored.
 * Knows nothing about booting or HTTP. */
#ifndef NB_TLS_H
#define NB_TLS_H

#include <bearssl.h>
#include <stddef.h>
#include <sys/types.h>

#define TLS_CA_FILE_DEFAULT "/etc/ssl/certs/ca-certificates.crt"

/* Bounds of the trust store. Debian 12's bundle (150 roots, 108 of them
 * RSA) takes 63 KiB of TLS_ANCHOR_BYTES; certificates beyond either
 * bound are skipped and counted, not fatal. */
#define TLS_ANCHORS_MAX 320
#define TLS_ANCHOR_BYTES (128 * 1024)     /* subject DNs and public keys */

/* Trust anchors decoded from a PEM file: the subject DN and public key of
 * every certificate in it (RSA or EC). Certificates that say CA:TRUE
 * anchor chains; others are trusted only as the server's own certificate.
 * ta[] points into bytes[]: never copy the struct, pass its address.
 * About 148 KiB. */
struct tls_anchors {
	br_x509_trust_anchor ta[TLS_ANCHORS_MAX];
	size_t n;
	size_t used;                      /* bytes[] in use */
	unsigned skipped;                 /* certificates that did not fit */
	unsigned bad;                     /* PEM objects that did not decode */
	unsigned char bytes[TLS_ANCHOR_BYTES];
};

/* Read the certificates of the PEM file PATH (NULL: TLS_CA_FILE_DEFAULT)
 * into A. Other PEM objects (keys, CRLs) are ignored, undecodable
 * certificates counted in A->bad. Returns 0, -errno when the file cannot
 * be read, or -ENOKEY when it holds no usable certificate; WHY (WHYSZ
 * bytes) then says so in words. */
int tls_anchors_load(struct tls_anchors *a, const char *path, char *why, size_t whysz);

struct tls_config {
	const struct tls_anchors *anchors; /* NULL: trust nothing */
	int io_timeout_ms;                /* longest wait for the peer; <= 0: 30 s */
	long long now_floor;              /* check certificates no earlier than
	                                     this Unix time nor the build date;
	                                     0: the build date alone */
	long long now;                    /* the time to check at instead of the
	                                     system clock (tests); 0: time() */
	long long deadline;               /* mono_ms() (lib/fileio.h) by which
	                                     the handshake and every later read
	                                     and write must be done; 0: none */
};

/* One TLS connection. Large (about 40 KiB: BearSSL's 33 KiB record
 * buffers and its contexts); the caller places it. */
struct tls {
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	struct {                          /* X.509 engine in front of xc that
	                                     gives it the host name to check */
		const br_x509_class *vtable;
	} name_check;
	int fd;
	int io_ms;
	long long deadline;               /* as in tls_config */
	int err;                          /* sticky: first error, 0 while fine */
	int handshake_done;
	int eof_clean;                    /* stream ended with close_notify */
	const struct tls_anchors *anchors;
	long long now, checked_at;        /* clock, and the time certs were
	                                     checked at (Unix seconds) */
	size_t first_len;
	unsigned char first[5];           /* first bytes the server sent */
	char host[256];
	char why[256];                    /* on failure: the cause in words */
	char note[192];                   /* worth telling once even on
	                                     success: the clock was floored */
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* Start TLS on the connected socket FD (it is made non-blocking) for
 * HOST. HOST is sent as SNI when it is a name (not for IP literals, RFC
 * 6066) and always checked against the certificate the way BearSSL does:
 * against the dNSName entries of its subjectAltName, or its subject CN
 * when it has no SAN. BearSSL ignores iPAddress entries, so an IP-literal
 * HOST only matches a certificate that also lists the address as a DNS
 * name ("DNS:10.0.0.1"); a certificate with just "IP:10.0.0.1" fails as
 * a name mismatch, and T->why says so.
 * Each wait for the peer is bounded by CFG's io timeout. Returns 0, or a
 * negative errno with T->why set:
 *   -EKEYEXPIRED   certificate expired or not yet valid
 *   -EKEYREJECTED  untrusted chain, name mismatch, other bad certificate
 *   -EPROTO        handshake failure (alert, plain HTTP, no common suite)
 *   -ETIMEDOUT, -ECONNRESET, -errno of the socket
 *   -ETIME         CFG's deadline passed
 * T->note tells when the clock was floored. FD stays the caller's. */
int tls_start(struct tls *t, int fd, const char *host, const struct tls_config *cfg);

/* Read up to LEN bytes of application data. Returns the count, 0 at the
 * end of the stream (T->eof_clean says whether the server closed with
 * close_notify or just dropped the connection), or a negative errno with
 * T->why set (-ETIMEDOUT after io timeout of silence, -ETIME once the
 * deadline has passed, however fast records arrive). */
ssize_t tls_read(struct tls *t, void *buf, size_t len);

/* Send all LEN bytes and flush them. Returns 0 or a negative errno with
 * T->why set. */
int tls_write(struct tls *t, const void *buf, size_t len);

/* Send close_notify if the socket takes it at once; never waits. Does not
 * close the socket. */
void tls_close(struct tls *t);

/* The time certificates are checked at: NOW, or FLOOR when NOW is
 * earlier (a clock that forgot the date). Sets *FLOORED to 1 in that
 * case, else 0. */
long long tls_check_time(long long now, long long floor, int *floored);

/* The floor used when the caller gives none: the build time of the
 * binary (NB_BUILD_EPOCH, Unix seconds). */
long long tls_build_epoch(void);

#endif
