#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make demo: the whole of licd in one run, narrated for a newcomer. Two
# ministries make keys and a root of trust, issue a licence for this
# machine, licd enforces it, a vendor's product (examples/interceptor)
# uses it, then the ministries co-sign an order that restricts the product
# and one that suspends it. Needs no systemd and no network; everything
# lives in a temporary directory removed at the end.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
B=${LICD_BUILD:-$src/build}
B=$(cd "$B" && pwd)
for p in licd licctl licissue examples/interceptor; do
	[ -x "$B/$p" ] || { echo "demo: $B/$p is not built (run make)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/licd-demo.XXXXXX)
licd_pid= app_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
	[ -n "$licd_pid" ] && kill "$licd_pid" 2>/dev/null
	wait 2>/dev/null
	[ "${LICD_DEMO_KEEP:-0}" = 1 ] && echo "(kept $T)" || rm -rf "$T"
}
trap cleanup EXIT INT TERM
cd "$T"

b=$(tput bold 2>/dev/null || true) n=$(tput sgr0 2>/dev/null || true)
step=0
say() { step=$((step + 1)); printf '\n%s%d. %s%s\n' "$b" "$step" "$*" "$n"; sleep "${LICD_DEMO_PAUSE:-0.5}"; }
run() { printf '   $ %s\n' "$*"; "$@" 2>&1 | sed 's/^/     /'; return "${PIPESTATUS[0]}"; }
# to FILE CMD...: show the command, its output goes to FILE.
to() {
	local f=$1
	shift
	printf '   $ %s > %s\n' "$*" "$f"
	"$@" >"$f" 2>"$f.err" || { sed 's/^/     /' "$f.err"; return 1; }
}
li() { "$B/licissue" "$@"; }
ctl() { "$B/licctl" --socket "$T/run/licd.sock" "$@"; }
state() {
	ctl status --json | python3 "$T/state.py"
}
cat >"$T/state.py" <<'PY'
import json, sys
d = json.load(sys.stdin)
for l in d["licences"]:
    print("     licence %s: %s" % (l["lid"], l["state"]))
    for f, v in l["features"].items():
        if v["allowed"]:
            extra = " for " + ", ".join(v["purposes"])
            if "max_concurrent" in v:
                extra += ", at most %d at once" % v["max_concurrent"]
            print("       %s: allowed%s" % (f, extra))
        else:
            print("       %s: denied (%s)" % (f, v["reason"]))
PY
app_log() { sed -n "$((${1}+1)),\$p" app.log | sed 's/^/     [product] /'; }
wait_app() {	# wait until the product's log has a line matching $1
	local i
	for i in $(seq 100); do grep -q "$1" app.log && return 0; sleep 0.05; done
	return 1
}

say "Two ministries (Defence and Foreign Affairs) and a trade ministry each make a signing key; a licensing office and an online status service get theirs."
for k in defence foreign trade licensing status; do
	li keygen --out "$k" >"$k.pid" || exit 1
	printf '   %-10s %s\n' "$k" "$(cat "$k.pid")"
done

say "They sign the root of trust: both ministries must sign a new root; any 2 of the 3 ministries may sign an order."
kid() { cat "$1.pid"; }
to root.doc li root --ver 1 --ttl 365d \
	--key-entry defence.pub:"Ministry of Defence, export control" \
	--key-entry foreign.pub:"Ministry of Foreign Affairs, export control" \
	--key-entry trade.pub:"Ministry of Trade" \
	--key-entry licensing.pub:"Licensing office" \
	--key-entry status.pub:"Status service" \
	--role "root=$(kid defence),$(kid foreign):2" --role "licence=$(kid licensing)" \
	--role "order=$(kid defence),$(kid foreign),$(kid trade):2" \
	--role "status=$(kid status)" --key defence.key --key foreign.key
echo "     root.doc: $(grep -c '^v4' root.doc) signatures"

