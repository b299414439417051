#!/bin/bash
# SPDX-License-Identifier: MIT
# Inside the container (licd-systest.service, after licd.service): licd
# under a real systemd 252 as packaged (Type=notify, STATUS=, the watchdog,
# User=licd, hardening, sysusers, tmpfiles), journald events, licctl as
# root and as nobody, a licence and 2-of-3 orders signed here with licissue
# and the ministry keys the host made, the privileged enforcer stopping and
# masking the product's units (no licence, suspend; also a unit file in
# /etc, and orders in quick succession) and unmasking them (reinstate), the
# inbox, reload (also of a bad configuration), restart, kill -9 and a
# watchdog timeout with the state kept, and a clean stop.
. "$(dirname "$0")/lib.sh"

K=/var/lib/licd-systest/keys
D=/var/lib/licd-systest/docs
SNAP=$R/status
mkdir -p "$D" "$SNAP"
cd "$D" || exit 1
LID=IL-2026-0042
ID_START=0b2d591b41a74a9cbe59665ac4f02c9b
ID_RELOAD=5044a00735f54781ad8429e2bce6e260
ID_STOP=42535f9250cc43d69d4628dcff227113
nsnap=0

LC() { timeout 20 licctl "$@"; }
# status_json FILE: licctl status --json (as root) into FILE.
status_json() { LC status --json >"$1" 2>"$1.err"; }
# snap STATE SEQ: save a status snapshot that the host checks with python3
# (the licence is in STATE, its order in force has SEQ or "none").
snap() {
	nsnap=$((nsnap + 1))
	status_json "$SNAP/$(printf %02d "$nsnap")-$1-$2.json"
}
state_now() { status_json "$D/st.json" && jstr "$D/st.json" state; }
state_is() { [ "$(state_now)" = "$1" ]; }
# expect_state NAME STATE [SEQ ACTION]: the licence is in STATE (waiting up
# to 10 s), with that order in force; a snapshot is saved.
expect_state() {
	local name=$1 want=$2 order=${3:-} got
	wait_for 10 state_is "$want"
	status_json "$D/st.json"
	got="$(jstr "$D/st.json" state) / $(jorder "$D/st.json")"
	if [ "$(jstr "$D/st.json" state)" = "$want" ] &&
	    { [ -z "$order" ] || [ "$(jorder "$D/st.json")" = "$order" ]; }; then
		ok "$name"
	else
		nok "$name (got $got, want $want / ${order:-any})"
		show "$D/st.json.err" 3
	fi
	o=${order%% *}
	[ -z "$o" ] || [ "$o" = null ] && o=none
	snap "$want" "$o"
}
# imp NAME FILE...: licctl import, expected to succeed.
imp() {
	local name=$1 rc
	shift
	LC import "$@" >"$D/imp.out" 2>"$D/imp.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok "$name"; else
		nok "$name (licctl import exit $rc)"
		show "$D/imp.err" 3
	fi
}
mainpid() { prop licd MainPID; }
licd_running() { is_prop licd ActiveState active && is_prop licd SubState running; }
# order DOC SEQ ACTION [options]: signed by the Ministry of Defence, then
# cosigned by Foreign Affairs (2 of 3).
order() {
	local out=$1 seq=$2 action=$3
	shift 3
	licissue order --lid "$LID" --seq "$seq" --action "$action" \
		--iat "$(ts -5)" --reason "System test order $seq" \
		--ref "SYS-$seq" --key "$K/mod.key" "$@" >"$out.1" 2>"$D/err" &&
	licissue cosign --key "$K/mofa.key" "$out.1" >"$out" 2>>"$D/err" ||
		{ nok "licissue order $seq $action"; show "$D/err"; }
}
jcount() { journalctl -b --no-pager -o json "$@" 2>/dev/null | grep -c .; }

# --- boot: licd under systemd ---------------------------------------------------
up=$(($(cut -d' ' -f1 /proc/uptime | cut -d. -f1) - $(cut -d' ' -f22 /proc/1/stat) / $(getconf CLK_TCK)))
note "systemd $(systemctl --version | head -1 | cut -d' ' -f2), the test unit started ${up} s after boot"
check_prop "licd.service is Type=notify" licd Type notify
if licd_running; then
	ok "licd.service is active (running) after boot: READY=1 reached"
else
	nok "licd.service is active (running) after boot ($(prop licd ActiveState)/$(prop licd SubState), Result=$(prop licd Result))"
	journalctl -b -u licd --no-pager | tail -15 >"$D/j.txt"
	show "$D/j.txt" 15
