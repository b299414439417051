# SPDX-License-Identifier: MIT
# Shared helpers for the system tests: a Debian bookworm root file system
# (debootstrap, cached), a fresh copy of it per run (an overlay, or cp -a),
# licd installed into it with `make install install-systemd`, and a real
# systemd booted in it with systemd-nspawn --boot. The checks run inside the
# container (a oneshot unit) and write "ok - ..." / "not ok - ..." lines to
# a bind-mounted results directory; the host prints them.
#
# Sourced by tests/system/NN-*.sh; run on its own it does nothing.
# Everything is bounded in time, and the trap kills the container,
# unmounts and removes the copy whatever happens.
#
# Environment:
#   LICD_SYSTEST=0           skip the system tests
#   LICD_SYSTEST_CACHE=DIR   where the cached root lives (/var/tmp/licd-systest)
#   LICD_SYSTEST_MIRROR=URL  Debian mirror (http://deb.debian.org/debian)
#   LICD_SYSTEST_KEEP=1      keep the run directory (for debugging)
#   LICD_SYSTEST_BOOT_TIMEOUT=S  the container's time limit (300)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	exit 0		# a library, not a test
fi
set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SYS=$SRC/tests/system
CACHE=${LICD_SYSTEST_CACHE:-/var/tmp/licd-systest}
MIRROR=${LICD_SYSTEST_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# The cached root: its name carries a version, bumped whenever the package
# list changes, so that an old cache is never taken for a new one.
ROOTFS_NAME=root-v1
ROOTFS=$CACHE/$ROOTFS_NAME
ROOTFS_MARK=.licd-systest-complete
ROOTFS_PKGS=systemd,systemd-sysv,dbus,libsodium23,libjansson4,libconfig9,libsystemd0,libssl3,libcurl4
BOOT_TIMEOUT=${LICD_SYSTEST_BOOT_TIMEOUT:-300}

failed=0
W=
ROOT=
RESULTS=
OVERLAY=0
NSPAWN_PID=
T0=$(date +%s)

# --- results ------------------------------------------------------------------
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
skip() { echo "skip - $1"; }
note() { printf '#   %s\n' "$*"; }
show() { [ -s "$1" ] && sed 's/^/#   /' "$1" | tail -"${2:-10}"; return 0; }
elapsed() { echo $(($(date +%s) - T0)); }
sys_finish() {
	note "total $(elapsed) s"
	[ "$failed" -eq 0 ]
	exit $?
}

# sys_require: skip (exit 0) unless root with systemd-nspawn, debootstrap
# and overlay or cp; also when LICD_SYSTEST=0 or in a sanitizer build (the
# system test installs its own plain build, so it runs once, in build/).
sys_require() {
	local c
	if [ "${LICD_SYSTEST:-1}" = 0 ]; then
		skip "system tests: LICD_SYSTEST=0"
		exit 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		skip "system tests: need root (systemd-nspawn, mount)"
		exit 0
	fi
	for c in systemd-nspawn systemctl journalctl debootstrap make timeout flock; do
		if ! command -v "$c" >/dev/null 2>&1; then
			skip "system tests: $c is not installed (Debian: debootstrap systemd-container)"
			exit 0
		fi
	done
	case ${LICD_BUILD:-} in
	*/build-asan | */build-fuzz)
		skip "system tests: run in the plain build only (this is ${LICD_BUILD##*/})"
		exit 0 ;;
	esac
	if ! command -v python3 >/dev/null 2>&1; then
		nok "python3 is installed (the host checks the status snapshots with it)"
		exit 1
	fi
}

