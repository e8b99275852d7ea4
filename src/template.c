/*
 * template.c -- a small renderer for the mail templates, and the words
 * (causes, states, units) of each language.
 *
 * A template is compiled once into a flat list of nodes: text, variable,
 * section open and section close (the open knows where its close is, so
 * rendering skips or repeats a range without searching).  A section tag
 * alone on its line takes the line with it, so templates can put
 * {{#checks}} on a line of its own without leaving blank lines behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sitewatch.h"
#include "template.h"
#include "xmalloc.h"

enum node_kind { N_TEXT, N_VAR, N_OPEN, N_CLOSE };
/* Sections past SEC_VAR are conditionals on variable (sec - SEC_VAR). */
enum section { SEC_CHECKS, SEC_STAFF, SEC_VAR };

struct node {
	enum node_kind	 kind;
	const char	*text;		/* N_TEXT: inside tmpl->src */
	size_t		 len;
	int		 var;		/* N_VAR */
	enum section	 sec;		/* N_OPEN, N_CLOSE */
	int		 inverted;	/* N_OPEN: {{^x}} */
	size_t		 close;		/* N_OPEN: its N_CLOSE */
};

struct nodes {
	struct node	*v;
	size_t		 n;
	size_t		 cap;
};

struct tmpl {
	char		*src;
	struct nodes	 subject;
	struct nodes	 body;
};

static const char *var_names[TV_NVARS] = {
	[TV_SITE] = "site",
	[TV_CHECK] = "check",
	[TV_URL] = "url",
	[TV_STATE] = "state",
	[TV_CAUSE] = "cause",
	[TV_CAUSE_TEXT] = "cause_text",
	[TV_SINCE] = "since",
	[TV_DOWNTIME] = "downtime",
	[TV_TICKET] = "ticket",
	[TV_LINK] = "link",
	[TV_DETAIL] = "detail",
	[TV_COUNT] = "count",
	[TV_PERIOD] = "period",
	[TV_UPTIME] = "uptime",
	[TV_UNKNOWN] = "unknown",
	[TV_INCIDENTS] = "incidents",
	[TV_INCIDENT_LIST] = "incident_list",
	[TV_MEAN] = "mean",
	[TV_P95] = "p95",
	[TV_EVENT] = "event",
	[TV_TEXT] = "text",
	[TV_BY] = "by",
	[TV_AT] = "at",
	[TV_ACKED_BY] = "acked_by",
	[TV_ORGANIZATION] = "organization",
	[TV_CONTACT] = "contact",
	[TV_UNSUBSCRIBE] = "unsubscribe",
};

static const char *section_names[] = {
	[SEC_CHECKS] = "checks",
	[SEC_STAFF] = "staff",
};

#define NSECTIONS	(sizeof section_names / sizeof section_names[0])
#define MAX_DEPTH	8

const char *
tmpl_var_name(enum tmpl_var v)
{
	if ((unsigned)v >= TV_NVARS)
		return "invalid";
	return var_names[v];
}

/* The name of a section: checks, staff, or the variable it tests. */
static const char *
sec_name(int sec)
{
	return sec >= SEC_VAR ? var_names[sec - SEC_VAR] : section_names[sec];
}

/* Append a node and return it. */
static struct node *
nodes_add(struct nodes *ns, enum node_kind kind)
{
	struct node	*nd;

	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 16;
		ns->v = xreallocarray(ns->v, ns->cap, sizeof *ns->v);
	}
	nd = &ns->v[ns->n++];
	memset(nd, 0, sizeof *nd);
	nd->kind = kind;
	return nd;
}

static void
nodes_text(struct nodes *ns, const char *p, size_t len)
{
	struct node	*nd;

	if (len == 0)
		return;
	nd = nodes_add(ns, N_TEXT);
	nd->text = p;
	nd->len = len;
}

/*
 * A tag as it may appear in a message: escaped, so that a control byte
 * in a template cannot break the "FILE:LINE: message" line.
 */