fi
st=$(prop licd StatusText)
if [ -n "$st" ]; then ok "StatusText is set from STATUS= ($st)"; else nok "StatusText is set from STATUS="; fi
check_prop "licd-enforce.path is active (enabled via licd.service's Wants=)" licd-enforce.path ActiveState active
check "failed units: none at boot" test -z "$(systemctl --failed --no-legend --plain)"
systemctl --failed --no-legend --plain | head -5 >"$D/failed.txt"; show "$D/failed.txt"

# sysusers, tmpfiles, StateDirectory
check "sysusers: user licd exists" getent passwd licd
check "sysusers: group licd-admin exists" getent group licd-admin
LICD_UID=$(id -u licd 2>/dev/null || echo none)
pid=$(mainpid)
uids=$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null | tr -s '\t ' ' ')
if [ "$pid" != 0 ] && [ "$uids" = "$LICD_UID $LICD_UID $LICD_UID $LICD_UID" ] && [ "$LICD_UID" != 0 ]; then
	ok "licd runs as user licd (uid $LICD_UID), not root"
else
	nok "licd runs as user licd (MainPID $pid, Uid: $uids, licd is $LICD_UID)"
fi
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
check "licd has no capabilities (CapEff $capeff)" test "$capeff" = 0000000000000000
check "state_dir /var/lib/licd: owner licd, mode 0700" \
	test "$(stat -c '%U %a' /var/lib/licd 2>&1)" = "licd 700"
check "device.key: owner licd, mode 0600" \
	test "$(stat -c '%U %a' /var/lib/licd/device.key 2>&1)" = "licd 600"
v=$(stat -c '%U:%G %a' /var/lib/licd-inbox 2>&1)
check "tmpfiles: the inbox /var/lib/licd-inbox is licd:licd-admin 2770 ($v)" \
	test "$v" = "licd:licd-admin 2770"
check "runtime_dir /run/licd holds licd.sock" test -S /run/licd/licd.sock

# No licence yet: the state is invalid, and the enforcer has stopped and
# masked the product's units (they are enabled, so they started at boot).
# interceptor.service is a vendor unit (/lib/systemd/system): a runtime
# mask hides it. interceptor-web.service is in /etc/systemd/system, which a
# runtime mask cannot hide: the enforcer blocks it with a drop-in.
check "no licence: the enforcement file says stop" grep -qx 'action stop' /run/licd/enforce
not_active() { ! systemctl -q is-active "$1"; }
masked() { [ "$(systemctl is-enabled "$1")" = masked-runtime ]; }
check "no licence: interceptor.service was stopped at boot" wait_for 15 not_active interceptor.service
check "no licence: interceptor.service is masked (masked-runtime)" wait_for 10 masked interceptor.service
check "no licence: interceptor-web.service (unit in /etc) was stopped" wait_for 10 not_active interceptor-web.service
if systemctl start interceptor.service interceptor-web.service 2>/dev/null; then
	nok "no licence: starting the product's units is refused (they started)"
else
	ok "no licence: starting the product's units is refused"
fi
both_stopped() { not_active interceptor.service && not_active interceptor-web.service; }
check "no licence: the units stay stopped" both_stopped
check_prop "licd-enforce.service ran and succeeded" licd-enforce.service Result success

# watchdog
check_prop "the watchdog is armed: WatchdogUSec=30s" licd WatchdogUSec 30s
wd0=$(prop licd WatchdogTimestampMonotonic)
wd_t0=$(date +%s)

# licctl status, as root and as an unprivileged user
if status_json "$D/s0.json" && grep -q '"schema_version" *: *1' "$D/s0.json"; then
	ok "licctl status --json as root"
else
	nok "licctl status --json as root (exit $?)"
	show "$D/s0.json.err" 3
fi
if timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
    licctl status --json >"$D/s1.json" 2>"$D/s1.err" &&
    grep -q '"schema_version" *: *1' "$D/s1.json"; then
	ok "licctl status --json as nobody (unprivileged)"
else
	nok "licctl status --json as nobody (unprivileged)"
	show "$D/s1.err" 3
fi

# the device key: from the signed activation request
DEV=
if LC request >"$D/request.doc" 2>"$D/err"; then
	DEV=$(msg_of "$D/request.doc" | grep -o '"device" *: *"k4\.pid\.[^"]*"' | sed 's/.*"\(k4\.pid\.[^"]*\)"$/\1/')
