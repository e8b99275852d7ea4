/*
 * web_forms.c -- the login page and the staff's action forms as HTML
 * (see web_forms.h).  Every value is escaped: a user name, a path to
 * come back to and a token all pass through html_escape.
 */
#include <string.h>

#include "web_forms.h"
#include "web_render.h"

void
render_login(struct buf *b, const char *next, const char *name,
    const char *msg)
{
	buf_addstr(b, "<main class=\"login\"><h1>sitewatch</h1>\n"
	    "<form id=\"login\" class=\"login\" method=\"post\" "
	    "action=\"/login\">\n");
	if (msg != NULL) {
		buf_addstr(b, "<p id=\"login-error\" class=\"error\" "
		    "role=\"alert\">");
		html_escape(b, msg);
		buf_addstr(b, "</p>\n");
	}
	buf_addstr(b, "<p><label for=\"l-name\">Name</label>"
	    "<input id=\"l-name\" name=\"name\" autocomplete=\"username\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" required autofocus "
	    "maxlength=\"63\" value=\"");
	html_escape(b, name != NULL ? name : "");
	buf_addstr(b, "\"></p>\n<p><label for=\"l-password\">Password"
	    "</label><input id=\"l-password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"current-password\" required>"
	    "</p>\n<input type=\"hidden\" name=\"next\" value=\"");
	html_escape(b, next != NULL ? next : "/");
	buf_addstr(b, "\">\n<p><button type=\"submit\">Log in</button></p>"
	    "\n</form></main>\n");
}

/* The hidden field every changing form carries. */
static void
render_csrf(struct buf *b, const char *csrf)
{
	buf_addstr(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(b, csrf);
	buf_addstr(b, "\">");
}

void
render_userbar(struct buf *b, const char *user, const char *role,
    const char *csrf)
{
	buf_addstr(b, "<form id=\"userbar\" class=\"userbar\" method=\"post\" "
	    "action=\"/logout\"><span>Signed in as <b id=\"user\">");
	html_escape(b, user);
	buf_addstr(b, "</b> (");
	html_escape(b, role);
	buf_addstr(b, ")</span> ");
	render_csrf(b, csrf);
	buf_addstr(b, "<button type=\"submit\">Log out</button></form>\n");
}

/* One action's form: a button, and a text field for note and resolve. */
static void
render_action(struct buf *b, long long id, const char *action,
    const char *label, int text, const char *csrf, const char *back)
{
	buf_printf(b, "<form class=\"act act-%s\" method=\"post\" "
	    "action=\"/ticket/%lld/%s\">", action, id, action);
	render_csrf(b, csrf);
	buf_addstr(b, "<input type=\"hidden\" name=\"back\" value=\"");
	html_escape(b, back);
	buf_addstr(b, "\">");
	/* A note and a public update need their text; resolve does not. */
	if (text)
		buf_printf(b, "<input name=\"text\" maxlength=\"4096\" "
		    "placeholder=\"%s\" aria-label=\"%s\"%s>",
		    strcmp(action, "note") == 0 ? "note" :
		    strcmp(action, "update") == 0 ? "public update (the client "
		    "reads it)" : "note (optional)",
		    strcmp(action, "note") == 0 ? "Note" :
		    strcmp(action, "update") == 0 ? "Public update" :
		    "Resolution note",
		    strcmp(action, "resolve") != 0 ? " required" : "");
	buf_printf(b, "<button type=\"submit\" name=\"do\" value=\"%s\">%s"
	    "</button></form>", action, label);
}

void
render_ticket_actions(struct buf *b, long long id, const char *status,
    const char *csrf, const char *back)
{
	buf_printf(b, "<div class=\"actions\" data-ticket=\"%lld\">", id);
	if (status != NULL && strcmp(status, "open") == 0)
		render_action(b, id, "ack", "Acknowledge", 0, csrf, back);
	render_action(b, id, "note", "Add note", 1, csrf, back);
	if (status == NULL || strcmp(status, "resolved") != 0) {
		render_action(b, id, "update", "Post update", 1, csrf, back);
		render_action(b, id, "resolve", "Resolve", 1, csrf, back);
	}
	buf_addstr(b, "</div>");
}
