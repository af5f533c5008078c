/* TLS 1.2 client on BearSSL: trust anchors from a PEM bundle, the
 * engine driven over a non-blocking socket with every wait bounded by
 * poll(), and BearSSL's error codes turned into errno plus words. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "tls.h"

/* Build time of the binary, Unix seconds: the Makefile passes
 * -DNB_BUILD_EPOCH=$(SOURCE_DATE_EPOCH or date +%s); this default is
 * when this file was written, so a build without it still has a floor. */
#ifndef NB_BUILD_EPOCH
#define NB_BUILD_EPOCH 1795564800LL	/* 2026-11-25 */
#endif

#define TLS_IO_MS_DEFAULT 30000
#define DAYS_0AD_TO_1970 719528	/* BearSSL counts days from 0000-01-01 */

/* ---- trust anchors ------------------------------------------------------ */

/* State while one PEM file is decoded. */
struct loader {
	struct tls_anchors *a;
	br_x509_decoder_context dc;
	size_t mark;                /* a->used when the current certificate began */
	int in_cert;
	int full;                   /* its DN did not fit */
};

/* Copy LEN bytes of P to the end of the store; NULL when they do not fit. */
static unsigned char *keep(struct tls_anchors *a, const void *p, size_t len)
{
	unsigned char *d;

	if (len > sizeof(a->bytes) - a->used)
		return NULL;
	d = a->bytes + a->used;
	memcpy(d, p, len);
	a->used += len;
	return d;
}

/* The X.509 decoder hands the subject DN over piece by piece. */
static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct loader *l = ctx;

	if (!l->full && !keep(l->a, buf, len))
		l->full = 1;
}

static void pem_data(void *ctx, const void *buf, size_t len)
{
	struct loader *l = ctx;

	if (l->in_cert)
		br_x509_decoder_push(&l->dc, buf, len);
}

/* The certificate just decoded becomes the next anchor, if it fits. */
static void end_cert(struct loader *l)
{
	struct tls_anchors *a = l->a;
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&l->dc);
	br_x509_trust_anchor *ta = &a->ta[a->n];
	br_x509_pkey *k = &ta->pkey;

	l->in_cert = 0;
	if (!pk || (pk->key_type != BR_KEYTYPE_RSA && pk->key_type != BR_KEYTYPE_EC)) {
		a->used = l->mark;
		a->bad++;
		return;
	}
	if (l->full || a->n == TLS_ANCHORS_MAX)
		goto skip;
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = a->bytes + l->mark;
	ta->dn.len = a->used - l->mark;
	ta->flags = br_x509_decoder_isCA(&l->dc) ? BR_X509_TA_CA : 0;
	k->key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		k->key.rsa.n = keep(a, pk->key.rsa.n, pk->key.rsa.nlen);
		k->key.rsa.nlen = pk->key.rsa.nlen;
		k->key.rsa.e = keep(a, pk->key.rsa.e, pk->key.rsa.elen);
		k->key.rsa.elen = pk->key.rsa.elen;
		if (!k->key.rsa.n || !k->key.rsa.e)
			goto skip;
	} else {
		k->key.ec.curve = pk->key.ec.curve;
		k->key.ec.q = keep(a, pk->key.ec.q, pk->key.ec.qlen);
		k->key.ec.qlen = pk->key.ec.qlen;
		if (!k->key.ec.q)
			goto skip;
	}
	a->n++;
	return;

skip:
	a->used = l->mark;
	a->skipped++;
}

/* Push LEN bytes of the file through the PEM decoder. */
static void pem_feed(br_pem_decoder_context *pc, struct loader *l,
                     const unsigned char *p, size_t len)
{
	const char *name;
	size_t k;

	while (len) {
		k = br_pem_decoder_push(pc, p, len);
		p += k;
		len -= k;
		switch (br_pem_decoder_event(pc)) {
		case BR_PEM_BEGIN_OBJ:
			name = br_pem_decoder_name(pc);
			if (!strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE")) {
				l->in_cert = 1;
				l->full = 0;
				l->mark = l->a->used;
				br_x509_decoder_init(&l->dc, dn_append, l);
			}
			break;
		case BR_PEM_END_OBJ:
			if (l->in_cert)
				end_cert(l);
			break;
		case BR_PEM_ERROR:
			if (l->in_cert)
				l->a->used = l->mark;
			l->in_cert = 0;
			l->a->bad++;
			break;
		}
	}
}