# --- the cached root file system ------------------------------------------------
# sys_rootfs: make $ROOTFS with debootstrap unless a complete one is there
# (the marker is written last). Serialised with flock, so two runs never
# build it at once; a half-made one (no marker) is thrown away.
sys_rootfs() {
	local t rc
	mkdir -p "$CACHE" || { nok "cache directory $CACHE"; return 1; }
	exec 8>"$CACHE/.lock"
	if ! flock -w 900 8; then
		nok "lock $CACHE/.lock (another run holds it)"
		return 1
	fi
	if [ -f "$ROOTFS/$ROOTFS_MARK" ]; then
		exec 8>&-
		note "rootfs: cached $ROOTFS"
		return 0
	fi
	rm -rf "$ROOTFS" "$ROOTFS.tmp"
	note "rootfs: debootstrap $SUITE into $ROOTFS (about a minute)"
	t=$(date +%s)
	timeout 900 debootstrap --variant=minbase --include="$ROOTFS_PKGS" \
		"$SUITE" "$ROOTFS.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		nok "debootstrap $SUITE (exit $rc; $CACHE/debootstrap.log)"
		show "$CACHE/debootstrap.log" 10
		rm -rf "$ROOTFS.tmp"
		exec 8>&-
		return 1
	fi
	# Make the image boot the same every time: no machine-id (nspawn
	# gives a transient one), a plain hostname, a clean apt cache.
	rm -f "$ROOTFS.tmp/etc/machine-id"
	: >"$ROOTFS.tmp/etc/machine-id"
	echo licd-systest >"$ROOTFS.tmp/etc/hostname"
	rm -rf "$ROOTFS.tmp/var/cache/apt/archives/"*.deb
	date -u +%Y-%m-%dT%H:%M:%SZ >"$ROOTFS.tmp/$ROOTFS_MARK"
	sync -f "$ROOTFS.tmp/$ROOTFS_MARK" 2>/dev/null
	mv "$ROOTFS.tmp" "$ROOTFS"
	exec 8>&-
	ok "rootfs: debootstrap $SUITE ($(($(date +%s) - t)) s, cached in $ROOTFS)"
}

# --- the per-run copy -----------------------------------------------------------
sys_cleanup() {
	local i
	trap - EXIT INT TERM
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		kill -TERM "$NSPAWN_PID" 2>/dev/null
		for i in $(seq 50); do
			kill -0 "$NSPAWN_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$NSPAWN_PID" 2>/dev/null
		wait "$NSPAWN_PID" 2>/dev/null
	fi
	NSPAWN_PID=
	[ -n "$W" ] || return 0
	# Keep the last run's results and logs for a look afterwards.
	if [ -d "$RESULTS" ]; then
		rm -rf "$CACHE/last-results"
		cp -a "$RESULTS" "$CACHE/last-results" 2>/dev/null
	fi
	if [ "$OVERLAY" = 1 ]; then
		umount "$ROOT" 2>/dev/null || umount -l "$ROOT" 2>/dev/null
	fi
	cd /
	if [ "${LICD_SYSTEST_KEEP:-0}" = 1 ]; then
		note "kept $W"
	else
		rm -rf --one-file-system "$W"
	fi
}

