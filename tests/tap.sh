# Sourced by the shell tests (tests/*.t) after they set $tmp.
#   check DESCRIPTION CONDITION   one TAP line for the shell CONDITION (eval'd
#                                 in the caller); on failure the condition and
#                                 what $tmp/err and $tmp/out hold, as diagnostics
#   tap_clear=1                   empty $tmp/err and $tmp/out after every check
#   tap_done                      the plan line; fails when a check failed
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
