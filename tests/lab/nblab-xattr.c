/* nblab-xattr PATH NAME: print the extended attribute NAME of PATH in hex
 * (nothing and status 1 when it has none). The lab's guest has busybox,
 * which cannot read extended attributes; tests/apk/mklabrepo builds this
 * statically into the nblab-cap package, which also gives it a file
 * capability, so the booted root can show that the capability arrived. */
#include <stdio.h>
#include <sys/xattr.h>

int main(int argc, char **argv)
{
	unsigned char v[256];
	ssize_t n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: nblab-xattr PATH NAME\n");
		return 2;
	}
	n = lgetxattr(argv[1], argv[2], v, sizeof(v));
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++)
		printf("%02x", v[i]);
	printf("\n");
	return 0;
}