/* Decode every certificate of the PEM file PATH into A (see tls.h).
 * Returns 0, -errno or -ENOKEY with WHY set. */
int tls_anchors_load(struct tls_anchors *a, const char *path, char *why, size_t whysz)
{
	struct loader l;
	br_pem_decoder_context pc;
	unsigned char buf[4096];
	ssize_t n;
	int fd, err, eof = 0;

	if (!path)
		path = TLS_CA_FILE_DEFAULT;
	a->n = a->used = 0;
	a->skipped = a->bad = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, whysz, "cannot read trust anchors %s: %s", path, strerror(-err));
		return err;
	}
	memset(&l, 0, sizeof(l));
	l.a = a;
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, pem_data, &l);
	while (!eof) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			snprintf(why, whysz, "cannot read trust anchors %s: %s", path, strerror(-err));
			close(fd);
			return err;
		}
		if (n == 0) {
			/* the decoder only sees an END line once it is terminated */
			buf[0] = '\n';
			n = 1;
			eof = 1;
		}
		pem_feed(&pc, &l, buf, (size_t)n);
	}
	close(fd);
	if (l.in_cert) {
		a->used = l.mark;
		a->bad++;
	}
	if (a->n == 0) {
		snprintf(why, whysz, "no usable certificate in %s", path);
		return -ENOKEY;
	}
	return 0;
}

/* ---- clock -------------------------------------------------------------- */

/* The time to check certificates at (see tls.h). */
long long tls_check_time(long long now, long long floor, int *floored)
{
	*floored = now < floor;
	return now < floor ? floor : now;
}

/* NB_BUILD_EPOCH, the default floor (see tls.h). */
long long tls_build_epoch(void)
{
	return NB_BUILD_EPOCH;
}

/* "2026-11-25": the civil date of T in UTC (days to year/month/day as in
 * Howard Hinnant's days_from_civil inverse). Not gmtime_r + strftime: in a
 * static glibc those pull the time zone code and with it sscanf and strtod,
 * about 110 KB of the init. */
static const char *day(char *buf, size_t size, long long t)
{
	long long z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	long long d = doy - (153 * mp + 2) / 5 + 1;
	long long m = mp < 10 ? mp + 3 : mp - 9;

	snprintf(buf, size, "%04lld-%02lld-%02lld", yoe + era * 400 + (m <= 2), m, d);
	return buf;
}

/* ---- errors ------------------------------------------------------------- */

struct code_name {
	int code;
	const char *name;
};

#define N(c) { c, #c }
static const struct code_name br_errs[] = {
	N(BR_ERR_BAD_PARAM), N(BR_ERR_BAD_STATE), N(BR_ERR_UNSUPPORTED_VERSION),
	N(BR_ERR_BAD_VERSION), N(BR_ERR_BAD_LENGTH), N(BR_ERR_TOO_LARGE),
	N(BR_ERR_BAD_MAC), N(BR_ERR_NO_RANDOM), N(BR_ERR_UNKNOWN_TYPE),
	N(BR_ERR_UNEXPECTED), N(BR_ERR_BAD_CCS), N(BR_ERR_BAD_ALERT),
	N(BR_ERR_BAD_HANDSHAKE), N(BR_ERR_OVERSIZED_ID), N(BR_ERR_BAD_CIPHER_SUITE),
	N(BR_ERR_BAD_COMPRESSION), N(BR_ERR_BAD_FRAGLEN), N(BR_ERR_BAD_SECRENEG),
	N(BR_ERR_EXTRA_EXTENSION), N(BR_ERR_BAD_SNI), N(BR_ERR_BAD_HELLO_DONE),
	N(BR_ERR_LIMIT_EXCEEDED), N(BR_ERR_BAD_FINISHED), N(BR_ERR_RESUME_MISMATCH),
	N(BR_ERR_INVALID_ALGORITHM), N(BR_ERR_BAD_SIGNATURE), N(BR_ERR_WRONG_KEY_USAGE),
	N(BR_ERR_NO_CLIENT_AUTH), N(BR_ERR_IO),
	N(BR_ERR_X509_INVALID_VALUE), N(BR_ERR_X509_TRUNCATED), N(BR_ERR_X509_EMPTY_CHAIN),
	N(BR_ERR_X509_INNER_TRUNC), N(BR_ERR_X509_BAD_TAG_CLASS), N(BR_ERR_X509_BAD_TAG_VALUE),
	N(BR_ERR_X509_INDEFINITE_LENGTH), N(BR_ERR_X509_EXTRA_ELEMENT),
	N(BR_ERR_X509_UNEXPECTED), N(BR_ERR_X509_NOT_CONSTRUCTED),
	N(BR_ERR_X509_NOT_PRIMITIVE), N(BR_ERR_X509_PARTIAL_BYTE), N(BR_ERR_X509_BAD_BOOLEAN),
	N(BR_ERR_X509_OVERFLOW), N(BR_ERR_X509_BAD_DN), N(BR_ERR_X509_BAD_TIME),
	N(BR_ERR_X509_UNSUPPORTED), N(BR_ERR_X509_LIMIT_EXCEEDED),
	N(BR_ERR_X509_WRONG_KEY_TYPE), N(BR_ERR_X509_BAD_SIGNATURE),
	N(BR_ERR_X509_TIME_UNKNOWN), N(BR_ERR_X509_EXPIRED), N(BR_ERR_X509_DN_MISMATCH),
	N(BR_ERR_X509_BAD_SERVER_NAME), N(BR_ERR_X509_CRITICAL_EXTENSION),
	N(BR_ERR_X509_NOT_CA), N(BR_ERR_X509_FORBIDDEN_KEY_USAGE),
	N(BR_ERR_X509_WEAK_PUBLIC_KEY), N(BR_ERR_X509_NOT_TRUSTED),
};
#undef N

