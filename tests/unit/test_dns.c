/* dns: query building and answer parsing on crafted messages, resolv.conf
 * and hosts parsing, and lookups against a real dnsmasq on 127.0.0.1 (a
 * high port): names, search domains, NXDOMAIN, a truncated answer (TCP), a
 * silent and a refusing server before the good one, a server that answers
 * with the wrong ID and question first. */
#define KIDS_TEST_NAME "test_dns"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns.h"
#include "fileio.h"
#include "kids.h"
#include "tap.h"

/* ---- crafted messages ---------------------------------------------------- */

struct qrow {
	const char *file;
	int line;
	const char *name;
	int len;      /* expected length or -EINVAL */
};

#define Q(name, len) { __FILE__, __LINE__, name, len }
#define L63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct qrow qrows[] = {
	Q("boot.example", 12 + 14 + 4), Q("boot.example.", 12 + 14 + 4), Q("x", 12 + 3 + 4),
	Q(L63 ".x", 12 + 1 + 63 + 2 + 1 + 4), Q(L63 "a.x", -EINVAL), Q("", -EINVAL), Q(".", -EINVAL),
	Q("a..b", -EINVAL), Q(".a", -EINVAL),
	Q(L63 "." L63 "." L63 "." L63, -EINVAL),     /* 255 characters */
};

/* An answer to ID for boot.example: header, question, then RRS. */
static size_t answer(unsigned char *m, uint16_t id, int flags2, int rcode, int an, const void *rrs, size_t rrlen)
{
	int ql = dns_query_a(m, 512, "boot.example", id);

	m[2] = (unsigned char)(0x81 | flags2);   /* QR, RD (+TC) */
	m[3] = (unsigned char)(0x80 | rcode);
	m[7] = (unsigned char)an;
	memcpy(m + ql, rrs, rrlen);
	return (size_t)ql + rrlen;
}

static void messages(void)
{
	/* CNAME boot.example -> www.boot.example (pointer to 12), then its A */
	static const unsigned char cname_a[] = {
		0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'w', 'w', 'w', 0xc0, 12,
		0xc0, 30, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7,
		0xc0, 30, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 8,
	};
	unsigned char m[512];
	struct in_addr a[4];
	char s[32];
	size_t len, i;
	int n, rc, tc;

	for (i = 0; i < sizeof(qrows) / sizeof(qrows[0]); i++) {
		n = dns_query_a(m, sizeof(m), qrows[i].name, 0x1234);
		ok_at(n == qrows[i].len, qrows[i].file, qrows[i].line, "query for '%.20s': %d (want %d)",
		      qrows[i].name, n, qrows[i].len);
	}
	len = answer(m, 0xbeef, 0, 0, 3, cname_a, sizeof(cname_a));
	n = dns_parse_a(m, len, 0xbeef, "boot.example", a, 4, &rc, &tc);
	ok(n == 2 && rc == 0 && !tc && !strcmp(inet_ntop(AF_INET, &a[0], s, sizeof(s)), "10.0.0.7"),
	   "CNAME then two A records: %d, first %s", n, s);
	n = dns_parse_a(m, len, 0xbeef, "BOOT.Example.", a, 1, &rc, &tc);
	ok(n == 1, "question compared without case, MAX respected: %d", n);
	ok(dns_parse_a(m, len, 0xbeee, "boot.example", a, 4, &rc, &tc) == -EBADMSG, "wrong ID");
	ok(dns_parse_a(m, len, 0xbeef, "boot.exampld", a, 4, &rc, &tc) == -EBADMSG, "wrong question");
	ok(dns_parse_a(m, len, 0xbeef, "boot", a, 4, &rc, &tc) == -EBADMSG, "shorter question");
	ok(dns_parse_a(m, len - 3, 0xbeef, "boot.example", a, 4, &rc, &tc) == -EBADMSG, "cut inside an RR");
	m[2] &= 0x7f;
	ok(dns_parse_a(m, len, 0xbeef, "boot.example", a, 4, &rc, &tc) == -EBADMSG, "a query, not a response");
	len = answer(m, 7, 0x02, 0, 3, cname_a, sizeof(cname_a) - 10);
	n = dns_parse_a(m, len, 7, "boot.example", a, 4, &rc, &tc);
	ok(n == 1 && tc, "truncated (TC): what is complete counts: %d, tc %d", n, tc);
	len = answer(m, 9, 0, 3, 0, "", 0);
	n = dns_parse_a(m, len, 9, "boot.example", a, 4, &rc, &tc);
	ok(n == 0 && rc == 3, "NXDOMAIN: %d rcode %d", n, rc);
	ok(dns_parse_a(m, 11, 9, "boot.example", a, 4, &rc, &tc) == -EBADMSG, "shorter than a header");
}

