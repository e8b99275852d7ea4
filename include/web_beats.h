/*
 * web_beats.h -- the dashboard's heartbeat bar: each check's last
 * RENDER_BEATS results, 8 bytes each (time, total, state, cause), in a
 * ring that is allocated at the check's first result.  Kept apart from
 * web_view's per-check record, which is being made smaller: a check
 * costs a 16-byte slot here plus 400 bytes once it has run.
 */
#ifndef WEB_BEATS_H
#define WEB_BEATS_H

#include "web_render.h"

struct check_conf;
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

#endif
