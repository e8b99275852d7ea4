/*
 * probe.h -- run one HTTP(S) check and produce one result.
 *
 * probe_start() builds an easy handle from a check_conf and hands it to
 * evcurl.  Exactly one callback ends every probe that was started:
 * finished, failed, timed out or cancelled.
 */
#ifndef PROBE_H
#define PROBE_H

#include "result.h"

struct evcurl;
struct check_conf;
struct probe;

typedef void (*probe_done_cb)(const struct result *, void *arg);

/*
 * Start a probe.  The check_conf must stay valid until the callback has
 * run (the scheduler keeps the config it started with alive).  Returns
 * NULL only when the handle could not be set up; then the callback has
 * already been called with a result explaining why.
 */
struct probe	*probe_start(struct evcurl *, const struct check_conf *,
		    probe_done_cb, void *arg);
/* Abort a running probe; its callback runs with an unknown result. */
void		 probe_cancel(struct probe *, const char *why);

/*
 * Run one check to completion on a private event_base (the CLI's
 * `check` verb).  Fills r; returns 0, or -1 if it could not run at all.
 */
int		 probe_run_once(const struct check_conf *, struct result *r);

#endif
