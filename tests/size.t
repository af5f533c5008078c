#!/bin/sh
# The init's size budget and the glibc pieces that blow it when one call
# brings them in: a regression names the symbol, so the cause is found in
# seconds. Budgets per libc out/ was built with (out/libc, see Makefile):
# glibc (issue #5) 1,000,000 bytes, musl (issue #15, with libblkid) 600,000.
# Sizes are of this toolchain (Debian 12's gcc, glibc 2.36, musl 1.2.3,
# x86-64); NB_SIZE_BUDGET overrides. TAP, for prove.
cd "$(dirname "$0")/.." || exit 1
libc=glibc
[ -f out/libc ] && libc=$(cut -d' ' -f1 out/libc)
case $libc in
musl) budget=${NB_SIZE_BUDGET:-600000} ;;
*) budget=${NB_SIZE_BUDGET:-1000000} ;;
esac
if [ ! -f out/init ] || [ ! -f out/init.debug ]; then
	echo "1..0 # SKIP out/init is not built (make)"
	exit 0
fi
echo "1..2"
size=$(stat -c %s out/init)
if [ "$size" -lt "$budget" ]; then
	echo "ok 1 - out/init ($libc) is $size bytes, under $budget"
else
	echo "not ok 1 - out/init ($libc) is $size bytes, not under $budget"
fi
if [ "$libc" = musl ]; then
	echo "ok 2 # SKIP the heavy pieces are glibc's; out/init is linked with musl"
	exit 0
fi
# What each brings into a static glibc binary (see README, Building).
heavy="getaddrinfo getifaddrs if_nametoindex __isoc99_sscanf ____strtod_l_internal glob64 fnmatch __gmtime_r strftime __nss_database_lookup2"
found=$(nm out/init.debug | awk '$2 ~ /^[TtWw]$/ { print $3 }' | sort -u | grep -Fx -e "$(echo "$heavy" | tr ' ' '\n')" | tr '\n' ' ')
if [ -z "$found" ]; then
	echo "ok 2 - none of the heavy glibc pieces is linked ($heavy)"
else
	echo "not ok 2 - linked into out/init: $found"
	echo "# find the caller: make; nm out/obj/*/*.o | grep -B1 the symbol, or link with -Wl,-Map"
fi
