/* rrd_store.c -- STUB: replaced by the RRD recorder. */
#include <stdlib.h>

#include "rrd_store.h"

struct rrd_store { int unused; };

struct rrd_store *
rrd_store_open(const struct config *cfg)
{
	return calloc(1, sizeof(struct rrd_store));
}

void
rrd_store_record(struct rrd_store *rs, const struct check_conf *c,
    const struct result *r)
{
}

void
rrd_store_reload(struct rrd_store *rs, const struct config *cfg)
{
}

void
rrd_store_close(struct rrd_store *rs)
{
	free(rs);
}
