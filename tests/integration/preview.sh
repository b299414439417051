#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# licissue preview end to end: a ministry builds keys, a root, a licence
# and a status with licissue, drafts a restrict order with one of the two
# signatures it needs, and previews what it would remove before co-signing.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
set -u
B=${LICD_BUILD:-./build}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "not ok - build directory $B"; exit 1; }
SRC=${LICD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
L=$B/licissue
if [ ! -x "$L" ]; then
	echo "not ok - $L is built"
	exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failed=0

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }

AT=2026-01-02T01:00:00Z
DECL=sha256:$(printf '%064d' 0)
P=(--purposes "$SRC/policy/purposes.conf")

for k in mod mofa ops lic sta dev; do
	"$L" keygen --out $k >$k.kid 2>/dev/null || nok "keygen $k"
done
"$L" root --ver 1 --iat 2026-01-01T00:00:00Z \
	--role root=mod.pub,mofa.pub:2 --role licence=lic.pub \
	--role order=mod.pub,mofa.pub,ops.pub:2 --role status=sta.pub \
	--key mod.key --key mofa.key >root.doc 2>err.txt || nok "root"
licence() {	# licence FILE [extra options]
	local f=$1
	shift
	"$L" licence --lid IL-2026-0042 --iat 2026-01-01T00:00:00Z \
		--vendor "Example Cyber Ltd" --product interceptor \
		--country XX --agency "National Counter-Terrorism Unit" \
		--declaration "$DECL" --device "$(cat dev.kid)" \
		--feature sms.intercept:10 --feature geo.locate \
		--max-age 72h --ladder 0s:restricted:geo.locate \
		--ladder 168h:suspended --key lic.key "$@" >"$f" 2>err.txt ||
		nok "licence $f"
}
licence lic.doc --purpose terrorism --purpose serious-crime
licence bad-lic.doc --purpose terrorism --purpose espionage
"$L" order --lid IL-2026-0042 --seq 1 --action restrict \
	--iat 2026-01-02T00:00:00Z --keep geo.locate --purpose terrorism \
	--limit geo.locate:2 --reason "Breach of end-use declaration" \
	--ref DECA-2026-117 --key mod.key >draft.doc 2>err.txt || nok "order"
"$L" status --lid IL-2026-0042 --device "$(cat dev.kid)" --seq 1 \
	--iat 2026-01-02T00:00:00Z --key sta.key >status.doc 2>err.txt ||
	nok "status"
"$L" status --lid IL-2026-0042 --device "$(cat dev.kid)" --seq 0 \
	--iat 2026-01-01T00:00:00Z --key sta.key >status0.doc 2>err.txt ||
	nok "status seq 0"

# preview NAME WANT_RC ARGS...: run preview, output in out.txt.
preview() {
	local name=$1 want=$2 rc
	shift 2
	"$L" preview "${P[@]}" "$@" >out.txt 2>err.txt
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		nok "$name (exit $rc, wanted $want)"
		sed 's/^/#   /' err.txt out.txt | head -20
		return 1
	fi
	return 0
}
has() {	# has NAME PATTERN: out.txt contains the line pattern
	if grep -qE "$2" out.txt; then ok "$1"; else
		nok "$1"
		sed 's/^/#   /' out.txt | head -30
	fi
}
hasnt() {
	if grep -qE "$2" out.txt; then
		nok "$1"
		sed 's/^/#   /' out.txt | head -30
	else ok "$1"; fi
}

if preview "licence and status alone" 0 --root root.doc --licence lic.doc \
	--status status0.doc --at 2026-01-01T12:00:00Z; then
	has "licence and status alone: active" '^state: active$'
	has "licence and status alone: nothing removed" \
		'^removed by the orders: nothing$'
fi

if preview "draft order previews with one signature" 0 --root root.doc \
	--licence lic.doc --order draft.doc --status status.doc --at "$AT"; then
	has "draft order: state restricted by the order" \
		'^state: restricted \(order\)$'
	has "draft order: sms.intercept disabled by the order" \
		'^  sms.intercept +denied: disabled-by-order \(order seq 1\)$'
	has "draft order: geo.locate kept for terrorism at 2" \
		'^  geo.locate +allowed for terrorism; at most 2 at once$'
	has "draft order: removes feature sms.intercept" \
		'^  feature sms.intercept$'
	has "draft order: removes purpose serious-crime of geo.locate" \
		'^  purpose serious-crime of geo.locate$'
	has "draft order: threshold not met" \
		'^  order draft.doc: accepted; 1 of 2 signatures: threshold not met$'
