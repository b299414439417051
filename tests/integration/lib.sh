# SPDX-License-Identifier: MIT
# Shared helpers for the integration tests that run the real licd: a
# temporary directory (removed, with the daemon and any mount, on exit),
# ministry keys and a root, a licd.conf, starting and stopping licd,
# document builders and the checks. Sourced by tests/integration/daemon-*.sh;
# run on its own it does nothing (tests/run.sh runs every *.sh here).
# LICD_KEEP=1 keeps the temporary directory (logs, state) for a post-mortem.
#
# Every case prints one line: "ok - name", "not ok - name" or "skip - name";
# lib_finish exits non-zero when any case failed. Binaries come from
# $LICD_BUILD (default $PWD/build), sources from $LICD_SRC (default: the
# tree this file is in). Every wait has a time limit.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	exit 0		# a library, not a test
fi
set -u

LICD_BUILD=${LICD_BUILD:-$PWD/build}
LICD_SRC=${LICD_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
B=$(cd "$LICD_BUILD" 2>/dev/null && pwd) ||
	{ echo "not ok - build directory $LICD_BUILD"; exit 1; }
SRC=$(cd "$LICD_SRC" && pwd)
LICD=$B/licd
LICCTL=$B/licctl
LICISSUE=$B/licissue
# The system python (a version manager's shim can cost half a second a call).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
for _b in "$LICD" "$LICCTL" "$LICISSUE"; do
	if [ ! -x "$_b" ]; then
		echo "not ok - $_b is built"
		exit 1
	fi
done

failed=0
LICD_PID=
BG_PIDS=()
MOUNTS=()
T=
LID=IL-2026-0042
PRODUCT=interceptor

# --- results ------------------------------------------------------------------
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
skip() { echo "skip - $1"; }
# check NAME CMD...: the case passes when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# note TEXT: a diagnostic line, indented so that no runner counts it.
note() { printf '#   %s\n' "$*"; }
# show FILE [N]: the first N (5) lines of FILE ("-": stdin) as diagnostics.
show() {
	if [ "$1" = - ]; then
		sed 's/^/#   /' | head -"${2:-5}"
	elif [ -s "$1" ]; then
		sed 's/^/#   /' "$1" | head -"${2:-5}"
	fi
	return 0
}
lib_finish() {
	[ "$failed" -eq 0 ]
	exit $?
}

# --- the temporary directory ----------------------------------------------------
lib_cleanup() {
	local i p
	trap - EXIT INT TERM
	for p in "${BG_PIDS[@]}"; do
		{ kill -9 "$p"; wait "$p"; } 2>/dev/null
	done
	if [ -n "$LICD_PID" ]; then
		kill -9 "$LICD_PID" 2>/dev/null
		wait "$LICD_PID" 2>/dev/null
	fi
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null
	done
	if [ "${LICD_KEEP:-0}" = 1 ]; then
		echo "# kept $T"
	else
		cd / && [ -n "$T" ] && rm -rf "$T"
	fi
}

# lib_init: make $T (world-traversable, so that an unprivileged peer can
# reach the socket), cd into it, and arrange for cleanup.
lib_init() {
	T=$(mktemp -d /tmp/licd-it.XXXXXX) || { echo "not ok - mktemp"; exit 1; }
	chmod 0755 "$T"
	trap lib_cleanup EXIT
	trap 'exit 130' INT TERM
	cd "$T" || exit 1
	SOCK=$T/run/licd.sock
	STATE=$T/state
	INBOX=$T/inbox
	mkdir -p "$INBOX"
	STATUS_IAT=$(($(date +%s) - 3600))
	write_py
}

# bg CMD...: run CMD in the background, killed at cleanup.
bg() {
	"$@" &
	BG_PIDS+=($!)
}

# lib_mount DIR SIZE: a tmpfs of SIZE on DIR, unmounted at cleanup.
lib_mount() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0700" tmpfs "$1" &&
		MOUNTS+=("$1")
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# --- time and encodings ---------------------------------------------------------
# ts OFFSET: the time OFFSET seconds from now, as YYYY-MM-DDTHH:MM:SSZ.
ts() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
b64d() {
	local s=$1
	case $((${#s} % 4)) in 2) s="$s==" ;; 3) s="$s=" ;; esac
	printf '%s' "$s" | basenc --base64url -d
}
b64e() { basenc --base64url -w0 | tr -d '='; }
# pid_of k4.public.XXX: the PASERK k4.pid of a public key (independent of
# the code under test).
pid_of() {
	printf 'k4.pid.%s' "$(printf 'k4.pid.%s' "$1" | b2sum -l 264 |
	    cut -d' ' -f1 | tr a-f A-F | basenc --base16 -d | b64e)"
}
# msg_of DOC: the signed message of the first token of DOC.
msg_of() { b64d "$(grep -m1 '^v4' "$1" | cut -d. -f3)" | head -c -64; }
# tamper DOC SED: every token's message edited, signature and footer kept.
tamper() {
	local line body
	while IFS= read -r line; do
		case $line in v4.*) ;; *) printf '%s\n' "$line"; continue ;; esac
		body=$(printf '%s' "$line" | cut -d. -f3)
		b64d "$body" >"$T/body.bin"
		{ head -c -64 "$T/body.bin" | sed "$2"
		  tail -c 64 "$T/body.bin"; } >"$T/m.bin"
		printf 'v4.public.%s.%s\n' "$(b64e <"$T/m.bin")" \
		    "$(printf '%s' "$line" | cut -d. -f4)"
	done <"$1"
}
# relabel DOC TYP [KID]: every token's footer says typ TYP (and kid KID).
relabel() {
	local line kid
	while IFS= read -r line; do
		case $line in v4.*) ;; *) continue ;; esac
		kid=${3:-$(b64d "${line##*.}" | sed 's/.*"kid":"\([^"]*\)".*/\1/')}
		printf '%s.%s\n' "${line%.*}" \
		    "$(printf '{"kid":"%s","typ":"%s"}' "$kid" "$2" | b64e)"
	done <"$1"
}

