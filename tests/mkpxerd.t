#!/bin/sh
# mkpxerd against the Debian kernel that tests/setup unpacks in out/kernel,
# with a copy of the static busybox standing in for the init: what the pxerd
# holds, its modules.dep, -l, the compressions, reproducibility, and the
# errors and warnings an admin sees. TAP, for prove.
# shellcheck disable=SC2016 # check's conditions are single-quoted for eval
cd "$(dirname "$0")/.." || exit 1
PATH=$PATH:/sbin:/usr/sbin

. tests/tap.sh
need_kernel
need_tools cpio depmod gzip xz zstd od
need_file /bin/busybox "busybox-static, to stand in for the init"

base=$kernel/root
kdir=$base/lib/modules/$kver
m=lib/modules/$kver
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkpxerd-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# pack ARGS...: mkpxerd with the Debian tree and the stand-in init; status
# in $rc, output in $tmp/out and $tmp/err.
pack() {
	./mkpxerd -b "$base" -i "$tmp/init" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# mkpxerd as given (no -b, no -i), the same way.
run() {
	./mkpxerd "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

uncompress() {
	case $(od -An -tx1 -N4 "$1" | tr -d ' \n') in
	1f8b*) gzip -dc "$1" ;;
	fd377a58) xz -dc "$1" ;;
	28b52ffd) zstd -qdc "$1" ;;
	02214c18) lz4 -qdc "$1" ;;
	*) cat "$1" ;;
	esac
}

# The archive's entries, one a line: TYPE MODE UID GID MON DAY YEAR NAME [-> TARGET].
entries() {
	uncompress "$1" | (cd "$tmp" && TZ=UTC0 LC_ALL=C cpio -itv --quiet --numeric-uid-gid) |
		awk '{ name = $9; for (i = 10; i <= NF; i++) name = name " " $i
		       print substr($1, 1, 1), $1, $3, $4, $6, $7, $8, name }'
}

# The archive's names, one a line.
names() {
	uncompress "$1" | (cd "$tmp" && cpio -it --quiet)
}

# One member of the archive on stdout.
member() {
	uncompress "$1" | (cd "$tmp" && cpio -i --quiet --to-stdout "$2")
}

# Feature file lines without comments and blanks, sorted.
lines() {
	sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^#/d' -e '/^$/d' "$@" | LC_ALL=C sort -u
}

none_match() {
	! grep -q "$@"
}

cp /bin/busybox "$tmp/init"

# ---------------------------------------------------------------- default pack
pack -o "$tmp/p1" "$kver"
check "default pack exits 0 ($rc)" '[ "$rc" = 0 ]'
check "one summary line: output, features nbinit, module count, size" \
	'[ "$(wc -l <"$tmp/out")" = 1 ] &&
	 grep -Eq "^mkpxerd: $tmp/p1: features: nbinit; modules: [0-9]+ for $kver; .*size: [0-9]+ bytes .*zstd" "$tmp/out"'
# The default feature packs /etc/apk/keys/*.pub: a warning when neither
# BASEDIR nor this host has any, and none other.
check "no warnings with a static init and busybox (but for absent apk keys)" \
	'! grep -v "^mkpxerd: warning: file /etc/apk/keys/\*\.pub (feature nbinit, " "$tmp/err" | grep -q .'
check "zstd output (the default)" '[ "$(od -An -tx1 -N4 "$tmp/p1" | tr -d " \n")" = 28b52ffd ]'
echo "# default pxerd for $kver: $(wc -c <"$tmp/p1" | tr -d ' ') bytes"

entries "$tmp/p1" >"$tmp/list1"
names "$tmp/p1" >"$tmp/names1"
has() { grep -qx "$1" "$tmp/names1"; }
member "$tmp/p1" init >"$tmp/init.packed"
check "/init is the given init" 'cmp -s "$tmp/init.packed" "$tmp/init"'
check "/init has mode 0755" 'grep -q "^- -rwxr-xr-x 0 0 .* init$" "$tmp/list1"'
check "/bin/busybox is packed" 'has bin/busybox'
check "/bin/sh -> busybox" 'grep -q "^l .* bin/sh -> busybox$" "$tmp/list1"'
check "no default.script: the init is udhcpc's event script itself" \
	'none_match "udhcpc" "$tmp/names1"'