static const char *
tag_show(const char *p, size_t len, char *buf, size_t buflen)
{
	char	tmp[64];

	if (len >= sizeof tmp)
		len = sizeof tmp - 1;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return log_escape(buf, buflen, tmp);
}

static int
lookup(const char *const *names, size_t n, const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && strncmp(names[i], p, len) == 0)
			return (int)i;
	return -1;
}

/* What tmpl_compile carries from tag to tag: the open sections. */
struct tcomp {
	struct nodes	*ns;
	const char	*file;
	struct errlist	*errs;
	size_t		 nerr;
	size_t		 depth;
	int		 nchecks;
	struct {
		enum section	sec;
		size_t		node;
		int		line;
	} stack[MAX_DEPTH];
};

/* The section a {{#name}}, {{^name}} or {{/name}} names, or -1. */
static int
section_lookup(const char *name, size_t len)
{
	int	v;

	v = lookup(section_names, NSECTIONS, name + 1, len - 1);
	if (v == -1 && (v = lookup(var_names, TV_NVARS, name + 1,
	    len - 1)) != -1)
		v += SEC_VAR;
	return v;
}

/*
 * Whether the tag [open, close + 2) stands alone on its line (only
 * blanks around it): then the whole line goes with the tag.
 */
static int
tag_standalone(const char *pos, const char *line_start, const char *open,
    const char *close, const char *end)
{
	const char	*q;

	if (line_start < pos)
		return 0;
	for (q = line_start; q < open; q++)
		if (*q != ' ' && *q != '\t')
			return 0;
	for (q = close + 2; q < end && *q != '\n'; q++)
		if (*q != ' ' && *q != '\t')
			return 0;
	return 1;
}

/* {{#v}} or {{^v}} of tagline: open a section. */
static void
tcomp_open(struct tcomp *tc, int v, const char *name, size_t len,
    int tagline)
{
	struct node	*nd;
	char		 shown[64 * 4];

	if (tc->depth == MAX_DEPTH || (v == SEC_CHECKS &&
	    (tc->nchecks > 0 || *name == '^'))) {
		errlist_add(tc->errs, tc->file, tagline,
		    "{{%s}} cannot stand here",
		    tag_show(name, len, shown, sizeof shown));
		tc->nerr++;
		return;
	}
	if (v == SEC_CHECKS)
		tc->nchecks++;
	tc->stack[tc->depth].sec = v;
	tc->stack[tc->depth].line = tagline;
	tc->stack[tc->depth].node = tc->ns->n;
	tc->depth++;
	nd = nodes_add(tc->ns, N_OPEN);
	nd->sec = v;
	nd->inverted = *name == '^';
}

/* {{/v}} of tagline: close the innermost section, which must be v. */
static void
tcomp_close(struct tcomp *tc, int v, int tagline)
{
	struct node	*nd;
	size_t		 d = tc->depth;

	if (d == 0 || tc->stack[d - 1].sec != (enum section)v) {
		if (d == 0)
			errlist_add(tc->errs, tc->file, tagline,
			    "{{/%s}} closes no section", sec_name(v));
		else
			errlist_add(tc->errs, tc->file, tagline,
			    "{{/%s}} does not match {{#%s}} of line %d",
			    sec_name(v), sec_name(tc->stack[d - 1].sec),
			    tc->stack[d - 1].line);
		tc->nerr++;
		return;
	}
	tc->depth--;
	if (v == SEC_CHECKS)
		tc->nchecks--;
	nd = nodes_add(tc->ns, N_CLOSE);
	nd->sec = v;
	tc->ns->v[tc->stack[tc->depth].node].close = tc->ns->n - 1;
}

/*
 * Compile [p, end) into ns.  line is the line number of p; in_subject
 * forbids {{#checks}}.  Returns the number of errors added.
 */
