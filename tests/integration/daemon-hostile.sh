#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A hostile machine (DESIGN 2, 5.2): an unprivileged peer may query but not
# import or administer; garbage, oversized and truncated frames, slow,
# silent, vanishing and non-reading peers and a flood of connections never
# stall or kill licd; a full and a read-only state directory (a small
# tmpfs, root only) make imports fail with io while licd keeps serving the
# last state, and after a restart the state is the last acknowledged one
# with nothing corrupted.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh"

lib_init
lib_keys
lib_conf
if ! licd_start; then
	nok "licd starts"
	lib_finish
fi
device_kid
mk_licence lic.doc
mk_status st0.doc 0
expect_import_ok "licence and status accepted" lic.doc st0.doc

# --- an unprivileged peer -----------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	skip "unprivileged peer: needs root to switch to nobody"
elif ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
	skip "unprivileged peer: no user nobody or group nogroup"
else
	AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	mkdir -p "$T/pub" && chmod 0755 "$T/pub"
	mk_order "$T/pub/o1.doc" 1 suspend
	chmod 0644 "$T/pub/o1.doc"
	# nobody may not be able to reach the build tree (a checkout under a
	# 0700 directory): run a copy of licctl (and liblicd beside it, found
	# through its $ORIGIN rpath) from the public directory.
	mkdir -p "$T/pub/bin" && chmod 0755 "$T/pub/bin"
	cp "$LICCTL" "$B"/liblicd.so.1 "$T/pub/bin/" && chmod 0755 "$T/pub/bin"/*
	nobody() { timeout 20 "${AS_NOBODY[@]}" "$T/pub/bin/licctl" --socket "$SOCK" "$@"; }
	nobody status >np.out 2>np.err
	check "nobody: licctl status answers (exit 0)" test $? -eq 0
	show np.err 2
	nobody status --json >np.out 2>np.err
	check "nobody: licctl status --json answers" \
		"$PY" -c 'import json,sys; json.load(open(sys.argv[1]))["licences"]' np.out
	out=$(nobody query interceptor geo.locate terrorism 2>&1)
	check "nobody: licctl query answers allowed (exit 0)" test "$out" = allowed
	nobody metrics >np.out 2>np.err
	check "nobody: licctl metrics answers" test $? -eq 0
	nobody import "$T/pub/o1.doc" >np.out 2>np.err
	rc=$?
	check "nobody: import is refused (exit 1, permission-denied)" \
		test "$rc" -eq 1 -a -n "$(grep "^$T/pub/o1.doc: permission-denied" np.err)"
	show np.err 2
	check_eq "nobody: the refused import changed nothing (no order)" null "L('$LID')['order']"
	for c in reload request checkpoint "audit verify"; do
		# shellcheck disable=SC2086
		nobody $c >np.out 2>np.err
		rc=$?
		check "nobody: licctl $c is refused (exit 1, permission-denied)" \
			test "$rc" -eq 1 -a -n "$(grep permission-denied np.err)"
	done
	# admin_group: a member may import.
	lib_conf 'admin_group = "nogroup";'
	LC reload >/dev/null 2>&1
	nobody import "$T/pub/o1.doc" >np.out 2>np.err
	rc=$?
	check "a member of admin_group (nogroup) may import" test "$rc" -eq 0
	show np.err 2
	lib_conf
	LC reload >/dev/null 2>&1
	mk_order "$T/pub/o2.doc" 2 reinstate
	chmod 0644 "$T/pub/o2.doc"
	nobody import "$T/pub/o2.doc" >np.out 2>np.err
	check "after admin_group is removed again, nobody is refused" \
		grep -q permission-denied np.err
	imp "$T/pub/o2.doc"
fi

# --- hostile bytes ----------------------------------------------------------------
cat >"$T/hostile.py" <<'PY'
# hostile.py SOCK MODE ARGS: one misbehaving peer; prints one result line.
import os, socket, struct, sys, time
path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def conn():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    return c
def hdr(length, typ, ver=1, flags=0, ident=1):
    return struct.pack(">IBBHI", length, ver, typ, flags, ident)
EOF = "eof"
def read_frame(c, timeout):
    """(type, id, body); None at a timeout; EOF when the peer closed."""
    c.settimeout(timeout)
    buf = b""
    try:
        while len(buf) < 12:
            d = c.recv(12 - len(buf))
            if not d:
                return EOF
            buf += d
        n = struct.unpack(">I", buf[:4])[0]
        while len(buf) < n:
            d = c.recv(min(65536, n - len(buf)))
            if not d:
                return EOF
            buf += d
    except socket.timeout:
        return None
    except ConnectionResetError:
        return EOF
    return buf[5], struct.unpack(">I", buf[8:12])[0], buf[12:]
def closed(c, timeout):
    """True when the daemon closes the connection within timeout."""
    c.settimeout(timeout)
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            if not c.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False
def error_reason(body):
    n = struct.unpack(">H", body[:2])[0]
    return body[2:2 + n].decode()
if mode == "frame":		# frame LEN VER TYPE FLAGS BODYHEX
    length, ver, typ, flags = (int(a, 0) for a in args[:4])
    c = conn()
    c.sendall(hdr(length, typ, ver, flags) + bytes.fromhex(args[4] if len(args) > 4 else ""))
    f = read_frame(c, 5)
    if f is None or f == EOF:
        print("no-reply")
    elif f[0] != 129:
        print("type-%d" % f[0])
    else:
        print("%s id=%d %s" % (error_reason(f[2]), f[1], "closed" if closed(c, 5) else "open"))
elif mode == "valid":		# a METRICS request
    c = conn()
    c.sendall(hdr(12, 7))
    f = read_frame(c, 5)
    print("type-%d" % (f[0] if f not in (None, EOF) else -1))
elif mode == "garbage":
    c = conn()
    try:
        c.sendall(os.urandom(int(args[0])))
    except (BrokenPipeError, ConnectionResetError):
        pass
    print("closed" if closed(c, 5) else "open")
elif mode == "vanish":		# half a frame, then gone
    c = conn()
    c.sendall(hdr(100, 1) + b"\x00\x05abc")
    c.close()
    print("gone")
elif mode == "slow":		# 6 bytes of a header, then nothing
    c = conn()
    c.sendall(hdr(12, 7)[:6])
    t = time.monotonic()
    print("closed %.1f" % (time.monotonic() - t) if closed(c, 25) else "open")
elif mode == "idle":		# connect, never send
    c = conn()
    time.sleep(float(args[0]))
    print("idle")
elif mode == "nonreader":	# pipelined METRICS, replies never read
    c = conn()
    c.setblocking(False)
    req = hdr(12, 7) * 100
    sent, end = 0, time.monotonic() + 5
    while sent < 30000 and time.monotonic() < end:
        try:
            sent += c.send(req) // 12
        except BlockingIOError:
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            break
    time.sleep(4)
    c.setblocking(True)
    replies = 0
    while True:
        f = read_frame(c, 5)
        if f is None or f == EOF:
            break
        replies += 1
    print("sent=%d replies=%d closed=%s" % (sent, replies, "yes" if f == EOF else "no"))
elif mode == "many":		# N connections at once, held HOLD s
    import resource
    n, hold = int(args[0]), float(args[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, hard))
    cs = []
    for i in range(n):
        try:
            cs.append(conn())
        except OSError:
            break
    time.sleep(1)
    shut = 0
    for c in cs:
        c.setblocking(False)
        try:
            if c.recv(1) == b"":
                shut += 1
        except BlockingIOError:
            pass
        except OSError:
            shut += 1
    time.sleep(hold)
    print("connected=%d closed=%d" % (len(cs), shut))
PY
H() { timeout 60 "$PY" "$T/hostile.py" "$SOCK" "$@" 2>&1; }
alive() { licd_alive && reachable; }

check "a well-formed METRICS frame gets R_TEXT (the test's framing is right)" \
	test "$(H valid)" = type-132
# frame_error NAME WANT LEN VER TYPE FLAGS [BODYHEX]: R_ERROR WANT (id 0),
# then the connection is closed, and licd still answers others.
frame_error() {
	local name=$1 want=$2 got
	shift 2
	got=$(H frame "$@")
	check "$name: R_ERROR $want, id 0, connection closed" \
		test "$got" = "$want id=0 closed"
	[ "$got" = "$want id=0 closed" ] || note "got: $got"
}
frame_error "version 2" malformed 12 2 7 0
frame_error "non-zero flags" malformed 12 1 7 1
frame_error "unknown type 99" malformed 12 1 99 0
frame_error "a reply type (R_OK) sent to the daemon" malformed 14 1 128 0 0000
frame_error "METRICS longer than its type allows" too-large 13 1 7 0 00
frame_error "QUERY shorter than its type needs" malformed 12 1 1 0
frame_error "a length prefix of 2 GiB" too-large 0x7fffffff 1 16 0
frame_error "IMPORT one byte over its maximum" too-large 65810 1 16 0
frame_error "a string running past the frame" malformed 18 1 1 0 001000000000
frame_error "a NUL inside a string" malformed 20 1 1 0 0002610000000000
frame_error "bytes after the last field" malformed 19 1 1 0 00000000000000
frame_error "an EXPLAIN string length past the end" malformed 16 1 6 0 00050000
check "licd answers after the malformed frames" alive
got=$(H garbage 4096)
check "4 KiB of random bytes: the connection is closed" test "$got" = closed
got=$(H garbage 1048576)
check "1 MiB of random bytes: the connection is closed" test "$got" = closed
for i in 1 2 3 4 5; do H garbage $((RANDOM % 2000 + 1)) >/dev/null; done
check "licd answers after garbage" alive
for i in $(seq 20); do H vanish >/dev/null; done
check "licd answers after 20 peers vanished mid-frame" alive

bg H idle 30 >/dev/null
idle_pid=${BG_PIDS[-1]}
t0=$(date +%s)
H slow >slow.out &
slow_pid=$!
sleep 1
quick() { timeout 3 "$LICCTL" --socket "$SOCK" metrics >/dev/null 2>&1; }
check "with a silent peer and a half-sent frame pending, licd answers others at once" \
	quick
check "with a silent peer and a half-sent frame pending, an import completes" \
	imp lic.doc
wait "$slow_pid"
got=$(cat slow.out)
check "a peer that stops mid-header is cut off (within 10-25 s: $got)" \
	grep -q '^closed' slow.out
kill "$idle_pid" 2>/dev/null

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$LICD_PID/status" 2>/dev/null; }
rss0=$(rss)
H nonreader >nonreader.out &
nr_pid=$!
sleep 7		# it sends for 5 s, then reads nothing for 4 s
rss1=$(rss)
wait "$nr_pid"
got=$(cat nonreader.out)
note "non-reading peer: $got; licd RSS ${rss0:-?} kB before, ${rss1:-?} kB while it did not read"
# ASan's shadow memory and quarantine make RSS meaningless there.
if ldd "$LICD" 2>/dev/null | grep -q libasan; then
	skip "a peer that never reads: memory bound not measured in an ASan build"
else
	check "a peer that never reads: licd's memory stays bounded (< +16 MiB)" \
		test -n "$rss0" -a -n "$rss1" -a "${rss1:-0}" -lt $((${rss0:-0} + 16384))
fi
check "a peer that never reads its replies is cut off" grep -q 'closed=yes' nonreader.out
check "licd answers after the non-reading peer" alive

# The peer limit of this licd (doc/PROTOCOL.md §7), and 44 more.
max=$(sed -n 's/^#define SRV_MAX_CONNS[[:space:]]*\([0-9]*\).*/\1/p' "$SRC/daemon/server.h")
max=${max:-256}
# Admin peers (root here) may use SRV_ADMIN_RESERVE slots beyond the limit.
reserve=$(sed -n 's/^#define SRV_ADMIN_RESERVE[[:space:]]*\([0-9]*\).*/\1/p' "$SRC/daemon/server.h")
[ "$(id -u)" -eq 0 ] || reserve=0
got=$(H many $((max + 44)) 2)
note "$((max + 44)) peers: $got"
check "$((max + 44)) simultaneous peers: the $((44 - ${reserve:-0})) over the limit of $max (+${reserve:-0} admin) are closed at accept" \
	test "$(echo "$got" | sed -n 's/.*closed=\([0-9]*\).*/\1/p')" -ge $((44 - ${reserve:-0}))
