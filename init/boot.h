/* State shared by the boot phases of nbinit. Each phase is one file with
 * one entry function; main.c runs them in order and applies the failure
 * policy. Every path goes through b->root so phases run in tests. */
#ifndef NB_BOOT_H
#define NB_BOOT_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <netinet/in.h>

#include "cmdline.h"
#include "fileio.h"
#include "http.h"
#include "ipconf.h"
#include "retry.h"
#include "url.h"

#define BOOT_PATH 512
#define BOOT_MAX_REPOS 16
#define BOOT_MAX_MEDIA 4

enum dev_kind { DEV_NONE = 0, DEV_NFS, DEV_BLOCK };

/* A device named on the command line: nfs:SERVER:/PATH, UUID=, LABEL=,
 * /dev/NAME or NAME, with an optional :FSTYPE. */
struct devspec {
	enum dev_kind kind;
	char server[256];          /* nfs */
	char path[BOOT_PATH];      /* nfs export path */
	char tag[16];              /* "UUID", "LABEL" or "" for a device name */
	char value[256];           /* tag value or device name without /dev/ */
	char fstype[32];           /* "" = probe */
};

enum ovl_kind { OVL_NONE = 0, OVL_URL, OVL_DEV, OVL_PATH };

/* Bounds on what an overlay may unpack into the new root (tmpfs, memory). */
#define OVL_MAX_SIZE_DEFAULT (128LL << 20)
#define OVL_MAX_FILES_DEFAULT 20000

/* The command line, parsed once (phase 1). */
struct opts {
	bool ip_given;
	struct ipconf ip;
	char bootif[18];           /* MAC from BOOTIF=01-aa-bb-..., lowercase */
	struct devspec alpine_dev;
	char alpine_repo[1024];    /* comma list as given; "" none */
	bool repo_auto;
	enum ovl_kind ovl;
	char apkovl[URL_MAX];      /* URL template, or PATH (on DEV) */
	struct devspec ovl_dev;    /* ovl_dev= or the DEV of apkovl=DEV:... */
	char modules[512];
	char init[BOOT_PATH];
	char init_args[512];
	char rootflags[256];
	char pkgs[1024];
	bool quiet, debug;
	bool panic_given;
	int panic;
	enum onfail { ONFAIL_DEFAULT = 0, ONFAIL_SHELL, ONFAIL_REBOOT, ONFAIL_POWEROFF } onfail;
	int onfail_delay_s;        /* nbinit.onfail=reboot:SECONDS */
	char report[URL_MAX];      /* nbinit.report=URL ({MAC}, {UUID}) */
	bool ovl_verify;           /* nbinit.apkovl_verify: refuse unsigned overlays */
	long long ovl_max_size;    /* nbinit.apkovl_max_size: bytes an overlay may unpack */
	long long ovl_max_files;   /* nbinit.apkovl_max_files: entries an overlay may hold */
	int link_wait_ms;          /* nbinit.link_wait= seconds */
	struct retry dhcp_retry;   /* udhcpc runs */
	struct retry http_retry;
	int http_timeout_ms;
	int http_deadline_ms;      /* nbinit.http_deadline: one whole request */
	int dev_wait_ms;           /* waiting for a block device to appear */
	int nfs_timeout_ms;
	bool allow_untrusted;      /* nbinit.allow_untrusted */
	int script_timeout_ms;     /* nbinit.script_timeout: one package script */
	char open_quote[64];       /* the option whose '"' is never closed, or "" */
};

/* The lease or static configuration that was applied (phase 3). */
struct netconf {
	char ifname[IF_NAMESIZE];
	char mac[18];
	char method[8];            /* "dhcp" or "static" */
	struct in_addr addr, mask, gw, dns[3], next_server, ntp;
	int ndns;
	char hostname[65];
	char domain[256];
};

struct mount_rec {
	char mnt[BOOT_PATH];       /* path in the initramfs, e.g. /media/nfs */
	char what[BOOT_PATH];      /* "10.0.2.2:/depot" or "/dev/vda" */
	char fstype[32];
};

