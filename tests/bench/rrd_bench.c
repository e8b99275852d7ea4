/*
 * rrd_bench.c -- push results through rrd_store and time it; also the
 * driver of the rrdcached integration test (no config file needed).
 *
 * usage: rrd_bench -d STATE_DIR [-c CHECKS] [-n UPDATES] [-r RRDCACHED]
 * Check i is "bench-<i>" (interval 60 s); update j of it is at
 * t0 + 60 j (j = 0..UPDATES; 0 is untimed: it creates the files)
 * with t0 = now - 60 UPDATES rounded to the minute, up unless
 * j % 10 == 9, total_ms = 100 + j % 1000.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "result.h"
#include "rrd_store.h"
#include "util.h"
#include "xmalloc.h"

/* Monotonic microseconds (util_mono_ms is too coarse for record()). */
static uint64_t
bench_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	struct config		 cfg;
	struct rrd_store	*rs;
	struct rrd_store_stats	 st, st0;
	struct check_conf	*checks;
	struct result		 r;
	long long		 nchecks = 10, nupd = 100, v;
	const char		*errstr;
	uint64_t		 t_start = 0, t_rec, t_done;
	time_t			 t0;
	long long		 i, j;
	int			 ch;

	memset(&cfg, 0, sizeof cfg);
	log_init("rrd_bench", 1, 0);
	while ((ch = getopt(argc, argv, "d:c:n:r:v")) != -1) {
		switch (ch) {
		case 'd':
			cfg.state_dir = optarg;
			break;
		case 'c':
		case 'n':
			if (util_parse_ll(optarg, 1, 10000000, &v, &errstr)) {
				fprintf(stderr, "-%c %s: %s\n", ch, optarg,
				    errstr);
				return 2;
			}
			if (ch == 'c')
				nchecks = v;
			else
				nupd = v;
			break;
		case 'r':
			cfg.rrdcached = optarg;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		default:
			fprintf(stderr, "usage: rrd_bench -d STATE_DIR [-c N] "
			    "[-n N] [-r RRDCACHED]\n");
			return 2;
		}
	}
	if (cfg.state_dir == NULL) {
		fprintf(stderr, "rrd_bench: -d STATE_DIR is required\n");
		return 2;
	}
	checks = xcalloc((size_t)nchecks, sizeof *checks);
	for (i = 0; i < nchecks; i++) {
		xasprintf(&checks[i].name, "bench-%lld", i);
		checks[i].interval = 60;
	}
	if ((rs = rrd_store_open(&cfg)) == NULL)
		return 1;
	rrd_store_set_queue_max(rs, (size_t)(nchecks * nupd));
	t0 = time(NULL) / 60 * 60 - 60 * (time_t)nupd;
	/* Update 0 creates the files; only the rest is timed. */
	for (j = 0; j <= nupd; j++) {
		if (j == 1) {
			rrd_store_sync(rs);
			rrd_store_get_stats(rs, &st0);
			t_start = bench_us();
		}
		for (i = 0; i < nchecks; i++) {
			memset(&r, 0, sizeof r);
			snprintf(r.name, sizeof r.name, "%s", checks[i].name);
			r.at = (double)(t0 + 60 * j);
			r.up = j % 10 != 9;
			r.state = r.up ? SW_STATE_UP : SW_STATE_DOWN;
			r.total_ms = 100 + (double)(j % 1000);
			r.dns_ms = 1;
			r.connect_ms = 2;
			r.ttfb_ms = 50;
			rrd_store_record(rs, &checks[i], &r);
		}
	}
	t_rec = bench_us();
	rrd_store_sync(rs);
	t_done = bench_us();
	rrd_store_get_stats(rs, &st);
	rrd_store_close(rs);
	printf("%s: %llu results, %lld checks: record() %.2f us each on the "
	    "loop; all written in %.3f s = %.0f updates/s; written %llu "
	    "dropped %llu skipped %llu errors %llu\n",
	    cfg.rrdcached != NULL ? "rrdcached" : "writer thread",
	    st.queued, nchecks,
	    (double)(t_rec - t_start) / (double)(st.queued - st0.queued),
	    (double)(t_done - t_start) / 1e6,
	    (double)(st.written - st0.written) * 1e6 /
	    (double)(t_done - t_start + 1),
	    st.written, st.dropped, st.skipped, st.errors);
	for (i = 0; i < nchecks; i++)
		free(checks[i].name);
	free(checks);
	return st.errors == 0 && st.written == st.queued ? 0 : 1;
}
