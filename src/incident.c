/*
 * incident.c -- the daemon's incident engine: results in, tickets and
 * incident events out.
 *
 * DESIGN
 * Everything decided here is decided on the event loop, in memory: each
 * check has a struct chk, at its registry id (registry.h), holding its
 * incident state machine (incident_fsm.c) and its struct check_status
 * (state, cause, since, last result, open ticket): the one copy the web,
 * the metrics and the API read through incidents_status().  Names read
 * back from the db (checks no longer configured, tickets still open)
 * are interned in the registry, so they have an id like the rest.
 *
 * The db work goes to the ticket writer (incident_writer.c: FIFO
 * batches on the "ticket-db" bio queue, one transaction each, kept and
 * retried while the db is locked or the disk full) as small ops.
 *
 * Several nodes may share one database (PostgreSQL) and watch the same
 * checks, so each decides the same outage: whoever tells the people
 * must be the one whose write took effect.  The FSM decides here, at
 * once; the mail waits for the write.  An open is an insert that the
 * database numbers -- or that finds the ticket another node opened, and
 * this node then follows -- and OPENED goes to the notifier only when
 * this node's insert created the row; RESOLVED, ESCALATED and REMINDER
 * only when this node's update changed it (store.h).  The writer hands
 * each such result back on the loop once committed (an answer), never
 * making the loop wait.  Until the insert's answer the ticket is
 * "pending" (chk.pend): ops queued meanwhile for it name its slot, and
 * the writer reads the id there.  A database away for a while delays
 * the decisions' mails until the writes are done, written once.
 *
 * Staff act on tickets from other processes (CLI, web API) straight in
 * the db.  A periodic sync op reads back the status of the tickets the
 * loop believes open; the answer comes back with the batch's done
 * callback on the loop, which then notices acks (reminders stop) and
 * hand resolves (the check's next confirmed failure opens a new ticket),
 * and only then sends reminders.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "confirm.h"
#include "config.h"
#include "incident.h"
#include "incident_fsm.h"
#include "incident_int.h"
#include "log.h"
#include "registry.h"
#include "result.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define SYNC_MAX_MS	5000	/* ack/resolve by staff noticed within */
/*
 * Counters and last-result figures of checks whose state did not change
 * are written this often (incidents_feed says why not per result).
 */
#define CHK_REFRESH_S	CHECK_STATUS_SAVE_S
#define CHK_STOP_CHUNK	2000	/* state saves made at once at the stop */

/*
 * One check as the incident engine knows it: every check has one, so it
 * is packed into the allocator's 128-byte class (100,000 checks: 12.8 MB).
 * Times are unsigned epoch seconds; how often to remind is read from the
 * check's config (registry_conf), not kept here.
 */
struct chk {
	const char		*name;		/* the registry's */
	struct fsm_state	 fsm;
	/*
	 * What everyone shows (the `status` verb reads it from the db).
	 * st.message is the check's own buffer of message_cap bytes, the
	 * shared "", or NULL for the plain up message (message_cap 0).
	 */
	struct check_status	 st;
	struct tslot		*pend;		/* ticket being opened */
	/* Changed since its last save; saved by chk_flush_dirty. */
	struct chk		*dnext;
	uint32_t		 opened_at;
	uint32_t		 last_reminder_at;
	uint32_t		 vote_since;	/* when it became that */
	unsigned		 id;
	unsigned short		 message_cap;	/* 0: the shared "" */
	unsigned short		 vote_busy;	/* votes not answered yet */
	unsigned char		 vote;		/* enum confirm_vote: k of n,
						   last written */
	unsigned char		 acked;
	unsigned char		 dirty;		/* on a list; 2: saved since */
};

_Static_assert(sizeof(struct chk) <= 128, "a check's record fits 128 bytes");

struct incidents {
	const struct config	*cfg;
	struct event_base	*base;
	incident_event_cb	 cb;
	void			*cb_arg;
	struct registry		*reg;
	struct chk		**chk;		/* [registry id], NULL: none */
	size_t			 nchk;
	struct chk		*dirty;		/* list through dnext */
	size_t			 ndirty;
	struct chk		*flushing;	/* the list being written out */
	size_t			 flush_batch;	/* of it, per tick */
	long long		 tick_ms;
	time_t			 refreshed;	/* last chk_flush_dirty */
	int			 closing;	/* answers push nothing */
	int			 stopped;	/* the writer is gone */
	char			 node[256];	/* this node's name */
	char			 location[256];	/* where it probes from */
	int			 pg;		/* shared db: k of n works */
	long long		*told;		/* told after the stop */
	size_t			 ntold;

	struct store	*db;		/* the writer's, once started */
	struct iwriter		*writer;	/* incident_writer.c */
	struct event		*ev_tick;	/* periodic sync + reminders */
	int			 sync_busy;
	time_t			 started_at;	/* for the heartbeat */
	time_t			 beat_at;	/* the last one queued */
};

static char	chk_no_message[1];

static struct chk *
chk_find(const struct incidents *in, unsigned id)
{
	return id < in->nchk ? in->chk[id] : NULL;
}