check "licd answers after $((max + 44)) simultaneous peers" alive

# An unprivileged user who holds every connection slot (idle peers are
# legitimate: subscribers wait silently) must not lock the administrator
# out: orders still have to get in over the socket.
if [ -n "${AS_NOBODY+x}" ]; then
	"${AS_NOBODY[@]}" timeout 30 "$PY" "$T/hostile.py" "$SOCK" many "$max" 8 >hold.out 2>&1 &
	hold_pid=$!
	BG_PIDS+=("$hold_pid")
	sleep 3
	mk_status st-held.doc 0
	imp st-held.doc
	rc=$IMP_RC
	check "while nobody holds all $max connection slots, root can still import" \
		test "$rc" -eq 0
	show "$T/imp.err" 2
	wait "$hold_pid" 2>/dev/null
	check "licd answers once the slots are free again" alive
fi
check_eq "the state is unchanged by all this" active "L('$LID')['state']"

# --- a full and a read-only state directory ------------------------------------
# sums DIR: "sha256 path" of every file the store keeps whole (not the
# audit log and the clock, which grow and move), sorted.
sums() {
	(cd "$1" && find . -type f ! -name audit.log ! -name clock ! -name 'fill*' \
		! -name '.#tmp.*' -print0 | sort -z | xargs -0r sha256sum)
}
# subset A B: every line of file A is in file B.
subset() { [ -z "$(comm -23 <(sort "$1") <(sort "$2"))" ]; }

