/*
 * web_metrics.c -- GET /metrics in the Prometheus text format (0.0.4).
 *
 * Per check: up, state, the last run's phase timings in seconds, HTTP
 * status, certificate days and uptime; then the scheduler's counters and
 * lateness, open tickets and the web server's own counters.  Label
 * values come from the config and are escaped as the format asks
 * (backslash, double quote, newline).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "scheduler.h"
#include "web_int.h"

/* Append a label value, escaped for the exposition format. */
static void
metrics_label(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\')
			buf_addstr(b, "\\\\");
		else if (*s == '"')
			buf_addstr(b, "\\\"");
		else if (*s == '\n')
			buf_addstr(b, "\\n");
		else
			buf_add(b, s, 1);
	}
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

/* One sample per measured check, value from fn. */
static void
metrics_per_check(struct web *w, struct buf *b, const char *name,
    const char *help, const char *extra, double (*fn)(struct web_check *))
{
	const struct config	*cfg = web_cfg(w);
	struct web_check	*wc;
	double			 v;
	size_t			 i;

	metrics_head(b, name, "gauge", help);
	for (i = 0; i < cfg->nchecks; i++) {
		wc = web_check_get(w, cfg->checks[i]->name);
		if (!wc->have || !isfinite(v = fn(wc)))
			continue;
		buf_addstr(b, name);
		metrics_labels(b, cfg->checks[i]);
		buf_printf(b, "%s} %.6g\n", extra, v);
	}
}

static double m_up(struct web_check *wc) { return wc->last.up; }
static double m_total(struct web_check *wc)
    { return wc->last.total_ms / 1000; }
static double m_http(struct web_check *wc)
    { return (double)wc->last.http_status; }
static double m_cert(struct web_check *wc)
    { return wc->last.cert_days_left >= 0 ? wc->last.cert_days_left : NAN; }
static double m_up24(struct web_check *wc) { return wc->up24 / 100; }
static double m_up30(struct web_check *wc) { return wc->up30 / 100; }
static double m_since(struct web_check *wc)
    { return wc->since > 0 ? wc->since : NAN; }
static double m_at(struct web_check *wc) { return wc->last.at; }