/* TLS alert descriptions (RFC 5246 7.2) a server is likely to send. */
static const struct code_name alerts[] = {
	{ 0, "close_notify" }, { 10, "unexpected_message" }, { 20, "bad_record_mac" },
	{ 22, "record_overflow" }, { 40, "handshake_failure" }, { 42, "bad_certificate" },
	{ 47, "illegal_parameter" }, { 50, "decode_error" }, { 51, "decrypt_error" },
	{ 70, "protocol_version" }, { 71, "insufficient_security" }, { 80, "internal_error" },
	{ 90, "user_canceled" }, { 100, "no_renegotiation" }, { 112, "unrecognized_name" },
};

static const char *code_name(const struct code_name *t, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return "unknown";
}

static int fail(struct tls *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct tls *t, int err, const char *fmt, ...)
{
	va_list ap;

	if (t->err)
		return t->err;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	t->err = err;
	return err;
}

static int is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* "1970-01-02", or "1970-01-02, checked as of 2026-11-25" when floored */
static const char *when(struct tls *t, char *buf, size_t size)
{
	char d1[32], d2[32];

	day(d1, sizeof(d1), t->now);
	if (t->checked_at != t->now)
		snprintf(buf, size, "%s, checked as of %s", d1, day(d2, sizeof(d2), t->checked_at));
	else
		snprintf(buf, size, "%s", d1);
	return buf;
}

