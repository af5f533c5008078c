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
#                                     checksum (outside /etc, as apk audit --system)
#                                     and its a:/M: owner and mode, no file is
#                                     listed by two packages, and /bin /sbin /usr /lib hold
#                                     nothing else (busybox's applet links aside, which
#                                     its post-install makes and no package owns, as on Alpine)
#   NBLAB apk-db bad <path> <why>     ... or what is wrong, one line each
#   NBLAB apk-owner <path> <user>:<group> <mode>
#                                     db entries (a:, M:) not owned by root, as on disk by name
#   NBLAB apk-xattr <path> security.capability <hex>
#                                     db entries with an xattr checksum, read back with
#                                     /usr/bin/nblab-xattr when the root has it
#   NBLAB apk-replaces <pkg> <r: words>
#   NBLAB apk-who <path> <pkg>        each file of a package that replaces another
#   NBLAB apk-flags <pkg> <f: flags>  a package apk would call broken (f: conflict, s: script)
#   NBLAB apk-new <path>              each /etc/**/*.apk-new (a package's version of a
#                                     protected file the root already had)
#   NBLAB passwd <name> <uid> <gid>   each user of /etc/passwd
#   NBLAB applet <path> <target>      /bin/ls, /bin/cat, /usr/bin/env when they are links
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
	bad=0 n=0 dir= file= pkg= repl=
	# acl PATH a:/M:-VALUE: the recorded uid:gid:mode against the disk.
	acl() {
		set -- "$1" $(echo "$2" | $bb tr ':' ' ')
		[ -e "$1" ] || [ -L "$1" ] || return 0
		[ "$($bb stat -c '%u:%g:%a' "$1")" = "$2:$3:$4" ] ||
			{ say apk-db bad "$1" "owner/mode $($bb stat -c '%u:%g:%a' "$1"), db $2:$3:$4"; bad=1; }
		[ "$2:$3" = 0:0 ] || say apk-owner "$1" "$($bb stat -c '%U:%G %a' "$1")"
		if [ -n "$5" ] && [ -x /usr/bin/nblab-xattr ]; then
			say apk-xattr "$1" security.capability "$(/usr/bin/nblab-xattr "$1" security.capability)"
		fi
	}
	while IFS= read -r l; do
		case $l in
		P:*) pkg=${l#P:} repl= ;;
		V:*) say apk-pkg "$pkg-${l#V:}" ;;
		r:*) repl=1; say apk-replaces "$pkg" "${l#r:}" ;;
		f:*) say apk-flags "$pkg" "${l#f:}" ;;
		F:*) dir=${l#F:}
			[ -d "/$dir" ] || { say apk-db bad "/$dir" "directory missing"; bad=1; } ;;
		M:*) acl "/$dir" "${l#M:}" ;;
		R:*) file=/$dir/${l#R:}; n=$((n + 1))
			$bb grep -qxF "$file" "$db" && { say apk-db bad "$file" "listed by two packages"; bad=1; }
			echo "$file" >>"$db"
			[ -n "$repl" ] && say apk-who "$file" "$pkg"
			[ -e "$file" ] || [ -L "$file" ] || { say apk-db bad "$file" "missing"; bad=1; } ;;
		a:*) acl "$file" "${l#a:}" ;;
		Z:*) [ -e "$file" ] || [ -L "$file" ] || continue
			# As apk audit --system: /etc is apk's protected path (config
			# that scripts and the admin change); its contents are not compared.
			case $file in /etc/*) continue ;; esac
			[ "$(q1 "$file")" = "${l#Z:}" ] || { say apk-db bad "$file" "checksum differs"; bad=1; } ;;
		esac
	done </lib/apk/db/installed
	# Nothing on disk that no package owns (the overlay's /sbin/init aside,
	# and the links busybox's post-install makes with --install -s).
	for f in $($bb find /bin /sbin /usr /lib ! -path '/lib/apk/*' ! -path '/lib/modules/*' \( -type f -o -type l \) 2>/dev/null); do
		[ "$f" = /sbin/init ] && continue
		[ -L "$f" ] && [ "$($bb readlink "$f")" = /bin/busybox ] && ! $bb grep -qxF "$f" "$db" && continue
		$bb grep -qxF "$f" "$db" || { say apk-db bad "$f" "not in the database"; bad=1; }
	done
	[ $bad = 0 ] && say apk-db ok "$n" files
	for f in /var/lib/nblab/*; do
		[ -r "$f" ] && say apk-ran "$($bb cat "$f")"
	done
	[ -r /etc/apk/world ] && for w in $($bb cat /etc/apk/world); do say apk-world "$w"; done
	for f in $($bb find /etc -name '*.apk-new' 2>/dev/null); do say apk-new "$f"; done
fi
if [ -r /etc/passwd ]; then
	while IFS=: read -r u _ uid gid _; do
		say passwd "$u" "$uid" "$gid"
	done </etc/passwd
fi
for f in /bin/ls /bin/cat /usr/bin/env; do
	[ -L "$f" ] && say applet "$f" "$($bb readlink "$f")"
done
echo NBLAB-END

$bb sync
$bb poweroff -f
# Only reached if poweroff failed: PID 1 must not exit.
while :; do $bb sleep 3600; done
