#!/usr/bin/env bash
# Fuzzes the shim's pure parts (ffi/bits_pure.c) on Linux: every fuzz/*_fuzz.c
# is built with clang as a libFuzzer target with AddressSanitizer and
# UndefinedBehaviorSanitizer, then run for a bounded time on its committed
# corpus (fuzz/corpus/<target>/). Any crash, sanitizer report or broken
# invariant fails the run; the input that did it is kept under
# .out/fuzz/<target>/ and named in the report.
#
#   bash scripts/fuzz.sh                 # every target, FUZZ_SECONDS each
#   bash scripts/fuzz.sh utf16 records   # some targets (names without _fuzz)
#   bash scripts/fuzz.sh --grow          # a campaign: afterwards the new inputs
#                                        # are merged into fuzz/corpus/ (minimised)
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 30)
#   FUZZ_JOBS     targets run at once (default: the number of cores, at most 4)
#   FUZZ_JUNIT    also write a JUnit report there, one test case per target
#                 (scripts/test.ts counts it into the suite's total)
#
# Installs clang and libFuzzer's runtime with apt-get when they are missing
# (Debian 12: clang-14, libclang-rt-14-dev), which needs root.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
OUT=.out/fuzz
GROW=
TARGETS=()
for arg in "$@"; do
	case $arg in
	--grow) GROW=1 ;;
	-*)
		echo "usage: fuzz.sh [--grow] [target...]" >&2
		exit 2
		;;
	*) TARGETS+=("${arg%_fuzz}") ;;
	esac
done
if [ ${#TARGETS[@]} -eq 0 ]; then
	for source in fuzz/*_fuzz.c; do
		name=$(basename "$source" _fuzz.c)
		TARGETS+=("$name")
	done
fi
case $SECONDS_PER_TARGET in
'' | *[!0-9]*)
	echo "fuzz: FUZZ_SECONDS must be a whole number of seconds, got '$SECONDS_PER_TARGET'" >&2
	exit 2
	;;
esac

log() { echo "fuzz: $*" >&2; }

# ---- The compiler --------------------------------------------------------

# clang with libFuzzer's runtime: the versioned Debian 12 name first.
find_clang() {
	local cc
	for cc in clang-14 clang; do
		if command -v "$cc" >/dev/null &&
			echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; return (int)n * 0; }' |
			"$cc" -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
			echo "$cc"
			return 0
		fi
	done
	return 1
}

CLANG=$(find_clang) || {
	log "installing clang-14 and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes)"
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: install them yourself (apt-get install clang-14 libclang-rt-14-dev)"
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		clang-14 libclang-rt-14-dev >&2
	CLANG=$(find_clang) || {
		log "clang with libFuzzer still not usable after the install"
		exit 1
	}
}

FLAGS=(-std=c11 -g -O1 -Wall -Wextra -Werror
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

mkdir -p "$OUT/bin"

# ---- One target ------------------------------------------------------------

# Builds, runs and (with --grow) merges one target; writes its outcome to
# $OUT/<name>/result as "status<TAB>message".
fuzz_target() {
	local name=$1
	local dir=$OUT/$name
	local bin=$OUT/bin/${name}_fuzz
	local corpus=fuzz/corpus/$name
	local status=passed message execs seeds crash
	rm -rf "$dir"
	mkdir -p "$dir/new" "$corpus"
	if ! "$CLANG" "${FLAGS[@]}" -o "$bin" "fuzz/${name}_fuzz.c" ffi/bits_pure.c \
		>"$dir/build.log" 2>&1; then
		printf 'failed\t%s\n' "does not build: $(head -c 2000 "$dir/build.log")" >"$dir/result"
		return
	fi
	seeds=$(find "$corpus" -type f | wc -l)
	# New inputs go to $dir/new; the committed corpus is only read.
	if "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/" "$dir/new" "$corpus" \
		>"$dir/fuzz.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
		message="${SECONDS_PER_TARGET} s, ${execs:-?} executions, corpus ${seeds} committed + $(find "$dir/new" -type f | wc -l) new"
	else
		status=failed
		crash=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | head -1)
		message="crashed (input: ${crash:-none kept}, log: $dir/fuzz.log): $(grep -m1 -E 'ERROR|invariant broken|runtime error' "$dir/fuzz.log" || tail -1 "$dir/fuzz.log")"
	fi
	if [ -n "$GROW" ] && [ "$status" = passed ]; then
		# A minimal set covering the edges the old corpus and the new inputs
		# cover (edges only, not hit counts: the committed corpus stays small,
		# and each run regrows the rest in seconds).
		rm -rf "$dir/merged"
		mkdir -p "$dir/merged"
		if "$bin" -merge=1 -use_counters=0 -use_value_profile=0 "$dir/merged" "$corpus" "$dir/new" \
			>"$dir/merge.log" 2>&1 && [ -n "$(ls -A "$dir/merged")" ]; then
			rm -rf "$corpus"
			mv "$dir/merged" "$corpus"
			message="$message; corpus merged to $(find "$corpus" -type f | wc -l) files"
		else
			status=failed
			message="$message; the merge failed (log: $dir/merge.log), corpus left as it was"
		fi
	fi
	printf '%s\t%s\n' "$status" "$message" >"$dir/result"
}

JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
[ "$JOBS" -le 4 ] || JOBS=4

log "$CLANG; ${#TARGETS[@]} targets (${TARGETS[*]}), ${SECONDS_PER_TARGET} s each, $JOBS at a time"
started=$(date +%s)
running=0
for name in "${TARGETS[@]}"; do
	if [ ! -f "fuzz/${name}_fuzz.c" ]; then
		mkdir -p "$OUT/$name"
		printf 'failed\t%s\n' "no such target: fuzz/${name}_fuzz.c" >"$OUT/$name/result"
		continue
	fi
	fuzz_target "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait

# ---- Report ----------------------------------------------------------------

xml_escape() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

passed=0
failed=0
cases=
for name in "${TARGETS[@]}"; do
	IFS=$'\t' read -r status message <"$OUT/$name/result" || {
		status=failed
		message="no result"
	}
	log "${name}_fuzz: $status: $message"
	escaped=$(printf '%s' "$message" | xml_escape)
	if [ "$status" = passed ]; then
		passed=$((passed + 1))
		cases+="  <testcase classname=\"fuzz\" name=\"${name}_fuzz\" time=\"$SECONDS_PER_TARGET\"><system-out>$escaped</system-out></testcase>"$'\n'
	else
		failed=$((failed + 1))
		cases+="  <testcase classname=\"fuzz\" name=\"${name}_fuzz\"><failure message=\"$escaped\"/></testcase>"$'\n'
	fi
done
log "$passed targets clean, $failed crashed, in $(($(date +%s) - started)) s"

if [ -n "${FUZZ_JUNIT:-}" ]; then
	mkdir -p "$(dirname "$FUZZ_JUNIT")"
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<testsuites name=\"fuzz\" tests=\"$((passed + failed))\" failures=\"$failed\">"
		echo "<testsuite name=\"fuzz\" tests=\"$((passed + failed))\" failures=\"$failed\">"
		printf '%s' "$cases"
		echo '</testsuite>'
		echo '</testsuites>'
	} >"$FUZZ_JUNIT"
fi
[ "$failed" -eq 0 ]
