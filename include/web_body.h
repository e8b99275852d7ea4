/*
 * web_body.h -- the JSON body of a ticket action (POST
 * /api/v1/tickets/ID/{ack,note,update,resolve}), parsed and validated apart from
 * evhttp so the fuzzer can reach exactly the code the API runs.
 */
#ifndef WEB_BODY_H
#define WEB_BODY_H

#include <stddef.h>

#define WEB_BODY_MAX	8192	/* bytes of a POST body we accept */
#define WEB_BY_MAX	64	/* bytes of a staff name */

/*
 * Parse body (len bytes, not NUL-terminated) for action ("ack", "note",
 * "update", "resolve": note and update need a text).  Returns 0 and sets *by (non-empty) and *text (NULL when
 * absent or empty) to new strings the caller frees; or returns the HTTP
 * status to answer (400, 413) with a message in msg.
 */
int	web_body_parse(const char *action, const char *body, size_t len,
	    char **by, char **text, char *msg, size_t msglen);

#endif
