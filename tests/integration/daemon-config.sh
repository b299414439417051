#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# licd's command line and licd.conf (DESIGN 5.1, licd.conf(5)): --help,
# --check-config, exit 78 with "FILE:LINE: message" for every kind of bad
# configuration, a root that does not verify, reloads that keep the old
# configuration when the new one is bad or changes a restart-only key, and
# licctl's exit codes when the daemon cannot be reached (DESIGN 5.4).
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh"

lib_init
lib_keys
lib_conf

# --- the command line -----------------------------------------------------------
"$LICD" --help >out.txt 2>err.txt
check "licd --help: usage on stdout, exit 0" \
	test $? -eq 0 -a -s out.txt -a ! -s err.txt
check "licd --help: the usage names --config, --foreground, --check-config" \
	grep -q -- '--config PATH.*--foreground.*--check-config' out.txt
"$LICD" --no-such-option >out.txt 2>err.txt
check "licd --no-such-option: usage on stderr, exit 2" \
	test $? -eq 2 -a ! -s out.txt -a -s err.txt
"$LICD" --config "$T/licd.conf" --check-config >out.txt 2>err.txt
check "licd --check-config of a valid file: exit 0" test $? -eq 0
check "--check-config says the file is OK" grep -q 'configuration OK' out.txt
check "--check-config of an unpinned build says the root is trusted as configured" \
	grep -q 'unpinned' out.txt
check "--check-config starts nothing" test ! -e "$STATE" -a ! -e "$T/run"

"$LICCTL" --help >out.txt 2>err.txt
check "licctl --help: usage on stdout, exit 0" test $? -eq 0 -a -s out.txt -a ! -s err.txt
"$LICCTL" frobnicate >out.txt 2>err.txt
check "licctl with an unknown command: usage on stderr, exit 2" \
	test $? -eq 2 -a -s err.txt

# bad NAME WANT_MSG_REGEX [LINE...]: a licd.conf of those LINEs makes
# --check-config and a plain start exit 78 with "FILE:N: ..." matching.
bad() {
	local name=$1 want=$2 rc
	shift 2
	printf '%s\n' "$@" >bad.conf
	"$LICD" --config "$T/bad.conf" --check-config >out.txt 2>err.txt
	rc=$?
	if [ "$rc" -eq 78 ] && grep -qE "$T/bad.conf:[0-9]+: .*$want" err.txt; then
		ok "$name: exit 78, FILE:LINE: message"
	else
		nok "$name: exit 78, FILE:LINE: message (exit $rc)"
		show err.txt 2
	fi
}
base=("root = \"$T/root.doc\";" "state_dir = \"$T/s2\";" "runtime_dir = \"$T/r2\";")
# The purpose taxonomy of this tree, as lib_conf found licd takes it.
grep -q '^purposes = ' licd.conf && base+=("$(grep '^purposes = ' licd.conf)")
bad "an unknown key" 'unknown key "colour"' "${base[@]}" 'colour = "red";'
bad "an unknown key in a group" 'unknown key "enforce.colour"' "${base[@]}" 'enforce = { colour = "red"; };'
bad "a wrong type" 'client_grace.*expected a string' "${base[@]}" 'client_grace = 30;'
bad "a relative path" 'not an absolute path' "root = \"root.doc\";" "${base[@]:1}"
bad "a relative purposes path" 'not an absolute path' "${base[@]:0:3}" 'purposes = "purposes.conf";'
printf '%s\n' "${base[@]:0:3}" "purposes = \"$T/none.conf\";" >bad.conf
"$LICD" --config "$T/bad.conf" --check-config >out.txt 2>err.txt
rc=$?
check "a purposes file that cannot be read: exit 78, naming it (FILE:0)" \
	test "$rc" -eq 78 -a -n "$(grep "$T/none.conf:0: " err.txt)"