static void conf(void)
{
	struct dns_conf c;
	struct in_addr a;
	char rp[128], hp[128], s[32];
	int n;
	static const char resolv[] =
		"# comment\nnameserver 10.0.2.3\n nameserver\t10.0.2.4 # x\nnameserver fe80::1\n"
		"domain old.lan\nsearch lan example.org\nnameserver 10.0.2.5\nnameserver 10.0.2.6\n";
	static const char hosts[] = "127.0.0.1 localhost\n# 10.0.0.9 commented\n::1 ip6-localhost\n"
		"10.0.0.5\tdepot Depot.lan # comment depot2\n";

	snprintf(rp, sizeof(rp), "%s/resolv.conf", tmpdir);
	snprintf(hp, sizeof(hp), "%s/hosts", tmpdir);
	file_write(rp, resolv, sizeof(resolv) - 1, 0644);
	file_write(hp, hosts, sizeof(hosts) - 1, 0644);
	dns_conf_read(&c, rp, hp);
	ok(c.nns == 3 && c.ns[2].s_addr == inet_addr("10.0.2.5") && c.port == 53,
	   "three IPv4 name servers kept (IPv6 skipped): %d", c.nns);
	ok(c.nsearch == 2 && !strcmp(c.search[0], "lan") && !strcmp(c.search[1], "example.org"),
	   "the last search/domain line wins: %d %s", c.nsearch, c.search[0]);
	c.nns = 0;
	n = dns_lookup4(&c, "DEPOT.LAN", &a, 1, 100);
	ok(n == 1 && a.s_addr == inet_addr("10.0.0.5"),
	   "hosts file: an alias, without case: %d %s", n, inet_ntop(AF_INET, &a, s, sizeof(s)));
	ok(dns_lookup4(&c, "depot2", &a, 1, 100) == -EDESTADDRREQ, "a comment is no alias; no name server");
	ok(dns_lookup4(&c, "10.1.2.3", &a, 1, 100) == 1 && a.s_addr == inet_addr("10.1.2.3"), "a literal");
	ok(dns_lookup4(&c, "a..b", &a, 1, 100) == -EINVAL, "an invalid name");
	dns_conf_read(&c, "/nonexistent", NULL);
	ok(c.nns == 0 && c.nsearch == 0, "no resolv.conf: nothing");
}

/* ---- real servers -------------------------------------------------------- */

static int port;

static int udp_bound(const char *ip)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, ip, &sa.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bail("bind %s:%d: %s", ip, port, strerror(errno));
	return fd;
}

/* On 127.0.0.3: first an answer with another ID, then one for another
 * question, then the right one (10.7.7.7), each from the right address. */
static void tricky_server(int fd)
{
	static const unsigned char rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 7, 7, 7 };
	unsigned char q[512], m[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	size_t len;
	uint16_t id;

	if (n < 12)
		_exit(1);
	id = (uint16_t)(q[0] << 8 | q[1]);
	len = answer(m, (uint16_t)(id + 1), 0, 0, 1, rr, sizeof(rr));
	sendto(fd, m, len, 0, (struct sockaddr *)&from, fl);
	len = answer(m, id, 0, 0, 1, rr, sizeof(rr));
	m[13] ^= 1;   /* "coot.example" */
	sendto(fd, m, len, 0, (struct sockaddr *)&from, fl);
	m[13] ^= 1;
	sendto(fd, m, len, 0, (struct sockaddr *)&from, fl);
	pause();
	_exit(0);
}