struct boot {
	const char *root;          /* "" on a real boot, a fixture dir in tests */
	bool pid1;
	struct cmdline cl;
	struct opts o;
	bool net_needed, net_up;
	struct netconf net;
	struct mount_rec media[BOOT_MAX_MEDIA];
	int nmedia;
	char repos[BOOT_MAX_REPOS][BOOT_PATH];  /* boot repositories, new-root paths */
	int nrepos;
	/* The repositories packages come from and /etc/apk/repositories
	 * names: chosen once by repos_choose. */
	enum repos_from { REPOS_NONE = 0, REPOS_OVERLAY, REPOS_CMDLINE, REPOS_MEDIA } repos_from;
	bool repos_chosen;
	char apk_repos[BOOT_MAX_REPOS][BOOT_PATH];  /* URLs or absolute paths, as in /etc/apk/repositories */
	int napk_repos;
	char uuid[64];
	char ovl_source[URL_MAX];  /* what was unpacked: URL or file */
	char newroot[BOOT_PATH];   /* /sysroot */
	char kver[128];
	unsigned seed;             /* jitter */
	/* The phase running (main.c's loop sets it): the first word of its
	 * failure line. */
	const char *phase;
	/* The last failure, one line without "nbinit: " (set by boot_fail). */
	char why[1024];
};

/* Phases, in boot order. Each returns 0 or a negative errno after having
 * put the reason into b->why via boot_fail(). */
int options_parse(struct boot *b);     /* options.c: reads ROOT/proc/cmdline */
/* options.c: the warnings of the command line parsed into B (an option
 * that looks like one of nbinit's but is not, an unknown {PLACEHOLDER}, an
 * unclosed quote, an architecture at the end of alpine_repo=, one of
 * Alpine's initramfs options that nbinit does not use), each given to
 * EMIT as one line "cmdline: OBJECT: CAUSE". The options known are those
 * the parser looks up. Returns how many. */
int options_lint(struct boot *b, void (*emit)(void *ctx, const char *line), void *ctx);
/* options.c: the options the parser knows (looked up while parsing an empty
 * command line), N of them into *N. */
const char *const *options_known(int *n);
int options_parse_text(struct boot *b, const char *text);
/* options.c: what the boot parsed into B will use (network, interface,
 * modules, media, overlay, repositories, packages, timeouts, new root,
 * init, failure policy, report, console), one "what: value" line each
 * onto F, as `init --check` prints it. */
void options_describe(const struct boot *b, FILE *f);
int modules_load(struct boot *b);      /* modules.c */
int net_up(struct boot *b);            /* net.c */
/* The most interfaces the net phase considers at once. */
#define NET_MAX_CANDS 16
/* dhcp.c: DHCP on the candidates NAMES[0..N) at once (udhcpc each, retries
 * as data, the first started at carrier or at LINK_DEADLINE, a
 * mono_ms time; 0: now); the first lease wins, is read into b->net and
 * names b->net.ifname. Returns 0 or the failure (boot_fail). */
int dhcp_lease(struct boot *b, char names[][IF_NAMESIZE], int n, long long link_deadline);
/* dhcp.c: the lease udhcpc's script wrote (KEY='value' TEXT) into b->net;
 * a host name or domain that is not a DNS name (RFC 1123) is dropped with
 * a warning. Returns 0, or -EBADMSG without a usable address. */
int lease_read(struct boot *b, const char *text);
/* net.c: set the candidate interfaces up so that their links negotiate
 * while the other modules load (modules.c calls it once the network
 * drivers are bound). Does nothing when no network is needed. */
void net_link_start(struct boot *b);
int media_mount(struct boot *b);       /* media.c */
int newroot_mount(struct boot *b);     /* newroot.c: the tmpfs for the overlay */
int overlay_apply(struct boot *b);     /* overlay.c */
int packages_install(struct boot *b);  /* packages.c: alpine-base, world, pkgs= into the new root */
/* repos.c: choose the boot's repositories into b->apk_repos and
 * b->repos_from, once (later calls do nothing): the new root's
 * /etc/apk/repositories (the overlay's; links resolved inside the new root),
 * else alpine_repo=, else the boot repositories b->repos. Lines as apk
 * takes them; a tagged one or one that is neither a URL nor an absolute
 * path is skipped with a warning. Returns 0 or a negative errno after
 * boot_fail (a repository longer than BOOT_PATH). */
