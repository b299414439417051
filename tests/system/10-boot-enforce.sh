#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# System test: boot a real systemd (Debian bookworm, systemd 252) with
# systemd-nspawn, licd installed by `make install install-systemd` and
# enabled as packaged (licd.service, licd-enforce.path, sysusers, tmpfiles,
# licd.conf.example as the configuration), with a dummy product unit
# interceptor.service in enforce.stop_units (and interceptor-web.service,
# whose unit file is in /etc/systemd/system). The checks run inside (see
# guest/10-boot-enforce.sh): Type=notify readiness, STATUS=, the watchdog,
# user licd, journald events, licctl as root and nobody, a licence and
# 2-of-3 orders (restrict, suspend -> interceptor stopped and masked,
# reinstate -> unmasked), the inbox, reload, restart, kill -9, a watchdog
# timeout and persistence. The host then re-checks every status snapshot
# the guest saved with python3. Takes about a minute with the cached root
# (/var/tmp/licd-systest/root-v1), three to four without (debootstrap).
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh" && [ -n "$SRC" ] || { echo "not ok - tests/system/lib.sh"; exit 1; }

sys_require
sys_rootfs || sys_finish
sys_init
[ -d "$ROOT" ] && [ "$ROOT" != / ] || { nok "the container root"; sys_finish; }
sys_install || sys_finish
sys_ministries || sys_finish
# The shipped example is the configuration: root /etc/licd/root.doc,
# /var/lib/licd, /run/licd, inbox, admin_group licd-admin and
# stop_units = [ "interceptor.service" ].
# A second product unit, interceptor-web.service, is added to stop_units:
# its unit file is in /etc/systemd/system (installed by hand), which a
# runtime mask cannot hide.
sed 's/stop_units = \[ "interceptor.service" \]/stop_units = [ "interceptor.service", "interceptor-web.service" ]/' \
	"$ROOT/etc/licd/licd.conf.example" >"$ROOT/etc/licd/licd.conf" &&
	chmod 0644 "$ROOT/etc/licd/licd.conf" &&
	grep -q '"interceptor-web.service"' "$ROOT/etc/licd/licd.conf" ||
	{ nok "licd.conf from licd.conf.example"; sys_finish; }
if sys_enable licd.service licd-enforce.path; then
	ok "systemctl --root enable licd.service licd-enforce.path"
else
	nok "systemctl --root enable licd.service licd-enforce.path"
	show "$W/enable.log"
fi
sys_product interceptor.service || sys_finish
sys_product interceptor-web.service /etc/systemd/system || sys_finish
sys_guest 10-boot-enforce.sh || sys_finish
sys_boot
sys_report
sys_check_snapshots IL-2026-0042
sys_finish