/* Find or create the record of check id. */
static struct chk *
chk_get(struct incidents *in, unsigned id)
{
	struct chk	*k;

	if ((k = chk_find(in, id)) != NULL)
		return k;
	in->chk = registry_slots(in->chk, &in->nchk, id, sizeof *in->chk);
	k = in->chk[id] = xcalloc(1, sizeof *k);
	k->name = registry_name(in->reg, id);
	k->id = id;
	fsm_init(&k->fsm);
	k->st.message = chk_no_message;
	k->st.state = SW_STATE_UNKNOWN;
	k->st.cause = SW_CAUSE_UNKNOWN;
	k->st.http_status = -1;
	return k;
}

/* Free the check's own message buffer, if it has one. */
static void
chk_free_message(struct chk *k)
{
	if (k->message_cap > 0)
		free((char *)(uintptr_t)k->st.message);
	k->st.message = chk_no_message;
	k->message_cap = 0;
}

/*
 * Keep a check's last message at its own size (most are a few words, the
 * bound is SW_MESSAGE_MAX), reusing the buffer while the new one fits.
 * The plain up message of most results is not kept (NULL), an empty one
 * is a shared "": neither owned (message_cap 0).  Set st's state, cause,
 * status and time first: the plain message is judged from them.
 */
static void
chk_set_message(struct chk *k, const char *msg)
{
	char	 up[CHECK_STATUS_UP_MAX];
	size_t	 len;
	char	*m;

	/* The plain up message is made again when read (check_status.h). */
	if (k->st.state == SW_STATE_UP && k->st.cause == SW_CAUSE_OK &&
	    strcmp(msg, result_up_message(up, sizeof up, k->st.http_status,
	    k->st.last_total_ms)) == 0) {
		chk_free_message(k);
		k->st.message = NULL;
		return;
	}
	len = strnlen(msg, SW_MESSAGE_MAX - 1);
	if (len == 0 && k->message_cap == 0) {
		k->st.message = chk_no_message;
		return;
	}
	if (len + 1 > k->message_cap) {
		chk_free_message(k);
		k->message_cap = (unsigned)len + 1;
		m = xmalloc(k->message_cap);
	} else
		m = (char *)(uintptr_t)k->st.message;	/* ours */
	memcpy(m, msg, len);
	m[len] = '\0';
	k->st.message = m;
}

/*
 * k's message, for a use that copies it at once: the plain up message is
 * made in one buffer (the loop's thread only).
 */
static const char *
chk_message(const struct chk *k)
{
	static char	up[CHECK_STATUS_UP_MAX];

	return check_status_message(&k->st, up, sizeof up);
}

static const char *
severity_name(enum incident_severity s)
{
	return s == SEVERITY_CRITICAL ? "critical" : "warning";
}

static void	remind(struct incidents *, time_t);
static void	emit(struct incidents *, enum incident_kind,
		    const struct chk *, const struct wop *);

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A ticket is open, or being opened. */
static int
has_ticket(const struct chk *k)
{
	return k->st.ticket != 0 || k->pend != NULL;
}

/* A new op about k's ticket: by id, or by the slot of its insert. */
static struct wop *
ticket_wop(enum wop_kind kind, const struct chk *k, time_t at)
{
	struct wop	*w;

	w = wop_new(kind, k->st.ticket, at);
	if (k->pend != NULL)
		w->slot = tslot_ref(k->pend);
	w->check = k->id;
	return w;
}

/* Ask for the op's result, keeping what its event will say. */
static void
wop_want(struct wop *w, const struct chk *k, enum incident_severity sev,
    long long downtime, int suppress)
{
	w->answer = 1;
	w->ev.severity = sev;
	w->ev.state = k->st.state;
	w->ev.cause = k->st.cause;
	w->ev.message = xstrdup(chk_message(k));
	w->ev.opened_at = k->opened_at;
	w->ev.downtime_s = downtime;
	w->ev.suppress_mail = suppress;
}

/* ---- state persistence ---- */

/* A save of a check's whole state, not queued yet. */
static struct wop *
chk_state_wop(const struct chk *k)
{
	struct wop		*w;
	struct store_check_state	*cs;

	w = wop_new(W_STATE, 0, k->st.last_at);
	cs = &w->cs;
	snprintf(cs->name, sizeof cs->name, "%s", k->name);
	cs->state = k->st.state;
	cs->cause = k->st.cause;
	snprintf(cs->message, sizeof cs->message, "%s", chk_message(k));
	cs->since = k->st.since;
	cs->last_at = k->st.last_at;
	cs->last_total_ms = k->st.last_total_ms;
	cs->http_status = (int)k->st.http_status;
	cs->ticket = k->st.ticket;
	cs->fsm_last = k->fsm.last;
	cs->fail_streak = k->fsm.fail_streak;
	cs->down_streak = k->fsm.down_streak;
	cs->ok_streak = k->fsm.ok_streak;
	cs->streak_down = k->fsm.streak_down;
	cs->first_failure_at = k->fsm.first_failure_at;
	cs->recovery_at = k->fsm.recovery_at;
	cs->severity = k->fsm.severity == SEVERITY_CRITICAL;
	cs->flapping = k->fsm.flapping;
	cs->history = (long long)k->fsm.history;
	cs->nhistory = k->fsm.nhistory;
	cs->dep_noted = k->fsm.dep_noted;
	return w;
}

/* Queue a save of a check's whole state. */
static void
chk_save(struct incidents *in, const struct chk *k)
{
	iwriter_push(in->writer, chk_state_wop(k));
}

/*
 * A ticket this node opened before a crash and whose OPENED mails never
 * reached the queue: tell now (from the ticket as written), once.
 */
