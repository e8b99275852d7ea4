/*
 * config_read.c -- the line reader of the configuration files: sections,
 * "key = value" lines, and one "FILE:LINE: message" per problem.
 *
 * DESIGN
 * inih splits "key = value" lines and strips inline comments, but the
 * Debian build gives its handler no line number and truncates long
 * section names, so every line first goes through our own reader.  The
 * reader counts lines, handles [section] lines itself (full length, with
 * our own messages), reports lines that are neither section nor key, and
 * hands inih only key lines, left-trimmed so that inih's multi-line
 * continuation never fires.  A key line too long for inih's fixed buffer
 * is split by the reader and given to the handler directly.
 *
 * The handler looks each key up in conf_keys[] and has its value parsed
 * by its type (config_types.c) straight into the struct the section
 * stands for, noting in a keysrc where it was set.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "conf_keys.h"
#include "config.h"
#include "config_int.h"
#include "log.h"
#include "sitewatch.h"
#include "util.h"
#include "xmalloc.h"

enum sec_kind {
	SEC_NONE,	/* before the first section */
	SEC_IGNORE,	/* a bad section: its keys are skipped */
	SEC_DAEMON,
	SEC_SMTP,
	SEC_DEFAULTS,
	SEC_SITE,
	SEC_CHECK,
	SEC_NOTIFY
};

/* One file being read. */
struct file_ctx {
	struct loader		*ld;
	FILE			*f;
	const char		*file;		/* as shown */
	unsigned		 fileno;	/* its index in names[] */
	int			 main;
	int			 line;
	char			*raw;
	size_t			 rawcap;
	enum sec_kind		 sec;
	char			*secname;	/* "[check x]" */
	struct site_conf	*site;
	struct keysrc		*site_src;
	struct check_state	*check;
	struct notify_state	*notify;
};

/* Keep a copy of a file name that keysrc entries may point at. */
static const char *
loader_name(struct loader *ld, const char *name)
{
	ld->names = xappendarray(ld->names, ld->nnames,
	    sizeof *ld->names);
	return ld->names[ld->nnames++] = xstrdup(name);
}

void
conf_close_check(struct loader *ld)
{
	struct check_state	*st = ld->open_check;
	size_t			 i, n;

	if (st == NULL)
		return;
	ld->open_check = NULL;
	for (i = 0, n = 0; i < conf_nkeys; i++)
		n += ld->check_src[i].line != 0;
	if (n > 0)
		st->set = xreallocarray(NULL, n, sizeof *st->set);
	for (i = 0; i < conf_nkeys; i++) {
		if (ld->check_src[i].line == 0)
			continue;
		st->set[st->nset].key = (unsigned short)i;
		st->set[st->nset++].ks = ld->check_src[i];
	}
	memset(ld->check_src, 0, conf_nkeys * sizeof *ld->check_src);
}

/* Start a [section] read by the line reader. */
static void
section_begin(struct file_ctx *fc, char *s)
{
	struct loader		*ld = fc->ld;
	struct check_state	*st;
	struct notify_state	*ns;
	struct check_conf	*c;
	char			*close, *name, *rest, err[ERR_MAX];
	char			 b[SHOW_BUF];

	free(fc->secname);
	fc->secname = NULL;
	fc->sec = SEC_IGNORE;
	conf_close_check(ld);
	fc->check = NULL;
	fc->notify = NULL;
	if ((close = strchr(s, ']')) == NULL) {
		errlist_add(ld->errs, fc->file, fc->line,
		    "syntax error: missing \"]\"");
		return;
	}
	rest = conf_lskip(close + 1);
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		errlist_add(ld->errs, fc->file, fc->line,
		    "syntax error: text after \"]\"");
		return;
	}
	*close = '\0';
	name = conf_rstrip(conf_lskip(s + 1));

	if (strcmp(name, "daemon") == 0 || strcmp(name, "smtp") == 0 ||
	    strcmp(name, "defaults") == 0) {
		if (!fc->main) {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[%s] belongs in %s, not in a checks_dir file",
			    name, ld->cfg->path);
			return;
		}
		fc->sec = name[0] == 'd' ? (name[1] == 'a' ? SEC_DAEMON :
		    SEC_DEFAULTS) : SEC_SMTP;
		xasprintf(&fc->secname, "[%s]", name);
		return;
	}
	if (strncmp(name, "notify", 6) == 0 && (name[6] == '\0' ||
	    isspace((unsigned char)name[6]))) {
		if (!fc->main) {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[notify NAME] belongs in %s, not in a checks_dir "
			    "file", ld->cfg->path);
			return;
		}
		name = conf_lskip(name + 6);
		if (*name == '\0') {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[notify] needs a name: [notify NAME]");
			return;
		}
		if (!conf_check_name_ok(name, err, sizeof err)) {
			errlist_add(ld->errs, fc->file, fc->line, "%s", err);
			return;
		}
		ns = xcalloc(1, sizeof *ns);
		ns->n = xcalloc(1, sizeof *ns->n);
		ns->n->name = xstrdup(name);
		ns->n->file = ld->names[fc->fileno];
		ns->n->line = fc->line;
		ns->n->type = -1;
		ns->src = xcalloc(conf_nkeys, sizeof *ns->src);
		ld->ns = xappendarray(ld->ns, ld->nns, sizeof *ld->ns);
		ld->ns[ld->nns++] = ns;
		fc->notify = ns;
		fc->sec = SEC_NOTIFY;
		xasprintf(&fc->secname, "[notify %s]", name);
		return;
	}
	if (strcmp(name, "site") == 0 || strncmp(name, "check", 5) == 0) {
		if (strncmp(name, "check", 5) == 0 && name[5] != '\0' &&
		    !isspace((unsigned char)name[5]))
			goto unknown;
		if (fc->main) {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[%s] belongs in a file in checks_dir, not in %s",
			    name[0] == 's' ? "site" : "check NAME",
			    ld->cfg->path);
			return;
		}
		if (name[0] == 's') {
			fc->sec = SEC_SITE;
			fc->secname = xstrdup("[site]");
			return;
		}
		name = conf_lskip(name + 5);
		if (*name == '\0') {
			errlist_add(ld->errs, fc->file, fc->line,
			    "[check] needs a name: [check NAME]");
			return;
		}
		if (!conf_check_name_ok(name, err, sizeof err)) {
			errlist_add(ld->errs, fc->file, fc->line, "%s", err);
			return;
		}
		c = xcalloc(1, sizeof *c);
		c->name = xstrdup(name);
		c->file = ld->names[fc->fileno];	/* shared: files[] */
		c->line = fc->line;
		c->site = fc->site;
		st = xcalloc(1, sizeof *st);
		st->c = c;
		st->order = ld->ncs;
		ld->open_check = st;
		ld->cs = xappendarray(ld->cs, ld->ncs, sizeof *ld->cs);
		ld->cs[ld->ncs++] = st;
		fc->check = st;
		fc->sec = SEC_CHECK;
		xasprintf(&fc->secname, "[check %s]", name);
		return;
	}