# sys_init: the run directory $W with $ROOT, a fresh writable copy of the
# cached root (an overlay when the kernel has one, else cp -a), and
# $RESULTS, bind-mounted at /results in the container.
sys_init() {
	local d p
	# What a killed run (SIGKILL: no trap) left behind: its overlay and
	# its directory, when the process that made it is gone.
	for d in "$CACHE"/run.*; do
		[ -d "$d" ] || continue
		p=$(cat "$d/pid" 2>/dev/null)
		[ -n "$p" ] && kill -0 "$p" 2>/dev/null && continue
		umount "$d/root" 2>/dev/null || umount -l "$d/root" 2>/dev/null
		rm -rf --one-file-system "$d"
	done
	W=$(mktemp -d "$CACHE/run.XXXXXX") || { nok "mktemp in $CACHE"; exit 1; }
	echo $$ >"$W/pid"
	MACHINE=licd-systest-${W##*.}
	trap sys_cleanup EXIT
	trap 'exit 130' INT TERM
	ROOT=$W/root
	RESULTS=$W/results
	mkdir -p "$ROOT" "$RESULTS" "$W/upper" "$W/work" || { nok "mkdir $W"; exit 1; }
	chmod 0755 "$W" "$RESULTS"
	if mount -t overlay overlay \
	    -o "lowerdir=$ROOTFS,upperdir=$W/upper,workdir=$W/work" "$ROOT" \
	    2>"$W/mount.err"; then
		OVERLAY=1
		note "root: overlay on $ROOTFS"
	elif cp -a --reflink=auto "$ROOTFS/." "$ROOT/"; then
		note "root: copy of $ROOTFS (no overlay: $(head -1 "$W/mount.err"))"
	else
		nok "a fresh copy of $ROOTFS"
		exit 1
	fi
}

# sys_install: build a plain tree with PREFIX=/usr into $W/build and install
# it into $ROOT with `make install install-systemd DESTDIR=$ROOT`. The
# build is private: the runner's build may be a sanitizer one, and the
# installed licd must look for its data under /usr/share/licd. MAKEFLAGS
# from an outer make (CFLAGS=-fsanitize=...) is not passed on.
sys_install() {
	local t rc
	t=$(date +%s)
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u CFLAGS -u LDFLAGS -u CPPFLAGS \
	    make -C "$SRC" -j"$(nproc)" --no-print-directory O="$W/build" \
	    PREFIX=/usr DESTDIR="$ROOT" install install-systemd \
	    >"$W/install.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "make install install-systemd PREFIX=/usr DESTDIR=root ($(($(date +%s) - t)) s)"
	else
		nok "make install install-systemd PREFIX=/usr DESTDIR=root (exit $rc)"
		show "$W/install.log" 15
		return 1
	fi
	HOST_LICISSUE=$W/build/licissue
}

# sys_enable UNIT [TARGET]: what `systemctl enable` does for a unit whose
# [Install] says WantedBy=TARGET, done from outside (systemctl --root).
sys_enable() {
	systemctl --root="$ROOT" enable "$@" >>"$W/enable.log" 2>&1
}

# sys_boot: boot $ROOT with systemd-nspawn; /results is $RESULTS. Waits
# for the container to power itself off, at most BOOT_TIMEOUT seconds;
# then it is stopped (SIGTERM: nspawn asks its systemd to halt) and, 20 s
# later, killed. The console goes to $RESULTS/console.log.
sys_boot() {
	local t end rc
	t=$(date +%s)
	end=$((t + BOOT_TIMEOUT))
	# A persistent journal, which the host can read when the guest dies.
	mkdir -p "$ROOT/var/log/journal"
	systemd-nspawn --boot --quiet -D "$ROOT" --machine="$MACHINE" \
		--bind="$RESULTS:/results" --register=no --keep-unit --private-network \
		--console=pipe --setenv=SYSTEMD_LOG_COLOR=0 \
		</dev/null >"$RESULTS/console.log" 2>&1 &
	NSPAWN_PID=$!
	while kill -0 "$NSPAWN_PID" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			nok "the container powers off within ${BOOT_TIMEOUT} s (stopped)"
			kill -TERM "$NSPAWN_PID" 2>/dev/null
			for _ in $(seq 100); do
				kill -0 "$NSPAWN_PID" 2>/dev/null || break
				sleep 0.2
			done
			kill -KILL "$NSPAWN_PID" 2>/dev/null
			break
		fi
		sleep 0.5
	done
	wait "$NSPAWN_PID" 2>/dev/null
	rc=$?
	NSPAWN_PID=
	BOOT_SECS=$(($(date +%s) - t))
	note "container ran ${BOOT_SECS} s, systemd-nspawn exit $rc"
	return 0
}

# sys_report: print the guest's result lines (counting the failures), and
# fail when the guest did not say it finished.
sys_report() {
	local f=$RESULTS/results.txt line
	if [ -f "$f" ]; then
		while IFS= read -r line; do
			case $line in
			"not ok - "*) echo "$line"; failed=$((failed + 1)) ;;
			"ok - "* | "skip - "* | "#"*) echo "$line" ;;
			*) echo "#   $line" ;;
			esac
		done <"$f"
	fi
	if ! grep -q '^# guest done' "$f" 2>/dev/null; then
		nok "the guest test unit ran to its end"
		note "console (last lines):"
		show "$RESULTS/console.log" 10
		if grep -v '^\(not \)\?ok - ' "$RESULTS/guest.log" >"$W/guest.txt" 2>/dev/null; then
			note "guest log (last lines):"
			show "$W/guest.txt" 20
		fi
		if journalctl -D "$ROOT/var/log/journal" --no-pager >"$RESULTS/journal-host.txt" 2>&1; then
			journalctl -D "$ROOT/var/log/journal" --no-pager -u licd-systest.service \
			    -u licd.service -u licd-enforce.service >"$W/j.txt" 2>&1
			note "the container's journal, licd-systest, licd, licd-enforce (all in $CACHE/last-results/journal-host.txt):"
			show "$W/j.txt" 30
		fi
	fi
}

# sys_guest SCRIPT: run tests/system/guest/SCRIPT inside the container as
# the oneshot unit licd-systest.service (after licd.service and the
# product's unit), which powers the container off when it ends, whatever
# happens; its own time limit is below the host's.
sys_guest() {
	local g=$ROOT/usr/local/lib/licd-systest
	mkdir -p "$g" &&
	cp "$SYS/guest/lib.sh" "$SYS/guest/$1" "$g/" || { nok "copy the guest scripts"; return 1; }
	cat >"$ROOT/etc/systemd/system/licd-systest.service" <<UNIT
[Unit]
Description=licd system test ($1)
After=licd.service licd-enforce.path interceptor.service systemd-tmpfiles-setup.service
Wants=licd.service

[Service]
Type=oneshot
ExecStart=/bin/bash /usr/local/lib/licd-systest/$1
ExecStopPost=/bin/systemctl poweroff --no-block
TimeoutStartSec=$((BOOT_TIMEOUT > 120 ? BOOT_TIMEOUT - 60 : BOOT_TIMEOUT / 2))
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
UNIT
	sys_enable licd-systest.service || { nok "enable licd-systest.service"; show "$W/enable.log"; return 1; }
}

