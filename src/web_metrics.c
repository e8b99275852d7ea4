/*
 * web_metrics.c -- GET /metrics in the Prometheus text format (0.0.4).
 *
 * Per check: up, state, whether that state is stale, the last run's
 * phase timings in seconds, HTTP status, certificate days, uptime and
 * down seconds (uptime.c, as every view); then the scheduler's counters and
 * lateness, open tickets and the web server's own counters.  Label
 * values come from the config and are escaped as the format asks
 * (backslash, double quote, newline).
 *
 * A large answer is rendered a chunk at a time as the client drains the
 * connection (see web_metrics): 100,000 checks make tens of MB.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>

#include "config.h"
#include "log.h"
#include "scheduler.h"
#include "web_int.h"
#include "web_view.h"
#include "web_listen.h"
#include "xmalloc.h"

#define METRICS_CTYPE	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_WHOLE	(256 * 1024)	/* up to this: one answer */
#define METRICS_CHUNK	(128 * 1024)	/* then chunks of this size */

/* Where a rendering stands: part of metrics_parts[] (or the tail), check. */
struct metrics_pos {
	size_t	part;
	size_t	i;
};

/* A /metrics answer going out in chunks. */
struct web_mstream {
	struct web			*w;
	struct evhttp_request		*req;
	struct evhttp_connection	*evcon;
	struct metrics_pos		 pos;
	TAILQ_ENTRY(web_mstream)	 entry;
};

/* The answers going out, for web_mstreams_free() at the stop. */
struct web_mstreams {
	TAILQ_HEAD(, web_mstream)	 list;
};

/*
 * Append a label value, escaped for the exposition format (backslash,
 * double quote, newline).  Runs of plain bytes go in one copy: at
 * 100,000 checks a scrape writes 1.6 million labels.
 */
static void
metrics_label(struct buf *b, const char *s)
{
	size_t	n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, "\\\"\n");
		buf_add(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		buf_addstr(b, *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" :
		    "\\n");
		s++;
	}
}

/*
 * A sample's value: whole numbers (states, codes, days) without printf;
 * timestamps to the millisecond (%.6g would round them to ten seconds);
 * the rest, phase seconds and ratios, to six significant digits.
 */
static void
metrics_value(struct buf *b, double v)
{
	char		 d[24], *p = d + sizeof d;
	unsigned long long u;
	int		 neg;

	if (v == floor(v) && fabs(v) < 1e15) {
		neg = v < 0;
		u = (unsigned long long)(neg ? -v : v);
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u != 0);
		if (neg)
			*--p = '-';
		buf_add(b, p, (size_t)(d + sizeof d - p));
	} else if (fabs(v) >= 1e6)
		buf_printf(b, "%.3f", v);
	else
		buf_printf(b, "%.6g", v);
}

/* `{check="...",site="..."` without the closing brace. */
static void
metrics_labels(struct buf *b, const struct check_conf *c)
{
	buf_addstr(b, "{check=\"");
	metrics_label(b, c->name);
	buf_addstr(b, "\",site=\"");
	metrics_label(b, c->site != NULL ? c->site->name : "");
	buf_addstr(b, "\"");
}

static void
metrics_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void
metrics_one(struct buf *b, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	metrics_head(b, name, type, help);
	buf_printf(b, "%s %llu\n", name, v);
}

static double m_up(struct web_check *wc) { return wc->last->up; }
static double m_total(struct web_check *wc)
    { return wc->st->last_total_ms / 1000; }
static double m_http(struct web_check *wc)
    { return (double)wc->st->http_status; }
static double m_cert(struct web_check *wc)
    { return wc->last->cert_days_left >= 0 ? wc->last->cert_days_left : NAN; }
static double m_up24(struct web_check *wc) { return wc->up24 / 100; }
static double m_up30(struct web_check *wc) { return wc->up30 / 100; }
static double m_since(struct web_check *wc)
    { return wc->st->since > 0 ? (double)wc->st->since : NAN; }
