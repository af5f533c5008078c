# Sourced by the shell tests (tests/*.t) after they set $tmp.
#   check DESCRIPTION CONDITION   one TAP line for the shell CONDITION (eval'd
#                                 in the caller); on failure the condition and
#                                 what $tmp/err and $tmp/out hold, as diagnostics
#   tap_clear=1                   empty $tmp/err and $tmp/out after every check
#   tap_done                      the plan line; fails when a check failed
#   need_kernel                   skip the whole test without the Debian kernel
#                                 tests/setup unpacks; sets $kernel and $kver
#   need_tools TOOL...            skip it without one of the TOOLs
#   need_file FILE WHY            skip it without FILE (WHY: how to get it)
# shellcheck shell=sh
n=0
failed=0
tap_clear=${tap_clear:-0}

check() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "#   failed: $2"
		failed=$((failed + 1))
		[ -s "$tmp/err" ] && sed 's/^/#   stderr: /' "$tmp/err"
		[ -s "$tmp/out" ] && sed 's/^/#   stdout: /' "$tmp/out"
	fi
	if [ "$tap_clear" = 1 ]; then
		: >"$tmp/err"
		: >"$tmp/out"
	fi
	return 0
}

tap_done() {
	echo "1..$n"
	[ "$failed" = 0 ]
}

need_kernel() {
	kernel=${NBINIT_KERNEL_DIR:-out/kernel}
	if [ ! -f "$kernel/kver" ] || [ ! -d "$kernel/root/lib/modules" ]; then
		echo "1..0 # SKIP no Debian kernel in $kernel (tests/setup unpacks one)"
		exit 0
	fi
	kver=$(cat "$kernel/kver")
}

need_tools() {
	for tool; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "1..0 # SKIP $tool is not installed (tests/setup installs it)"
			exit 0
		fi
	done
}

need_file() {
	if [ ! -f "$1" ]; then
		echo "1..0 # SKIP no $1 ($2)"
		exit 0
	fi
}
