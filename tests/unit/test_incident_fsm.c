/*
 * test_incident_fsm.c -- the incident state machine, as a transition table.
 *
 * Each row feeds a string of results, one letter each, 10 s apart:
 *   U up   D down   G degraded   ? unknown
 *   M down inside maintenance    m up inside maintenance
 *   P down while the parent (depends) is failing with a ticket open
 *   p down while the parent is failing, its ticket not open yet
 * and expects one token of actions per result:
 *   .  nothing   O open critical   W open warning   E escalate
 *   R resolve    d dependent failure noted   F flap start   f flap stop
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "incident_fsm.h"

struct row {
	const char	*name;
	int		 retries;
	int		 recover;
	const char	*input;
	const char	*expect;	/* tokens separated by spaces */
	long long	 downtime;	/* of the last resolve, -1 = none */
};

static const struct row rows[] = {
	{ "one blip raises nothing", 2, 2, "DU", ". .", -1 },
	{ "down twice opens critical", 2, 2, "DD", ". O", -1 },
	{ "retries 1 opens at once", 1, 1, "D", "O", -1 },
	{ "degraded held opens warning", 3, 2, "GGG", ". . W", -1 },
	{ "degraded blip does not open", 3, 2, "GGU", ". . .", -1 },
	{ "a down in the streak makes it critical", 2, 2, "GD", ". O", -1 },
	{ "warning escalates after retries downs", 2, 2, "GGDD",
	    ". W . E", -1 },
	{ "one down blip does not escalate", 2, 2, "GGDG", ". W . .", -1 },
	{ "escalation needs retries downs", 3, 1, "GGGDDD",
	    ". . W . . E", -1 },
	{ "critical stays critical when degraded", 2, 2, "DDGG",
	    ". O . .", -1 },
	{ "recover after recover ups", 2, 2, "DDUU", ". O . R", 20 },
	{ "degraded does not count as good", 2, 2, "DDUGUU",
	    ". O . . . R", 40 },
	{ "interrupted recovery starts over", 2, 2, "DDUDUU",
	    ". O . . . R", 40 },
	{ "unknown does not reset the fail streak", 2, 2, "D?D",
	    ". . O", -1 },
	{ "unknown neither opens nor resolves", 2, 2, "DD????",
	    ". O . . . .", -1 },
	{ "unknown does not break the ok streak", 2, 2, "DD?U?U",
	    ". O . . . R", 30 },
	{ "only unknown: nothing", 1, 1, "????", ". . . .", -1 },
	{ "maintenance opens nothing", 2, 2, "MMMM", ". . . .", -1 },
	{ "after maintenance it must fail again", 2, 2, "MMDD",
	    ". . . O", -1 },
	{ "open ticket resolves in maintenance", 2, 2, "DDmm",
	    ". O . R", 20 },
	{ "parent down holds the child, noted once", 2, 2, "PPPP",
	    "d . . .", -1 },
	{ "child fails on its own after the parent", 2, 2, "PPDD",
	    "d . . O", -1 },
	{ "note again after a good result", 2, 2, "PUP", "d . d", -1 },
	{ "note once the parent's ticket exists", 2, 2, "ppPPp",
	    ". . d . .", -1 },
	{ "resolved ticket reopens as a new one", 2, 1, "DDUDD",
	    ". O R . O", 20 },
	{ "flapping holds the ticket open", 1, 1, "DUDUDUDUDUDUDU",
	    "O R O R O R O R O F . . . .", 10 },
};

/* Turn a token into action flags. */
static unsigned
token_actions(const char *tok, size_t len, enum incident_severity *sev)
{
	unsigned	a = 0;
	size_t		i;

	for (i = 0; i < len; i++) {
		switch (tok[i]) {
		case 'O':
			a |= FSM_OPEN;
			*sev = SEVERITY_CRITICAL;
			break;
		case 'W':
			a |= FSM_OPEN;
			*sev = SEVERITY_WARNING;
			break;
		case 'E':
			a |= FSM_ESCALATE;
			break;
		case 'R':
			a |= FSM_RESOLVE;
			break;
		case 'd':
			a |= FSM_DEPENDENT;
			break;
		case 'F':
			a |= FSM_FLAP_START;
			break;
		case 'f':
			a |= FSM_FLAP_STOP;
			break;
		}
	}
	return a;
}

/* Fill the input for one letter. */
static void
letter_input(char c, time_t at, struct fsm_input *in)
{
	memset(in, 0, sizeof *in);
	in->at = at;
	switch (c) {
	case 'U':
		in->state = SW_STATE_UP;
		break;
	case 'D':
		in->state = SW_STATE_DOWN;
		break;
	case 'G':
		in->state = SW_STATE_DEGRADED;
		break;
	case 'M':
		in->state = SW_STATE_DOWN;
		in->maint = 1;
		break;
	case 'm':
		in->state = SW_STATE_UP;
		in->maint = 1;
		break;
	case 'P':
		in->state = SW_STATE_DOWN;
		in->parent_down = 1;
		in->parent_ticket = 1;
		break;
	case 'p':
		in->state = SW_STATE_DOWN;
		in->parent_down = 1;
		break;
	default:
		in->state = SW_STATE_UNKNOWN;
		break;
	}
}

