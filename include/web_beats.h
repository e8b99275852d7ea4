/*
 * web_beats.h -- each check's last RENDER_BEATS results, 8 bytes each
 * (time, total, state, cause, HTTP status): the dashboard's heartbeat bar
 * and the check page's table of recent results.  The ring grows with the
 * results: a check costs a 24-byte slot here plus at most 400 bytes once
 * it has run fifty times.  Loop thread only.
 */
#ifndef WEB_BEATS_H
#define WEB_BEATS_H

#include "web_render.h"

struct check_conf;
struct registry;
struct result;
struct web_beats;

struct web_beats	*web_beats_new(void);
void			 web_beats_free(struct web_beats *);
/* Remember one result of c (by its registry id). */
void			 web_beats_record(struct web_beats *,
			    const struct check_conf *, const struct result *);
/* Point rc's beats at c's ring (none yet: nbeats 0). */
void			 web_beats_fill(struct web_beats *,
			    const struct check_conf *, struct render_check *);

/* The config changed: drop the rings of checks gone from it. */
void			 web_beats_reload(struct web_beats *,
			    const struct registry *);
/*
 * The k-th newest result of c (0: the last), NULL past the oldest;
 * *msg is its message when it was not up, else NULL.
 */
const struct render_beat *web_beats_recent(struct web_beats *,
			    const struct check_conf *, unsigned k,
			    const char **msg);

#endif
