#!/bin/busybox sh
# /sbin/init of every overlay the QEMU lab (qemu/lab) hands out.
#
# nbinit execs this as PID 1 of the new root. It describes the booted root
# from the inside on the console, one fact per line, each line starting with
# "NBLAB " between NBLAB-BEGIN and NBLAB-END, then powers the machine off
# (QEMU runs with -no-reboot, so that ends the VM). qemu/lab parses these
# lines; keep the keys in step with its checks.
#
#   NBLAB pid1 <pid>                  this script's pid (1 when nbinit exec'd it)
#   NBLAB id <text>                   /etc/nblab-id: which overlay was applied
#   NBLAB repo <line>                 each line of /etc/apk/repositories
#   NBLAB link <iface> <mac>          every interface but lo
#   NBLAB addr <iface> <addr/prefix>  IPv4 addresses (busybox ip)
#   NBLAB route default <gw> <iface>  default routes
#   NBLAB hostname <name>             the kernel's host name
#   NBLAB etc-hostname <name>         /etc/hostname (from the overlay)
#   NBLAB nameserver <ip>             /etc/resolv.conf
#   NBLAB mount <dev> <dir> <fstype> [vers=..,proto=..]
#                                     /, /media/* and every nfs mount
#   NBLAB bootrepo <dir>              directories under /media with .boot_repository
#   NBLAB marker <dir> <text>         /media/*/.nblab-depot (proves the depot is readable)
#   NBLAB net <KEY='value'>           each line of /var/lib/nbinit/net
#   NBLAB boot <KEY='value'>          each line of /var/lib/nbinit/boot
#   NBLAB timeline <record>           each line of /var/lib/nbinit/timeline (tab-separated)
#   NBLAB cmdline <text>              /proc/cmdline
#   NBLAB apk-pkg <name>-<version>    each package in /lib/apk/db/installed
#   NBLAB apk-db ok <n> files         every file the db lists is on disk with its Z:
#                                     checksum, and /bin /sbin /usr /lib hold nothing else
#   NBLAB apk-db bad <path> <why>     ... or what is wrong, one line each
#   NBLAB apk-ran <text>              /var/lib/nblab/*: what the install scripts wrote
#   NBLAB apk-world <word>            /etc/apk/world
#   NBLAB-END

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
bb=/bin/busybox

# nbinit moves /dev, /proc and /sys into the new root; do not count on it.
$bb mkdir -p /dev /proc /sys /run /tmp
[ -c /dev/console ] || $bb mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
[ -r /proc/mounts ] || $bb mount -t proc proc /proc
[ -d /sys/class/net ] || $bb mount -t sysfs sysfs /sys
# Kernel messages must not cut report lines in two.
echo 1 >/proc/sys/kernel/printk 2>/dev/null

say() {
	echo "NBLAB $*"
}

# each_line PREFIX FILE: one report line per line of FILE (the last line may
# lack its newline).
each_line() {
	[ -r "$2" ] || return 0
	while IFS= read -r l || [ -n "$l" ]; do
		say "$1" "$l"
	done <"$2"
}

echo NBLAB-BEGIN
say pid1 "$$"
if [ -r /etc/nblab-id ]; then
	say id "$($bb cat /etc/nblab-id)"
else
	say id "(no /etc/nblab-id)"
fi

if [ -r /etc/apk/repositories ]; then
	each_line repo /etc/apk/repositories
else
	say repo-missing /etc/apk/repositories
fi

for d in /sys/class/net/*; do
	n=${d##*/}
	[ "$n" = lo ] && continue
	say link "$n" "$($bb cat "$d/address" 2>/dev/null)"
done
$bb ip -4 -o addr show 2>/dev/null | while read -r _ ifc _ addr _; do
	[ "$ifc" = lo ] || say addr "$ifc" "$addr"
done
$bb ip -4 route show 2>/dev/null | while read -r dst via gw dev ifc _; do
	[ "$dst" = default ] && [ "$via" = via ] && [ "$dev" = dev ] && say route default "$gw" "$ifc"
