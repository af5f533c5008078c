#!/bin/sh
# Each libFuzzer target briefly on its seed corpus (make fuzz-smoke), then
# the unit tests built with ASan+UBSan (make asan-tests), as TAP. A fuzzer
# whose source (fuzz/fuzz_NAME.c or its lib/ files) is missing, or a
# fuzz/fuzz_*.c not listed in fuzz/rules.mk, is a failure, not a skip; so
# is a missing clang or libFuzzer runtime (tests/setup installs clang and
# libclang-rt-14-dev).
cd "$(dirname "$0")/.." || exit 1

# An outer make's jobserver descriptors are not open here.
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed 's/--jobserver-[a-z]*=[^ ]*//g')
export MAKEFLAGS

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

diag_tail() {
	tail -n "${2:-40}" "$1" | sed 's/^/# /'
}

if ! make -s fuzz-list >"$tmp/list" 2>"$tmp/list.err"; then
	echo "1..1"
	echo "not ok 1 - make fuzz-list"
	diag_tail "$tmp/list.err"
	exit 1
fi
count=$(wc -l <"$tmp/list")
echo "1..$((count + 1))"

# Can clang link a libFuzzer target at all?
runtime=ok
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$tmp/probe.c"
if ! ${FUZZ_CC:-clang} -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" >"$tmp/probe.err" 2>&1; then
	runtime="${FUZZ_CC:-clang} cannot link -fsanitize=fuzzer,address,undefined (clang and libclang-rt-14-dev installed? tests/setup installs them)"
fi

n=0
failed=0
while read -r name missing; do
	n=$((n + 1))
	if [ -n "$missing" ]; then
		echo "not ok $n - $name smoke: $missing"
		failed=1
		continue
	fi
	if [ "$runtime" != ok ]; then
		echo "not ok $n - $name smoke"
		failed=1
		echo "# $runtime"
		diag_tail "$tmp/probe.err" 10
		continue
	fi
	start=$(date +%s)
	if make -s fuzz-smoke FUZZ_TARGETS="$name" >"$tmp/$name.log" 2>&1; then
		echo "ok $n - $name smoke ($(sed -n "s/^PASS $name: //p" "$tmp/$name.log"))"
	else
		failed=1
		echo "not ok $n - $name smoke (after $(($(date +%s) - start))s)"
		diag_tail "$tmp/$name.log"
	fi
done <"$tmp/list"

n=$((n + 1))
if make -s asan-tests >"$tmp/asan.log" 2>&1; then
	echo "ok $n - asan unit tests ($(grep -c '^out/asan/test_' "$tmp/asan.log") programs)"
else
	failed=1
	echo "not ok $n - asan unit tests"
	# the failing programs' lines and the sanitizer reports, then the summary
	grep -E 'not ok|Failed|ERROR|SUMMARY|runtime error|Dubious|^ *#[0-9]+ 0x' "$tmp/asan.log" |
		head -n 60 | sed 's/^/# /'
	diag_tail "$tmp/asan.log" 15
fi
exit $failed
