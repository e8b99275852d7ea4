/*
 * web_body.c -- parse and validate the JSON body of a ticket action.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "web_body.h"
#include "xmalloc.h"

/*
 * A name or note from the body: a string without control bytes (a note
 * may hold line breaks and tabs, a name may not).
 */
static const char *
web_body_string(json_t *body, const char *key, size_t max, int multiline,
    int *bad)
{
	json_t		*v = json_object_get(body, key);
	const char	*s;
	size_t		 i, len;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	/* strlen differs when the string holds a \u0000. */
	if (len > max || strlen(s) != len)
		*bad = 1;
	for (i = 0; i < len && !*bad; i++)
		if (((unsigned char)s[i] < 0x20 || s[i] == 0x7f) &&
		    !(multiline && (s[i] == '\n' || s[i] == '\t')))
			*bad = 1;
	return s;
}

int
web_body_parse(const char *action, const char *data, size_t len, char **by,
    char **text, char *msg, size_t msglen)
{
	json_t		*body;
	json_error_t	 jerr;
	const char	*b, *t;
	int		 bad = 0, rc = 400;

	*by = *text = NULL;
	if (len > WEB_BODY_MAX) {
		snprintf(msg, msglen, "the body is too large");
		return 413;
	}
	body = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL || !json_is_object(body)) {
		snprintf(msg, msglen, "the body must be a JSON object%s%s",
		    body == NULL ? ": " : "", body == NULL ? jerr.text : "");
		goto out;
	}
	b = web_body_string(body, "by", WEB_BY_MAX, 0, &bad);
	t = web_body_string(body, "text", WEB_BODY_MAX, 1, &bad);
	if (bad || b == NULL || b[0] == '\0') {
		snprintf(msg, msglen, "\"by\" must be a non-empty name of at "
		    "most %d bytes, \"text\" a string", WEB_BY_MAX);
		goto out;
	}
	if ((strcmp(action, "note") == 0 || strcmp(action, "update") == 0) &&
	    (t == NULL || t[0] == '\0')) {
		snprintf(msg, msglen, "a%s needs \"text\"",
		    strcmp(action, "note") == 0 ? " note" : "n update");
		goto out;
	}
	*by = xstrdup(b);
	*text = t != NULL && t[0] != '\0' ? xstrdup(t) : NULL;
	rc = 0;
out:
	json_decref(body);
	return rc;
}
