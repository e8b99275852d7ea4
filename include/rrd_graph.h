/*
 * rrd_graph.h -- draw a check's RRD data as a PNG or SVG image.
 *
 * One function serves the CLI (into a file) and the web UI (bytes in
 * memory).  librrd's graph code is not thread-safe: calls are serialized
 * inside, so it may be called from any worker thread.
 */
#ifndef RRD_GRAPH_H
#define RRD_GRAPH_H

#include <time.h>

#include "util.h"

struct config;
struct check_conf;

/*
 * time: response time, phases stacked (dns, connect, tls, ttfb, transfer)
 *       under a min-max band of total;
 * availability: share of good checks, downtime and missing data shaded;
 * phases: one line per phase plus total, so small phases stay readable.
 */
enum graph_metric { GRAPH_TIME = 0, GRAPH_AVAILABILITY, GRAPH_PHASES };
enum graph_format { GRAPH_PNG = 0, GRAPH_SVG };

struct graph_req {
	/* Its name, site and maintenance windows are used. */
	const struct check_conf	*check;
	time_t			 start;
	time_t			 end;
	const char		*period;	/* title; or NULL */
	enum graph_metric	 metric;
	enum graph_format	 format;
	int			 width;		/* whole image, px */
	int			 height;
	/*
	 * When not NULL: the legend entries librrd drew on the image are
	 * appended, one a line (its own report, the "legend[N]" values of
	 * rrd_graph_v, so what is checked is what is drawn).
	 */
	struct buf		*legend;
};

/*
 * Draw the graph into out (appended; PNG or SVG bytes).  Returns 0, or
 * -1 with a message in err.
 */
int	rrd_graph_render(const struct config *, const struct graph_req *,
	    struct buf *out, char *err, size_t errlen);
/* The same for an explicit RRD file; rrdcached is not consulted. */
int	rrd_graph_render_file(const char *rrd_path, const struct graph_req *,
	    struct buf *out, char *err, size_t errlen);
/* Draw into path ("-" = stdout), replacing it atomically. */
int	rrd_graph_write(const struct config *, const struct graph_req *,
	    const char *path, char *err, size_t errlen);

/* Names to enums; -1 when unknown. */
/*
 * The legend's text for check c over [start, end) from the file at path:
 * "uptime 99.123 %   down 195 s   mean 12 ms   p95 <= 100 ms" (the
 * figures of uptime.c).  Returns 0, or -1 when the file is unreadable.
 */
int	rrd_graph_legend_text(const char *path, const struct check_conf *c,
	    int (*maint)(const struct check_conf *, time_t), time_t start,
	    time_t end, time_t now, char *line, size_t len);

int	rrd_graph_metric_parse(const char *);
int	rrd_graph_format_parse(const char *);
const char *rrd_graph_metric_name(enum graph_metric);

#endif
