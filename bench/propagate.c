/* SPDX-License-Identifier: MIT */
/*
 * bench/propagate RUNTIME_DIR PRODUCT FEATURE PURPOSE LID ORDER_KEY1
 *                 ORDER_KEY2 SEQ0 CLIENTS REPS LICCTL_REPS LICCTL WORKDIR
 *
 * How fast a ministry's order reaches running products. CLIENTS
 * processes each open their own licd_t, subscribe (licd_fd) and poll it;
 * on every wake-up they call licd_dispatch() and licd_check_handle(), and
 * note (CLOCK_MONOTONIC, in shared memory) when the answer changes.
 *
 * One repetition: a restrict order (keep nothing: FEATURE is disabled)
 * with the next seq is handed to licd, and we wait until every client
 * has seen "denied"; then a reinstate order (next seq), and we wait until
 * every client allows again. The latency of a repetition is from the
 * moment the import starts to the last client's denial.
 *   - REPS repetitions send the IMPORT frame directly on licd.sock (what
 *     `licctl import` sends), so the figure is licd's work plus the
 *     clients' wake-up, without a process start;
 *   - LICCTL_REPS more run the real `LICCTL --socket ... import FILE`,
 *     the clock starting before the process is spawned.
 * Prints "key value" lines (ms); next_seq for the orders that follow.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <licd.h>

#include "bench.h"

#define WAIT_NS		5000000000LL	/* give up on a repetition after 5 s */

struct slot {
	int64_t t;		/* when the answer last changed */
	int allowed;		/* the answer: 1, 0; -1 before the first */
	int reason;		/* licd_reason_t of the last denial */
	int changes;
	int pad;
};

struct shared {
	int quit;
	int ready;
	int failed;
	int pad;
	struct slot s[];
};

static struct shared *sh;
static const char *rundir, *product, *feature, *purpose;

static void
client(int i, pid_t parent)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	struct slot *me = &sh->s[i];
	struct pollfd pf;
	licd_feature_t f;
	licd_purpose_t p;
	licd_reason_t why;
	licd_t *h;
	int a, last;

	/* Never outlive the benchmark. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	o.runtime_dir = rundir;
	o.flags = LICD_OPEN_NO_ENV;
	o.timeout_ms = 5000;
	if (licd_open(product, &o, &h) < 0 ||
	    (f = licd_feature_resolve(h, feature)) < 0 ||
	    (p = licd_purpose_resolve(h, purpose)) < 0 ||
	    (pf.fd = licd_fd(h)) < 0) {
		__atomic_add_fetch(&sh->failed, 1, __ATOMIC_SEQ_CST);
		_exit(1);
	}
	pf.events = POLLIN;
	licd_dispatch(h);
	last = licd_check_handle(h, f, p, &why);
	me->reason = (int)why;
	__atomic_store_n(&me->allowed, last, __ATOMIC_RELEASE);
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE)) {
		if (poll(&pf, 1, 100) > 0)
			licd_dispatch(h);
		a = licd_check_handle(h, f, p, &why);
		if (a != last) {
			me->t = bench_now();
			me->reason = (int)why;
			me->changes++;
			__atomic_store_n(&me->allowed, a, __ATOMIC_RELEASE);
			last = a;
		}
	}
	licd_close(h);
	_exit(0);
}

/* Wait until every client answers want; the last one's time of change,
 * or -1 after WAIT_NS. *first gets the first one's. */
static int64_t
wait_all(int n, int want, int64_t since, int64_t *first)
{
	struct timespec pause = { 0, 250000 };	/* 0.25 ms */
	int64_t last, t;
	int i, done;

	for (;;) {
		done = 0;
		last = 0;
		*first = INT64_MAX;
		for (i = 0; i < n; i++) {
			if (__atomic_load_n(&sh->s[i].allowed,
			    __ATOMIC_ACQUIRE) != want)
				break;
			t = sh->s[i].t;
			done++;
			if (t > last)
				last = t;
			if (t < *first)
				*first = t;
		}
		if (done == n)
			return last;
		if (bench_now() - since > WAIT_NS)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/* ---- orders ---- */

static uint8_t keys[2][TOK_SK_LEN];
static const char *lid;
static char iat[21];

static char *
order_doc(uint64_t seq, int restrict_, size_t *len)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "{\"lid\":\"%s\",\"seq\":%llu,"
	    "\"iat\":\"%s\",\"action\":\"%s\",%s\"reason\":\"Benchmark "
	    "order %llu\",\"ref\":\"BENCH-%llu\"}", lid,
	    (unsigned long long)seq, iat, restrict_ ? "restrict" :
	    "reinstate", restrict_ ? "\"keep\":[]," : "",
	    (unsigned long long)seq, (unsigned long long)seq);
	return bench_sign_doc((const uint8_t (*)[TOK_SK_LEN])keys, 2, "order",
	    msg, len);
}