static double m_at(struct web_check *wc) { return wc->last->at; }
static double m_down24(struct web_check *wc) { return wc->down24; }
static double m_down30(struct web_check *wc) { return wc->down30; }

/*
 * The per-check families in their order.  A plain one has a sample per
 * measured check with the value from fn; the state and phase families
 * have four samples per check.  No help: the family goes on from the
 * part before (uptime 30 d after 24 h: HELP/TYPE only once).
 */
enum metrics_kind { MK_PLAIN, MK_STATE, MK_STALE, MK_PHASE };
static const struct metrics_part {
	enum metrics_kind	 kind;
	const char		*name;
	const char		*help;
	const char		*extra;		/* more labels */
	double			(*fn)(struct web_check *);
} metrics_parts[] = {
	{ MK_PLAIN, "sitewatch_check_up", "1 when the last run found the "
	    "check up or degraded.", "", m_up },
	{ MK_STATE, "sitewatch_check_state", "1 for the check's current "
	    "state (unknown before its first run).", "", NULL },
	{ MK_STALE, "sitewatch_check_stale", "1 when the state above is "
	    "stale: no result for more than two intervals.", "", NULL },
	{ MK_PLAIN, "sitewatch_check_duration_seconds",
	    "Whole duration of the last run.", "", m_total },
	{ MK_PHASE, "sitewatch_check_phase_seconds",
	    "Phase lengths of the last run, as a browser shows them.", "",
	    NULL },
	{ MK_PLAIN, "sitewatch_check_http_status",
	    "HTTP status of the last run (0: none received).", "", m_http },
	{ MK_PLAIN, "sitewatch_check_cert_days_left",
	    "Days until the TLS certificate expires.", "", m_cert },
	{ MK_PLAIN, "sitewatch_check_last_run_timestamp_seconds",
	    "When the last run ended.", "", m_at },
	{ MK_PLAIN, "sitewatch_check_state_since_timestamp_seconds",
	    "Since when the check is in its current state.", "", m_since },
	{ MK_PLAIN, "sitewatch_check_uptime_ratio",
	    "Share of the last 24 hours the check was up.", ",window=\"24h\"",
	    m_up24 },
	{ MK_PLAIN, "sitewatch_check_uptime_ratio", NULL, ",window=\"30d\"",
	    m_up30 },
	{ MK_PLAIN, "sitewatch_check_downtime_seconds",
	    "Seconds the check was down in the last 24 hours / 30 days "
	    "(maintenance excluded).", ",window=\"24h\"", m_down24 },
	{ MK_PLAIN, "sitewatch_check_downtime_seconds", NULL,
	    ",window=\"30d\"", m_down30 },
};
#define METRICS_NPARTS	(sizeof metrics_parts / sizeof metrics_parts[0])

/* One check's samples of one part. */
static void
metrics_check(struct web *w, struct buf *b, const struct metrics_part *p,
    const struct check_conf *c)
{
	static const char	*phases[] = { "dns", "connect", "tls", "ttfb" };
	static const enum sw_state states[] = { SW_STATE_UP,
				    SW_STATE_DEGRADED, SW_STATE_DOWN,
				    SW_STATE_UNKNOWN };
	struct web_check	*wc = web_view_check(w->view, c);
	double			 v;
	size_t			 k;

	switch (p->kind) {
	case MK_PLAIN:
		if (!web_check_have(wc) || !isfinite(v = p->fn(wc)))
			return;
		buf_addstr(b, p->name);
		metrics_labels(b, c);
		buf_addstr(b, p->extra);
		buf_addstr(b, "} ");
		metrics_value(b, v);
		buf_addstr(b, "\n");
		break;
	case MK_STATE:
		for (k = 0; k < 4; k++) {
			buf_addstr(b, p->name);
			metrics_labels(b, c);
			buf_addstr(b, ",state=\"");
			buf_addstr(b, sw_state_name(states[k]));
			buf_addstr(b, web_check_state(wc) == states[k] ?
			    "\"} 1\n" : "\"} 0\n");
		}
		break;
	case MK_STALE:
		/* Every check, as the state: the same test as the pages. */
		buf_addstr(b, p->name);
		metrics_labels(b, c);
		buf_printf(b, "} %d\n", web_check_stale(wc, c, time(NULL)));
		break;
	case MK_PHASE:
		if (!web_check_have(wc))
			return;
		for (k = 0; k < 4; k++) {
			v = k == 0 ? wc->last->dns_ms : k == 1 ?
			    wc->last->connect_ms : k == 2 ? wc->last->tls_ms :
			    wc->last->ttfb_ms;
			buf_addstr(b, p->name);
			metrics_labels(b, c);
			buf_addstr(b, ",phase=\"");
			buf_addstr(b, phases[k]);
			buf_addstr(b, "\"} ");
			metrics_value(b, v / 1000);
			buf_addstr(b, "\n");
		}
		break;
	}
}