/* Turn the engine's error code into errno and words. */
static int engine_error(struct tls *t)
{
	int code = br_ssl_engine_last_error(&t->sc.eng);
	const char *name = code_name(br_errs, sizeof(br_errs) / sizeof(br_errs[0]), code);
	const char *stage = t->handshake_done ? "TLS connection failed" : "TLS handshake failed";
	char w[96];

	switch (code) {
	case BR_ERR_X509_NOT_TRUSTED:
		if (t->anchors && t->anchors->skipped)
			return fail(t, -EKEYREJECTED, "certificate not trusted (BR_ERR_X509_NOT_TRUSTED; "
			            "%u CA certificates did not fit the trust store)", t->anchors->skipped);
		return fail(t, -EKEYREJECTED, "certificate not trusted (BR_ERR_X509_NOT_TRUSTED)");
	case BR_ERR_X509_EXPIRED:
		return fail(t, -EKEYEXPIRED, "certificate expired or not yet valid - is the clock right? "
		            "(now: %s)", when(t, w, sizeof(w)));
	case BR_ERR_X509_BAD_SERVER_NAME:
		return fail(t, -EKEYREJECTED, "certificate name mismatch: not issued for %s "
		            "(BR_ERR_X509_BAD_SERVER_NAME)%s", t->host, is_ip_literal(t->host) ?
		            "; BearSSL matches an address only against DNS name entries, not IP entries" : "");
	case BR_ERR_NO_RANDOM:
		return fail(t, -EIO, "%s: no random seed (BR_ERR_NO_RANDOM)", stage);
	}
	if (code > BR_ERR_X509_OK && code < BR_ERR_X509_OK + 32)
		return fail(t, -EKEYREJECTED, "certificate rejected: %s (%d)", name, code);
	if (code >= BR_ERR_RECV_FATAL_ALERT && code < BR_ERR_SEND_FATAL_ALERT)
		return fail(t, -EPROTO, "%s: the server sent alert %d (%s)", stage,
		            code - BR_ERR_RECV_FATAL_ALERT,
		            code_name(alerts, sizeof(alerts) / sizeof(alerts[0]),
		                      code - BR_ERR_RECV_FATAL_ALERT));
	if (code >= BR_ERR_SEND_FATAL_ALERT)
		return fail(t, -EPROTO, "%s: sent alert %d", stage, code - BR_ERR_SEND_FATAL_ALERT);
	if (!t->handshake_done && t->first_len == sizeof(t->first) &&
	    !memcmp(t->first, "HTTP/", 5))
		return fail(t, -EPROTO, "%s: the server answered in plain HTTP (%s)", stage, name);
	return fail(t, -EPROTO, "%s: %s (%d)", stage, name, code);
}

/* ---- engine I/O --------------------------------------------------------- */

static int deadline_passed(struct tls *t)
{
	return fail(t, -ETIME, "TLS: %s not done by the deadline",
	            t->handshake_done ? "exchange" : "handshake");
}

/* Wait up to the io timeout, and not past the deadline, for EVENTS on the
 * socket. */
static int wait_fd(struct tls *t, short events)
{
	long long left = t->deadline ? t->deadline - mono_ms() : t->io_ms;
	int err;
	char d[32];

	if (left <= 0)
		return deadline_passed(t);
	err = fd_wait(t->fd, events, left < t->io_ms ? (int)left : t->io_ms);
	if (err == 0)
		return 0;
	if (err == -ETIMEDOUT && left < t->io_ms)
		return deadline_passed(t);
	if (err != -ETIMEDOUT)
		return fail(t, err, "TLS: poll: %s", strerror(-err));
	if (t->io_ms % 1000 == 0)
		snprintf(d, sizeof(d), "%d s", t->io_ms / 1000);
	else
		snprintf(d, sizeof(d), "%d ms", t->io_ms);
	if (!t->handshake_done)
		return fail(t, -ETIMEDOUT, "TLS handshake: no answer within %s%s", d,
		            t->first_len ? "" : " (is it an https server?)");
	return fail(t, -ETIMEDOUT, "TLS: no data within %s", d);
}

static int io_error(struct tls *t, int err)
{
	if (!t->handshake_done)
		return fail(t, err, "TLS handshake failed: %s",
		            err == -ECONNRESET ? "connection reset by the server" : strerror(-err));
	return fail(t, err, "TLS: %s", strerror(-err));
}

/* Move records between the engine and the socket until the engine's state
 * has one of the WANT bits. Returns 0, 1 when the stream has ended
 * (T->eof_clean tells how), or a negative errno with T->why set. */