static void
tell_again(struct incidents *in, struct chk *k, long long id)
{
	struct ticket	 t;
	struct wop	*w;
	int		 cause;

	if (store_ticket_get(in->db, id, &t) != STORE_OK)
		return;
	w = wop_new(W_INSERT, id, t.opened_at);
	w->ev.severity = t.severity != NULL && strcmp(t.severity,
	    "critical") == 0 ? SEVERITY_CRITICAL : SEVERITY_WARNING;
	w->ev.state = w->ev.severity == SEVERITY_CRITICAL ? SW_STATE_DOWN :
	    SW_STATE_DEGRADED;
	cause = t.cause != NULL ? sw_cause_parse(t.cause) : -1;
	w->ev.cause = cause >= 0 ? (enum sw_cause)cause : SW_CAUSE_UNKNOWN;
	w->ev.message = xstrdup(t.summary != NULL ? t.summary : "");
	w->ev.opened_at = t.opened_at;
	log_info("check %s: ticket %lld was opened here before a crash, "
	    "its mails not queued: sending them now", k->name, id);
	emit(in, INCIDENT_OPENED, k, w);
	wop_free(w);
	ticket_free(&t);
}

/* Restore one persisted check (startup). */
static int
load_state(const struct store_check_state *cs, void *arg)
{
	struct incidents	*in = arg;
	struct chk		*k;

	k = chk_get(in, registry_intern(in->reg, cs->name));
	k->st.state = cs->state;
	k->st.cause = cs->cause;
	k->st.since = cs->since;
	k->st.last_at = cs->last_at;
	k->st.last_total_ms = cs->last_total_ms;
	k->st.http_status = cs->http_status;
	chk_set_message(k, cs->message);
	k->fsm.last = cs->fsm_last;
	k->fsm.fail_streak = fsm_streak(cs->fail_streak);
	k->fsm.down_streak = fsm_streak(cs->down_streak);
	k->fsm.ok_streak = fsm_streak(cs->ok_streak);
	k->fsm.streak_down = cs->streak_down;
	k->fsm.first_failure_at = cs->first_failure_at;
	k->fsm.recovery_at = cs->recovery_at;
	k->fsm.severity = cs->severity ? SEVERITY_CRITICAL : SEVERITY_WARNING;
	k->fsm.flapping = cs->flapping;
	k->fsm.history = (uint64_t)cs->history;
	k->fsm.nhistory = cs->nhistory < 0 ? 0 :
	    cs->nhistory > FSM_FLAP_WINDOW ? FSM_FLAP_WINDOW : cs->nhistory;
	k->fsm.dep_noted = cs->dep_noted;
	/* Whether a ticket is open is the tickets table's word (below). */
	k->fsm.open = 0;
	k->st.ticket = 0;
	return 0;
}

/*
 * Load every check's state and every open ticket.  The tickets table
 * wins over check_state: a ticket resolved by hand while the daemon was
 * down is simply not open any more.
 */
static int
incidents_load(struct incidents *in)
{
	struct ticket_brief	*t = NULL;
	struct chk		*k;
	size_t			 n, i;

	if (store_check_states(in->db, load_state, in) != STORE_OK)
		return -1;
	if (store_open_tickets(in->db, &t, &n) != STORE_OK)
		return -1;
	for (i = 0; i < n; i++) {
		k = chk_get(in, registry_intern(in->reg, t[i].check));
		k->st.ticket = t[i].id;
		k->acked = strcmp(t[i].status, "acknowledged") == 0;
		k->opened_at = t[i].opened_at;
		k->last_reminder_at = t[i].last_reminder_at;
		k->fsm.open = 1;
		k->fsm.severity = strcmp(t[i].severity, "critical") == 0 ?
		    SEVERITY_CRITICAL : SEVERITY_WARNING;
		if (!t[i].notified && strcmp(t[i].opened_by, in->node) == 0)
			tell_again(in, k, t[i].id);
	}
	free(t);
	log_info("tickets: %zu open", n);
	return 0;
}

/* ---- events ---- */

/*
 * Pass one event up to the notifier: what was decided (kept in the
 * answered op w), about the ticket its write took effect on.
 */