/* The daemon-wide families after the per-check ones. */
static void
metrics_tail(struct web *w, struct buf *b)
{
	struct scheduler_stats	 st;
	unsigned long long	 nrequests, nreplies[6];
	long long		 queued, failed;
	json_t			*tickets;
	const char		*err;
	struct web_listen_stats	 ls;
	size_t			 k, open = 0;

	if ((tickets = web_view_tickets(w->view, &err)) != NULL) {
		open = json_array_size(tickets);
		metrics_one(b, "sitewatch_open_tickets", "gauge",
		    "Tickets not yet resolved.", open);
	}

	web_view_mail(w->view, &queued, &failed);
	if (queued >= 0 && failed >= 0) {
		metrics_head(b, "sitewatch_mail_queue", "gauge",
		    "Mails in the persistent outbox: waiting to be delivered, "
		    "and given up on (permanent SMTP failure).");
		buf_printf(b, "sitewatch_mail_queue{status=\"queued\"} %lld\n"
		    "sitewatch_mail_queue{status=\"failed\"} %lld\n",
		    queued, failed);
	}
	web_view_notify(w->view, &queued, &failed);
	if (queued >= 0 && failed >= 0) {
		metrics_head(b, "sitewatch_notify_queue", "gauge",
		    "Notifications to [notify] channels in the same queue: "
		    "waiting to be delivered, and failed for good (a 4xx "
		    "answer).");
		buf_printf(b, "sitewatch_notify_queue{status=\"queued\"} %lld\n"
		    "sitewatch_notify_queue{status=\"failed\"} %lld\n",
		    queued, failed);
	}

	scheduler_get_stats(w->sched, &st);
	metrics_head(b, "sitewatch_checks_total", "counter",
	    "Check runs started, finished, and turns skipped because the "
	    "previous run was still going.");
	buf_printf(b, "sitewatch_checks_total{event=\"started\"} %llu\n"
	    "sitewatch_checks_total{event=\"finished\"} %llu\n"
	    "sitewatch_checks_total{event=\"skipped\"} %llu\n",
	    st.started, st.finished, st.skipped);
	metrics_one(b, "sitewatch_checks_configured", "gauge",
	    "Checks in the configuration.", st.checks);
	metrics_one(b, "sitewatch_checks_in_flight", "gauge",
	    "Check runs going on now.", st.in_flight);
	metrics_one(b, "sitewatch_checks_queued", "gauge",
	    "Check runs waiting for a free slot (max_parallel).", st.queued);
	metrics_head(b, "sitewatch_scheduler_lateness_ms", "gauge",
	    "How late runs start against their plan, in milliseconds.");
	buf_printf(b, "sitewatch_scheduler_lateness_ms{quantile=\"0.5\"} "
	    "%.3f\nsitewatch_scheduler_lateness_ms{quantile=\"0.99\"} %.3f\n"
	    "sitewatch_scheduler_lateness_ms{quantile=\"1\"} %.3f\n",
	    st.lateness_p50_ms, st.lateness_p99_ms, st.lateness_max_ms);
	metrics_one(b, "sitewatch_checker_cut_off", "gauge",
	    "1 while every canary fails: results are unknown.", st.cut_off);
	metrics_one(b, "sitewatch_checker_impaired", "gauge",
	    "1 while the checker's own faults keep checks from being made.",
	    st.impaired);
	metrics_head(b, "sitewatch_checker_local_failures_total", "counter",
	    "Checks not made for a local reason, by kind.");
	for (k = LOCAL_NONE + 1; k < LOCAL_NKINDS; k++)
		buf_printf(b, "sitewatch_checker_local_failures_total"
		    "{kind=\"%s\"} %llu\n", local_kind_name(k),
		    st.local_failures[k]);
	web_listen_stats(w->wl, &ls);
	metrics_one(b, "sitewatch_web_connections", "gauge",
	    "Web connections open now.", ls.open);
	metrics_one(b, "sitewatch_web_connections_max", "gauge",
	    "The cap on web connections (max_connections).", ls.max);

	web_reply_counts(w, &nrequests, nreplies);
	metrics_one(b, "sitewatch_web_requests_total", "counter",
	    "HTTP requests the web server took.", nrequests);
	metrics_head(b, "sitewatch_web_replies_total", "counter",
	    "HTTP replies by status class.");
	for (k = 2; k <= 5; k++)
		buf_printf(b, "sitewatch_web_replies_total{code=\"%zuxx\"} "
		    "%llu\n", k, nreplies[k]);
}

