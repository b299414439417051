#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# liblicd's unit tests and the example product under valgrind memcheck:
# no invalid access, no uninitialised use, no leak (--leak-check=full
# --error-exitcode=1), in the parent and in every forked child. The
# tests run with LICD_TEST_QUICK=1 (fewer thread iterations: valgrind
# serialises threads). Skipped without valgrind, and in sanitizer
# builds (valgrind and ASan do not mix).
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
set -u
B=${LICD_BUILD:-./build}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "not ok - build directory $B"; exit 1; }
LIB=$B/liblicd.so.1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0

export LICD_UNDER_VALGRIND=1
if ! command -v valgrind >/dev/null; then
	echo "skip - valgrind is not installed (make deps installs it)"
	exit 0
fi
if [ ! -f "$LIB" ]; then
	echo "not ok - $LIB is built"
	exit 1
fi
if nm -D --undefined-only "$LIB" 2>/dev/null | grep -q __asan_; then
	echo "skip - valgrind in a sanitizer build ($B): ASan checks it there"
	exit 0
fi

VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99
    --track-fds=no --child-silent-after-fork=no)

# vg NAME CMD...: the case passes when CMD exits 0 under valgrind and
# valgrind reported nothing.
vg() {
	local name=$1 log rc
	shift
	log=$T/$(basename "$1").log
	LICD_TEST_QUICK=1 timeout 900 "${VG[@]}" "$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q '^==[0-9]*== ' "$log"; then
		echo "ok - $name"
	else
		echo "not ok - $name (exit $rc)"
		grep -E '^==[0-9]+==|FAILED|ERROR' "$log" | head -30 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

n=0
for t in "$B"/tests/unit/test_liblicd*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case $t in *.d) continue ;; esac
	vg "valgrind: $(basename "$t")" "$t"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "not ok - liblicd unit tests are built"; failed=1; }
if [ -x "$B/examples/interceptor" ]; then
	vg "valgrind: examples/interceptor --once (no licd)" \
		"$B/examples/interceptor" --once --runtime-dir "$T/none"
fi

[ "$failed" -eq 0 ]