static void
emit(struct incidents *in, enum incident_kind kind, const struct chk *k,
    const struct wop *w)
{
	struct incident_event	ev;

	if (in->cb == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.ticket_id = wop_ticket(w);
	ev.check = k->name;
	ev.conf = registry_conf(in->reg, k->id);
	ev.severity = w->ev.severity;
	ev.state = w->ev.state;
	ev.cause = w->ev.cause;
	ev.message = w->ev.message;
	ev.opened_at = w->ev.opened_at;
	ev.at = w->at;
	ev.downtime_s = w->ev.downtime_s;
	ev.suppress_mail = w->ev.suppress_mail;
	ev.locations = w->ev.locations;
	in->cb(&ev, in->cb_arg);
}

/* Open a ticket for k now (the FSM said so). */
static void
ticket_open(struct incidents *in, const struct check_conf *c, struct chk *k,
    const struct fsm_output *o, time_t at)
{
	struct wop	*w;

	k->st.ticket = 0;
	k->acked = 0;
	k->opened_at = at;
	k->last_reminder_at = 0;
	tslot_unref(k->pend);
	k->pend = tslot_new();
	w = ticket_wop(W_INSERT, k, at);
	wop_want(w, k, o->severity, 0, o->suppress_mail);
	w->node = in->node;
	w->s1 = xstrdup(k->name);
	w->s2 = dup_or_null(c->site != NULL ? c->site->name : NULL);
	w->s3 = xstrdup(severity_name(o->severity));
	w->s4 = xstrdup(sw_cause_name(k->st.cause));
	xasprintf(&w->s5, "%s is %s: %s", k->name, sw_state_name(k->st.state),
	    chk_message(k));
	w->n = (long long)(o->first_failure_at != 0 ? o->first_failure_at :
	    at);
	iwriter_push(in->writer, w);
	if (k->fsm.flapping) {
		w = ticket_wop(W_FLAP, k, at);
		w->if_created = 1;
		w->n = 1;
		xasprintf(&w->s1, "opened while flapping (%.0f%% state "
		    "changes)", o->flap_pct);
		iwriter_push(in->writer, w);
	}
}

/* Apply what the FSM decided about k's ticket. */
static void
apply(struct incidents *in, const struct check_conf *c, struct chk *k,
    struct chk *parent, const struct fsm_output *o, time_t at)
{
	struct wop	*w;

	if (o->actions & FSM_OPEN)
		ticket_open(in, c, k, o, at);
	if ((o->actions & FSM_ESCALATE) && has_ticket(k)) {
		w = ticket_wop(W_ESCALATE, k, at);
		wop_want(w, k, SEVERITY_CRITICAL, 0, o->suppress_mail);
		w->s1 = xstrdup(sw_cause_name(k->st.cause));
		xasprintf(&w->s2, "escalated to critical: %s", chk_message(k));
		iwriter_push(in->writer, w);
	}
	if ((o->actions & (FSM_FLAP_START | FSM_FLAP_STOP)) &&
	    has_ticket(k) && !(o->actions & FSM_OPEN)) {
		w = ticket_wop(W_FLAP, k, at);
		w->n = (o->actions & FSM_FLAP_START) != 0;
		xasprintf(&w->s1, "%s flapping (%.0f%% state changes in the "
		    "last %d results)", w->n ? "started" : "stopped",
		    o->flap_pct, FSM_FLAP_WINDOW);
		iwriter_push(in->writer, w);
	}
	if (o->actions & (FSM_FLAP_START | FSM_FLAP_STOP))
		log_info("check %s: %s flapping (%.0f%%)", k->name,
		    (o->actions & FSM_FLAP_START) ? "started" : "stopped",
		    o->flap_pct);
	if ((o->actions & FSM_DEPENDENT) && parent != NULL &&
	    has_ticket(parent)) {
		w = ticket_wop(W_EVENT, parent, at);
		w->s1 = xstrdup("dependent-failure");
		xasprintf(&w->s2, "dependent check %s is %s: %s", k->name,
		    sw_state_name(k->st.state), chk_message(k));
		iwriter_push(in->writer, w);
	}
	if ((o->actions & FSM_RESOLVE) && has_ticket(k)) {
		w = ticket_wop(W_RESOLVE, k, at);
		wop_want(w, k, k->fsm.severity, o->downtime_s,
		    o->suppress_mail);
		w->n = o->downtime_s;
		xasprintf(&w->s1, "recovered after %lld s of downtime",
		    o->downtime_s);
		iwriter_push(in->writer, w);
		k->st.ticket = 0;
		tslot_unref(k->pend);
		k->pend = NULL;
		k->acked = 0;
	}
}

/*
 * k of n (confirm.h): with a shared database and confirm above 1, this
 * node's machine decides its location's verdict only; the ticket opens
 * and resolves on the count of the locations' verdicts (W_VOTE).  With
 * confirm 1, or SQLite, the machine opens and resolves as it always did.
 */
static int
confirming(const struct incidents *in, const struct check_conf *c)
{
	return in->pg && c != NULL && c->confirm > 1;
}

/*
 * Write this location's verdict v on k (new, or again to count anew);
 * the writer counts.
 */
static void
vote_push(struct incidents *in, const struct check_conf *c, struct chk *k,
    enum confirm_vote v, int suppress, time_t at)
{
	struct wop	*w;

	if (v != k->vote) {
		log_info("check %s: location %s says %s", k->name,
		    in->location, confirm_vote_name(v));
		k->vote = v;
		k->vote_since = at;
	}
	w = wop_new(W_VOTE, 0, at);
	w->since = k->vote_since;
	w->check = k->id;
	wop_want(w, k, k->fsm.severity, 0, suppress);
	w->node = in->node;
	w->loc = xstrdup(in->location);
	w->vote = confirm_vote_name(v);
	w->confirm = c->confirm;
	w->fresh_after = time(NULL) - in->cfg->node_timeout;
	w->s1 = xstrdup(k->name);
	w->s2 = dup_or_null(c->site != NULL ? c->site->name : NULL);
	w->s3 = xstrdup(severity_name(k->fsm.severity));
	w->s4 = xstrdup(sw_cause_name(k->st.cause));
	xasprintf(&w->s5, "%s is %s: %s", k->name, sw_state_name(k->st.state),
	    chk_message(k));
	w->n = (long long)(k->fsm.first_failure_at != 0 ?
	    k->fsm.first_failure_at : at);
	k->vote_busy++;
	iwriter_push(in->writer, w);
}

/*
 * Every tick, count again the checks this location sees failing or
 * whose ticket it follows: a location whose node stopped beating stops
 * counting without anyone's verdict changing, and the count must notice
 * (open when the rest still reach confirm, resolve when they do not).
 * Not while a vote is unanswered (the database away): one at a time.
 */
static void
votes_again(struct incidents *in, time_t now)
{
	const struct check_conf	*c;
	struct chk		*k;
	size_t			 i;

	for (i = 0; i < in->nchk; i++) {
		if ((k = in->chk[i]) == NULL || k->vote == VOTE_NONE ||
		    k->vote_busy > 0)
			continue;
		if (k->vote != VOTE_DOWN && k->vote != VOTE_DEGRADED &&
		    k->st.ticket == 0)
			continue;
		c = registry_conf(in->reg, k->id);
		if (confirming(in, c))
			vote_push(in, c, k, k->vote, k->fsm.flapping, now);
	}
}

/*
 * The answer to a vote (on the loop): follow the check's ticket as the
 * count left it, and tell the people when this node's write opened or
 * resolved it.
 */
static void
voted(struct incidents *in, struct chk *k, struct wop *w)
{
	if (k->vote_busy > 0)
		k->vote_busy--;
	switch (w->vact) {
	case CONFIRM_OPEN:
		k->st.ticket = w->id;
		k->acked = strcmp(w->tb.status, "acknowledged") == 0;
		k->opened_at = w->tb.opened_at;
		k->last_reminder_at = w->tb.last_reminder_at;
		w->ev.opened_at = w->tb.opened_at;
		if (w->rc == 1) {
			log_info("check %s: ticket %lld opened (failing at "
			    "%s)", k->name, w->id, w->ev.locations);
			emit(in, INCIDENT_OPENED, k, w);
		} else
			log_info("check %s: ticket %lld is open already "
			    "(another node's): following it", k->name, w->id);
		break;
	case CONFIRM_RESOLVE:
		if (w->rc == 1) {
			log_info("check %s: ticket %lld resolved (fewer than "
			    "%d locations failing)", k->name, w->id,
			    w->confirm);
			emit(in, INCIDENT_RESOLVED, k, w);
		}
		k->st.ticket = 0;
		k->acked = 0;
		break;
	default:
		if (w->id != k->st.ticket) {
			k->st.ticket = w->id;
			k->acked = strcmp(w->tb.status, "acknowledged") == 0;
			k->opened_at = w->tb.opened_at;
			k->last_reminder_at = w->tb.last_reminder_at;
		}
		break;
	}
	if (!in->closing)
		chk_save(in, k);
}

void
incidents_feed(struct incidents *in, const struct check_conf *c,
    const struct result *r)
{
	struct fsm_params	 p;
	struct fsm_input	 fi;
	struct fsm_output	 o;
	struct chk		*k, *parent = NULL;
	enum sw_state		 old;
	enum confirm_vote	 v;
	time_t			 at = (time_t)r->at;
	long long		 tid;
	int			 first, voting;

	/*
	 * A run cut short by our own stop measured nothing: it is recorded
	 * (UNKNOWN in the RRD) but leaves the check's state, and the "since"
	 * a restart reads back, as they were.
	 */
	if (r->aborted)
		return;
	k = chk_get(in, c->id);
	k->st.seen = 1;
	old = k->st.state;
	first = k->st.since == 0;	/* never saved: a change too */
	if (r->state != k->st.state || k->st.since == 0)
		k->st.since = at;
	k->st.state = r->state;
	k->st.cause = r->cause;
	k->st.last_at = at;
	k->st.last_total_ms = r->total_ms;
	k->st.http_status = r->http_status;
	chk_set_message(k, r->message);

	memset(&p, 0, sizeof p);
	p.retries = c->retries;
	p.recover = c->recover;
	memset(&fi, 0, sizeof fi);
	fi.state = r->state;
	fi.at = at;
	fi.maint = c->nmaintenance > 0 && maint_active(c, at);
	if (c->depends != NULL && strcmp(c->depends, c->name) != 0 &&
	    (parent = chk_find(in, registry_find(in->reg, c->depends))) !=
	    NULL) {
		fi.parent_down = fsm_failing(&parent->fsm);
		fi.parent_ticket = has_ticket(parent);
	}
	fsm_step(&p, &k->fsm, &fi, &o);
	if ((voting = confirming(in, c)))
		o.actions &= ~(unsigned)(FSM_OPEN | FSM_RESOLVE);
	tid = k->st.ticket;
	apply(in, c, k, parent, &o, at);
	if (k->st.ticket != 0)
		tid = k->st.ticket;
	v = confirm_verdict(r->state, k->fsm.open,
	    k->fsm.severity == SEVERITY_CRITICAL);
	if (voting && v != k->vote)
		vote_push(in, c, k, v, o.suppress_mail, at);
	else
		voting = 0;

	if (old != k->st.state || o.actions & (FSM_OPEN | FSM_RESOLVE))
		log_info("check %s: %s -> %s (%s)%s%s, ticket %lld", k->name,
		    sw_state_name(old), sw_state_name(k->st.state),
		    sw_cause_name(k->st.cause),
		    (o.actions & FSM_OPEN) ? ", opening" :
		    (o.actions & FSM_RESOLVE) ? ", resolved" : "",
		    (o.actions & FSM_HELD) ? (fi.maint ? ", held: maintenance"
		    : ", held: depends") : "",
		    tid);
	else
		log_debug("check %s: %s (%s) %.0f ms", k->name,
		    sw_state_name(k->st.state), sw_cause_name(k->st.cause),
		    r->total_ms);
	/*
	 * A change of state or a ticket action is saved at once.  A result
	 * that only moves the counters (retries/recover progress, flap
	 * history) or the last result's time and figures (most of them) is
	 * not saved per result: the check goes on the dirty list, written
	 * out every CHK_REFRESH_S (so that `sitewatch status` beside a
	 * running daemon is at most that far behind) and at shutdown.
	 *
	 * What a crash costs: the counters' progress since the check's last
	 * save.  A check part-way through confirming a failure (retries) or
	 * a recovery (recover) starts that confirmation again from the last
	 * state change: at most one extra confirmation round before its
	 * ticket opens or resolves; its state, since and ticket are never
	 * lost, they are saved when they change.
	 */
	if (old != k->st.state || o.actions != 0 || first || voting) {
		chk_save(in, k);
		if (k->dirty)
			k->dirty = 2;	/* saved: skip it in the list */
	} else if (!k->dirty) {
		k->dirty = 1;
		k->dnext = in->dirty;
		in->dirty = k;
		in->ndirty++;
	} else
		k->dirty = 1;
}

/*
 * Save a tick's share of the list being written out, or (all, at
 * shutdown) all of it and of the dirty list.  A refresh of 100,000 checks
 * at once would hold 100,000 ops (most of a kilobyte each) until the
 * writer commits them, 87 MB: it is spread over the ticks instead, so
 * that about a tenth of CHK_REFRESH_S is left to spare, and the ops out
 * at any time are a tick's worth.  A check that changes again while it
 * waits in either list is saved once, with what it is then.
 */
static void
chk_flush_dirty(struct incidents *in, int all)
{
	struct chk	*k;
	struct wop	*first = NULL, *last = NULL, *w;
	size_t		 n = 0, ticks;

	if (all && in->flushing != NULL) {
		/* The rest of this round first, then what is dirty since. */
		for (k = in->flushing; k->dnext != NULL; k = k->dnext)
			;
		k->dnext = in->dirty;
		in->dirty = NULL;
		in->ndirty = 0;
	}
	if (in->flushing == NULL && (all ||
	    time(NULL) - in->refreshed >= CHK_REFRESH_S)) {
		in->refreshed = time(NULL);
		in->flushing = in->dirty;
		ticks = (size_t)(CHK_REFRESH_S * 900LL /
		    (in->tick_ms > 0 ? in->tick_ms : 1000));
		in->flush_batch = in->ndirty / (ticks > 0 ? ticks : 1) + 1;
		if (in->flush_batch < 1000)
			in->flush_batch = 1000;
		in->dirty = NULL;
		in->ndirty = 0;
	}
	/* One hand-over (one lock, one wake-up) for the whole tick. */
	while ((k = in->flushing) != NULL && (all || n < in->flush_batch)) {
		in->flushing = k->dnext;
		if (k->dirty == 1) {
			w = chk_state_wop(k);
			if (last != NULL)
				last->next = w;
			else
				first = w;
			last = w;
			n++;
		}
		k->dirty = 0;
		k->dnext = NULL;
		/*
		 * At the stop every check may be due: a chunk at a time,
		 * each written before the next is made, or 100,000 ops
		 * (~700 bytes each) would be the daemon's peak memory.
		 */
		if (all && first != NULL && n % CHK_STOP_CHUNK == 0) {
			iwriter_push_chain(in->writer, first, last);
			iwriter_wait(in->writer);
			first = last = NULL;
		}
	}
	if (first != NULL)
		iwriter_push_chain(in->writer, first, last);
}

/* ---- sync with staff actions, reminders ---- */

/* Send due reminders for open, unacknowledged tickets. */
static void
remind(struct incidents *in, time_t now)
{
	const struct check_conf	*c;
	struct chk	*k;
	time_t		 base;
	struct wop	*w;
	size_t		 i;
	int		 every;

	for (i = 0; i < in->nchk; i++) {
		if ((k = in->chk[i]) == NULL || k->st.ticket == 0 ||
		    k->acked)
			continue;
		/* A check gone from the config keeps its ticket, unreminded. */
		c = registry_conf(in->reg, k->id);
		if (c == NULL || (every = c->renotify) <= 0)
			continue;
		base = k->last_reminder_at != 0 ? k->last_reminder_at :
		    k->opened_at;
		if (now - base < every)
			continue;
		k->last_reminder_at = now;
		/*
		 * Sent by whichever node moves the reminder time (store.h);
		 * staff only, still due while flapping.
		 */
		w = ticket_wop(W_REMINDED, k, now);
		wop_want(w, k, k->fsm.severity, 0, 0);
		w->n = (long long)(now - every);
		iwriter_push(in->writer, w);
	}
}

/*
 * The writer answered a sync op (on the loop): apply staff changes, then
 * send the reminders due.
 */
static void
synced_apply(struct wop *w, void *arg)
{
	struct incidents	*in = arg;
	struct sync_item	*it;
	struct chk		*k;
	size_t			 i;

	for (i = 0; i < w->nitems; i++) {
		it = &w->items[i];
		k = chk_find(in, it->check);	/* its id, not its name */
		/* Resolved and maybe reopened meanwhile: stale. */
		if (k == NULL || k->st.ticket != it->id || !it->found)
			continue;
		if (it->last_reminder_at > k->last_reminder_at)
			k->last_reminder_at = it->last_reminder_at;
		if (strcmp(it->status, "resolved") == 0) {
			log_info("check %s: ticket %lld resolved by "
			    "staff or another node", k->name, k->st.ticket);
			k->st.ticket = 0;
			k->acked = 0;
			/*
			 * k of n: the machine holds this location's verdict,
			 * not the ticket; the verdict is written again at the
			 * next result, so that a check still failing at enough
			 * locations opens a new ticket.
			 */
			if (confirming(in, registry_conf(in->reg, k->id)))
				k->vote = VOTE_NONE;
			else
				fsm_ticket_gone(&k->fsm);
			chk_save(in, k);
		} else if (strcmp(it->status, "acknowledged") == 0 &&
		    !k->acked) {
			log_info("check %s: ticket %lld acknowledged",
			    k->name, k->st.ticket);
			k->acked = 1;
		}
	}
	in->sync_busy = 0;
	remind(in, time(NULL));
}

/*
 * The answer to this node's open: follow the ticket the database holds
 * (ours or another node's), and tell the people only if ours made it.
 */
static void
opened(struct incidents *in, struct chk *k, struct wop *w)
{
	long long	id = w->slot->id;

	if (k->pend == w->slot) {
		tslot_unref(k->pend);
		k->pend = NULL;
		if (id == 0) {
			log_warn("check %s: its ticket could not be written",
			    k->name);
			fsm_ticket_gone(&k->fsm);
		} else {
			k->st.ticket = id;
			k->acked = strcmp(w->tb.status, "acknowledged") == 0;
			k->opened_at = w->tb.opened_at;
			k->last_reminder_at = w->tb.last_reminder_at;
			k->fsm.severity = strcmp(w->tb.severity, "critical")
			    == 0 ? SEVERITY_CRITICAL : SEVERITY_WARNING;
		}
		if (!in->closing)
			chk_save(in, k);
	}
	if (id == 0)
		return;
	if (w->rc == 1) {
		log_info("check %s: ticket %lld opened", k->name, id);
		emit(in, INCIDENT_OPENED, k, w);
	} else
		log_info("check %s: ticket %lld is open already (another "
		    "node's): following it", k->name, id);
}

/* The writer answered (on the loop): a sync, or one of our writes. */
static void
answered(struct wop *w, void *arg)
{
	struct incidents	*in = arg;
	struct chk		*k;

	if (w->kind == W_SYNC) {
		synced_apply(w, arg);
		return;
	}
	if ((k = chk_find(in, w->check)) == NULL)
		return;
	switch (w->kind) {
	case W_INSERT:
		opened(in, k, w);
		break;
	case W_VOTE:
		voted(in, k, w);
		break;
	case W_ESCALATE:
		if (w->rc != 1)
			break;
		log_info("check %s: ticket %lld escalated to critical",
		    k->name, wop_ticket(w));
		emit(in, INCIDENT_ESCALATED, k, w);
		break;
	case W_RESOLVE:
		if (w->rc != 1) {
			log_info("check %s: ticket %lld was resolved "
			    "already", k->name, wop_ticket(w));
			break;
		}
		emit(in, INCIDENT_RESOLVED, k, w);
		break;
	case W_REMINDED:
		if (w->rc != 1) {
			log_debug("check %s: reminder for ticket %lld sent "
			    "by another node (or resolved)", k->name,
			    wop_ticket(w));
			break;
		}
		log_info("check %s: reminder for ticket %lld", k->name,
		    wop_ticket(w));
		emit(in, INCIDENT_REMINDER, k, w);
		break;
	default:
		break;
	}
}

/*
 * This node's heartbeat, three times per node_timeout (through the
 * writer, so a database away delays it like any write): `sitewatch
 * nodes` on any node tells the live daemons from the gone ones.
 */
static void
beat(struct incidents *in, time_t now)
{
	struct wop	*w;
	long		 every;

	every = in->cfg->node_timeout / 3;
	if (every < 1)
		every = 1;
	if (in->beat_at != 0 && now - in->beat_at < every)
		return;
	in->beat_at = now;
	w = wop_new(W_BEAT, (long long)in->started_at, now);
	w->s1 = xstrdup(in->node);
	w->loc = xstrdup(in->location);
	w->n = (long long)in->cfg->nchecks;
	iwriter_push(in->writer, w);
}

/* Timer: ask the writer for the status of every ticket we hold open. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct incidents	*in = arg;
	struct wop		*w;
	struct chk		*k;
	size_t			 i, cap = 0;

	(void)fd;
	(void)what;
	beat(in, time(NULL));
	if (in->pg)
		votes_again(in, time(NULL));
	chk_flush_dirty(in, 0);
	if (in->sync_busy)
		return;
	w = wop_new(W_SYNC, 0, time(NULL));
	for (i = 0; i < in->nchk; i++) {
		if ((k = in->chk[i]) == NULL || k->st.ticket == 0)
			continue;
		if (w->nitems == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			w->items = xreallocarray(w->items, cap,
			    sizeof *w->items);
		}
		memset(&w->items[w->nitems], 0, sizeof *w->items);
		w->items[w->nitems].id = k->st.ticket;
		w->items[w->nitems].check = (unsigned)i;
		w->nitems++;
	}
	if (w->nitems == 0) {
		wop_free(w);
		return;
	}
	in->sync_busy = 1;
	iwriter_push(in->writer, w);
}

/* ---- lifecycle ---- */

/*
 * The tick: staff actions are noticed within SYNC_MAX_MS, and a check
 * whose renotify is shorter than that (seconds are allowed) is reminded
 * on time, down to one second.
 */
static void
tick_arm(struct incidents *in, const struct config *cfg)
{
	struct timeval	 tv;
	long long	 ms = SYNC_MAX_MS;
	size_t		 i;

	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i]->renotify > 0 &&
		    cfg->checks[i]->renotify * 1000LL < ms)
			ms = cfg->checks[i]->renotify * 1000LL;
	/* The heartbeat: three per node_timeout. */
	if (cfg->node_timeout * 1000LL / 3 < ms)
		ms = cfg->node_timeout * 1000LL / 3;
	if (ms < 1000)
		ms = 1000;
	in->tick_ms = ms;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(in->ev_tick, &tv);
}

