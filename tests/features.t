#!/bin/sh
# features/ under Alpine's mkinitfs rules (tests/mkinitfs-like reproduces
# its lookup: -P first, per suffix the first directory wins, -F split on
# blanks, '#' only in column 1, globs, directories stand for their files),
# and the README's mkinitfs recipe run by those rules: every pattern of
# every feature resolves against an admin's base directory and the
# Debian kernel of out/kernel, nothing mixes with Alpine's stock
# features.d, and the initrd holds what the init needs. TAP, for prove.
# shellcheck disable=SC2016 # check's conditions are single-quoted for eval
cd "$(dirname "$0")/.." || exit 1
repo=$PWD
PATH=$PATH:/sbin:/usr/sbin

tap_clear=1
. tests/tap.sh
need_kernel
need_tools cpio depmod gzip
need_file /bin/busybox busybox-static
kabs=$(cd "$kernel" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/features-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# An admin's base directory: the kernel's modules, a static busybox, the CA
# bundle and an apk key (its name is what the glob needs).
base=$tmp/base
mkdir -p "$base/lib/modules" "$base/bin" "$base/etc/ssl/certs" "$base/etc/apk/keys"
ln -s "$kabs/root/lib/modules/$kver" "$base/lib/modules/$kver"
cp /bin/busybox "$base/bin/busybox"
printf 'a CA bundle\n' >"$base/etc/ssl/certs/ca-certificates.crt"
printf 'an apk key\n' >"$base/etc/apk/keys/admin@example.rsa.pub"
# Alpine's stock features.d (mkinitfs), by name: what -P lookups fall back to.
stock=$tmp/stock
mkdir "$stock"
for f in 9p aoe ata base bootchart btrfs cdrom cramfs cryptkey cryptsetup dasd_mod dhcp ena ext2 ext3 ext4 \
	f2fs floppy gfs2 https jfs keymap kms lvm lvm-thin memdisk mmc nbd network nfit nvme ocfs2 phy qeth raid \
	reiserfs scsi squashfs ubifs usb virtio wireguard xenpci xfs zfcp zfs; do
	printf '/stock/%s\n' "$f" >"$stock/$f.files"
	printf 'kernel/stock/%s.ko\n' "$f" >"$stock/$f.modules"
done
export MKINITFS_FEATURES_D="$stock"

like() {
	tests/mkinitfs-like -b "$base" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# ---------------------------------------------------------------- the files
set +f
for f in features/*.files features/*.modules; do
	check "$f: no indented comment and no '#' after a pattern (mkinitfs would glob its words)" \
		'! grep -n -e "^[[:space:]][[:space:]]*#" -e "^[^#].*#" "$f" >"$tmp/out"'
	check "$f: no blank inside a pattern (mkinitfs splits lines on blanks)" \
		'! grep -n "^[^#].*[^[:space:]][[:space:]][[:space:]]*[^[:space:]]" "$f" >"$tmp/out"'
done
features=
for f in features/*.files features/*.modules; do
	f=${f##*/}
	f=${f%.*}
	case " $features " in *" $f "*) ;; *) features="$features $f" ;; esac
done
set -f

# Every pattern of every feature, by mkinitfs's rules, matches something.
for f in $features; do
	like -u -P "$repo/features" -F "$f" "$kver"
	check "feature $f: every pattern resolves against the base directory and $kver" '[ "$rc" = 0 ]'
	like -l -P "$repo/features" -F "$f" "$kver"
	check "feature $f: its files and modules come from features/, none of the stock features.d" \
		'[ "$rc" = 0 ] && [ -s "$tmp/out" ] && ! grep -q stock "$tmp/out"'
done

# The lookups that the issue met, by the same rules.
like -l -P features -F nbinit "$kver"
check "a relative -P resolves nothing (mkinitfs changes into the base directory first)" \
	'[ "$rc" = 0 ] && ! grep -q busybox "$tmp/out"'
like -l -P "$repo/features" -F "nbinit,nbinit-network" "$kver"
check "-F with a comma is one feature name and packs nothing (mkinitfs splits on blanks)" \
	'[ "$rc" = 0 ] && [ ! -s "$tmp/out" ]'
like -l -P "$repo/features" -F "nbinit nbinit-network" "$kver"
check "-F \"nbinit nbinit-network\" adds ixgbe to the default" \
	'[ "$rc" = 0 ] && grep -q "/ixgbe.ko$" "$tmp/out" && grep -qx bin/busybox "$tmp/out"'

# ---------------------------------------------------------------- README's recipe
# The README's mkinitfs command from a source checkout, run as written with
# mkinitfs standing for tests/mkinitfs-like and -b for the base directory.
recipe=$(grep -m 1 '^ *mkinitfs -P ' README.md | sed 's/^ *//')
check "README.md has a mkinitfs -P recipe ($recipe)" '[ -n "$recipe" ]'
check "... its -P is absolute (\"\$PWD/...\") and its -F is quoted, blank-separated, with no comma" \
	'case $recipe in *"-P \"\$PWD/features\""*) ;; *) false ;; esac &&
	 printf "%s\n" "$recipe" | grep -q -- "-F \"nbinit[a-z0-9 -]*\"" && ! printf "%s\n" "$recipe" | grep -q -- "-F \"[^\"]*,"'
mkinitfs() {
	"$repo/tests/mkinitfs-like" -b "$base" "$@"
}
out_before=$(ls -d out/initramfs-nbinit 2>/dev/null)
# shellcheck disable=SC2317 # uname is called by the recipe's $(uname -r)
(uname() { echo "$kver"; }; eval "$recipe") >"$tmp/out" 2>"$tmp/err"
rc=$?
img=out/initramfs-nbinit
check "the recipe packs $img ($rc)" '[ "$rc" = 0 ] && [ -s "$img" ]'
gzip -dc "$img" 2>/dev/null | (cd "$tmp" && cpio -it --quiet) >"$tmp/names"
[ -n "$out_before" ] || rm -f "$img"
has() { grep -qx "$1" "$tmp/names"; }
check "... with /init, /bin/busybox, the CA bundle and the apk key" \
	'has init && has bin/busybox && has etc/ssl/certs/ca-certificates.crt && has etc/apk/keys/admin@example.rsa.pub'
check "... the default NIC drivers, NFSv3 and their dependencies" \
	'has lib/modules/$kver/kernel/drivers/net/ethernet/intel/e1000/e1000.ko &&
	 has lib/modules/$kver/kernel/fs/nfs/nfsv3.ko && has lib/modules/$kver/kernel/net/sunrpc/sunrpc.ko &&
	 has lib/modules/$kver/modules.dep'
check "... and neither /bin/sh nor default.script: the init needs neither (scenario mkinitfs boots it)" \
	'! has bin/sh && ! grep -q default.script "$tmp/names"'

tap_done
