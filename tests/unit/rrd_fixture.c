/*
 * rrd_fixture.c -- the state directory and check the RRD unit tests
 * build their files in (rrd_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rrd_fixture.h"
#include "rrd_store.h"
#include "xmalloc.h"

/* A fresh directory /tmp/sw-TAG.XXXXXX into dir. */
void
tmpdir_make(char *dir, size_t len, const char *tag)
{
	snprintf(dir, len, "/tmp/sw-%s.XXXXXX", tag);
	assert_non_null(mkdtemp(dir));
}

/* Remove dir and all below it; -1 (said on stderr) when that failed. */
int
tmpdir_remove(const char *dir)
{
	char	*cmd;
	int	 rc = 0;

	xasprintf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "could not remove %s\n", dir);
		rc = -1;
	}
	free(cmd);
	return rc;
}

/* Check "shop-home" of site SITE in a fresh state dir /tmp/sw-TAG.*. */
void *
rrd_fixture_new(size_t size, const char *tag, char *site)
{
	struct rrd_fixture	*rf;

	assert_true(size >= sizeof *rf);
	rf = xcalloc(1, size);
	tmpdir_make(rf->dir, sizeof rf->dir, tag);
	rf->cfg.state_dir = rf->dir;
	rf->site.name = site;
	rf->check.name = "shop-home";
	rf->check.site = &rf->site;
	rf->check.interval = 60;
	rf->path = rrd_store_path(&rf->cfg, "shop-home");
	return rf;
}

/* The check's RRD file, empty, with one-minute steps from t0 on. */
void
rrd_fixture_create(struct rrd_fixture *rf, time_t t0)
{
	char	 err[256], *dir;

	xasprintf(&dir, "%s/rrd", rf->dir);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	free(dir);
	if (rrd_store_create(rf->path, 60, t0, NULL, 0, err, sizeof err) != 0)
		fail_msg("create: %s", err);
}

/* Remove the state dir with all in it, and free the fixture. */
int
rrd_fixture_teardown(void **state)
{
	struct rrd_fixture	*rf = *state;

	tmpdir_remove(rf->dir);
	free(rf->path);
	free(rf);
	return 0;
}