# sys_product UNIT [DIR]: a dummy product unit (sleep infinity) in DIR
# (default /lib/systemd/system, where a vendor's package puts it), enabled.
sys_product() {
	mkdir -p "$ROOT${2:-/lib/systemd/system}"
	cat >"$ROOT${2:-/lib/systemd/system}/$1" <<UNIT
[Unit]
Description=Dummy licensed product ($1)

[Service]
ExecStart=/bin/sleep infinity

[Install]
WantedBy=multi-user.target
UNIT
	sys_enable "$1" || { nok "enable $1"; show "$W/enable.log"; return 1; }
}

# sys_ministries: ministry keys (in the container's /var/lib/licd-systest/keys,
# for licissue inside) and the root document /etc/licd/root.doc, made on the
# host with the licissue just built: the Ministry of Defence and of Foreign
# Affairs hold the root (2 of 2); orders are 2 of 3 (mod, mofa, ops); lic
# signs licences, sta statuses.
sys_ministries() {
	local k kd=$ROOT/var/lib/licd-systest/keys
	mkdir -p "$kd" && chmod 0700 "$kd"
	for k in mod mofa ops lic sta; do
		"$HOST_LICISSUE" keygen --out "$kd/$k" >/dev/null 2>"$W/err" ||
			{ nok "licissue keygen $k"; show "$W/err"; return 1; }
	done
	"$HOST_LICISSUE" root --ver 1 \
		--iat "$(date -u -d @$(($(date +%s) - 86400)) +%Y-%m-%dT%H:%M:%SZ)" \
		--key-entry "$kd/mod.pub:Ministry of Defence" \
		--key-entry "$kd/mofa.pub:Ministry of Foreign Affairs" \
		--role root="$kd/mod.pub,$kd/mofa.pub:2" --role licence="$kd/lic.pub" \
		--role order="$kd/mod.pub,$kd/mofa.pub,$kd/ops.pub:2" \
		--role status="$kd/sta.pub" \
		--key "$kd/mod.key" --key "$kd/mofa.key" \
		>"$ROOT/etc/licd/root.doc" 2>"$W/err" ||
		{ nok "licissue root"; show "$W/err"; return 1; }
	chmod 0644 "$ROOT/etc/licd/root.doc"
}

# sys_check_snapshots LID: every status snapshot the guest saved as
# status/NN-STATE-SEQ.json is valid JSON, schema_version 1, and the licence
# LID is in STATE with order SEQ ("none": no order) - checked with a real
# JSON parser.
sys_check_snapshots() {
	local n
	n=$(ls "$RESULTS/status/"*.json 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || { nok "the guest saved status snapshots"; return; }
	python3 - "$1" "$RESULTS/status" <<'PY' || failed=$((failed + 1))
import json, os, re, sys
lid, d = sys.argv[1], sys.argv[2]
bad = 0
for name in sorted(os.listdir(d)):
    m = re.fullmatch(r"(\d+)-([a-z]+)-(\w+)\.json", name)
    if not m:
        continue
    want_state, want_seq = m.group(2), m.group(3)
    try:
        s = json.load(open(os.path.join(d, name)))
        lic = [l for l in s["licences"] if l["lid"] == lid]
        got_state = lic[0]["state"] if lic else None
        o = lic[0]["order"] if lic else None
        got_seq = "none" if o is None else str(o["seq"])
        good = (s["schema_version"] == 1 and got_state == want_state
                and got_seq == want_seq and s["device"].startswith("k4.pid."))
        why = "state %s, order %s" % (got_state, got_seq)
    except Exception as e:
        good, why = False, "%s: %s" % (type(e).__name__, e)
    print("%s - status snapshot %s: valid JSON, %s with order %s (host check%s)"
          % ("ok" if good else "not ok", m.group(1), want_state, want_seq,
             "" if good else "; " + why))
    bad += not good
sys.exit(1 if bad else 0)
PY
}