for d in dev proc sys run tmp media sysroot etc; do
	check "/$d is a directory" 'grep -q "^d .* $d\$" "$tmp/list1"'
done
check "every entry is owned by 0:0" 'awk "\$3 != 0 || \$4 != 0" "$tmp/list1" | none_match .'
check "every mtime is SOURCE_DATE_EPOCH (0)" \
	'awk "\$5 \" \" \$6 \" \" \$7 != \"Jan 1 1970\"" "$tmp/list1" | none_match .'
check "entries are sorted" 'LC_ALL=C sort "$tmp/names1" | cmp -s - "$tmp/names1"'

# The modules asked for and every dependency the kernel's modules.dep names.
for mod in kernel/drivers/net/ethernet/intel/e1000/e1000.ko kernel/drivers/net/virtio_net.ko \
	kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko kernel/drivers/net/ethernet/intel/igb/igb.ko \
	kernel/drivers/net/ethernet/realtek/r8169.ko kernel/drivers/net/ethernet/broadcom/tg3.ko \
	kernel/fs/nfs/nfsv3.ko kernel/drivers/virtio/virtio_pci.ko kernel/drivers/block/virtio_blk.ko \
	kernel/fs/fat/vfat.ko; do
	deps=$(sed -n "s|^$mod:||p" "$kdir/modules.dep")
	missing=
	for p in $mod $deps; do
		has "$m/$p" || missing="$missing $p"
	done
	check "${mod##*/} and its deps ($(echo "$deps" | sed 's|[^ ]*/||g; s/^ //')) are packed" '[ -z "$missing" ]'
done
for p in kernel/net/sunrpc/sunrpc.ko kernel/fs/lockd/lockd.ko kernel/fs/nfs/nfs.ko kernel/fs/nfs_common/grace.ko; do
	check "${p##*/} is packed" 'has "$m/$p"'
done
check "NFS over RDMA (and the InfiniBand core) is not packed" \
	'none_match -e xprtrdma -e infiniband "$tmp/names1"'
check "opt-in features are not in the default: ext4, nfsv4, ixgbe, bnx2, virtio_scsi, sd_mod" \
	'none_match -e /ext4.ko -e /nfsv4.ko -e /ixgbe.ko -e /bnx2.ko -e /virtio_scsi.ko -e /sd_mod.ko "$tmp/names1"'
check "the default is under 3 MB ($(wc -c <"$tmp/p1") bytes; README.md: Speed and size)" \
	'[ "$(wc -c <"$tmp/p1")" -lt 3000000 ]'
check "nothing packed twice: no kmod .bin indexes, no modules.order, no modules.builtin.modinfo" \
	'none_match -e "modules\..*\.bin$" -e modules.order -e modules.builtin.modinfo "$tmp/names1"'

member "$tmp/p1" "$m/modules.dep" >"$tmp/dep"
check "modules.dep has a line for each packed module" \
	'[ "$(grep -c "\.ko:" "$tmp/dep")" = "$(grep -c "\.ko$" "$tmp/names1")" ] && [ -s "$tmp/dep" ]'
sed 's/:/ /' "$tmp/dep" | tr ' ' '\n' | grep . | LC_ALL=C sort -u >"$tmp/depnames"
bad=
while read -r p; do
	has "$m/$p" || bad="$bad $p"
done <"$tmp/depnames"
check "every module the packed modules.dep names is packed" '[ -z "$bad" ]'
check "the packed modules.dep gives nfsv3 its deps, sunrpc last (loaded first)" \
	'grep -q "^kernel/fs/nfs/nfsv3.ko: .*kernel/fs/lockd/lockd.ko.*kernel/net/sunrpc/sunrpc.ko" "$tmp/dep"'
member "$tmp/p1" "$m/modules.alias" >"$tmp/alias"
check "the packed modules.alias maps QEMU's e1000 to e1000" \
	'grep -q "^alias pci:v00008086d0000100Esv\*sd\*bc\*sc\*i\* e1000$" "$tmp/alias"'
