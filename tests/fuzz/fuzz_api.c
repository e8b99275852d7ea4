/*
 * fuzz_api.c -- staff actions on a ticket (ack, note, resolve) from the
 * two places their arguments come from: a JSON body {"by": ..., "text":
 * ...} as the web API will receive it, and raw bytes as the CLI's --by
 * and note arguments.  The web module's own body parsing is not merged
 * yet; this harness parses the body with jansson the way a handler would
 * and feeds the store's argument checks and SQL the same values.
 *
 * An input starting with '{' is a JSON body (its "action" is "ack",
 * "resolve" or anything else for a note); otherwise the first byte picks
 * the action and the rest is "by", a NUL, then the text.  Each input gets
 * a fresh in-memory db holding one open ticket.
 * Invariants: no argument makes SQLite fail; a refusal has a printable
 * message; the ticket always reads back as JSON that survives a dump and
 * reload; an accepted action shows in the timeline with who did it, as a
 * string (never null), byte for byte when it was UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "log.h"
#include "store.h"
#include "ticket_json.h"
#include "web_body.h"

#define FZ_AT	1796000000

FUZZ_INIT_LOG("fuzz_api")

/* A fresh db with ticket 1 open. */
static struct store *
fz_db(void)
{
	struct store_new_ticket	 nt;
	struct store	*db;
	char			 err[256];

	if ((db = store_open(":memory:", 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		abort();
	}
	memset(&nt, 0, sizeof nt);
	nt.id = 1;
	nt.check = "shop-home";
	nt.site = "Shop Ltd";
	nt.severity = "critical";
	nt.cause = "http";
	nt.summary = "HTTP 500";
	nt.opened_at = FZ_AT - 600;
	nt.first_failure_at = FZ_AT - 660;
	FUZZ_ASSERT(store_ticket_insert(db, &nt) == 0);
	return db;
}

/* Nonzero when jansson takes s as a string (valid UTF-8). */
static int
fz_is_utf8(const char *s)
{
	json_t	*j;

	if ((j = json_string(s)) == NULL)
		return 0;
	json_decref(j);
	return 1;
}

/* Check the ticket as JSON after an action that returned rc. */
static void
fz_readback(struct store *db, int rc, const char *by, const char *text)
{
	struct ticket	 t;
	json_t		*obj, *back, *events, *last, *jby, *jtext;
	char		*dump;
	json_error_t	 jerr;
	size_t		 n;

	FUZZ_ASSERT(store_ticket_get(db, 1, &t) == STORE_OK);
	obj = ticket_json(&t);
	ticket_free(&t);
	FUZZ_ASSERT(obj != NULL && json_is_object(obj));
	dump = json_dumps(obj, JSON_COMPACT);
	FUZZ_ASSERT(dump != NULL);
	back = json_loads(dump, 0, &jerr);
	FUZZ_ASSERT(back != NULL && json_equal(obj, back));
	events = json_object_get(obj, "events");
	FUZZ_ASSERT(json_is_array(events));
	n = json_array_size(events);
	if (rc == STORE_OK) {
		FUZZ_ASSERT(n == 2);
		last = json_array_get(events, n - 1);
		jby = json_object_get(last, "by");
		jtext = json_object_get(last, "text");
		if (!json_is_string(jby))
			fprintf(stderr, "event \"by\" is not a string: %s\n",
			    dump);
		FUZZ_ASSERT(json_is_string(jby));
		/* Valid UTF-8 comes back exactly. */
		if (fz_is_utf8(by))
			FUZZ_ASSERT(strcmp(json_string_value(jby), by) == 0);
		if (text != NULL) {
			FUZZ_ASSERT(json_is_string(jtext));
			if (fz_is_utf8(text))
				FUZZ_ASSERT(strcmp(json_string_value(jtext),
				    text) == 0);
		}
	} else
		FUZZ_ASSERT(n == 1);
	json_decref(back);
	free(dump);
	json_decref(obj);
}

/* Run one action and check what it did. */
static void
fz_action(int act, const char *by, const char *text)
{
	struct store	*db;
	char			 err[512];
	int			 rc;

	db = fz_db();
	err[0] = '\0';
	rc = store_ticket_action(db, act == 0 ? STORE_ACK : act == 1 ?
	    STORE_NOTE : STORE_RESOLVE, 1, by, text, FZ_AT, err, sizeof err);
	if (rc == STORE_ERROR)
		fprintf(stderr, "SQLite failed: %s\n", err);
	FUZZ_ASSERT(rc == STORE_OK || rc == STORE_INVALID);
	if (rc != STORE_OK) {
		FUZZ_ASSERT(err[0] != '\0' && !fuzz_has_ctl(err));
	}
	fz_readback(db, rc, by, text);
	store_close(db);
}

/*
 * The web's way in: a JSON body, through the API's own parser
 * (web_body_parse); the action rides in the body for the fuzzer only.
 */
static void
fz_json(const uint8_t *data, size_t size)
{
	static const char	*actions[] = { "ack", "note", "resolve" };
	json_t			*root;
	const char		*action;
	char			*by, *text, msg[256];
	int			 act = 1, status;

	root = json_loadb((const char *)data, size, 0, NULL);
	if (root != NULL && json_is_object(root) && (action =
	    json_string_value(json_object_get(root, "action"))) != NULL)
		act = strcmp(action, "ack") == 0 ? 0 :
		    strcmp(action, "resolve") == 0 ? 2 : 1;
	json_decref(root);
	status = web_body_parse(actions[act], (const char *)data, size, &by,
	    &text, msg, sizeof msg);
	if (status != 0) {
		/* A refusal is a client error with a printable reason. */
		FUZZ_ASSERT(status == 400 || status == 413);
		FUZZ_ASSERT(msg[0] != '\0');
		return;
	}
	FUZZ_ASSERT(by != NULL && by[0] != '\0' &&
	    strlen(by) <= WEB_BY_MAX && !fuzz_has_ctl(by));
	fz_action(act, by, text);
	free(by);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *text;
	size_t	 len;

	if (size == 0 || size > 8192)
		return 0;
	if (data[0] == '{') {
		fz_json(data, size);
		return 0;
	}
	/* The CLI's way in: arguments as raw bytes. */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	len = strlen(s);
	text = len + 1 < size ? s + len + 1 : NULL;
	fz_action(data[0] % 3, s, text);
	free(s);
	return 0;
}
