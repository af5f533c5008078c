#!/bin/sh
# An admin's path through README.md: `make install` (DESTDIR for packaging,
# PREFIX for an installed tree), then the README's recipes run from that
# installed tree: (1) mkpxerd for the running kernel and for a given one
# (/lib/modules seen through a private mount namespace, with the Debian
# kernel of out/kernel under it), (2) the installed features found by
# mkinitfs's default directory, (3) mkpxerd from an unpacked kernel
# directory. Each command is taken from README.md as written. TAP, for prove.
# shellcheck disable=SC2016 # check's conditions are single-quoted for eval
cd "$(dirname "$0")/.." || exit 1
repo=$PWD
PATH=$PATH:/sbin:/usr/sbin

tap_clear=1
. tests/tap.sh
need_kernel
need_tools cpio depmod zstd gzip make
need_file out/init "run make"
need_file /bin/busybox busybox-static
kabs=$(cd "$kernel" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/admin-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
names() {
	zstd -qdc "$1" | (cd "$tmp" && cpio -it --quiet)
}
# The README line that starts (after its indentation) with $1.
readme() {
	grep -m 1 "^ *$1" README.md | sed 's/^ *//'
}

# ---------------------------------------------------------------- make install
make -s install DESTDIR="$tmp/pkg" PREFIX=/usr >"$tmp/out" 2>"$tmp/err"
rc=$?
d=$tmp/pkg
check "make install DESTDIR=... PREFIX=/usr exits 0 ($rc)" '[ "$rc" = 0 ]'
check "... the init at /usr/lib/nbinit/init, as built, mode 0755" \
	'cmp -s out/init "$d/usr/lib/nbinit/init" && [ -x "$d/usr/lib/nbinit/init" ]'
check "... mkpxerd at /usr/sbin/mkpxerd, its defaults that init and /etc/mkinitfs/features.d" \
	'[ -x "$d/usr/sbin/mkpxerd" ] && grep -qx "installed_init=/usr/lib/nbinit/init" "$d/usr/sbin/mkpxerd" &&
	 grep -qx "installed_features=/etc/mkinitfs/features.d" "$d/usr/sbin/mkpxerd"'
set +f
missing=
for f in features/*; do
	cmp -s "$f" "$d/etc/mkinitfs/features.d/${f##*/}" || missing="$missing ${f##*/}"
done
# shellcheck disable=SC2034 # read by check's eval
extra=$(cd "$d" && find . -type f | LC_ALL=C sort | grep -v -e '^\./usr/lib/nbinit/init$' -e '^\./usr/sbin/mkpxerd$' \
	-e '^\./etc/mkinitfs/features\.d/nbinit[a-z0-9-]*\.\(files\|modules\)$')
set -f
check "... every feature in /etc/mkinitfs/features.d (mkinitfs's own directory)" '[ -z "$missing" ]'
check "... and nothing else, nothing outside DESTDIR" '[ -z "$extra" ]'

p=$tmp/prefix
make -s install PREFIX="$p" SYSCONFDIR="$p/etc" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "make install PREFIX=$p SYSCONFDIR=$p/etc exits 0 ($rc)" '[ "$rc" = 0 ] && [ -x "$p/sbin/mkpxerd" ]'
"$p/sbin/mkpxerd" -h >"$tmp/h" 2>&1
check "the installed mkpxerd's defaults are the installed init and features" \
	'grep -q "default: $p/lib/nbinit/init" "$tmp/h" && grep -q "then $p/etc/mkinitfs/features.d" "$tmp/h"'

# ---------------------------------------------------------------- recipe 1
# mkpxerd for the running kernel and for a given one: /lib/modules is
# where it reads them. This host has none; a private mount namespace shows
# the Debian kernel's modules there (as VERSION and as `uname -r`).
r1a=$(readme "mkpxerd -o pxerd\$")
r1b=$(readme "mkpxerd -o pxerd [0-9]")
check "README.md has recipe 1 ($r1a; $r1b)" '[ -n "$r1a" ] && [ -n "$r1b" ]'
mods=$kabs/root/lib/modules/$kver
run_ns() {   # run_ns DIR COMMAND: COMMAND in DIR with /lib/modules/{$kver,`uname -r`} from out/kernel
	(cd "$1" && unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mkdir -p "$T/up" "$T/wk"
		mount -t overlay overlay -o "lowerdir=/usr/lib,upperdir=$T/up,workdir=$T/wk" /usr/lib
		for v in "$K" "$(uname -r)"; do
			mkdir -p "/lib/modules/$v"
			mount --bind "$M" "/lib/modules/$v"
		done
		set +e
		PATH=$P:$PATH
		eval "$C"' ) >"$tmp/out" 2>"$tmp/err"
}
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
	mkdir -p "$tmp/r1"
	export T="$tmp/ns" K="$kver" M="$mods" P="$p/sbin" C="$r1a"
	run_ns "$tmp/r1"
	rc=$?
	names "$tmp/r1/pxerd" >"$tmp/n1" 2>/dev/null
	check "recipe 1, running kernel: '$r1a' exits 0 ($rc), packs the installed init and e1000 for \`uname -r\`" \
		'[ "$rc" = 0 ] && grep -qx init "$tmp/n1" && grep -q "^lib/modules/$(uname -r)/.*/e1000.ko$" "$tmp/n1" &&
		 [ "$(zstd -qdc "$tmp/r1/pxerd" | (cd "$tmp" && cpio -i --quiet --to-stdout init) | cmp - out/init && echo same)" = same ]'
	rm -f "$tmp/r1/pxerd"
	C=$(printf '%s\n' "$r1b" | sed "s/ [0-9][^ ]*\$/ $kver/")
	export C
	run_ns "$tmp/r1"
	rc=$?
	names "$tmp/r1/pxerd" >"$tmp/n1" 2>/dev/null
	check "recipe 1, a given kernel: '$C' exits 0 ($rc) and packs its modules and busybox" \
		'[ "$rc" = 0 ] && grep -q "^lib/modules/$kver/.*/nfsv3.ko$" "$tmp/n1" && grep -qx bin/busybox "$tmp/n1"'
	check "... and /lib/modules of this host is as it was (nothing mounted or written outside)" '[ ! -e /lib/modules/"$kver" ]'
else
	n=$((n + 1))
	echo "ok $n # skip recipe 1 needs root and unshare -m to show a kernel in /lib/modules"
fi

# ---------------------------------------------------------------- recipe 2
# After make install, mkinitfs finds the features in its own directory:
# no -P. Run by mkinitfs's rules with the installed directory as its
# default, and a base directory as an admin's would be.
r2=$(readme "mkinitfs -F ")
check "README.md has recipe 2 after make install ($r2)" '[ -n "$r2" ]'
base=$tmp/base
mkdir -p "$base/lib/modules" "$base/bin" "$base/etc/ssl/certs" "$base/etc/apk/keys" "$base/boot"
ln -s "$mods" "$base/lib/modules/$kver"
cp /bin/busybox "$base/bin/busybox"
printf 'a CA bundle\n' >"$base/etc/ssl/certs/ca-certificates.crt"
printf 'an apk key\n' >"$base/etc/apk/keys/admin@example.rsa.pub"
C=$(printf '%s\n' "$r2" | sed -e "s|/usr/local/lib/nbinit/init|$p/lib/nbinit/init|" -e "s| /boot/| $base/boot/|")
mkinitfs() {
	MKINITFS_FEATURES_D=$p/etc/mkinitfs/features.d "$repo/tests/mkinitfs-like" -b "$base" "$@"
}
# shellcheck disable=SC2317 # uname is called by the recipe's $(uname -r)
(uname() { echo "$kver"; }; eval "$C") >"$tmp/out" 2>"$tmp/err"
rc=$?
gzip -dc "$base/boot/initramfs-nbinit" 2>/dev/null | (cd "$tmp" && cpio -it --quiet) >"$tmp/n2"
check "recipe 2: '$r2' (installed features, no -P) exits 0 ($rc), packs the init, busybox, keys, e1000" \
	'[ "$rc" = 0 ] && grep -qx init "$tmp/n2" && grep -qx bin/busybox "$tmp/n2" &&
	 grep -qx etc/apk/keys/admin@example.rsa.pub "$tmp/n2" && grep -q "/e1000.ko$" "$tmp/n2"'

# ---------------------------------------------------------------- recipe 3
r3=$(readme "mkpxerd -b ")
check "README.md has recipe 3 ($r3)" '[ -n "$r3" ]'
C=$(printf '%s\n' "$r3" | sed -e "s|-b [^ ]*|-b $kabs/root|" -e "s/ [0-9][^ ]*\$/ $kver/")
mkdir -p "$tmp/r3"
(cd "$tmp/r3" && PATH=$p/sbin:$PATH && eval "$C") >"$tmp/out" 2>"$tmp/err"
rc=$?
names "$tmp/r3/pxerd" >"$tmp/n3" 2>/dev/null
check "recipe 3: '$C' exits 0 ($rc): the directory's modules, busybox from / (the tree has none)" \
	'[ "$rc" = 0 ] && grep -q "^lib/modules/$kver/.*/virtio_net.ko$" "$tmp/n3" && grep -qx bin/busybox "$tmp/n3" &&
	 grep -q "from /, not in $kabs/root" "$tmp/out"'

tap_done