# --- keys, root, configuration --------------------------------------------------
# Two ministries (mod, mofa) hold the root role (2 of 2); the order role is
# 2 of 3 (mod, mofa and a third order key ops); lic signs licences, sta
# statuses (the online key).
lib_keys() {
	local k
	for k in mod mofa ops lic sta evil; do
		"$LICISSUE" keygen --out "$T/$k" >"$T/$k.kid" 2>"$T/err.txt" ||
			{ nok "keygen $k"; show "$T/err.txt"; }
	done
	"$LICISSUE" root --ver 1 --iat "$(ts -86400)" \
		--key-entry "$T/mod.pub:Ministry of Defence" \
		--key-entry "$T/mofa.pub:Ministry of Foreign Affairs" \
		--role root="$T/mod.pub,$T/mofa.pub:2" --role licence="$T/lic.pub" \
		--role order="$T/mod.pub,$T/mofa.pub,$T/ops.pub:2" \
		--role status="$T/sta.pub" \
		--key "$T/mod.key" --key "$T/mofa.key" >"$T/root.doc" 2>"$T/err.txt" ||
		{ nok "licissue root"; show "$T/err.txt"; }
}

# lib_conf [LINE...]: write $T/licd.conf, the extra LINEs appended. The
# purpose taxonomy is this tree's policy/purposes.conf when the licd built
# knows the key "purposes" (else it reads its LICD_DATADIR).
lib_conf() {
	local l purposes=1
	while :; do
		{
			echo "# written by tests/integration/lib.sh"
			echo "root = \"$T/root.doc\";"
			echo "state_dir = \"$STATE\";"
			echo "runtime_dir = \"$T/run\";"
			echo "inbox = \"$INBOX\";"
			echo "client_grace = \"30s\";"
			[ "$purposes" = 1 ] &&
				echo "purposes = \"$SRC/policy/purposes.conf\";"
			for l in "$@"; do echo "$l"; done
		} >"$T/licd.conf"
		[ "$purposes" = 1 ] && "$LICD" --config "$T/licd.conf" \
		    --check-config 2>&1 | grep -q 'unknown key "purposes"' ||
			break
		purposes=0
	done
}

