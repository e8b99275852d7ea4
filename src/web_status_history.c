/*
 * web_status_history.c -- the help desk's part of a site's status page,
 * gathered from the tickets' JSON: each incident's public updates (never
 * its notes), and the incidents of the last 14 days.
 *
 * A ticket belongs to a site through its check (the registry); a ticket
 * of a check no longer configured goes by the site name it kept.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "registry.h"
#include "web_status_history.h"
#include "xmalloc.h"

size_t
status_updates(json_t *t, struct render_update *out)
{
	json_t		*ev;
	const char	*kind;
	size_t		 i, n = 0;

	json_array_foreach(json_object_get(t, "events"), i, ev) {
		kind = json_string_value(json_object_get(ev, "kind"));
		/* Only what staff wrote for clients: never a note. */
		if (kind == NULL || strcmp(kind, "update") != 0)
			continue;
		if (out != NULL) {
			out[n].at = json_string_value(json_object_get(ev,
			    "at"));
			out[n].text = json_string_value(json_object_get(ev,
			    "text"));
		}
		n++;
	}
	return n;
}

/* Whether ticket t is one of site's; *c is its check when configured. */
static int
of_site(const struct registry *reg, json_t *t, const struct site_conf *site,
    const struct check_conf **c)
{
	const char	*check, *name;

	check = json_string_value(json_object_get(t, "check"));
	if (check != NULL && (*c = registry_check(reg, check)) != NULL)
		return (*c)->site == site;
	*c = NULL;
	name = json_string_value(json_object_get(t, "site"));
	return name != NULL && site->name != NULL &&
	    strcmp(name, site->name) == 0;
}

void
status_history_gather(const struct registry *reg, json_t *hist,
    const struct site_conf *site, struct render_site *s,
    struct status_history *h)
{
	const struct check_conf	*c;
	struct render_ticket	*rt;
	json_t			*t, *down;
	size_t			 i, n = 0, nu = 0;
	const char		*resolved;

	memset(h, 0, sizeof *h);
	s->history = NULL;
	s->nhistory = 0;
	s->have_history = hist != NULL;
	if (hist == NULL)
		return;
	h->tickets = xcalloc(json_array_size(hist) + 1, sizeof *h->tickets);
	json_array_foreach(hist, i, t)
		nu += status_updates(t, NULL);
	h->updates = xcalloc(nu + 1, sizeof *h->updates);
	nu = 0;
	json_array_foreach(hist, i, t) {
		resolved = json_string_value(json_object_get(t,
		    "resolved_at"));
		/* Open ones stand above, as current incidents. */
		if (resolved == NULL || !of_site(reg, t, site, &c))
			continue;
		rt = &h->tickets[n++];
		rt->id = json_integer_value(json_object_get(t, "id"));
		rt->check = c != NULL ? (c->title != NULL ? c->title :
		    c->name) : json_string_value(json_object_get(t, "check"));
		rt->severity = json_string_value(json_object_get(t,
		    "severity"));
		rt->status = json_string_value(json_object_get(t, "status"));
		rt->cause = json_string_value(json_object_get(t, "cause"));
		rt->opened_at = json_string_value(json_object_get(t,
		    "opened_at"));
		rt->resolved_at = resolved;
		down = json_object_get(t, "downtime_s");
		rt->downtime_s = json_is_integer(down) ?
		    json_integer_value(down) : -1;
		rt->updates = h->updates + nu;
		rt->nupdates = status_updates(t, h->updates + nu);
		nu += rt->nupdates;
	}
	s->history = h->tickets;
	s->nhistory = n;
}

void
status_history_free(struct status_history *h)
{
	free(h->tickets);
	free(h->updates);
	memset(h, 0, sizeof *h);
}
