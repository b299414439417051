#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# liblicd's interface from outside: only licd_* is exported (nm -D
# --defined-only), every function licd.h declares is exported and in the
# man page's SYNOPSIS and nothing else is, the soname is liblicd.so.1,
# the library needs nothing but libc, licd.h compiles on its own (C99,
# C11, C++), and licd.pc lets a vendor build the example with pkg-config.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
set -u
B=${LICD_BUILD:-./build}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "not ok - build directory $B"; exit 1; }
SRC=${LICD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LIB=$B/liblicd.so.1
H=$SRC/client-lib/include/licd.h
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}

if [ ! -f "$LIB" ]; then
	echo "not ok - $LIB is built"
	exit 1
fi
if ! command -v nm >/dev/null; then
	echo "skip - nm is not installed (binutils)"
	exit 0
fi

# Defined dynamic symbols, without version suffixes; the version node
# (an absolute symbol, LICD_1.0) is not a symbol of the code.
nm -D --defined-only "$LIB" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$T/exported"
grep -v '^licd_' "$T/exported" >"$T/stray"
if [ -s "$T/stray" ]; then
	nok "only licd_* exported (also: $(tr '\n' ' ' <"$T/stray"))"
else
	ok "only licd_* exported ($(wc -l <"$T/exported") symbols)"
fi
# The shared copies compiled in stay hidden.
for s in proto_decode snap_lookup snap_check lerr_set view_check conn_call; do
	grep -qx "$s" "$T/exported" && nok "$s is not exported"
done
nm -D --defined-only "$LIB" | grep -q ' LICD_1\.0$' &&
	ok "symbols carry the version node LICD_1.0" ||
	nok "symbols carry the version node LICD_1.0"

# What licd.h declares (the line after each LICD_PUBLIC).
awk '/^LICD_PUBLIC$/ { getline; if (match($0, /licd_[a-z_]+\(/)) print substr($0, RSTART, RLENGTH - 1) }' \
	"$H" | sort -u >"$T/declared"
check "licd.h declares $(wc -l <"$T/declared") functions, all exported, nothing more" \
	diff -u "$T/declared" "$T/exported"
# The man page's SYNOPSIS.
sed -n 's/^\.Fn \(licd_[a-z_]*\) .*/\1/p; s/^\.Fn \(licd_[a-z_]*\)$/\1/p' \
	"$SRC/doc/liblicd.3" | sort -u >"$T/manual"
check "liblicd(3) SYNOPSIS lists exactly the exported functions" \
	diff -u "$T/exported" "$T/manual"

check "soname liblicd.so.1" \
	bash -c "readelf -d '$LIB' | grep -q 'SONAME.*\[liblicd\.so\.1\]'"
readelf -d "$LIB" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$T/needed"
# (make asan adds the sanitizers' runtimes.)
if grep -qvE '^(libc\.so\.6|libpthread\.so\.0|ld-linux.*|libasan\.so.*|libubsan\.so.*)$' "$T/needed"; then
	nok "needs only libc (needs: $(tr '\n' ' ' <"$T/needed"))"
else
	ok "needs only libc ($(tr '\n' ' ' <"$T/needed"))"
fi

# The header alone, in the languages a vendor may use.
printf '#include <licd.h>\nint main(void) { return licd_check(0, "f", 0, 0); }\n' >"$T/h.c"
for std in c99 c11; do
	check "licd.h compiles alone (-std=$std -pedantic -Werror)" \
		cc -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only \
		-I"$SRC/client-lib/include" "$T/h.c"
done
if command -v c++ >/dev/null; then
	cp "$T/h.c" "$T/h.cc"
	check "licd.h compiles as C++" c++ -Wall -Werror -fsyntax-only \
		-I"$SRC/client-lib/include" "$T/h.cc"
else
	echo "skip - licd.h as C++ (no c++ compiler)"
fi

# A vendor build with pkg-config, against a staged install.
if command -v pkg-config >/dev/null && [ -f "$B/licd.pc" ]; then
	mkdir -p "$T/inc" "$T/lib"
	cp "$H" "$T/inc/"
	cp "$LIB" "$T/lib/"
	ln -s liblicd.so.1 "$T/lib/liblicd.so"
	sed -e "s|^libdir=.*|libdir=$T/lib|; s|^includedir=.*|includedir=$T/inc|" \
		"$B/licd.pc" >"$T/licd.pc"
	# ASan/UBSan builds need their runtime in the vendor's link too.
	extra=$(nm -D --undefined-only "$LIB" | grep -q __asan_ &&
		echo "-fsanitize=address,undefined")
	if cc $extra -o "$T/interceptor" "$SRC/examples/interceptor.c" \
		$(PKG_CONFIG_PATH=$T pkg-config --cflags --libs licd) \
		-Wl,-rpath,"$T/lib" 2>"$T/cc.err"; then
		ok "examples/interceptor.c builds with pkg-config licd"
		if "$T/interceptor" --once --runtime-dir "$T/none" >"$T/out" 2>&1 &&
			grep -q '^sms.intercept: denied (daemon-unavailable)$' "$T/out"; then
			ok "the pkg-config build runs (no licd: daemon-unavailable)"
		else
			nok "the pkg-config build runs"
			sed 's/^/#   /' "$T/out" | head -5
		fi
	else
		nok "examples/interceptor.c builds with pkg-config licd"
		sed 's/^/#   /' "$T/cc.err" | head -5
	fi
	check "licd.pc: Version 1.0.0 as licd.h says" \
		bash -c "[ \"\$(PKG_CONFIG_PATH='$T' pkg-config --modversion licd)\" = \
		\"\$(sed -n 's/^#define LICD_VERSION_STRING[^\"]*\"\(.*\)\"/\1/p' '$H')\" ]"
else
	echo "skip - pkg-config build (pkg-config or $B/licd.pc missing)"
fi

[ "$failed" -eq 0 ]