static struct bench_conn conn;
static const char *licctl, *workdir;
static char sock[4096];
extern char **environ;

/* Import one order; returns when licd has answered (or licctl exited),
 * *ack then holds that moment. t0 is taken by the caller. */
static int
import_sock(const char *doc, size_t len, int64_t *ack)
{
	struct proto_msg m = { .type = PROTO_IMPORT };

	m.u.import.name = proto_str("bench-order.doc");
	m.u.import.doc.p = (const uint8_t *)doc;
	m.u.import.doc.len = (uint32_t)len;
	if (bench_rpc(&conn, &m, 10000) < 0 ||
	    conn.reply.type != PROTO_R_IMPORT)
		return -1;
	*ack = bench_now();
	return conn.reply.u.import_result.outcome == PROTO_REJECTED ? -1 : 0;
}

static int
import_licctl(const char *path, int64_t *ack)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)licctl, "--socket", sock, "import",
	    (char *)path, NULL };
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, licctl, &fa, NULL, argv, environ) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	*ack = bench_now();
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

struct series {
	double *deny, *first, *ack, *allow;
	int n, timeouts, failures, other_reason;
};

static void
series_init(struct series *s, int reps)
{
	memset(s, 0, sizeof(*s));
	s->deny = calloc((size_t)reps + 1, sizeof(double));
	s->first = calloc((size_t)reps + 1, sizeof(double));
	s->ack = calloc((size_t)reps + 1, sizeof(double));
	s->allow = calloc((size_t)reps + 1, sizeof(double));
	if (!s->deny || !s->first || !s->ack || !s->allow)
		bench_die("out of memory");
}

/* One restrict + reinstate pair. */
static void
repetition(struct series *s, int nclients, uint64_t *seq, int via_licctl)
{
	char path[4200];
	int64_t t0, ack = 0, last, first;
	size_t len;
	char *doc;
	int i, r, k;

	for (k = 0; k < 2; k++) {
		doc = order_doc(*seq, k == 0, &len);
		if (via_licctl) {
			FILE *f;

			snprintf(path, sizeof(path), "%s/order-%llu.doc",
			    workdir, (unsigned long long)*seq);
			if ((f = fopen(path, "w")) == NULL ||
			    fwrite(doc, 1, len, f) != len || fclose(f) != 0)
				bench_die("%s: cannot write", path);
		}
		(*seq)++;
		t0 = bench_now();
		r = via_licctl ? import_licctl(path, &ack) :
		    import_sock(doc, len, &ack);
		free(doc);
		if (r < 0) {
			s->failures++;
			fprintf(stderr, "bench: import of order %llu failed%s\n",
			    (unsigned long long)*seq - 1, via_licctl ? "" :
			    " (see licd's answer)");
			if (!via_licctl)
				fprintf(stderr, "bench: %.*s\n",
				    (int)conn.reply.u.import_result.message.len,
				    (const char *)conn.reply.u.import_result.message.p);
		}
		last = wait_all(nclients, k == 0 ? 0 : 1, t0, &first);
		if (last < 0) {
			s->timeouts++;
			continue;
		}
		if (k == 0) {
			s->deny[s->n] = (double)(last - t0) / 1e6;
			s->first[s->n] = (double)(first - t0) / 1e6;
			s->ack[s->n] = (double)(ack - t0) / 1e6;
			for (i = 0; i < nclients; i++)
				if (sh->s[i].reason !=
				    LICD_REASON_DISABLED_BY_ORDER)
					s->other_reason++;
		} else {
			s->allow[s->n++] = (double)(last - t0) / 1e6;
		}
	}
}

