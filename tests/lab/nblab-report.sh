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
#   NBLAB cmdline <text>              /proc/cmdline
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
say cmdline "$($bb cat /proc/cmdline)"
echo NBLAB-END

$bb sync
$bb poweroff -f
# Only reached if poweroff failed: PID 1 must not exit.
while :; do $bb sleep 3600; done