static size_t
tmpl_compile(struct nodes *ns, const char *file, int line, const char *p,
    const char *end, int in_subject, struct errlist *errs)
{
	struct tcomp	 tc;
	const char	*pos = p, *line_start = p, *open, *close, *name, *q;
	size_t		 len, i;
	struct node	*nd;
	int		 v, tagline;
	char		 shown[64 * 4];

	memset(&tc, 0, sizeof tc);
	tc.ns = ns;
	tc.file = file;
	tc.errs = errs;
	while (p < end) {
		if (*p == '\n') {
			line++;
			line_start = ++p;
			continue;
		}
		if (p + 1 >= end || p[0] != '{' || p[1] != '{') {
			p++;
			continue;
		}
		open = p;
		close = NULL;
		for (q = p + 2; q + 1 < end && *q != '\n'; q++)
			if (q[0] == '}' && q[1] == '}') {
				close = q;
				break;
			}
		if (close == NULL) {
			errlist_add(errs, file, line, "unclosed {{");
			tc.nerr++;
			p += 2;
			continue;
		}
		tagline = line;
		name = open + 2;
		while (name < close && *name == ' ')
			name++;
		len = (size_t)(close - name);
		while (len > 0 && name[len - 1] == ' ')
			len--;

		if (len > 0 && (*name == '#' || *name == '^' ||
		    *name == '/')) {
			v = section_lookup(name, len);
			if ((in_subject && v == SEC_CHECKS) || v == -1) {
				errlist_add(errs, file, line, v == -1 ?
				    "unknown section {{%s}}" : "{{%s}} cannot "
				    "stand in the Subject line",
				    tag_show(name, len, shown, sizeof shown));
				tc.nerr++;
				p = close + 2;
				continue;
			}
			if (tag_standalone(pos, line_start, open, close,
			    end)) {
				nodes_text(ns, pos, (size_t)(line_start - pos));
				for (p = close + 2; p < end && *p != '\n'; p++)
					;
				if (p < end) {
					p++;
					line++;
				}
				line_start = p;
			} else {
				nodes_text(ns, pos, (size_t)(open - pos));
				p = close + 2;
			}
			pos = p;
			if (*name != '/')
				tcomp_open(&tc, v, name, len, tagline);
			else
				tcomp_close(&tc, v, tagline);
			continue;
		}

		nodes_text(ns, pos, (size_t)(open - pos));
		p = pos = close + 2;
		if ((v = lookup(var_names, TV_NVARS, name, len)) == -1) {
			errlist_add(errs, file, line,
			    "unknown variable {{%s}}",
			    tag_show(name, len, shown, sizeof shown));
			tc.nerr++;
			continue;
		}
		nd = nodes_add(ns, N_VAR);
		nd->var = v;
	}
	nodes_text(ns, pos, (size_t)(end - pos));
	for (i = tc.depth; i > 0; i--) {
		errlist_add(errs, file, tc.stack[i - 1].line,
		    "{{#%s}} is never closed", sec_name(tc.stack[i - 1].sec));
		tc.nerr++;
	}
	return tc.nerr;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->subject.v);
	free(t->body.v);
	free(t->src);
	free(t);
}

