/* Phase 4: the boot media. alpine_dev=nfs:SERVER:/PATH is mounted read-only
 * with the kernel NFS client on /media/nfs (bounded in time); a block device
 * on /media/<name>. Then directories holding .boot_repository are searched
 * up to three levels below each mount. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "dns.h"
#include "fileio.h"
#include "names.h"

#define REPO_DEPTH 3

struct entry {
	char name[256];
	bool dir;                  /* d_type said so; else lstat decides */
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

struct search {
	char (*out)[BOOT_PATH];
	int n, max;
	char *unread;              /* the first directory that could not be read */
	size_t unreadsz;
	int err;
};

/* Remember the first directory that failed with ERR (positive errno). */
static void unreadable(struct search *s, const char *shown, int err)
{
	if (err == ENOENT || err == ENOTDIR || s->err)
		return;
	s->err = -err;
	if (s->unread)
		snprintf(s->unread, s->unreadsz, "%s", shown);
}

/* Over NFS every lookup is a round trip to the server: a directory is
 * read once (its listing says whether it holds .boot_repository and, by
 * d_type, which entries are directories); only at the last level, which is
 * not listed, is .boot_repository looked up by name. */
static void walk(struct search *q, const char *dir, const char *shown, int depth)
{
	struct entry e[64];
	char p[BOOT_PATH], s[BOOT_PATH];
	bool marked = false;
	struct dirent *de;
	struct stat st;
	int k = 0, i;
	DIR *d;

	if (depth >= REPO_DEPTH) {
		if (fmt_path(p, sizeof(p), "%s/.boot_repository", dir))
			return;
		if (lstat(p, &st) < 0)
			unreadable(q, shown, errno);
		else if (q->n < q->max)
			snprintf(q->out[q->n++], BOOT_PATH, "%s", shown);
		return;
	}
	if (!(d = opendir(dir))) {
		unreadable(q, shown, errno);
		return;
	}
	/* readdir order is arbitrary: the names are visited sorted so the
	 * repository order is stable from boot to boot. */
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!strcmp(de->d_name, ".boot_repository"))
			marked = true;
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 256 || k >= 64)
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		/* a name cut in two lines or carrying terminal escapes must
		 * not reach /etc/apk/repositories nor the console */
		if (name_line_check(de->d_name)) {
			char name[128];

			log_warn("media: %s/%s: a name with a control character, space or '#' is not searched",
			         shown, name_shown(name, sizeof(name), de->d_name));
			continue;
		}
		strcpy(e[k].name, de->d_name);
		e[k++].dir = de->d_type == DT_DIR;
	}
	if (errno)
		unreadable(q, shown, errno);
	closedir(d);
	if (marked && q->n < q->max)
		snprintf(q->out[q->n++], BOOT_PATH, "%s", shown);
	qsort(e, (size_t)k, sizeof(e[0]), entry_cmp);
	for (i = 0; i < k; i++) {
		if (fmt_path(p, sizeof(p), "%s/%s", dir, e[i].name) ||
		    fmt_path(s, sizeof(s), "%s/%s", shown, e[i].name))
			continue;
		if (e[i].dir || (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)))
			walk(q, p, s, depth + 1);
	}
}

int bootrepo_find(const char *dir, const char *shown, char (*out)[BOOT_PATH], int max,
                  char *unread, size_t unreadsz, int *err)
{
	struct search q = { out, 0, max, unread, unreadsz, 0 };

	if (unread && unreadsz)
		unread[0] = '\0';
	walk(&q, dir, shown, 0);
	if (err)
		*err = q.err;
	return q.n;
}

/* Numeric address of SERVER (a name is resolved with the lease's DNS). */
/* SERVER's IPv4 address as text into ADDR: a literal as is, a name through
 * the hosts file and DNS within 10 s. Returns 0 or dns_resolve4's error. */
static int resolve4(const char *server, char *addr, size_t size)
{
	struct in_addr a;
	int n = dns_resolve4(server, &a, 1, 10000);

	if (n < 0)
		return n;
	inet_ntop(AF_INET, &a, addr, (socklen_t)size);
	return 0;
}

/* mount(2) in a child so a server that never answers cannot hold PID 1:
 * the child is killed after TIMEOUT_MS. Returns 0, -ETIMEDOUT or -errno. */
static int mount_bounded(const char *src, const char *dst, const char *type,
                         unsigned long flags, const char *data, long timeout_ms)
{
	int status, err;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(mount(src, dst, type, flags, data) < 0 ? (errno & 0xff) : 0);
	err = child_wait(pid, timeout_ms, &status);
	if (err == -ETIMEDOUT)
		umount2(dst, MNT_DETACH);
	if (err)
		return err;
	if (!WIFEXITED(status))
		return -EINTR;
	return -WEXITSTATUS(status);
}

/* The NFS mount's tries when the server cannot be reached at all (no ARP
 * answer, a refused or reset connection: a switch port or a server still
 * coming up, a lost frame): quick failures, unlike a silent server, which
 * the per-try bound nbinit.nfs_timeout covers and which is not retried. */
static const struct retry nfs_retry = { 4, 1000, 4000, 25 };

static bool unreachable(int err)
{
	return err == -EHOSTUNREACH || err == -ENETUNREACH || err == -EHOSTDOWN || err == -ENETDOWN ||
	       err == -ECONNREFUSED || err == -ECONNRESET;
}

