#!/bin/sh
# Run libFuzzer targets: fuzz/run.sh smoke|long OUTDIR NAME...
#   smoke: each for FUZZ_SMOKE_RUNS inputs or FUZZ_SMOKE_TIME seconds,
#          whichever comes first, with seed FUZZ_SMOKE_SEED, on a scratch
#          corpus plus fuzz/corpus/NAME;
#   long:  each for FUZZ_TIME seconds, keeping what it finds in
#          OUTDIR/corpus/NAME for the next run.
# Crashing inputs land in OUTDIR/crashes/NAME-*, logs in OUTDIR/logs/.
# Prints one PASS/FAIL line per fuzzer; exits 1 when any failed.
set -u
mode=$1 out=$2
shift 2
case $mode in
smoke|long) ;;
*) echo "usage: $0 smoke|long OUTDIR NAME..." >&2; exit 2 ;;
esac
failed=0
mkdir -p "$out/logs" "$out/crashes"
for name; do
	bin=$out/fuzz_$name
	log=$out/logs/$name.$mode.log
	if [ "$mode" = smoke ]; then
		work=$out/work/$name
		rm -rf "$work"
		# a fixed seed: make check should not fail by chance (0: random)
		limits="-runs=${FUZZ_SMOKE_RUNS:-10000} -max_total_time=${FUZZ_SMOKE_TIME:-6}"
		limits="$limits -timeout=10 -seed=${FUZZ_SMOKE_SEED:-1}"
	else
		work=$out/corpus/$name
		limits="-max_total_time=${FUZZ_TIME:-600} -timeout=25"
	fi
	mkdir -p "$work"
	dirs=$work
	[ -d "fuzz/corpus/$name" ] && dirs="$dirs fuzz/corpus/$name"
	[ "$name" = extract ] && [ -d tests/corpus ] && dirs="$dirs tests/corpus"
	dict=
	[ -f "fuzz/dict/$name.dict" ] && dict=-dict=fuzz/dict/$name.dict
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" $limits -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$name-" $dict ${FUZZ_ARGS:-} $dirs >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name: ${execs:-?} inputs in ${secs}s"
		continue
	fi
	failed=1
	echo "FAIL $name: exit $rc after ${secs}s (log: $log)"
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
	[ -n "$crash" ] && echo "  input saved as $crash; replay: $bin $crash"
	# the harness's own words, the sanitizer's, and the frames in our code
	grep -E '^fuzz: |ERROR|SUMMARY|runtime error|#[0-9]+ 0x.* (lib|init|fuzz)/[a-z_]+\.[ch]:' "$log" |
		head -n 30 | sed 's/^/  /'
done
exit $failed
