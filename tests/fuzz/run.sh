#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run each libFuzzer harness given for FUZZ_SECONDS from its seed corpus
# (tests/fuzz/corpus/<name>/); new inputs go to build-fuzz/corpus/<name>/.
set -eu
secs=${FUZZ_SECONDS:-60}
cd "$(dirname "$0")/../.."
for fz in "$@"; do
	name=$(basename "$fz")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	work=build-fuzz/corpus/${name#fuzz_}
	mkdir -p "$work" "$seeds"
	echo "== $name: ${secs}s"
	"$fz" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "$work" "$seeds" 2>&1 |
		grep -E '^(Done|stat::number_of_executed_units|==[0-9]+==|SUMMARY|INFO: Running|.*ERROR)' || true
	test "${PIPESTATUS[0]}" -eq 0
done
