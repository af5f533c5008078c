/* The repositories of the boot, chosen once: the packages phase installs
 * from them and the newroot phase writes them into the new root's
 * /etc/apk/repositories (unless the overlay brought that file). The
 * overlay's /etc/apk/repositories (a link on its way resolved inside the
 * new root, never out of it), else alpine_repo= (a comma list), else the boot
 * media's .boot_repository directories. Each line is taken as apk takes
 * it: blanks and a # comment dropped, trailing slashes too; a tagged line
 * (@tag) and one that is neither http(s):// nor an absolute path are
 * skipped with a warning, and so is any after the first BOOT_MAX_REPOS. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "fileio.h"

/* LINE (up to a newline or its end) as one repository. Returns 0 (taken
 * or skipped with a warning) or a negative errno after boot_fail. */
static int add_repo(struct boot *b, const char *line)
{
	const char *phase = b->phase ? b->phase : "init";
	char *r;
	size_t l;

	line += strspn(line, " \t");
	l = strcspn(line, " \t\r\n#");
	if (!l)
		return 0;
	if (line[0] == '@') {
		log_warn("%s: tagged repository '%.*s' skipped (tags are not supported)", phase, (int)strcspn(line, "\r\n"),
		         line);
		return 0;
	}
	if (b->napk_repos >= BOOT_MAX_REPOS) {
		log_warn("%s: more than %d repositories; ignoring %.*s", phase, BOOT_MAX_REPOS, (int)l, line);
		return 0;
	}
	r = b->apk_repos[b->napk_repos];
	if (l >= BOOT_PATH)
		return boot_fail(b, -ENAMETOOLONG, "repository %.*s...: too long", 64, line);
	memcpy(r, line, l);
	r[l] = '\0';
	while (l > 1 && r[l - 1] == '/')
		r[--l] = '\0';
	if (!repo_is_url(r) && r[0] != '/') {
		log_warn("%s: repository %s is neither http(s):// nor an absolute path; skipped", phase, r);
		return 0;
	}
	b->napk_repos++;
	return 0;
}

/* The new root's /etc/apk/repositories into TEXT (SIZE bytes), its path
 * resolved inside the new root (a symbolic link on the way is followed as
 * it will be after the switch, never out of it). Returns its length, or a
 * negative errno when there is none (or it cannot be read). */
static ssize_t overlay_list(struct boot *b, char *text, size_t size)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	char nr[BOOT_PATH];
	ssize_t n, got = 0;
	int rootfd, fd;

	if (rpath(b, nr, sizeof(nr), b->newroot))
		return -ENAMETOOLONG;
	if ((rootfd = open(nr, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, rootfd, "etc/apk/repositories", &how, sizeof(how));
	n = -errno;
	close(rootfd);
	if (fd < 0)
		return n;
	while ((size_t)got < size - 1 && (n = read(fd, text + got, size - 1 - (size_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			got = -errno;
			break;
		}
		got += n;
	}
	close(fd);
	if (got >= 0)
		text[got] = '\0';
	return got;
}

bool repo_is_url(const char *r)
{
	return !strncmp(r, "http://", 7) || !strncmp(r, "https://", 8);
}

int repos_choose(struct boot *b)
{
	static char text[8192];
	char list[sizeof(b->o.alpine_repo)], *save = NULL, *tok;
	int i, err;

	if (b->repos_chosen)
		return 0;
	b->repos_chosen = true;
	b->napk_repos = 0;
	if (overlay_list(b, text, sizeof(text)) >= 0) {
		b->repos_from = REPOS_OVERLAY;
		for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save))
			if ((err = add_repo(b, tok)))
				return err;
		return 0;
	}
	if (b->o.alpine_repo[0]) {
		b->repos_from = REPOS_CMDLINE;
		snprintf(list, sizeof(list), "%s", b->o.alpine_repo);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if ((err = add_repo(b, tok)))
				return err;
		return 0;
	}
	b->repos_from = b->nrepos ? REPOS_MEDIA : REPOS_NONE;
	for (i = 0; i < b->nrepos; i++)
		if ((err = add_repo(b, b->repos[i])))
			return err;
	return 0;
}
