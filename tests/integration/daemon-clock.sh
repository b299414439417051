#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The clock (DESIGN 4.2): licd runs under libfaketime (Debian faketime) with
# its wall clock set forward and back, the monotonic clocks left alone.
#  - forward: statuses go stale while it lasts, a pending reinstate (gated on
#    the signed clock) does not take effect early, and nothing of the
#    forward wall clock is persisted;
#  - back: the clock-rollback alarm is raised (status, licctl check,
#    metrics, audit log), time and freshness follow the signed clock, and
#    the alarm clears when the wall clock catches up;
#  - the signed clock is persisted at least every minute (kill -9).
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh"

FT_LIB=
for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
    /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
	[ -e "$f" ] && { FT_LIB=$f; break; }
done
if [ -z "$FT_LIB" ]; then
	skip "clock tests: libfaketime is not installed (apt-get install faketime)"
	exit 0
fi
# ASan's runtime must come first in the process: an LD_PRELOADed
# libfaketime stops an ASan-built licd from starting. The plain build runs
# these cases (make check); the sanitizer build covers licd elsewhere.
if ldd "$LICD" 2>/dev/null | grep -q libasan; then
	skip "clock tests: licd is built with ASan, which cannot run under LD_PRELOAD=libfaketime"
	exit 0
fi

lib_init
lib_keys
lib_conf
# The offset is read from a file (re-read every second), so that it can
# change while licd runs. Set back, the monotonic and boot-time clocks stay
# real (they would go below zero). Set forward, every clock moves: with
# real monotonic clocks and a forward offset, libfaketime's wrappers make
# sd-event's wait fail with EINVAL (an artefact of the preload: a real
# clock step never touches CLOCK_MONOTONIC).
FT=(LD_PRELOAD="$FT_LIB" FAKETIME_TIMESTAMP_FILE="$T/faketime.rc"
    FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1)
FT_FWD=(LD_PRELOAD="$FT_LIB" FAKETIME_TIMESTAMP_FILE="$T/faketime.rc"
    FAKETIME_CACHE_DURATION=1)
echo "-2d" >"$T/faketime.rc"
d=$(( $(date +%s) - $(env "${FT[@]}" date +%s) ))
check "libfaketime sets a process's wall clock 2 days back" \
	test "$d" -ge 172790 -a "$d" -le 172810

# secs_of EXPR: sj EXPR (an RFC 3339 time) as Unix seconds.
secs_of() { date -u -d "$(sj "$1" | sed 's/T/ /; s/Z$//')" +%s 2>/dev/null; }

# --- A: real time: a restricted licence, fresh, a reinstate pending tomorrow
if ! licd_start; then
	nok "licd starts"
	lib_finish
fi
device_kid
mk_licence lic.doc
mk_order o1.doc 1 restrict --keep geo.locate
mk_status st1.doc 1
mk_order o2.doc 2 reinstate --nbf "$(ts 86400)"
expect_import_ok "licence, restrict order, status and a pending reinstate accepted" \
	lic.doc o1.doc st1.doc o2.doc
check_eq "real time: fresh, restricted by order 1, reinstate 2 pending, no alarm" \
	'true restricted 1 2 false' \
	"'%s %s %s %s %s' % (json.dumps(L('$LID')['status']['fresh']), L('$LID')['state'], L('$LID')['order']['seq'], L('$LID')['pending'][0]['seq'], json.dumps(s['time']['clock_rollback']))"
licd_stop

# --- B: the wall clock 2 days forward --------------------------------------------
echo "+2d" >"$T/faketime.rc"
licd_start "${FT_FWD[@]}" || nok "licd starts with the clock 2 days forward"
check_eq "clock forward: no rollback alarm" false "json.dumps(s['time']['clock_rollback'])"
eff=$(secs_of "s['time']['effective']")
check "clock forward: effective time is the (forward) wall clock" \
	test "${eff:-0}" -ge $(($(date +%s) + 172800 - 600))
check_eq "clock forward: the status (exp in 24 h) is not fresh while it lasts" \
	false "json.dumps(L('$LID')['status']['fresh'])"
