/*
 * registry.c -- one table of check names, one dense id each.
 *
 * DESIGN
 * Before the registry, five modules kept their own name -> state table
 * and reconciled it on every reload.  Now a name is hashed here only:
 * registry_bind() walks a freshly loaded config, finds or adds each name
 * and writes its id into the check_conf, so that a result, which carries
 * its check_conf, leads every module straight to its slot.
 *
 * Ids are stable for the daemon's life and never reused.  A check that
 * leaves the config keeps its id (registry_conf() says NULL); when it
 * comes back it finds its old slots again.  That is what the by-name
 * tables did -- the incident engine keeps a removed check's open ticket
 * and state, the recorder its file state -- and it is what makes reuse
 * unsafe: a run in flight of a removed check still reports its result
 * after any number of reloads (sighup storms), and it must not land in
 * a newcomer's slot.  A free list would need every module to confirm it
 * dropped an id; a slot per name ever seen costs a few dozen bytes per
 * module, and names are few compared to results.  So: no reuse.
 *
 * Only the loop uses the registry; the rrd writer thread gets ids in its
 * jobs, never a pointer in here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "registry.h"
#include "xmalloc.h"

struct registry {
	char			**names;	/* by id */
	const struct check_conf	**confs;	/* by id; NULL: not configured */
	size_t			  n, cap;
	unsigned		 *table;	/* open addressing: id + 1 */
	size_t			  tsize;	/* a power of two */
};

/* FNV-1a: names are short and few collide. */
static uint32_t
reg_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The table slot of name: its entry, or the empty one it would take. */
static size_t
reg_slot(const struct registry *r, const char *name)
{
	size_t	i = reg_hash(name) & (r->tsize - 1);

	while (r->table[i] != 0 && strcmp(r->names[r->table[i] - 1],
	    name) != 0)
		i = (i + 1) & (r->tsize - 1);
	return i;
}

/* Keep the table at most half full. */
static void
reg_grow(struct registry *r)
{
	size_t	i;

	if (r->n + 1 <= r->tsize / 2)
		return;
	free(r->table);
	r->tsize = r->tsize == 0 ? 256 : r->tsize * 2;
	r->table = xcalloc(r->tsize, sizeof *r->table);
	for (i = 0; i < r->n; i++)
		r->table[reg_slot(r, r->names[i])] = (unsigned)i + 1;
}

struct registry *
registry_new(void)
{
	struct registry	*r;

	r = xcalloc(1, sizeof *r);
	reg_grow(r);
	return r;
}

void
registry_free(struct registry *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
	free(r->confs);
	free(r->table);
	free(r);
}

unsigned
registry_find(const struct registry *r, const char *name)
{
	size_t	i = reg_slot(r, name);

	return r->table[i] != 0 ? r->table[i] - 1 : REGISTRY_NONE;
}

unsigned
registry_intern(struct registry *r, const char *name)
{
	unsigned	id;

	if ((id = registry_find(r, name)) != REGISTRY_NONE)
		return id;
	reg_grow(r);
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 64 : r->cap * 2;
		r->names = xreallocarray(r->names, r->cap, sizeof *r->names);
		r->confs = xreallocarray(r->confs, r->cap, sizeof *r->confs);
	}
	id = (unsigned)r->n++;
	r->names[id] = xstrdup(name);
	r->confs[id] = NULL;
	r->table[reg_slot(r, name)] = id + 1;
	return id;
}

void
registry_bind(struct registry *r, struct config *cfg)
{
	struct check_conf	*c;
	size_t			 i;

	for (i = 0; i < r->n; i++)
		r->confs[i] = NULL;
	for (i = 0; i < cfg->nchecks; i++) {
		c = cfg->checks[i];
		c->id = registry_intern(r, c->name);
		r->confs[c->id] = c;
	}
}

size_t
registry_size(const struct registry *r)
{
	return r->n;
}

const char *
registry_name(const struct registry *r, unsigned id)
{
	return id < r->n ? r->names[id] : NULL;
}

const struct check_conf *
registry_conf(const struct registry *r, unsigned id)
{
	return id < r->n ? r->confs[id] : NULL;
}

void *
registry_slots(void *arr, size_t *n, unsigned id, size_t size)
{
	size_t	want;

	if (id < *n)
		return arr;
	/*
	 * Ids are dense and come in order, so an eighth to spare is enough
	 * to keep reallocations few: doubling would leave up to half of
	 * every per-check array of 100,000 checks unused.
	 */
	want = (size_t)id + 1 + id / 8 + 64;
	arr = xreallocarray(arr, want, size);
	memset((char *)arr + *n * size, 0, (want - *n) * size);
	*n = want;
	return arr;
}

const struct check_conf *
registry_check(const struct registry *r, const char *name)
{
	return registry_conf(r, registry_find(r, name));
}
