#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every acceptance and rejection of DESIGN 3 and 4, end to end: two
# ministries issue documents with licissue, the real licd takes them through
# `licctl import` (and the inbox), and what it decided is read back with
# `licctl status --json`, `licctl query`, the outbox receipts and the audit
# log. Rejections are checked by exit status and the exact
# "FILE: <reason-code>: message" line, and must change nothing.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh"

lib_init
lib_keys
cat >"$T/hook.sh" <<EOF
#!/bin/sh
echo "\$LICD_LID \$LICD_PRODUCT \$LICD_OLD_STATE \$LICD_NEW_STATE" >>"$T/hook.log"
EOF
chmod 0755 "$T/hook.sh"
lib_conf "enforce = { on_change = \"$T/hook.sh\"; stop_units = [ \"interceptor.service\" ]; };"

if ! licd_start; then
	nok "licd starts with a valid configuration"
	lib_finish
fi
ok "licd starts with a valid configuration"
device_kid
check "licctl request prints a signed request naming device.key's k4.pid" \
	test -n "$DEV" -a "$DEV" = "${DEV_KEY_PID:-}"
DEVPUB=k4.public.$(sed -n 's/^k4\.secret\.//p' "$STATE/device.key" | { read -r s; b64d "$s"; } | tail -c 32 | b64e)
check "the activation request is signed by the device key (licd:v1:request)" \
	tok_verify "$DEVPUB" request "$T/request.doc"

# query NAME WANT PRODUCT FEATURE PURPOSE: licctl query prints WANT.
query() {
	local name=$1 want=$2 got rc
	shift 2
	got=$(LC query "$@" 2>/dev/null)
	rc=$?
	local want_rc=1
	[ "$want" = allowed ] && want_rc=0
	if [ "$got" = "$want" ] && [ "$rc" -eq "$want_rc" ]; then
		ok "$name"
	else
		nok "$name (got '$got', exit $rc; want '$want')"
	fi
}

# === licence and status: accepted ==============================================
out=$(LC check 2>&1)
check "licctl check without any licence: CRITICAL, no licence installed" \
	test $? -eq 2 -a "$out" = "LICD CRITICAL - no licence installed"
check "runtime_dir/enforce says stop while no licence is held" \
	grep -qx 'action stop' "$T/run/enforce"
mk_licence lic1.doc
expect_import_ok "a licence for this device is accepted" lic1.doc
check "import prints FILE: accepted: licence LID ver 1 on stdout" \
	grep -qx "lic1.doc: accepted: licence $LID ver 1" "$T/imp.out"
check_eq "status lists the lid with its ver and product" \
	"IL-2026-0042 1 interceptor" \
	"'%s %s %s' % (L('IL-2026-0042')['lid'], L('IL-2026-0042')['ver'], L('IL-2026-0042')['product'])"
check_eq "status: device is this device" "$DEV" 's["device"]'
check_eq "status: root ver 1, unpinned build" '1 False' \
	"'%s %s' % (s['root']['ver'], s['root']['pinned'])"
check_eq "a licence never fresh is on its first ladder step (restricted, stale)" \
	'restricted true null' \
	"'%s %s %s' % (L('$LID')['state'], json.dumps('stale' in L('$LID')['reasons']), json.dumps(L('$LID')['status']))"
check_eq "stale: a feature the step does not keep is denied (stale)" \
	'false stale' "'%s %s' % (json.dumps(F('$LID','sms.intercept')['allowed']), F('$LID','sms.intercept')['reason'])"
mk_status st0.doc 0
expect_import_ok "a status for this device is accepted" st0.doc
check_eq "fresh status: the licence is active with no reason" \
	'active [] true' "'%s %s %s' % (L('$LID')['state'], json.dumps(L('$LID')['reasons']), json.dumps(L('$LID')['status']['fresh']))"
check_eq "status object: seq 0, no order in force, nothing pending" \
	'0 None []' "'%s %s %s' % (L('$LID')['status']['seq'], L('$LID')['order'], json.dumps(L('$LID')['pending']))"
check_eq "active: every feature allowed with the licence's purposes and limits" \
	'{"allowed": true, "in_use": 0, "max_concurrent": 10, "purposes": ["serious-crime", "terrorism"]}|{"allowed": true, "in_use": 0, "purposes": ["serious-crime", "terrorism"]}' \
	"'|'.join(json.dumps(dict(F('$LID',f), purposes=sorted(F('$LID',f).get('purposes',[]))), sort_keys=True) for f in ('sms.intercept','geo.locate'))"
out=$(LC check 2>&1)
check "licctl check: OK (exit 0) for an active, fresh licence" \
	test $? -eq 0 -a "$out" = "LICD OK - $LID active"
