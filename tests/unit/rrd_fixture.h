/*
 * rrd_fixture.h -- what the RRD unit tests (recorder, report, graph)
 * share: a private state directory holding one site and one check, and
 * a way to remove a test's temporary directory again.
 */
#ifndef RRD_FIXTURE_H
#define RRD_FIXTURE_H

#include <time.h>

#include "config.h"

struct rrd_fixture {
	char			 dir[64];	/* the state_dir */
	struct config		 cfg;
	struct site_conf	 site;
	struct check_conf	 check;		/* "shop-home", every 60 s */
	char			*path;		/* its RRD file */
};

void	 tmpdir_make(char *, size_t, const char *);
int	 tmpdir_remove(const char *);

/*
 * A test's own fixture struct starts with a struct rrd_fixture:
 * rrd_fixture_new allocates it (SIZE bytes, zeroed) and
 * rrd_fixture_teardown, a cmocka teardown, frees it with its directory.
 */
void	*rrd_fixture_new(size_t, const char *, char *);
void	 rrd_fixture_create(struct rrd_fixture *, time_t);
int	 rrd_fixture_teardown(void **);

#endif
