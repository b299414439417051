#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: measure licd and liblicd on this machine and print ONE table.
# Figures only: nothing here passes or fails on a timing (targets are
# printed next to the figures). doc/PERFORMANCE.md explains every row.
#
# It sets up what tests/integration/lib.sh sets up for the integration
# tests (ministry keys, a root, a licd.conf, a real licd in the
# foreground, a licence for this device and a status), then runs the
# programs of bench/ against that daemon, in this order:
#   1. daemon memory idle, then with BENCH_CONNS subscribed connections
#   2. the check: liblicd by name / by handle, 1 and 2 threads; an Ed25519
#      verification per check; a socket round trip per check
#   3. the library's size and what it adds to a product's memory
#   4. propagation of orders to BENCH_CLIENTS subscribed processes
#   5. ingestion of statuses and orders over the socket
#   6. 4 and 5 again with a second licd whose state_dir is on tmpfs
#      (/dev/shm): licd's own work without the disk
# Progress goes to stderr, the table to stdout; the raw "key value"
# figures are kept in $O/bench/results.txt and the table in
# $O/bench/table.txt.
#
# Knobs (environment): BENCH_CLIENTS (100), BENCH_REPS (200),
# BENCH_LICCTL_REPS (30), BENCH_STATUSES (1000, two series of that many),
# BENCH_ORDERS (200), BENCH_CONNS (1000).
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
export LICD_BUILD=$PWD/$O LICD_SRC=$PWD
BB=$LICD_BUILD/bench
CLIENTS=${BENCH_CLIENTS:-100}
REPS=${BENCH_REPS:-200}
CTL_REPS=${BENCH_LICCTL_REPS:-30}
NSTATUS=${BENCH_STATUSES:-1000}
NORDER=${BENCH_ORDERS:-200}
NCONN=${BENCH_CONNS:-1000}
PRODUCT=interceptor
FEATURE=sms.intercept
PURPOSE=terrorism
[ "$NSTATUS" -le 3400 ] || NSTATUS=3400	# iat one second apart, in 2 h

for b in check propagate ingest conns rss; do
	[ -x "$BB/$b" ] || { echo "bench: $BB/$b is not built (make bench)" >&2; exit 1; }
done
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh
# Sockets: the many connections and the 100 clients.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

step() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
RES=$B/bench/results.txt
: >"$RES"
# run NAME CMD...: CMD's "key value" lines into R[NAME.key] (and $RES).
declare -A R
run() {
	local name=$1 k v out
	shift
	out=$("$@" 2>"$T/$name.err") || {
		sed 's/^/bench:   /' "$T/$name.err" >&2
		die "$name failed: $*"
	}
	[ -s "$T/$name.err" ] && sed 's/^/bench:   /' "$T/$name.err" | head -5 >&2
	while read -r k v; do
		[ -n "$k" ] || continue
		R[$name.$k]=$v
		printf '%s.%s %s\n' "$name" "$k" "$v" >>"$RES"
	done <<<"$out"
}
rss_kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
NCPU=$(nproc)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)

# ---- a licensed device with a running licd ------------------------------------
step "setting up keys, a root, licd and a licence"
lib_init
lib_keys
lib_conf
licd_start || die "licd does not start (see $T/licd.log)"
device_kid || die "no device key id"
mk_licence "$T/lic.doc"
# A status issued two hours ago: later ones (ingestion) need room for
# increasing iat below now + 300 s.
IAT=$(ts -7200) mk_status "$T/status.doc" 0
imp "$T/lic.doc" "$T/status.doc" || { show "$T/imp.err"; die "the licence is not imported"; }
wait_for 10 bash -c "[ \"\$(timeout 5 '$LICCTL' --socket '$SOCK' query $PRODUCT $FEATURE $PURPOSE)\" = allowed ]" ||
	die "$PRODUCT $FEATURE is not allowed after the import"
sleep 1