static void
print_series(const char *key, struct series *s)
{
	int n = s->n;

	printf("%s_reps %d\n%s_timeouts %d\n%s_failures %d\n"
	    "%s_other_reason %d\n", key, n, key, s->timeouts, key,
	    s->failures, key, s->other_reason);
	if (n == 0)
		return;
	printf("%s_ack_p50 %.3f\n", key, bench_quantile(s->ack, (size_t)n, .5));
	printf("%s_ack_p99 %.3f\n", key, bench_quantile(s->ack, (size_t)n, .99));
	printf("%s_first_p50 %.3f\n", key,
	    bench_quantile(s->first, (size_t)n, .5));
	printf("%s_deny_p50 %.3f\n", key,
	    bench_quantile(s->deny, (size_t)n, .5));
	printf("%s_deny_p99 %.3f\n", key,
	    bench_quantile(s->deny, (size_t)n, .99));
	printf("%s_deny_max %.3f\n", key,
	    bench_quantile(s->deny, (size_t)n, 1));
	printf("%s_allow_p50 %.3f\n", key,
	    bench_quantile(s->allow, (size_t)n, .5));
	printf("%s_allow_p99 %.3f\n", key,
	    bench_quantile(s->allow, (size_t)n, .99));
}

int
main(int argc, char **argv)
{
	struct series sock_s, ctl_s;
	int nclients, reps, ctl_reps, i, st;
	uint64_t seq;
	pid_t *pids;
	size_t shlen;
	int64_t until;

	if (argc != 14) {
		fprintf(stderr, "usage: %s RUNTIME_DIR PRODUCT FEATURE PURPOSE "
		    "LID ORDER_KEY1 ORDER_KEY2 SEQ0 CLIENTS REPS LICCTL_REPS "
		    "LICCTL WORKDIR\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		bench_die("sodium_init failed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	rundir = argv[1];
	product = argv[2];
	feature = argv[3];
	purpose = argv[4];
	lid = argv[5];
	bench_load_sk(argv[6], keys[0]);
	bench_load_sk(argv[7], keys[1]);
	seq = strtoull(argv[8], NULL, 10);
	nclients = atoi(argv[9]);
	reps = atoi(argv[10]);
	ctl_reps = atoi(argv[11]);
	licctl = argv[12];
	workdir = argv[13];
	snprintf(sock, sizeof(sock), "%s/licd.sock", rundir);
	bench_time_str(time(NULL) - 60, iat);

	shlen = sizeof(*sh) + (size_t)nclients * sizeof(struct slot);
	sh = mmap(NULL, shlen, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		bench_die("mmap: %s", strerror(errno));
	memset(sh, 0, shlen);
	for (i = 0; i < nclients; i++)
		sh->s[i].allowed = -1;
	if ((pids = calloc((size_t)nclients, sizeof(*pids))) == NULL)
		bench_die("out of memory");
	for (i = 0; i < nclients; i++) {
		pid_t me = getpid();

		if ((pids[i] = fork()) < 0)
			bench_die("fork: %s", strerror(errno));
		if (pids[i] == 0)
			client(i, me);
	}
	until = bench_now() + 20000000000LL;
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) +
	    __atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST) < nclients &&
	    bench_now() < until)
		usleep(1000);
	printf("clients %d\nclients_failed %d\n", sh->ready, sh->failed);
	if (sh->ready != nclients)
		bench_die("only %d of %d clients started", sh->ready,
		    nclients);
	for (i = 0; i < nclients; i++)
		if (sh->s[i].allowed != 1)
			bench_die("client %d is denied before any order "
			    "(reason %d)", i, sh->s[i].reason);

	if (bench_connect(&conn, sock) < 0)
		bench_die("%s: cannot connect", sock);
	series_init(&sock_s, reps);
	series_init(&ctl_s, ctl_reps);
	for (i = 0; i < reps; i++)
		repetition(&sock_s, nclients, &seq, 0);
	for (i = 0; i < ctl_reps; i++)
		repetition(&ctl_s, nclients, &seq, 1);
	bench_close(&conn);

	__atomic_store_n(&sh->quit, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nclients; i++)
		waitpid(pids[i], &st, 0);
	print_series("sock", &sock_s);
	print_series("licctl", &ctl_s);
	printf("next_seq %llu\n", (unsigned long long)seq);
	return 0;
}