struct incidents *
incidents_open(const struct config *cfg, struct registry *reg,
    struct event_base *base, incident_event_cb cb, void *arg)
{
	struct incidents	*in;
	char			 err[512], *where;

	in = xcalloc(1, sizeof *in);
	in->cfg = cfg;
	/* Its name in the cluster: [daemon] node, else the host's. */
	if (cfg->node != NULL)
		snprintf(in->node, sizeof in->node, "%s", cfg->node);
	else if (gethostname(in->node, sizeof in->node) == -1)
		snprintf(in->node, sizeof in->node, "localhost");
	in->node[sizeof in->node - 1] = '\0';
	snprintf(in->location, sizeof in->location, "%s",
	    cfg->location != NULL && cfg->location[0] != '\0' ?
	    cfg->location : in->node);
	in->reg = reg;
	in->base = base;
	in->cb = cb;
	in->cb_arg = arg;
	where = store_where(cfg->database, cfg->state_dir);
	in->pg = store_is_uri(where);
	in->db = store_open(where, 0, err, sizeof err);
	free(where);
	if (in->db == NULL) {
		log_error("ticket db: %s", err);
		free(in);
		return NULL;
	}
	if (incidents_load(in) == -1) {
		log_error("ticket db: cannot load state: %s",
		    store_errmsg(in->db));
		incidents_close(in);
		return NULL;
	}
	in->refreshed = time(NULL);
	/* Failures are reported by the writer, once, not per statement. */
	store_set_quiet(in->db, 1);
	in->writer = iwriter_new(base, in->db, answered, in);
	in->ev_tick = event_new(base, -1, EV_PERSIST, on_tick, in);
	tick_arm(in, cfg);
	in->started_at = time(NULL);
	beat(in, in->started_at);
	return in;
}