fi
if [ -n "$DEV" ] && [ "$DEV" = "$(jstr "$D/s0.json" device)" ]; then
	ok "licctl request: the device key id ($DEV) is the one in status"
else
	nok "licctl request: the device key id (request '$DEV', status '$(jstr "$D/s0.json" device)')"
	show "$D/err" 3
fi

# --- a licence, fresh: active ---------------------------------------------------
licissue licence --lid "$LID" --iat "$(ts -600)" --vendor "Example Cyber Ltd" \
	--product interceptor --country XX \
	--agency "National Counter-Terrorism Unit" \
	--declaration "sha256:$(printf '%064d' 0)" --device "${DEV:-k4.pid.none}" \
	--purpose terrorism --purpose serious-crime \
	--feature sms.intercept:10 --feature geo.locate --max-age 72h \
	--ladder 0s:restricted:geo.locate --ladder 168h:suspended \
	--key "$K/lic.key" >licence.doc 2>"$D/err" || { nok "licissue licence"; show "$D/err"; }
licissue status --lid "$LID" --device "${DEV:-k4.pid.none}" --seq 0 \
	--key "$K/sta.key" >status.doc 2>"$D/err" || { nok "licissue status"; show "$D/err"; }
timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
    licctl import licence.doc >/dev/null 2>"$D/s2.err"
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'permission-denied' "$D/s2.err" && status_json "$D/s2.json" &&
    ! grep -q "$LID" "$D/s2.json"; then
	ok "licctl import as nobody is refused (permission-denied), nothing changes"
else
	nok "licctl import as nobody is refused (exit $rc: $(head -1 "$D/s2.err"))"
fi
imp "import the licence and a status" licence.doc status.doc
expect_state "the licence is active and fresh" active null
q=$(LC query interceptor sms.intercept terrorism 2>&1)
check "licctl query: sms.intercept allowed ($q)" test "$q" = allowed
check "active: the enforcement file says run" wait_for 5 grep -qx 'action run' /run/licd/enforce
unmasked() { [ "$(systemctl is-enabled "$1")" = enabled ]; }
check "active: licd-enforce unmasked interceptor.service (is-enabled: enabled)" \
	wait_for 15 unmasked interceptor.service
check "active: the product's units stay stopped until the operator starts them" both_stopped
check "active: the operator starts interceptor.service and interceptor-web.service" \
	systemctl start interceptor.service interceptor-web.service

# --- 2-of-3 restrict: restricted ------------------------------------------------
order o1.doc 1 restrict --keep geo.locate --purpose terrorism
LC import o1.doc.1 >/dev/null 2>"$D/imp.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'threshold' "$D/imp.err"; then
	ok "a restrict order with 1 of 3 signatures is rejected (threshold)"
else
	nok "a restrict order with 1 of 3 signatures is rejected (exit $rc: $(head -1 "$D/imp.err"))"
fi
imp "import a 2-of-3 restrict order (seq 1)" o1.doc
expect_state "restrict order: the licence is restricted" restricted "1 restrict"
q=$(LC query interceptor sms.intercept terrorism 2>&1)
check "restricted: sms.intercept is denied ($q)" test "${q%% *}" = denied
q=$(LC query interceptor geo.locate terrorism 2>&1)
check "restricted: geo.locate for terrorism is allowed ($q)" test "$q" = allowed
q=$(LC query interceptor geo.locate serious-crime 2>&1)
check "restricted: geo.locate for serious-crime is denied ($q)" test "${q%% *}" = denied
check "restricted: the enforcement file says run" grep -qx 'action run' /run/licd/enforce
sleep 1
check "restricted: the product's units keep running" \
	systemctl -q is-active interceptor.service interceptor-web.service

# journald: structured events
check "journald: licd's start event (MESSAGE_ID=$ID_START)" \
	test "$(jcount -u licd MESSAGE_ID=$ID_START)" -ge 1
check "journald: the start event comes from uid licd (native protocol, _UID)" \
	test "$(jcount -u licd MESSAGE_ID=$ID_START _UID="$LICD_UID")" -ge 1
journalctl -b -u licd --no-pager -o json >"$D/journal.json" 2>/dev/null
check "journald: events with LICD_LID=$LID" \
	test "$(jcount -u licd LICD_LID=$LID)" -ge 1
check "journald: a state change event with LICD_STATE=restricted" \
	test "$(jcount -u licd LICD_STATE=restricted)" -ge 1
