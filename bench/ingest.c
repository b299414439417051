/* SPDX-License-Identifier: MIT */
/*
 * bench/ingest SOCKET LID DEVICE STATUS_KEY ORDER_KEY1 ORDER_KEY2
 *              NSTATUS NORDER SEQ0 IAT0 SYNC_DIR
 *
 * Ingestion: signed documents verified and applied by licd per second,
 * handed in over licd.sock as `licctl import` does, next to the raw
 * Ed25519 verification rate of libsodium on this machine.
 *   verify_*      crypto_sign_verify_detached() of a status's signed bytes
 *                 in a loop: verifications per second (best and median of
 *                 batches)
 *   status_seq    NSTATUS statuses (one signature each) with increasing
 *                 iat from IAT0 (Unix seconds, one second apart), one
 *                 IMPORT at a time on one connection
 *   status_pipe   NSTATUS more, pipelined (up to WINDOW requests in
 *                 flight, replies in order)
 *   order_seq     NORDER orders (two signatures each, 2-of-3), restrict
 *                 and reinstate alternating from seq SEQ0, one at a time:
 *                 each changes the state (republished snapshot, receipt
 *                 signed by the device key, audit lines)
 *   fsync_*       for reference, what one durable write costs on the disk
 *                 of SYNC_DIR (licd's state directory): an atomic
 *                 replacement of a 300-byte file (write a temporary file,
 *                 fsync, rename, fsync the directory), FSYNCS times
 *                 (p50, p99 in ms)
 * Every document is fresh (none is a no-op); each reply is checked and the
 * accepted ones counted.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"

#define WINDOW		16
#define VERIFY_BATCHES	7
#define VERIFY_BATCH_NS	100000000LL
#define FSYNCS		200

struct doc {
	char *p;
	size_t len;
};

static struct bench_conn conn;

static void
import_msg(struct proto_msg *m, const struct doc *d)
{
	memset(m, 0, sizeof(*m));
	m->type = PROTO_IMPORT;
	m->u.import.name = proto_str("bench.doc");
	m->u.import.doc.p = (const uint8_t *)d->p;
	m->u.import.doc.len = (uint32_t)d->len;
}

static int
accepted(void)
{
	if (conn.reply.type != PROTO_R_IMPORT)
		bench_die("IMPORT: unexpected reply type %u", conn.reply.type);
	if (conn.reply.u.import_result.outcome == PROTO_ACCEPTED)
		return 1;
	fprintf(stderr, "bench: not accepted: %.*s: %.*s\n",
	    (int)conn.reply.u.import_result.reason.len,
	    (const char *)conn.reply.u.import_result.reason.p,
	    (int)conn.reply.u.import_result.message.len,
	    (const char *)conn.reply.u.import_result.message.p);
	return 0;
}

/* One at a time. Returns documents per second; *ok counts accepted. */
static double
import_seq(struct doc *d, int n, int *ok)
{
	struct proto_msg m;
	int64_t t0 = bench_now();
	int i;

	*ok = 0;
	for (i = 0; i < n; i++) {
		import_msg(&m, &d[i]);
		if (bench_rpc(&conn, &m, 30000) < 0)
			bench_die("IMPORT %d failed", i);
		*ok += accepted();
	}
	return n / ((double)(bench_now() - t0) / 1e9);
}

/* Up to WINDOW in flight. */
static double
import_pipe(struct doc *d, int n, int *ok)
{
	struct proto_msg m;
	int64_t t0 = bench_now();
	int sent = 0, got = 0;

	*ok = 0;
	while (got < n) {
		while (sent < n && sent - got < WINDOW) {
			import_msg(&m, &d[sent++]);
			if (bench_send(&conn, &m) < 0)
				bench_die("IMPORT %d: send failed", sent);
		}
		if (bench_recv(&conn, 30000) < 0)
			bench_die("IMPORT: no reply");
		if (conn.reply.type == PROTO_N_CHANGED ||
		    conn.reply.type == PROTO_N_LEASE_REVOKED)
			continue;
		got++;
		*ok += accepted();
	}
	return n / ((double)(bench_now() - t0) / 1e9);
}

static volatile int sink;

/* p50 and p99 of one atomic file replacement in dir, the way licd's store
 * writes (DESIGN 5.1): a temporary file written and fsync()ed, renamed
 * over the old one, and the directory fsync()ed. */
static void
fsync_cost(const char *dir)
{
	char tmp[4200], path[4200], buf[300];
	double v[FSYNCS];
	int64_t t0;
	int fd, dfd, i;

	snprintf(tmp, sizeof(tmp), "%s/.bench-fsync.tmp", dir);
	snprintf(path, sizeof(path), "%s/bench-fsync", dir);
	memset(buf, 'x', sizeof(buf));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		bench_die("%s: cannot open", dir);
	for (i = 0; i < FSYNCS; i++) {
		t0 = bench_now();
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) < 0 ||
		    write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
		    fsync(fd) != 0 || close(fd) != 0 ||
		    rename(tmp, path) != 0 || fsync(dfd) != 0)
			bench_die("%s: atomic write failed", path);
		v[i] = (double)(bench_now() - t0) / 1e6;
	}
	close(dfd);
	unlink(path);
	printf("fsync_p50 %.3f\nfsync_p99 %.3f\n",
	    bench_quantile(v, FSYNCS, .5), bench_quantile(v, FSYNCS, .99));
}