bad "a bad duration" 'client_grace.*duration' "${base[@]}" 'client_grace = "30 seconds";'
bad "a duration below 1 s" 'client_grace' "${base[@]}" 'client_grace = "0s";'
bad "a missing group" 'no group' "${base[@]}" 'admin_group = "no-such-group-xyz";'
bad "a hook that is not executable" 'executable' "${base[@]}" "enforce = { on_change = \"$T/root.doc\"; };"
bad "a unit without a suffix" 'unit' "${base[@]}" 'enforce = { stop_units = [ "interceptor" ]; };'
bad "a local.disable entry that is not a name" 'FEATURE' "${base[@]}" 'local = { disable = [ "Geo Locate" ]; };'
bad "a feed url that is not https" 'https' "${base[@]}" 'feed = { url = "http://example.org/v1/"; };'
bad "a feed interval below 60 s" 'interval' "${base[@]}" 'feed = { url = "https://example.org/v1/"; interval = "10s"; };'
bad "a syntax error" '' "${base[@]}" 'root = ;'
bad "a control character in a value" 'control character' "${base[@]}" "inbox = \"$T/in"$'\t'"box\";"
# FILE:0 cases: a missing file and a missing required key.
"$LICD" --config "$T/none.conf" --check-config >out.txt 2>err.txt
rc=$?
check "a missing file: exit 78, FILE:0: message" \
	test "$rc" -eq 78 -a -n "$(grep "$T/none.conf:0: " err.txt)"
printf '%s\n' "${base[@]:1}" >bad.conf
"$LICD" --config "$T/bad.conf" --check-config >out.txt 2>err.txt
rc=$?
check "a missing required key (root): exit 78, FILE:0: names it" \
	test "$rc" -eq 78 -a -n "$(grep "$T/bad.conf:0: .*root" err.txt)"
tamper root.doc 's/"ver":1/"ver":2/' >badroot.doc
printf '%s\n' "root = \"$T/badroot.doc\";" "${base[@]:1}" >bad.conf
"$LICD" --config "$T/bad.conf" --check-config >out.txt 2>err.txt
check "a root that does not verify: exit 78" test $? -eq 78
"$LICD" --config "$T/bad.conf" --foreground >out.txt 2>err.txt
check "licd does not start with a root that does not verify (exit 78)" test $? -eq 78
check "... and creates no state" test ! -e "$T/s2"
printf '%s\n' "${base[@]}" 'colour = "red";' >bad.conf
timeout 10 "$LICD" --config "$T/bad.conf" --foreground >out.txt 2>err.txt
check "licd does not start with an unknown key (exit 78)" test $? -eq 78
printf '%s\n' "${base[@]}" 'feed = { url = "https://feed.example/v1"; ca = "/etc/ssl/certs/ca-certificates.crt"; interval = "15m"; };' \
	'local = ( "x" );' >bad.conf
"$LICD" --config "$T/bad.conf" --check-config >out.txt 2>err.txt
check "local given as a list instead of a group: exit 78" test $? -eq 78
printf '%s\n' "${base[@]}" 'inbox = "/var/tmp";' 'admin_group = "root";' \
	'client_grace = "2m";' 'local = { disable = ( "geo.locate", "interceptor:sms.intercept" ); };' \
	"enforce = { on_change = \"/bin/true\"; stop_units = [ \"interceptor.service\", \"x@1.service\" ]; };" \
	'feed = { url = "https://feed.example/v1"; ca = "/etc/ssl/certs/ca-certificates.crt"; interval = "15m"; };' >full.conf
"$LICD" --config "$T/full.conf" --check-config >out.txt 2>err.txt
check "every key of licd.conf(5) at once is accepted" test $? -eq 0
show err.txt 2

# --- reload ---------------------------------------------------------------------
licd_start || nok "licd starts"
cp licd.conf good.conf
echo 'client_grace = "zz";' >>licd.conf
LC reload >out.txt 2>err.txt
rc=$?
check "licctl reload of a bad file: exit 1, names FILE:LINE" \
	test "$rc" -eq 1 -a -n "$(grep "licd.conf:[0-9]*:" err.txt out.txt)"
