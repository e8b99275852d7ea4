/*
 * web_forms.h -- the HTML of the login page and of the staff's action
 * forms, written from plain data into a buffer (as web_render.h), so the
 * markup and its escaping are unit-tested without a server.
 *
 * Every form that changes something carries the session's CSRF token in
 * a hidden field named "csrf"; web_actions.c refuses a POST without it.
 * The forms are plain HTML: they work without JavaScript.
 */
#ifndef WEB_FORMS_H
#define WEB_FORMS_H

#include "util.h"

/*
 * The login form.  next: where to go after (a local path, escaped
 * here); name: the name typed last (NULL: none); msg: why the last try
 * failed (NULL: none).
 */
void	render_login(struct buf *, const char *next, const char *name,
	    const char *msg);
/* "Signed in as NAME (role)" and the logout button. */
void	render_userbar(struct buf *, const char *user, const char *role,
	    const char *csrf);
/*
 * A ticket's actions: acknowledge (while open), a note, resolve; each a
 * form POSTing to /ticket/ID/ACTION that comes back to back (a local
 * path) afterwards.
 */
void	render_ticket_actions(struct buf *, long long id, const char *status,
	    const char *csrf, const char *back);

#endif