# --- the daemon -----------------------------------------------------------------
# LC ARGS...: licctl on our socket, bounded in time.
LC() { timeout 20 "$LICCTL" --socket "$SOCK" "$@"; }

licd_alive() { [ -n "$LICD_PID" ] && kill -0 "$LICD_PID" 2>/dev/null; }
# reachable: licd accepts connections (licctl exits 2 only when it cannot
# reach the daemon).
reachable() {
	local rc
	timeout 5 "$LICCTL" --socket "$SOCK" metrics >/dev/null 2>&1
	rc=$?
	[ "$rc" -ne 2 ] && [ "$rc" -ne 124 ]
}

# licd_start [VAR=VALUE...]: start licd --foreground with those variables in
# its environment, logging to $T/licd.log; wait (10 s) for its socket.
licd_start() {
	env "$@" "$LICD" --config "$T/licd.conf" --foreground \
		>>"$T/licd.log" 2>&1 &
	LICD_PID=$!
	wait_for 10 licd_up_now && return 0
	note "licd did not come up; its log:"
	tail -5 "$T/licd.log" | sed 's/^/#   /'
	return 1
}
licd_up_now() { licd_alive && reachable; }

# licd_stop: SIGTERM and wait (10 s); SIGKILL and fail when it hangs.
licd_stop() {
	local pid=$LICD_PID i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		LICD_PID=
		return 1
	fi
	wait "$pid" 2>/dev/null
	LICD_RC=$?
	LICD_PID=
	return 0
}
licd_kill9() {
	[ -n "$LICD_PID" ] || return 0
	kill -9 "$LICD_PID" 2>/dev/null
	wait "$LICD_PID" 2>/dev/null
	LICD_PID=
}

# device_kid: DEV, the device's k4.pid, from the signed activation request
# (licctl request), cross-checked with the public half of device.key.
device_kid() {
	local sk pk
	DEV=
	if LC request >"$T/request.doc" 2>"$T/err.txt"; then
		DEV=$(msg_of "$T/request.doc" |
		    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["device"])' 2>/dev/null)
	fi
	sk=$(sed -n 's/^k4\.secret\.//p' "$STATE/device.key" 2>/dev/null)
	if [ -n "$sk" ]; then
		pk=$(b64d "$sk" | tail -c 32 | b64e)
		DEV_KEY_PID=$(pid_of "k4.public.$pk")
		[ -n "$DEV" ] || DEV=$DEV_KEY_PID
	fi
	[ -n "$DEV" ]
}

