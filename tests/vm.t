#!/bin/sh
# QEMU PXE boots of out/init packed by ./mkpxerd, against real rpcbind,
# nfs-ganesha and busybox httpd (qemu/lab test; TAP). Skips only when there
# is nothing to boot; anything else that goes wrong is a failure.
cd "$(dirname "$0")/.." || exit 1
for f in out/init out/kernel/vmlinuz out/kernel/kver; do
	if [ ! -f "$f" ]; then
		echo "1..0 # SKIP $f is missing or not a file (make; tests/setup)"
		exit 0
	fi
done
exec qemu/lab test -j2