# ---- 1. memory of the daemon ---------------------------------------------------
step "daemon memory: idle, then $NCONN connections"
R[mem.idle_kb]=$(rss_kb "$LICD_PID" VmRSS)
R[mem.idle_anon_kb]=$(rss_kb "$LICD_PID" RssAnon)
R[mem.idle_file_kb]=$(rss_kb "$LICD_PID" RssFile)
run conns "$BB/conns" "$SOCK" "$LICD_PID" "$NCONN"
MAX_CONNS=$(sed -n 's/^#define SRV_MAX_CONNS[^0-9]*\([0-9]*\).*/\1/p' "$SRC/daemon/server.h" 2>/dev/null)
LICD_NOFILE=$(awk '/^Max open files/ { print $4 }' "/proc/$LICD_PID/limits")

# ---- 2. the cost of a check ----------------------------------------------------
step "check: liblicd by name and by handle, Ed25519, socket round trip"
run check "$BB/check" "$T/run" "$PRODUCT" "$FEATURE" "$PURPOSE" "$T/lic.doc" "$T/lic.pub"

# ---- 3. the library ---------------------------------------------------------------
step "library size and resident memory in a product"
LIB=$B/liblicd.so.1
R[lib.bytes]=$(stat -c %s "$LIB")
strip -o "$T/liblicd.stripped" "$LIB" 2>/dev/null &&
	R[lib.stripped]=$(stat -c %s "$T/liblicd.stripped")
read -r 'R[lib.text]' 'R[lib.data]' 'R[lib.bss]' _ < <(size "$LIB" | tail -1)
run rss "$BB/rss" "$LIB" "$T/run" "$PRODUCT" "$FEATURE" "$PURPOSE"

# ---- 4. propagation -------------------------------------------------------------
step "propagation: $CLIENTS clients, $REPS + $CTL_REPS repetitions"
run prop "$BB/propagate" "$T/run" "$PRODUCT" "$FEATURE" "$PURPOSE" "$LID" \
	"$T/mod.key" "$T/mofa.key" 1 "$CLIENTS" "$REPS" "$CTL_REPS" "$LICCTL" "$T"

# ---- 5. ingestion -----------------------------------------------------------------
step "ingestion: 2 x $NSTATUS statuses, $NORDER orders"
run ingest "$BB/ingest" "$SOCK" "$LID" "$DEV" "$T/sta.key" "$T/mod.key" \
	"$T/mofa.key" "$NSTATUS" "$NORDER" "${R[prop.next_seq]}" "$(($(date +%s) - 7100))" "$STATE"
R[mem.end_kb]=$(rss_kb "$LICD_PID" VmRSS)
R[mem.hwm_kb]=$(rss_kb "$LICD_PID" VmHWM)

# ---- 6. the same without waiting for a disk ------------------------------------
# A second licd (new state, so a new device key and a licence for it)
# with its state_dir on tmpfs: what remains is licd's own work (verify,
# decide, publish, notify) and the clients' wake-up.
step "propagation and ingestion again, state_dir on tmpfs"
licd_stop || die "licd does not stop"
SHM=$(mktemp -d /dev/shm/licd-bench.XXXXXX) || die "mktemp in /dev/shm"
trap 'rm -rf "$SHM"; lib_cleanup' EXIT
STATE=$SHM/state
lib_conf
licd_start || die "licd (tmpfs state) does not start (see $T/licd.log)"
device_kid || die "no device key id (tmpfs state)"
mk_licence "$T/lic2.doc"
IAT=$(ts -7200) mk_status "$T/status2.doc" 0
imp "$T/lic2.doc" "$T/status2.doc" || { show "$T/imp.err"; die "the licence is not imported (tmpfs state)"; }
wait_for 10 bash -c "[ \"\$(timeout 5 '$LICCTL' --socket '$SOCK' query $PRODUCT $FEATURE $PURPOSE)\" = allowed ]" ||
	die "$PRODUCT $FEATURE is not allowed after the import (tmpfs state)"
run propm "$BB/propagate" "$T/run" "$PRODUCT" "$FEATURE" "$PURPOSE" "$LID" \
	"$T/mod.key" "$T/mofa.key" 1 "$CLIENTS" "$REPS" 0 "$LICCTL" "$T"