done

say hostname "$($bb hostname)"
[ -r /etc/hostname ] && say etc-hostname "$($bb cat /etc/hostname)"
if [ -r /etc/resolv.conf ]; then
	while read -r k v _; do
		[ "$k" = nameserver ] && say nameserver "$v"
	done </etc/resolv.conf
fi

while read -r dev dir fstype opts _; do
	case "$dir:$fstype" in
	/:* | /media/*:* | *:nfs | *:nfs4) ;;
	*) continue ;;
	esac
	# For NFS, which protocol version and transport the init ended up with.
	v=
	case "$fstype" in
	nfs*)
		ifs=$IFS
		IFS=,
		for o in $opts; do
			case "$o" in vers=* | proto=*) v="$v${v:+,}$o" ;; esac
		done
		IFS=$ifs
		;;
	esac
	say mount "$dev" "$dir" "$fstype" $v
done </proc/mounts

for f in $($bb find /media -maxdepth 6 -name .boot_repository 2>/dev/null); do
	say bootrepo "${f%/.boot_repository}"
done
for f in /media/*/.nblab-depot; do
	[ -r "$f" ] && say marker "${f%/.nblab-depot}" "$($bb cat "$f")"
done

each_line net /var/lib/nbinit/net
each_line boot /var/lib/nbinit/boot
each_line timeline /var/lib/nbinit/timeline
say cmdline "$($bb cat /proc/cmdline)"

# apk's database against the disk (what nbinit's packages phase wrote).
# Z: is "Q1" + base64 of the SHA-1 of the contents (of the target for links).
q1() {
	if [ -L "$1" ]; then
		h=$($bb readlink "$1" | $bb tr -d '\n' | $bb sha1sum)
	else
		h=$($bb sha1sum <"$1")
	fi
	h=${h%% *}
	echo "Q1$($bb printf "$(echo "$h" | $bb sed 's/../\\x&/g')" | $bb base64)"
}
if [ -r /lib/apk/db/installed ]; then
	db=/tmp/nblab-apk-files
	: >"$db"
	bad=0 n=0 dir= file= pkg=
	while IFS= read -r l; do
		case $l in
		P:*) pkg=${l#P:} ;;
		V:*) say apk-pkg "$pkg-${l#V:}" ;;
		F:*) dir=${l#F:}
			[ -d "/$dir" ] || { say apk-db bad "/$dir" "directory missing"; bad=1; } ;;
		R:*) file=/$dir/${l#R:}; n=$((n + 1)); echo "$file" >>"$db"
			[ -e "$file" ] || [ -L "$file" ] || { say apk-db bad "$file" "missing"; bad=1; } ;;
		Z:*) [ -e "$file" ] || [ -L "$file" ] || continue
			[ "$(q1 "$file")" = "${l#Z:}" ] || { say apk-db bad "$file" "checksum differs"; bad=1; } ;;
		esac
	done </lib/apk/db/installed
	# Nothing on disk that no package owns (the overlay's /sbin/init aside).
	for f in $($bb find /bin /sbin /usr /lib ! -path '/lib/apk/*' ! -path '/lib/modules/*' \( -type f -o -type l \) 2>/dev/null); do
		[ "$f" = /sbin/init ] && continue
		$bb grep -qxF "$f" "$db" || { say apk-db bad "$f" "not in the database"; bad=1; }
	done
	[ $bad = 0 ] && say apk-db ok "$n" files
	for f in /var/lib/nblab/*; do
		[ -r "$f" ] && say apk-ran "$($bb cat "$f")"
	done
	[ -r /etc/apk/world ] && for w in $($bb cat /etc/apk/world); do say apk-world "$w"; done
fi
echo NBLAB-END

$bb sync
$bb poweroff -f
# Only reached if poweroff failed: PID 1 must not exit.
while :; do $bb sleep 3600; done
