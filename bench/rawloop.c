/*
 * rawloop.c -- the raw limit of a libcurl-multi + libevent checker.
 *
 * DESIGN
 * The smallest loop a libcurl design can have: one event_base, the multi
 * socket API glued to it the hiperfifo way, and a GET per "check" on a
 * fresh connection (FORBID_REUSE + FRESH_CONNECT, and no TLS session
 * reuse, so every HTTPS check pays a full handshake).  No scheduling
 * heap, no result judgement, no recording: whatever sitewatchd spends on
 * top of this is the cost of being a product.
 *
 * Two modes:
 *   saturated (-r 0):  keep -c transfers in flight, start one as soon as
 *                      one ends: the highest rate one core gives.
 *   paced (-r RATE):   plan starts every 1/RATE s on the monotonic clock,
 *                      the way a scheduler spreads checks; at most -c in
 *                      flight.  CPU per check at a given rate is what
 *                      sitewatchd is compared against, since batching at
 *                      saturation makes each check cheaper.
 *
 * CPU is getrusage(RUSAGE_SELF) (user + sys, every thread) over the
 * measured window only; the first -w seconds are a warm-up.
 *
 * Output: one line of key=value pairs on stdout, for bench/run.sh.
 *
 * Build: make -C bench   (pkg-config libcurl libevent_core; not automake)
 */
#include <sys/resource.h>
#include <sys/time.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

struct loop {
	struct event_base	*base;
	CURLM			*multi;
	CURLSH			*share;
	struct event		*curl_timer;	/* libcurl's one timeout */
	struct event		*pace_timer;	/* paced mode: next start */
	struct event		*end_timer;
	struct curl_slist	*headers;

	const char		*url;
	const char		*cafile;
	double			 rate;		/* 0 = saturated */
	unsigned		 conc;
	unsigned		 in_flight;
	int			 reuse_easy;
	int			 keepalive;	/* -K: a client, not a checker */
	int			 verbose;
	long			 timeout_ms;

	CURL			**pool;		/* idle easy handles (-R) */
	unsigned		 npool;

	uint64_t		 t_start;	/* mono us */
	uint64_t		 t_measure;	/* end of warm-up */
	uint64_t		 t_end;
	uint64_t		 planned;	/* paced: next planned start */
	uint64_t		 pace_us;
	int			 measuring;
	int			 stopping;

	unsigned long long	 started, done, ok, fail;
	unsigned long long	 m_done, m_ok, m_fail;	/* in the window */
	struct rusage		 ru0;
	uint64_t		 tm0;
	char			 first_err[CURL_ERROR_SIZE + 64];

	/* Start lateness in the window, 0.1 ms buckets up to 1 s. */
	unsigned		 late[10001];
	unsigned long long	 nlate;
	double			 late_max;
};

/* Per-socket state, attached to libcurl's socket with curl_multi_assign. */
struct sock {
	struct event	*ev;
};

static struct loop	 L;
static char		 errbuf[CURL_ERROR_SIZE];