unknown:
	errlist_add(ld->errs, fc->file, fc->line, "unknown section [%s]",
	    conf_show(name, b, sizeof b));
}

/* inih's handler: one key of the current section. */
static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct file_ctx		*fc = user;
	struct loader		*ld = fc->ld;
	const struct conf_key	*k, *other;
	enum conf_section	 cs;
	struct keysrc		*src, *ks;
	void			*base;
	char			 err[ERR_MAX], b[SHOW_BUF];
	int			 i;

	switch (fc->sec) {
	case SEC_NONE:
		errlist_add(ld->errs, fc->file, fc->line,
		    "key \"%s\" outside of any section",
		    conf_show(name, b, sizeof b));
		return 1;
	case SEC_IGNORE:
		return 1;
	case SEC_DAEMON:
		cs = CONF_SEC_DAEMON;
		base = ld->cfg;
		src = ld->main_src;
		break;
	case SEC_SMTP:
		cs = CONF_SEC_SMTP;
		base = &ld->cfg->smtp;
		src = ld->main_src;
		break;
	case SEC_DEFAULTS:
		cs = CONF_SEC_CHECK;
		base = &ld->defs;
		src = ld->defs_src;
		break;
	case SEC_SITE:
		cs = CONF_SEC_SITE;
		base = fc->site;
		src = fc->site_src;
		break;
	case SEC_NOTIFY:
		cs = CONF_SEC_NOTIFY;
		base = fc->notify->n;
		src = fc->notify->src;
		break;
	case SEC_CHECK:
	default:
		cs = CONF_SEC_CHECK;
		base = fc->check->c;
		src = ld->check_src;
		break;
	}
	if ((k = conf_key_find(cs, name)) == NULL) {
		/* A key of another section: say where it belongs. */
		for (i = 0, other = NULL; i < CONF_SEC_COUNT && other == NULL;
		    i++)
			other = conf_key_find((enum conf_section)i, name);
		if (other != NULL)
			errlist_add(ld->errs, fc->file, fc->line,
			    "unknown key \"%s\" in %s (it belongs in %s)",
			    name, fc->secname,
			    other->section == CONF_SEC_CHECK ?
			    "[defaults] or [check NAME]" :
			    other->section == CONF_SEC_DAEMON ? "[daemon]" :
			    other->section == CONF_SEC_SMTP ? "[smtp]" :
			    other->section == CONF_SEC_NOTIFY ?
			    "[notify NAME]" : "[site]");
		else
			errlist_add(ld->errs, fc->file, fc->line,
			    "unknown key \"%s\" in %s",
			    conf_show(name, b, sizeof b), fc->secname);
		return 1;
	}
	/* An empty value is the same as no line: default or inherited. */
	if (*value == '\0')
		return 1;
	ks = &src[conf_key_index(k)];
	if (ks->line != 0 && !(k->flags & CONF_F_REPEAT)) {
		errlist_add(ld->errs, fc->file, fc->line,
		    "duplicate key \"%s\" in %s (first set at line %d)",
		    name, fc->secname, ks->line);
		return 1;
	}
	if (conf_value_parse(k, base, value, ld->cfg->dir, err,
	    sizeof err) == -1) {
		errlist_add(ld->errs, fc->file, fc->line, "%s", err);
		ks->bad = 1;
	}
	if (ks->line == 0) {
		ks->file = fc->fileno;
		ks->line = (unsigned)fc->line & 0x3fffffff;
		ks->own = 1;
	}
	(void)section;
	return 1;
}