query "query: an active feature for a licensed purpose is allowed" allowed \
	interceptor sms.intercept terrorism
query "query: a purpose the licence lacks is denied" \
	"denied purpose-not-permitted" interceptor sms.intercept espionage
query "query: a feature the licence lacks is not-licensed" \
	"denied not-licensed" interceptor net.tap terrorism
query "query: a product without a licence is not-licensed" \
	"denied not-licensed" sensor geo.locate terrorism
expect_import_ok "a document identical to one held is a no-op (exit 0)" lic1.doc
check "import prints FILE: no-op: licence LID ver 1" \
	grep -qx "lic1.doc: no-op: licence $LID ver 1" "$T/imp.out"
check "receipts: licence-applied and status-applied in the outbox" \
	receipt_has licence-applied "$LID" 1
check "receipts: status-applied for the status" receipt_has status-applied "$LID" 0
r=$(ls "$STATE/outbox" 2>/dev/null | head -1)
check "receipts are signed by the device key (licd:v1:receipt)" \
	tok_verify "$DEVPUB" receipt "$STATE/outbox/$r"

# === forged, altered, malformed: DESIGN 3.1-3.3 ================================
tamper lic1.doc 's/"geo.locate":{}/"geo.locatf":{}/' >altered.doc
expect_import_reject altered.doc bad-signature "an altered licence is bad-signature"
LKEY=$T/evil.key mk_licence evil.doc
relabel evil.doc licence "$(cat lic.kid)" >spoofed.doc
expect_import_reject spoofed.doc bad-signature \
	"a forgery claiming the licence key's kid is bad-signature"
expect_import_reject evil.doc threshold \
	"a licence signed by a key outside the licence role is threshold"
mk_order o1-mod.doc 1 restrict --keep geo.locate
KEYS=$T/mod.key mk_order o1-one.doc 1 restrict --keep geo.locate
expect_import_reject o1-one.doc threshold "an order with 1 of the 2 signatures it needs is threshold"
{ cat o1-one.doc; cat o1-one.doc; } >o1-twice.doc
expect_import_reject o1-twice.doc threshold "the same key signing twice counts once (threshold)"
KEYS="$T/mod.key $T/evil.key" mk_order o1-evil.doc 1 restrict --keep geo.locate
expect_import_reject o1-evil.doc threshold "a key outside the role does not count (threshold)"
KEYS="$T/mod.key $T/ops.key" mk_order o1-ops.doc 1 restrict --keep geo.locate
relabel o1-mod.doc root >as-root.doc
expect_import_reject as-root.doc bad-signature \
	"an order relabelled as a root (same ministry keys) is bad-signature"
relabel st0.doc licence "$(cat lic.kid)" >as-licence.doc
expect_import_reject as-licence.doc bad-signature \
	"a status relabelled as a licence with the licence kid is bad-signature"
expect_import_reject request.doc wrong-type \
	"a device-signed request is not a document licd imports (wrong-type)"
sed 's/$/\r/' lic1.doc >cr.doc
expect_import_reject cr.doc malformed "a document with a CR is malformed"
printf '# only a comment\n\n' >empty.doc
expect_import_reject empty.doc malformed "a document without a token is malformed"
sed 's/^v4\.public\./v4.local./' lic1.doc >local.doc
expect_import_reject local.doc bad-token "a v4.local token is bad-token"
printf 'v4.public.%s.%s\n' "$(head -c 40 /dev/urandom | b64e)" \
	"$(printf '{"kid":"%s","typ":"licence"}' "$(cat lic.kid)" | b64e)" >short.doc
expect_import_reject short.doc bad-token "a token body shorter than a signature is bad-token"
sed 's/^\(v4\.public\.[^.]*\)\./\1=./' lic1.doc >padded.doc
expect_import_reject padded.doc bad-token "base64 padding in a token is bad-token"
sed 's/^\(v4\.public\.[^.]*\)\./\1A./' lic1.doc >len.doc
grep -q '^v4' len.doc && [ $(( $(grep -m1 '^v4' len.doc | cut -d. -f3 | tr -d '\n' | wc -c) % 4 )) -eq 1 ] ||
	sed -i 's/^\(v4\.public\.[^.]*\)A\./\1AAA./' len.doc