int repos_choose(struct boot *b);
/* repos.c: is repository R an http:// or https:// URL? */
bool repo_is_url(const char *r);
int newroot_prepare(struct boot *b);   /* newroot.c */
int newroot_guard(struct boot *b);     /* newroot.c: newroot_switch's checks, nothing changed */
int newroot_switch(struct boot *b);    /* newroot.c: only returns on failure */
/* newroot.c: write TEXT (LEN bytes) to P in the new root (beneath it, no
 * symbolic links followed), mode 0644. Returns 0 or a negative errno. */
int newroot_write(struct boot *b, const char *p, const char *text, size_t len);

/* modules.c: load module or alias NAME from the initrd now (a file system
 * type, nfsv4). Returns 0 or a negative errno; warns when missing. */
int modules_want(struct boot *b, const char *name, bool warn_missing);

/* log.c: console (and /dev/kmsg) output. */
void log_init(struct boot *b);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record the failure line "PHASE: OBJECT: CAUSE" in b->why, print it, and
 * return ERR (a negative errno) so callers can `return boot_fail(...)`.
 * FMT is the line's "OBJECT: CAUSE"; PHASE is b->phase ("init" if unset). */
int boot_fail(struct boot *b, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run the phase NAME (RUN) as main's loop does: set b->phase, start its
 * timeline entry, clear b->why; when RUN fails without a failure line,
 * write one ("PHASE: failed without saying why: CAUSE"). Returns RUN's
 * result (a positive one as -EIO): 0 or a negative errno. */
int phase_run(struct boot *b, const char *name, int (*run)(struct boot *b));
/* Print LINE as a failure on the console, and in kmsg at debug level like
 * every line of the init (the console has it already). */
void log_fail_line(const char *line);
/* Sleep MS milliseconds (no-op for <= 0). */
void sleep_ms(long ms);

/* timeline.c: phases and waits, CLOCK_MONOTONIC ms. tl_phase(NAME) ends the
 * running phase and starts NAME (NULL: just end it). */
void tl_start(void);
void tl_phase(const char *name);
/* Record a wait on WHAT ("carrier", "dhcp", "http", "nfs", "device") for OBJECT. */
void tl_wait(const char *what, const char *object, long long start, long long end);
/* The machine-readable timeline into BUF; returns its length or -1. */
int tl_format(char *buf, size_t size);
/* One compact line on the console and kmsg (waits too with debug_init). */
void tl_print(void);

/* Path helper: b->root + P into BUF (static per call site size). */
int rpath(const struct boot *b, char *buf, size_t size, const char *p);

/* options.c: the HTTP client settings of overlay and package downloads:
 * nbinit.http_timeout for connecting and each read, nbinit.http_deadline
 * for a whole request, at most 5 redirects. No body limit: the caller
 * sets max_body when it knows one. */
struct http_opts boot_http_opts(const struct boot *b);

/* httpget.c: what a caller of http_get_retry does around each try. */
struct http_try {
	http_sink sink;            /* the body's bytes, with CTX */
	/* Before each try: make the sink empty again. Returns 0 or a negative
	 * errno, which ends the GET (the caller says why). May be NULL. */
	int (*start)(void *ctx);
	/* After each try, with http_get's ERR and RES: the try's outcome (0 or
	 * a negative errno). Set *FINAL when a failure is the content's, not
	 * the transfer's: it is not retried and the caller says why. May be NULL. */
	int (*end)(void *ctx, int err, const struct http_result *res, bool *final);
	void *ctx;
};

/* httpget.c: GET URL with HO and the boot's retries (b->o.http_retry):
 * a transient failure (http_transient) is tried again after the
 * schedule's delay, with the warning "PHASE: GET URL: CAUSE; retrying in
 * N.N s (try K of N)". Returns 0, or a negative errno with RES of the last
 * try and WHY "GET URL: CAUSE" (" (after retries)" when it was tried more
 * than once), or WHY "" when T's start or end ended it. */
int http_get_retry(struct boot *b, const char *url, const struct http_opts *ho, const struct http_try *t,
                   struct http_result *res, char *why, size_t whysz);

/* proc.c: wait at most TIMEOUT_MS for the child PID to exit, its wait
 * status into *STATUS; after that, kill and reap it. Returns 0,
 * -ETIMEDOUT or a negative errno from waitpid. */
int child_wait(pid_t pid, long timeout_ms, int *status);

/* proc.c: the rescue shell under ROOT: /bin/sh, else busybox's (/bin/busybox
 * with "sh" as its first argument, *ARG1; NULL for /bin/sh). Its path into
 * PATH. Returns 0, -ENOENT (neither is executable) or -ENAMETOOLONG. */
int shell_argv(const char *root, char *path, size_t size, const char **arg1);

/* devspec.c: parse "nfs:SERVER:/PATH", "UUID=..", "LABEL=..", "/dev/X",
 * "X", each with an optional ":FSTYPE". Returns 0 or -EINVAL. */
int devspec_parse(struct devspec *d, const char *s, bool allow_nfs);
/* Human form of D for messages ("LABEL=NBOVL", "10.0.2.2:/depot"). */
const char *devspec_str(const struct devspec *d, char *buf, size_t size);

/* blkdev.c: find the block device for D (waiting up to WAIT_MS for it to
 * appear), giving /dev/NAME in DEV and the probed type in FSTYPE.
 * Returns 0, -ENODEV (not found in time) or a negative errno. */
int blkdev_find(struct boot *b, const struct devspec *d, long wait_ms,
                char *dev, size_t devsz, char *fstype, size_t fssz);
/* Mount block device D read-only at /media/<name>; records it in b->media. */
int blkdev_mount(struct boot *b, const struct devspec *d, struct mount_rec **out);

/* media.c: directories holding .boot_repository at most three levels below
 * DIR, reported as SHOWN + relative path, sorted, into OUT (at most MAX).
 * Returns how many were found. A directory that could not be read (an I/O
 * error, a server that stopped answering; not a missing one) leaves its
 * path as shown in UNREAD (UNREADSZ bytes; "" when all were read) and the
 * negative errno in *ERR; the search goes on without what it holds. */
int bootrepo_find(const char *dir, const char *shown, char (*out)[BOOT_PATH], int max,
                  char *unread, size_t unreadsz, int *err);

/* report.c: POST the boot's outcome (RESULT ok/fail, the failure line, the
 * machine's identity and the timeline) to nbinit.report=, bounded in time.
 * Does nothing without the option or a network. */
void report_outcome(struct boot *b, bool ok);

/* iface.c: interface choice, testable on a fixture sysfs tree. */
struct iface_req {
	const char *device;        /* ip= device or NULL */
	const char *bootif;        /* MAC or NULL */
	int link_wait_ms;          /* nbinit.link_wait, for messages */
};
/* The interfaces that may carry the boot under ROOT/sys/class/net, as
 * Alpine chooses: the ip= device, else the one whose MAC is BOOTIF (*NAMED
 * set), else every physical interface in kernel order (also when no MAC is
 * BOOTIF: *NAMED false, the caller says so). Writes up to MAX
 * names into OUT. Returns how many (>= 1), or -ENODEV (none usable; WHY
 * says why) or -errno. */
int iface_candidates(const char *root, const struct iface_req *r, char out[][IF_NAMESIZE], int max,
                     bool *named, char *why, size_t whylen);
/* For a static ip=: the boot interface among the candidates C[0..N) that
 * iface_candidates gave (NAMED as it said): the named one, else the first
 * with carrier under ROOT/sys within WAIT_MS, else the first one (with a
 * warning naming R's link wait). Returns its index. */
int iface_pick(const char *root, const struct iface_req *r, char c[][IF_NAMESIZE], int n, bool named,
               long wait_ms);

/* Set IFF_UP on IFNAME. Returns 0 or -errno. */
int iface_set_up(const char *ifname);
/* Index of the first of NAMES[0..N) with carrier under ROOT/sys, waiting up
 * to WAIT_MS on netlink link events. Returns the index or -1. */
int carrier_wait(const char *root, char names[][IF_NAMESIZE], int n, long wait_ms);

/* dhcp.c: udhcpc's script, when /init is run through a link named
 * DHCP_SCRIPT_NAME (dhcp.c makes it under /run/nbinit and gives it to
 * udhcpc -s) or default.script (mkpxerd's link): on "bound" and "renew"
 * writes udhcpc's environment as the lease $NBINIT_RUN/dhcp.$interface
 * (NBINIT_RUN unset: /run/nbinit). Returns the process's exit status. */
#define DHCP_SCRIPT_NAME "udhcpc.script"
int dhcp_script_main(int argc, char **argv);

#endif