static int nfs_mount(struct boot *b, const struct devspec *d)
{
	char addr[64], src[BOOT_PATH + 300], mnt[BOOT_PATH], opts[256];
	struct mount_rec *m;
	long long t0;
	int err, tries;

	if (b->nmedia >= BOOT_MAX_MEDIA)
		return boot_fail(b, -ENOSPC, "too many mounts");
	if ((err = resolve4(d->server, addr, sizeof(addr))))
		return boot_fail(b, err, "nfs %s:%s: cannot resolve server %s: %s", d->server, d->path, d->server,
		                 dns_strerror(err));
	if (fmt_path(src, sizeof(src), "%s:%s", addr, d->path) ||
	    rpath(b, mnt, sizeof(mnt), "/media/nfs"))
		return boot_fail(b, -ENAMETOOLONG, "nfs %s:%s: path too long", d->server, d->path);
	mkdir_p(mnt, 0755);
	/* NFSv3 first: the seed's exports are named by their real path.
	 * soft: the depot is read-only, and a server that stops answering
	 * must make a read fail (timeo 5 s, 2 retransmissions: within about
	 * 30 s) rather than hang the boot
	 * for ever; packages then come over HTTP when a repository has a URL. */
	snprintf(opts, sizeof(opts), "vers=3,nolock,soft,proto=tcp,timeo=50,retrans=2,addr=%s", addr);
	t0 = mono_ms();
	for (tries = 1;; tries++) {
		int delay;
		char say[64];

		err = mount_bounded(src, mnt, "nfs", MS_RDONLY, opts, b->o.nfs_timeout_ms);
		if (!unreachable(err) || tries >= nfs_retry.attempts)
			break;
		delay = retry_delay_ms(&nfs_retry, tries, &b->seed);
		log_warn("media: nfs %s:%s: %s %s", d->server, d->path, strerror(-err),
		         retry_say(say, sizeof(say), &nfs_retry, tries, delay));
		sleep_ms(delay);
	}
	if (err && err != -ETIMEDOUT && !unreachable(err)) {
		int err4;
		modules_want(b, "nfsv4", false);
		snprintf(opts, sizeof(opts), "vers=4,soft,proto=tcp,timeo=50,retrans=2,addr=%s", addr);
		err4 = mount_bounded(src, mnt, "nfs", MS_RDONLY, opts, b->o.nfs_timeout_ms);
		if (!err4)
			err = 0;
		else
			log_debug("media: nfs %s: NFSv4: %s", src, strerror(-err4));
	}
	tl_wait("nfs", src, t0, mono_ms());
	if (err == -ETIMEDOUT)
		return boot_fail(b, err, "nfs %s:%s: no answer from %s within %d s", d->server, d->path,
		                 addr, b->o.nfs_timeout_ms / 1000);
	/* NFS servers answer a path they do not export, or do not export to
	 * this client, with the same "access denied". */
	if (err == -EACCES)
		return boot_fail(b, err, "nfs %s:%s: the server refused the mount (%s): no such export, or not for this machine",
		                 d->server, d->path, strerror(-err));
	if (err && tries > 1)
		return boot_fail(b, err, "nfs %s:%s: mount failed: %s (after %d tries)", d->server, d->path,
		                 strerror(-err), tries);
	if (err)
		return boot_fail(b, err, "nfs %s:%s: mount failed: %s", d->server, d->path, strerror(-err));
	m = &b->media[b->nmedia++];
	snprintf(m->mnt, sizeof(m->mnt), "/media/nfs");
	snprintf(m->what, sizeof(m->what), "%s", src);
	strcpy(m->fstype, "nfs");
	log_info("media: mounted nfs %s on /media/nfs", src);
	return 0;
}

int media_mount(struct boot *b)
{
	const struct devspec *d = &b->o.alpine_dev;
	struct mount_rec *m;
	int err, i;

	if (d->kind == DEV_NFS)
		err = nfs_mount(b, d);
	else if (d->kind == DEV_BLOCK)
		err = blkdev_mount(b, d, &m);
	else
		return 0;
	if (err)
		return err;
	for (i = 0; i < b->nmedia && b->nrepos < BOOT_MAX_REPOS; i++) {
		char dir[BOOT_PATH], what[BOOT_PATH + 40], unread[BOOT_PATH];
		long long t0 = mono_ms();
		int n, k, err;

		if (rpath(b, dir, sizeof(dir), b->media[i].mnt))
			continue;
		n = bootrepo_find(dir, b->media[i].mnt, b->repos + b->nrepos, BOOT_MAX_REPOS - b->nrepos,
		                  unread, sizeof(unread), &err);
		if (err)
			log_warn("media: %s: .boot_repository search: %s: %s; what it holds is not searched",
			         b->media[i].mnt, unread, strerror(-err));
		/* Directory reads on the medium (NFS round trips): its time. */
		snprintf(what, sizeof(what), "%s: .boot_repository search", b->media[i].mnt);
		tl_wait("media", what, t0, mono_ms());
		for (k = 0; k < n; k++)
			log_info("media: boot repository %s", b->repos[b->nrepos + k]);
		b->nrepos += n;
	}
	return 0;
}
