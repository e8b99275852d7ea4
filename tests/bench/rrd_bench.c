/*
 * rrd_bench.c -- push results through rrd_store and time it; also the
 * driver of the rrdcached integration test (no config file needed).
 *
 * usage: rrd_bench -d STATE_DIR [-c CHECKS] [-n UPDATES] [-r RRDCACHED]
 *            [-1] [-p RATE] [-P RRDCACHED_PID] [-s]
 * Check i is "bench-<i>" (interval 60 s); update j of it is at
 * t0 + 60 j (j = 0..UPDATES; 0 is untimed: it creates the files)
 * with t0 = now - 60 UPDATES rounded to the minute, up unless
 * j % 10 == 9, total_ms = 100 + j % 1000.
 *
 * -1 waits for each round to be written before the next, so every file
 * gets one update per batch (the daemon's case: each check reports once
 * per interval).  -p RATE paces record() at RATE results a second, as
 * the loop would, instead of as fast as possible.  The CPU figures are
 * getrusage's: the writer's is the process's minus the main thread's;
 * -P adds rrdcached's own (from /proc/PID/stat) for an honest total.
 * -s makes small files (one archive of 6 h) instead of the default
 * retention's 2.6 MB each: 10,000 default files take 26 GB of disk.
 */
#include <sys/resource.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "result.h"
#include "rrd_store.h"
#include "rrd_store_test.h"
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

/* CPU microseconds of a getrusage() answer. */
static double
bench_ru_us(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec * 1e6 + ru->ru_utime.tv_usec +
	    (double)ru->ru_stime.tv_sec * 1e6 + ru->ru_stime.tv_usec;
}

/* CPU microseconds used so far by process pid (0 when unknown). */
static double
bench_pid_us(long pid)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 ut = 0, st = 0;
	FILE			*f;
	size_t			 n;
	int			 i;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15 (utime, stime) count from after "(comm)". */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (i = 2; i < 14 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, "%llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

int
main(int argc, char **argv)
{
	struct config		 cfg;
	struct rrd_store	*rs;
	struct rrd_store_stats	 st, st0;
	struct check_conf	*checks;
	struct result		 r;
	long long		 nchecks = 10, nupd = 100, v, rate = 0;
	long			 cached_pid = 0;
	int			 rounds = 0;
	struct rusage		 ru_self0, ru_self1, ru_main0, ru_main1;
	double			 cached0 = 0, cached1;
	double			 w_us, m_us, c_us, nw;
	uint64_t		 t_pace, t_recsum = 0;
	const char		*errstr;
	uint64_t		 t_start = 0, t_done;
	time_t			 t0;
	long long		 i, j;
	int			 ch;

	memset(&cfg, 0, sizeof cfg);
	log_init("rrd_bench", 1, 0);
	while ((ch = getopt(argc, argv, "1d:c:n:p:P:r:sv")) != -1) {
		switch (ch) {
		case 'd':
			cfg.state_dir = optarg;
			break;
		case '1':
			rounds = 1;
			break;
		case 'c':
		case 'n':
		case 'p':
		case 'P':
			if (util_parse_ll(optarg, 1, 10000000, &v, &errstr)) {
				fprintf(stderr, "-%c %s: %s\n", ch, optarg,
				    errstr);
				return 2;
			}
			if (ch == 'c')
				nchecks = v;
			else if (ch == 'n')
				nupd = v;
			else if (ch == 'p')
				rate = v;
			else
				cached_pid = (long)v;
			break;
		case 'r':
			cfg.rrdcached = optarg;
			break;
		case 's':
			cfg.rrd_rra[0].step_s = 0;
			cfg.rrd_rra[0].span_s = 6 * 3600;
			cfg.nrrd_rra = 1;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		default:
			fprintf(stderr, "usage: rrd_bench -d STATE_DIR [-c N] "
			    "[-n N] [-r RRDCACHED] [-1] [-p RATE] [-P PID] "
			    "[-s]\n");
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
		/* The recorder keeps a file per registry id; no registry here. */
		checks[i].id = (unsigned)i;
		checks[i].interval = 60;
		checks[i].id = (unsigned)i;	/* as the registry would */
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
			getrusage(RUSAGE_SELF, &ru_self0);
			getrusage(RUSAGE_THREAD, &ru_main0);
			cached0 = bench_pid_us(cached_pid);
			t_start = bench_us();
		} else if (j > 1 && rounds)
			rrd_store_sync(rs);
		t_pace = bench_us();
		for (i = 0; i < nchecks; i++) {
			uint64_t t_one;

			/* Paced: catch up with the clock every millisecond. */
			while (j > 0 && rate > 0 && (uint64_t)i * 1000000 /
			    (uint64_t)rate > bench_us() - t_pace)
				usleep(1000);
			memset(&r, 0, sizeof r);
			snprintf(r.name, sizeof r.name, "%s", checks[i].name);
			r.at = (double)(t0 + 60 * j);
			r.up = j % 10 != 9;
			r.state = r.up ? SW_STATE_UP : SW_STATE_DOWN;
			r.total_ms = 100 + (double)(j % 1000);
			r.dns_ms = 1;
			r.connect_ms = 2;
			r.ttfb_ms = 50;
			t_one = bench_us();
			rrd_store_record(rs, &checks[i], &r);
			if (j > 0)
				t_recsum += bench_us() - t_one;
		}
	}
	rrd_store_sync(rs);
	t_done = bench_us();
	getrusage(RUSAGE_SELF, &ru_self1);
	getrusage(RUSAGE_THREAD, &ru_main1);
	cached1 = bench_pid_us(cached_pid);
	rrd_store_get_stats(rs, &st);
	rrd_store_close(rs);
	printf("%s: %llu results, %lld checks: record() %.2f us each on the "
	    "loop; all written in %.3f s = %.0f updates/s; written %llu "
	    "dropped %llu skipped %llu errors %llu batched %llu\n",
	    cfg.rrdcached != NULL ? "rrdcached" : "writer thread",
	    st.queued, nchecks,
	    (double)t_recsum / (double)(st.queued - st0.queued),
	    (double)(t_done - t_start) / 1e6,
	    (double)(st.written - st0.written) * 1e6 /
	    (double)(t_done - t_start + 1),
	    st.written, st.dropped, st.skipped, st.errors, st.batched);
	nw = (double)(st.written - st0.written);
	m_us = bench_ru_us(&ru_main1) - bench_ru_us(&ru_main0);
	w_us = bench_ru_us(&ru_self1) - bench_ru_us(&ru_self0) - m_us;
	c_us = cached1 - cached0;
	printf("cpu: writer %.2f us/update, loop thread %.2f us/record%s",
	    w_us / nw, m_us / nw, rounds ? " (one update per file per batch)" :
	    "");
	if (cached_pid > 0)
		printf(", rrdcached %.2f us/update, total %.2f us/update",
		    c_us / nw, (w_us + c_us) / nw);
	printf("; context switches: loop %ld, others %ld\n",
	    (ru_main1.ru_nvcsw + ru_main1.ru_nivcsw) -
	    (ru_main0.ru_nvcsw + ru_main0.ru_nivcsw),
	    (ru_self1.ru_nvcsw + ru_self1.ru_nivcsw) -
	    (ru_self0.ru_nvcsw + ru_self0.ru_nivcsw) -
	    ((ru_main1.ru_nvcsw + ru_main1.ru_nivcsw) -
	    (ru_main0.ru_nvcsw + ru_main0.ru_nivcsw)));
	for (i = 0; i < nchecks; i++)
		free(checks[i].name);
	free(checks);
	return st.errors == 0 && st.written == st.queued ? 0 : 1;
}