void
web_metrics(struct web *w, struct evhttp_request *req, const char *rest)
{
	const struct config	*cfg = web_cfg(w);
	struct scheduler_stats	 st;
	struct web_check	*wc;
	struct buf		 b;
	const char		*phases[] = { "dns", "connect", "tls",
				    "ttfb" };
	const enum sw_state	 states[] = { SW_STATE_UP, SW_STATE_DEGRADED,
				    SW_STATE_DOWN, SW_STATE_UNKNOWN };
	double			 v;
	size_t			 i, k, open = 0;

	buf_init(&b);
	metrics_per_check(w, &b, "sitewatch_check_up", "1 when the last "
	    "run found the check up or degraded.", "", m_up);

	metrics_head(&b, "sitewatch_check_state", "gauge", "1 for the "
	    "check's current state (unknown before its first run).");
	for (i = 0; i < cfg->nchecks; i++) {
		wc = web_check_get(w, cfg->checks[i]->name);
		for (k = 0; k < 4; k++) {
			buf_addstr(&b, "sitewatch_check_state");
			metrics_labels(&b, cfg->checks[i]);
			buf_printf(&b, ",state=\"%s\"} %d\n",
			    sw_state_name(states[k]),
			    web_check_state(wc) == states[k]);
		}
	}
	metrics_per_check(w, &b, "sitewatch_check_duration_seconds",
	    "Whole duration of the last run.", "", m_total);

	metrics_head(&b, "sitewatch_check_phase_seconds", "gauge",
	    "Phase lengths of the last run, as a browser shows them.");
	for (i = 0; i < cfg->nchecks; i++) {
		wc = web_check_get(w, cfg->checks[i]->name);
		if (!wc->have)
			continue;
		for (k = 0; k < 4; k++) {
			v = k == 0 ? wc->last.dns_ms : k == 1 ?
			    wc->last.connect_ms : k == 2 ? wc->last.tls_ms :
			    wc->last.ttfb_ms;
			buf_addstr(&b, "sitewatch_check_phase_seconds");
			metrics_labels(&b, cfg->checks[i]);
			buf_printf(&b, ",phase=\"%s\"} %.6g\n", phases[k],
			    v / 1000);
		}
	}
	metrics_per_check(w, &b, "sitewatch_check_http_status",
	    "HTTP status of the last run (0: none received).", "", m_http);
	metrics_per_check(w, &b, "sitewatch_check_cert_days_left",
	    "Days until the TLS certificate expires.", "", m_cert);
	metrics_per_check(w, &b, "sitewatch_check_last_run_timestamp_seconds",
	    "When the last run ended.", "", m_at);
	metrics_per_check(w, &b,
	    "sitewatch_check_state_since_timestamp_seconds",
	    "Since when the check is in its current state.", "", m_since);
	metrics_per_check(w, &b, "sitewatch_check_uptime_ratio",
	    "Share of the last 24 hours the check was up.", ",window=\"24h\"",
	    m_up24);
	/* The same family again would repeat HELP/TYPE: append by hand. */
	for (i = 0; i < cfg->nchecks; i++) {
		wc = web_check_get(w, cfg->checks[i]->name);
		if (!wc->have || !isfinite(m_up30(wc)))
			continue;
		buf_addstr(&b, "sitewatch_check_uptime_ratio");
		metrics_labels(&b, cfg->checks[i]);
		buf_printf(&b, ",window=\"30d\"} %.6g\n", m_up30(wc));
	}

	if (w->tickets != NULL) {
		open = json_array_size(w->tickets);
		metrics_head(&b, "sitewatch_open_tickets", "gauge",
		    "Tickets not yet resolved.");
		buf_printf(&b, "sitewatch_open_tickets %zu\n", open);
	}

	if (w->mail_queued >= 0 && w->mail_failed >= 0) {
		metrics_head(&b, "sitewatch_mail_queue", "gauge",
		    "Mails in the persistent outbox: waiting to be delivered, "
		    "and given up on (permanent SMTP failure).");
		buf_printf(&b, "sitewatch_mail_queue{status=\"queued\"} %lld\n"
		    "sitewatch_mail_queue{status=\"failed\"} %lld\n",
		    w->mail_queued, w->mail_failed);
	}

	scheduler_get_stats(w->sched, &st);
	metrics_head(&b, "sitewatch_checks_total", "counter",
	    "Check runs started, finished, and turns skipped because the "
	    "previous run was still going.");
	buf_printf(&b, "sitewatch_checks_total{event=\"started\"} %llu\n"
	    "sitewatch_checks_total{event=\"finished\"} %llu\n"
	    "sitewatch_checks_total{event=\"skipped\"} %llu\n",
	    st.started, st.finished, st.skipped);
	metrics_head(&b, "sitewatch_checks_configured", "gauge",
	    "Checks in the configuration.");
	buf_printf(&b, "sitewatch_checks_configured %llu\n", st.checks);
	metrics_head(&b, "sitewatch_checks_in_flight", "gauge",
	    "Check runs going on now.");
	buf_printf(&b, "sitewatch_checks_in_flight %u\n", st.in_flight);
	metrics_head(&b, "sitewatch_checks_queued", "gauge",
	    "Check runs waiting for a free slot (max_parallel).");
	buf_printf(&b, "sitewatch_checks_queued %u\n", st.queued);
	metrics_head(&b, "sitewatch_scheduler_lateness_ms", "gauge",
	    "How late runs start against their plan, in milliseconds.");
	buf_printf(&b, "sitewatch_scheduler_lateness_ms{quantile=\"0.5\"} "
	    "%.3f\nsitewatch_scheduler_lateness_ms{quantile=\"0.99\"} %.3f\n"
	    "sitewatch_scheduler_lateness_ms{quantile=\"1\"} %.3f\n",
	    st.lateness_p50_ms, st.lateness_p99_ms, st.lateness_max_ms);
	metrics_head(&b, "sitewatch_checker_cut_off", "gauge",
	    "1 while every canary fails: results are unknown.");
	buf_printf(&b, "sitewatch_checker_cut_off %d\n", st.cut_off);

	metrics_head(&b, "sitewatch_web_requests_total", "counter",
	    "HTTP requests the web server took.");
	buf_printf(&b, "sitewatch_web_requests_total %llu\n", w->nrequests);
	metrics_head(&b, "sitewatch_web_replies_total", "counter",
	    "HTTP replies by status class.");
	for (k = 2; k <= 5; k++)
		buf_printf(&b, "sitewatch_web_replies_total{code=\"%zuxx\"} "
		    "%llu\n", k, w->nreplies[k]);

	web_reply(w, req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.data, b.len);
	buf_free(&b);
}
