/* SPDX-License-Identifier: MIT */
/* Helpers shared by the benchmark programs (bench/run.sh drives them):
 * clocks, statistics, the licd.sock protocol spoken directly (as licctl
 * does), PASERK key files and signing documents in memory, /proc memory.
 * Every program prints its figures as "key value" lines on stdout. */
#ifndef LICD_BENCH_H
#define LICD_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "tok.h"

/* CLOCK_MONOTONIC in ns: the clock licd and liblicd use too. */
int64_t bench_now(void);

/* Sort v (n values) and return the q-quantile (0..1), nearest rank. */
double bench_quantile(double *v, size_t n, double q);

/* Exit with a message on stderr (a benchmark cannot go on). */
void bench_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* A connection to licd.sock. */
struct bench_conn {
	int fd;
	uint32_t next_id;
	uint8_t *buf;			/* PROTO_MAX_MSG bytes */
	struct proto_msg reply;		/* points into buf */
};

/* Connect (blocking); -1 on failure (errno set). */
int bench_connect(struct bench_conn *c, const char *sock);
void bench_close(struct bench_conn *c);
/* Send m (its id is set here). 0, or -1. */
int bench_send(struct bench_conn *c, struct proto_msg *m);
/* Read the next frame (a reply or a notification) into c->reply, waiting
 * at most timeout_ms. 0, or -1 (timeout, EOF, a bad frame). */
int bench_recv(struct bench_conn *c, int timeout_ms);
/* bench_send then bench_recv of the reply (notifications skipped). */
int bench_rpc(struct bench_conn *c, struct proto_msg *m, int timeout_ms);

/* A key file: k4.public (pk) or k4.secret (sk = seed || pk). Exits on a
 * bad file. */
void bench_load_pk(const char *path, uint8_t pk[TOK_PK_LEN]);
void bench_load_sk(const char *path, uint8_t sk[TOK_SK_LEN]);

/* A one-token document ("v4.public...\n", malloc'd) of msg signed by
 * each of the nkeys secret keys as typ ("order", "status", ...): the
 * bytes licissue writes. *len receives its length. */
char *bench_sign_doc(const uint8_t (*sk)[TOK_SK_LEN], size_t nkeys,
    const char *typ, const char *msg, size_t *len);

/* The whole file, NUL-terminated (malloc'd); exits on failure. */
char *bench_read_file(const char *path, size_t *len);

/* "YYYY-MM-DDTHH:MM:SSZ" of Unix time t into out (21 bytes). */
void bench_time_str(int64_t t, char out[21]);

/* A "Vm..."/"Rss..." field of /proc/PID/status in kB (pid 0: self);
 * -1 when absent. */
long bench_proc_kb(pid_t pid, const char *field);

#endif