# --- documents ------------------------------------------------------------------
# Each builder writes a document to OUT; the defaults come from variables
# that a caller may set for one call (LID=... PRODUCT=... mk_licence f).
# mk_licence OUT [licissue licence options...]
mk_licence() {
	local out=$1 f p l args=()
	shift
	for f in ${FEATURES:-sms.intercept:10 geo.locate}; do args+=(--feature "$f"); done
	for p in ${PURPOSES:-terrorism serious-crime}; do args+=(--purpose "$p"); done
	for l in ${LADDER:-0s:restricted:geo.locate 168h:suspended}; do args+=(--ladder "$l"); done
	"$LICISSUE" licence --lid "${LID:-IL-2026-0042}" \
		--iat "${IAT:-$(ts -600)}" \
		--vendor "Example Cyber Ltd" --product "${PRODUCT:-interceptor}" \
		--country XX --agency "National Counter-Terrorism Unit" \
		--declaration "sha256:$(printf '%064d' 0)" \
		--device "${DEVICE:-$DEV}" --max-age "${MAX_AGE:-72h}" \
		--key "${LKEY:-$T/lic.key}" "${args[@]}" "$@" \
		>"$out" 2>"$T/err.txt" || { nok "licissue licence $out"; show "$T/err.txt"; }
}
# mk_order OUT SEQ ACTION [licissue order options...]: signed by mod and
# mofa (2 of 3) unless KEYS names other key files.
mk_order() {
	local out=$1 seq=$2 action=$3 k args=()
	shift 3
	for k in ${KEYS:-$T/mod.key $T/mofa.key}; do args+=(--key "$k"); done
	"$LICISSUE" order --lid "${LID:-IL-2026-0042}" --seq "$seq" \
		--action "$action" --iat "${IAT:-$(ts -60)}" \
		--reason "${REASON:-Test order $seq}" --ref "${REF:-DECA-$seq}" \
		"${args[@]}" "$@" >"$out" 2>"$T/err.txt" ||
		{ nok "licissue order $out"; show "$T/err.txt"; }
}
# mk_status OUT SEQ [licissue status options...]: each call has a later iat
# than the one before (statuses are only accepted with a higher iat): now,
# or one second after the last one, unless IAT is set. Accepting it brings
# the signed clock up to the wall clock.
mk_status() {
	local out=$1 seq=$2 iat now
	shift 2
	now=$(date +%s)
	STATUS_IAT=$((STATUS_IAT + 1))
	[ "$STATUS_IAT" -lt "$now" ] && STATUS_IAT=$now
	iat=${IAT:-$(date -u -d "@$STATUS_IAT" +%Y-%m-%dT%H:%M:%SZ)}
	"$LICISSUE" status --lid "${LID:-IL-2026-0042}" \
		--device "${DEVICE:-$DEV}" --seq "$seq" --iat "$iat" \
		--key "${SKEY:-$T/sta.key}" "$@" >"$out" 2>"$T/err.txt" ||
		{ nok "licissue status $out"; show "$T/err.txt"; }
}

# --- import and its verdicts ----------------------------------------------------
# imp FILE...: licctl import; exit status in IMP_RC, stderr in $T/imp.err.
imp() {
	LC import "$@" >"$T/imp.out" 2>"$T/imp.err"
	IMP_RC=$?
	return $IMP_RC
}
# expect_import_ok NAME FILE...: exit 0 and nothing on stderr.
expect_import_ok() {
	local name=$1
	shift
	imp "$@"
	if [ "$IMP_RC" -eq 0 ] && [ ! -s "$T/imp.err" ]; then
		ok "$name"
	else
		nok "$name (licctl import exit $IMP_RC)"
		show "$T/imp.err"
	fi
}
# expect_import_reject FILE REASON [NAME]: exit 1 with the line
# "FILE: REASON: message" on stderr; the audit log records the rejection
# with its reason (not for io: the state directory is what failed); and
# (unless MAY_CHANGE=1) licctl status --json is the same before and after.
expect_import_reject() {
	local f=$1 reason=$2 name=${3:-"$1 rejected: $2"} before after=
	before=$(state_digest)
	imp "$f"
	if [ "$IMP_RC" -eq 1 ] && grep -q "^$f: $reason: " "$T/imp.err"; then
		ok "$name"
	else
		nok "$name (licctl import exit $IMP_RC)"
		show "$T/imp.err"
		return 1
	fi
	if [ "$reason" != io ] &&
	    ! audit_last_doc "\"outcome\":\"rejected\"" "\"reason\":\"$reason\""; then
		nok "$name: the audit log records the rejection ($reason)"
		note "last document line: $(grep '"event":"document"' "$STATE/audit.log" 2>/dev/null | tail -1 | cut -c1-300)"
	fi
	if [ "${MAY_CHANGE:-0}" != 1 ] && [ -n "$before" ]; then
		after=$(state_digest)
		if [ "$before" != "$after" ]; then
			nok "$name: the rejection changed nothing"
			diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | show - 6
		fi
	fi
	return 0
}
# audit_last_doc PATTERN...: the last "document" line of the audit log
# matches every PATTERN (fixed strings).
audit_last_doc() {
	local line p
	line=$(grep '"event":"document"' "$STATE/audit.log" 2>/dev/null | tail -1)
	[ -n "$line" ] || return 1
	for p in "$@"; do
		case $line in *"$p"*) ;; *) return 1 ;; esac
	done
}

