/* Fuzz the TLS client's record path (lib/tls.c over BearSSL's client
 * engine) with the input as everything a server sends: it is written into
 * one end of a socketpair and the write end shut, and tls_start then
 * tls_read run on the other end exactly as http_get runs them, with the
 * project's suites, versions, host-name check and error words. What can
 * be reached is the server's first flight: records, ServerHello,
 * Certificate (X.509 decoding up to the trust decision: there are no
 * anchors), ServerKeyExchange, alerts; the encrypted records after a
 * handshake need the server's key, which an input cannot have.
 * Invariants: the handshake fails (nothing is trusted) with a negative
 * errno and a reason, in bounded time; T->why is NUL-terminated. */
#include <sys/socket.h>

#include "common.h"
#include "fileio.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls t;
	struct tls_config cfg = { .anchors = NULL, .io_timeout_ms = 200, .now = 1795564800LL,
	                          .deadline = 0 };
	int sv[2], rc, bufsz = 1 << 20;
	long long t0;
	char buf[256];

	if (size > 48 * 1024)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (size && write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	cfg.deadline = mono_ms() + 2000;
	t0 = mono_ms();
	rc = tls_start(&t, sv[1], "repo.example.org", &cfg);
	if (rc == 0)
		rc = (int)tls_read(&t, buf, sizeof(buf));
	FZ_ASSERT(memchr(t.why, '\0', sizeof(t.why)));
	/* nothing is trusted: no input can complete a handshake */
	FZ_ASSERT(rc < 0 && t.why[0]);
	FZ_ASSERT(mono_ms() - t0 < 2500);
	tls_close(&t);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