run ingestm "$BB/ingest" "$SOCK" "$LID" "$DEV" "$T/sta.key" "$T/mod.key" \
	"$T/mofa.key" "$NSTATUS" "$NORDER" "${R[propm.next_seq]}" "$(($(date +%s) - 7100))" "$STATE"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - START))

# ---- the table ---------------------------------------------------------------------
# calc EXPR [FMT]: awk arithmetic on the figures.
calc() { awk "BEGIN { printf \"${2:-%.1f}\", $1 }"; }
# x A B: A/B as "N.NNx", rounded to what is readable ("-" when unknown).
x() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) { printf "-"; exit }
		r = a / b
		if (r >= 100) printf "%.0fx", r; else if (r >= 10) printf "%.1fx", r;
		else printf "%.2fx", r }'
}
# pct A B: A/B as a percentage.
pct() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) { printf "-"; exit }
		r = 100 * a / b
		if (r >= 10) printf "%.0f%%", r; else printf "%.1f%%", r }'
}
g() { printf '%s' "${R[$1]:-}"; }
ns() { calc "$(g "$1")" "%.1f ns"; }
us() { calc "$(g "$1") / 1000" "%.1f us"; }
ms() { calc "$(g "$1")" "%.2f ms"; }
per_s() { awk -v v="$(g "$1")" 'BEGIN { printf "%.0f /s", v }'; }
mib() { calc "$1 / 1024" "%.2f MiB"; }
W1=56 W2=18 W3=26
line() { printf '%*s\n' $((W1 + W2 + W3 + 16)) '' | tr ' ' '-'; }
row() { printf '%-*s  %*s  %-*s  %s\n' $W1 "$1" $W2 "$2" $W3 "$3" "$4"; }
sect() { printf '%s\n' "$1"; }

NAME1=check.name_1t_p10 HAND1=check.handle_1t_p10
conn_ok=${R[conns.connected]:-0}
per_conn=$(calc "(${R[conns.rss_connected_kb]} - ${R[conns.rss_before_kb]}) / ($conn_ok > 0 ? $conn_ok : 1)" "%.2f")
proj=$(calc "${R[conns.rss_before_kb]} + 1000 * $per_conn" "%.0f")
lib_added=$(calc "${R[rss.checked_rss_kb]} - ${R[rss.start_rss_kb]}" "%.0f")
lib_load=$(calc "${R[rss.loaded_rss_kb]} - ${R[rss.start_rss_kb]}" "%.0f")
lib_open=$(calc "${R[rss.checked_rss_kb]} - ${R[rss.loaded_rss_kb]}" "%.0f")
verify=${R[ingest.verify_max]}
status_ms=$(calc "1000 / ${R[ingest.status_seq_per_s]}" "%.3f")
order_ms=$(calc "1000 / ${R[ingest.order_seq_per_s]}" "%.3f")

