/*
 * web_beats.c -- the per-check rings of the dashboard's heartbeat bar.
 *
 * A ring is RENDER_BEATS compact samples (struct render_beat, 8 bytes),
 * not copies of the results: 50 results of 100,000 checks are 40 MB this
 * way.  Slots are found by the check's registry id, which a name keeps
 * for the daemon's life, so a reload keeps the bars.  Loop thread only.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "registry.h"
#include "result.h"
#include "web_beats.h"
#include "xmalloc.h"

_Static_assert(sizeof(struct render_beat) == 8, "a beat is 8 bytes");
_Static_assert(SW_CAUSE_COUNT <= 16, "a cause fits in 4 bits");

/*
 * The ring grows as results come (2, 4, ... RENDER_BEATS), filled in
 * order from slot 0 until full: a check of the 60 s kind has run a few
 * times in its first minutes, not fifty.  Messages are kept only for
 * results that were not up (an up result's words follow from its HTTP
 * status), in a side array made at the first of them.
 */
struct beat_slot {
	struct render_beat	*ring;		/* NULL: no result yet */
	char			**msg;		/* [RENDER_BEATS] or NULL */
	uint8_t			 head;		/* next to write */
	uint8_t			 n;
	uint8_t			 cap;
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

static void
beat_slot_free(struct beat_slot *s)
{
	unsigned	i;

	if (s->msg != NULL)
		for (i = 0; i < RENDER_BEATS; i++)
			free(s->msg[i]);
	free(s->msg);
	free(s->ring);
	memset(s, 0, sizeof *s);
}

void
web_beats_free(struct web_beats *bs)
{
	size_t	i;

	if (bs == NULL)
		return;
	for (i = 0; i < bs->nslots; i++)
		beat_slot_free(&bs->slots[i]);
	free(bs->slots);
	free(bs);
}

void
web_beats_reload(struct web_beats *bs, const struct registry *reg)
{
	size_t	i;

	for (i = 0; i < bs->nslots; i++)
		if (bs->slots[i].ring != NULL &&
		    registry_conf(reg, (unsigned)i) == NULL)
			beat_slot_free(&bs->slots[i]);
}

/* Room for one more: grow the ring while it is filled in order. */
static void
beat_slot_grow(struct beat_slot *s)
{
	unsigned	cap;

	if (s->n < s->cap || s->cap == RENDER_BEATS)
		return;
	cap = s->cap == 0 ? 2 : s->cap * 2u;
	if (cap > RENDER_BEATS)
		cap = RENDER_BEATS;
	s->ring = xreallocarray(s->ring, cap, sizeof *s->ring);
	s->cap = (uint8_t)cap;
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
	beat_slot_grow(s);
	b = &s->ring[s->head];
	b->at = r->at > 0 && r->at < UINT32_MAX ? (uint32_t)r->at : 0;
	ms = isfinite(r->total_ms) && r->total_ms > 0 ? r->total_ms : 0;
	b->total_ms = ms > 65535 ? 65535 : (uint16_t)lround(ms);
	b->state = (unsigned)r->state & 3u;
	b->cause = (unsigned)r->cause & 15u;
	b->http = r->http_status > 0 && r->http_status <= 999 ?
	    (unsigned)r->http_status : 0;
	if (s->msg != NULL) {
		free(s->msg[s->head]);
		s->msg[s->head] = NULL;
	}
	if (r->state != SW_STATE_UP) {
		if (s->msg == NULL)
			s->msg = xcalloc(RENDER_BEATS, sizeof *s->msg);
		s->msg[s->head] = xstrdup(r->message);
	}
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
	/* Until full, head == n: the oldest is at 0. */
	rc->beat0 = (unsigned)(s->head + RENDER_BEATS - s->n) % RENDER_BEATS;
}

const struct render_beat *
web_beats_recent(struct web_beats *bs, const struct check_conf *c,
    unsigned k, const char **msg)
{
	const struct beat_slot	*s;
	unsigned		 slot;

	*msg = NULL;
	if (c->id == REGISTRY_NONE || c->id >= bs->nslots ||
	    k >= bs->slots[c->id].n)
		return NULL;
	s = &bs->slots[c->id];
	slot = (s->head + RENDER_BEATS - 1 - k) % RENDER_BEATS;
	if (s->msg != NULL)
		*msg = s->msg[slot];
	return &s->ring[slot];
}