n=$(grep -c '"MESSAGE_ID" *: *"[0-9a-f]\{32\}"' "$D/journal.json")
m=$(grep -o '"LICD_[A-Z_]*"' "$D/journal.json" | sort -u | tr -d '"' | tr '\n' ' ')
check "journald: -o json shows MESSAGE_IDs ($n) and LICD_* fields ($m)" \
	test "$n" -ge 3 -a -n "$m"

# --- suspend: the enforcer stops and masks the product --------------------------
order o2.doc 2 suspend
imp "import a 2-of-3 suspend order (seq 2)" o2.doc
expect_state "suspend order: the licence is suspended" suspended "2 suspend"
check "suspended: the enforcement file says stop interceptor.service" \
	grep -qx 'unit interceptor.service' /run/licd/enforce
grep -q '^action stop$' /run/licd/enforce || { note "enforce file:"; show /run/licd/enforce 8; }
if wait_for 15 both_stopped; then
	ok "suspended: licd-enforce stopped interceptor.service and interceptor-web.service"
else
	nok "suspended: licd-enforce stopped the product's units ($(systemctl is-active interceptor.service interceptor-web.service | tr '\n' ' '))"
	journalctl -b -u licd-enforce.service -u licd-enforce.path --no-pager | tail -8 >"$D/j.txt"
	show "$D/j.txt" 8
fi
if wait_for 10 masked interceptor.service; then
	ok "suspended: interceptor.service is masked (is-enabled: masked-runtime)"
else
	nok "suspended: interceptor.service is masked (is-enabled: $(systemctl is-enabled interceptor.service))"
fi
check_prop "licd-enforce.service ran and succeeded" licd-enforce.service Result success
if systemctl start interceptor.service 2>/dev/null; then
	nok "suspended: starting interceptor.service is refused (it started)"
else
	ok "suspended: starting interceptor.service is refused"
fi
if systemctl start interceptor-web.service 2>"$D/err"; then
	nok "suspended: starting interceptor-web.service (unit in /etc) is refused (it started)"
else
	ok "suspended: starting interceptor-web.service (unit in /etc) is refused"
fi
check "suspended: the product's units stay stopped" both_stopped
q=$(LC query interceptor geo.locate terrorism 2>&1)
check "suspended: geo.locate is denied ($q)" test "${q%% *}" = denied

# --- reinstate: unmasked --------------------------------------------------------
order o3.doc 3 reinstate
imp "import a 2-of-3 reinstate order (seq 3)" o3.doc
expect_state "reinstate order: the licence is active again" active "3 reinstate"
if wait_for 15 unmasked interceptor.service; then
	ok "reinstated: licd-enforce unmasked interceptor.service (is-enabled: enabled)"
else
	nok "reinstated: licd-enforce unmasked interceptor.service (is-enabled: $(systemctl is-enabled interceptor.service))"
	journalctl -b -u licd-enforce.service --no-pager | tail -5 >"$D/j.txt"
	show "$D/j.txt" 5
fi
# The enforcer unmasks both units asynchronously (the unit in /etc through
# a drop-in and a daemon-reload): allow it a moment, as an operator would.
check "reinstated: the operator can start the product's units again" \
	wait_for 15 systemctl start interceptor.service interceptor-web.service
check "reinstated: the product's units run" \
	systemctl -q is-active interceptor.service interceptor-web.service
LC import o2.doc >/dev/null 2>&1
expect_state "replaying the suspend order (seq 2) changes nothing" active "3 reinstate"

# a state that is not the default one, for the persistence checks
order o4.doc 4 restrict --keep geo.locate
imp "import a 2-of-3 restrict order (seq 4)" o4.doc
expect_state "restrict order seq 4: restricted" restricted "4 restrict"

# watchdog pings: systemd records each WATCHDOG=1 (at most 30 s apart, and
# licd pings well within that); wait up to 20 s from the first reading.
wd_changed() { [ "$(prop licd WatchdogTimestampMonotonic)" != "$wd0" ]; }
left=$((wd_t0 + 20 - $(date +%s)))
[ "$left" -lt 1 ] && left=1
if [ "$wd0" != 0 ] && wait_for "$left" wd_changed; then
	ok "systemd receives WATCHDOG=1 pings (WatchdogTimestamp moves)"
else
	nok "systemd receives WATCHDOG=1 pings (WatchdogTimestampMonotonic $wd0 -> $(prop licd WatchdogTimestampMonotonic))"
fi

