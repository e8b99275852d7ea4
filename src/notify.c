/* notify.c -- STUB: replaced by the notifier, outbox and mailer. */
#include <stdlib.h>

#include "notify.h"

struct notifier { int unused; };

struct notifier *
notify_open(const struct config *cfg, struct event_base *base)
{
	return calloc(1, sizeof(struct notifier));
}

void
notify_event(struct notifier *n, const struct incident_event *ev)
{
}

void
notify_reload(struct notifier *n, const struct config *cfg)
{
}

void
notify_close(struct notifier *n)
{
	free(n);
}

int
notify_check_templates(const struct config *cfg, struct errlist *errs)
{
	return 0;
}
