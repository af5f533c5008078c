/* lib/tls.c and https:// in http_get against real TLS servers: the openssl
 * CLI makes two CAs and server certificates (good, expired, other CA,
 * wrong name, IP-only) in a temp dir, and openssl s_server serves files
 * with each of them on 127.0.0.1. Plain servers (busybox httpd, a
 * listener that never answers, a tiny redirector) stand on "https" ports.
 * Every child dies with the test (PR_SET_PDEATHSIG, atexit, SIGALRM). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "fileio.h"
#include "tap.h"
#include "tls.h"

#define TEST_TIME_LIMIT_S 28
#define BLOB_SIZE (300 * 1000 + 7)
#define DAY 86400LL

/* ---- child processes: kids.h ------------------------------------------- */

#define KIDS_TEST_NAME "test_tls"
#include "kids.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- files -------------------------------------------------------------- */

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd))
		bail("cannot write %s: %s", path, strerror(errno));
}

static void write_str(const char *name, const char *s)
{
	write_file(name, s, strlen(s));
}

static const char *tmp_path(const char *name)
{
	static char bufs[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", tmpdir, name);
	return bufs[i];
}

static char blob[BLOB_SIZE];
static char blob_http[BLOB_SIZE + 128];
static char x1200[1201];

static void make_www(void)
{
	unsigned x = 88172645u;
	char trunc[256 + 1200];
	size_t n;
	int i;

	for (i = 0; i < BLOB_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		blob[i] = (char)x;
	}
	mkdir(tmp_path("www"), 0755);
	write_file("www/blob.bin", blob, BLOB_SIZE);
	n = (size_t)snprintf(blob_http, sizeof(blob_http),
	                     "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BLOB_SIZE);
	memcpy(blob_http + n, blob, BLOB_SIZE);
	write_file("www/blob.http", blob_http, n + BLOB_SIZE);
	write_str("www/hello.txt", "hello over tls\n");
	write_str("www/hello.http", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	write_str("www/chunked.http", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	          "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
	n = (size_t)snprintf(trunc, sizeof(trunc), "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
	memset(x1200, 'x', 1200);
	memcpy(trunc + n, x1200, 1200);
	write_file("www/trunc.http", trunc, n + 1200);
	write_str("www/redir.http", "HTTP/1.1 302 Found\r\nLocation: /hello.http\r\n"
	          "Content-Length: 0\r\n\r\n");
	write_str("www/down.http", "HTTP/1.1 301 Moved Permanently\r\n"
	          "Location: http://127.0.0.1:9/hello.http\r\nContent-Length: 0\r\n\r\n");
}

/* ---- certificates ------------------------------------------------------- */

static const char pki_sh[] =
	"set -e\n"
	"cd \"$1\"; start=$2; end=$3\n"
	"exec >openssl.log 2>&1\n"
	"cat >ca.cnf <<'EOF'\n"
	"[ca1]\n"
	"database = ca1.db/index.txt\n"
	"new_certs_dir = ca1.db\n"
	"serial = ca1.db/serial\n"
	"certificate = ca1.pem\n"
	"private_key = ca1.key\n"
	"default_md = sha256\n"
	"policy = any\n"
	"unique_subject = no\n"
	"[ca2]\n"
	"database = ca2.db/index.txt\n"
	"new_certs_dir = ca2.db\n"
	"serial = ca2.db/serial\n"
	"certificate = ca2.pem\n"
	"private_key = ca2.key\n"
	"default_md = sha256\n"
	"policy = any\n"
	"unique_subject = no\n"
	"[any]\n"
	"commonName = supplied\n"
	"[good]\n"
	"basicConstraints = CA:FALSE\n"
	"keyUsage = digitalSignature\n"
	"subjectAltName = DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1\n"
	"[iponly]\n"
	"basicConstraints = CA:FALSE\n"
	"keyUsage = digitalSignature\n"
	"subjectAltName = DNS:localhost,IP:127.0.0.1\n"
	"[wrong]\n"
	"basicConstraints = CA:FALSE\n"
	"keyUsage = digitalSignature\n"
	"subjectAltName = DNS:wrong.example\n"
	"EOF\n"
	"for ca in ca1 ca2; do mkdir $ca.db; : >$ca.db/index.txt; echo 1000 >$ca.db/serial; done\n"
	"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca1.key -out ca1.pem -days 3650"
	" -subj '/CN=nbinit test CA'\n"
	"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca2.key"
	" -out ca2.pem -days 3650 -subj '/CN=nbinit other CA'\n"
	"openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key"
	" -out srv.csr -subj /CN=localhost\n"
	"sign() {\n"
	"	openssl ca -batch -notext -config ca.cnf -name $1 -in srv.csr -out $2.pem"
	" -extfile ca.cnf -extensions $3 -startdate $4 -enddate $5\n"
	"}\n"
	"sign ca1 good good $start $end\n"
	"sign ca1 iponly iponly $start $end\n"
	"sign ca1 wrong wrong $start $end\n"
	"sign ca1 expired good 20000101000000Z 20010101000000Z\n"
	"sign ca2 other good $start $end\n"
	/* a bundle: both CAs, a key and a broken certificate between them */
	"{ cat ca1.pem srv.key; printf -- '-----BEGIN CERTIFICATE-----\\nMIIB\\n"
	"-----END CERTIFICATE-----\\n'; cat ca2.pem; } >bundle.pem\n"
	/* no line end after the last END line */
	"printf %s \"$(cat ca2.pem)\" >ca2-nonl.pem\n"
	": >empty.pem\n";

/* "20261125061359Z" */
static void asn1_time(char *buf, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y%m%d%H%M%SZ", &tm);
}

static void ymd(char *buf, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

static long long valid_from, valid_to;

/* Certificates valid from before both the clock and the build date to
 * well after both, so that the build-date floor also accepts them. */
static void make_pki(void)
{
	long long now = time(NULL), build = tls_build_epoch();
	char start[32], end[32], cmd[512];
	int rc;

	valid_from = (now < build ? now : build) - 2 * DAY;
	valid_to = (now > build ? now : build) + 400 * DAY;
	asn1_time(start, sizeof(start), valid_from);
	asn1_time(end, sizeof(end), valid_to);
	write_str("pki.sh", pki_sh);
	snprintf(cmd, sizeof(cmd), "sh %s %s %s %s", tmp_path("pki.sh"), tmpdir, start, end);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s", tmp_path("openssl.log"));
		if (system(cmd) < 0)
			bail("system: %s", strerror(errno));
		bail("making test certificates failed (openssl CLI installed? see tests/setup)");
	}
}

/* ---- servers ------------------------------------------------------------ */

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		bail("cannot find a free port: %s", strerror(errno));
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* A connected blocking socket to 127.0.0.1:PORT, or -errno. */
static int tcp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

enum server {
	S_GOOD,         /* s_server -WWW, good certificate */
	S_GOOD_HTTP,    /* s_server -HTTP (files are whole responses), good */
	S_IPONLY,       /* 127.0.0.1 only as an iPAddress SAN */
	S_EXPIRED,
	S_OTHER,        /* signed by the other CA */
	S_WRONG,        /* issued for wrong.example */
	S_MUTE,         /* s_server echoing a pipe we hold: silent after the handshake */
	S_CBC,          /* only ECDHE-ECDSA with AES-CBC: refused */
	S_CHACHA,       /* only ECDHE-ECDSA with ChaCha20-Poly1305 */
	S_GCM256,       /* only ECDHE-ECDSA with AES-256-GCM */
	S_TLS11,        /* only TLS 1.1: refused */
	S_PLAIN,        /* busybox httpd, plain HTTP */
	S_SILENT,       /* a listener that never accepts: no answer at all */
	S_REDIRECT,     /* plain HTTP: 302 to https on S_GOOD_HTTP */
	N_SERVERS
};

static const struct {
	const char *name, *cert, *mode;
	const char *cipher, *version;  /* s_server -cipher, and -tls1_x */
} tls_servers[] = {
	[S_GOOD] = { "good", "good.pem", "-WWW", NULL, NULL },
	[S_GOOD_HTTP] = { "good -HTTP", "good.pem", "-HTTP", NULL, NULL },
	[S_IPONLY] = { "IP SAN only", "iponly.pem", "-WWW", NULL, NULL },
	[S_EXPIRED] = { "expired", "expired.pem", "-WWW", NULL, NULL },
	[S_OTHER] = { "other CA", "other.pem", "-WWW", NULL, NULL },
	[S_WRONG] = { "wrong name", "wrong.pem", "-WWW", NULL, NULL },
	[S_MUTE] = { "mute", "good.pem", NULL, NULL, NULL },
	[S_CBC] = { "CBC only", "good.pem", "-WWW", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384", "-tls1_2" },
	[S_CHACHA] = { "ChaCha only", "good.pem", "-WWW", "ECDHE-ECDSA-CHACHA20-POLY1305", "-tls1_2" },
	[S_GCM256] = { "GCM-256 only", "good.pem", "-WWW", "ECDHE-ECDSA-AES256-GCM-SHA384", "-tls1_2" },
	[S_TLS11] = { "TLS 1.1 only", "good.pem", "-WWW", "ECDHE-ECDSA-AES128-SHA@SECLEVEL=0", "-tls1_1" },
	[S_PLAIN] = { "plain http", NULL, NULL, NULL, NULL },
	[S_SILENT] = { "silent", NULL, NULL, NULL, NULL },
	[S_REDIRECT] = { "redirector", NULL, NULL, NULL, NULL },
};

static int port[N_SERVERS];
static pid_t server_pid[N_SERVERS];
static int mute_pipe = -1, mute_out = -1, silent_fd = -1;

static int wait_listening(pid_t pid, int p)
{
	int i, fd;

	for (i = 0; i < 300; i++) {	/* up to 3 s */
		fd = tcp_connect(p);
		if (fd >= 0) {
			close(fd);
			return 1;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return 0;	/* lost the port to someone else */
		sleep_ms(10);
	}
	return 0;
}

static void exec_server(enum server s, int p)
{
	char accept_arg[32], cert[256], key[256];
	int devnull = open("/dev/null", O_RDWR);

	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%d", p);
	if (s == S_PLAIN) {
		if (chdir(tmp_path("www")) == 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execl("/bin/busybox", "busybox", "httpd", "-f", "-p", accept_arg,
			      "-h", ".", (char *)NULL);
		}
		_exit(127);
	}
	snprintf(cert, sizeof(cert), "%s/%s", tmpdir, tls_servers[s].cert);
	snprintf(key, sizeof(key), "%s/srv.key", tmpdir);
	if (chdir(tmp_path("www")))
		_exit(127);
	if (s != S_MUTE) {
		dup2(devnull, 0);
		dup2(devnull, 1);	/* S_MUTE's stdout, what it reads, is a pipe too */
	}
	dup2(devnull, 2);
	if (tls_servers[s].cipher)
		execlp("openssl", "openssl", "s_server", "-quiet", tls_servers[s].mode,
		       "-accept", accept_arg, "-cert", cert, "-key", key,
		       "-cipher", tls_servers[s].cipher, tls_servers[s].version, (char *)NULL);
	else if (tls_servers[s].mode)
		execlp("openssl", "openssl", "s_server", "-quiet", tls_servers[s].mode,
		       "-accept", accept_arg, "-cert", cert, "-key", key, (char *)NULL);
	else
		execlp("openssl", "openssl", "s_server", "-quiet",
		       "-accept", accept_arg, "-cert", cert, "-key", key, (char *)NULL);
	_exit(127);
}

static void start_server(enum server s)
{
	int tries, p, fds[2], outs[2];

	for (tries = 0; tries < 5; tries++) {
		p = free_port();
		if (s == S_MUTE && (pipe(fds) || pipe2(outs, O_NONBLOCK)))
			bail("pipe: %s", strerror(errno));
		if ((server_pid[s] = fork_kid()) == 0) {
			if (s == S_MUTE) {
				dup2(fds[0], 0);
				dup2(outs[1], 1);
				close(fds[1]);
				close(outs[0]);
			}
			exec_server(s, p);
		}
		if (s == S_MUTE) {
			close(fds[0]);
			close(outs[1]);
			mute_pipe = fds[1];
			mute_out = outs[0];
		}
		if (wait_listening(server_pid[s], p)) {
			port[s] = p;
			return;
		}
		reap(server_pid[s]);
		if (s == S_MUTE) {
			close(mute_pipe);
			close(mute_out);
		}
	}
	bail("%s server did not start (see tests/setup: openssl, busybox-static)",
	     tls_servers[s].name);
}

/* Plain HTTP: every connection gets a 302 to https on S_GOOD_HTTP. */
static void start_redirector(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char req[4096], resp[256];
	struct pollfd pf;
	ssize_t r;
	size_t n;
	int lfd, fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len))
		bail("redirector: %s", strerror(errno));
	port[S_REDIRECT] = ntohs(a.sin_port);
	snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:%d/hello.http\r\n"
	         "Content-Length: 0\r\n\r\n", port[S_GOOD_HTTP]);
	if ((server_pid[S_REDIRECT] = fork_kid()) == 0) {
		for (;;) {
			fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				_exit(1);
			pf.fd = fd;
			pf.events = POLLIN;
			n = 0;
			while (n < sizeof(req) - 1 && poll(&pf, 1, 2000) > 0 &&
			       (r = read(fd, req + n, sizeof(req) - 1 - n)) > 0) {
				n += (size_t)r;
				req[n] = '\0';
				if (strstr(req, "\r\n\r\n"))
					break;
			}
			if (write(fd, resp, strlen(resp)) < 0)
				_exit(1);
			shutdown(fd, SHUT_WR);
			while (poll(&pf, 1, 1000) > 0 && read(fd, req, sizeof(req)) > 0)
				;
			close(fd);
		}
	}
	close(lfd);
}

/* A listener with no accept(): the kernel completes connections and then
 * nothing ever answers. */
static void start_silent(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	silent_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (silent_fd < 0 || bind(silent_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(silent_fd, 8) || getsockname(silent_fd, (struct sockaddr *)&a, &len))
		bail("silent listener: %s", strerror(errno));
	port[S_SILENT] = ntohs(a.sin_port);
}

static void start_servers(void)
{
	int s;

	for (s = 0; s <= S_PLAIN; s++)
		start_server((enum server)s);
	start_redirector();
	start_silent();
	for (s = 0; s < N_SERVERS; s++)
		diag("%-12s on 127.0.0.1:%d", tls_servers[s].name, port[s]);
}

/* ---- the clock floor ---------------------------------------------------- */

struct floor_case {
	const char *file;
	int line;
	long long now, floor, want;
	int floored;
};

#define FLOOR(now, floor, want, floored) { __FILE__, __LINE__, now, floor, want, floored }

static const struct floor_case floor_cases[] = {
	FLOOR(1795587239, 1795564800, 1795587239, 0),     /* clock after the build */
	FLOOR(1795564800, 1795564800, 1795564800, 0),     /* exactly the build time */
	FLOOR(0, 1795564800, 1795564800, 1),              /* the RTC lost its battery */
	FLOOR(86400, 1795564800, 1795564800, 1),
	FLOOR(1795564799, 1795564800, 1795564800, 1),     /* one second early */
	FLOOR(4102444800LL, 1795564800, 4102444800LL, 0), /* 2100: far ahead stays */
};

static void floor_tests(void)
{
	char d[32];
	size_t i;
	long long got, b = tls_build_epoch();
	int fl;

	for (i = 0; i < sizeof(floor_cases) / sizeof(floor_cases[0]); i++) {
		const struct floor_case *c = &floor_cases[i];

		fl = -1;
		got = tls_check_time(c->now, c->floor, &fl);
		ok_at(got == c->want && fl == c->floored, c->file, c->line,
		      "check time for now %lld, floor %lld: %lld floored %d (want %lld, %d)",
		      c->now, c->floor, got, fl, c->want, c->floored);
	}
	ymd(d, sizeof(d), b);
	ok(b >= 1700000000, "build epoch %lld (%s) is plausible", b, d);
}

/* ---- trust anchors ------------------------------------------------------ */

static struct tls_anchors anchors;
static struct tls tls;
static size_t system_n;

struct anchor_case {
	const char *file;
	int line;
	const char *pem;           /* under tmpdir; "/..." is absolute */
	int rc;
	size_t n;                  /* anchors */
	unsigned bad;
	int key_type;              /* of the first anchor, 0: do not check */
	unsigned flags;            /* of the first anchor */
	const char *why;           /* substring, when rc != 0 */
};

#define ANCHORS(pem, rc, n, bad, key_type, flags, why) \
	{ __FILE__, __LINE__, pem, rc, n, bad, key_type, flags, why }

static const struct anchor_case anchor_cases[] = {
	ANCHORS("ca1.pem", 0, 1, 0, BR_KEYTYPE_RSA, BR_X509_TA_CA, ""),
	ANCHORS("ca2.pem", 0, 1, 0, BR_KEYTYPE_EC, BR_X509_TA_CA, ""),
	ANCHORS("ca2-nonl.pem", 0, 1, 0, BR_KEYTYPE_EC, BR_X509_TA_CA, ""),
	ANCHORS("bundle.pem", 0, 2, 1, BR_KEYTYPE_RSA, BR_X509_TA_CA, ""),
	ANCHORS("good.pem", 0, 1, 0, BR_KEYTYPE_EC, 0, ""),   /* leaf: direct trust only */
	ANCHORS("srv.key", -ENOKEY, 0, 0, 0, 0, "no usable certificate in "),
	ANCHORS("empty.pem", -ENOKEY, 0, 0, 0, 0, "no usable certificate in "),
	ANCHORS("missing.pem", -ENOENT, 0, 0, 0, 0, "cannot read trust anchors "),
	ANCHORS("/nonexistent/dir/ca.pem", -ENOENT, 0, 0, 0, 0,
	        "cannot read trust anchors /nonexistent/dir/ca.pem: No such file"),
};

static void anchor_tests(void)
{
	char why[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(anchor_cases) / sizeof(anchor_cases[0]); i++) {
		const struct anchor_case *c = &anchor_cases[i];
		const char *path = c->pem[0] == '/' ? c->pem : tmp_path(c->pem);

		why[0] = '\0';
		rc = tls_anchors_load(&anchors, path, why, sizeof(why));
		ok_at(rc == c->rc && anchors.n == c->n && anchors.bad == c->bad, c->file, c->line,
		      "anchors %s: rc %d (want %d), %zu anchors (want %zu), %u bad (want %u) %s",
		      c->pem, rc, c->rc, anchors.n, c->n, anchors.bad, c->bad, why);
		if (c->key_type)
			ok_at(anchors.ta[0].pkey.key_type == c->key_type &&
			      anchors.ta[0].flags == c->flags && anchors.ta[0].dn.len > 0,
			      c->file, c->line, "anchors %s: key type %d, flags %u", c->pem,
			      anchors.ta[0].pkey.key_type, anchors.ta[0].flags);
		if (c->rc)
			ok_at(strstr(why, c->why) != NULL, c->file, c->line, "anchors %s: why '%s'",
			      c->pem, why);
	}

	why[0] = '\0';
	rc = tls_anchors_load(&anchors, NULL, why, sizeof(why));
	diag("system bundle %s: %zu anchors, %zu of %d bytes, %u skipped, %u bad",
	     TLS_CA_FILE_DEFAULT, anchors.n, anchors.used, TLS_ANCHOR_BYTES, anchors.skipped,
	     anchors.bad);
	ok(rc == 0 && anchors.n >= 100 && anchors.skipped == 0,
	   "system bundle fits the store (rc %d, %zu anchors, %u skipped) %s", rc, anchors.n,
	   anchors.skipped, why);
	ok(anchors.used <= TLS_ANCHOR_BYTES / 4 * 3 && anchors.n <= TLS_ANCHORS_MAX / 4 * 3,
	   "system bundle leaves a quarter of the store free (%zu bytes, %zu anchors)",
	   anchors.used, anchors.n);
	system_n = anchors.n;
}

/* Three copies of the system bundle overflow the store: what does not fit
 * is counted, and an untrusted certificate then says so. */
static void overflow_test(void)
{
	struct tls_config cfg = { .anchors = &anchors, .io_timeout_ms = 3000 };
	char cmd[512], why[256] = "";
	int rc, fd;

	snprintf(cmd, sizeof(cmd), "cat %s %s %s >%s", TLS_CA_FILE_DEFAULT, TLS_CA_FILE_DEFAULT,
	         TLS_CA_FILE_DEFAULT, tmp_path("big.pem"));
	if (system(cmd))
		bail("%s failed", cmd);
	rc = tls_anchors_load(&anchors, tmp_path("big.pem"), why, sizeof(why));
	diag("3 x system bundle: %zu anchors, %zu bytes, %u skipped", anchors.n, anchors.used,
	     anchors.skipped);
	ok(rc == 0 && anchors.skipped > 0 && anchors.n + anchors.skipped == 3 * system_n &&
	   anchors.used <= TLS_ANCHOR_BYTES && anchors.n <= TLS_ANCHORS_MAX,
	   "overflowing bundle: %zu kept, %u skipped, %zu bytes (rc %d %s)", anchors.n,
	   anchors.skipped, anchors.used, rc, why);
	fd = tcp_connect(port[S_GOOD]);
	rc = fd < 0 ? fd : tls_start(&tls, fd, "localhost", &cfg);
	ok(rc == -EKEYREJECTED && strstr(tls.why, "CA certificates did not fit the trust store"),
	   "not trusted, and the overflow is mentioned (rc %d, '%s')", rc, tls.why);
	if (fd >= 0)
		close(fd);
}

/* ---- tls_start / tls_read / tls_write ----------------------------------- */

enum ca { CA1, CA2, BUNDLE, SYSTEM };
static const char *const ca_files[] = { "ca1.pem", "ca2.pem", "bundle.pem", NULL };

struct tls_case {
	const char *file;
	int line;
	const char *name;
	enum server server;
	enum ca ca;
	const char *host;
	long long now;             /* 0: the clock; < 0: that many days after valid_to */
	int io_ms;
	int rc;
	const char *why;           /* substring; "" when rc == 0 */
	const char *note;          /* substring of the clock note; "" for none */
};

#define TLS_CASE(name, server, ca, host, now, io, rc, why, note) \
	{ __FILE__, __LINE__, name, server, ca, host, now, io, rc, why, note }

static const struct tls_case tls_cases[] = {
	TLS_CASE("good cert, right CA", S_GOOD, CA1, "127.0.0.1", 0, 3000, 0, "", ""),
	TLS_CASE("good cert, by name", S_GOOD, CA1, "localhost", 0, 3000, 0, "", ""),
	TLS_CASE("good cert, bundle", S_GOOD, BUNDLE, "localhost", 0, 3000, 0, "", ""),
	TLS_CASE("unknown CA", S_GOOD, CA2, "127.0.0.1", 0, 3000, -EKEYREJECTED,
	         "certificate not trusted (BR_ERR_X509_NOT_TRUSTED)", ""),
	TLS_CASE("test CA not in the system bundle", S_GOOD, SYSTEM, "localhost", 0, 3000,
	         -EKEYREJECTED, "certificate not trusted (BR_ERR_X509_NOT_TRUSTED)", ""),
	TLS_CASE("other CA's cert", S_OTHER, CA1, "127.0.0.1", 0, 3000, -EKEYREJECTED,
	         "certificate not trusted", ""),
	TLS_CASE("other CA's cert with its EC CA", S_OTHER, CA2, "127.0.0.1", 0, 3000, 0, "", ""),
	TLS_CASE("expired", S_EXPIRED, CA1, "127.0.0.1", 0, 3000, -EKEYEXPIRED,
	         "certificate expired or not yet valid - is the clock right? (now: 20", ""),
	TLS_CASE("wrong name", S_WRONG, CA1, "localhost", 0, 3000, -EKEYREJECTED,
	         "certificate name mismatch: not issued for localhost (BR_ERR_X509_BAD_SERVER_NAME)", ""),
	TLS_CASE("IP SAN only, by address", S_IPONLY, CA1, "127.0.0.1", 0, 3000, -EKEYREJECTED,
	         "name mismatch: not issued for 127.0.0.1 (BR_ERR_X509_BAD_SERVER_NAME); BearSSL "
	         "matches an address only against DNS name entries", ""),
	TLS_CASE("IP SAN only, by name", S_IPONLY, CA1, "localhost", 0, 3000, 0, "", ""),
	TLS_CASE("clock in 1970: build date floor", S_GOOD, CA1, "127.0.0.1", DAY, 3000, 0, "",
	         "the clock says 1970-01-02, before the build date "),
	TLS_CASE("clock in 1970, expired cert", S_EXPIRED, CA1, "127.0.0.1", DAY, 3000, -EKEYEXPIRED,
	         "is the clock right? (now: 1970-01-02, checked as of ", "before the build date"),
	TLS_CASE("clock past the cert", S_GOOD, CA1, "127.0.0.1", -30, 3000, -EKEYEXPIRED,
	         "certificate expired or not yet valid", ""),
	/* only ECDHE with an AEAD cipher, only TLS 1.2 */
	TLS_CASE("server with CBC suites only", S_CBC, CA1, "127.0.0.1", 0, 3000, -EPROTO,
	         "TLS handshake failed: the server sent alert 40 (handshake_failure)", ""),
	TLS_CASE("server with ChaCha20-Poly1305 only", S_CHACHA, CA1, "127.0.0.1", 0, 3000, 0, "", ""),
	TLS_CASE("server with AES-256-GCM only", S_GCM256, CA1, "127.0.0.1", 0, 3000, 0, "", ""),
	TLS_CASE("server with TLS 1.1 only", S_TLS11, CA1, "127.0.0.1", 0, 3000, -EPROTO,
	         "TLS handshake failed", ""),
	TLS_CASE("plain HTTP server", S_PLAIN, CA1, "127.0.0.1", 0, 1000, -EPROTO,
	         "TLS handshake failed: the server answered in plain HTTP", ""),
	TLS_CASE("server never answers", S_SILENT, CA1, "127.0.0.1", 0, 400, -ETIMEDOUT,
	         "TLS handshake: no answer within 400 ms (is it an https server?)", ""),
};

static void run_tls_case(const struct tls_case *c)
{
	struct tls_config cfg = { .anchors = &anchors, .io_timeout_ms = c->io_ms };
	char why[256], resp[512], req[128];
	long long t0, ms;
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	why[0] = '\0';
	if (tls_anchors_load(&anchors, ca_files[c->ca] ? tmp_path(ca_files[c->ca]) : NULL,
	                     why, sizeof(why)))
		bail("loading %s: %s", ca_files[c->ca], why);
	cfg.now = c->now < 0 ? valid_to - c->now * DAY : c->now;
	fd = tcp_connect(port[c->server]);
	if (fd < 0)
		bail("connect to %s: %s", c->name, strerror(-fd));
	t0 = mono_ms();
	rc = tls_start(&tls, fd, c->host, &cfg);
	ms = mono_ms() - t0;
	diag("%s: rc %d why '%s' note '%s' (%lld ms)", c->name, rc, tls.why, tls.note, ms);
	ok_at(rc == c->rc, c->file, c->line, "%s: rc %d (want %d)", c->name, rc, c->rc);
	ok_at(c->why[0] ? strstr(tls.why, c->why) != NULL : !tls.why[0], c->file, c->line,
	      "%s: why '%s'", c->name, tls.why);
	ok_at(c->note[0] ? strstr(tls.note, c->note) != NULL : !tls.note[0], c->file, c->line,
	      "%s: note '%s'", c->name, tls.note);
	ok_at(ms < c->io_ms + 1500, c->file, c->line, "%s: done in %lld ms", c->name, ms);
	if (c->rc == -ETIMEDOUT)
		ok_at(ms >= c->io_ms - 20, c->file, c->line, "%s: waited the %d ms", c->name, c->io_ms);

	if (rc == 0) {
		/* one request through tls_write, the answer through tls_read */
		snprintf(req, sizeof(req), "GET /hello.txt HTTP/1.0\r\nHost: %s\r\n\r\n", c->host);
		rc = tls_write(&tls, req, strlen(req));
		while (rc == 0 && (n = tls_read(&tls, resp + len, sizeof(resp) - 1 - len)) > 0)
			len += (size_t)n;
		resp[len] = '\0';
		ok_at(rc == 0 && strstr(resp, "\r\n\r\nhello over tls\n") && tls.eof_clean,
		      c->file, c->line, "%s: GET through TLS, %zu bytes, close_notify %d (%s)",
		      c->name, len, tls.eof_clean, tls.why);
		tls_close(&tls);
	}
	close(fd);
}

static void tls_tests(void)
{
	size_t i;

	for (i = 0; i < sizeof(tls_cases) / sizeof(tls_cases[0]); i++)
		run_tls_case(&tls_cases[i]);
	overflow_test();
}

/* ---- http_get over https ------------------------------------------------ */

struct body {
	char data[BLOB_SIZE + 4096];
	size_t len;
	int calls;
};

static struct body body;
static struct http_result res;

static int sink(void *ctx, const void *buf, size_t len)
{
	struct body *b = ctx;

	b->calls++;
	if (len > sizeof(b->data) - b->len)
		return -EFBIG;
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return 0;
}

struct get_case {
	const char *file;
	int line;
	const char *name;
	const char *scheme;
	enum server server;
	const char *path;
	enum ca ca;
	long long floor;           /* now_floor: < 0: valid_to plus that many days,
	                              > 0: the clock plus that many days */
	int io_ms;
	int rc, status;
	const char *body;          /* what reaches the sink; NULL: the blob */
	long long content_length;
	const char *why;           /* substring; "" for an empty why */
	const char *diag;          /* substring; "" for an empty diag */
	const char *final_url;     /* substring of final_url, NULL: do not check */
};

#define GET(name, scheme, server, path, ca, floor, io, rc, status, body, clen, why, diag, final) \
	{ __FILE__, __LINE__, name, scheme, server, path, ca, floor, io, rc, status, body, clen, \
	  why, diag, final }

static const struct get_case get_cases[] = {
	GET("blob with Content-Length", "https", S_GOOD_HTTP, "/blob.http", CA1, 0, 3000,
	    0, 200, NULL, BLOB_SIZE, "", "", NULL),
	GET("blob to close_notify", "https", S_GOOD, "/blob.bin", CA1, 0, 3000,
	    0, 200, NULL, -1, "", "", NULL),
	GET("chunked", "https", S_GOOD_HTTP, "/chunked.http", CA1, 0, 3000,
	    0, 200, "hello world", -1, "", "", NULL),
	GET("truncated Content-Length", "https", S_GOOD_HTTP, "/trunc.http", CA1, 0, 3000,
	    -EIO, 200, x1200, 5000, "truncated: 1200 of 5000 bytes", "", NULL),
	GET("https to https redirect", "https", S_GOOD_HTTP, "/redir.http", CA1, 0, 3000,
	    0, 200, "hello", 5, "", "", "/hello.http"),
	GET("https to http redirect", "https", S_GOOD_HTTP, "/down.http", CA1, 0, 3000,
	    -EPERM, 301, "", 0, "301 Moved Permanently: redirect from https to http refused", "",
	    "http://127.0.0.1:9/hello.http"),
	GET("http to https redirect", "http", S_REDIRECT, "/start", CA1, 0, 3000,
	    0, 200, "hello", 5, "", "", "https://127.0.0.1:"),
	GET("unknown CA", "https", S_GOOD_HTTP, "/hello.http", CA2, 0, 3000,
	    -EKEYREJECTED, 0, "", -1, "certificate not trusted (BR_ERR_X509_NOT_TRUSTED)", "", NULL),
	GET("expired", "https", S_EXPIRED, "/hello.txt", CA1, 0, 3000,
	    -EKEYEXPIRED, 0, "", -1, "certificate expired or not yet valid - is the clock right?",
	    "", NULL),
	GET("wrong name", "https", S_WRONG, "/hello.txt", CA1, 0, 3000,
	    -EKEYREJECTED, 0, "", -1, "name mismatch", "", NULL),
	GET("floor ahead of the clock", "https", S_GOOD_HTTP, "/hello.http", CA1, 30, 3000,
	    0, 200, "hello", 5, "", "before the time floor ", NULL),
	GET("floor past the cert", "https", S_GOOD_HTTP, "/hello.http", CA1, -30, 3000,
	    -EKEYEXPIRED, 0, "", -1, "is the clock right? (now: 20", "before the time floor ", NULL),
	GET("plain HTTP on the https port", "https", S_PLAIN, "/hello.txt", CA1, 0, 1000,
	    -EPROTO, 0, "", -1, "TLS handshake failed: the server answered in plain HTTP", "", NULL),
	GET("nothing answers the handshake", "https", S_SILENT, "/", CA1, 0, 300,
	    -ETIMEDOUT, 0, "", -1, "TLS handshake: no answer within 300 ms", "", NULL),
	GET("TLS server silent after the handshake", "https", S_MUTE, "/", CA1, 0, 300,
	    -ETIMEDOUT, 0, "", -1, "no response within 300 ms", "", NULL),
};

static void run_get_case(const struct get_case *c)
{
	struct http_opts o = {
		.connect_timeout_ms = 3000,
		.io_timeout_ms = c->io_ms,
		.max_redirects = 3,
		.ca_file = ca_files[c->ca] ? tmp_path(ca_files[c->ca]) : NULL,
	};
	char url[256];
	const char *want = c->body ? c->body : NULL;
	size_t want_len = c->body ? strlen(c->body) : BLOB_SIZE;
	long long t0, ms;
	int rc;

	if (c->floor < 0)
		o.now_floor = valid_to - c->floor * DAY;
	else if (c->floor > 0)
		o.now_floor = time(NULL) + c->floor * DAY;
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", c->scheme, port[c->server], c->path);
	body.len = 0;
	body.calls = 0;
	t0 = mono_ms();
	rc = http_get(url, &o, sink, &body, &res);
	ms = mono_ms() - t0;
	diag("GET %s -> %d status %d received %lld length %lld why '%s' diag '%s' (%lld ms)", url,
	     rc, res.status, res.received, res.content_length, res.why, res.diag, ms);

	ok_at(rc == c->rc && res.status == c->status, c->file, c->line,
	      "%s: rc %d (want %d), status %d (want %d)", c->name, rc, c->rc, res.status, c->status);
	ok_at(c->why[0] ? strstr(res.why, c->why) != NULL : !res.why[0], c->file, c->line,
	      "%s: why '%s'", c->name, res.why);
	ok_at(c->diag[0] ? strstr(res.diag, c->diag) != NULL : !res.diag[0], c->file, c->line,
	      "%s: diag '%s'", c->name, res.diag);
	ok_at(res.content_length == c->content_length, c->file, c->line,
	      "%s: content_length %lld (want %lld)", c->name, res.content_length, c->content_length);
	ok_at(body.len == want_len && res.received == (long long)want_len &&
	      !memcmp(body.data, want ? want : blob, want_len), c->file, c->line,
	      "%s: sink got %zu bytes, received %lld (want %zu)", c->name, body.len,
	      res.received, want_len);
	if (c->final_url)
		ok_at(strstr(res.final_url, c->final_url) != NULL, c->file, c->line,
		      "%s: final_url '%s'", c->name, res.final_url);
	ok_at(ms < c->io_ms + 2000, c->file, c->line, "%s: done in %lld ms", c->name, ms);
}

/* Whether FD (nonblocking) shows TEXT within MS milliseconds. */
static int wait_output(int fd, const char *text, int ms)
{
	static char seen[8192];
	static size_t n;
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	long long end = mono_ms() + ms;
	ssize_t r;

	for (;;) {
		while ((r = read(fd, seen + n, sizeof(seen) - 1 - n)) > 0) {
			n += (size_t)r;
			seen[n] = '\0';
		}
		if (strstr(seen, text))
			return 1;
		if (n == sizeof(seen) - 1 || r == 0 || mono_ms() >= end ||
		    poll(&pf, 1, (int)(end - mono_ms())) < 0)
			return 0;
	}
}

static int unclean_request_seen = -1;

/* The unclean close test's sink: once the body has begun, s_server has sent
 * all we gave it; when it has also read our request (it prints what it reads
 * to mute_out), it is killed, so the connection ends without close_notify. */
static int sink_then_kill(void *ctx, const void *buf, size_t len)
{
	int rc = sink(ctx, buf, len);

	if (unclean_request_seen < 0) {
		unclean_request_seen = wait_output(mute_out, "GET /unclean HTTP/1.1", 3000);
		reap(server_pid[S_MUTE]);
	}
	return rc;
}

/* An s_server that sends what we put in its stdin pipe, then dies without
 * close_notify: a body read to the end of the stream must not count as
 * complete. */
static void unclean_close_test(void)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\n\r\npartial body";
	struct http_opts o = { .io_timeout_ms = 3000, .max_redirects = 0 };
	char url[128];
	int rc;

	o.ca_file = tmp_path("ca1.pem");
	if (write(mute_pipe, resp, sizeof(resp) - 1) != (ssize_t)(sizeof(resp) - 1))
		bail("write to s_server: %s", strerror(errno));
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/unclean", port[S_MUTE]);
	body.len = 0;
	rc = http_get(url, &o, sink_then_kill, &body, &res);
	diag("GET %s -> %d received %lld why '%s'", url, rc, res.received, res.why);
	ok(unclean_request_seen == 1, "s_server read the request and was killed after the body began (%d)",
	   unclean_request_seen);
	ok(rc == -EIO && strstr(res.why, "truncated: TLS connection closed without close_notify "
	                        "after 12 bytes") && res.received == 12,
	   "server dies mid-body: -EIO, not a complete body (rc %d, '%s')", rc, res.why);
	reap(server_pid[S_MUTE]);
}

static void get_tests(void)
{
	struct http_opts zero = { 0 };
	char url[128];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(get_cases) / sizeof(get_cases[0]); i++)
		run_get_case(&get_cases[i]);

	/* zeroed options: default timeouts and the system bundle, which does
	 * not know the test CA */
	snprintf(url, sizeof(url), "https://localhost:%d/hello.http", port[S_GOOD_HTTP]);
	rc = http_get(url, &zero, sink, &body, &res);
	ok(rc == -EKEYREJECTED && strstr(res.why, "not trusted"),
	   "zeroed options use %s (rc %d, '%s')", TLS_CA_FILE_DEFAULT, rc, res.why);
	rc = http_get(url, NULL, sink, &body, &res);
	ok(rc == -EKEYREJECTED, "NULL options too (rc %d)", rc);

	zero.ca_file = tmp_path("missing.pem");
	rc = http_get(url, &zero, sink, &body, &res);
	ok(rc == -ENOENT && strstr(res.why, "cannot read trust anchors") && res.status == 0,
	   "missing CA file (rc %d, '%s')", rc, res.why);

	unclean_close_test();
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(TEST_TIME_LIMIT_S);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nbinit-tls.XXXXXX");
	if (!mkdtemp(tmpdir))
		bail("mkdtemp: %s", strerror(errno));
	atexit(cleanup);

	floor_tests();
	make_www();
	make_pki();
	anchor_tests();
	start_servers();
	tls_tests();
	get_tests();
	if (silent_fd >= 0)
		close(silent_fd);
	if (mute_pipe >= 0)
		close(mute_pipe);
	if (mute_out >= 0)
		close(mute_out);
	return done_testing();
}
