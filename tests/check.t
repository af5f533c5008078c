#!/bin/sh
# out/init --check, as an admin runs it before a fleet reboots: the exit
# status (0, 1 on an error, with --strict 1 on a warning), --help, the
# warnings, and the values it prints for what the boot will use. TAP, for
# prove. (The warnings themselves are table rows in test_init_options.)
# shellcheck disable=SC2016,SC2034 # conditions single-quoted for eval, which reads rc
cd "$(dirname "$0")/.." || exit 1
init=out/init
[ -x "$init" ] || { echo "1..0 # SKIP no out/init (run make)"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. tests/tap.sh
run() {
	"$init" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
line() {
	grep -qxF -- "$1" "$tmp/out"
}

run --help
check "--help exits 0 and prints the usage on stdout" \
	'[ "$rc" = 0 ] && grep -q "^usage: .*--check \[--strict\] " "$tmp/out" && [ ! -s "$tmp/err" ]'
run
check "no arguments: the usage on stderr, exit 2" '[ "$rc" = 2 ] && grep -q "^usage: " "$tmp/err"'

run --check 'console=ttyS0 ip=10.0.2.15::10.0.2.2:255.255.255.0:nbstatic:eth0:off:10.0.2.3 modules=e1000,vfat pkgs=vim,htop apkovl="http://10.0.2.2/{MAC}.apkovl.tar.gz" nbinit.onfail=reboot:30'
check "a clean command line: exit 0, no warning" '[ "$rc" = 0 ] && ! grep -q "^warning: " "$tmp/out"'
check "it prints the static address, netmask, gateway, name server and host name" \
	'line "network: static ip=" && line "  address: 10.0.2.15" && line "  netmask: 255.255.255.0" &&
	 line "  gateway: 10.0.2.2" && line "  name server: 10.0.2.3" && line "  hostname: nbstatic" &&
	 line "interface: eth0 (ip=)"'
check "... the modules, the packages, the overlay and the reboot delay" \
	'line "modules: e1000,vfat" && line "packages: alpine-base, the overlay'"'"'s /etc/apk/world, vim,htop" &&
	 line "overlay: GET http://10.0.2.2/{MAC}.apkovl.tar.gz" && line "on failure: reboot after 30 s (nbinit.onfail)"'
check "... and the timeouts" \
	'grep -q "^HTTP: timeout 10 s, whole request [0-9]* s$" "$tmp/out" && line "waits: block device 10 s, NFS mount 30 s" &&
	 line "  script timeout: 60 s"'
run --check 'ip=dhcp panic=10 apkovl=http://x/{MAC}.tar.gz'
check "panic=10: the reboot delay" 'line "on failure: exit so the kernel reboots after 10 s (panic=10)"'

cl='ip=dhcp apkvol=http://x/a.tar.gz nbinit.linkwait=5 alpine_repo=http://x/v3.20/main/x86_64 apkovl="http://x/{mac}.tar.gz"'
run --check "$cl"
check "warnings: exit 0 without --strict, each with 'did you mean'" \
	'[ "$rc" = 0 ] && line "warning: cmdline: apkvol=: unknown option, ignored; did you mean apkovl=?" &&
	 line "warning: cmdline: nbinit.linkwait=: unknown option, ignored; did you mean nbinit.link_wait=?" &&
	 grep -q "^warning: cmdline: apkovl=http://x/{mac}.tar.gz: unknown placeholder {mac}, left as it is; did you mean {MAC}?$" "$tmp/out" &&
	 line "4 warnings"'
check "alpine_repo=.../main/x86_64 is used as .../main, and said so" \
	'line "repositories: http://x/v3.20/main" && grep -q "^warning: cmdline: alpine_repo=http://x/v3.20/main/x86_64: ends in the architecture" "$tmp/out"'
run --check --strict "$cl"
check "--strict: a warning gives exit 1" '[ "$rc" = 1 ] && line "4 warnings (--strict: exit 1)"'
run --strict --check 'ip=dhcp'
check "--strict without warnings: exit 0" '[ "$rc" = 0 ]'
run --check 'ip=dhcp apkovl="http://x/{MAC}.tar.gz panic=10'
check "an unclosed quote is named, with the error it causes (exit 1)" \
	'[ "$rc" = 1 ] && grep -q "^warning: cmdline: apkovl=: the .\". opened there is never closed" "$tmp/out" &&
	 grep -q "^nbinit: cmdline: apkovl=http://x/{MAC}.tar.gz panic=10: not a valid URL" "$tmp/err"'
run --check 'nbinit.link_wait=soon'
check "an error: exit 1, one line naming the option" \
	'[ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^nbinit: cmdline: nbinit.link_wait=soon: " "$tmp/err"'

tap_done
