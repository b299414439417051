#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sd_notify protocol, as systemd (Type=notify, WatchdogSec=) sees it: a
# real NOTIFY_SOCKET datagram socket and WATCHDOG_USEC. READY=1 once the
# state is loaded and the socket answers, STATUS= a one-line summary,
# WATCHDOG=1 pings well within the interval, RELOADING=1 then READY=1 on
# SIGHUP and licctl reload (also when the new configuration is refused),
# STOPPING=1 on SIGTERM.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh"

lib_init
lib_keys
lib_conf

# The listener: one line per datagram, "<monotonic seconds> <message with
# newlines as |>"; on READY=1 it connects to licd.sock at once and logs
# "<t> CONNECT ok|fail" (READY must mean "the socket answers").
cat >"$T/listen.py" <<'PY'
import os, socket, sys, time
path, sock_path, log = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(1)
end = time.monotonic() + 240
with open(log, "a", buffering=1) as out:
    while time.monotonic() < end:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        t = time.monotonic()
        out.write("%.3f %s\n" % (t, data.decode("utf-8", "replace").replace("\n", "|")))
        if b"READY=1" in data:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(sock_path)
                out.write("%.3f CONNECT ok\n" % t)
            except OSError as e:
                out.write("%.3f CONNECT fail %s\n" % (t, e))
            c.close()
PY
NLOG=$T/notify.log
: >"$NLOG"
bg "$PY" "$T/listen.py" "$T/notify.sock" "$SOCK" "$NLOG"
wait_for 5 test -S "$T/notify.sock" || nok "the test's NOTIFY_SOCKET listener starts"

# count PATTERN: datagrams so far matching PATTERN (extended regex).
count() { grep -cE "$1" "$NLOG"; }
# after N PATTERN: a datagram matching PATTERN among lines after line N.
after() { tail -n +"$(($1 + 1))" "$NLOG" | grep -qE "$2"; }
# reload_seen N: after line N, RELOADING=1 and then READY=1.
reload_seen() {
	tail -n +"$(($1 + 1))" "$NLOG" | grep -oE 'RELOADING=1|READY=1' |
		tr '\n' ' ' | grep -q '^RELOADING=1 .*READY=1'
}

licd_start NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=2000000 ||
	nok "licd starts under NOTIFY_SOCKET"
if wait_for 10 grep -q 'READY=1' "$NLOG"; then
	ok "READY=1 is sent at start"
else
	nok "READY=1 is sent at start"
fi
check "READY=1 comes once the socket answers" \
	grep -q 'CONNECT ok' <(grep -m2 -A1 'READY=1' "$NLOG" | grep CONNECT | head -1)
check "STATUS= with a one-line summary is sent with (or before) READY" \
	grep -qE '^[0-9.]+ (.*\|)?STATUS=[^|]{8,}' <(sed -n '1,/READY=1/p' "$NLOG")
check "exactly one READY=1 at start" test "$(count 'READY=1')" -eq 1

# Watchdog: WATCHDOG_USEC=2 s, so pings at least every second or so; the
# largest gap over 5 s must stay below the interval.
n0=$(count 'WATCHDOG=1')
sleep 5
n1=$(count 'WATCHDOG=1')
check "WATCHDOG=1 pings while running (at least 3 in 5 s with WatchdogSec=2)" \
	test $((n1 - n0)) -ge 3
gap=$(grep 'WATCHDOG=1' "$NLOG" | awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { printf "%d", g * 1000 }')
check "WATCHDOG=1 gaps stay below WATCHDOG_USEC (largest ${gap} ms)" \
	test -n "$gap" -a "${gap:-9999}" -lt 2000

# SIGHUP: RELOADING=1 (with MONOTONIC_USEC, as Type=notify-reload wants),
# then READY=1 again.
n=$(wc -l <"$NLOG")
kill -HUP "$LICD_PID"
if wait_for 10 after "$n" 'READY=1'; then
	ok "SIGHUP: READY=1 after the reload"
else
	nok "SIGHUP: READY=1 after the reload"
fi
check "SIGHUP: RELOADING=1 before it" after "$n" 'RELOADING=1'
check "SIGHUP: RELOADING=1 carries MONOTONIC_USEC" after "$n" 'RELOADING=1.*MONOTONIC_USEC=[0-9]+'
check "SIGHUP: RELOADING=1 comes before READY=1" reload_seen "$n"

n=$(wc -l <"$NLOG")
LC reload >reload.out 2>&1
check "licctl reload: exit 0" test $? -eq 0
check "licctl reload: RELOADING=1 then READY=1" wait_for 5 reload_seen "$n"

# A configuration that does not load: refused, the old one kept, and the
# protocol still goes RELOADING=1 -> READY=1.
cp "$T/licd.conf" "$T/licd.conf.good"
echo 'no_such_key = "x";' >>"$T/licd.conf"
n=$(wc -l <"$NLOG")
LC reload >reload.out 2>&1
rc=$?
check "licctl reload of a bad configuration fails (exit 1)" test "$rc" -eq 1
check "the refused reload names FILE:LINE of the unknown key" grep -q "licd.conf:[0-9]*: .*no_such_key" reload.out
show reload.out 2
check "a refused reload still goes RELOADING=1 then READY=1" wait_for 5 reload_seen "$n"
n=$(wc -l <"$NLOG")
kill -HUP "$LICD_PID"
check "SIGHUP with a bad configuration: RELOADING=1 then READY=1" \
	wait_for 5 reload_seen "$n"
check "licd keeps running and answering after refused reloads" reachable
cp "$T/licd.conf.good" "$T/licd.conf"

# STATUS follows the state: a licence makes the summary name it.
device_kid
mk_licence lic.doc
mk_status st.doc 0
mk_order o1.doc 1 restrict --keep geo.locate
n=$(wc -l <"$NLOG")
imp lic.doc st.doc o1.doc
if wait_for 5 after "$n" "STATUS=[^|]*$LID[^|]*restricted"; then
	ok "STATUS= names the licence and its state after a change"
else
	nok "STATUS= names the licence and its state after a change"
	tail -n +"$((n + 1))" "$NLOG" | grep -v 'WATCHDOG=1$' | show - 3
fi

# SIGTERM: STOPPING=1, then a clean exit.
n=$(wc -l <"$NLOG")
licd_stop
check "SIGTERM: licd exits 0" test "${LICD_RC:-1}" -eq 0
check "SIGTERM: STOPPING=1 is sent" after "$n" 'STOPPING=1'
check "no WATCHDOG=1 after STOPPING=1" \
	test -z "$(sed -n '/STOPPING=1/,$p' "$NLOG" | tail -n +2 | grep 'WATCHDOG=1')"

# Without NOTIFY_SOCKET nothing is sent and licd runs the same.
n=$(wc -l <"$NLOG")
licd_start || nok "licd starts without NOTIFY_SOCKET"
check "without NOTIFY_SOCKET licd runs in the foreground and answers" reachable
sleep 1
check "without NOTIFY_SOCKET nothing is sent" test "$(wc -l <"$NLOG")" -eq "$n"
licd_stop
lib_finish