/*
 * Render from *pos on into b until b holds at least limit bytes (after
 * at least one check, so every call moves on) or all is rendered; 1
 * when it is.  Only indexes are kept between calls: a reload in between
 * frees the config, and the answer then goes on over the new one (every
 * family still comes once, in order).
 */
static int
metrics_render(struct web *w, struct metrics_pos *pos, struct buf *b,
    size_t limit)
{
	const struct config		*cfg = w->cfg;
	const struct metrics_part	*p;

	while (pos->part < METRICS_NPARTS) {
		p = &metrics_parts[pos->part];
		if (pos->i == 0 && p->help != NULL)
			metrics_head(b, p->name, "gauge", p->help);
		while (pos->i < cfg->nchecks) {
			metrics_check(w, b, p, cfg->checks[pos->i++]);
			if (b->len >= limit && pos->i < cfg->nchecks)
				return 0;
		}
		pos->part++;
		pos->i = 0;
		if (b->len >= limit)
			return 0;
	}
	metrics_tail(w, b);
	return 1;
}

/*
 * Each chunk is rendered into a buffer sized once for it and handed to
 * libevent without a copy.  Grown from 64 bytes and then copied into a
 * chain, every one of a stream's ~900 chunks (100,000 checks) took three
 * times its size in fresh memory, and the daemon's RSS peaked 10 MB
 * higher while /metrics was read every few seconds.
 */
#define METRICS_SLACK	(16 * 1024)	/* past the limit: one check's lines */

static void
metrics_buf(struct buf *b, size_t limit)
{
	b->cap = limit + METRICS_SLACK;
	b->data = xmalloc(b->cap);
	b->len = 0;
	b->data[0] = '\0';
}

static void
metrics_unref(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)(uintptr_t)data);
}

/* Give b's bytes to eb (b is empty after; its memory is eb's). */
static void
metrics_move(struct buf *b, struct evbuffer *eb)
{
	if (b->len == 0)
		return;
	if (evbuffer_add_reference(eb, b->data, b->len, metrics_unref,
	    NULL) == -1)
		fatal("web: evbuffer_add_reference failed");
	buf_init(b);
}

static void
metrics_stream_free(struct web_mstream *ms)
{
	TAILQ_REMOVE(&ms->w->mstreams->list, ms, entry);
	free(ms);
}