# --- licctl status --json -------------------------------------------------------
write_py() {
	cat >"$T/sj.py" <<'PY'
# sj.py STATUS.json EXPR: evaluate EXPR with s (the status object),
# L(lid) (a licence object, None when absent) and F(lid, feature); print
# the value (strings bare, others as JSON). Exit 1 when EXPR fails.
import json, sys
s = json.load(open(sys.argv[1]))
def L(lid):
    for l in s.get("licences", []):
        if l.get("lid") == lid:
            return l
    return None
def F(lid, f):
    return L(lid)["features"][f]
try:
    v = eval(sys.argv[2])
except Exception as e:
    print("error: %r" % (e,))
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
PY
	cat >"$T/digest.py" <<'PY'
# digest.py: the status JSON on stdin without what moves by itself (the
# clocks and what they alone decide, in_use), canonical, on one line.
import json, sys
s = json.load(sys.stdin)
t = s.get("time", {})
t.pop("wall", None); t.pop("effective", None); t.pop("clock_rollback", None)
for l in s.get("licences", []):
    for f in (l.get("features") or {}).values():
        f.pop("in_use", None)
print(json.dumps(s, sort_keys=True))
PY
	cat >"$T/tok.py" <<'PY'
# tok.py: PASETO v4.public independent of the code under test (hashlib and
# the openssl command line).
#   tok.py sign KEY TYP MSGFILE     one token of MSGFILE's bytes, typ TYP,
#                                   by the k4.secret in KEY
#   tok.py verify PUB TYP DOC       every token of DOC verifies with the
#                                   k4.public PUB as typ TYP, kid = its pid
#   tok.py msg DOC                  the message of the first token
#   tok.py receipts DIR             one line per receipt in DIR:
#                                   "NAME EVENT LID SEQ STATE"
import base64, hashlib, json, os, struct, subprocess, sys, tempfile
def b64e(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def b64d(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def pae(*pieces):
    out = struct.pack("<Q", len(pieces))
    for p in pieces:
        out += struct.pack("<Q", len(p)) + p
    return out
def pid(pk):
    h = hashlib.blake2b(b"k4.pid.k4.public." + b64e(pk).encode(), digest_size=33)
    return "k4.pid." + b64e(h.digest())
def pem(der, kind):
    b = base64.b64encode(der).decode()
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, b, kind)
def tmp(data):
    fd, path = tempfile.mkstemp(dir=os.environ.get("T", "/tmp"))
    os.write(fd, data if isinstance(data, bytes) else data.encode())
    os.close(fd)
    return path
def tokens(doc):
    return [l for l in open(doc).read().split("\n") if l.startswith("v4.")]
def sign(keyfile, typ, msgfile):
    sk = b64d(open(keyfile).read().strip()[len("k4.secret."):])
    seed, pk = sk[:32], sk[32:]
    footer = ('{"kid":"%s","typ":"%s"}' % (pid(pk), typ)).encode()
    msg = open(msgfile, "rb").read()
    k = tmp(pem(bytes.fromhex("302e020100300506032b657004220420") + seed, "PRIVATE KEY"))
    d = tmp(pae(b"v4.public.", msg, footer, b"licd:v1:" + typ.encode()))
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", k, "-rawin",
                          "-in", d], check=True, capture_output=True).stdout
    os.unlink(k); os.unlink(d)
    assert len(sig) == 64
    print("v4.public.%s.%s" % (b64e(msg + sig), b64e(footer)))
