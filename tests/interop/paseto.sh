#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interop: tokens signed by the npm "paseto" package (an implementation
# nobody here wrote) verify with licissue, and documents licissue signs
# verify with it, v4.public with the licd implicit assertion.
set -u
src=${LICD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${LICD_BUILD:-$src/build}
li=$bld/licissue
fails=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
	echo "skip - paseto interop: npm/node ABSENT, interop NOT TESTED"
	echo "!!! WARNING: npm is not installed; the interop test was skipped !!!" >&2
	exit 0
fi
mod=$bld/interop
if [ ! -d "$mod/node_modules/paseto" ]; then
	mkdir -p "$mod"
	if ! npm install --prefix "$mod" --no-audit --no-fund --silent paseto@3 >"$mod/npm.log" 2>&1; then
		cat "$mod/npm.log"
		nok "npm install paseto@3"
		exit 1
	fi
fi
export PASETO_MODULE=$mod/node_modules/paseto
ok "npm paseto $(node -p "require('$PASETO_MODULE/package.json').version") installed"
js="node $src/tests/interop/paseto-interop.js"

t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cd "$t"
for k in a b c d e; do "$li" keygen --out "$k" >"$k.pid" || nok "keygen $k"; done
pid() { cat "$1.pid"; }
"$li" root --ver 1 --iat 2026-01-01T00:00:00Z --exp 2036-01-01T00:00:00Z \
	--key-entry a.pub:A --key-entry b.pub:B --key-entry c.pub:C \
	--key-entry d.pub:D --key-entry e.pub:E \
	--role "root=$(pid a),$(pid b):2" --role "licence=$(pid c)" \
	--role "order=$(pid a),$(pid b),$(pid d):2" --role "status=$(pid e)" \
	--key a.key --key b.key >root.doc
check "licissue builds the root" "[ -s root.doc ]"

cat >order.json <<'JSON'
{"lid":"IL-2026-0042","seq":7,"iat":"2026-11-20T10:00:00Z","action":"restrict","keep":["geo.locate"],"purposes":["terrorism"],"reason":"Breach of end-use declaration, clause 4","ref":"DECA-2026-117"}
JSON
printf '%s' "$(cat order.json)" >order.msg

# 1. paseto signs (two ministries), licissue verifies.
{ $js sign a.key "$(pid a)" order order.msg; $js sign b.key "$(pid b)" order order.msg; } >order-js.doc
out=$("$li" verify --root root.doc order-js.doc 2>err.txt); rc=$?
check "paseto-signed 2-of-3 order verifies with licissue" "[ $rc -eq 0 ] && [ \"\$out\" = \"\$(cat order.msg)\" ]"

# The same token under another implicit assertion must not verify.
$js sign a.key "$(pid a)" order order.msg >one.tok
"$li" verify --root root.doc one.tok >/dev/null 2>err.txt; rc=$?
check "paseto-signed 1-of-3 order is refused (threshold)" "[ $rc -eq 1 ] && grep -q '^threshold' err.txt"

# 2. licissue signs, paseto verifies every line.
"$li" sign --type order --key a.key --key d.key order.json >order-c.doc
n=0
while read -r line; do
	[ -n "$line" ] || continue
	n=$((n + 1))
	who=$([ $n -eq 1 ] && echo a || echo d)
	got=$($js verify "$who.pub" order "$line" 2>/dev/null)
	check "licissue line $n verifies with paseto" "[ \"\$got\" = \"\$(cat order.msg)\" ]"
done <order-c.doc
line=$(head -1 order-c.doc)
$js verify a.pub licence "$line" >/dev/null 2>&1; rc=$?
check "paseto refuses licissue token under another implicit assertion" "[ $rc -ne 0 ]"
$js verify b.pub order "$line" >/dev/null 2>&1; rc=$?
check "paseto refuses licissue token under another key" "[ $rc -ne 0 ]"

# 3. PEM keys from openssl sign through licissue; paseto verifies.
if command -v openssl >/dev/null; then
	openssl genpkey -algorithm ed25519 -out p.pem 2>/dev/null
	"$li" sign --type order --key p.pem order.json >order-pem.doc 2>err.txt
	raw=$(openssl pkey -in p.pem -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0 | tr '+/' '-_' | tr -d '=')
	echo "k4.public.$raw" >p.pub
	got=$($js verify p.pub order "$(head -1 order-pem.doc)" 2>/dev/null)
	check "PEM-key token from licissue verifies with paseto" "[ \"\$got\" = \"\$(cat order.msg)\" ]"
fi
[ $fails -eq 0 ]
