/*
 * test_rrd_graph.c -- graphs come out as PNG/SVG of the asked size, in
 * memory and in files, from several threads at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrd.h>

#include "config.h"
#include "log.h"
#include "report.h"
#include "rrd_fixture.h"
#include "rrd_graph.h"
#include "rrd_store.h"
#include "xmalloc.h"

struct fixture {
	struct rrd_fixture	 rf;
	time_t			 now;
};

static int
setup(void **state)
{
	/* A colon in the site name must not break rrdgraph's syntax. */
	struct fixture	*f = rrd_fixture_new(sizeof *f, "graphtest",
			    "Shop: Ltd");
	char		**vals;
	time_t		 t0;
	int		 i, n = 600;

	f->now = time(NULL);
	t0 = f->now / 60 * 60 - n * 60;
	rrd_fixture_create(&f->rf, t0);
	vals = xcalloc((size_t)n, sizeof *vals);
	for (i = 0; i < n; i++) {
		int up = i % 50 != 0;

		xasprintf(&vals[i], "%lld:%d:%d:5:10:20:%d:0:%d:%d:%d:%d:%d",
		    (long long)(t0 + (i + 1) * 60), up, 150 + i % 100,
		    60 + i % 30, up, up, up, up, up);
	}
	if (rrd_update_r(f->rf.path, NULL, n, (const char **)vals) != 0)
		fail_msg("update: %s", rrd_get_error());
	for (i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	*state = f;
	return 0;
}

/* Width and height from a PNG's IHDR chunk. */
static void
png_size(const struct buf *b, uint32_t *w, uint32_t *h)
{
	const unsigned char	*p = (const unsigned char *)b->data;

	assert_true(b->len > 24);
	assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(p + 12, "IHDR", 4);
	*w = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 |
	    (uint32_t)p[18] << 8 | p[19];
	*h = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 |
	    (uint32_t)p[22] << 8 | p[23];
}

static void
req_init(struct fixture *f, struct graph_req *g, enum graph_metric m,
    enum graph_format fmt, int w, int h)
{
	memset(g, 0, sizeof *g);
	g->check = &f->rf.check;
	assert_int_equal(report_period("day", f->now, &g->start, &g->end), 0);
	g->period = "day";
	g->metric = m;
	g->format = fmt;
	g->width = w;
	g->height = h;
}

/* Every metric as PNG, exactly the asked size. */
static void
test_png(void **state)
{
	struct fixture		*f = *state;
	struct graph_req	 g;
	struct buf		 b;
	char			 err[512];
	uint32_t		 w, h;
	int			 m;

	for (m = GRAPH_TIME; m <= GRAPH_PHASES; m++) {
		buf_init(&b);
		req_init(f, &g, m, GRAPH_PNG, 640, 240);
		if (rrd_graph_render(&f->rf.cfg, &g, &b, err, sizeof err) != 0)
			fail_msg("metric %d: %s", m, err);
		png_size(&b, &w, &h);
		assert_int_equal(w, 640);
		assert_int_equal(h, 240);
		buf_free(&b);
	}
}

/* SVG of the asked size. */
static void
test_svg(void **state)
{
	struct fixture		*f = *state;
	struct graph_req	 g;
	struct buf		 b;
	char			 err[512];

	buf_init(&b);
	req_init(f, &g, GRAPH_AVAILABILITY, GRAPH_SVG, 500, 200);
	g.period = NULL;
	if (rrd_graph_render(&f->rf.cfg, &g, &b, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(b.data, "<svg"));
	assert_non_null(strstr(b.data, "width=\"500pt\" height=\"200pt\""));
	/* Clients get these graphs: no RRDtool tag in the margin. */
	assert_null(strstr(b.data, "OETIKER"));
	buf_free(&b);
}

/* Into a file; errors are reported, not crashed on. */
static void
test_file_and_errors(void **state)
{
	struct fixture		*f = *state;
	struct graph_req	 g;
	struct buf		 b;
	struct check_conf	 other;
	char			 err[512], *out;
	struct stat		 st;

	xasprintf(&out, "%s/g.png", f->rf.dir);
	req_init(f, &g, GRAPH_TIME, GRAPH_PNG, 300, 150);
	if (rrd_graph_write(&f->rf.cfg, &g, out, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(stat(out, &st), 0);
	assert_true(st.st_size > 100);
	free(out);

	memset(&other, 0, sizeof other);
	other.name = "no-such-check";
	g.check = &other;
	buf_init(&b);
	err[0] = '\0';
	assert_int_equal(rrd_graph_render(&f->rf.cfg, &g, &b, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "no-such-check.rrd"));
	g.check = &f->rf.check;
	g.end = g.start;
	assert_int_equal(rrd_graph_render(&f->rf.cfg, &g, &b, err, sizeof err),
	    -1);
	buf_free(&b);
	assert_int_equal(rrd_graph_metric_parse("phases"), GRAPH_PHASES);
	assert_int_equal(rrd_graph_metric_parse("bogus"), -1);
	assert_int_equal(rrd_graph_format_parse("SVG"), GRAPH_SVG);
}

struct thread_arg {
	struct fixture	*f;
	int		 ok;
};

/* Render a few graphs (for the thread test). */
static void *
render_thread(void *arg)
{
	struct thread_arg	*ta = arg;
	struct graph_req	 g;
	struct buf		 b;
	char			 err[512];
	uint32_t		 w, h;
	int			 i;

	ta->ok = 0;
	for (i = 0; i < 3; i++) {
		buf_init(&b);
		req_init(ta->f, &g, i % 3, GRAPH_PNG, 400 + i, 200);
		if (rrd_graph_render(&ta->f->rf.cfg, &g, &b, err,
		    sizeof err) == 0) {
			png_size(&b, &w, &h);
			if (w == (uint32_t)(400 + i) && h == 200)
				ta->ok++;
		}
		buf_free(&b);
	}
	return NULL;
}

/* Graphs from several threads at once (the web UI's workers). */
static void
test_threads(void **state)
{
	struct fixture		*f = *state;
	pthread_t		 t[4];
	struct thread_arg	 a[4];
	int			 i;

	for (i = 0; i < 4; i++) {
		a[i].f = f;
		assert_int_equal(pthread_create(&t[i], NULL, render_thread,
		    &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].ok, 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_png, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_svg, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_file_and_errors, setup,
		    rrd_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup,
		    rrd_fixture_teardown),
	};

	log_init("test_rrd_graph", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