struct tmpl *
tmpl_parse(const char *file, const char *text, struct errlist *errs)
{
	struct tmpl	*t;
	const char	*nl, *subj, *body, *end;
	size_t		 nerr = 0;
	int		 body_line = 2;

	t = xcalloc(1, sizeof *t);
	t->src = xstrdup(text);
	end = t->src + strlen(t->src);
	if (strncmp(t->src, "Subject:", 8) != 0) {
		errlist_add(errs, file, 1, "the first line must be "
		    "\"Subject: ...\"");
		tmpl_free(t);
		return NULL;
	}
	subj = t->src + 8;
	while (*subj == ' ' || *subj == '\t')
		subj++;
	if ((nl = strchr(subj, '\n')) == NULL)
		nl = end;
	body = nl < end ? nl + 1 : end;
	/* One blank line may part the Subject from the body, as in a mail. */
	if (*body == '\n') {
		body++;
		body_line++;
	}
	if (nl == subj || (nl == subj + 1 && *subj == '\r')) {
		errlist_add(errs, file, 1, "the Subject line is empty");
		nerr++;
	}
	nerr += tmpl_compile(&t->subject, file, 1, subj,
	    nl > subj && nl[-1] == '\r' ? nl - 1 : nl, 1, errs);
	nerr += tmpl_compile(&t->body, file, body_line, body, end, 0, errs);
	if (nerr > 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

struct tmpl *
tmpl_load(const char *path, struct errlist *errs)
{
	struct tmpl	*t;
	char		*text;

	if ((text = buf_read_file(path)) == NULL) {
		errlist_add(errs, path, 0, "cannot read template: %s",
		    strerror(errno));
		return NULL;
	}
	t = tmpl_parse(path, text, errs);
	free(text);
	return t;
}

/* Render nodes [from, to) with item as the innermost values. */
static void
tmpl_range(const struct nodes *ns, size_t from, size_t to,
    const struct tmpl_data *d, const struct tmpl_item *item, struct buf *out)
{
	const struct node	*nd;
	const char		*v;
	size_t			 i, k;

	for (i = from; i < to; i++) {
		nd = &ns->v[i];
		switch (nd->kind) {
		case N_TEXT:
			buf_add(out, nd->text, nd->len);
			break;
		case N_VAR:
			v = item != NULL ? item->v[nd->var] : NULL;
			if (v == NULL)
				v = d->top.v[nd->var];
			if (v != NULL)
				buf_addstr(out, v);
			break;
		case N_OPEN:
			if (nd->sec == SEC_CHECKS) {
				for (k = 0; k < d->nitems; k++)
					tmpl_range(ns, i + 1, nd->close, d,
					    &d->items[k], out);
			} else if (nd->sec == SEC_STAFF) {
				if ((d->staff != 0) != nd->inverted)
					tmpl_range(ns, i + 1, nd->close, d,
					    item, out);
			} else {
				v = item != NULL ?
				    item->v[nd->sec - SEC_VAR] : NULL;
				if (v == NULL)
					v = d->top.v[nd->sec - SEC_VAR];
				if ((v != NULL && *v != '\0') != nd->inverted)
					tmpl_range(ns, i + 1, nd->close, d,
					    item, out);
			}
			i = nd->close;
			break;
		case N_CLOSE:
			break;
		}
	}
}

void
tmpl_render(const struct tmpl *t, const struct tmpl_data *d, char **subject,
    struct buf *body)
{
	struct buf	s;
	char		*p;

	buf_init(&s);
	buf_addstr(&s, "");
	tmpl_range(&t->subject, 0, t->subject.n, d, NULL, &s);
	/* A value cannot break the Subject into two lines. */
	for (p = s.data; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	*subject = s.data;
	tmpl_range(&t->body, 0, t->body.n, d, NULL, body);
}

/* --- words ------------------------------------------------------------ */

enum { UNIT_DAY, UNIT_HOUR, UNIT_MIN, UNIT_SEC, NUNITS };

struct words {
	char	*cause[SW_CAUSE_COUNT];
	char	*state[SW_STATE_DOWN + 1];
	char	*unit[NUNITS];
};

static const char *unit_names[NUNITS] = { "day", "hour", "min", "sec" };

void
words_free(struct words *w)
{
	size_t	i;

	if (w == NULL)
		return;
	for (i = 0; i < SW_CAUSE_COUNT; i++)
		free(w->cause[i]);
	for (i = 0; i <= SW_STATE_DOWN; i++)
		free(w->state[i]);
	for (i = 0; i < NUNITS; i++)
		free(w->unit[i]);
	free(w);
}

/* Trim blanks (and a CR) at both ends, in place. */
static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

int
words_read(const char *path, char **(*slot)(void *, const char *),
    void *arg, struct errlist *errs)
{
	char		 *text, *line, *next, *eq, *key, *val, **dst;
	int		  nerr = 0;
	int		  lineno = 0;
	char		  shown[64 * 4];

	if ((text = buf_read_file(path)) == NULL) {
		errlist_add(errs, path, 0, "cannot read words: %s",
		    strerror(errno));
		return -1;
	}
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			errlist_add(errs, path, lineno, "expected key = text");
			nerr++;
			continue;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if ((dst = slot(arg, key)) == NULL) {
			errlist_add(errs, path, lineno, "unknown key %s",
			    tag_show(key, strlen(key), shown, sizeof shown));
			nerr++;
		} else if (*val == '\0') {
			errlist_add(errs, path, lineno, "%s has no text", key);
			nerr++;
		} else if (*dst != NULL) {
			errlist_add(errs, path, lineno, "%s given twice", key);
			nerr++;
		} else
			*dst = xstrdup(val);
	}
	free(text);
	return nerr;
}

/* Where a mail word goes: cause.*, state.* or unit.*; NULL if unknown. */
static char **
words_slot(void *arg, const char *key)
{
	struct words	*w = arg;
	int		 k;

	if (strncmp(key, "cause.", 6) == 0 &&
	    (k = sw_cause_parse(key + 6)) >= 0)
		return &w->cause[k];
	if (strncmp(key, "state.", 6) == 0 &&
	    (k = sw_state_parse(key + 6)) >= 0)
		return &w->state[k];
	if (strncmp(key, "unit.", 5) == 0 &&
	    (k = lookup(unit_names, NUNITS, key + 5, strlen(key + 5))) >= 0)
		return &w->unit[k];
	return NULL;
}

struct words *
words_load(const char *path, struct errlist *errs)
{
	struct words	*w;
	size_t		 i;
	int		 nerr;

	w = xcalloc(1, sizeof *w);
	if ((nerr = words_read(path, words_slot, w, errs)) == -1) {
		words_free(w);
		return NULL;	/* unreadable: one error says so */
	}
	for (i = 0; i < SW_CAUSE_COUNT; i++)
		if (w->cause[i] == NULL) {
			errlist_add(errs, path, 0, "missing cause.%s",
			    sw_cause_name(i));
			nerr++;
		}
	for (i = 0; i <= SW_STATE_DOWN; i++)
		if (w->state[i] == NULL) {
			errlist_add(errs, path, 0, "missing state.%s",
			    sw_state_name(i));
			nerr++;
		}
	for (i = 0; i < NUNITS; i++)
		if (w->unit[i] == NULL) {
			errlist_add(errs, path, 0, "missing unit.%s",
			    unit_names[i]);
			nerr++;
		}
	if (nerr > 0) {
		words_free(w);
		return NULL;
	}
	return w;
}

const char *
words_cause(const struct words *w, int cause)
{
	if (cause < 0 || cause >= SW_CAUSE_COUNT)
		cause = SW_CAUSE_UNKNOWN;
	return w->cause[cause];
}

const char *
words_state(const struct words *w, int state)
{
	if (state < 0 || state > SW_STATE_DOWN)
		state = SW_STATE_UNKNOWN;
	return w->state[state];
}

char *
words_duration(const struct words *w, long long s)
{
	long long	 v[NUNITS];
	char		*out;
	int		 i;

	if (s < 0)
		s = 0;
	if (s < 60) {
		xasprintf(&out, "%lld %s", s, w->unit[UNIT_SEC]);
		return out;
	}
	v[UNIT_DAY] = s / 86400;
	v[UNIT_HOUR] = s % 86400 / 3600;
	v[UNIT_MIN] = s % 3600 / 60;
	v[UNIT_SEC] = s % 60;
	for (i = 0; v[i] == 0; i++)
		;
	/* The largest unit and the next one, when it is not zero. */
	if (i + 1 < NUNITS && v[i + 1] != 0)
		xasprintf(&out, "%lld %s %lld %s", v[i], w->unit[i], v[i + 1],
		    w->unit[i + 1]);
	else
		xasprintf(&out, "%lld %s", v[i], w->unit[i]);
	return out;
}
