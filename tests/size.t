#!/bin/sh
# Both inits' size budgets, and the glibc pieces that blow the glibc one when
# one call brings them in: a regression names the symbol, so the cause is
# found in seconds. out/init is the default build (musl), out/glibc/init the
# glibc one (make OUT=out/glibc LIBC=glibc; make check builds both); each is
# held to the budget of the libc its out/libc names: musl (issue #15, with
# libblkid) 600,000 bytes, glibc (issue #5) 1,000,000. A missing init is a
# failure, not a skip. And the default pxerd (qemu/lab pxerd: the musl init,
# the musl busybox tests/build-sysroot builds, the lab's features, zstd -19):
# under 2,500,000 bytes (issue #15; the glibc init with Debian's
# busybox-static made 2.50 MB). Sizes are of this toolchain (Debian 12's gcc,
# glibc 2.36, musl 1.2.3, x86-64); NB_SIZE_BUDGET_MUSL, NB_SIZE_BUDGET_GLIBC
# and NB_SIZE_BUDGET_PXERD override. TAP, for prove.
cd "$(dirname "$0")/.." || exit 1

# What each brings into a static glibc binary (see README, Building).
heavy="getaddrinfo getifaddrs if_nametoindex __isoc99_sscanf ____strtod_l_internal glob64 fnmatch __gmtime_r strftime __nss_database_lookup2"

echo "1..4"
n=0
glibc_dir=
for dir in out out/glibc; do
	n=$((n + 1))
	if [ ! -f "$dir/init" ] || [ ! -f "$dir/init.debug" ] || [ ! -f "$dir/libc" ]; then
		case $dir in
		out) how="make" ;;
		*) how="make OUT=$dir LIBC=glibc" ;;
		esac
		echo "not ok $n - $dir/init is not built ($how)"
		continue
	fi
	libc=$(cut -d' ' -f1 "$dir/libc")
	case $libc in
	musl) budget=${NB_SIZE_BUDGET_MUSL:-600000} ;;
	glibc) budget=${NB_SIZE_BUDGET_GLIBC:-1000000}; glibc_dir=$dir ;;
	*) echo "not ok $n - $dir/libc names no libc I know: $libc"; continue ;;
	esac
	if [ "$dir" = out/glibc ] && [ "$libc" != glibc ]; then
		echo "not ok $n - $dir holds a $libc build, not glibc (make OUT=$dir LIBC=glibc)"
		continue
	fi
	size=$(stat -c %s "$dir/init")
	if [ "$size" -lt "$budget" ]; then
		echo "ok $n - $dir/init ($libc) is $size bytes, under $budget"
	else
		echo "not ok $n - $dir/init ($libc) is $size bytes, not under $budget"
	fi
done

n=$((n + 1))
budget=${NB_SIZE_BUDGET_PXERD:-2500000}
if ! out=$(qemu/lab pxerd 2>&1); then
	echo "not ok $n - qemu/lab pxerd failed: $(echo "$out" | tail -n 1)"
elif [ "$(cut -d' ' -f1 out/libc 2>/dev/null)" != musl ]; then
	echo "not ok $n - out/pxerd does not hold the musl init (out/libc: $(cat out/libc 2>/dev/null))"
elif ! t=$(mktemp -d) || ! (cd "$t" && zstd -dqc "$OLDPWD/out/pxerd" | cpio --quiet -id bin/busybox) ||
	! cmp -s "$t/bin/busybox" out/sysroot/bin/busybox; then
	echo "not ok $n - out/pxerd's /bin/busybox is not out/sysroot/bin/busybox (the musl build)"
else
	size=$(stat -c %s out/pxerd)
	if [ "$size" -lt "$budget" ]; then
		echo "ok $n - out/pxerd (musl init and busybox) is $size bytes, under $budget"
	else
		echo "not ok $n - out/pxerd (musl init and busybox) is $size bytes, not under $budget"
	fi
fi
[ -z "${t:-}" ] || rm -rf "$t"

n=$((n + 1))
if [ -z "$glibc_dir" ]; then
	echo "not ok $n - no glibc init to look for the heavy glibc pieces in"
	exit 0
fi
found=$(nm "$glibc_dir/init.debug" | awk '$2 ~ /^[TtWw]$/ { print $3 }' | sort -u | grep -Fx -e "$(echo "$heavy" | tr ' ' '\n')" | tr '\n' ' ')
if [ -z "$found" ]; then
	echo "ok $n - none of the heavy glibc pieces is linked into $glibc_dir/init ($heavy)"
else
	echo "not ok $n - linked into $glibc_dir/init: $found"
	echo "# find the caller: make OUT=$glibc_dir LIBC=glibc; nm $glibc_dir/obj/*/*.o | grep -B1 the symbol, or link with -Wl,-Map"
fi
