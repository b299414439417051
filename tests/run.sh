#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every test of the suite and end with one line "N passed, N failed".
#  - cmocka binaries in $O/tests/{unit,vectors}: counts from their summary
#    (cmocka prints it on stderr, so both streams are captured);
#  - shell tests in tests/{integration,interop,system}/*.sh: one line per
#    case, "ok - name", "not ok - name" or "skip - name";
#  - fuzz smoke: each libFuzzer harness for FUZZ_SMOKE_SECONDS when clang
#    is present.
# Logs go to $O/test-logs/. Exit status 1 when anything failed.
set -u
cd "$(dirname "$0")/.."
O=${O:-build}
export LICD_SRC=$PWD
export LICD_BUILD=$PWD/$O
logs=$O/test-logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0
failures=()

run_cmocka() {
	local bin=$1 name log p f
	name=${bin#"$O"/tests/}
	log=$logs/${name//\//_}.log
	timeout 600 "$bin" >"$log" 2>&1
	local rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or died before its summary
	fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures+=("$name (see $log)")
		printf '%-40s %4d passed, %d FAILED\n' "$name" "$p" "$f"
		grep -E '^\[  (FAILED|  ERROR) \]|^\[  ERROR   \]|error:|ERROR' "$log" | head -20
	else
		printf '%-40s %4d passed\n' "$name" "$p"
	fi
}

run_script() {
	local sh=$1 name log p f s
	name=${sh#tests/}
	log=$logs/${name//\//_}.log
	timeout 1200 bash "$sh" >"$log" 2>&1
	local rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	s=$(grep -c '^skip ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		failures+=("$name (see $log)")
		printf '%-40s %4d passed, %d FAILED\n' "$name" "$p" "$f"
		grep '^not ok ' "$log" | head -20
		tail -5 "$log"
	else
		printf '%-40s %4d passed%s\n' "$name" "$p" \
			"$([ "$s" -gt 0 ] && echo ", $s SKIPPED")"
	fi
	grep '^skip ' "$log" | sed 's/^/    /'
}

for bin in $(ls "$O"/tests/unit/* "$O"/tests/vectors/* 2>/dev/null | grep -v '\.d$' | sort); do
	[ -x "$bin" ] && [ -f "$bin" ] && run_cmocka "$bin"
done
for sh in $(ls tests/integration/*.sh tests/interop/*.sh tests/system/*.sh 2>/dev/null | sort); do
	[ "$(basename "$sh")" = lib.sh ] && continue	# sourced helpers
	run_script "$sh"
done

# Fuzz smoke: only in the plain build (the harnesses carry their own ASan).
if [ "${LICD_NO_FUZZ:-0}" != 1 ] && [ "$O" = build ] && command -v clang >/dev/null; then
	secs=${FUZZ_SMOKE_SECONDS:-10}
	if make --no-print-directory -s fuzz-build >"$logs/fuzz-build.log" 2>&1; then
		for fz in build-fuzz/fuzz_*; do
			[ -x "$fz" ] || continue
			name=${fz#build-fuzz/}
			if FUZZ_SECONDS=$secs bash tests/fuzz/run.sh "$fz" >"$logs/$name.log" 2>&1; then
				passed=$((passed + 1))
				printf '%-40s    1 passed (%s)\n' "fuzz-smoke/$name" \
					"$(grep -o 'Done [0-9]* runs' "$logs/$name.log" | tail -1)"
			else
				failed=$((failed + 1)); failures+=("fuzz-smoke/$name (see $logs/$name.log)")
				printf '%-40s    1 FAILED\n' "fuzz-smoke/$name"
				tail -20 "$logs/$name.log"
			fi
		done
	else
		failed=$((failed + 1)); failures+=("fuzz build (see $logs/fuzz-build.log)")
		tail -20 "$logs/fuzz-build.log"
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