if [ "$(id -u)" -ne 0 ]; then
	skip "full and read-only state directory: needs root to mount a tmpfs"
	licd_stop
	lib_finish
fi
licd_stop
STATE=$T/small
SIZE=${HOSTILE_TMPFS_SIZE:-64k}
if ! lib_mount "$STATE" "$SIZE"; then
	skip "full and read-only state directory: cannot mount a tmpfs"
	lib_finish
fi
lib_conf
licd_start || nok "licd starts on a $SIZE tmpfs state_dir"
device_kid
mk_licence lic2.doc
mk_status st2.doc 0
expect_import_ok "on a $SIZE tmpfs: licence and status accepted" lic2.doc st2.doc
before=$(state_digest)
sums "$STATE" >sums.before
dd if=/dev/zero of="$STATE/fill" bs=4096 2>/dev/null
dd if=/dev/zero of="$STATE/fill2" bs=512 2>/dev/null
check "the state directory is full" test "$(df --output=avail "$STATE" | tail -1)" -eq 0
mk_order o1.doc 1 restrict --keep geo.locate
expect_import_reject o1.doc io "full state_dir: an order is refused with io"
mk_status st3.doc 1
expect_import_reject st3.doc io "full state_dir: a status is refused with io"
check "full state_dir: licd keeps running" licd_alive
check "full state_dir: licd keeps serving the last state" \
	test -n "$before" -a "$before" = "$(state_digest)"
