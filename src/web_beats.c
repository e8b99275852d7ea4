/*
 * web_beats.c -- the per-check rings of the dashboard's heartbeat bar.
 *
 * A ring is RENDER_BEATS compact samples (struct render_beat, 8 bytes),
 * not copies of the results: 50 results of 100,000 checks are 40 MB this
 * way.  Slots are found by the check's registry id, which a name keeps
 * for the daemon's life, so a reload keeps the bars.  Loop thread only.
 */
#include <math.h>
#include <stdlib.h>

#include "config.h"
#include "registry.h"
#include "result.h"
#include "web_beats.h"
#include "xmalloc.h"

_Static_assert(sizeof(struct render_beat) == 8, "a beat is 8 bytes");

struct beat_slot {
	struct render_beat	*ring;		/* NULL: no result yet */
	uint8_t			 head;		/* next to write */
	uint8_t			 n;
};

struct web_beats {
	struct beat_slot	*slots;
	size_t			 nslots;
};

struct web_beats *
web_beats_new(void)
{
	return xcalloc(1, sizeof(struct web_beats));
}

void
web_beats_free(struct web_beats *bs)
{
	size_t	i;

	if (bs == NULL)
		return;
	for (i = 0; i < bs->nslots; i++)
		free(bs->slots[i].ring);
	free(bs->slots);
	free(bs);
}

void
web_beats_record(struct web_beats *bs, const struct check_conf *c,
    const struct result *r)
{
	struct beat_slot	*s;
	struct render_beat	*b;
	double			 ms;

	if (c->id == REGISTRY_NONE)
		return;
	bs->slots = registry_slots(bs->slots, &bs->nslots, c->id,
	    sizeof *bs->slots);
	s = &bs->slots[c->id];
	if (s->ring == NULL)
		s->ring = xcalloc(RENDER_BEATS, sizeof *s->ring);
	b = &s->ring[s->head];
	b->at = r->at > 0 ? (uint32_t)r->at : 0;
	ms = isfinite(r->total_ms) && r->total_ms > 0 ? r->total_ms : 0;
	b->total_ms = ms > 65535 ? 65535 : (uint16_t)lround(ms);
	b->state = (uint8_t)r->state;
	b->cause = (uint8_t)r->cause;
	s->head = (uint8_t)((s->head + 1) % RENDER_BEATS);
	if (s->n < RENDER_BEATS)
		s->n++;
}

void
web_beats_fill(struct web_beats *bs, const struct check_conf *c,
    struct render_check *rc)
{
	const struct beat_slot	*s;

	rc->beats = NULL;
	rc->nbeats = 0;
	if (c->id == REGISTRY_NONE || c->id >= bs->nslots)
		return;
	s = &bs->slots[c->id];
	rc->beats = s->ring;
	rc->nbeats = s->n;
	rc->beat0 = (unsigned)(s->head + RENDER_BEATS - s->n) % RENDER_BEATS;
}