# --- the inbox: a member of licd-admin drops a document -------------------------
# (a status naming every order; the drop is a rename, so licd never sees a
# half-written file)
ADMIN_GID=$(getent group licd-admin | cut -d: -f3)
IAT2=$(ts 0)
licissue status --lid "$LID" --device "${DEV:-k4.pid.none}" --seq 4 --iat "$IAT2" \
	--key "$K/sta.key" >status2.doc 2>"$D/err" || { nok "licissue status"; show "$D/err"; }
if [ -n "$ADMIN_GID" ] && timeout 10 setpriv --reuid=nobody --regid=nogroup \
    --groups="$ADMIN_GID" sh -c 'umask 022; cp "$1" /var/lib/licd-inbox/.status2.tmp &&
    mv /var/lib/licd-inbox/.status2.tmp /var/lib/licd-inbox/status2.doc' sh status2.doc 2>"$D/err"; then
	ok "inbox: a licd-admin member (not root) can drop a document in /var/lib/licd-inbox"
else
	nok "inbox: a licd-admin member can drop a document in /var/lib/licd-inbox ($(stat -c '%U:%G %a' /var/lib/licd-inbox 2>&1))"
	show "$D/err" 2
	cp status2.doc /var/lib/licd-inbox/status2.doc	# as root, for the rest
fi
check "inbox: licd takes it (moved to processed/)" \
	wait_for 10 test -f /var/lib/licd-inbox/processed/status2.doc
new_status() { status_json "$D/st.json" && jflat "$D/st.json" | grep -q "\"iat\" *: *\"$IAT2\""; }
check "inbox: the new status is in force (status iat $IAT2)" wait_for 5 new_status
expect_state "inbox: still restricted, order seq 4" restricted "4 restrict"

# --- reload ---------------------------------------------------------------------
# systemd logs every notification it receives at debug level: on for the
# reload only.
pid=$(mainpid)
nrel=$(jcount -u licd MESSAGE_ID=$ID_RELOAD)
systemd-analyze log-level debug
if timeout 30 systemctl reload licd.service 2>"$D/err"; then
	ok "systemctl reload licd: exit 0"
else
	nok "systemctl reload licd"
	show "$D/err" 3
fi
reloaded() { [ "$(jcount -u licd MESSAGE_ID=$ID_RELOAD)" -gt "$nrel" ]; }
check "reload: licd reloaded its configuration (MESSAGE_ID=$ID_RELOAD)" wait_for 10 reloaded
sleep 0.5
systemd-analyze log-level info
journalctl -b --no-pager -u licd.service -g 'notification message' >"$D/notify.txt" 2>&1
check "reload: systemd got RELOADING=1 from licd's main PID" \
	grep -q "Got notification message from PID $pid .*RELOADING=1" "$D/notify.txt"
check "reload: then READY=1 with STATUS=" \
	grep -q "Got notification message from PID $pid .*READY=1.*STATUS=" "$D/notify.txt"
grep -q RELOADING=1 "$D/notify.txt" || show "$D/notify.txt" 5
wait_for 10 licd_running
check "reload: the same process, active (running) again after RELOADING=1/READY=1" \
	test "$(mainpid)" = "$pid" -a "$(prop licd ActiveState)/$(prop licd SubState)" = active/running
expect_state "reload: the state is kept" restricted "4 restrict"
# a configuration licd refuses: the reload fails, licd runs on unchanged
cp /etc/licd/licd.conf "$D/licd.conf.good"
echo 'no_such_key = "x";' >>/etc/licd/licd.conf
if timeout 30 systemctl reload licd.service 2>"$D/err"; then
	nok "reload of a bad configuration: systemctl reload fails (it succeeded)"
else
	ok "reload of a bad configuration: systemctl reload fails"
fi
wait_for 10 licd_running
check "reload of a bad configuration: licd keeps running, same process" \
	test "$(mainpid)" = "$pid" -a "$(prop licd ActiveState)/$(prop licd SubState)" = active/running
cp "$D/licd.conf.good" /etc/licd/licd.conf
check "reload with the configuration restored: exit 0" timeout 30 systemctl reload licd.service

# --- restart: persistence -------------------------------------------------------
if timeout 60 systemctl restart licd.service 2>"$D/err"; then
	ok "systemctl restart licd: exit 0"
else
	nok "systemctl restart licd"
	show "$D/err" 3
fi
check "restart: a new process, active (running)" \
	test "$(mainpid)" != "$pid" -a "$(mainpid)" != 0 -a "$(prop licd SubState)" = running