static int run_until(struct tls *t, unsigned want)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned st, before;
	unsigned char *buf;
	size_t len;
	ssize_t n;
	int err;

	for (;;) {
		if (t->err)
			return t->err;
		if (t->deadline && mono_ms() >= t->deadline)
			return deadline_passed(t);
		st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_CLOSED) {
			if (br_ssl_engine_last_error(eng) != BR_ERR_OK)
				return engine_error(t);
			t->eof_clean = 1;
			return 1;
		}
		if (st & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			n = send(t->fd, buf, len, MSG_NOSIGNAL);
			if (n > 0) {
				br_ssl_engine_sendrec_ack(eng, (size_t)n);
			} else if (n < 0 && errno != EINTR) {
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					return io_error(t, -errno);
				if ((err = wait_fd(t, POLLOUT)))
					return err;
			}
			continue;
		}
		if (st & want)
			return 0;
		if (want == BR_SSL_SENDAPP && (st & BR_SSL_RECVAPP))
			return fail(t, -EPROTO, "TLS: the server sent data before the request");
		if (st & BR_SSL_RECVREC) {
			buf = br_ssl_engine_recvrec_buf(eng, &len);
			n = recv(t->fd, buf, len, 0);
			if (n > 0) {
				if (t->first_len < sizeof(t->first)) {
					len = sizeof(t->first) - t->first_len;
					if ((size_t)n < len)
						len = (size_t)n;
					memcpy(t->first + t->first_len, buf, len);
					t->first_len += len;
				}
				br_ssl_engine_recvrec_ack(eng, (size_t)n);
			} else if (n == 0) {
				if (!t->handshake_done)
					return fail(t, -ECONNRESET, "TLS handshake failed: the server "
					            "closed the connection");
				return 1;	/* dropped without close_notify */
			} else if (errno != EINTR) {
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					return io_error(t, -errno);
				if ((err = wait_fd(t, POLLIN)))
					return err;
			}
			continue;
		}
		/* only buffered application data can move things on */
		before = st;
		br_ssl_engine_flush(eng, 0);
		if (br_ssl_engine_current_state(eng) == before)
			return fail(t, -EPROTO, "TLS: engine stalled in state %#x", before);
	}
}

/* ---- the connection ----------------------------------------------------- */

/* An X.509 engine in front of the minimal one: the engine passes it the
 * SNI name (none for IP literals), it passes the host name on instead. */
static struct tls *nc_tls(const br_x509_class *const *ctx)
{
	return (struct tls *)(void *)((char *)ctx - offsetof(struct tls, name_check));
}

static void nc_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls *t = nc_tls(ctx);

	(void)server_name;
	t->xc.vtable->start_chain(&t->xc.vtable, t->host);
}

static void nc_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls *t = nc_tls(ctx);

	t->xc.vtable->start_cert(&t->xc.vtable, length);
}

static void nc_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls *t = nc_tls(ctx);

	t->xc.vtable->append(&t->xc.vtable, buf, len);
}

static void nc_end_cert(const br_x509_class **ctx)
{
	struct tls *t = nc_tls(ctx);

	t->xc.vtable->end_cert(&t->xc.vtable);
}

static unsigned nc_end_chain(const br_x509_class **ctx)
{
	struct tls *t = nc_tls(ctx);

	return t->xc.vtable->end_chain(&t->xc.vtable);
}

static const br_x509_pkey *nc_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls *t = nc_tls(ctx);

	return t->xc.vtable->get_pkey(&t->xc.vtable, usages);
}

static const br_x509_class name_check_vtable = {
	sizeof(const br_x509_class *),
	nc_start_chain, nc_start_cert, nc_append, nc_end_cert, nc_end_chain, nc_get_pkey,
};

/* The only cipher suites offered: ephemeral ECDH key exchange (forward
 * secrecy) with an AEAD cipher. No RSA key exchange, no CBC (its padding
 * and MAC-then-encrypt have a long record of attacks), no 3DES. */
static const uint16_t tls_suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

/* What br_ssl_client_init_full sets up, less what the suites above never
 * use (RSA key exchange, CBC, 3DES, the TLS 1.0/1.1 PRF, MD5): the
 * static init does not carry their code. Hashes SHA-1 to SHA-512 for the
 * handshake and certificate signatures, RSA and ECDSA signature checks,
 * ECDHE, the TLS 1.2 PRFs, AES-GCM and ChaCha20-Poly1305. */
