/* SPDX-License-Identifier: MIT */
/*
 * bench/check RUNTIME_DIR PRODUCT FEATURE PURPOSE LICENCE_DOC LICENCE_PUB
 *
 * The cost of one licence decision, four ways, in one run against the
 * same running licd:
 *   name_*    licd_check() by name (liblicd, the snapshot mapping)
 *   handle_*  licd_check_handle() with pre-resolved handles
 *             (each in one thread, and in two threads sharing the handle)
 *   ed25519_* what an offline licence file costs per check: one Ed25519
 *             verification (crypto_sign_verify_detached) of the real
 *             licence token's signed bytes, PAE included
 *   sock_*    what a licence server costs per check: a QUERY frame over
 *             licd.sock and its R_DECISION (one connection kept open)
 *   sockconn_* the same with a new connection per check (as a one-shot
 *             client, e.g. `licctl query` without the library, does)
 *   clock_*   for reference, clock_gettime(CLOCK_MONOTONIC_COARSE) alone:
 *             the vDSO clock read that every check makes (freshness)
 * Each figure is ns per decision (see "Timing" below).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <licd.h>

#include "bench.h"

static const char *feature_name, *purpose_name;
static licd_t *h;
static licd_feature_t fh;
static licd_purpose_t ph;
static volatile int sink;

/* ---- the library ---- */

static int64_t
run_name(long n)
{
	int64_t t0 = bench_now();
	licd_reason_t why;
	int acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += licd_check(h, feature_name, purpose_name, &why);
	sink += acc;
	return bench_now() - t0;
}

static int64_t
run_handle(long n)
{
	int64_t t0 = bench_now();
	licd_reason_t why;
	int acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += licd_check_handle(h, fh, ph, &why);
	sink += acc;
	return bench_now() - t0;
}

/* For reference: the clock read every check makes (the snapshot's
 * freshness against client_grace), alone. */
static int64_t
run_clock(long n)
{
	int64_t t0 = bench_now();
	struct timespec ts;
	long i, acc = 0;

	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
		acc += ts.tv_nsec;
	}
	sink += (int)acc;
	return bench_now() - t0;
}

typedef int64_t (*runner)(long);

/*
 * Timing: every figure is measured in chunks of about CHUNK_NS, each
 * giving one ns-per-call value, for RUN_NS in all, split into ROUNDS
 * rounds that visit every figure in turn (so a slow spell of a shared
 * machine falls on all of them alike, and their ratios hold). A chunk in
 * which the thread was preempted is an outlier far above the others: the
 * median chunk (_med) is the figure, the 10th percentile (_p10) the
 * undisturbed best.
 */
#define CHUNK_NS	200000LL	/* 0.2 ms */
#define RUN_NS		500000000LL	/* 0.5 s per figure */
#define ROUNDS		5
#define MAX_CHUNKS	(RUN_NS / CHUNK_NS * 4)

struct figure {
	const char *key;
	runner f;
	int threads;		/* 1 or 2 */
	long n;			/* calls per chunk */
	size_t k;		/* chunks so far */
	double *v;		/* 2 * MAX_CHUNKS */
};

/* Calls per chunk. */
static long
calibrate(runner f)
{
	long n = 1;
	int64_t t;

	for (;;) {
		t = f(n);
		if (t > CHUNK_NS / 4 || n > (1L << 24))
			break;
		n *= 2;
	}
	n = (long)((double)n * CHUNK_NS / (double)(t > 0 ? t : 1));
	return n > 0 ? n : 1;
}

/* Chunks of n calls for ns; their ns per call appended to v[*k]. */
static void
chunks(runner f, long n, int64_t ns, double *v, size_t *k, size_t max)
{
	int64_t end = bench_now() + ns;

	while (*k < max && bench_now() < end) {
		v[*k] = (double)f(n) / (double)n;
		++*k;
	}
}

