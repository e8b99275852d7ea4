/*
 * rrd_graph.c -- graphs of one check through librrd's rrd_graph_v.
 *
 * We always ask librrd for the image name "-", which makes it return the
 * image as the "image" blob of its info list; writing a file is then our
 * own atomic write, and the web UI gets the same bytes in memory.  The
 * argument vector is rebuilt for every call because rrd_graph_v reorders
 * it (getopt), and calls hold one mutex: librrd's graph code keeps global
 * state (getopt, fonts).
 *
 * The legend's uptime, mean and p95 come from uptime.c over the same
 * period, so a graph and a report never disagree (maintenance excluded,
 * p95 from the latency buckets).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <rrd.h>

#include "config.h"
#include "uptime.h"
#include "rrd_graph.h"
#include "rrd_source.h"
#include "rrd_store.h"
#include "xmalloc.h"

static pthread_mutex_t	rrd_graph_lock = PTHREAD_MUTEX_INITIALIZER;

/* A growing argv whose strings we own. */
struct rrd_argv {
	char	**v;
	size_t	  n, cap;
};

/* Append one formatted argument. */
static void __attribute__((format(printf, 2, 3)))
rrd_argv_add(struct rrd_argv *a, const char *fmt, ...)
{
	va_list	ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		s = xstrdup("");
	if (a->n + 1 >= a->cap) {
		a->cap = a->cap == 0 ? 64 : a->cap * 2;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* Free every argument. */
static void
rrd_argv_free(struct rrd_argv *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* Copy s with ':' and '\' escaped for a DEF or COMMENT (allocated). */
static char *
rrd_graph_esc(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_addstr(&b, "");
	for (; *s != '\0'; s++) {
		if (*s == ':' || *s == '\\')
			buf_add(&b, "\\", 1);
		buf_add(&b, s, 1);
	}
	return b.data;
}

int
rrd_graph_metric_parse(const char *s)
{
	if (strcmp(s, "time") == 0)
		return GRAPH_TIME;
	if (strcmp(s, "availability") == 0)
		return GRAPH_AVAILABILITY;
	if (strcmp(s, "phases") == 0)
		return GRAPH_PHASES;
	return -1;
}

int
rrd_graph_format_parse(const char *s)
{
	if (strcasecmp(s, "png") == 0)
		return GRAPH_PNG;
	if (strcasecmp(s, "svg") == 0)
		return GRAPH_SVG;
	return -1;
}

const char *
rrd_graph_metric_name(enum graph_metric m)
{
	switch (m) {
	case GRAPH_TIME:
		return "response time";
	case GRAPH_AVAILABILITY:
		return "availability";
	case GRAPH_PHASES:
		return "phases";
	}
	return "?";
}

/* Nonzero when the file holds a MIN and a MAX archive (for the band). */
static int
rrd_graph_has_minmax(const struct rrd_sources *ss, const char *path)
{
	rrd_info_t	*info, *i;
	int		 min = 0, max = 0;

	if ((info = rrd_source_info(ss, path)) == NULL) {
		rrd_clear_error();
		return 0;
	}
	for (i = info; i != NULL; i = i->next) {
		if (i->type != RD_I_STR || strncmp(i->key, "rra[", 4) != 0 ||
		    strstr(i->key, "].cf") == NULL)
			continue;
		if (strcmp(i->value.u_str, "MIN") == 0)
			min = 1;
		else if (strcmp(i->value.u_str, "MAX") == 0)
			max = 1;
	}
	rrd_info_free(info);
	return min && max;
}

/* rrd_graph_legend_text over every file of the check (k of n). */
static int
rrd_graph_legend_sources(const struct rrd_sources *ss,
    const struct check_conf *c,
    int (*maint)(const struct check_conf *, time_t), time_t start,
    time_t end, time_t now, char *line, size_t len)
{
	struct uptime	u;
	char		err[256], p95[32];
	size_t		n;

	if (end <= start || uptime_sources_split(ss, c, maint, start,
	    end - start, 1, now, &u, err, sizeof err) == -1)
		return -1;
	if (isnan(u.uptime_pct))
		snprintf(line, len, "uptime -");
	else
		snprintf(line, len, "uptime %.3f %%   down %lld s", u.uptime_pct,
		    llround(u.down_s));
	if (!isnan(u.mean_ms) && (n = strlen(line)) < len)
		snprintf(line + n, len - n, "   mean %.0f ms   p95 %s",
		    u.mean_ms, uptime_p95_text(u.p95_ms, p95, sizeof p95));
	if (u.maint_s > 0 && (n = strlen(line)) < len)
		snprintf(line + n, len - n, "   (maintenance excluded)");
	return 0;
}

int
rrd_graph_legend_text(const char *path, const struct check_conf *c,
    int (*maint)(const struct check_conf *, time_t), time_t start,
    time_t end, time_t now, char *line, size_t len)
{
	struct rrd_sources	ss;
	int			rc;

	rrd_sources_one(&ss, path);
	rc = rrd_graph_legend_sources(&ss, c, maint, start, end, now, line,
	    len);
	rrd_sources_free(&ss);
	return rc;
}

/*
 * The legend line: our own figures for the period (uptime.c, as every
 * view), as COMMENT text -- never rrdtool's GPRINT over its own
 * consolidation, which disagreed with everything else.
 */
static void
rrd_graph_legend(struct rrd_argv *a, const struct rrd_sources *ss,
    const struct graph_req *g)
{
	char	line[256], *esc;

	if (rrd_graph_legend_sources(ss, g->check, maint_active, g->start,
	    g->end, time(NULL), line, sizeof line) == -1)
		return;
	esc = rrd_graph_esc(line);
	rrd_argv_add(a, "COMMENT:%s\\l", esc);
	free(esc);
}

/* One drawn legend entry, without the room librrd leaves for its box. */
static void
rrd_graph_legend_line(struct buf *b, const char *s)
{
	while (*s == ' ')
		s++;
	buf_addstr(b, s);
	buf_addstr(b, "\n");
}

/* The DEF/CDEF/AREA/LINE part of the response-time graphs. */
static void
rrd_graph_time_defs(struct rrd_argv *a, const char *p, int stacked,
    int band)
{
	static const struct {
		const char	*v, *ds, *label, *color;
	} ph[] = {
		{ "dns", "dns_ms", "DNS", "4e79a7" },
		{ "con", "connect_ms", "connect", "f28e2b" },
		{ "tls", "tls_ms", "TLS", "e15759" },
		{ "ttfb", "ttfb_ms", "first byte", "76b7b2" },
	};
	size_t	i;

	for (i = 0; i < sizeof ph / sizeof ph[0]; i++)
		rrd_argv_add(a, "DEF:%s=%s:%s:AVERAGE", ph[i].v, p, ph[i].ds);
	rrd_argv_add(a, "DEF:total=%s:total_ms:AVERAGE", p);
	/* Transfer is what the phases leave of total; never below 0. */
	rrd_argv_add(a, "CDEF:xfer=total,dns,-,con,-,tls,-,ttfb,-,0,MAX");
	if (band) {
		rrd_argv_add(a, "DEF:tmin=%s:total_ms:MIN", p);
		rrd_argv_add(a, "DEF:tmax=%s:total_ms:MAX", p);
		rrd_argv_add(a, "CDEF:band=tmax,tmin,-");
		rrd_argv_add(a, "AREA:tmin");
		rrd_argv_add(a, "AREA:band#bab0ac66:total min-max:STACK");
	}
	for (i = 0; i < sizeof ph / sizeof ph[0]; i++) {
		if (stacked)
			rrd_argv_add(a, "AREA:%s#%s:%s%s", ph[i].v,
			    ph[i].color, ph[i].label, i > 0 ? ":STACK" : "");
		else
			rrd_argv_add(a, "LINE1:%s#%s:%s", ph[i].v,
			    ph[i].color, ph[i].label);
	}
	if (stacked)
		rrd_argv_add(a, "AREA:xfer#59a14f:transfer:STACK");
	else
		rrd_argv_add(a, "LINE1:xfer#59a14f:transfer");
	rrd_argv_add(a, "LINE1:total#000000:total\\l");
}

/*
 * Several locations' files: one line per location, its name in the
 * legend -- response time (time, phases) or the share of good checks
 * (availability).  The legend's figures below are the k of n ones.
 */
static void
rrd_graph_locations(struct rrd_argv *a, const struct rrd_sources *ss,
    enum graph_metric m)
{
	static const char *const color[] = { "4e79a7", "f28e2b", "e15759",
	    "76b7b2", "59a14f", "edc948", "b07aa1", "ff9da7" };
	char	*p, *name;
	size_t	 i;

	if (m == GRAPH_AVAILABILITY) {
		rrd_argv_add(a, "--upper-limit=100");
		rrd_argv_add(a, "--rigid");
		rrd_argv_add(a, "--vertical-label=%% good checks");
	} else
		rrd_argv_add(a, "--vertical-label=ms");
	for (i = 0; i < ss->n; i++) {
		p = rrd_graph_esc(ss->v[i].path);
		name = rrd_graph_esc(ss->v[i].location != NULL ?
		    ss->v[i].location : "(before the cluster)");
		if (m == GRAPH_AVAILABILITY) {
			rrd_argv_add(a, "DEF:up%zu=%s:up:AVERAGE", i, p);
			rrd_argv_add(a, "CDEF:l%zu=up%zu,100,*", i, i);
		} else
			rrd_argv_add(a, "DEF:l%zu=%s:total_ms:AVERAGE", i, p);
		rrd_argv_add(a, "LINE1:l%zu#%s:%s%s", i,
		    color[i % (sizeof color / sizeof color[0])], name,
		    i + 1 == ss->n ? "\\l" : "");
		free(name);
		free(p);
	}
}

/* The graph of g over the files ss (one, or every location's). */
static int
rrd_graph_render_sources(const struct rrd_sources *ss,
    const struct graph_req *g, struct buf *out, char *err, size_t errlen)
{
	struct rrd_argv	 a = { NULL, 0, 0 };
	rrd_info_t	*info, *i;
	char		*p, *site, title[512], *e1;
	const char	*path;
	int		 rc = -1, found = 0;

	if (g->end <= g->start) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	if (ss->n == 0) {
		snprintf(err, errlen, "%s: no data yet", g->check->name);
		return -1;
	}
	path = ss->v[0].path;
	if (ss->daemon == NULL && access(path, R_OK) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	p = rrd_graph_esc(path);
	site = g->check->site != NULL && g->check->site->name != NULL ?
	    g->check->site->name : "";
	if (g->period != NULL)
		snprintf(title, sizeof title, "%s%s%s - %s (%s)", site,
		    *site != '\0' ? " / " : "", g->check->name,
		    rrd_graph_metric_name(g->metric), g->period);
	else {
		char	s1[32], s2[32];

		snprintf(title, sizeof title, "%s%s%s - %s (%s to %s)", site,
		    *site != '\0' ? " / " : "", g->check->name,
		    rrd_graph_metric_name(g->metric),
		    util_iso8601(g->start, s1, sizeof s1),
		    util_iso8601(g->end, s2, sizeof s2));
	}
	rrd_argv_add(&a, "graph");
	rrd_argv_add(&a, "-");
	/* Files behind a shared rrdcached: librrd fetches through it. */
	if (ss->daemon != NULL)
		rrd_argv_add(&a, "--daemon=%s", ss->daemon);
	rrd_argv_add(&a, "--imgformat=%s", g->format == GRAPH_SVG ?
	    "SVG" : "PNG");
	rrd_argv_add(&a, "--start=%lld", (long long)g->start);
	rrd_argv_add(&a, "--end=%lld", (long long)g->end);
	rrd_argv_add(&a, "--width=%d", g->width > 0 ? g->width : 800);
	rrd_argv_add(&a, "--height=%d", g->height > 0 ? g->height : 300);
	/* Width and height are the whole image, as users expect. */
	rrd_argv_add(&a, "--full-size-mode");
	/* Our graphs go to clients: no tool advertisement in the margin. */
	rrd_argv_add(&a, "--disable-rrdtool-tag");
	rrd_argv_add(&a, "--title=%s", title);
	rrd_argv_add(&a, "--lower-limit=0");
	if (ss->n > 1)
		rrd_graph_locations(&a, ss, g->metric);
	else switch (g->metric) {
	case GRAPH_AVAILABILITY:
		rrd_argv_add(&a, "--upper-limit=100");
		rrd_argv_add(&a, "--rigid");
		rrd_argv_add(&a, "--vertical-label=%% good checks");
		rrd_argv_add(&a, "DEF:up=%s:up:AVERAGE", p);
		rrd_argv_add(&a, "CDEF:pct=up,100,*");
		/* INF fills a column to the top: shading, not a value. */
		rrd_argv_add(&a, "CDEF:down=up,UN,UNKN,up,1,LT,INF,UNKN,IF,IF");
		rrd_argv_add(&a, "CDEF:unk=up,UN,INF,UNKN,IF");
		rrd_argv_add(&a, "AREA:pct#59a14f:good checks");
		rrd_argv_add(&a, "AREA:down#e1575766:downtime");
		rrd_argv_add(&a, "AREA:unk#bab0ac66:no data\\l");
		break;
	case GRAPH_TIME:
	case GRAPH_PHASES:
		rrd_argv_add(&a, "--vertical-label=ms");
		rrd_graph_time_defs(&a, p, g->metric == GRAPH_TIME,
		    g->metric == GRAPH_TIME && rrd_graph_has_minmax(ss, path));
		break;
	}
	rrd_graph_legend(&a, ss, g);

	pthread_mutex_lock(&rrd_graph_lock);
	rrd_clear_error();
	/* --daemon uses librrd's one rrdcached connection. */
	if (ss->daemon != NULL)
		rrd_source_lock();
	info = rrd_graph_v((int)a.n, a.v);
	if (ss->daemon != NULL)
		rrd_source_unlock();
	if (info == NULL) {
		e1 = rrd_get_error();
		snprintf(err, errlen, "rrdgraph: %s",
		    e1 != NULL && *e1 != '\0' ? e1 : "failed");
	} else {
		for (i = info; i != NULL; i = i->next) {
			if (i->type == RD_I_BLO &&
			    strcmp(i->key, "image") == 0) {
				buf_add(out, i->value.u_blo.ptr,
				    i->value.u_blo.size);
				found = 1;
			} else if (g->legend != NULL &&
			    i->type == RD_I_STR &&
			    strncmp(i->key, "legend[", 7) == 0)
				rrd_graph_legend_line(g->legend,
				    i->value.u_str);
		}
		rrd_info_free(info);
		if (found)
			rc = 0;
		else
			snprintf(err, errlen, "rrdgraph returned no image");
	}
	rrd_clear_error();
	pthread_mutex_unlock(&rrd_graph_lock);
	rrd_argv_free(&a);
	free(p);
	return rc;
}

int
rrd_graph_render_file(const char *path, const struct graph_req *g,
    struct buf *out, char *err, size_t errlen)
{
	struct rrd_sources	ss;
	int			rc;

	rrd_sources_one(&ss, path);
	rc = rrd_graph_render_sources(&ss, g, out, err, errlen);
	rrd_sources_free(&ss);
	return rc;
}

int
rrd_graph_render(const struct config *cfg, const struct graph_req *g,
    struct buf *out, char *err, size_t errlen)
{
	struct rrd_sources	ss;
	int			rc;

	if (rrd_sources_find(cfg, g->check->name, &ss, err, errlen) == -1)
		return -1;
	rrd_sources_flush(cfg, &ss);
	rc = rrd_graph_render_sources(&ss, g, out, err, errlen);
	rrd_sources_free(&ss);
	return rc;
}

int
rrd_graph_write(const struct config *cfg, const struct graph_req *g,
    const char *path, char *err, size_t errlen)
{
	struct buf	 b;
	char		*tmp = NULL;
	FILE		*f = NULL;
	int		 rc = -1;

	buf_init(&b);
	if (rrd_graph_render(cfg, g, &b, err, errlen) == -1)
		goto out;
	if (strcmp(path, "-") == 0) {
		if (fwrite(b.data, 1, b.len, stdout) != b.len ||
		    fflush(stdout) != 0) {
			snprintf(err, errlen, "stdout: %s", strerror(errno));
			goto out;
		}
		rc = 0;
		goto out;
	}
	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	free(tmp);
	buf_free(&b);
	return rc;
}
