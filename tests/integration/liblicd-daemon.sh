#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# liblicd against the real licd: the example product reads a real
# snapshot; acquire and release, limits and their reason; a product killed
# with leases held frees them; many concurrent clients acquiring and
# releasing never exceed a limit; an order reaches a running product (its
# lease revoked, its features denied); licd killed and restarted under a
# running product; fork; an unprivileged product (setpriv).
# Every case is skipped while build/licd does not serve ACQUIRE yet.
# Prints one line per case: "ok - name", "not ok - name" or "skip - name".
. "$(dirname "$0")/lib.sh"

LIB=$B/liblicd.so.1
EX=$B/examples/interceptor
if [ ! -f "$LIB" ] || [ ! -x "$EX" ]; then
	echo "not ok - $LIB and $EX are built"
	exit 1
fi
# Sockets for the many-clients case, in licd and in the client.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

lib_init
# Everything an unprivileged product needs must be reachable by it.
chmod 0755 "$T"

# ---- the client helper --------------------------------------------------------
cat >"$T/client.c" <<'C'
/* The test's product: one command per run, one result per line. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <licd.h>

static licd_t *
open_h(const char *dir)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	licd_t *h;
	int r;

	o.runtime_dir = dir;
	o.timeout_ms = 5000;
	if ((r = licd_open("interceptor", &o, &h)) < 0) {
		printf("open-failed %s\n", licd_strerror(r));
		exit(1);
	}
	return h;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* acquire N FEATURE PURPOSE CASE SECONDS: take N leases, report, hold. */
static int
cmd_hold(licd_t *h, char **a)
{
	int n = atoi(a[0]), i, held = 0, r;
	licd_reason_t why;
	licd_lease_t l;

	for (i = 0; i < n; i++) {
		r = licd_acquire(h, a[1], a[2], a[3], &l, &why);
		if (r == -LICD_E_NOT_SUPPORTED) {
			printf("not-supported\n");
			return 3;
		}
		if (r == 0)
			held++;
		else
			printf("refused %s\n", licd_reason_str(why));
	}
	printf("held %d\n", held);
	fflush(stdout);
	sleep((unsigned)atoi(a[4]));
	return 0;
}

static int
cmd_check(licd_t *h, char **a)
{
	licd_reason_t why;

	if (licd_check(h, a[0], a[1], &why))
		printf("allowed\n");
	else
		printf("denied %s\n", licd_reason_str(why));
	return 0;
}

/* load CLIENTS SECONDS FEATURE PURPOSE: CLIENTS handles (connections),
 * a thread per 25, acquiring and releasing; the most held at once as the
 * clients themselves saw it (a lower bound of licd's count). */
