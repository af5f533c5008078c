#!/bin/sh
# The init's size budget (issue #5: under 1 MB static with glibc) and the
# glibc pieces that blow it when one call brings them in: a regression
# names the symbol, so the cause is found in seconds. Sizes are of this
# toolchain (Debian 12's gcc and glibc, x86-64); NB_SIZE_BUDGET overrides.
# TAP, for prove.
cd "$(dirname "$0")/.." || exit 1
budget=${NB_SIZE_BUDGET:-1000000}
if [ ! -f out/init ] || [ ! -f out/init.debug ]; then
	echo "1..0 # SKIP out/init is not built (make)"
	exit 0
fi
echo "1..2"
size=$(stat -c %s out/init)
if [ "$size" -lt "$budget" ]; then
	echo "ok 1 - out/init is $size bytes, under $budget"
else
	echo "not ok 1 - out/init is $size bytes, not under $budget"
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
