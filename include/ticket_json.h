/*
 * ticket_json.h -- a ticket as the SPEC's JSON object: id, check, site,
 * severity, status, cause, summary, opened_at, acknowledged_by,
 * acknowledged_at, resolved_at, downtime_s, events[{at, kind, by, text}].
 * The one place that shape is built; the CLI and the web API both use it.
 * Times are ISO 8601 UTC, unknown values null.
 */
#ifndef TICKET_JSON_H
#define TICKET_JSON_H

#include <stddef.h>

#include <jansson.h>

struct ticket;

/* A new object. */
json_t	*ticket_json(const struct ticket *);
/* A new array of n tickets, in the given order. */
json_t	*ticket_json_list(const struct ticket *, size_t n);

#endif
