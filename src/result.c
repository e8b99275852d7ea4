/* result.c -- STUB: replaced by the result classifier. */
#include <stdio.h>
#include <string.h>

#include "result.h"

void
result_classify(const struct check_conf *c, const struct probe_raw *raw,
    struct result *r)
{
	r->state = SW_STATE_UNKNOWN;
	r->cause = SW_CAUSE_UNKNOWN;
}

void
result_unknown(struct result *r, const char *name, const char *why)
{
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->message, sizeof r->message, "%s", why);
	r->state = SW_STATE_UNKNOWN;
	r->cause = SW_CAUSE_UNKNOWN;
	r->cert_days_left = -1;
}
