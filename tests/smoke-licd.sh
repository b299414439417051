#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A quick end-to-end smoke run of licd for its developer (not part of
# tests/run.sh): keys, a root, a licence, orders and a status with
# licissue; licd --foreground with a temporary configuration; licctl
# import/status/query/explain/check/metrics/request/report/audit verify.
# Usage: bash tests/smoke-licd.sh [BUILD_DIR]   (exit 0 when all is well)
set -u
B=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/licd-smoke.XXXXXX)
chmod 755 "$T"
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 1
fail=0
step() { echo "== $*"; }
want() {	# want DESC CMD...: CMD must succeed
	local d=$1; shift
	if "$@"; then echo "ok - $d"; else echo "NOT OK - $d"; fail=$((fail + 1)); fi
}
ts() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
L=$B/licissue
C() { timeout 20 "$B/licctl" --socket "$T/run/licd.sock" "$@"; }

for k in mod mofa ops lic sta; do "$L" keygen --out $k >/dev/null || exit 1; done
"$L" root --ver 1 --iat "$(ts -86400)" --role root=mod.pub,mofa.pub:2 \
	--role licence=lic.pub --role order=mod.pub,mofa.pub,ops.pub:2 \
	--role status=sta.pub --key mod.key --key mofa.key >root.doc || exit 1
mkdir -p inbox
cat >licd.conf <<EOF
root = "$T/root.doc";
state_dir = "$T/state";
runtime_dir = "$T/run";
inbox = "$T/inbox";
purposes = "$SRC/policy/purposes.conf";
client_grace = "30s";
EOF
start() {
	"$B/licd" --config "$T/licd.conf" --foreground >>licd.log 2>&1 &
	PID=$!
	for _ in $(seq 50); do C metrics >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "licd did not start"; cat licd.log; exit 1
}
start
DEV=$("$B/licctl" --socket "$T/run/licd.sock" request | head -1 | cut -d. -f3 |
	tr '_-' '/+' | base64 -d 2>/dev/null | head -c -64 |
	python3 -c 'import json,sys; print(json.loads(sys.stdin.buffer.read())["device"])' 2>/dev/null)
[ -n "$DEV" ] || DEV=$(python3 - "$T/state/device.key" <<'PY'
import base64, hashlib, sys
sk = open(sys.argv[1]).read().strip()[len("k4.secret."):]
pk = base64.urlsafe_b64decode(sk + "==")[32:]
pub = "k4.public." + base64.urlsafe_b64encode(pk).decode().rstrip("=")
h = hashlib.blake2b(("k4.pid." + pub).encode(), digest_size=33).digest()
print("k4.pid." + base64.urlsafe_b64encode(h).decode().rstrip("="))
PY
)
step "device $DEV"
"$L" licence --lid IL-2026-0042 --iat "$(ts -600)" --vendor "Example Cyber Ltd" \
	--product interceptor --country XX --agency "NCTU" \
	--declaration "sha256:$(printf '%064d' 0)" --device "$DEV" \
	--purpose terrorism --purpose serious-crime \
	--feature sms.intercept:10 --feature geo.locate --max-age 72h \
	--ladder 0s:restricted:geo.locate --ladder 168h:suspended \
	--key lic.key >lic.doc || exit 1
"$L" status --lid IL-2026-0042 --device "$DEV" --seq 0 --iat "$(ts -60)" \
	--key sta.key >status0.doc || exit 1

step "import licence + status"
want "import licence and status: exit 0" C import lic.doc status0.doc
C status
want "active" sh -c "\"$B/licctl\" --socket $T/run/licd.sock status --json | grep -q '\"state\": \"active\"'"
want "query allowed" C query interceptor sms.intercept terrorism
want "query unknown purpose denied" sh -c "! \"$B/licctl\" --socket $T/run/licd.sock query interceptor sms.intercept espionage"
want "check OK" C check
step "import the same again: no-op"
want "no-op exit 0" C import lic.doc

step "restrict order 1 (2 of 3)"
"$L" order --lid IL-2026-0042 --seq 1 --action restrict --iat "$(ts -30)" \
	--keep geo.locate --purpose terrorism --limit geo.locate:2 \
	--reason "Breach" --ref DECA-2026-117 --key mod.key --key mofa.key >o1.doc
want "order accepted" C import o1.doc
C status
want "restricted" sh -c "\"$B/licctl\" --socket $T/run/licd.sock status --json | grep -q '\"state\": \"restricted\"'"
want "sms denied" sh -c "\"$B/licctl\" --socket $T/run/licd.sock query interceptor sms.intercept terrorism | grep -q 'denied disabled-by-order'"
C explain interceptor sms.intercept
C explain interceptor geo.locate
want "check WARNING (1)" sh -c "\"$B/licctl\" --socket $T/run/licd.sock check; [ \$? -eq 1 ]"

step "forged order (one signature)"
"$L" order --lid IL-2026-0042 --seq 2 --action reinstate --iat "$(ts -20)" \
	--reason "r" --ref X --key mod.key >o2bad.doc
C import o1.doc o2bad.doc; echo "exit $?"

step "pending suspend at nbf +4s via the inbox"
"$L" order --lid IL-2026-0042 --seq 2 --action suspend --iat "$(ts -10)" \
	--nbf "$(ts 4)" --reason "Suspension" --ref DECA-118 --key mod.key --key ops.key >o2.doc
cp o2.doc inbox/.o2.tmp && mv inbox/.o2.tmp inbox/o2.doc
sleep 1
want "inbox file processed" test -f inbox/processed/o2.doc
C status | grep -E "state|pending"
sleep 5
want "suspended at nbf without a poke" sh -c "\"$B/licctl\" --socket $T/run/licd.sock status --json | grep -q '\"state\": \"suspended\"'"
C status | head -8
want "check CRITICAL (2)" sh -c "\"$B/licctl\" --socket $T/run/licd.sock check; [ \$? -eq 2 ]"
ls state/outbox

step "restart: state persists"
kill "$PID"; wait "$PID"; PID=
start
want "still suspended after restart" sh -c "\"$B/licctl\" --socket $T/run/licd.sock status --json | grep -q '\"state\": \"suspended\"'"
step "metrics"
C metrics | grep -E "^licd_(licence_state|feature_allowed|documents|status_fresh)" | head -20
step "report"
C report | head -c 200; echo
step "audit verify"
want "audit verify" C audit verify
step "bad inbox file"
echo garbage >inbox/junk.doc
sleep 1
want "rejected file moved with reason" test -f inbox/rejected/junk.doc.reason
cat inbox/rejected/junk.doc.reason
kill "$PID"; wait "$PID"; PID=
echo "--- licd.log (tail)"; tail -15 licd.log
echo "$fail failed"
[ "$fail" -eq 0 ]