expect_import_reject len.doc bad-token "a token body of impossible base64 length is bad-token"
line=$(grep -m1 '^v4' lic1.doc)
printf '%s.%s\n' "${line%.*}" "$(printf '{"kid": "%s", "typ": "licence"}' "$(cat lic.kid)" | b64e)" >footer.doc
expect_import_reject footer.doc bad-footer "a footer with spaces is bad-footer"
KEYS=$T/mofa.key REASON="Other text" mk_order o1-other.doc 1 restrict --keep geo.locate
cat o1-one.doc o1-other.doc >mismatch.doc
expect_import_reject mismatch.doc mismatch "lines with different messages are mismatch"
for i in $(seq 17); do head -1 st0.doc; done >seventeen.doc
expect_import_reject seventeen.doc too-large "17 tokens are too-large"
{ for i in $(seq 700); do printf '# %098d\n' 0; done; cat st0.doc; } >big.doc
expect_import_reject big.doc too-large "a document over 64 KiB is too-large"
msg_of lic1.doc | sed 's/"ver":1,/"ver":1,"ver":1,/' >dup.json
sign_raw lic.key licence dup.json >dup.doc
expect_import_reject dup.doc bad-payload "a validly signed licence with a duplicate key is bad-payload"
msg_of lic1.doc | sed 's/"ver":1,/"ver":1,"colour":"red",/' >unknown.json
sign_raw lic.key licence unknown.json >unknown.doc
expect_import_reject unknown.doc bad-payload "a validly signed licence with an unknown key is bad-payload"
msg_of lic1.doc | sed 's/"ver":1,/"ver":1.0,/' >float.json
sign_raw lic.key licence float.json >float.doc
expect_import_reject float.doc bad-payload "a validly signed licence with ver 1.0 is bad-payload"

# === licence versions: replay and equivocation (DESIGN 3.4, 4.5) ================
mk_licence lic3.doc --ver 3
expect_import_ok "a higher licence ver is accepted" lic3.doc
check_eq "the higher ver is in effect" 3 "L('$LID')['ver']"
mk_licence lic2.doc --ver 2
expect_import_reject lic2.doc replay "a lower licence ver is replay"
FEATURES="sms.intercept:10 geo.locate:5" mk_licence lic3b.doc --ver 3
MAY_CHANGE=1 expect_import_reject lic3b.doc equivocation \
	"a different licence for a held ver is equivocation"
check_eq "licence equivocation: the licence is suspended (reason equivocation)" \
	'suspended true' "'%s %s' % (L('$LID')['state'], json.dumps('equivocation' in L('$LID')['reasons']))"
check_eq "equivocation: features denied with reason equivocation" \
	equivocation "F('$LID','geo.locate')['reason']"
mk_licence lic4.doc --ver 4
expect_import_ok "a licence with a higher ver after an equivocation is accepted" lic4.doc
check_eq "the higher ver lifts the equivocation suspension" active "L('$LID')['state']"

# === orders: restrict narrows; equivocation; replay =============================
mk_order o1.doc 1 restrict --keep geo.locate --purpose terrorism \
	--limit geo.locate:2
expect_import_ok "a 2-of-3 restrict order is accepted" o1.doc
check_eq "restrict: state restricted by the order" \
	'restricted ["order"]' "'%s %s' % (L('$LID')['state'], json.dumps(L('$LID')['reasons']))"
check_eq "restrict: the order in force is shown (seq, action, ref)" \
	'{"action": "restrict", "ref": "DECA-1", "seq": 1}' \
	"json.dumps(L('$LID')['order'], sort_keys=True)"
check_eq "restrict: a feature not kept is disabled-by-order" \
	'{"allowed": false, "reason": "disabled-by-order"}' \
	"json.dumps(F('$LID','sms.intercept'), sort_keys=True)"
check_eq "restrict: the kept feature narrowed to the order's purposes and limit" \
	'{"allowed": true, "in_use": 0, "max_concurrent": 2, "purposes": ["terrorism"]}' \
	"json.dumps(F('$LID','geo.locate'), sort_keys=True)"
query "query: a feature disabled by the order is denied disabled-by-order" \
	"denied disabled-by-order" interceptor sms.intercept terrorism
query "query: the kept feature for the kept purpose is allowed" allowed \
	interceptor geo.locate terrorism
query "query: the kept feature for a purpose the order dropped is denied" \
	"denied purpose-not-permitted" interceptor geo.locate serious-crime
out=$(LC check 2>&1)
check "licctl check: WARNING (exit 1) for a restricted licence" \
	test $? -eq 1 -a "$out" = "LICD WARNING - $LID restricted"
LC explain interceptor sms.intercept >explain.out 2>&1
rc=$?
check "licctl explain: exit 0" test "$rc" -eq 0
check "licctl explain names the verdict and the order that decided it" \
	test -n "$(grep 'disabled-by-order' explain.out)" -a -n "$(grep 'order seq 1' explain.out)"
LC metrics >metrics.out 2>&1
check "metrics: the licence state restricted is 1" \
	grep -qx "licd_licence_state{lid=\"$LID\",product=\"interceptor\",state=\"restricted\"} 1" metrics.out
