/*
 * ticket_json.c -- struct ticket to the SPEC's JSON (see ticket_json.h).
 *
 * The store hands out plain structs; what a field looks like on the wire
 * (ISO times, null for "not yet", text made valid UTF-8) is decided here
 * only.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "ticket_json.h"
#include "util.h"
#include "xmalloc.h"

/* An epoch time as ISO 8601 UTC, or null for 0 (never). */
static json_t *
tj_time(time_t t)
{
	char	buf[32];

	if (t == 0)
		return json_null();
	util_iso8601(t, buf, sizeof buf);
	return json_string(buf);
}

/* Text as a JSON string (invalid UTF-8 made safe), or null. */
static json_t *
tj_text(const char *s)
{
	json_t	*j;
	char	*esc;
	size_t	 len;

	if (s == NULL)
		return json_null();
	len = strlen(s);
	if ((j = json_stringn(s, len)) != NULL)
		return j;
	/* Not UTF-8 (hostile site text): escape it rather than drop it. */
	esc = xmalloc(4 * len + 1);
	log_escape(esc, 4 * len + 1, s);
	j = json_string(esc);
	free(esc);
	return j != NULL ? j : json_null();
}

/* "a, b" as ["a", "b"]. */
static json_t *
tj_list(const char *s)
{
	json_t		*arr = json_array();
	const char	*p = s, *e;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		for (e = p; *e != '\0' && *e != ','; e++)
			;
		if (e > p)
			json_array_append_new(arr, json_stringn(p,
			    (size_t)(e - p)));
		p = e;
	}
	return arr;
}

json_t *
ticket_json(const struct ticket *t)
{
	json_t	*o, *arr, *ev;
	size_t	 i;

	o = json_object();
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "check", tj_text(t->check));
	json_object_set_new(o, "site", tj_text(t->site));
	json_object_set_new(o, "severity", tj_text(t->severity));
	json_object_set_new(o, "status", tj_text(t->status));
	json_object_set_new(o, "cause", tj_text(t->cause));
	json_object_set_new(o, "summary", tj_text(t->summary));
	json_object_set_new(o, "opened_at", tj_time(t->opened_at));
	json_object_set_new(o, "acknowledged_by",
	    tj_text(t->acknowledged_by));
	json_object_set_new(o, "acknowledged_at",
	    tj_time(t->acknowledged_at));
	json_object_set_new(o, "resolved_at", tj_time(t->resolved_at));
	json_object_set_new(o, "downtime_s", t->downtime_s < 0 ? json_null() :
	    json_integer(t->downtime_s));
	arr = json_array();
	for (i = 0; i < t->nevents; i++) {
		ev = json_object();
		json_object_set_new(ev, "at", tj_time(t->events[i].at));
		json_object_set_new(ev, "kind", tj_text(t->events[i].kind));
		json_object_set_new(ev, "by", tj_text(t->events[i].by));
		json_object_set_new(ev, "text", tj_text(t->events[i].text));
		json_array_append_new(arr, ev);
	}
	json_object_set_new(o, "events", arr);
	/* k of n (PostgreSQL): the locations that saw the failure. */
	if (t->locations != NULL)
		json_object_set_new(o, "locations", tj_list(t->locations));
	return o;
}

json_t *
ticket_json_list(const struct ticket *v, size_t n)
{
	json_t	*arr;
	size_t	 i;

	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, ticket_json(&v[i]));
	return arr;
}