member "$tmp/p1" "$m/modules.builtin" >"$tmp/builtin"
check "modules.builtin is packed (af_packet is built in)" 'grep -q af_packet.ko "$tmp/builtin"'
member "$tmp/p1" "$m/kernel/drivers/net/ethernet/intel/e1000/e1000.ko" >"$tmp/e1000.ko"
check "modules are copied as they are (e1000.ko byte for byte)" \
	'cmp -s "$tmp/e1000.ko" "$kdir/kernel/drivers/net/ethernet/intel/e1000/e1000.ko"'

# ---------------------------------------------------------------- reproducible
mkdir "$tmp/t2"
pack -q -t "$tmp/t2" -o "$tmp/p2" "$kver"
check "second run (-q, another -t) exits 0 and prints nothing" '[ "$rc" = 0 ] && [ ! -s "$tmp/out" ]'
check "two runs give byte-identical pxerds" 'cmp -s "$tmp/p1" "$tmp/p2"'
check "the -t work directory is removed" '[ -z "$(ls -A "$tmp/t2")" ]'

# ---------------------------------------------------------------- -l
pack -l -o "$tmp/listed" "$kver"
check "-l exits 0" '[ "$rc" = 0 ]'
check "-l writes no output file" '[ ! -e "$tmp/listed" ]'
check "-l lists /init, busybox and e1000.ko" \
	'grep -qx ./init "$tmp/out" && grep -qx ./bin/busybox "$tmp/out" && grep -q "/e1000.ko$" "$tmp/out"'
grep -vx '\.' "$tmp/names1" >"$tmp/names1.nodot"
check "-l lists exactly what the archive holds" \
	'sed -e "s|^\./||" -e "/^\.$/d" "$tmp/out" | cmp -s - "$tmp/names1.nodot"'

# ---------------------------------------------------------------- compressions
for c in gzip:1f8b08 xz:fd377a585a00 zstd:28b52ffd lz4:02214c18 none:303730373031; do
	if ! command -v "${c%%:*}" >/dev/null 2>&1 && [ "${c%%:*}" != none ]; then
		n=$((n + 1))
		echo "ok $n # skip ${c%%:*} is not installed (tests/setup installs it)"
		continue
	fi
	pack -C "${c%%:*}" -F nbinit-base,nbinit-virtio -o "$tmp/c.${c%%:*}" "$kver"
	magic=$(od -An -tx1 -N6 "$tmp/c.${c%%:*}" | tr -d ' \n')
	check "-C ${c%%:*} exits 0 ($rc), output starts with ${c#*:} ($magic)" \
		'[ "$rc" = 0 ] && case $magic in "${c#*:}"*) true ;; *) false ;; esac'
	names "$tmp/c.${c%%:*}" >"$tmp/cn"
	check "-C ${c%%:*}: the archive holds /init and virtio_blk.ko" \
		'grep -qx init "$tmp/cn" && grep -q "virtio_blk.ko$" "$tmp/cn"'
done
check "-C xz uses the CRC32 check that the kernel's unxz supports" \
	'xz --robot -lv "$tmp/c.xz" | grep -q CRC32'
pack -C lzo -F nbinit-base -o "$tmp/c.lzo" "$kver"
check "-C lzo is refused in one line" \
	'[ "$rc" != 0 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^mkpxerd: -C lzo: " "$tmp/err"'

# ---------------------------------------------------------------- errors
pack -F nbinit-base,nosuch -o "$tmp/e1" "$kver"
check "a missing feature fails ($rc) in one line naming it, writing nothing" \
	'[ "$rc" != 0 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -e "$tmp/e1" ] &&
	 grep -q "^mkpxerd: feature nosuch: no nosuch.modules or nosuch.files in " "$tmp/err"'
pack -F nbinit-base -o "$tmp/e2" 0.0.0-no-such-kernel
check "a missing kernel version fails in one line naming the directory" \
	'[ "$rc" != 0 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
	 grep -q "^mkpxerd: .*/lib/modules/0.0.0-no-such-kernel: no such directory" "$tmp/err"'
run -b "$base" -i "$tmp/no-init" -F nbinit-base -o "$tmp/e3" "$kver"
check "a missing init fails in one line naming it" \
	'[ "$rc" != 0 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^mkpxerd: $tmp/no-init: " "$tmp/err"'