static void
test_table(void **state)
{
	const unsigned	 mask = ~(unsigned)FSM_HELD;
	size_t		 r, i, len;
	const char	*p, *tok;

	(void)state;
	for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		const struct row	*row = &rows[r];
		struct fsm_params	 prm = { row->retries, row->recover,
					    0, 0 };
		struct fsm_state	 st;
		struct fsm_input	 in;
		struct fsm_output	 out;
		long long		 downtime = -1;

		fsm_init(&st);
		p = row->expect;
		for (i = 0; row->input[i] != '\0'; i++) {
			enum incident_severity	 want_sev = SEVERITY_WARNING;
			unsigned		 want;

			while (*p == ' ')
				p++;
			tok = p;
			len = strcspn(p, " ");
			p += len;
			want = token_actions(tok, len, &want_sev);
			letter_input(row->input[i], 100 + 10 * (time_t)i, &in);
			fsm_step(&prm, &st, &in, &out);
			if ((out.actions & mask) != want) {
				print_error("row \"%s\", result %zu (%c): "
				    "actions 0x%x, expected 0x%x\n",
				    row->name, i, row->input[i],
				    out.actions & mask, want);
				fail();
			}
			if ((want & FSM_OPEN) && out.severity != want_sev) {
				print_error("row \"%s\", result %zu: "
				    "wrong severity\n", row->name, i);
				fail();
			}
			if (out.actions & FSM_RESOLVE)
				downtime = out.downtime_s;
		}
		if (downtime != row->downtime) {
			print_error("row \"%s\": downtime %lld, expected "
			    "%lld\n", row->name, downtime, row->downtime);
			fail();
		}
	}
}

/* Feed one letter to st. */
static void
feed(struct fsm_params *prm, struct fsm_state *st, char c, time_t at,
    struct fsm_output *out)
{
	struct fsm_input	in;

	letter_input(c, at, &in);
	fsm_step(prm, st, &in, out);
}

/* A flapping check resolves once it settles, exactly once. */
static void
test_flap_settles(void **state)
{
	struct fsm_params	prm = { 1, 1, 0, 0 };
	struct fsm_state	st;
	struct fsm_output	out;
	int			i, resolves = 0, opens = 0, stop_at = -1;

	(void)state;
	fsm_init(&st);
	for (i = 0; i < 14; i++)
		feed(&prm, &st, i % 2 == 0 ? 'D' : 'U', 100 + i, &out);
	assert_true(st.flapping);
	assert_true(st.open);
	assert_true(out.suppress_mail);
	for (i = 0; i < 30; i++) {
		feed(&prm, &st, 'U', 200 + i, &out);
		if (out.actions & FSM_RESOLVE) {
			resolves++;
			/* Settling and resolving happen in the same step. */
			assert_true(out.actions & FSM_FLAP_STOP);
			stop_at = i;
		}
		if (out.actions & FSM_OPEN)
			opens++;
	}
	assert_int_equal(resolves, 1);
	assert_int_equal(opens, 0);
	assert_true(stop_at > 0 && stop_at < 21);
	assert_false(st.flapping);
	assert_false(st.open);
}

/* A ticket resolved by hand while the site is still down. */
static void
test_hand_resolve_reopens(void **state)
{
	struct fsm_params	prm = { 2, 2, 0, 0 };
	struct fsm_state	st;
	struct fsm_output	out;

	(void)state;
	fsm_init(&st);
	feed(&prm, &st, 'D', 100, &out);
	feed(&prm, &st, 'D', 110, &out);
	assert_int_equal(out.actions & FSM_OPEN, FSM_OPEN);
	fsm_ticket_gone(&st);
	assert_false(st.open);
	/* Still confirmed down: the next failure opens a new ticket. */
	feed(&prm, &st, 'D', 120, &out);
	assert_int_equal(out.actions & FSM_OPEN, FSM_OPEN);
	assert_int_equal(out.first_failure_at, 120);
	assert_int_equal(out.severity, SEVERITY_CRITICAL);
	feed(&prm, &st, 'U', 130, &out);
	feed(&prm, &st, 'U', 140, &out);
	assert_int_equal(out.actions & FSM_RESOLVE, FSM_RESOLVE);
	assert_int_equal(out.downtime_s, 10);
}