static int nclients, held_now, held_max, grants, refusals, errors;
static double until;
static char *lf, *lp;
static licd_t **hs;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *
loader(void *arg)
{
	int first = (int)(long)arg, i, r, k;
	licd_reason_t why;
	licd_lease_t l;

	for (k = 0; now() < until; k++) {
		i = first + k % 25;
		if (i >= nclients)
			continue;
		r = licd_acquire(hs[i], lf, lp, "LOAD", &l, &why);
		pthread_mutex_lock(&mu);
		if (r == 0) {
			grants++;
			if (++held_now > held_max)
				held_max = held_now;
		} else if (r == -LICD_E_DENIED &&
		    why == LICD_REASON_LIMIT_REACHED) {
			refusals++;
		} else {
			errors++;
		}
		pthread_mutex_unlock(&mu);
		if (r != 0)
			continue;
		usleep(500);
		pthread_mutex_lock(&mu);
		held_now--;
		pthread_mutex_unlock(&mu);
		if (licd_release(hs[i], l) != 0)
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int
cmd_load(const char *dir, char **a)
{
	pthread_t th[64];
	int i, nt, connected = 0;
	licd_lease_t l;
	licd_reason_t why;

	nclients = atoi(a[0]);
	lf = a[2];
	lp = a[3];
	hs = calloc((size_t)nclients, sizeof(*hs));
	/* Connect them all first: each holds its connection open. */
	for (i = 0; i < nclients; i++) {
		hs[i] = open_h(dir);
		if (licd_fd(hs[i]) >= 0 && licd_dispatch(hs[i]) >= 0 &&
		    licd_acquire(hs[i], "no.such.feature", lp, NULL, &l,
		    &why) == -LICD_E_DENIED)
			connected++;
	}
	printf("connected %d\n", connected);
	fflush(stdout);
	until = now() + atof(a[1]);
	nt = (nclients + 24) / 25;
	for (i = 0; i < nt && i < 64; i++)
		pthread_create(&th[i], NULL, loader, (void *)(long)(i * 25));
	for (i = 0; i < nt && i < 64; i++)
		pthread_join(th[i], NULL);
	printf("grants %d refusals %d errors %d max %d\n", grants, refusals,
	    errors, held_max);
	for (i = 0; i < nclients; i++)
		licd_close(hs[i]);
	free(hs);
	return 0;
}

/* monitor SECONDS FEATURE PURPOSE: a running product. Holds a lease;
 * prints "T check ANSWER" when the answer changes and "T event ..." for
 * every callback; re-acquires after a loss once allowed again. */
static licd_lease_t lease;
static double t0;

static void
on_event(licd_t *h, const struct licd_event *ev, void *data)
{
	(void)h;
	(void)data;
	if (ev->type == LICD_EVENT_LEASE_REVOKED) {
		printf("%.3f event revoked %s%s\n", now() - t0,
		    licd_reason_str(ev->reason), ev->lease == lease ?
		    " ours" : "");
		if (ev->lease == lease)
			lease = 0;
	} else {
		printf("%.3f event changed %s %s\n", now() - t0,
		    licd_state_str(ev->state), licd_reason_str(ev->reason));
	}
	fflush(stdout);
}

static int
cmd_monitor(licd_t *h, char **a)
{
	double end;
	char last[64] = "", cur[64];
	licd_feature_t f = licd_feature_resolve(h, a[1]);
	licd_purpose_t p = licd_purpose_resolve(h, a[2]);
	licd_reason_t why;
	struct pollfd pf = { licd_fd(h), POLLIN, 0 };

	t0 = now();
	end = t0 + atof(a[0]);
	licd_on_change(h, on_event, NULL);
	while (now() < end) {
		if (licd_check_handle(h, f, p, &why))
			snprintf(cur, sizeof(cur), "allowed");
		else
			snprintf(cur, sizeof(cur), "denied %s",
			    licd_reason_str(why));
		if (strcmp(cur, last) != 0) {
			printf("%.3f check %s\n", now() - t0, cur);
			snprintf(last, sizeof(last), "%s", cur);
		}
		if (lease == 0 && why == LICD_REASON_NONE &&
		    licd_acquire(h, a[1], a[2], "MONITOR", &lease, &why) == 0)
			printf("%.3f lease %llu\n", now() - t0,
			    (unsigned long long)lease);
		fflush(stdout);
		if (poll(&pf, 1, 20) > 0)
			licd_dispatch(h);
	}
	return 0;
}

/* fork FEATURE PURPOSE: parent and child each take a lease; the child
 * cannot release the parent's and exits holding its own. */
static int
cmd_fork(licd_t *h, char **a)
{
	licd_lease_t mine, kid;
	int st;
	pid_t pid;

	if (licd_acquire(h, a[0], a[1], "PARENT", &mine, NULL) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		int ok = licd_release(h, mine) == -LICD_E_NO_LEASE &&
		    licd_acquire(h, a[0], a[1], "CHILD", &kid, NULL) == 0 &&
		    licd_check(h, a[0], a[1], NULL) == 1;
		printf("child %s\n", ok ? "ok" : "failed");
		fflush(stdout);
		sleep(1);
		_exit(ok ? 0 : 1);	/* dies holding kid */
	}
	waitpid(pid, &st, 0);
	printf("parent-release %d\n", licd_release(h, mine));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	licd_t *h;
	int r = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		return 2;
	if (strcmp(argv[2], "load") == 0 && argc == 7)
		return cmd_load(argv[1], argv + 3);
	h = open_h(argv[1]);
	if (strcmp(argv[2], "hold") == 0 && argc == 8)
		r = cmd_hold(h, argv + 3);
	else if (strcmp(argv[2], "check") == 0 && argc == 5)
		r = cmd_check(h, argv + 3);
	else if (strcmp(argv[2], "monitor") == 0 && argc == 6)
		r = cmd_monitor(h, argv + 3);
	else if (strcmp(argv[2], "fork") == 0 && argc == 5)
		r = cmd_fork(h, argv + 3);
	licd_close(h);
	return r;
}
C
# The library and the helper where an unprivileged user can load them.
# (The example finds the library at $ORIGIN/.., as in the build tree.)
mkdir -p "$T/lib/examples"
cp "$LIB" "$T/lib/"
cp "$EX" "$T/lib/examples/interceptor"
ln -s liblicd.so.1 "$T/lib/liblicd.so"
extra=$(nm -D --undefined-only "$LIB" 2>/dev/null | grep -q __asan_ &&
	echo "-fsanitize=address,undefined")
if ! cc -std=c11 -D_GNU_SOURCE $extra -O1 -I"$SRC/client-lib/include" \
	-o "$T/client" "$T/client.c" -L"$T/lib" -llicd -lpthread \
	-Wl,-rpath,"$T/lib" 2>"$T/cc.err"; then
	nok "the test's client helper builds"
	show "$T/cc.err" 10
	lib_finish
fi
chmod -R a+rX "$T/lib" "$T/client"
EXT=$T/lib/examples/interceptor
RUN=$T/run
CL() { timeout 60 "$T/client" "$RUN" "$@"; }

# ---- a licensed device ----------------------------------------------------------
lib_keys
lib_conf
# A short grace, so that a dead licd shows within seconds.
sed -i 's/^client_grace = .*/client_grace = "4s";/' "$T/licd.conf"
if ! licd_start; then
	nok "licd starts"
	lib_finish
fi
device_kid || nok "the device's key id"
FEATURES="sms.intercept:2 geo.locate voice.record" mk_licence "$T/lic.doc"
mk_status "$T/status.doc" 0
imp "$T/lic.doc" "$T/status.doc" || { nok "the licence is imported"; show "$T/imp.err"; }

# Does this licd serve counted uses yet?
CL hold 1 sms.intercept terrorism PROBE 0 >"$T/probe.out" 2>&1
if grep -q not-supported "$T/probe.out"; then
	for c in "interceptor reads the real snapshot" "acquire and release" \
		"limit-reached" "a killed product frees its leases" \
		"many clients never exceed a limit" "an order reaches a running product" \
		"licd killed and restarted under a running product" "fork" \
		"an unprivileged product"; do
		skip "$c (build/licd does not serve ACQUIRE yet)"
	done
	lib_finish
fi

# ---- the example product --------------------------------------------------------
wait_for 5 bash -c "'$EXT' --once --runtime-dir '$RUN' | grep -q '^licence: active'"
"$EXT" --once --runtime-dir "$RUN" >"$T/once.out" 2>&1
if grep -qx 'licence: active' "$T/once.out" &&
	grep -qx 'sms.intercept: allowed for terrorism, serious-crime' "$T/once.out" &&
	grep -qx 'geo.locate: allowed for terrorism, serious-crime' "$T/once.out"; then
	ok "interceptor reads the real snapshot"
else
	nok "interceptor reads the real snapshot"
	show "$T/once.out" 8
fi
check "a feature not in the licence: not-licensed" \
	test "$(CL check wifi.crack terrorism)" = "denied not-licensed"
check "a purpose not in the licence: purpose-not-permitted" \
	test "$(CL check sms.intercept espionage)" = "denied purpose-not-permitted"
if q=$(LC query interceptor sms.intercept serious-crime 2>/dev/null); then
	check "licctl query and the library agree" \
		test "$q" = "$(CL check sms.intercept serious-crime)"
fi

# ---- acquire, release, limits, a product's death -------------------------------
in_use() { sj "F('$LID', '$1').get('in_use', 0)" 2>/dev/null; }
holder() {	# holder OUT N: N leases of sms.intercept, held 30 s
	"$T/client" "$RUN" hold "$2" sms.intercept terrorism "CASE-$2" 30 >"$1" 2>&1 &
	BG_PIDS+=($!)
	HOLDER=$!
}
holder "$T/h1.out" 2
if wait_for 10 grep -q '^held 2$' "$T/h1.out"; then
	ok "acquire and release: two leases granted"
else
	nok "acquire and release: two leases granted"
	show "$T/h1.out"
fi
check "licd counts them (in_use 2)" wait_for 5 test "$(in_use sms.intercept)" = 2
check "a third: limit-reached" \
	bash -c "'$T/client' '$RUN' hold 1 sms.intercept terrorism X 0 | grep -qx 'refused limit-reached'"
check "the audit log has the case reference" \
	grep -q '"event":"acquire".*"case":"CASE-2"' "$STATE/audit.log"
{ kill -9 "$HOLDER"; wait "$HOLDER"; } 2>/dev/null
check "a killed product frees its leases (in_use 0)" \
	wait_for 5 test "$(in_use sms.intercept)" = 0
check "and a new client gets one again" \
	bash -c "'$T/client' '$RUN' hold 1 sms.intercept terrorism Y 0 | grep -qx 'held 1'"

# ---- many clients -----------------------------------------------------------------
max_conns=$(sed -n 's/^#define SRV_MAX_CONNS[^0-9]*\([0-9]*\).*/\1/p' "$SRC/daemon/server.h")
N=1000
if [ -n "$max_conns" ] && [ "$max_conns" -lt 1016 ]; then
	skip "1000 concurrent clients: licd takes at most $max_conns connections (SRV_MAX_CONNS); $((max_conns - 16)) here"
	N=$((max_conns - 16))
fi
CL load "$N" 5 sms.intercept terrorism >"$T/load.out" 2>&1
if grep -qx "connected $N" "$T/load.out"; then
	ok "$N clients connected at once"
else
	nok "$N clients connected at once ($(grep connected "$T/load.out"))"
fi
read -r _ g _ rf _ er _ mx < <(grep '^grants' "$T/load.out")
if [ -n "${mx:-}" ] && [ "$mx" -le 2 ] && [ "$g" -gt 0 ] && [ "$rf" -gt 0 ] &&
	[ "$er" -eq 0 ]; then
	ok "many clients never exceed a limit (max 2 held: $g grants, $rf refusals)"
else
	nok "many clients never exceed a limit ($(grep '^grants' "$T/load.out"))"
	show "$T/load.out"
fi
check "every lease came back (in_use 0)" wait_for 5 test "$(in_use sms.intercept)" = 0

# ---- fork ---------------------------------------------------------------------------
CL fork geo.locate terrorism >"$T/fork.out" 2>&1
if grep -qx 'child ok' "$T/fork.out" && grep -qx 'parent-release 0' "$T/fork.out"; then
	ok "fork: the child has its own connection and leases"
else
	nok "fork: the child has its own connection and leases"
	show "$T/fork.out"
fi
check "fork: the child's lease ends with the child" \
	wait_for 5 test "$(in_use geo.locate)" = 0

# ---- an unprivileged product -------------------------------------------------------
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	if "${NOBODY[@]}" "$EXT" --once --runtime-dir "$RUN" 2>&1 |
		grep -qx 'sms.intercept: allowed for terrorism, serious-crime'; then
		ok "an unprivileged product checks"
	else
		nok "an unprivileged product checks"
	fi
	check "an unprivileged product takes a lease" \
		bash -c "$(printf '%q ' "${NOBODY[@]}") '$T/client' '$RUN' hold 1 geo.locate terrorism NOBODY 0 | grep -qx 'held 1'"
	check "the audit log names its uid" \
		grep -q '"case":"NOBODY".*"uid":65534' "$STATE/audit.log"
else
	skip "an unprivileged product (needs root and setpriv)"
fi

# ---- an order reaches a running product --------------------------------------------
"$T/client" "$RUN" monitor 60 sms.intercept terrorism >"$T/mon.out" 2>&1 &
BG_PIDS+=($!)
MON=$!
wait_for 10 grep -q ' lease ' "$T/mon.out" || nok "the running product holds a lease"
REASON="Breach of end-use declaration" mk_order "$T/o1.doc" 1 restrict --keep geo.locate
t_import=$(date +%s.%N)
imp "$T/o1.doc" || { nok "the restrict order is imported"; show "$T/imp.err"; }
if wait_for 5 grep -q 'event revoked disabled-by-order ours' "$T/mon.out"; then
	ok "an order reaches a running product: its lease is revoked (disabled-by-order)"
else
	nok "an order reaches a running product: its lease is revoked"
	show "$T/mon.out" 10
fi
check "the product's check says disabled-by-order" \
	wait_for 5 grep -q 'check denied disabled-by-order' "$T/mon.out"
check "the product was told its licence changed (restricted)" \
	grep -q 'event changed restricted' "$T/mon.out"
note "import at $t_import; see $T/mon.out for the product's timeline"

# ---- licd killed and restarted under a running product -----------------------------
: >"$T/mon2.out"
"$T/client" "$RUN" monitor 60 geo.locate terrorism >"$T/mon2.out" 2>&1 &
BG_PIDS+=($!)
wait_for 10 grep -q ' lease ' "$T/mon2.out" || nok "the second product holds a lease"
licd_kill9
check "licd killed: the product's lease is reported lost (daemon-unavailable)" \
	wait_for 5 grep -q 'event revoked daemon-unavailable ours' "$T/mon2.out"
check "after client_grace its checks deny (daemon-unavailable)" \
	wait_for 10 grep -q 'check denied daemon-unavailable' "$T/mon2.out"
n0=$(grep -c ' lease ' "$T/mon2.out")
licd_start || nok "licd restarts"
check "licd back: the product allows again, by itself" \
	wait_for 10 bash -c "tail -n +\$(grep -n 'check denied daemon-unavailable' '$T/mon2.out' | tail -1 | cut -d: -f1) '$T/mon2.out' | grep -q 'check allowed'"
if wait_for 10 test "$(grep -c ' lease ' "$T/mon2.out")" -gt "$n0"; then
	ok "and takes a lease again on a new connection"
else
	nok "and takes a lease again on a new connection"
	show "$T/mon2.out" 20
fi

lib_finish