/* The connection drained the last chunk: send the next, or the end. */
static void
metrics_stream_more(struct evhttp_connection *evcon, void *arg)
{
	struct web_mstream	*ms = arg;
	struct evhttp_request	*req = ms->req;
	struct evbuffer		*eb;
	struct buf		 b;
	int			 done;

	metrics_buf(&b, METRICS_CHUNK);
	if ((eb = evbuffer_new()) == NULL)
		fatal("web: evbuffer_new failed");
	done = metrics_render(ms->w, &ms->pos, &b, METRICS_CHUNK);
	metrics_move(&b, eb);
	if (done) {
		evhttp_connection_set_closecb(evcon, NULL, NULL);
		metrics_stream_free(ms);
		evhttp_send_reply_chunk(req, eb);
		evhttp_send_reply_end(req);
	} else
		evhttp_send_reply_chunk_with_cb(req, eb, metrics_stream_more,
		    ms);
	evbuffer_free(eb);
	buf_free(&b);
}

/*
 * The connection goes away mid-answer (client gone, write timeout, or
 * evhttp_free).  When evhttp has already let go of the request (it has
 * no connection any more) the request is ours to free; else it goes
 * with the connection.
 */
static void
metrics_stream_closed(struct evhttp_connection *evcon, void *arg)
{
	struct web_mstream	*ms = arg;
	struct evhttp_request	*req = ms->req;

	(void)evcon;
	metrics_stream_free(ms);
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_send_reply_end(req);	/* only frees it */
}

struct web_mstreams *
web_mstreams_new(void)
{
	struct web_mstreams	*mss;

	mss = xcalloc(1, sizeof *mss);
	TAILQ_INIT(&mss->list);
	return mss;
}

void
web_mstreams_free(struct web_mstreams *mss)
{
	struct web_mstream	*ms;

	if (mss == NULL)
		return;
	while ((ms = TAILQ_FIRST(&mss->list)) != NULL) {
		evhttp_connection_set_closecb(ms->evcon, NULL, NULL);
		TAILQ_REMOVE(&mss->list, ms, entry);
		free(ms);
	}
	free(mss);
}

/*
 * GET /metrics.  Up to METRICS_WHOLE bytes it is one answer (kept for a
 * second like the pages); beyond, it goes out in chunks rendered as the
 * client takes them, so 100,000 checks (tens of MB) never sit in memory
 * at once.  HTTP/1.0 has no chunks: it gets the whole answer in one
 * buffer, still without a second copy.
 */
void
web_metrics(struct web *w, struct evhttp_request *req, const char *rest)
{
	struct metrics_pos	 pos = { 0, 0 };
	struct web_mstream	*ms;
	struct evhttp_connection *evcon;
	struct evbuffer		*eb;
	struct buf		 b;
	int			 done;

	(void)rest;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		web_reply(w, req, 200, METRICS_CTYPE, NULL, 0);
		return;
	}
	metrics_buf(&b, METRICS_WHOLE);
	if ((eb = evbuffer_new()) == NULL)
		fatal("web: evbuffer_new failed");
	done = metrics_render(w, &pos, &b, METRICS_WHOLE);
	metrics_move(&b, eb);
	if (!done && (req->major > 1 || (req->major == 1 &&
	    req->minor >= 1)) &&
	    (evcon = evhttp_request_get_connection(req)) != NULL) {
		ms = xcalloc(1, sizeof *ms);
		ms->w = w;
		ms->req = req;
		ms->evcon = evcon;
		ms->pos = pos;
		TAILQ_INSERT_TAIL(&w->mstreams->list, ms, entry);
		evhttp_connection_set_closecb(evcon, metrics_stream_closed,
		    ms);
		web_reply_headers(w, req, 200, METRICS_CTYPE);
		evhttp_send_reply_start(req, 200, web_reason(200));
		evhttp_send_reply_chunk_with_cb(req, eb, metrics_stream_more,
		    ms);
	} else {
		while (!done) {
			metrics_buf(&b, METRICS_CHUNK);
			done = metrics_render(w, &pos, &b, METRICS_CHUNK);
			metrics_move(&b, eb);
		}
		web_reply_buffer(w, req, 200, METRICS_CTYPE, eb);
	}
	evbuffer_free(eb);
	buf_free(&b);
}