/* Maintenance, depends and flapping mark their events suppress_mail. */
static void
test_suppress(void **state)
{
	struct fsm_params	prm = { 1, 1, 0, 0 };
	struct fsm_state	st;
	struct fsm_output	out;

	(void)state;
	fsm_init(&st);
	feed(&prm, &st, 'D', 100, &out);
	assert_int_equal(out.actions & FSM_OPEN, FSM_OPEN);
	assert_false(out.suppress_mail);
	feed(&prm, &st, 'm', 110, &out);
	assert_int_equal(out.actions & FSM_RESOLVE, FSM_RESOLVE);
	assert_true(out.suppress_mail);
	feed(&prm, &st, 'M', 120, &out);
	assert_true(out.actions & FSM_HELD);
	assert_false(out.actions & FSM_OPEN);
	feed(&prm, &st, 'P', 130, &out);
	assert_true(out.actions & FSM_HELD);
	assert_true(out.actions & FSM_DEPENDENT);
}

/* The flap share: none for steady checks, little for few results. */
static void
test_flap_percent(void **state)
{
	struct fsm_params	prm = { 5, 5, 0, 0 };
	struct fsm_state	st;
	struct fsm_output	out;
	int			i;

	(void)state;
	fsm_init(&st);
	assert_true(fsm_flap_percent(&st) == 0.0);
	for (i = 0; i < 30; i++)
		feed(&prm, &st, 'U', 100 + i, &out);
	assert_true(fsm_flap_percent(&st) == 0.0);
	assert_int_equal(st.nhistory, FSM_FLAP_WINDOW);
	fsm_init(&st);
	feed(&prm, &st, 'D', 100, &out);
	feed(&prm, &st, 'U', 101, &out);
	feed(&prm, &st, 'D', 102, &out);
	/* Three results cannot look like flapping. */
	assert_true(fsm_flap_percent(&st) < FSM_FLAP_LOW);
	assert_false(st.flapping);
	/* Unknown results do not enter the history. */
	i = st.nhistory;
	feed(&prm, &st, '?', 103, &out);
	assert_int_equal(st.nhistory, i);
	assert_int_equal(st.last, SW_STATE_DOWN);
	/* All changes in a full window: 100 %. */
	fsm_init(&st);
	for (i = 0; i < FSM_FLAP_WINDOW; i++)
		feed(&prm, &st, i % 2 ? 'U' : 'G', 100 + i, &out);
	assert_true(fsm_flap_percent(&st) > 99.9);
}

/* fsm_failing: what dependents see. */
static void
test_failing(void **state)
{
	struct fsm_params	prm = { 3, 1, 0, 0 };
	struct fsm_state	st;
	struct fsm_output	out;

	(void)state;
	fsm_init(&st);
	assert_false(fsm_failing(&st));
	feed(&prm, &st, 'D', 100, &out);
	assert_true(fsm_failing(&st));	/* failing, not yet confirmed */
	feed(&prm, &st, 'U', 110, &out);
	assert_false(fsm_failing(&st));
	feed(&prm, &st, 'M', 120, &out);
	assert_true(fsm_failing(&st));	/* down in maintenance still counts */
}

/*
 * The streaks stop at FSM_STREAK_MAX instead of wrapping: a check up for
 * 70,000 results, then down for 70,000, still opens, escalates nothing
 * twice, and resolves with the whole downtime (times past 2038 too).
 */
static void
test_long_streaks(void **state)
{
	struct fsm_params	prm = { 2, 2, 0, 0 };
	struct fsm_state	st;
	struct fsm_output	out;
	time_t			t = 4102444800LL;	/* 2100-01-01 */
	long			i;
	int			opened = 0;

	(void)state;
	fsm_init(&st);
	for (i = 0; i < 70000; i++)
		feed(&prm, &st, 'U', t++, &out);
	assert_int_equal(st.ok_streak, FSM_STREAK_MAX);
	assert_int_equal(st.recovery_at, (uint32_t)(t - 70000));
	for (i = 0; i < 70000; i++) {
		feed(&prm, &st, 'D', t++, &out);
		opened += (out.actions & FSM_OPEN) != 0;
		assert_false(out.actions & FSM_RESOLVE);
	}
	assert_int_equal(opened, 1);
	assert_int_equal(st.down_streak, FSM_STREAK_MAX);
	assert_true(st.open);
	feed(&prm, &st, 'U', t++, &out);
	feed(&prm, &st, 'U', t++, &out);
	assert_true(out.actions & FSM_RESOLVE);
	assert_int_equal(out.downtime_s, 70000);
	assert_int_equal(fsm_streak(-3), 0);
	assert_int_equal(fsm_streak(70000), FSM_STREAK_MAX);
	assert_int_equal(fsm_streak(12), 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_flap_settles),
		cmocka_unit_test(test_hand_resolve_reopens),
		cmocka_unit_test(test_suppress),
		cmocka_unit_test(test_flap_percent),
		cmocka_unit_test(test_failing),
		cmocka_unit_test(test_long_streaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
