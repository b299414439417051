/* SPDX-License-Identifier: MIT */
/*
 * bench/conns SOCKET LICD_PID N
 *
 * licd's resident memory idle and with N connected clients. Each client
 * is a connection that sent SUBSCRIBE and got its R_OK, exactly what a
 * product's licd_fd() does; they stay open while licd's VmRSS is read
 * from /proc/LICD_PID/status. licd closes connections over its cap at
 * accept: those see end-of-file instead of R_OK and are counted as
 * refused. Prints "key value" lines (kB).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

int
main(int argc, char **argv)
{
	struct bench_conn *c;
	struct proto_msg m;
	struct rlimit rl;
	int n, i, ok = 0, refused = 0, failed = 0;
	long idle, full, peak;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SOCKET LICD_PID N\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	pid = (pid_t)atol(argv[2]);
	n = atoi(argv[3]);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((c = calloc((size_t)n, sizeof(*c))) == NULL)
		bench_die("out of memory");
	idle = bench_proc_kb(pid, "VmRSS");
	for (i = 0; i < n; i++) {
		if (bench_connect(&c[i], argv[1]) < 0) {
			if (failed++ == 0)
				fprintf(stderr, "bench: connection %d: %s\n", i,
				    strerror(errno));
			c[i].fd = -1;
			continue;
		}
		memset(&m, 0, sizeof(m));
		m.type = PROTO_SUBSCRIBE;
		if (bench_rpc(&c[i], &m, 5000) == 0 &&
		    c[i].reply.type == PROTO_R_OK) {
			ok++;
			/* keep the fd, drop the 1 MiB receive buffer */
			free(c[i].buf);
			c[i].buf = NULL;
		} else {
			refused++;
			bench_close(&c[i]);
		}
	}
	usleep(300000);
	full = bench_proc_kb(pid, "VmRSS");
	peak = bench_proc_kb(pid, "VmHWM");
	printf("attempted %d\nconnected %d\nrefused %d\nconnect_failed %d\n",
	    n, ok, refused, failed);
	printf("rss_before_kb %ld\nrss_connected_kb %ld\nhwm_kb %ld\n", idle,
	    full, peak);
	for (i = 0; i < n; i++)
		if (c[i].fd >= 0)
			bench_close(&c[i]);
	free(c);
	return 0;
}
