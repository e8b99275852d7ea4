/*
 * template.h -- the mail templates: templates/mail/<lang>/<event>.txt.
 *
 * A template is plain text whose first line is "Subject: ...".  It may
 * name variables, {{site}}, and two sections:
 *   {{#checks}} ... {{/checks}}	repeated once per check of the mail
 *   {{#staff}} ... {{/staff}}		kept only in the mail to staff
 *   {{^staff}} ... {{/staff}}		kept only in client mails
 *   {{#downtime}} ... {{/downtime}}	kept when the variable is not empty
 *					(any variable; {{^x}} when it is)
 * Outside {{#checks}} a variable has the mail-wide value (for a grouped
 * mail: the first check's, with "(+N)" after the check and site names).
 * Everything is checked when the template is loaded, so a broken one is
 * reported at start-up ("FILE:LINE: unknown variable {{foo}}"), never
 * while an alert is going out.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#include "util.h"

enum tmpl_var {
	TV_SITE,
	TV_CHECK,
	TV_URL,
	TV_STATE,
	TV_CAUSE,
	TV_CAUSE_TEXT,
	TV_SINCE,
	TV_DOWNTIME,
	TV_TICKET,
	TV_LINK,
	TV_DETAIL,
	TV_COUNT,
	/* The monthly report (report_mail.c). */
	TV_PERIOD,
	TV_UPTIME,
	TV_UNKNOWN,
	TV_INCIDENTS,
	TV_INCIDENT_LIST,
	TV_MEAN,
	TV_P95,
	TV_EVENT,	/* DOWN, DEGRADED, UP, REMINDER, TEST */
	TV_TEXT,		/* a public update, quoted */
	TV_BY,			/* who wrote it */
	TV_AT,			/* when (the site's zone, named) */
	TV_ACKED_BY,		/* who took the ticket; empty: nobody yet */
	TV_ORGANIZATION,	/* [smtp] organization: signs client mails */
	TV_CONTACT,		/* [smtp] contact */
	TV_UNSUBSCRIBE,		/* a subscriber's unsubscribe link */
	TV_NVARS
};

/* The values of one check (or of the whole mail); NULL renders empty. */
struct tmpl_item {
	const char	*v[TV_NVARS];
};

struct tmpl_data {
	struct tmpl_item	 top;
	const struct tmpl_item	*items;
	size_t			 nitems;
	int			 staff;	/* keep {{#staff}} sections */
};

struct tmpl;

/*
 * Parse text (the contents of file) into a template.  Errors go to errs
 * as "FILE:LINE: message"; returns NULL when there was one.
 */
struct tmpl	*tmpl_parse(const char *file, const char *text,
		    struct errlist *errs);
/* Read and parse a file; a missing file is an error too. */
struct tmpl	*tmpl_load(const char *path, struct errlist *errs);
void		 tmpl_free(struct tmpl *);

/*
 * Render into an allocated subject and a body (LF line ends).  Values
 * are used as given: the caller cleans what came from outside.
 */
void		 tmpl_render(const struct tmpl *, const struct tmpl_data *,
		    char **subject, struct buf *body);

/* The name of a variable ("cause_text"). */
const char	*tmpl_var_name(enum tmpl_var);

/*
 * A language's words: templates/mail/<lang>/words.txt holds "key = text"
 * lines for every cause (cause.dns ...), state (state.down ...) and
 * duration unit (unit.day, unit.hour, unit.min, unit.sec).  Missing and
 * unknown keys are errors.
 */
struct words;
/*
 * The reader under words_load(), for any set of keys: for each
 * "key = text" line, slot(arg, key) says where the text goes (NULL: an
 * unknown key).  Returns the number of errors added to errs, -1 when
 * the file cannot be read.  The caller checks that nothing is missing.
 */
int		 words_read(const char *path,
		    char **(*slot)(void *, const char *), void *arg,
		    struct errlist *errs);
struct words	*words_load(const char *path, struct errlist *errs);
void		 words_free(struct words *);
const char	*words_cause(const struct words *, int cause);
const char	*words_state(const struct words *, int state);
/* "1 h 5 min" / "1 sa 5 dk": the two largest non-zero units. */
char		*words_duration(const struct words *, long long seconds);

#endif
