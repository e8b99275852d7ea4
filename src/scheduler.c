/* scheduler.c -- STUB: replaced by the scheduler. */
#include <stdlib.h>

#include "scheduler.h"

struct scheduler { int unused; };

struct scheduler *
scheduler_new(struct event_base *base, struct evcurl *ec,
    const struct config *cfg, scheduler_result_cb cb, void *arg)
{
	return calloc(1, sizeof(struct scheduler));
}

void scheduler_reload(struct scheduler *s, const struct config *cfg) {}
int scheduler_config_unused(struct scheduler *s, const struct config *c) { return 1; }
void scheduler_stop(struct scheduler *s) {}
void scheduler_free(struct scheduler *s) { free(s); }
const struct result *scheduler_last(struct scheduler *s, const char *n) { return NULL; }
void scheduler_get_stats(struct scheduler *s, struct scheduler_stats *st) {}