void
incidents_reload(struct incidents *in, const struct config *cfg)
{
	in->cfg = cfg;
	/*
	 * Reminders follow the new renotify at once (remind reads it from
	 * the config); a check that left the config keeps its ticket (staff
	 * close it) but sends no more reminders.
	 */
	if (in->ev_tick != NULL)
		tick_arm(in, cfg);
}

void
incidents_told(struct incidents *in, long long ticket)
{
	if (in == NULL || ticket <= 0)
		return;
	if (in->stopped) {
		/*
		 * Stopping: the notifier sends its last groups; written by
		 * incidents_close, so that those go to the queue together.
		 */
		in->told = xreallocarray(in->told, in->ntold + 1,
		    sizeof *in->told);
		in->told[in->ntold++] = ticket;
		return;
	}
	if (in->writer != NULL)
		iwriter_push(in->writer, wop_new(W_NOTIFIED, ticket,
		    time(NULL)));
}

void
incidents_stop(struct incidents *in)
{
	if (in == NULL || in->stopped)
		return;
	if (in->writer != NULL) {
		chk_flush_dirty(in, 1);
		in->closing = 1;
		iwriter_close(in->writer);
		in->writer = NULL;
		event_free(in->ev_tick);
		in->ev_tick = NULL;
	}
	in->stopped = 1;
}

void
incidents_close(struct incidents *in)
{
	size_t		 i;

	if (in == NULL)
		return;
	incidents_stop(in);
	for (i = 0; i < in->ntold; i++)
		if (store_ticket_notified(in->db, in->told[i]) == -1)
			log_warn("ticket db: ticket %lld not marked told: %s",
			    in->told[i], store_errmsg(in->db));
	free(in->told);
	for (i = 0; i < in->nchk; i++) {
		if (in->chk[i] != NULL) {
			chk_free_message(in->chk[i]);
			tslot_unref(in->chk[i]->pend);
		}
		free(in->chk[i]);
	}
	free(in->chk);
	store_close(in->db);
	free(in);
}

const struct check_status *
incidents_status(const struct incidents *in, unsigned id)
{
	const struct chk	*k = chk_find(in, id);

	return k != NULL ? &k->st : NULL;
}

void
incidents_poke(struct incidents *in)
{
	if (in != NULL && in->ev_tick != NULL)
		/* Not EV_TIMEOUT, which would push the next regular tick a
		 * period further at each poke. */
		event_active(in->ev_tick, 0, 1);
}
