# SPDX-License-Identifier: MIT
# Helpers for the checks that run inside the booted container (sourced by
# tests/system/guest/*.sh, started by the oneshot unit licd-systest.service).
# Result lines go to /results/results.txt, which the host prints; the rest
# of the output goes to /results/guest.log. Only what a minbase Debian has:
# bash, coreutils, grep, sed, util-linux, systemd (no python, no jq).
set -u
R=/results
OUT=$R/results.txt
: >"$OUT"
exec >>"$R/guest.log" 2>&1
failed=0
T0=$(date +%s)

ok() { echo "ok - $1" | tee -a "$OUT"; }
nok() { echo "not ok - $1" | tee -a "$OUT"; failed=$((failed + 1)); }
skip() { echo "skip - $1" | tee -a "$OUT"; }
# note TEXT: a diagnostic, on the host's output as "#   TEXT".
note() { printf '#   %s\n' "$*" | tee -a "$OUT"; }
# show FILE [N]: the first N lines of FILE as diagnostics.
show() { [ -s "$1" ] && head -"${2:-5}" "$1" | while IFS= read -r l; do note "$l"; done; return 0; }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
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
guest_done() {
	echo "# guest done: $failed failed, $(($(date +%s) - T0)) s" >>"$OUT"
	sync
}

# prop UNIT PROPERTY: systemctl show's value.
prop() { systemctl show -p "$2" --value "$1"; }
is_prop() { [ "$(prop "$1" "$2")" = "$3" ]; }
# check_prop NAME UNIT PROPERTY WANT
check_prop() {
	local got
	got=$(prop "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$1"; else nok "$1 ($3=$got, want $4)"; fi
}

# ts OFFSET: the time OFFSET seconds from now, YYYY-MM-DDTHH:MM:SSZ.
ts() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
b64d() {
	local s=$1
	case $((${#s} % 4)) in 2) s="$s==" ;; 3) s="$s=" ;; esac
	printf '%s' "$s" | basenc --base64url -d
}
# msg_of DOC: the signed message of the first token of DOC.
msg_of() { b64d "$(grep -m1 '^v4' "$1" | cut -d. -f3)" | head -c -64; }

# --- licctl status --json without a JSON parser ------------------------------
# The checks here need only a few values of a status with one licence; the
# host re-checks every saved snapshot with a real parser (python3).
# jflat FILE: FILE on one line.
jflat() { tr '\n' ' ' <"$1"; }
# jstr FILE KEY: the first string value of "KEY" in FILE.
jstr() { jflat "$1" | grep -o "\"$2\" *: *\"[^\"]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }
# jorder FILE: "SEQ ACTION" of the licence's order in force ("null" when none).
jorder() {
	local o
	o=$(jflat "$1" | grep -o '"order" *: *\(null\|{[^}]*}\)' | head -1)
	case $o in
	*null) echo null ;;
	*) printf '%s %s\n' "$(printf '%s' "$o" | grep -o '"seq" *: *[0-9]*' | grep -o '[0-9]*$')" \
	    "$(printf '%s' "$o" | grep -o '"action" *: *"[a-z]*"' | sed 's/.*"\([a-z]*\)"$/\1/')" ;;
	esac
}