check "restart: licd logged a clean stop (MESSAGE_ID=$ID_STOP)" \
	test "$(jcount -u licd MESSAGE_ID=$ID_STOP)" -ge 1
expect_state "restart: the state is kept" restricted "4 restrict"
status_json "$D/s3.json"
check "restart: the same device key" test "$(jstr "$D/s3.json" device)" = "$DEV"

# --- kill -9: Restart=always ----------------------------------------------------
pid=$(mainpid)
nr=$(prop licd NRestarts)
kill -9 "$pid"
restarted() { [ "$(mainpid)" != "$pid" ] && [ "$(mainpid)" != 0 ] && licd_running; }
if wait_for 20 restarted; then
	ok "kill -9: systemd restarts licd (Restart=always)"
else
	nok "kill -9: systemd restarts licd ($(prop licd ActiveState)/$(prop licd SubState), MainPID $(mainpid))"
fi
check "kill -9: NRestarts went up ($nr -> $(prop licd NRestarts))" \
	test "$(prop licd NRestarts)" -gt "$nr"
expect_state "kill -9: the state is kept" restricted "4 restrict"
status_json "$D/s4.json"
check "kill -9: the same device key" test "$(jstr "$D/s4.json" device)" = "$DEV"

# --- the watchdog fires on a hung licd --------------------------------------------
# A runtime drop-in shortens the interval to 4 s; SIGSTOP hangs licd.
mkdir -p /run/systemd/system/licd.service.d
printf '[Service]\nWatchdogSec=4s\n' >/run/systemd/system/licd.service.d/50-systest.conf
systemctl daemon-reload
systemctl restart licd.service
wait_for 10 licd_running
pid=$(mainpid)
nr=$(prop licd NRestarts)
kill -STOP "$pid"
if wait_for 25 restarted; then
	ok "a hung licd (SIGSTOP) is killed by the watchdog and restarted"
else
	nok "a hung licd (SIGSTOP) is killed by the watchdog and restarted ($(prop licd ActiveState)/$(prop licd SubState))"
	kill -CONT "$pid" 2>/dev/null
fi
wdlog() { journalctl -b -u licd --no-pager | grep -qi 'watchdog timeout'; }
check "the journal says Watchdog timeout" wait_for 5 wdlog
rm -rf /run/systemd/system/licd.service.d
systemctl daemon-reload
systemctl restart licd.service
wait_for 10 licd_running
expect_state "after the watchdog restart: the state is kept" restricted "4 restrict"

# --- orders in quick succession ---------------------------------------------------
# licd rewrites the enforcement file while the enforcer is still busy with
# the previous version (a start of licd-enforce.service then merges into
# the running one): the last word must win all the same.
order o5.doc 5 suspend
imp "import a suspend order (seq 5)" o5.doc
check "suspend seq 5: the product's units are stopped" wait_for 15 both_stopped
check "suspend seq 5: interceptor.service is masked" wait_for 10 masked interceptor.service
order o6.doc 6 reinstate
order o7.doc 7 suspend
LC import o6.doc >/dev/null 2>&1
sleep 0.3
LC import o7.doc >/dev/null 2>&1
expect_state "reinstate (seq 6) then, 0.3 s later, suspend (seq 7): suspended" suspended "7 suspend"
enforcer_idle() { is_prop licd-enforce.service ActiveState inactive; }
wait_for 15 enforcer_idle
sleep 1
wait_for 15 enforcer_idle
v=$(systemctl is-enabled interceptor.service)
check "seq 6 then 7 in quick succession: interceptor.service ends masked ($v)" test "$v" = masked-runtime
if systemctl start interceptor-web.service 2>/dev/null; then
	nok "seq 6 then 7 in quick succession: starting interceptor-web.service is refused (it started)"
	systemctl stop interceptor-web.service
else
	ok "seq 6 then 7 in quick succession: starting interceptor-web.service is refused"
fi

# --- stop -----------------------------------------------------------------------
t=$(date +%s)
systemctl stop licd.service
check "systemctl stop licd: inactive within TimeoutStopSec, Result=success ($(($(date +%s) - t)) s)" \
	test "$(prop licd ActiveState)/$(prop licd Result)" = inactive/success

journalctl -b --no-pager >"$R/journal.txt" 2>&1
journalctl -b -u licd --no-pager -o json >"$R/licd-journal.json" 2>&1
guest_done
exit 0