check "metrics: sms.intercept not allowed, geo.locate allowed" \
	grep -qx "licd_feature_allowed{lid=\"$LID\",product=\"interceptor\",feature=\"geo.locate\"} 1" metrics.out
check "receipt: order-applied, seq 1, state restricted" \
	receipt_has order-applied "$LID" 1 restricted
check "enforce.on_change ran with lid, product, old and new state" \
	wait_for 5 grep -q "^$LID interceptor active restricted\$" "$T/hook.log"
check "runtime_dir/enforce says run while nothing is suspended" \
	grep -qx 'action run' "$T/run/enforce"
# The client snapshot (doc/PROTOCOL.md, "Client snapshot"), read as a
# product would: header, freshness, and the entries of the restriction.
cat >"$T/snap.py" <<'PY'
import struct, sys, time
for _ in range(100):
    b = open(sys.argv[1], "rb").read()
    seq1 = struct.unpack_from("=Q", b, 32)[0]
    b2 = open(sys.argv[1], "rb").read()
    if seq1 % 2 == 0 and seq1 == struct.unpack_from("=Q", b2, 32)[0]:
        break
assert b[:8] == b"LICDSNAP", "magic"
ver, hsz, esz, cap, bo = struct.unpack_from("=IIIII", b, 8)
gen, mono, wall, grace = struct.unpack_from("=QQQQ", b, 40)
n, npur = struct.unpack_from("=II", b, 72)
cstr = lambda o, l: b[o:o + l].split(b"\0")[0].decode()
purposes = [cstr(136 + 72 * i, 72) for i in range(npur)]
print("version=%d header=%d entry=%d byte_order=%#x grace=%d device=%s" %
      (ver, hsz, esz, bo, grace // 10**9, cstr(80, 56)))
print("generation=%d age_ms=%d" % (gen, (time.monotonic_ns() - mono) // 10**6))
for i in range(n):
    o = hsz + i * esz
    pbits, maxc, inuse, allowed, state = struct.unpack_from("=QIIBB", b, o + 248)
    print("entry %s %s %s allowed=%d reason=%s max=%d state=%d purposes=%s" % (
        cstr(o, 72), cstr(o + 72, 72) or "-", cstr(o + 144, 72), allowed,
        cstr(o + 216, 32) or "-", maxc, state,
        ",".join(sorted(p for j, p in enumerate(purposes) if pbits >> j & 1)) or "-"))
PY
"$PY" "$T/snap.py" "$T/run/snapshot" >snap.txt 2>&1
check "snapshot: version 1, header 4800, entries 272, native byte order, grace 30 s, this device" \
	grep -qx "version=1 header=4800 entry=272 byte_order=0x1020304 grace=30 device=$DEV" snap.txt
age=$(sed -n 's/.*age_ms=\([0-9-]*\).*/\1/p' snap.txt)
check "snapshot: refreshed within the last 2 s (CLOCK_MONOTONIC)" test "${age:-9999}" -lt 2000
check "snapshot: the order's decision for sms.intercept (denied, disabled-by-order)" \
	grep -q "^entry interceptor sms.intercept $LID allowed=0 reason=disabled-by-order .*state=4" snap.txt
check "snapshot: geo.locate allowed, limit 2, purpose terrorism only" \
	grep -q "^entry interceptor geo.locate $LID allowed=1 reason=- max=2 state=4 purposes=terrorism\$" snap.txt
gen1=$(sed -n 's/^generation=\([0-9]*\).*/\1/p' snap.txt)
FEATURES="sms.intercept:10 geo.locate net.tap" mk_licence lic5.doc --ver 5
expect_import_ok "a licence ver adding a feature is accepted under a restrict order" lic5.doc
gen2=$("$PY" "$T/snap.py" "$T/run/snapshot" 2>/dev/null | sed -n 's/^generation=\([0-9]*\).*/\1/p')
check "snapshot: the generation moves on a change ($gen1 -> $gen2)" \
	test -n "$gen1" -a -n "$gen2" -a "${gen2:-0}" -gt "${gen1:-0}"
check_eq "keep is an allow-list: the new feature is disabled-by-order" \
	'false disabled-by-order' \
	"'%s %s' % (json.dumps(F('$LID','net.tap')['allowed']), F('$LID','net.tap')['reason'])"
mk_status st1.doc 1
expect_import_ok "a status naming order 1 is accepted" st1.doc
check_eq "status seq 1 with order 1 held: fresh" 'true 1' \
	"'%s %s' % (json.dumps(L('$LID')['status']['fresh']), L('$LID')['status']['seq'])"
MAY_CHANGE=1 expect_import_reject o1-ops.doc equivocation \
	"a different order for a held seq is equivocation"
check_eq "order equivocation: the licence is suspended" \
	'suspended true' "'%s %s' % (L('$LID')['state'], json.dumps('equivocation' in L('$LID')['reasons']))"
mk_order o2.doc 2 restrict --keep geo.locate --purpose terrorism --limit geo.locate:2
expect_import_ok "the next order after an equivocation is accepted" o2.doc
check_eq "an order with a higher seq in force lifts the equivocation" \
	'restricted ["order"] 2' \
	"'%s %s %s' % (L('$LID')['state'], json.dumps(L('$LID')['reasons']), L('$LID')['order']['seq'])"
expect_import_ok "an older order already held is a no-op" o1.doc
check_eq "the replayed older order changes nothing" 2 "L('$LID')['order']['seq']"

# === a pending order takes effect at its nbf, without any poke ==================
mk_status st2.doc 2
expect_import_ok "a status naming order 2 is accepted" st2.doc
mk_order o3.doc 3 reinstate --nbf "$(ts 6)"
expect_import_ok "a reinstate order with nbf ahead is accepted (pending)" o3.doc
check "import prints FILE: pending: order LID seq 3" \
	grep -qx "o3.doc: pending: order $LID seq 3" "$T/imp.out"
LC status >status.txt 2>&1
check "licctl status: the pending order line" \
	grep -qx "  pending: seq 3 reinstate from $(msg_of o3.doc | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["nbf"])')" status.txt
check "licctl status: the state and order-in-force lines" \
	test -n "$(grep -x '  state: restricted (order)' status.txt)" -a \
	    -n "$(grep -x '  order in force: seq 2 restrict, ref DECA-2' status.txt)"
check "licctl status: the licence line and a fresh status" \
	test -n "$(grep -x "$LID ver 5, product interceptor" status.txt)" -a \
	    -n "$(grep '^  status: fresh until .* (seq 2, issued ' status.txt)"
check_eq "pending: listed with seq, action and nbf; the restriction stays" \
	'restricted 3 reinstate 2' \
	"'%s %s %s %s' % (L('$LID')['state'], L('$LID')['pending'][0]['seq'], L('$LID')['pending'][0]['action'], L('$LID')['order']['seq'])"
check "receipt: order-pending for seq 3" receipt_has order-pending "$LID" 3
# No request reaches licd until the order took effect: its timer must fire.
if wait_for 20 receipt_has order-applied "$LID" 3 active; then
	ok "the pending reinstate took effect at its nbf on its own (receipt)"
else
	nok "the pending reinstate took effect at its nbf on its own (receipt)"
	receipts | show - 20
fi
check_eq "after nbf: active, order 3 in force, nothing pending" \
	'active 3 []' "'%s %s %s' % (L('$LID')['state'], L('$LID')['order']['seq'], json.dumps(L('$LID')['pending']))"
mk_order o4.doc 4 suspend --nbf "$(ts 4)"
expect_import_ok "a suspend order with nbf ahead is accepted (pending)" o4.doc
if wait_for 20 receipt_has order-applied "$LID" 4 suspended; then
	ok "the pending suspend took effect at its nbf on its own (receipt)"
else
	nok "the pending suspend took effect at its nbf on its own (receipt)"
fi
check_eq "suspend in force: every feature denied (suspended)" \
	'suspended suspended suspended' \
	"'%s %s %s' % (L('$LID')['state'], F('$LID','geo.locate')['reason'], F('$LID','sms.intercept')['reason'])"
out=$(LC check 2>&1)
check "licctl check: CRITICAL (exit 2) for a suspended licence" \
	test $? -eq 2 -a -n "$(echo "$out" | grep "^LICD CRITICAL - .*$LID suspended")"
check "runtime_dir/enforce: stop, with the configured unit" \
	grep -qx 'unit interceptor.service' "$T/run/enforce"
expect_import_ok "replaying the older reinstate is a no-op" o3.doc
check_eq "the replayed reinstate has no effect: still suspended by order 4" \
	'suspended 4' "'%s %s' % (L('$LID')['state'], L('$LID')['order']['seq'])"

# === withheld order: a status names an order the device does not hold ===========
mk_status st5.doc 5
expect_import_ok "a status naming order 5 (not held) is accepted" st5.doc
check_eq "withheld order 5: not fresh" false "json.dumps(L('$LID')['status']['fresh'])"
check_eq "withheld: stale is among the reasons" true \
	"json.dumps('stale' in L('$LID')['reasons'])"
mk_order o5.doc 5 reinstate
expect_import_ok "the withheld order 5 arrives and is accepted" o5.doc
check_eq "with order 5 held, fresh and active again" 'true active' \
	"'%s %s' % (json.dumps(L('$LID')['status']['fresh']), L('$LID')['state'])"

# === status replay and wrong device ============================================
mk_status st6.doc 5
mk_status st7.doc 5
expect_import_ok "a newer status is accepted" st7.doc
expect_import_reject st6.doc replay "an older status is replay"
IAT=$(date -u -d "@$STATUS_IAT" +%Y-%m-%dT%H:%M:%SZ) mk_status st7b.doc 5 --ttl 48h
expect_import_reject st7b.doc replay "another status with the same iat is replay"
expect_import_ok "the same status again is a no-op" st7.doc
DEVICE=$(cat evil.kid) mk_status stx.doc 5
expect_import_reject stx.doc wrong-device "a status for another device is wrong-device"

# === one licence per product; wrong device ======================================
LID=IL-2026-0043 mk_licence other.doc
expect_import_reject other.doc product-licensed \
	"a second lid for a licensed product is product-licensed"
LID=IL-2026-0050 PRODUCT=mapper DEVICE=$(cat evil.kid) mk_licence wrongdev.doc
expect_import_reject wrongdev.doc wrong-device "a licence for another device is wrong-device"

# === expiry, unknown purposes, orders before their licence ======================
LID=IL-EXP PRODUCT=beacon mk_licence exp.doc --iat "$(ts -259200)" --exp "$(ts -86400)"
imp exp.doc
if [ "$IMP_RC" -eq 1 ] && grep -q '^exp.doc: expired: ' "$T/imp.err"; then
	ok "an expired licence is refused (expired) or held as expired"
else
	check_eq "an expired licence is refused (expired) or held as expired" \
		expired "L('IL-EXP')['state']"
fi
LID=IL-EXP2 PRODUCT=beacon mk_licence exp2.doc
expect_import_ok "a new lid for a product whose lid expired is accepted" exp2.doc
LID=IL-UP PRODUCT=relay PURPOSES="terrorism espionage" mk_licence up.doc
imp up.doc
if [ "$IMP_RC" -eq 1 ] && grep -q '^up.doc: unknown-purpose: ' "$T/imp.err"; then
	ok "a licence naming an unknown purpose is refused or invalid (unknown-purpose)"
else
	check_eq "a licence naming an unknown purpose is refused or invalid (unknown-purpose)" \
		'invalid true' "'%s %s' % (L('IL-UP')['state'], json.dumps('unknown-purpose' in L('IL-UP')['reasons']))"
fi
LID=IL-2026-0077 mk_order early.doc 1 suspend
expect_import_ok "an order that arrives before its licence is accepted" early.doc
check_eq "a lid with only an order is listed, invalid (no-licence)" 'invalid true' \
	"'%s %s' % (L('IL-2026-0077')['state'], json.dumps('no-licence' in L('IL-2026-0077')['reasons']))"
LID=IL-2026-0077 PRODUCT=analyser mk_licence late.doc
expect_import_ok "its licence arriving later is accepted" late.doc
check_eq "the early suspend order is in force once the licence is there" \
	'suspended 1' "'%s %s' % (L('IL-2026-0077')['state'], L('IL-2026-0077')['order']['seq'])"
LID=IL-2026-0077 mk_order early3.doc 3 reinstate
LID=IL-2026-0077 mk_order early2.doc 2 restrict --keep-none
expect_import_ok "order 3 (with order 2 missing) is accepted" early3.doc
expect_import_ok "the missing lower order 2 is taken" early2.doc
check "import prints FILE: superseded: order LID seq 2" \
	grep -qx "early2.doc: superseded: order IL-2026-0077 seq 2" "$T/imp.out"
check_eq "a superseded order changes nothing: order 3 stays in force" 3 "L('IL-2026-0077')['order']['seq']"
LC explain interceptor no.such.feature >explain.out 2>explain.err
rc=$?
check "licctl explain of a feature no licence grants: exit 1, not-found" \
	test "$rc" -eq 1 -a -n "$(grep '^licctl: not-found: ' explain.err)"
LC report IL-NONE >report.out 2>report.err
rc=$?
check "licctl report of a lid not held: exit 1, not-found" \
	test "$rc" -eq 1 -a -n "$(grep '^licctl: not-found: ' report.err)"
LC report "$LID" >report.doc 2>report.err
check "licctl report: a usage report signed by the device key (licd:v1:report)" \
	tok_verify "$DEVPUB" report report.doc

# === revoke is terminal ========================================================
LID=IL-REV PRODUCT=sensor mk_licence rev-lic.doc
LID=IL-REV mk_status rev-st.doc 0
expect_import_ok "a licence for a second product is accepted" rev-lic.doc rev-st.doc
LID=IL-REV mk_order rev1.doc 1 revoke
expect_import_ok "a revoke order is accepted" rev1.doc
check_eq "revoked: state revoked, every feature denied (revoked)" \
	'revoked revoked revoked' \
	"'%s %s %s' % (L('IL-REV')['state'], F('IL-REV','geo.locate')['reason'], F('IL-REV','sms.intercept')['reason'])"
query "query: a feature of a revoked product is denied revoked" \
	"denied revoked" sensor geo.locate terrorism
LID=IL-REV mk_order rev2.doc 2 reinstate
expect_import_reject rev2.doc revoked "a reinstate after a revoke is revoked"
LID=IL-REV PRODUCT=sensor mk_licence rev-lic2.doc --ver 2
expect_import_reject rev-lic2.doc revoked "a new licence ver for a revoked lid is revoked"
LID=IL-REV mk_status rev-st2.doc 1
expect_import_reject rev-st2.doc revoked "a status for a revoked lid is revoked"
LID=IL-REV-B PRODUCT=sensor mk_licence rev-other.doc
expect_import_reject rev-other.doc revoked "a new lid for a revoked product is revoked"
expect_import_ok "the revoke order again is a no-op" rev1.doc
check "runtime_dir/enforce says stop while a licence is revoked" \
	grep -qx 'action stop' "$T/run/enforce"
LID=IL-REV2 PRODUCT=tracker mk_licence rev2-lic.doc
LID=IL-REV2 mk_order rev2-o2.doc 2 restrict --keep geo.locate
LID=IL-REV2 mk_order rev2-o1.doc 1 revoke --nbf "$(ts 86400)"
expect_import_ok "a licence and its order 2 are accepted" rev2-lic.doc rev2-o2.doc
expect_import_ok "a revoke with a lower seq and nbf tomorrow is accepted" rev2-o1.doc
check_eq "revoke is terminal at once, whatever its seq and nbf" revoked "L('IL-REV2')['state']"

# === root rotation (DESIGN 3.4) =================================================
rot() {	# rot VER KEY...: the same roles, root ver VER
	local ver=$1 args=() k
	shift
	for k in "$@"; do args+=(--key "$T/$k.key"); done
	"$LICISSUE" root --ver "$ver" --iat "$(ts -3600)" \
		--role root="$T/mod.pub,$T/mofa.pub:2" --role licence="$T/lic.pub" \
		--role order="$T/mod.pub,$T/mofa.pub,$T/ops.pub:2" \
		--role status="$T/sta.pub" "${args[@]}" 2>"$T/err.txt"
}
rot 2 mod mofa >root2.doc
rot 2 mod >root2-one.doc
rot 3 mod mofa >root3.doc
expect_import_reject root2-one.doc threshold "a root ver 2 with 1 of 2 root signatures is threshold"
expect_import_reject root3.doc root-version "a root skipping a ver is root-version"
expect_import_ok "root ver 2 signed by the root role is accepted" root2.doc
check_eq "status shows root ver 2; the licence still verifies" '2 active' \
	"'%s %s' % (s['root']['ver'], L('$LID')['state'])"
check "receipt: root-applied for ver 2" receipt_has root-applied - 2
expect_import_ok "the same root ver 2 again is a no-op" root2.doc
cp "$T/root.doc" root1.doc
expect_import_reject root1.doc root-version "root ver 1 after ver 2 is root-version"

# === inbox (air-gapped file drop) ==============================================
mk_status st8.doc 5
want_iat=$(msg_of st8.doc | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["iat"])')
cp st8.doc "$INBOX/st8.doc"
if wait_for 10 sj_is "$want_iat" "L('$LID')['status']['iat']"; then
	ok "a status copied into the inbox is applied"
else
	nok "a status copied into the inbox is applied"
fi
check "the dropped file is moved to inbox/processed/" \
	wait_for 5 test -f "$INBOX/processed/st8.doc" -a ! -e "$INBOX/st8.doc"
check "the audit log records it with source inbox" \
	grep -q '"source":"inbox".*"outcome":"accepted"' "$STATE/audit.log"
mk_order o6.doc 6 restrict --keep geo.locate
cp o6.doc "$T/o6.tmp" && mv "$T/o6.tmp" "$INBOX/o6.doc"
if wait_for 10 sj_is 6 "L('$LID')['order']['seq']"; then
	ok "an order moved into the inbox is applied"
else
	nok "an order moved into the inbox is applied"
fi
cp altered.doc "$INBOX/altered.doc"
if wait_for 10 grep -q '"source":"inbox".*"outcome":"rejected".*"reason":"bad-signature"' "$STATE/audit.log"; then
	ok "a forgery dropped in the inbox is rejected and audited (bad-signature)"
else
	nok "a forgery dropped in the inbox is rejected and audited (bad-signature)"
fi
check "the forgery is moved to inbox/rejected/ with a .reason file (bad-signature: ...)" \
	wait_for 5 grep -q '^bad-signature: ' "$INBOX/rejected/altered.doc.reason"
check "the forgery is not left in the inbox" test ! -e "$INBOX/altered.doc"

# === iat ahead: not-yet-valid, except restrict/suspend/revoke ===================
# Last, because accepting a document from the future moves the signed clock
# to wall + 300 s.
mk_licence ahead-lic.doc --ver 6 --iat "$(ts 3600)"
expect_import_reject ahead-lic.doc not-yet-valid "a licence with iat an hour ahead is not-yet-valid"
IAT=$(ts 3600) mk_status ahead-st.doc 6
expect_import_reject ahead-st.doc not-yet-valid "a status with iat an hour ahead is not-yet-valid"
IAT=$(ts 3600) mk_order ahead-o7r.doc 7 reinstate
expect_import_reject ahead-o7r.doc not-yet-valid "a reinstate with iat an hour ahead is not-yet-valid"
IAT=$(ts 3600) mk_order ahead-o7.doc 7 restrict --keep-none --nbf "$(ts -10)"
expect_import_ok "a restrict order with iat an hour ahead is accepted anyway" ahead-o7.doc
check_eq "the restrict order from the future is in force" '7 restricted' "'%s %s' % (L('$LID')['order']['seq'], L('$LID')['state'])"
IAT=$(ts 3600) mk_order ahead-o8.doc 8 suspend --nbf "$(ts -10)"
expect_import_ok "a suspend order with iat an hour ahead is accepted anyway" ahead-o8.doc
check_eq "the suspend order from the future is in force" '8 suspended' "'%s %s' % (L('$LID')['order']['seq'], L('$LID')['state'])"
# The signed clock is now wall + 300 s, the edge of the alarm ("more than
# 300 s behind"): running on must not tip it over.
sleep 3
check_eq "orders from the future leave no clock-rollback alarm (signed = wall + 300 s)" \
	false "json.dumps(s['time']['clock_rollback'])"

# === restart persistence ========================================================
before=$(state_digest)
licd_stop
check "licd stops on SIGTERM with exit 0" test "${LICD_RC:-1}" -eq 0
check "the socket is gone after a clean stop" test ! -S "$SOCK"
licd_start || nok "licd restarts"
after=$(state_digest)
check "after a restart, licctl status --json is the same" \
	test -n "$before" -a "$before" = "$after"
[ "$before" = "$after" ] || diff <(echo "$before" | "$PY" -m json.tool) \
	<(echo "$after" | "$PY" -m json.tool) | show - 20
licd_kill9
licd_start || nok "licd restarts after kill -9"
after=$(state_digest)
check "after kill -9 and a restart, licctl status --json is the same" \
	test -n "$before" -a "$before" = "$after"
[ "$before" = "$after" ] || diff <(echo "$before" | "$PY" -m json.tool) \
	<(echo "$after" | "$PY" -m json.tool) | show - 20
LC audit verify >audit.out 2>audit.err
check "licctl audit verify accepts the audit log" test $? -eq 0
show audit.err

# === a stored document altered while licd was down (DESIGN 5.1) ================
# Every start re-verifies what is stored: the altered lid is invalid
# (unverified), the others are untouched.
licd_stop
f=$STATE/docs/IL-2026-0077/licence-1
if [ -f "$f" ]; then
	tamper "$f" 's/"analyser"/"analysex"/' >"$T/altered-store"
	cat "$T/altered-store" >"$f"
	licd_start || nok "licd starts with an altered stored document"
	check_eq "an altered stored licence: its lid is invalid, reason unverified" \
		'invalid true' "'%s %s' % (L('IL-2026-0077')['state'], json.dumps('unverified' in L('IL-2026-0077')['reasons']))"
	check_eq "... its features are denied (invalid)" invalid \
		"sorted(set(f['reason'] for f in (L('IL-2026-0077')['features'] or {}).values()))[0] if L('IL-2026-0077')['features'] else 'invalid'"
	check_eq "the other licences are untouched by it" suspended "L('$LID')['state']"
	check "the failed verification is logged as critical" \
		grep -qE '^<2>licd: .*(fail|verif)' "$T/licd.log"
	check "the critical line names the document (STYLE: errors name the file)" \
		grep -qE '^<2>licd: .*(IL-2026-0077|licence-1)' "$T/licd.log"
else
	nok "the store keeps docs/<lid>/licence-<ver> (docs/IL-2026-0077/licence-1)"
	ls -R "$STATE/docs" | show - 10
fi

licd_stop
lib_finish
