/* probe_http.c -- STUB: replaced by the HTTP probe. */
#include <stdlib.h>

#include "config.h"
#include "probe.h"

struct probe *
probe_start(struct evcurl *ec, const struct check_conf *c, probe_done_cb cb,
    void *arg)
{
	struct result	r;

	result_unknown(&r, c->name, "probe not built yet");
	cb(&r, arg);
	return NULL;
}

void
probe_cancel(struct probe *p, const char *why)
{
}

int
probe_run_once(const struct check_conf *c, struct result *r)
{
	result_unknown(r, c->name, "probe not built yet");
	return -1;
}