pack -F nbinit-base -o "$tmp/no-dir/e4" "$kver"
check "an output directory that does not exist fails in one line" \
	'[ "$rc" != 0 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^mkpxerd: $tmp/no-dir/e4: " "$tmp/err"'
run -c "$tmp/no-such.conf" -F base
check "an unreadable config fails in one line" \
	'[ "$rc" != 0 ] && grep -q "^mkpxerd: $tmp/no-such.conf: " "$tmp/err"'

# ---------------------------------------------------------------- warnings
mkdir "$tmp/feat"
printf '# test feature\n/bin/ls\n' >"$tmp/feat/dyn.files"
printf 'kernel/drivers/no/such_driver.ko*\nkernel/net/packet/af_packet.ko*\n' >"$tmp/feat/gone.modules"
if readelf -lW /bin/ls 2>/dev/null | grep -q 'program interpreter'; then
	interp=$(readelf -lW /bin/ls | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	pack -P "$tmp/feat" -F nbinit-base,dyn -C none -o "$tmp/w1" "$kver"
	names "$tmp/w1" >"$tmp/wn"
	check "a dynamically linked file is packed ($rc) with its interpreter ${interp} and libc, no warning" \
		'[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && grep -qx "bin/ls" "$tmp/wn" && grep -qx "${interp#/}" "$tmp/wn" &&
		 grep -q "/libc\.so\.6$" "$tmp/wn" && grep -q "(+ [0-9]* loader and libraries)" "$tmp/out"'
	for lib in $(readelf -dW /bin/ls | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		check "... and /bin/ls's $lib" 'grep -q "/$lib\$" "$tmp/wn"'
	done
	if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null 2>&1; then
		mkdir "$tmp/x1"
		uncompress "$tmp/w1" | (cd "$tmp/x1" && cpio -idm --quiet)
		check "... and it runs in the unpacked pxerd (chroot ... /bin/ls /)" \
			'chroot "$tmp/x1" /bin/ls / | grep -qx init'
	fi
	# A tree with the program but not its loader (a kernel tree unpacked
	# from a package, an Alpine basedir missing musl).
	mkdir -p "$tmp/dynbase/bin"
	cp /bin/ls "$tmp/dynbase/bin/ls"
	run -b "$tmp/dynbase" -P "$tmp/feat" -F dyn -n -i "$tmp/init" -C none -o "$tmp/w2"
	check "... refused ($rc) when its interpreter is not in the tree it came from, in one line, nothing written" \
		'[ "$rc" != 0 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -e "$tmp/w2" ] &&
		 grep -q "^mkpxerd: /bin/ls (feature dyn, from $tmp/dynbase): dynamically linked, and its interpreter $interp is not in $tmp/dynbase; use a static build" "$tmp/err"'
	run -D -b "$tmp/dynbase" -P "$tmp/feat" -F dyn -n -i "$tmp/init" -C none -o "$tmp/w2"
	check "... packed with a warning under -D" \
		'[ "$rc" = 0 ] && [ -s "$tmp/w2" ] && grep -q "^mkpxerd: warning: /bin/ls (feature dyn, .*(packed anyway: -D)$" "$tmp/err"'
	mkdir -p "$tmp/dynbase/${interp%/*}"
	cp -L "$interp" "$tmp/dynbase/$interp"
	run -b "$tmp/dynbase" -P "$tmp/feat" -F dyn -n -i "$tmp/init" -C none -o "$tmp/w2"
	check "... refused when a library it names is not in that tree" \
		'[ "$rc" != 0 ] && grep -q "^mkpxerd: /bin/ls (feature dyn, from $tmp/dynbase): needs lib.*, which is not in $tmp/dynbase" "$tmp/err"'
	MKPXERD_NO_READELF=1 run -P "$tmp/feat" -F dyn -n -i "$tmp/init" -C none -o "$tmp/w3"
	check "without readelf the interpreter is still found (od reads the program headers), and it is an error" \
		'[ "$rc" != 0 ] && grep -q "^mkpxerd: /bin/ls (feature dyn, .*dynamically linked, and without readelf" "$tmp/err"'
	run -n -F nbinit-base -i /bin/ls -C none -o "$tmp/w4"
	check "a dynamically linked init is refused" \
		'[ "$rc" != 0 ] && [ ! -e "$tmp/w4" ] && grep -q "^mkpxerd: /bin/ls (the init): dynamically linked" "$tmp/err"'
else
	n=$((n + 1))
	echo "ok $n # skip /bin/ls is not dynamically linked here"
fi
pack -P "$tmp/feat" -F nbinit-base,gone -C none -o "$tmp/w5" "$kver"
check "a listed module that is absent is a warning naming it" \
	'[ "$rc" = 0 ] && grep -q "^mkpxerd: warning: module kernel/drivers/no/such_driver.ko\* (feature gone" "$tmp/err"'
check "... and a built-in one is silently fine" 'none_match af_packet "$tmp/err"'

# ---------------------------------------------------------------- options
run -L -P "$tmp/feat"
check "-L lists the features of the repo and of -P" \
	'for f in nbinit-base nbinit-dhcp dyn nbinit-ext4 gone nbinit nbinit-network nbinit-nfs nbinit-nfs4 nbinit-nic nbinit-vfat nbinit-virtio nbinit-virtio-scsi; do grep -qx $f "$tmp/out" || exit 1; done'
printf '# mkinitfs.conf\nfeatures="nbinit-base nbinit-vfat"\n' >"$tmp/mkinitfs.conf"
pack -c "$tmp/mkinitfs.conf" -C none -o "$tmp/o1" "$kver"
names "$tmp/o1" >"$tmp/on"
check "-c CONFIG: features from features=\"...\"" \
	'grep -q "vfat.ko$" "$tmp/on" && none_match "e1000.ko$" "$tmp/on" && grep -q "features: nbinit-base nbinit-vfat;" "$tmp/out"'
pack -c "$tmp/mkinitfs.conf" -F nbinit-virtio -f /etc/fstab -C none -o "$tmp/o2" "$kver"
names "$tmp/o2" >"$tmp/on"
check "-F wins over the config; -f is accepted and said not to apply" \
	'[ "$rc" = 0 ] && grep -q "virtio_blk.ko$" "$tmp/on" && none_match "vfat.ko$" "$tmp/on" &&
	 grep -q "^mkpxerd: note: -f /etc/fstab: not used" "$tmp/err"'
run -n -F nbinit-base -i "$tmp/init" -C none -o "$tmp/o3"
names "$tmp/o3" >"$tmp/on"
check "-n: no modules, no kernel version needed" \
	'[ "$rc" = 0 ] && none_match "^lib/modules" "$tmp/on" && grep -qx bin/busybox "$tmp/on"'
printf 'kernel/fs/fat/vfat.ko*\n' >"$tmp/feat/nbinit-vfat.modules"
pack -P "$tmp/feat" -F nbinit-vfat -C none -o "$tmp/o4" "$kver"
names "$tmp/o4" >"$tmp/on"
check "-P comes first in the search path (its vfat has no nls)" \
	'grep -q "vfat.ko$" "$tmp/on" && none_match nls_ "$tmp/on"'
printf 'sig\n' >"$tmp/modloop.SIGN.RSA.x.pub"
run -n -F nbinit-base -i "$tmp/init" -K -s "$tmp/modloop.SIGN.RSA.x.pub" -C none -o "$tmp/o8"
names "$tmp/o8" >"$tmp/on"
check "-s is accepted ($rc) and said not to apply; nothing of it packed" \
	'[ "$rc" = 0 ] && grep -q "^mkpxerd: note: -s $tmp/modloop.SIGN.RSA.x.pub: not packed: nbinit mounts no modloop" "$tmp/err" &&
	 none_match modloop "$tmp/on"'
hostkeys=$(find /etc/apk/keys -maxdepth 1 -type f 2>/dev/null | sed -n "1s|.*/||p")
if [ -n "$hostkeys" ]; then
	check "-K packs this host's /etc/apk/keys ($hostkeys)" 'grep -qx "etc/apk/keys/$hostkeys" "$tmp/on"'
else
	check "-K on a host without /etc/apk/keys: a warning saying so" \
		'grep -q "^mkpxerd: warning: -K: this host has no /etc/apk/keys/\*" "$tmp/err"'
fi
run -q -n -F nbinit-base -i "$tmp/init" -f /etc/fstab -C none -o "$tmp/o9"
check "-q: no notes either" '[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/out" ]'
run -h
check "-h names every flag of mkinitfs (b c C F f h i k K L l n o P q s t) and -D" \
	'[ "$rc" = 0 ] && for f in b c C F f h i k K L l n o P q s t D; do grep -q "^  -$f  " "$tmp/out" || exit 1; done'
pack -k -F nbinit-base -C none -o "$tmp/o5" "$kver"
kept=$(sed -n 's/^mkpxerd: kept the work directory //p' "$tmp/err")
check "-k keeps the work directory and says where" '[ -n "$kept" ] && [ -d "$kept/stage" ]'
[ -n "$kept" ] && rm -rf "$kept"

# A tree without modules.dep: depmod runs on a copy, BASEDIR stays as it was.
fake=$tmp/base
mkdir -p "$fake/lib/modules/$kver"
ln -s "$(cd "$kdir" && pwd)/kernel" "$fake/lib/modules/$kver/kernel"
cp "$kdir/modules.builtin" "$kdir/modules.order" "$fake/lib/modules/$kver/"
(cd "$fake" && find . | LC_ALL=C sort) >"$tmp/before"
run -b "$fake" -i "$tmp/init" -F nbinit-base,nbinit-virtio -C none -o "$tmp/o6" "$kver"
(cd "$fake" && find . | LC_ALL=C sort) >"$tmp/after"
names "$tmp/o6" >"$tmp/on"
check "no modules.dep in BASEDIR: packed with deps all the same (virtio_blk needs virtio_ring)" \
	'[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && grep -q "virtio_ring.ko$" "$tmp/on" && grep -q "virtio_blk.ko$" "$tmp/on"'
check "... and nothing was written into BASEDIR" 'cmp -s "$tmp/before" "$tmp/after"'

# Compressed modules in BASEDIR (Alpine's are .ko.gz, others .ko.xz or
# .ko.zst) are packed uncompressed: the pxerd is compressed once.
czd=$tmp/cz/lib/modules/$kver
mkdir -p "$czd/kernel/drivers/block" "$czd/kernel/drivers/virtio"
cp "$kdir/modules.builtin" "$czd/"
gzip -9nc "$kdir/kernel/drivers/block/virtio_blk.ko" >"$czd/kernel/drivers/block/virtio_blk.ko.gz"
xz -c "$kdir/kernel/drivers/virtio/virtio_ring.ko" >"$czd/kernel/drivers/virtio/virtio_ring.ko.xz"
zstd -qc "$kdir/kernel/drivers/virtio/virtio.ko" >"$czd/kernel/drivers/virtio/virtio.ko.zst"
# Its modules.dep as depmod writes it (Debian's depmod cannot read .ko.gz).
printf '%s\n' "kernel/drivers/block/virtio_blk.ko.gz: kernel/drivers/virtio/virtio.ko.zst kernel/drivers/virtio/virtio_ring.ko.xz" \
	"kernel/drivers/virtio/virtio.ko.zst: kernel/drivers/virtio/virtio_ring.ko.xz" \
	"kernel/drivers/virtio/virtio_ring.ko.xz:" >"$czd/modules.dep"
printf 'kernel/drivers/block/virtio_blk.ko*\n' >"$tmp/feat/czblk.modules"
run -b "$tmp/cz" -i "$tmp/init" -P "$tmp/feat" -F nbinit-base,czblk -C none -o "$tmp/o7" "$kver"
names "$tmp/o7" >"$tmp/on"
check "compressed modules (.ko.gz, .ko.xz, .ko.zst) are packed as plain .ko ($rc)" \
	'[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && grep -qx "$m/kernel/drivers/block/virtio_blk.ko" "$tmp/on" &&
	 grep -qx "$m/kernel/drivers/virtio/virtio_ring.ko" "$tmp/on" && grep -qx "$m/kernel/drivers/virtio/virtio.ko" "$tmp/on" &&
	 none_match -e "\.ko\.gz$" -e "\.ko\.xz$" -e "\.ko\.zst$" "$tmp/on"'
member "$tmp/o7" "$m/kernel/drivers/virtio/virtio_ring.ko" >"$tmp/ring.ko"
check "... byte for byte what was compressed (virtio_ring.ko from .ko.xz)" \
	'cmp -s "$tmp/ring.ko" "$kdir/kernel/drivers/virtio/virtio_ring.ko"'
member "$tmp/o7" "$m/modules.dep" >"$tmp/dep7"
check "... and modules.dep names the plain files" \
	'grep -q "^kernel/drivers/block/virtio_blk.ko: .*kernel/drivers/virtio/virtio_ring.ko" "$tmp/dep7"'

# The opt-in features add what the default leaves out.
pack -l -F "nbinit nbinit-network nbinit-nfs4 nbinit-virtio-scsi nbinit-ext4" "$kver"
check "-F \"nbinit nbinit-network nbinit-nfs4 nbinit-virtio-scsi nbinit-ext4\" (blanks, as mkinitfs splits) adds ixgbe, bnx2, nfsv4, virtio_scsi, sd_mod, ext4 ($rc)" \
	'[ "$rc" = 0 ] && for k in ixgbe bnx2 nfsv4 virtio_scsi sd_mod ext4; do grep -q "/$k.ko$" "$tmp/out" || exit 1; done'

# ---------------------------------------------------------------- feature files
: >"$tmp/out"
: >"$tmp/err"
lines features/nbinit-dhcp.modules features/nbinit-nic.modules features/nbinit-nfs.modules \
	features/nbinit-virtio.modules features/nbinit-vfat.modules >"$tmp/union"
lines features/nbinit.modules >"$tmp/nbm"
check "features/nbinit.modules is the union of nbinit-dhcp -nic -nfs -virtio -vfat" \
	'cmp -s "$tmp/nbm" "$tmp/union"'
lines features/nbinit.files >"$tmp/nbf"
lines features/nbinit-base.files features/nbinit-dhcp.files features/nbinit-tls.files \
	features/nbinit-apk-keys.files | LC_ALL=C comm -23 - "$tmp/nbf" >"$tmp/missing"
check "features/nbinit.files holds nbinit-base, -dhcp, -tls and -apk-keys (complete on its own)" '[ ! -s "$tmp/missing" ]'
lines features/nbinit-network.modules >"$tmp/network"
lines modules.d/ethernet modules.d/dhcp | LC_ALL=C comm -23 - "$tmp/network" >"$tmp/missing"
check "features/nbinit-network.modules holds modules.d/ethernet and modules.d/dhcp" '[ ! -s "$tmp/missing" ]'
lines features/nbinit-nic.modules | LC_ALL=C comm -23 - "$tmp/network" >"$tmp/missing"
check "features/nbinit-nic.modules is a subset of features/nbinit-network.modules" '[ ! -s "$tmp/missing" ]'
check "features/nbinit-nfs.modules packs NFSv3, nbinit-nfs4.modules NFSv4 (modules.d/nfs: kernel/fs/nfs/*)" \
	'grep -qx "kernel/fs/nfs/nfsv3.ko\*" features/nbinit-nfs.modules && grep -qx "kernel/fs/nfs/nfsv4.ko\*" features/nbinit-nfs4.modules'
check "no feature file names default.script (the init is udhcpc's script)" \
	'lines features/* | none_match default.script'
# Alpine's stock features.d (mkinitfs): ours must not take their names.
alpine="9p aoe ata base bootchart btrfs cdrom cramfs cryptkey cryptsetup dasd_mod dhcp ena ext2 ext3 ext4
 f2fs floppy gfs2 https jfs keymap kms lvm lvm-thin memdisk mmc nbd network nfit nvme ocfs2 phy qeth raid
 reiserfs scsi squashfs ubifs usb virtio wireguard xenpci xfs zfcp zfs nfs nfs4 nic tls vfat"
bad=
for f in features/*; do
	name=${f##*/}
	name=${name%.*}
	case $name in nbinit | nbinit-*) ;; *) bad="$bad $name" ;; esac
	for a in $alpine; do [ "$name" != "$a" ] || bad="$bad $name"; done
done
check "every feature is nbinit or nbinit-* (no clash with Alpine's features.d:$bad)" '[ -z "$bad" ]'

tap_done
