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

json_t *
status_json(const struct status_view *s)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "site", s->site != NULL ?
	    json_string(s->site) : json_null());
	json_object_set_new(o, "url", json_string(s->url));
	json_object_set_new(o, "state", json_string(s->known ?
	    sw_state_name(s->state) : sw_state_name(SW_STATE_UNKNOWN)));
	json_object_set_new(o, "cause", s->known ?
	    json_string(sw_cause_name(s->cause)) : json_null());
	json_object_set_new(o, "since", s->known ? status_time(s->since) :
	    json_null());
	json_object_set_new(o, "last_total_ms", s->known ?
	    status_number(s->last_total_ms) : json_null());
	json_object_set_new(o, "uptime_24h", status_number(s->up24));
	json_object_set_new(o, "uptime_30d", status_number(s->up30));
	json_object_set_new(o, "ticket", s->ticket > 0 ?
	    json_integer(s->ticket) : json_null());
	/* Beyond the SPEC's list: what the dashboard shows besides. */
	json_object_set_new(o, "message", s->known && s->message != NULL ?
	    json_string(s->message) : json_null());
	json_object_set_new(o, "http_status", s->known && s->http_status >= 0 ?
	    json_integer(s->http_status) : json_null());
	json_object_set_new(o, "last_at", s->known ? status_time(s->last_at) :
	    json_null());
	return o;
}