{
printf 'licd bench: %s, %s CPUs, Linux %s; load average %s at start, %s at end; %s s\n' \
	"$CPU" "$NCPU" "$(uname -r)" "$LOAD0" "$LOAD1" "$ELAPSED"
printf 'ns, us: 10th percentile of 0.2 ms chunks over 0.5 s (undisturbed; medians below); ms: quantiles over repetitions; ratio: this row / the named one\n'
line
row "figure" "value" "ratio" "target"
line
sect "One licence decision (product $PRODUCT, feature $FEATURE, purpose $PURPOSE: ${R[check.check_answer]})"
row "  licd_check() by name, 1 thread" "$(ns $NAME1)" "$(x "$(g $NAME1)" "$(g $HAND1)") by handle" "<= 20 ns"
row "  licd_check_handle(), 1 thread" "$(ns $HAND1)" "1 (base)" "<= 5 ns"
row "    reference: clock_gettime(MONOTONIC_COARSE)" "$(ns check.clock_p10)" "$(x "$(g check.clock_p10)" "$(g $HAND1)") by handle" "(in every check)"
row "  licd_check() by name, 2 threads, per thread" "$(ns check.name_2t_p10)" "$(x "$(g check.name_2t_p10)" "$(g $NAME1)") 1 thread" "<= 20 ns"
row "  licd_check_handle(), 2 threads, per thread" "$(ns check.handle_2t_p10)" "$(x "$(g check.handle_2t_p10)" "$(g $HAND1)") 1 thread" "<= 5 ns"
row "  offline licence file: Ed25519 verify per check" "$(us check.ed25519_p10)" "$(x "$(g check.ed25519_p10)" "$(g $NAME1)") by name" "(${R[check.licence_signed_bytes]} signed bytes)"
row "  licence server: QUERY round trip on licd.sock" "$(us check.sock_p10)" "$(x "$(g check.sock_p10)" "$(g $NAME1)") by name" "(connection kept open)"
row "  licence server: connect + QUERY + close" "$(us check.sockconn_p10)" "$(x "$(g check.sockconn_p10)" "$(g $NAME1)") by name" ""
sect "Propagation: an order imported -> ${R[prop.clients]} subscribed client processes all deny"
row "  IMPORT frame on licd.sock -> all deny, p50" "$(ms prop.sock_deny_p50)" "${R[prop.sock_reps]} repetitions" ""
row "  IMPORT frame on licd.sock -> all deny, p99" "$(ms prop.sock_deny_p99)" "$(x "$(g prop.sock_deny_p99)" "$(g prop.sock_deny_p50)") p50" "<= 5 ms"
row "    first of the clients denying, p50" "$(ms prop.sock_first_p50)" "$(x "$(g prop.sock_first_p50)" "$(g prop.sock_deny_p50)") all deny" ""
row "    licd's reply to the import, p50" "$(ms prop.sock_ack_p50)" "$(x "$(g prop.sock_ack_p50)" "$(g prop.sock_deny_p50)") all deny" ""
row "  licctl import (new process) -> all deny, p50" "$(ms prop.licctl_deny_p50)" "$(x "$(g prop.licctl_deny_p50)" "$(g prop.sock_deny_p50)") IMPORT frame" "${R[prop.licctl_reps]} repetitions"
row "  licctl import (new process) -> all deny, p99" "$(ms prop.licctl_deny_p99)" "$(x "$(g prop.licctl_deny_p99)" "$(g prop.sock_deny_p99)") IMPORT frame" "<= 5 ms"
row "  reinstate: IMPORT frame -> all allow again, p50" "$(ms prop.sock_allow_p50)" "$(x "$(g prop.sock_allow_p50)" "$(g prop.sock_deny_p50)") restrict" ""
row "  state_dir on tmpfs: IMPORT frame -> all deny, p50" "$(ms propm.sock_deny_p50)" "$(x "$(g propm.sock_deny_p50)" "$(g prop.sock_deny_p50)") disk" ""
row "  state_dir on tmpfs: IMPORT frame -> all deny, p99" "$(ms propm.sock_deny_p99)" "$(x "$(g propm.sock_deny_p99)" "$(g prop.sock_deny_p99)") disk" "<= 5 ms"
row "    state_dir on tmpfs: first client denying, p50" "$(ms propm.sock_first_p50)" "$(x "$(g propm.sock_first_p50)" "$(g propm.sock_deny_p50)") all deny" ""
sect "Ingestion: documents verified and applied by licd, over licd.sock"
row "  raw Ed25519 verifications (libsodium, 1 thread)" "$(per_s ingest.verify_max)" "1 (base)" ""
row "  statuses (1 signature each), one at a time" "$(per_s ingest.status_seq_per_s)" "$(pct "$(g ingest.status_seq_per_s)" "$verify") of raw" ""
row "  statuses, pipelined (16 requests in flight)" "$(per_s ingest.status_pipe_per_s)" "$(pct "$(g ingest.status_pipe_per_s)" "$verify") of raw" ""
row "  orders (2 signatures, each a state change)" "$(per_s ingest.order_seq_per_s)" "$(pct "$(g ingest.order_seq_per_s)" "$(calc "$verify / 2" "%.0f")") of raw/2" ""
row "  state_dir on tmpfs: statuses, one at a time" "$(per_s ingestm.status_seq_per_s)" "$(pct "$(g ingestm.status_seq_per_s)" "$verify") of raw" "$(x "$(g ingestm.status_seq_per_s)" "$(g ingest.status_seq_per_s)") disk"
row "  state_dir on tmpfs: orders" "$(per_s ingestm.order_seq_per_s)" "$(pct "$(g ingestm.order_seq_per_s)" "$(calc "$verify / 2" "%.0f")") of raw/2" "$(x "$(g ingestm.order_seq_per_s)" "$(g ingest.order_seq_per_s)") disk"
row "  reference: atomic file write on the state disk, p50" "$(ms ingest.fsync_p50)" "status = $(x "$status_ms" "$(g ingest.fsync_p50)"), order = $(x "$order_ms" "$(g ingest.fsync_p50)")" "p99 $(ms ingest.fsync_p99)"
sect "Memory"
row "  licd VmRSS, idle (one licence, no client)" "$(mib "${R[mem.idle_kb]}")" "$(x "${R[mem.idle_kb]}" 8192) target" "<= 8 MB"
row "    of which anonymous / file-backed" "$(calc "${R[mem.idle_anon_kb]} / 1024" "%.2f") / $(calc "${R[mem.idle_file_kb]} / 1024" "%.2f")" "(file: shared libraries)" ""
row "  licd VmRSS, $conn_ok subscribed clients (of $NCONN tried)" "$(mib "${R[conns.rss_connected_kb]}")" "+$per_conn KiB per client" "<= 8 MB"
[ "$conn_ok" -lt 1000 ] &&
row "  licd VmRSS, 1000 clients (projected)" "$(mib "$proj")" "$(x "$proj" 8192) target" "<= 8 MB"
row "  licd VmRSS after the whole bench / peak" "$(calc "${R[mem.end_kb]} / 1024" "%.2f") / $(mib "${R[mem.hwm_kb]}")" "" ""
row "  liblicd.so.1 file, as built (-O2 -g)" "$(g lib.bytes) B" "" ""
row "  liblicd.so.1 file stripped; text (size(1))" "$(g lib.stripped) B; $(g lib.text) B" "" ""
row "  product RSS added: dlopen + licd_open + 1st check" "$lib_added KiB" "load $lib_load + open/check $lib_open" ""
line
echo "notes:"
echo "  medians of the chunks (under this load): by name ${R[check.name_1t_med]} ns, by handle ${R[check.handle_1t_med]} ns, clock ${R[check.clock_med]} ns, 2 threads ${R[check.name_2t_med]} / ${R[check.handle_2t_med]} ns, Ed25519 ${R[check.ed25519_med]} ns, QUERY ${R[check.sock_med]} ns, connect+QUERY ${R[check.sockconn_med]} ns"
echo "  propagation p99 of licd's reply: $(ms prop.sock_ack_p99); the slowest all-deny: $(ms prop.sock_deny_max)"
if [ "$conn_ok" -lt "$NCONN" ]; then
	echo "  licd kept $conn_ok of $NCONN connections: SRV_MAX_CONNS = ${MAX_CONNS:-?} (daemon/server.h) closes the others at accept; licd's RLIMIT_NOFILE here: $LICD_NOFILE. 1000 clients: idle + 1000 x per-client cost"
fi
for k in sock licctl; do
	t=${R[prop.${k}_timeouts]:-0} f=${R[prop.${k}_failures]:-0} o=${R[prop.${k}_other_reason]:-0}
	[ "$t$f$o" = 000 ] || echo "  propagation ($k): $t repetitions timed out (5 s), $f imports failed, $o denials with another reason than disabled-by-order"
done
[ "${R[ingest.status_seq_ok]}" = "$NSTATUS" ] && [ "${R[ingest.status_pipe_ok]}" = "$NSTATUS" ] &&
	[ "${R[ingest.order_seq_ok]}" = "$NORDER" ] ||
	echo "  ingestion: accepted ${R[ingest.status_seq_ok]}+${R[ingest.status_pipe_ok]} of 2x$NSTATUS statuses, ${R[ingest.order_seq_ok]} of $NORDER orders"
echo "  raw figures: $RES"
} | tee "$B/bench/table.txt"
exit 0