/*
 * Find where the key of a "key = value" line ends: the first '=' or ':'
 * before any inline comment, as inih does.  NULL when there is none.
 */
static char *
find_sep(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '=' || *p == ':')
			return p;
		if (*p == ';' && p > s && isspace((unsigned char)p[-1]))
			return NULL;
	}
	return NULL;
}

/*
 * inih's reader: one line per call, counted, with sections, syntax errors
 * and over-long lines handled here (see DESIGN).  Lines inih need not see
 * are handed over as empty lines, so its line count stays ours.
 */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct file_ctx	*fc = stream;
	ssize_t		 n;
	char		*s, *sep, *name, *value, *p;
	size_t		 len;
	int		 was_space;

	if (num < 2 || (n = getline(&fc->raw, &fc->rawcap, fc->f)) == -1)
		return NULL;
	fc->line++;
	while (n > 0 && (fc->raw[n - 1] == '\n' || fc->raw[n - 1] == '\r'))
		fc->raw[--n] = '\0';
	s = fc->raw;
	if (fc->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	s = conf_lskip(s);
	if (*s == '\0' || *s == ';' || *s == '#')
		goto blank;
	if (*s == '[') {
		section_begin(fc, s);
		goto blank;
	}
	if ((sep = find_sep(s)) == NULL) {
		errlist_add(fc->ld->errs, fc->file, fc->line,
		    "syntax error: expected \"[section]\" or \"key = value\"");
		goto blank;
	}
	if (sep == s) {
		errlist_add(fc->ld->errs, fc->file, fc->line,
		    "syntax error: no key name before \"%c\"", *sep);
		goto blank;
	}
	len = strlen(s);
	if (len + 2 <= (size_t)num) {
		memcpy(str, s, len);
		str[len] = '\n';
		str[len + 1] = '\0';
		return str;
	}
	/* Too long for inih's buffer: split it the way inih would. */
	*sep = '\0';
	name = conf_rstrip(s);
	value = sep + 1;
	for (p = value, was_space = 0; *p != '\0'; p++) {
		if (*p == ';' && was_space) {
			*p = '\0';
			break;
		}
		was_space = isspace((unsigned char)*p);
	}
	value = conf_rstrip(conf_lskip(value));
	conf_handler(fc, "", name, value);
blank:
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

/* Read one file; f is closed by the caller. */
void
conf_read_file(struct loader *ld, FILE *f, const char *file, int is_main)
{
	struct file_ctx		 fc;
	struct site_conf	*site;
	const char		*base;
	size_t			 len;
	int			 rc;

	memset(&fc, 0, sizeof fc);
	fc.ld = ld;
	fc.f = f;
	fc.file = loader_name(ld, file);
	fc.fileno = (unsigned)ld->nnames - 1;
	fc.main = is_main;
	fc.sec = SEC_NONE;
	if (!is_main) {
		site = xcalloc(1, sizeof *site);
		site->file = xstrdup(file);
		ld->cfg->sites = xreallocarray(ld->cfg->sites,
		    ld->cfg->nsites + 1, sizeof *ld->cfg->sites);
		ld->cfg->sites[ld->cfg->nsites++] = site;
		fc.site = site;
		fc.site_src = xcalloc(conf_nkeys, sizeof *fc.site_src);
	}
	rc = ini_parse_stream(conf_reader, &fc, conf_handler, &fc);
	if (rc == -2)
		fatal("inih: out of memory");
	conf_close_check(ld);
	if (!is_main) {
		conf_apply_defaults(ld, CONF_SEC_SITE, fc.site, fc.site_src);
		/* No name: the file's name without .conf stands in. */
		base = strrchr(file, '/');
		base = base != NULL ? base + 1 : file;
		len = strlen(base);
		if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
			len -= 5;
		fc.site->id = xstrndup(base, len);
		if (fc.site->name == NULL)
			fc.site->name = xstrndup(base, len);
		free(fc.site_src);
	}
	free(fc.raw);
	free(fc.secname);
}

/* Open path for reading; report why not. */
FILE *
conf_open(struct loader *ld, const char *path, const char *shown)
{
	struct stat	 st;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		errlist_add(ld->errs, shown, 0, "cannot open: %s",
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		errlist_add(ld->errs, shown, 0, "cannot open: %s",
		    strerror(EISDIR));
		fclose(f);
		return NULL;
	}
	return f;
}