/* Monotonic clock in microseconds. */
static uint64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static size_t
discard_body(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

static void	start_one(void);
static void	drain_done(void);

/* Build (or reset) an easy handle with the options every check uses. */
static CURL *
easy_setup(void)
{
	CURL	*e;

	if (L.reuse_easy && L.npool > 0)
		e = L.pool[--L.npool];
	else if ((e = curl_easy_init()) == NULL) {
		fprintf(stderr, "rawloop: curl_easy_init failed\n");
		exit(2);
	}
	curl_easy_setopt(e, CURLOPT_URL, L.url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, L.keepalive ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, L.keepalive ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, L.timeout_ms);
	curl_easy_setopt(e, CURLOPT_SHARE, L.share);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	if (L.headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, L.headers);
	if (L.cafile != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, L.cafile);
	return e;
}

static void
record_late(uint64_t now)
{
	double		ms;
	size_t		b;

	if (!L.measuring)
		return;
	ms = now > L.planned ? (double)(now - L.planned) / 1000.0 : 0;
	b = ms >= 1000 ? 10000 : (size_t)(ms * 10);
	L.late[b]++;
	L.nlate++;
	if (ms > L.late_max)
		L.late_max = ms;
}

static double
late_q(double q)
{
	unsigned long long	want, seen = 0;
	size_t			i;

	if (L.nlate == 0)
		return 0;
	want = (unsigned long long)(q * (double)L.nlate);
	for (i = 0; i < 10001; i++) {
		seen += L.late[i];
		if (seen > want)
			return (double)i / 10.0;
	}
	return L.late_max;
}

static void
start_one(void)
{
	CURL	*e = easy_setup();
	CURLMcode mc;

	if ((mc = curl_multi_add_handle(L.multi, e)) != CURLM_OK) {
		fprintf(stderr, "rawloop: add_handle: %s\n",
		    curl_multi_strerror(mc));
		exit(2);
	}
	L.in_flight++;
	L.started++;
}

/* Harvest finished transfers: count, recycle, and top the loop up. */
static void
drain_done(void)
{
	CURLMsg		*m;
	int		 left;
	long		 status;
	CURL		*e;

	while ((m = curl_multi_info_read(L.multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		e = m->easy_handle;
		status = 0;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		L.done++;
		if (L.measuring)
			L.m_done++;
		if (m->data.result == CURLE_OK && status >= 200 &&
		    status < 400) {
			L.ok++;
			if (L.measuring)
				L.m_ok++;
		} else {
			L.fail++;
			if (L.measuring)
				L.m_fail++;
			if (L.first_err[0] == '\0')
				snprintf(L.first_err, sizeof L.first_err,
				    "%s (HTTP %ld) %s",
				    curl_easy_strerror(m->data.result),
				    status, errbuf);
		}
		curl_multi_remove_handle(L.multi, e);
		if (L.reuse_easy)
			L.pool[L.npool++] = e;
		else
			curl_easy_cleanup(e);
		L.in_flight--;
		if (!L.stopping && L.rate == 0)
			start_one();
	}
	if (L.stopping && L.in_flight == 0)
		event_base_loopbreak(L.base);
}

static void
on_socket_event(evutil_socket_t fd, short what, void *arg)
{
	int	running, flags = 0;

	(void)arg;
	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(L.multi, fd, flags, &running);
	drain_done();
}

static void
on_curl_timeout(evutil_socket_t fd, short what, void *arg)
{
	int	running;

	(void)fd;
	(void)what;
	(void)arg;
	curl_multi_socket_action(L.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain_done();
}

/* CURLMOPT_SOCKETFUNCTION: mirror libcurl's interest in one socket. */
static int
sock_cb(CURL *e, curl_socket_t s, int what, void *uarg, void *sarg)
{
	struct sock	*sk = sarg;
	short		 ev = EV_PERSIST;

	(void)e;
	(void)uarg;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			event_free(sk->ev);
			free(sk);
		}
		curl_multi_assign(L.multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	if (sk == NULL) {
		if ((sk = malloc(sizeof *sk)) == NULL)
			abort();
		sk->ev = event_new(L.base, s, ev, on_socket_event, NULL);
		curl_multi_assign(L.multi, s, sk);
	} else {
		event_del(sk->ev);
		event_assign(sk->ev, L.base, s, ev, on_socket_event, NULL);
	}
	event_add(sk->ev, NULL);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: only re-arm our timer, never call libcurl. */
static int
timer_cb(CURLM *m, long ms, void *arg)
{
	struct timeval	tv;

	(void)m;
	(void)arg;
	if (ms < 0) {
		evtimer_del(L.curl_timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(L.curl_timer, &tv);
	return 0;
}

/* Paced mode: start every check whose planned time has come. */
static void
on_pace(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	tv;
	uint64_t	now = mono_us(), wait;

	(void)fd;
	(void)what;
	(void)arg;
	if (L.stopping)
		return;
	while (L.planned <= now) {
		if (L.in_flight < L.conc) {
			record_late(now);
			start_one();
		}
		/* Over the cap: that turn is skipped, like a busy check. */
		L.planned += L.pace_us;
	}
	wait = L.planned - now;
	tv.tv_sec = (time_t)(wait / 1000000u);
	tv.tv_usec = (suseconds_t)(wait % 1000000u);
	evtimer_add(L.pace_timer, &tv);
}

/* End of warm-up, then end of the run. */
static void
on_end(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	tv;

	(void)fd;
	(void)what;
	(void)arg;
	if (!L.measuring) {
		L.measuring = 1;
		getrusage(RUSAGE_SELF, &L.ru0);
		L.tm0 = mono_us();
		tv.tv_sec = (time_t)((L.t_end - L.t_measure) / 1000000u);
		tv.tv_usec = (suseconds_t)((L.t_end - L.t_measure) % 1000000u);
		evtimer_add(L.end_timer, &tv);
		return;
	}
	L.stopping = 1;
	L.measuring = 0;
	event_base_loopbreak(L.base);
}

static double
tv_us(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e6 + (double)tv->tv_usec;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: rawloop -u URL [-c CONC] [-d SECS] [-w WARMUP] [-r RATE]\n"
	    "               [-k CAFILE] [-C] [-R] [-t TIMEOUT_MS] [-v]\n"
	    "  -c  transfers in flight at most (default 64)\n"
	    "  -d  measured seconds (default 10); -w warm-up seconds (1)\n"
	    "  -r  paced: starts per second (default 0 = saturated)\n"
	    "  -k  CA bundle for https; -C send Connection: close\n"
	    "  -R  recycle easy handles instead of one per check\n"
	    "  -K  keep connections alive (to drive a peer such as\n"
	    "      blackbox_exporter at a paced rate; not a checker mode)\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct rusage	ru1;
	struct timeval	tv;
	double		dur = 10, warm = 1, secs, user, sys;
	uint64_t	tm1;
	int		ch, close_hdr = 0;
	unsigned	i;

	memset(&L, 0, sizeof L);
	L.conc = 64;
	L.timeout_ms = 10000;
	while ((ch = getopt(argc, argv, "u:c:d:w:r:k:CKRt:v")) != -1) {
		switch (ch) {
		case 'u': L.url = optarg; break;
		case 'c': L.conc = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': dur = strtod(optarg, NULL); break;
		case 'w': warm = strtod(optarg, NULL); break;
		case 'r': L.rate = strtod(optarg, NULL); break;
		case 'k': L.cafile = optarg; break;
		case 'C': close_hdr = 1; break;
		case 'R': L.reuse_easy = 1; break;
		case 'K': L.keepalive = 1; break;
		case 't': L.timeout_ms = strtol(optarg, NULL, 10); break;
		case 'v': L.verbose = 1; break;
		default: usage();
		}
	}
	if (L.url == NULL || L.conc == 0 || dur <= 0 || dur > 600 ||
	    warm < 0 || warm > 60 || L.rate < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		return 2;
	L.base = event_base_new();
	L.multi = curl_multi_init();
	L.share = curl_share_init();
	curl_share_setopt(L.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	if (close_hdr)
		L.headers = curl_slist_append(NULL, "Connection: close");
	if (L.reuse_easy)
		L.pool = calloc(L.conc + 1, sizeof *L.pool);
	curl_multi_setopt(L.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(L.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	/* Fresh connections only: the connection cache would hold nothing. */
	curl_multi_setopt(L.multi, CURLMOPT_MAXCONNECTS,
	    L.keepalive ? (long)L.conc : 1L);
	L.curl_timer = evtimer_new(L.base, on_curl_timeout, NULL);
	L.pace_timer = evtimer_new(L.base, on_pace, NULL);
	L.end_timer = evtimer_new(L.base, on_end, NULL);

	L.t_start = mono_us();
	L.t_measure = L.t_start + (uint64_t)(warm * 1e6);
	L.t_end = L.t_measure + (uint64_t)(dur * 1e6);
	if (warm > 0) {
		tv.tv_sec = (time_t)warm;
		tv.tv_usec = (suseconds_t)((warm - (double)(time_t)warm) * 1e6);
		evtimer_add(L.end_timer, &tv);
	} else
		on_end(-1, 0, NULL);

	if (L.rate > 0) {
		L.pace_us = (uint64_t)(1e6 / L.rate);
		if (L.pace_us == 0)
			L.pace_us = 1;
		L.planned = L.t_start;
		on_pace(-1, 0, NULL);
	} else {
		for (i = 0; i < L.conc; i++)
			start_one();
		/* Kick libcurl: it asks for a 0 ms timeout via timer_cb. */
	}
	event_base_dispatch(L.base);

	getrusage(RUSAGE_SELF, &ru1);
	tm1 = mono_us();
	secs = (double)(tm1 - L.tm0) / 1e6;
	user = tv_us(&ru1.ru_utime) - tv_us(&L.ru0.ru_utime);
	sys = tv_us(&ru1.ru_stime) - tv_us(&L.ru0.ru_stime);
	printf("rawloop mode=%s rate_req=%.0f conc=%u reuse_easy=%d done=%llu "
	    "ok=%llu fail=%llu secs=%.3f rate=%.1f user_us=%.0f sys_us=%.0f "
	    "cpu_us_per=%.2f late_p50_ms=%.1f late_p99_ms=%.1f "
	    "late_max_ms=%.1f\n",
	    L.rate > 0 ? "paced" : "saturated", L.rate, L.conc, L.reuse_easy,
	    L.m_done, L.m_ok, L.m_fail, secs, (double)L.m_done / secs, user,
	    sys, L.m_done ? (user + sys) / (double)L.m_done : 0.0,
	    late_q(0.5), late_q(0.99), L.late_max);
	if (L.first_err[0] != '\0')
		fprintf(stderr, "rawloop: first failure: %s\n", L.first_err);
	fflush(stdout);
	/* The in-flight tail is not measured; exit without draining it. */
	_exit(L.m_ok > 0 ? 0 : 3);
}