check_eq "clock forward: the pending reinstate does not take effect early" \
	'restricted 1 2' \
	"'%s %s %s' % (L('$LID')['state'], L('$LID')['order']['seq'], L('$LID')['pending'][0]['seq'])"
licd_stop
c=$(cat "$STATE/clock" 2>/dev/null)
check "clock forward: the persisted signed clock is not the forward wall clock" \
	test -n "$c" -a "${c:-0}" -le $(($(date +%s) + 300))

# --- C: back to real time; the signed clock is saved every minute ---------------
licd_start || nok "licd starts with the real clock"
check_eq "real clock again: fresh, restricted, no alarm (forward left no trace)" \
	'true restricted false' \
	"'%s %s %s' % (json.dumps(L('$LID')['status']['fresh']), L('$LID')['state'], json.dumps(s['time']['clock_rollback']))"
sleep 1
c0=$(cat "$STATE/clock" 2>/dev/null)
sleep 64
licd_kill9
c1=$(cat "$STATE/clock" 2>/dev/null)
check "the signed clock is persisted at least every minute (kill -9 after 65 s)" \
	test -n "$c0" -a -n "$c1" -a "${c1:-0}" -ge $((${c0:-0} + 5))

# --- D: the wall clock 2 days back ------------------------------------------------
echo "-2d" >"$T/faketime.rc"
licd_start "${FT[@]}" || nok "licd starts with the clock 2 days back"
if wait_for 10 sj_is true "json.dumps(s['time']['clock_rollback'])"; then
	ok "clock back: status time.clock_rollback is true"
else
	nok "clock back: status time.clock_rollback is true"
fi
LC check >check.out 2>&1
rc=$?
check "clock back: licctl check warns (exit 1 or 2) and names the rollback" \
	test "$rc" -ge 1 -a "$rc" -le 2 -a -n "$(grep -i rollback check.out)"
show check.out 1
check "clock back: metrics licd_clock_rollback 1" \
	grep -qx 'licd_clock_rollback 1' <(LC metrics)
check "clock back: the audit log records the clock-rollback alarm" \
	grep -q '"event":"clock-alarm".*"alarm":"clock-rollback"' "$STATE/audit.log"
check "clock back: the alarm is logged" grep -qi 'clock-rollback' "$T/licd.log"
eff=$(secs_of "s['time']['effective']")
check "clock back: effective time is the signed clock, not the wall clock" \
	test "${eff:-0}" -ge $(($(date +%s) - 600))
check_eq "clock back: the status is still fresh by signed time" \
	true "json.dumps(L('$LID')['status']['fresh'])"
mk_status st2.doc 2
expect_import_ok "clock back: a status issued now (2 days ahead of the wall clock) is accepted" st2.doc
mk_status st3.doc 2 --exp "$(date -u -d "@$((STATUS_IAT + 4))" +%Y-%m-%dT%H:%M:%SZ)"
expect_import_ok "clock back: a status expiring in 4 s is accepted" st3.doc
if wait_for 15 sj_is false "json.dumps(L('$LID')['status']['fresh'])"; then
	ok "clock back: the status goes stale at its exp by signed time (the wall clock says 2 days left)"
else
	nok "clock back: the status goes stale at its exp by signed time (the wall clock says 2 days left)"
fi
check_eq "clock back: stale is among the reasons" true \
	"json.dumps('stale' in L('$LID')['reasons'])"
IAT=$(ts 900) mk_status st4.doc 2
expect_import_reject st4.doc not-yet-valid \
	"clock back: a status 15 min ahead of the signed clock is not-yet-valid"
echo "+0" >"$T/faketime.rc"
if wait_for 15 sj_is false "json.dumps(s['time']['clock_rollback'])"; then
	ok "the alarm clears when the wall clock catches up"
else
	nok "the alarm clears when the wall clock catches up"
fi
check "the audit log records clock-rollback-cleared" \
	grep -q '"alarm":"clock-rollback-cleared"' "$STATE/audit.log"
LC audit verify >audit.out 2>&1
check "the audit log verifies" test $? -eq 0
show audit.out 2
licd_stop
lib_finish