static void client_init(struct tls *t)
{
	static const br_hash_class *const hashes[] = {
		&br_sha1_vtable, &br_sha224_vtable, &br_sha256_vtable, &br_sha384_vtable, &br_sha512_vtable,
	};
	br_ssl_engine_context *eng = &t->sc.eng;
	size_t i;
	int id;

	br_ssl_client_zero(&t->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, tls_suites, sizeof(tls_suites) / sizeof(tls_suites[0]));
	br_x509_minimal_init(&t->xc, &br_sha256_vtable, t->anchors ? t->anchors->ta : NULL,
	                     t->anchors ? t->anchors->n : 0);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);
		br_ssl_engine_set_hash(eng, id, hashes[i]);
		br_x509_minimal_set_hash(&t->xc, id, hashes[i]);
	}
	br_x509_minimal_set_rsa(&t->xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&t->xc, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	br_ssl_engine_set_default_ec(eng);
	br_ssl_engine_set_prf_sha256(eng, br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
}

/* Handshake with the server on FD for HOST (see tls.h). */
int tls_start(struct tls *t, int fd, const char *host, const struct tls_config *cfg)
{
	unsigned char seed[32];
	long long floor, at;
	char d1[32], d2[32];
	int floored, fl, err;

	memset(t, 0, offsetof(struct tls, iobuf));
	t->fd = fd;
	t->io_ms = cfg->io_timeout_ms > 0 ? cfg->io_timeout_ms : TLS_IO_MS_DEFAULT;
	t->deadline = cfg->deadline;
	t->anchors = cfg->anchors;
	if (strlen(host) >= sizeof(t->host))
		return fail(t, -ENAMETOOLONG, "TLS: host name too long");
	strcpy(t->host, host);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return fail(t, -errno, "TLS: %s", strerror(errno));

	t->now = cfg->now ? cfg->now : (long long)time(NULL);
	floor = cfg->now_floor > NB_BUILD_EPOCH ? cfg->now_floor : NB_BUILD_EPOCH;
	t->checked_at = at = tls_check_time(t->now, floor, &floored);
	if (floored)
		snprintf(t->note, sizeof(t->note), "the clock says %s, before %s %s: "
		         "checking certificates as of %s", day(d1, sizeof(d1), t->now),
		         floor == NB_BUILD_EPOCH ? "the build date" : "the time floor",
		         day(d2, sizeof(d2), floor), d2);
	if (at < 0)
		at = 0;

	client_init(t);
	br_x509_minimal_set_time(&t->xc, (uint32_t)(at / 86400 + DAYS_0AD_TO_1970),
	                         (uint32_t)(at % 86400));
	t->name_check.vtable = &name_check_vtable;
	br_ssl_engine_set_x509(&t->sc.eng, &t->name_check.vtable);
	br_ssl_engine_set_buffer(&t->sc.eng, t->iobuf, sizeof(t->iobuf), 1);
	/* BearSSL seeds itself from /dev/urandom; add the kernel's pool when
	 * it is ready without waiting */
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		br_ssl_engine_inject_entropy(&t->sc.eng, seed, sizeof(seed));
	if (!br_ssl_client_reset(&t->sc, is_ip_literal(host) ? NULL : host, 0))
		return engine_error(t);

	err = run_until(t, BR_SSL_SENDAPP);
	if (err == 1)
		return fail(t, -ECONNRESET, "TLS handshake failed: the server closed the session");
	if (err)
		return err;
	t->handshake_done = 1;
	return 0;
}

/* Application data from the server (see tls.h). */
ssize_t tls_read(struct tls *t, void *buf, size_t len)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned char *p;
	size_t n;
	int err;

	if (len == 0)
		return 0;
	err = run_until(t, BR_SSL_RECVAPP);
	if (err == 1)
		return 0;
	if (err)
		return err;
	p = br_ssl_engine_recvapp_buf(eng, &n);
	if (n > len)
		n = len;
	memcpy(buf, p, n);
	br_ssl_engine_recvapp_ack(eng, n);
	return (ssize_t)n;
}

/* Send and flush application data (see tls.h). */
int tls_write(struct tls *t, const void *buf, size_t len)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	const unsigned char *p = buf;
	unsigned char *d;
	size_t n;
	int err;

	while (len) {
		err = run_until(t, BR_SSL_SENDAPP);
		if (err == 1)
			return fail(t, -EPIPE, "TLS: the server closed the connection");
		if (err)
			return err;
		d = br_ssl_engine_sendapp_buf(eng, &n);
		if (n > len)
			n = len;
		memcpy(d, p, n);
		br_ssl_engine_sendapp_ack(eng, n);
		p += n;
		len -= n;
	}
	br_ssl_engine_flush(eng, 0);
	err = run_until(t, BR_SSL_SENDAPP);	/* returns once the records are out */
	if (err == 1)
		return fail(t, -EPIPE, "TLS: the server closed the connection");
	return err;
}

/* Best-effort close_notify (see tls.h). */
void tls_close(struct tls *t)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if (t->err || !t->handshake_done)
		return;
	br_ssl_engine_close(eng);
	while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
		buf = br_ssl_engine_sendrec_buf(eng, &len);
		n = send(t->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0)
			break;
		br_ssl_engine_sendrec_ack(eng, (size_t)n);
	}
}
