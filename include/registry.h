/*
 * registry.h -- every check the daemon knows, by a dense id.
 *
 * A check's name is matched here, once, when a config is loaded or
 * reloaded; from then on the scheduler, the incident engine, the
 * recorder and the web find their per-check state at [id] in plain
 * arrays.  A name keeps its id for the daemon's life (see registry.c).
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>

struct config;
struct check_conf;
struct registry;

#define REGISTRY_NONE	((unsigned)-1)

struct registry		*registry_new(void);
void			 registry_free(struct registry *);
/*
 * Number the checks of a config just loaded (sets every check_conf's id)
 * and make it the current one; names new to the registry get the next
 * ids.  The registry does not own the config.
 */
void			 registry_bind(struct registry *, struct config *);
/* The id of name, REGISTRY_NONE when it was never seen. */
unsigned		 registry_find(const struct registry *,
			    const char *name);
/* The id of name, given one if it is new (a check known from the db). */
unsigned		 registry_intern(struct registry *, const char *name);
/* Ids run 0..registry_size() - 1. */
size_t			 registry_size(const struct registry *);
const char		*registry_name(const struct registry *, unsigned id);
/* The check in the current config, NULL when it is not there (any more). */
const struct check_conf	*registry_conf(const struct registry *, unsigned id);
const struct check_conf	*registry_check(const struct registry *,
			    const char *name);

/*
 * A module's array of per-check slots (*n of size bytes each), grown if
 * needed so that slot id exists; new slots are zeroed.  Returns the
 * array (the old one is gone).  Any thread: it touches no registry.
 */
void			*registry_slots(void *arr, size_t *n, unsigned id,
			    size_t size);

#endif