int
main(int argc, char **argv)
{
	uint8_t sta[1][TOK_SK_LEN], ord[2][TOK_SK_LEN], pk[TOK_PK_LEN];
	char msg[512], iat[21], exp[21];
	const char *lid, *device;
	int nstatus, norder, i, ok, b;
	uint64_t seq0;
	int64_t iat0, t0, t;
	struct doc *st, *od;
	double v[VERIFY_BATCHES], rate;
	struct tok tk;
	struct lerr e = { 0 };
	uint8_t *input;
	size_t input_len;
	long n, k;

	if (argc != 12) {
		fprintf(stderr, "usage: %s SOCKET LID DEVICE STATUS_KEY "
		    "ORDER_KEY1 ORDER_KEY2 NSTATUS NORDER SEQ0 IAT0 SYNC_DIR\n",
		    argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		bench_die("sodium_init failed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	lid = argv[2];
	device = argv[3];
	bench_load_sk(argv[4], sta[0]);
	bench_load_sk(argv[5], ord[0]);
	bench_load_sk(argv[6], ord[1]);
	nstatus = atoi(argv[7]);
	norder = atoi(argv[8]);
	seq0 = strtoull(argv[9], NULL, 10);
	iat0 = strtoll(argv[10], NULL, 10);

	/* Sign everything first: only licd's work is timed. */
	st = calloc((size_t)nstatus * 2 + 1, sizeof(*st));
	od = calloc((size_t)norder + 1, sizeof(*od));
	if (st == NULL || od == NULL)
		bench_die("out of memory");
	for (i = 0; i < nstatus * 2; i++) {
		bench_time_str(iat0 + i, iat);
		bench_time_str(iat0 + i + 86400, exp);
		snprintf(msg, sizeof(msg), "{\"lid\":\"%s\",\"device\":\"%s\","
		    "\"iat\":\"%s\",\"exp\":\"%s\",\"seq\":%llu}", lid, device,
		    iat, exp, (unsigned long long)(seq0 > 0 ? seq0 - 1 : 0));
		st[i].p = bench_sign_doc((const uint8_t (*)[TOK_SK_LEN])sta, 1,
		    "status", msg, &st[i].len);
	}
	bench_time_str(time(NULL) - 60, iat);
	for (i = 0; i < norder; i++) {
		unsigned long long s = seq0 + (uint64_t)i;

		snprintf(msg, sizeof(msg), "{\"lid\":\"%s\",\"seq\":%llu,"
		    "\"iat\":\"%s\",\"action\":\"%s\",%s\"reason\":\"Benchmark "
		    "order %llu\",\"ref\":\"BENCH-%llu\"}", lid, s, iat,
		    i % 2 == 0 ? "restrict" : "reinstate",
		    i % 2 == 0 ? "\"keep\":[]," : "", s, s);
		od[i].p = bench_sign_doc((const uint8_t (*)[TOK_SK_LEN])ord, 2,
		    "order", msg, &od[i].len);
	}

	/* The raw rate: verify the first status's signature in a loop. */
	{
		char *line = st[0].p, *nl = strchr(line, '\n');

		if (tok_parse(line, (size_t)(nl - line), &tk, &e) < 0 ||
		    tok_sig_input(tk.msg, tk.msg_len, tk.footer,
		    tk.footer_len, (const uint8_t *)"licd:v1:status", 14,
		    &input, &input_len) < 0)
			bench_die("status token: %s", e.msg);
		memcpy(pk, sta[0] + 32, sizeof(pk));
		for (n = 256;; n *= 2) {
			t0 = bench_now();
			for (k = 0; k < n; k++)
				sink += crypto_sign_verify_detached(tk.sig,
				    input, input_len, pk);
			if ((t = bench_now() - t0) > VERIFY_BATCH_NS / 4)
				break;
		}
		n = (long)((double)n * VERIFY_BATCH_NS / (double)t) + 1;
		for (b = 0; b < VERIFY_BATCHES; b++) {
			t0 = bench_now();
			for (k = 0; k < n; k++)
				sink += crypto_sign_verify_detached(tk.sig,
				    input, input_len, pk);
			v[b] = (double)n / ((double)(bench_now() - t0) / 1e9);
		}
		printf("status_signed_bytes %zu\n", input_len);
		printf("verify_max %.0f\nverify_med %.0f\n",
		    bench_quantile(v, VERIFY_BATCHES, 1),
		    bench_quantile(v, VERIFY_BATCHES, .5));
		tok_free(&tk);
		free(input);
	}

	if (bench_connect(&conn, argv[1]) < 0)
		bench_die("%s: cannot connect", argv[1]);
	if (nstatus > 0) {
		rate = import_seq(st, nstatus, &ok);
		printf("status_seq_n %d\nstatus_seq_ok %d\nstatus_seq_per_s "
		    "%.0f\n", nstatus, ok, rate);
		rate = import_pipe(st + nstatus, nstatus, &ok);
		printf("status_pipe_n %d\nstatus_pipe_ok %d\n"
		    "status_pipe_per_s %.0f\n", nstatus, ok, rate);
	}
	if (norder > 0) {
		rate = import_seq(od, norder, &ok);
		printf("order_seq_n %d\norder_seq_ok %d\norder_seq_per_s "
		    "%.0f\n", norder, ok, rate);
	}
	printf("next_seq %llu\n", (unsigned long long)(seq0 + (uint64_t)norder));
	bench_close(&conn);
	fsync_cost(argv[11]);
	for (i = 0; i < nstatus * 2; i++)
		free(st[i].p);
	for (i = 0; i < norder; i++)
		free(od[i].p);
	free(st);
	free(od);
	return 0;
}
