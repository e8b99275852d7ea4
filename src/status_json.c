/*
 * status_json.c -- a check's status object, for the CLI and the API.
 */
#include <math.h>
#include <time.h>

#include "status_json.h"
#include "util.h"

/* A number rounded to three decimals, or null when not known. */
static json_t *
status_number(double v)
{
	return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

/* An ISO 8601 UTC time, or null for 0. */
static json_t *
status_time(double t)
{
	char	iso[32];

	return t > 0 ? json_string(util_iso8601((time_t)t, iso, sizeof iso)) :
	    json_null();
}

/* k of n: what each location says, and a partial outage in words. */
static void
status_locations(json_t *o, const struct status_view *s)
{
	struct locations_count	k;
	char			partial[64];

	json_object_set_new(o, "locations", locations_json(s->locs, s->name));
	locations_count(s->locs, s->name, &k);
	json_object_set_new(o, "partial_outage", locations_partial(&k,
	    s->confirm, partial, sizeof partial) ? json_string(partial) :
	    json_null());
}

json_t *
status_json(const struct status_view *s)
{
	const struct check_status	*st = s->st;
	json_t				*o;
	char				 up[CHECK_STATUS_UP_MAX];
	int				 known = st->seen;

	o = json_object();
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "site", s->site != NULL ?
	    json_string(s->site) : json_null());
	json_object_set_new(o, "url", json_string(s->url));
	json_object_set_new(o, "state", json_string(known ?
	    sw_state_name(st->state) : sw_state_name(SW_STATE_UNKNOWN)));
	json_object_set_new(o, "cause", known ?
	    json_string(sw_cause_name(st->cause)) : json_null());
	json_object_set_new(o, "since", known ?
	    status_time((double)st->since) : json_null());
	json_object_set_new(o, "last_total_ms", known ?
	    status_number(st->last_total_ms) : json_null());
	json_object_set_new(o, "uptime_24h", status_number(s->up24));
	json_object_set_new(o, "uptime_30d", status_number(s->up30));
	json_object_set_new(o, "ticket", st->ticket > 0 ?
	    json_integer(st->ticket) : json_null());
	/* Beyond the SPEC's list: what the dashboard shows besides. */
	json_object_set_new(o, "message", known ?
	    json_string(check_status_message(st, up, sizeof up)) :
	    json_null());
	json_object_set_new(o, "http_status", known && st->http_status >= 0 ?
	    json_integer(st->http_status) : json_null());
	json_object_set_new(o, "last_at", known ?
	    status_time((double)st->last_at) : json_null());
	json_object_set_new(o, "stale", json_boolean(s->stale));
	/* The seconds behind uptime_24h/30d, as `report` gives them. */
	json_object_set_new(o, "downtime_24h_s", status_number(s->down24));
	json_object_set_new(o, "downtime_30d_s", status_number(s->down30));
	if (s->locs != NULL)
		status_locations(o, s);
	return o;
}

int
status_stale(const struct check_status *st, int interval, time_t now,
    int daemon_running, int lag)
{
	if (!daemon_running)
		return 1;
	if (!st->seen || st->last_at <= 0)
		return 0;
	return now - st->last_at > 2L * (interval > 0 ? interval : 60) + lag;
}