/* The second thread of a two-thread figure. */
struct two {
	pthread_barrier_t start;
	runner f;
	long n;
	int64_t ns;
	double v[MAX_CHUNKS];
	size_t k;
};

static void *
two_thread(void *arg)
{
	struct two *w = arg;

	pthread_barrier_wait(&w->start);
	chunks(w->f, w->n, w->ns, w->v, &w->k, MAX_CHUNKS);
	return NULL;
}

static void
round_of(struct figure *fg, int64_t ns)
{
	static struct two w;
	pthread_t th;

	if (fg->threads == 1) {
		chunks(fg->f, fg->n, ns, fg->v, &fg->k, 2 * MAX_CHUNKS);
		return;
	}
	w.f = fg->f;
	w.n = fg->n;
	w.ns = ns;
	w.k = 0;
	pthread_barrier_init(&w.start, NULL, 2);
	if (pthread_create(&th, NULL, two_thread, &w) != 0)
		bench_die("pthread_create failed");
	pthread_barrier_wait(&w.start);
	chunks(fg->f, fg->n, ns, fg->v, &fg->k, 2 * MAX_CHUNKS);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&w.start);
	if (fg->k + w.k > 2 * MAX_CHUNKS)
		w.k = 2 * MAX_CHUNKS - fg->k;
	memcpy(fg->v + fg->k, w.v, w.k * sizeof(double));
	fg->k += w.k;
}

static void
measure(struct figure *fg, size_t n)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		fg[i].n = calibrate(fg[i].f);
		fg[i].k = 0;
		if ((fg[i].v = calloc(2 * MAX_CHUNKS, sizeof(double))) == NULL)
			bench_die("out of memory");
		fg[i].f(fg[i].n * 10);	/* warm up */
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < n; i++)
			round_of(&fg[i], RUN_NS / ROUNDS);
	for (i = 0; i < n; i++) {
		printf("%s_med %.2f\n%s_p10 %.2f\n%s_chunks %zu\n",
		    fg[i].key, bench_quantile(fg[i].v, fg[i].k, .5), fg[i].key,
		    bench_quantile(fg[i].v, fg[i].k, .1), fg[i].key, fg[i].k);
		free(fg[i].v);
	}
}

/* ---- an offline licence file: verify its signature per check ---- */

static uint8_t lic_pk[TOK_PK_LEN], lic_sig[TOK_SIG_LEN];
static uint8_t *lic_input;
static size_t lic_input_len;

static int64_t
run_ed25519(long n)
{
	int64_t t0 = bench_now();
	int acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += crypto_sign_verify_detached(lic_sig, lic_input,
		    lic_input_len, lic_pk) == 0;
	sink += acc;
	return bench_now() - t0;
}

static void
load_licence(const char *doc_path, const char *pub_path)
{
	struct tok t;
	struct lerr e = { 0 };
	char *doc = bench_read_file(doc_path, NULL), *line, *end;
	static const char implicit[] = "licd:v1:licence";

	for (line = doc; strncmp(line, "v4.", 3) != 0; line = end + 1)
		if ((end = strchr(line, '\n')) == NULL)
			bench_die("%s: no token", doc_path);
	end = strchr(line, '\n');
	if (tok_parse(line, end != NULL ? (size_t)(end - line) :
	    strlen(line), &t, &e) < 0 ||
	    tok_sig_input(t.msg, t.msg_len, t.footer, t.footer_len,
	    (const uint8_t *)implicit, strlen(implicit), &lic_input,
	    &lic_input_len) < 0)
		bench_die("%s: %s", doc_path, e.msg);
	memcpy(lic_sig, t.sig, sizeof(lic_sig));
	bench_load_pk(pub_path, lic_pk);
	if (crypto_sign_verify_detached(lic_sig, lic_input, lic_input_len,
	    lic_pk) != 0)
		bench_die("%s: the licence does not verify with %s", doc_path,
		    pub_path);
	printf("licence_msg_bytes %zu\nlicence_signed_bytes %zu\n",
	    t.msg_len, lic_input_len);
	tok_free(&t);
	free(doc);
}

