/* incident.c -- STUB: replaced by the incident engine and ticket store. */
#include <stdlib.h>

#include "incident.h"

struct incidents { int unused; };

struct incidents *
incidents_open(const struct config *cfg, struct event_base *base,
    incident_event_cb cb, void *arg)
{
	return calloc(1, sizeof(struct incidents));
}

void
incidents_feed(struct incidents *in, const struct check_conf *c,
    const struct result *r)
{
}

void
incidents_reload(struct incidents *in, const struct config *cfg)
{
}

void
incidents_close(struct incidents *in)
{
	free(in);
}