check "full state_dir: query still answers" \
	test "$(LC query interceptor sms.intercept terrorism)" = allowed
check "full state_dir: the failure is logged as an error" \
	grep -qE '^<[0-3]>licd: .*(No space|ENOSPC|space)' "$T/licd.log"
check "full state_dir: metrics say licd_store_ok 0" \
	grep -qx 'licd_store_ok 0' <(LC metrics)
check "full state_dir: licd stops cleanly on SIGTERM" licd_stop
rm -f "$STATE/fill" "$STATE/fill2"
licd_start || nok "licd starts again once there is room"
check "after the full disk and a restart: the state is the last acknowledged" \
	test -n "$before" -a "$before" = "$(state_digest)"
sums "$STATE" >sums.after
check "after the full disk: every stored file is intact" subset sums.before sums.after
LC audit verify >audit.out 2>&1
check "after the full disk: the audit log verifies" test $? -eq 0
show audit.out 2
expect_import_ok "after the full disk: the refused order is accepted now" o1.doc

# Read-only: the tmpfs remounted read-only under the running licd. Linux
# refuses that (EBUSY) while a file is open for writing there, and licd
# keeps its audit log open; then licd is stopped, the file system made
# read-only and licd started on it. (A read-only bind mount would not do:
# licd writes relative to the directory it opened at start.)
before=$(state_digest)
sums "$STATE" >sums.before
RO=
if mount -o remount,ro "$STATE" 2>/dev/null; then
	RO="remounted read-only under the running licd"
elif licd_stop && mount -o remount,ro "$STATE"; then
	RO="remounted read-only, licd restarted on it"
	licd_start || nok "licd starts on a read-only state_dir"
fi
if [ -n "$RO" ]; then
	note "state_dir $RO"
	mk_status st4.doc 1
	expect_import_reject st4.doc io "read-only state_dir: a status is refused with io"
	mk_order o2.doc 2 reinstate
	expect_import_reject o2.doc io "read-only state_dir: an order is refused with io"
	check "read-only state_dir: licd keeps running" licd_alive
	check "read-only state_dir: licd serves the last state" \
		test -n "$before" -a "$before" = "$(state_digest)"
	check "read-only state_dir: query answers (restricted by order 1)" \
		test "$(LC query interceptor sms.intercept terrorism)" = "denied disabled-by-order"
	check "read-only state_dir: licd stops on SIGTERM" licd_stop
	mount -o remount,rw "$STATE"
	licd_start || nok "licd starts again once state_dir is writable"
	check "after read-only and a restart: the state is the last acknowledged" \
		test -n "$before" -a "$before" = "$(state_digest)"
	sums "$STATE" >sums.after
	check "after read-only: every stored file is intact" subset sums.before sums.after
	LC audit verify >audit.out 2>&1
	check "after read-only: the audit log verifies" test $? -eq 0
	show audit.out 2
	expect_import_ok "after read-only: the refused documents are accepted now" st4.doc o2.doc
else
	skip "read-only state directory: mount -o remount,ro failed"
fi
licd_stop
lib_finish