fi

if preview "draft order --json" 0 --root root.doc --licence lic.doc \
	--order draft.doc --status status.doc --at "$AT" --json; then
	if ! command -v python3 >/dev/null; then
		echo "skip - draft order --json: schema (no python3)"
	elif python3 - out.txt <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema_version"] == 1 and j["time"]["effective"] == "2026-01-02T01:00:00Z"
assert j["root"] == {"ver": 1, "exp": "2027-01-01T00:00:00Z", "pinned": False}
[l] = j["licences"]
assert list(l) == ["lid", "ver", "product", "state", "reasons", "order",
                   "pending", "status", "features"], list(l)
assert l["state"] == "restricted" and l["reasons"] == ["order"]
assert l["order"] == {"seq": 1, "action": "restrict", "ref": "DECA-2026-117"}
assert l["status"]["fresh"] is True and l["status"]["seq"] == 1
assert l["features"] == {
    "sms.intercept": {"allowed": False, "reason": "disabled-by-order"},
    "geo.locate": {"allowed": True, "purposes": ["terrorism"],
                   "max_concurrent": 2, "in_use": 0}}, l["features"]
o = [d for d in j["preview"]["documents"] if d["type"] == "order"][0]
assert o["signatures"] == 1 and o["threshold"] == 2 and not o["threshold_met"]
assert j["preview"]["removed"] == {"features": ["sms.intercept"],
    "purposes": {"geo.locate": ["serious-crime"]}}
EOF
	then ok "draft order --json: the DESIGN 6 object, threshold not met"
	else nok "draft order --json: the DESIGN 6 object, threshold not met"
	fi
fi

"$L" cosign --key mofa.key draft.doc >order.doc 2>err.txt || nok "cosign"
if preview "co-signed order" 0 --root root.doc --licence lic.doc \
	--order order.doc --status status.doc --at "$AT"; then
	has "co-signed order: threshold met" \
		'^  order order.doc: accepted; 2 of 2 signatures: threshold met$'
fi

"$L" order --lid IL-2026-0042 --seq 2 --action suspend \
	--iat 2026-01-02T00:00:00Z --nbf 2026-01-05T00:00:00Z \
	--reason "Suspension" --ref DECA-2026-118 --key ops.key \
	>suspend.doc 2>err.txt || nok "suspend order"
if preview "pending suspend" 0 --root root.doc --licence lic.doc \
	--order order.doc --order suspend.doc --status status.doc --at "$AT"; then
	has "pending suspend: listed with its nbf" \
		'^pending: seq 2 suspend from 2026-01-05T00:00:00Z$'
	has "pending suspend: still restricted before its nbf" \
		'^state: restricted'
fi
if preview "suspend at its nbf" 0 --root root.doc --licence lic.doc \
	--order order.doc --order suspend.doc --at 2026-01-05T00:00:00Z; then
	has "suspend at its nbf: suspended" '^state: suspended'
	has "suspend at its nbf: geo.locate suspended" \
		'^  geo.locate +denied: suspended \(order seq 2\)$'
fi

"$L" order --lid IL-2026-0042 --seq 1 --action reinstate \
	--iat 2026-01-02T00:00:00Z --reason "r" --ref X --key lic.key \
	>forged.doc 2>err.txt || nok "forged order"
preview "an order signed by no order key is refused" 1 --root root.doc \
	--licence lic.doc --order forged.doc --at "$AT" &&
	if grep -q '^threshold: ' err.txt; then ok "forged order: reason threshold"
	else nok "forged order: reason threshold"; sed 's/^/#   /' err.txt; fi

preview "unknown purpose: exit 1" 1 --root root.doc --licence bad-lic.doc \
	--status status.doc --at "$AT" &&
	has "unknown purpose: invalid" '^state: invalid \(unknown-purpose\)$'

preview "no --root is a usage error" 2 --licence lic.doc && ok "no --root: exit 2"
preview "two licences are a usage error" 2 --root root.doc \
	--licence lic.doc --licence lic.doc && ok "two licences: exit 2"
preview "bad --at is a usage error" 2 --root root.doc --licence lic.doc \
	--at yesterday && ok "bad --at: exit 2"
if "$L" preview --help | grep -q '^usage: licissue preview'; then
	ok "--help prints the usage"
else nok "--help prints the usage"; fi

exit $((failed > 0))
