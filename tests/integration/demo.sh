#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo` must keep working: run examples/demo.sh without pauses and
# check that each narrated step happened.
set -u
src=${LICD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
LICD_DEMO_PAUSE=0 timeout 120 bash "$src/examples/demo.sh" >"$out" 2>&1
rc=$?
fails=0
t() { if grep -q -- "$2" "$out"; then echo "ok - demo: $1"; else echo "not ok - demo: $1"; fails=1; fi; }
[ $rc -eq 0 ] && echo "ok - demo exits 0" || { echo "not ok - demo exits 0 (rc $rc)"; fails=1; }
t "licence accepted" "licence.doc: accepted"
t "product starts with every feature" "\[product\] sms.intercept: allowed"
t "draft order previews below threshold" "1 of 2 signatures: threshold not met"
t "co-signed restrict revokes the product's lease" "lease 1 revoked (disabled-by-order)"
t "restricted state shown" "licence IL-2026-0042: restricted"
t "single ministry refused" "forged.doc: threshold"
t "suspend stops the product" "licence suspended: stopping"
t "product exits" "the product has exited"
t "audit log verifies" "audit.log: [0-9]* lines"
[ $fails -eq 0 ] || sed 's/^/#   /' "$out" | tail -40
exit $fails
