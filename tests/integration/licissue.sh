#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# licissue end to end: two ministries create keys, sign a root, a licence, a
# 2-of-3 order (signed, then cosigned) and a status with licissue alone, and
# every bad input is refused with its reason code and exit status.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
set -u
B=${LICD_BUILD:-./build}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "not ok - build directory $B"; exit 1; }
L=$B/licissue
if [ ! -x "$L" ]; then
	echo "not ok - $L is built"
	exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failed=0

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
# check NAME CMD...: the case passes when CMD succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }

# refused NAME RC REASON CMD...: CMD exits RC, prints nothing on stdout and
# "REASON: ..." on stderr (REASON "" when only the exit status matters).
refused() {
	local name=$1 want=$2 reason=$3 rc
	shift 3
	"$@" >out.txt 2>err.txt
	rc=$?
	if [ "$rc" -eq "$want" ] && [ ! -s out.txt ] &&
	    { [ -z "$reason" ] || grep -q "^$reason: " err.txt; }; then
		ok "$name"
	else
		nok "$name (exit $rc, wanted $want $reason)"
		sed 's/^/#   stderr: /' err.txt | head -5
	fi
}

# Independent of licissue: base64url decoding and the k4.pid of a key.
b64d() {
	local s=$1
	case $((${#s} % 4)) in 2) s="$s==" ;; 3) s="$s=" ;; esac
	printf '%s' "$s" | basenc --base64url -d
}
b64e() { basenc --base64url -w0 | tr -d '='; }
pid_of() {	# pid_of k4.public.XXX
	printf 'k4.pid.%s' "$(printf 'k4.pid.%s' "$1" | b2sum -l 264 |
	    cut -d' ' -f1 | tr a-f A-F | basenc --base16 -d | b64e)"
}
# The message of the first token of a document (body minus the signature).
msg_of() { b64d "$(grep -m1 '^v4' "$1" | cut -d. -f3)" | head -c -64; }
footer_of() { b64d "$(grep -m1 '^v4' "$1" | cut -d. -f4)"; }

# verified NAME DOC [ROOT]: exit 0, stdout is the signed message + LF.
verified() {
	local name=$1 doc=$2 root=${3:-root.doc} rc
	"$L" verify --root "$root" "$doc" >out.txt 2>err.txt
	rc=$?
	{ msg_of "$doc"; echo; } >want.txt
	if [ "$rc" -eq 0 ] && cmp -s out.txt want.txt && [ -s want.txt ]; then
		ok "$name"
	else
		nok "$name (exit $rc)"
		sed 's/^/#   stderr: /' err.txt | head -5
	fi
}

# Rewrite the message of every token of a document with sed expression
# $2, keeping signature and footer (a forgery).
tamper() {
	local line body
	while IFS= read -r line; do
		body=$(printf '%s' "$line" | cut -d. -f3)
		b64d "$body" >body.bin
		head -c -64 body.bin | sed "$2" >m.bin
		tail -c 64 body.bin >>m.bin
		printf 'v4.public.%s.%s\n' "$(b64e <m.bin)" \
		    "$(printf '%s' "$line" | cut -d. -f4)"
	done <"$1"
}

# --- keys -----------------------------------------------------------------
for k in mod mofa lic stat dev; do
	"$L" keygen --out "$k" >"$k.kid" 2>err.txt || nok "keygen $k"
done
check "keygen writes NAME.key (k4.secret) and NAME.pub (k4.public)" \
	grep -q '^k4\.secret\.' mod.key
check "keygen prints the k4.pid of NAME.pub" \
	test "$(cat mod.kid)" = "$(pid_of "$(cat mod.pub)")"
check "key file mode is 0600" test "$(stat -c %a mod.key)" = 600
sum=$(sha256sum mod.key mod.pub)
refused "keygen onto an existing key fails" 2 io "$L" keygen --out mod
check "keygen onto an existing key leaves it untouched" \
	test "$(sha256sum mod.key mod.pub)" = "$sum"
cp mofa.pub only.pub
refused "keygen onto an existing .pub fails" 2 io "$L" keygen --out only
check "keygen onto an existing .pub leaves no .key behind" test ! -e only.key
ln -s "$T/nowhere" link.key
refused "keygen does not follow a symlink" 2 io "$L" keygen --out link
check "keygen through a symlink creates nothing" test ! -e nowhere

# --- root -----------------------------------------------------------------
"$L" root --ver 1 --key-entry "mod.pub:Ministry of Defence" \
	--key-entry "mofa.pub:Ministry of Foreign Affairs" \
	--role root=mod.pub,mofa.pub:2 --role licence=lic.pub \
	--role order=mod.pub,mofa.pub,lic.pub:2 --role status=stat.pub \
	--key mod.key --key mofa.key >root.doc 2>err.txt
check "root: built and signed by both ministries" test -s root.doc
verified "root verifies under itself" root.doc
check "root: key names from --key-entry" \
	grep -q '"name":"Ministry of Defence"' want.txt
check "root: 2 signature lines" test "$(grep -c '^v4' root.doc)" = 2
check "root: footer is exactly {kid,typ}" \
	test "$(footer_of root.doc)" = "{\"kid\":\"$(cat mod.kid)\",\"typ\":\"root\"}"
refused "root: role key given by an unlisted k4.pid is a usage error" 2 "" \
	"$L" root --role "root=$(cat dev.kid)" --key mod.key

# --- licence --------------------------------------------------------------
echo "end-user declaration" >decl.txt
"$L" licence --lid IL-2026-0042 --vendor "Example Cyber Ltd" \
	--product interceptor --country XX \
	--agency "National Counter-Terrorism Unit" --declaration decl.txt \
	--device dev.pub --purpose terrorism --purpose serious-crime \
	--feature sms.intercept:10 --feature geo.locate --max-age 72h \
	--ladder 0s:restricted:geo.locate --ladder 168h:suspended \
	--key lic.key >lic.doc 2>err.txt
verified "licence verifies" lic.doc
check "licence: device is the k4.pid of the device key" \
	grep -q "\"device\":\"$(cat dev.kid)\"" want.txt
check "licence: declaration is the SHA-256 of the file" \
	grep -q "\"declaration\":\"sha256:$(sha256sum decl.txt | cut -d' ' -f1)\"" want.txt
check "licence: fields in the order of DESIGN 3.4" \
	grep -q '^{"lid":"IL-2026-0042","ver":1,"iat":"[^"]*","nbf":"[^"]*","exp":"[^"]*","vendor":"Example Cyber Ltd","product":"interceptor","end_user":{"country":"XX",' want.txt

# --- order: 2 of 3, signed then cosigned -----------------------------------
"$L" order --lid IL-2026-0042 --seq 1 --action restrict --keep geo.locate \
	--purpose terrorism --limit geo.locate:2 \
	--reason "Breach of end-use declaration, clause 4" --ref DECA-2026-117 \
	--key mod.key >order1.doc 2>err.txt
check "order: signed by one ministry" test "$(grep -c '^v4' order1.doc)" = 1
refused "order: 1 of 3 is below the threshold" 1 threshold \
	"$L" verify --root root.doc order1.doc
"$L" cosign --key mofa.key order1.doc >order2.doc 2>err.txt
check "cosign adds one line, keeping the first" \
	test "$(head -1 order2.doc)" = "$(head -1 order1.doc)" -a \
	"$(grep -c '^v4' order2.doc)" = 2
verified "order: 2 of 3 verifies" order2.doc
refused "cosign refuses a key that already signed" 2 usage \
	"$L" cosign --key mofa.key order2.doc
{ echo "# order 1, for the record"; cat order1.doc; } >commented.doc
"$L" cosign --key lic.key commented.doc >cosigned.doc 2>err.txt
check "cosign keeps comment lines" grep -q '^# order 1' cosigned.doc
verified "cosigned document with a comment verifies" cosigned.doc

# --- status ---------------------------------------------------------------
"$L" status --lid IL-2026-0042 --device "$(cat dev.kid)" --seq 1 --ttl 24h \
	--key stat.key >status.doc 2>err.txt
verified "status verifies" status.doc

# --- sign from JSON --------------------------------------------------------
cat >order2.json <<'JSON'
{
  "lid": "IL-2026-0042",
  "seq": 2,
  "iat": "2026-03-01T12:00:00Z",
  "action": "suspend",
  "reason": "Verstoß gegen Klausel 4 — “end use”",
  "ref": "DECA-2026-118"
}
JSON
printf '%s' '{"lid":"IL-2026-0042","seq":2,"iat":"2026-03-01T12:00:00Z","action":"suspend","reason":"Verstoß gegen Klausel 4 — “end use”","ref":"DECA-2026-118"}' >compact.want
"$L" sign --type order --key mod.key --key mofa.key order2.json \
	>signed.doc 2>err.txt
verified "sign: a 2-key JSON order verifies" signed.doc
check "sign: compact, key order kept, UTF-8 kept" \
	cmp -s <(msg_of signed.doc) compact.want
refused "sign: the same key twice is refused" 2 usage \
	"$L" sign --type order --key mod.key --key mod.key order2.json
sed 's/"seq": 2/"seq": "2"/' order2.json >bad.json
refused "sign: invalid payload is bad-payload" 1 bad-payload \
	"$L" sign --type order --key mod.key bad.json
check "sign: bad-payload names the file and the field" \
	grep -q 'bad.json.*seq' err.txt
refused "sign: a licence payload signed as an order is bad-payload" 1 \
	bad-payload "$L" sign --type order --key mod.key <(msg_of lic.doc)
"$L" sign --type order --key mod.key - <order2.json >stdin.doc 2>err.txt
check "sign: payload - is read from stdin" cmp -s <(msg_of stdin.doc) compact.want
refused "licence builder: a bad country is bad-payload" 1 bad-payload \
	"$L" licence --lid IL-1 --vendor V --product p --country xx \
	--agency A --declaration decl.txt --device dev.pub --purpose terrorism \
	--feature f --max-age 72h --ladder 0s:suspended --key lic.key
check "licence builder: the message names the field" grep -q country err.txt

# --- PEM keys from OpenSSL -------------------------------------------------
if openssl genpkey -algorithm ed25519 -out ops.pem 2>/dev/null; then
	openssl pkey -in ops.pem -pubout -out ops.pem.pub 2>/dev/null
	pem_pid=$(pid_of "k4.public.$(openssl pkey -in ops.pem -pubout \
	    -outform DER 2>/dev/null | tail -c 32 | b64e)")
	"$L" sign --type order --key ops.pem order2.json >pem.doc 2>err.txt
	check "PEM key signs" test -s pem.doc
	check "PEM key: kid is the one openssl pkey -pubout implies" \
		test "$(footer_of pem.doc)" = "{\"kid\":\"$pem_pid\",\"typ\":\"order\"}"
	"$L" root --role root=mod.pub,ops.pem.pub:2 --role licence=lic.pub \
		--role order=mod.pub,ops.pem.pub:2 --role status=stat.pub \
		--key mod.key --key ops.pem >rootpem.doc 2>err.txt
	check "PEM public key listed in a root under the same kid" \
		grep -q "\"$pem_pid\"" <(msg_of rootpem.doc)
	verified "root signed with a PEM key verifies" rootpem.doc rootpem.doc
	"$L" cosign --key mod.key pem.doc >pem2.doc 2>err.txt
	verified "order signed with PEM + k4.secret verifies" pem2.doc rootpem.doc
	openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 \
		-out ec.pem 2>/dev/null
	refused "a P-256 PEM key is refused" 1 bad-key \
		"$L" sign --type order --key ec.pem order2.json
else
	echo "skip - PEM keys (openssl genpkey -algorithm ed25519 failed)"
fi

# --- every bad input, refused with its reason ------------------------------
tamper lic.doc 's/interceptor/intercepto2/' >tampered.doc
refused "tampered message: bad-signature" 1 bad-signature \
	"$L" verify --root root.doc tampered.doc
refused "licence where an order is expected: wrong-type" 1 wrong-type \
	"$L" verify --root root.doc --type order lic.doc
# The licence key is also an order key: relabelled, it must still fail.
line=$(head -1 lic.doc)
printf '%s.%s\n' "${line%.*}" \
	"$(printf '{"kid":"%s","typ":"order"}' "$(cat lic.kid)" | b64e)" >relabel.doc
refused "licence relabelled typ order: bad-signature" 1 bad-signature \
	"$L" verify --root root.doc relabel.doc
"$L" order --lid IL-2026-0042 --seq 1 --action restrict --reason r --ref x \
	--key dev.key >unknown.doc 2>err.txt
refused "order signed by an unknown key only: threshold" 1 threshold \
	"$L" verify --root root.doc unknown.doc
sed 's/$/\r/' lic.doc >cr.doc
refused "document with a CR: malformed" 1 malformed \
	"$L" verify --root root.doc cr.doc
for i in $(seq 17); do head -1 lic.doc; done >seventeen.doc
refused "17 tokens: too-large" 1 too-large \
	"$L" verify --root root.doc seventeen.doc
"$L" order --lid IL-2026-0042 --seq 1 --action restrict --keep geo.locate \
	--reason other --ref x --key mofa.key >other.doc 2>err.txt
cat order1.doc other.doc >mismatch.doc
refused "lines with different messages: mismatch" 1 mismatch \
	"$L" verify --root root.doc mismatch.doc
refused "cosign of a mismatched document: mismatch" 1 mismatch \
	"$L" cosign --key lic.key mismatch.doc
refused "verify without --root: usage, exit 2" 2 "" \
	"$L" verify lic.doc
refused "verify with an unknown option: exit 2" 2 "" \
	"$L" verify --root root.doc --bogus lic.doc
refused "verify of a missing file: exit 2" 2 io \
	"$L" verify --root root.doc missing.doc
refused "verify under a missing root: exit 2" 2 io \
	"$L" verify --root missing.doc lic.doc
refused "sign with a missing key file: exit 2" 2 io \
	"$L" sign --type order --key missing.key order2.json

# --- root rotation -----------------------------------------------------------
"$L" keygen --out mod2 >mod2.kid 2>err.txt
rot() {	# rot VER KEY...: a root rotating mofa out of the root role
	local ver=$1 args=() k
	shift
	for k in "$@"; do args+=(--key "$k"); done
	"$L" root --ver "$ver" --role root=mod.pub,mod2.pub:2 \
		--role licence=lic.pub --role order=mod.pub,mofa.pub,lic.pub:2 \
		--role status=stat.pub "${args[@]}"
}
rot 2 mod.key mofa.key mod2.key >root2.doc 2>err.txt
verified "root ver 2 signed by old and new root roles verifies" root2.doc
rot 2 mod.key mod2.key >root2new.doc 2>err.txt
refused "root ver 2 without the old root role: threshold" 1 threshold \
	"$L" verify --root root.doc root2new.doc
rot 2 mod.key mofa.key >root2old.doc 2>err.txt
refused "root ver 2 without the new root role: threshold" 1 threshold \
	"$L" verify --root root.doc root2old.doc
rot 3 mod.key mofa.key mod2.key >root3.doc 2>err.txt
refused "root ver 3 from ver 1: root-version" 1 root-version \
	"$L" verify --root root.doc root3.doc
verified "root ver 3 from ver 2 verifies" root3.doc root2.doc

# --- help and usage -----------------------------------------------------------
for c in "" keygen sign cosign verify root licence order status; do
	"$L" $c --help >out.txt 2>err.txt
	rc=$?
	check "licissue${c:+ $c} --help: usage on stdout, exit 0" \
		test "$rc" = 0 -a -s out.txt -a ! -s err.txt
	"$L" $c --no-such-option >out.txt 2>err.txt
	rc=$?
	check "licissue${c:+ $c} --no-such-option: usage on stderr, exit 2" \
		test "$rc" = 2 -a ! -s out.txt -a -s err.txt
done
refused "unknown subcommand: exit 2" 2 "" "$L" frobnicate

[ "$failed" -eq 0 ]