static void real(void)
{
	char pf[32], a1[64], a2[64], a3[64], a4[64], hr[48][64];
	char *argv[80];
	struct dns_conf c;
	struct in_addr a[64];
	int i, k, n, silent, tfd;
	long long t0;
	pid_t pid;
	char s[32];

	if (system("command -v dnsmasq >/dev/null 2>&1 || test -x /usr/sbin/dnsmasq") != 0) {
		tap_n++;
		printf("ok %d # skip dnsmasq not installed (tests/setup)\n", tap_n);
		return;
	}
	port = 20000 + (int)(getpid() % 20000);
	snprintf(pf, sizeof(pf), "--port=%d", port);
	snprintf(a1, sizeof(a1), "--address=/boot.example/10.1.2.3");
	snprintf(a2, sizeof(a2), "--address=/depot.lan/10.9.9.9");
	snprintf(a3, sizeof(a3), "--address=/nx.example/");
	snprintf(a4, sizeof(a4), "--host-record=two.example,10.2.0.1");
	k = 0;
	argv[k++] = "dnsmasq";
	argv[k++] = "--keep-in-foreground";
	argv[k++] = "--conf-file=/dev/null";
	argv[k++] = "--no-resolv";
	argv[k++] = "--no-hosts";
	argv[k++] = "--listen-address=127.0.0.1";
	argv[k++] = "--bind-interfaces";
	argv[k++] = "--user=root";
	argv[k++] = "--pid-file=";
	argv[k++] = pf;
	argv[k++] = a1;
	argv[k++] = a2;
	argv[k++] = a3;
	argv[k++] = a4;
	/* 48 addresses for many.example: over 512 bytes, so UDP is truncated */
	for (i = 0; i < 48; i++) {
		snprintf(hr[i], sizeof(hr[i]), "--host-record=many.example,10.3.0.%d", i + 1);
		argv[k++] = hr[i];
	}
	argv[k] = NULL;
	if ((pid = fork_kid()) == 0) {
		execvp("dnsmasq", argv);
		execv("/usr/sbin/dnsmasq", argv);
		_exit(127);
	}
	silent = udp_bound("127.0.0.2");   /* bound, never answers */
	tfd = udp_bound("127.0.0.3");
	if (fork_kid() == 0)
		tricky_server(tfd);
	close(tfd);

	memset(&c, 0, sizeof(c));
	c.port = (unsigned short)port;
	c.nns = 1;
	inet_pton(AF_INET, "127.0.0.1", &c.ns[0]);
	for (i = 0; i < 50; i++) {   /* dnsmasq up? */
		if (dns_lookup4(&c, "boot.example", a, 1, 200) == 1)
			break;
		usleep(100000);
	}
	n = dns_lookup4(&c, "boot.example", a, 4, 2000);
	ok(n == 1 && a[0].s_addr == inet_addr("10.1.2.3"), "boot.example from dnsmasq: %d %s", n,
	   inet_ntop(AF_INET, &a[0], s, sizeof(s)));
	n = dns_lookup4(&c, "Two.Example.", a, 4, 2000);
	ok(n == 1 && a[0].s_addr == inet_addr("10.2.0.1"), "a host record, case and final dot: %d", n);
	t0 = mono_ms();
	n = dns_lookup4(&c, "nothere.nx.example", a, 4, 5000);
	ok(n == -ENOENT && mono_ms() - t0 < 900, "NXDOMAIN: -ENOENT at once: %d in %lld ms", n, mono_ms() - t0);
	n = dns_lookup4(&c, "many.example", a, 64, 3000);
	ok(n == 48, "48 addresses: the truncated UDP answer asked again over TCP: %d", n);
	strcpy(c.search[0], "nx.example");
	strcpy(c.search[1], "lan");
	c.nsearch = 2;
	n = dns_lookup4(&c, "depot", a, 4, 3000);
	ok(n == 1 && a[0].s_addr == inet_addr("10.9.9.9"), "search domains: depot -> depot.lan: %d", n);

	/* A silent server first: its round's wait, then the good one. */
	inet_pton(AF_INET, "127.0.0.2", &c.ns[0]);
	inet_pton(AF_INET, "127.0.0.1", &c.ns[1]);
	c.nns = 2;
	t0 = mono_ms();
	n = dns_lookup4(&c, "boot.example", a, 4, 5000);
	ok(n == 1 && mono_ms() - t0 >= dns_round_ms[0] - 50 && mono_ms() - t0 < dns_round_ms[0] + 800,
	   "silent server, then the next: %d after %lld ms (round wait %d ms)", n, mono_ms() - t0,
	   dns_round_ms[0]);
	t0 = mono_ms();
	c.nns = 1;
	n = dns_lookup4(&c, "boot.example", a, 4, 1500);
	ok(n == -EAGAIN && mono_ms() - t0 >= 1450 && mono_ms() - t0 < 2000,
	   "only a silent server: -EAGAIN within the budget: %d after %lld ms", n, mono_ms() - t0);
	/* Nothing listens on 127.0.0.4: refused at once, the next is asked. */
	inet_pton(AF_INET, "127.0.0.4", &c.ns[0]);
	c.nns = 2;
	t0 = mono_ms();
	n = dns_lookup4(&c, "boot.example", a, 4, 5000);
	ok(n == 1 && mono_ms() - t0 < 500, "a refusing server, then the next: %d in %lld ms", n, mono_ms() - t0);
	inet_pton(AF_INET, "127.0.0.3", &c.ns[0]);
	c.nns = 1;
	n = dns_lookup4(&c, "boot.example", a, 4, 3000);
	ok(n == 1 && a[0].s_addr == inet_addr("10.7.7.7"),
	   "answers with another ID or question are ignored: %d %s", n, inet_ntop(AF_INET, &a[0], s, sizeof(s)));
	close(silent);
}

int main(void)
{
	atexit(cleanup);
	signal(SIGALRM, on_alarm);
	alarm(60);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_dns.XXXXXX");
	if (!mkdtemp(tmpdir))
		bail("mkdtemp: %s", strerror(errno));
	messages();
	conf();
	real();
	ok(!strcmp(dns_strerror(-ENOENT), "no such host") && !strcmp(dns_strerror(-EAGAIN), "name server not answering") &&
	   !strcmp(dns_strerror(-EDESTADDRREQ), "no name server (resolv.conf)") &&
	   !strcmp(dns_strerror(-ENOMEM), strerror(ENOMEM)), "dns_strerror: the causes in words");
	return done_testing();
}