check "after a refused reload licd keeps running" reachable
sed "s|state_dir = .*|state_dir = \"$T/elsewhere\";|" good.conf >licd.conf
LC reload >out.txt 2>err.txt
rc=$?
check "a reload that changes state_dir is refused (needs a restart)" \
	test "$rc" -eq 1 -a -n "$(grep state_dir err.txt out.txt)"
check "the audit log records the refused reloads" \
	grep -q '"action":"reload-refused"' "$STATE/audit.log"
cp good.conf licd.conf
echo 'local = { disable = [ "geo.locate" ]; };' >>licd.conf
device_kid
mk_licence lic.doc
mk_status st.doc 0
imp lic.doc st.doc
LC reload >out.txt 2>err.txt
check "a good reload: exit 0" test $? -eq 0
check_eq "local.disable takes effect at reload: restricted, disabled-locally" \
	'restricted disabled-locally' "'%s %s' % (L('$LID')['state'], F('$LID','geo.locate')['reason'])"
cp good.conf licd.conf
kill -HUP "$LICD_PID"
if wait_for 5 sj_is active "L('$LID')['state']"; then
	ok "SIGHUP reloads too: the local restriction is lifted"
else
	nok "SIGHUP reloads too: the local restriction is lifted"
fi
check "the audit log records the reloads" grep -q '"action":"reload"' "$STATE/audit.log"
licd_stop

# --- licctl without a daemon (DESIGN 5.4) ------------------------------------------
LC status >out.txt 2>err.txt
check "licctl status without licd: exit 2" test $? -eq 2
LC import lic.doc >out.txt 2>err.txt
check "licctl import without licd: exit 2" test $? -eq 2
out=$(LC query interceptor geo.locate terrorism 2>/dev/null)
rc=$?
check "licctl query without licd: 'denied daemon-unavailable', exit 1" \
	test "$out" = "denied daemon-unavailable" -a "$rc" -eq 1
out=$(LC check 2>/dev/null)
rc=$?
check "licctl check without licd: one line, CRITICAL or UNKNOWN (exit 2 or 3)" \
	test "$rc" -ge 2 -a "$rc" -le 3 -a "$(echo "$out" | grep -cE '^LICD (CRITICAL|UNKNOWN) - ')" = 1
# --- the man pages follow the programs ------------------------------------------
# (STYLE: every binary and the configuration file have a man page whose
# SYNOPSIS matches usage().)
man_synopsis() { sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1"; }
missing=
for c in $("$LICCTL" --help | sed -n 's/^  \([a-z]\{1,\}\).*/\1/p'); do
	man_synopsis "$SRC/doc/licctl.8" | grep -q "^\.Cm $c\b" || missing="$missing $c"
done
check "licctl(8) SYNOPSIS has every command of licctl --help${missing:+ (missing:$missing)}" \
	test -z "$missing" -a -f "$SRC/doc/licctl.8"
missing=
for o in $("$LICCTL" --help | grep -o -- '--[a-z-]*' | sort -u); do
	man_synopsis "$SRC/doc/licctl.8" | grep -q -- "Fl -${o#--}\b" || missing="$missing $o"
done
check "licctl(8) SYNOPSIS has every option of licctl --help${missing:+ (missing:$missing)}" \
	test -z "$missing"
missing=
for o in $("$LICD" --help | grep -o -- '--[a-z-]*' | sort -u); do
	man_synopsis "$SRC/doc/licd.8" | grep -q -- "Fl -${o#--}\b" || missing="$missing $o"
done
check "licd(8) SYNOPSIS has every option of licd --help${missing:+ (missing:$missing)}" \
	test -z "$missing" -a -f "$SRC/doc/licd.8"
missing=
for k in $(sed -n 's/^[[:space:]]*\(STR\|DUR\|LIST\|GROUP\)("\([a-z_]*\)".*/\2/p' "$SRC/daemon/config.c"); do
	grep -q "^\.It Cm $k " "$SRC/doc/licd.conf.5" || missing="$missing $k"
done
check "licd.conf(5) documents every key of daemon/config.c's table${missing:+ (missing:$missing)}" \
	test -z "$missing" -a -f "$SRC/doc/licd.conf.5"
lib_finish
