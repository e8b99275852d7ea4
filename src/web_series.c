/*
 * web_series.c -- GET /api/v1/checks/NAME/series?period=...: a check's
 * response times by phase, the min-max band and availability over a
 * period, as JSON for the check page's chart (drawn in the browser by
 * Debian's dygraphs).  The RRD is read on the graph worker
 * (web_data_series), never on the loop.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "config.h"
#include "registry.h"
#include "web_data.h"
#include "web_int.h"
#include "xmalloc.h"

#define SERIES_POINTS	720	/* rows at most: a point every 2 px */

struct series_job {
	struct web		*w;
	struct evhttp_request	*req;
	struct web_src		 src;
	time_t			 span;
	json_t			*out;
	int			 rc;
	char			 err[160];
};

/* Each period's span; hour shows the one-step rows of a new check. */
static const struct {
	const char	*name;
	time_t		 span;
} series_periods[] = {
	{ "hour", 3600 }, { "day", 86400 }, { "week", 7 * 86400 },
	{ "month", 30 * 86400 }, { "year", 365 * 86400 },
};

static void
series_work(struct web_job *job)
{
	struct series_job	*j = job->arg;

	j->rc = web_data_series(&j->src, time(NULL), j->span, SERIES_POINTS,
	    &j->out, j->err, sizeof j->err);
}

static void
series_done(struct web_job *job)
{
	struct series_job	*j = job->arg;

	if (job->cancelled)
		web_reply_error(j->w, j->req, 503, "The server is stopping.");
	else if (j->rc == WEB_DATA_OK) {
		web_reply_json(j->w, j->req, 200, j->out);	/* taken */
		j->out = NULL;
	} else
		web_reply_error(j->w, j->req, 503, j->err);
	json_decref(j->out);
	web_src_free(&j->src);
	free(j);
}

void
web_api_check_sub(struct web *w, struct evhttp_request *req,
    const char *rest)
{
	const struct check_conf	*c;
	struct series_job	*j;
	const char		*slash;
	char			 name[SW_NAME_MAX], *period;
	size_t			 i, n = sizeof series_periods /
				    sizeof series_periods[0];

	/* NAME/series, NAME an existing check. */
	if ((slash = strchr(rest, '/')) == NULL ||
	    strcmp(slash, "/series") != 0 ||
	    !web_valid_name(rest, (size_t)(slash - rest))) {
		web_reply_error(w, req, 404, "There is no such resource.");
		return;
	}
	memcpy(name, rest, (size_t)(slash - rest));
	name[slash - rest] = '\0';
	if ((c = registry_check(w->reg, name)) == NULL) {
		web_reply_error(w, req, 404, "There is no such check.");
		return;
	}
	period = web_query(req, "period");
	for (i = 0; period != NULL && i < n; i++)
		if (strcmp(period, series_periods[i].name) == 0)
			break;
	free(period);
	if (i == n) {
		web_reply_error(w, req, 400, "period is hour, day, week, "
		    "month or year.");
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->w = w;
	j->req = req;
	j->span = series_periods[period != NULL ? i : 1].span;
	web_src_init(&j->src, w->cfg, c);
	if (web_queue_push(w->q_graph, series_work, series_done, j) == -1) {
		web_src_free(&j->src);
		free(j);
		web_reply_error(w, req, 503, "Too busy, try again.");
	}
}