/* ---- a licence server: a socket round trip per check ---- */

static const char *sock_path, *product_name;
static struct bench_conn conn;

static void
query_msg(struct proto_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = PROTO_QUERY;
	m->u.query.product = proto_str(product_name);
	m->u.query.feature = proto_str(feature_name);
	m->u.query.purpose = proto_str(purpose_name);
}

static int
one_query(struct bench_conn *c)
{
	struct proto_msg m;

	query_msg(&m);
	if (bench_rpc(c, &m, 5000) < 0 ||
	    c->reply.type != PROTO_R_DECISION)
		bench_die("QUERY over %s failed", sock_path);
	return c->reply.u.decision.allowed;
}

static int64_t
run_sock(long n)
{
	int64_t t0 = bench_now();
	int acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += one_query(&conn);
	sink += acc;
	return bench_now() - t0;
}

static int64_t
run_sockconn(long n)
{
	int64_t t0 = bench_now();
	struct bench_conn c;
	int acc = 0;
	long i;

	for (i = 0; i < n; i++) {
		if (bench_connect(&c, sock_path) < 0)
			bench_die("%s: cannot connect", sock_path);
		acc += one_query(&c);
		bench_close(&c);
	}
	sink += acc;
	return bench_now() - t0;
}

int
main(int argc, char **argv)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	char sock[4096];
	licd_reason_t why;
	int r, a1, a2, a3;

	if (argc != 7) {
		fprintf(stderr, "usage: %s RUNTIME_DIR PRODUCT FEATURE PURPOSE "
		    "LICENCE_DOC LICENCE_PUB\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		bench_die("sodium_init failed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	product_name = argv[2];
	feature_name = argv[3];
	purpose_name = argv[4];
	o.runtime_dir = argv[1];
	o.flags = LICD_OPEN_NO_ENV;
	if ((r = licd_open(product_name, &o, &h)) < 0)
		bench_die("licd_open: %s", licd_strerror(r));
	fh = licd_feature_resolve(h, feature_name);
	ph = licd_purpose_resolve(h, purpose_name);
	if (fh < 0 || ph < 0)
		bench_die("resolving %s/%s failed", feature_name,
		    purpose_name);
	/* The first check by name registers the names (once). */
	a1 = licd_check(h, feature_name, purpose_name, &why);
	a2 = licd_check_handle(h, fh, ph, &why);
	snprintf(sock, sizeof(sock), "%s/licd.sock", argv[1]);
	sock_path = sock;
	if (bench_connect(&conn, sock_path) < 0)
		bench_die("%s: cannot connect", sock_path);
	a3 = one_query(&conn);
	printf("check_answer %s\n", a1 && a2 && a3 ? "allowed" :
	    licd_reason_str(why));
	if (!(a1 == a2 && a2 == a3))
		bench_die("the library (%d, %d) and the socket (%d) disagree",
		    a1, a2, a3);

	load_licence(argv[5], argv[6]);
	{
		struct figure fg[] = {
			{ "name_1t", run_name, 1, 0, 0, NULL },
			{ "handle_1t", run_handle, 1, 0, 0, NULL },
			{ "clock", run_clock, 1, 0, 0, NULL },
			{ "name_2t", run_name, 2, 0, 0, NULL },
			{ "handle_2t", run_handle, 2, 0, 0, NULL },
			{ "ed25519", run_ed25519, 1, 0, 0, NULL },
			{ "sock", run_sock, 1, 0, 0, NULL },
			{ "sockconn", run_sockconn, 1, 0, 0, NULL },
		};

		measure(fg, sizeof(fg) / sizeof(fg[0]));
	}
	bench_close(&conn);
	licd_close(h);
	return 0;
}