def verify(pub, typ, doc):
    pk = b64d(pub.strip()[len("k4.public."):])
    k = tmp(pem(bytes.fromhex("302a300506032b6570032100") + pk, "PUBLIC KEY"))
    toks = tokens(doc)
    good = len(toks) > 0
    for t in toks:
        _, _, body, foot = t.split(".")
        body, foot = b64d(body), b64d(foot)
        if foot != ('{"kid":"%s","typ":"%s"}' % (pid(pk), typ)).encode():
            good = False; continue
        d = tmp(pae(b"v4.public.", body[:-64], foot, b"licd:v1:" + typ.encode()))
        s = tmp(body[-64:])
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", k,
                            "-rawin", "-in", d, "-sigfile", s], capture_output=True)
        os.unlink(d); os.unlink(s)
        good = good and r.returncode == 0
    os.unlink(k)
    sys.exit(0 if good else 1)
def msg(doc):
    sys.stdout.buffer.write(b64d(tokens(doc)[0].split(".")[2])[:-64])
def receipts(d):
    for n in sorted(os.listdir(d)):
        try:
            m = json.loads(b64d(tokens(os.path.join(d, n))[0].split(".")[2])[:-64])
            print(n, m["event"], m["lid"] or "-", m["seq"], m["state"])
        except Exception:
            print(n, "unreadable - 0 -")
{"sign": sign, "verify": verify, "msg": msg, "receipts": receipts}[sys.argv[1]](*sys.argv[2:])
PY
}
# sign_raw KEY TYP MSGFILE: a document of one token signing MSGFILE's bytes
# as is (so payloads licissue would refuse can be made).
sign_raw() { T=$T "$PY" "$T/tok.py" sign "$@"; }
# tok_verify PUB TYP DOC: every token of DOC is signed by PUB as TYP.
tok_verify() { T=$T "$PY" "$T/tok.py" verify "$@" 2>/dev/null; }
# receipts: "NAME EVENT LID SEQ STATE" per receipt in the outbox.
receipts() { T=$T "$PY" "$T/tok.py" receipts "$STATE/outbox" 2>/dev/null; }
# receipt_has EVENT LID SEQ [STATE]: such a receipt is in the outbox.
receipt_has() {
	receipts | awk -v e="$1" -v l="$2" -v s="$3" -v st="${4:-}" \
	    '$2 == e && $3 == l && $4 == s && (st == "" || $5 == st) { f = 1 } END { exit !f }'
}
# status_json: licctl status --json into $T/status.json.
status_json() { LC status --json >"$T/status.json" 2>"$T/status.err"; }
# sj EXPR: evaluate EXPR against a fresh licctl status --json.
sj() {
	status_json || { echo "error: licctl status --json: $(head -1 "$T/status.err")"; return 1; }
	"$PY" "$T/sj.py" "$T/status.json" "$1"
}
# check_eq NAME WANT EXPR: sj EXPR prints WANT.
check_eq() {
	local got
	got=$(sj "$3")
	if [ "$got" = "$2" ]; then ok "$1"; else nok "$1 (got '$got', want '$2')"; fi
}
# sj_is WANT EXPR: sj EXPR prints WANT (for wait_for: evaluated each time).
sj_is() { [ "$(sj "$2" 2>/dev/null)" = "$1" ]; }
# check_sj NAME EXPR: EXPR is true.
check_sj() { check_eq "$1" true "bool($2)"; }
# state_digest: the canonical status (empty when status fails).
state_digest() {
	status_json 2>/dev/null && "$PY" "$T/digest.py" <"$T/status.json" 2>/dev/null
}
# lic_state LID: the state of LID (for polling).
lic_state() { sj "L('$1')['state']" 2>/dev/null; }
# state_is LID STATE: for wait_for.
state_is() { [ "$(lic_state "$1")" = "$2" ]; }