say "The delivered system runs licd (here in the foreground, in a scratch directory)."
mkdir -p state run inbox
cat >licd.conf <<CONF
root = "$T/root.doc";
state_dir = "$T/state";
runtime_dir = "$T/run";
inbox = "$T/inbox";
purposes = "$src/policy/purposes.conf";
client_grace = "30s";
CONF
"$B/licd" --config licd.conf --foreground >licd.log 2>&1 &
licd_pid=$!
for i in $(seq 100); do [ -S run/licd.sock ] && break; sleep 0.05; done
[ -S run/licd.sock ] || { echo "demo: licd did not start:"; cat licd.log; exit 1; }
echo "     licd is running (pid $licd_pid); it made this machine's device key."
ctl request >request.doc
dev=$(python3 -c '
import sys, base64, json
tok = open("request.doc").read().split()[0]
body = tok.split(".")[2]
msg = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))[:-64]
print(json.loads(msg)["device"])')
echo "     licctl request: the activation request names device $dev"

say "The licensing office issues a licence bound to this device: three features, for terrorism and serious crime only."
echo "End-user declaration of the National Counter-Terrorism Unit" >declaration.txt
to licence.doc li licence --lid IL-2026-0042 --ttl 365d --vendor "Example Cyber Ltd" \
	--product interceptor --country XX --agency "National Counter-Terrorism Unit" \
	--declaration declaration.txt --device "$dev" \
	--purpose terrorism --purpose serious-crime \
	--feature sms.intercept:10 --feature geo.locate --feature voice.record:4 \
	--max-age 72h --ladder 0s:restricted:geo.locate --ladder 168h:suspended \
	--key licensing.key
to status0.doc li status --lid IL-2026-0042 --device "$dev" --seq 0 --ttl 24h --key status.key
run ctl import licence.doc status0.doc
state

say "The vendor's product starts; it asks liblicd before every use (a check costs nanoseconds: no system call)."
"$B/examples/interceptor" --watch 120 --runtime-dir "$T/run" --purpose terrorism --case CASE-17 >app.log 2>&1 &
app_pid=$!
wait_app . ; sleep 0.3
app_log 0
seen=$(wc -l <app.log)

say "A breach is reported. The Ministry of Defence drafts a restriction: only geo.locate, only for terrorism, at most 2 at once. Before co-signing, it previews the effect."
to order1-draft.doc li order --lid IL-2026-0042 --seq 1 --action restrict --keep geo.locate \
	--purpose terrorism --limit geo.locate:2 \
	--reason "Breach of end-use declaration, clause 4" --ref DECA-2026-117 \
	--key defence.key
run li preview --root root.doc --licence licence.doc --status status0.doc \
	--order order1-draft.doc --purposes "$src/policy/purposes.conf" | head -20
say "The Ministry of Foreign Affairs co-signs: 2 of 3. licd takes the order; the product loses sms.intercept at once."
to order1.doc li cosign --key foreign.key order1-draft.doc
run ctl import order1.doc
wait_app "sms.intercept" ; sleep 0.3
app_log "$seen"; seen=$(wc -l <app.log)
state

say "Cutting the network would not help: a status heartbeat names order 1, so a device that never got it is not fresh and falls down its ladder."
to status1.doc li status --lid IL-2026-0042 --device "$dev" --seq 1 --ttl 24h --key status.key
run ctl import status1.doc

say "Replaying an old document changes nothing; a single ministry cannot act alone."
to forged.doc li order --lid IL-2026-0042 --seq 2 --action reinstate --reason "forged" --ref X --key trade.key
run ctl import forged.doc root.doc

say "The end user keeps breaching. Both ministries sign a suspension: the product is told at once and stops."
to order2.doc li order --lid IL-2026-0042 --seq 2 --action suspend \
	--reason "Continued breach; system disconnected" --ref DECA-2026-131 \
	--key defence.key --key foreign.key
run ctl import order2.doc
for i in $(seq 60); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.05; done
app_log "$seen"
if kill -0 "$app_pid" 2>/dev/null; then echo "     (the product is still running)"; else echo "     the product has exited"; app_pid=; fi
state

say "The regulator gets signed receipts proving each step was enforced, and the audit log is hash-chained."
ls state/outbox | sed 's/^/     /' | tail -8
run ctl audit verify
run ctl check

say "Done. Read doc/OPERATIONS.md, doc/POLICY.md and doc/PROTOCOL.md for more."
