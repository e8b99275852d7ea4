/*
 * config_text.c -- the small text helpers every part of the configuration
 * uses: quoting a value for a message, trimming, names, lists.
 *
 * They sit below the reader, the value types, maintenance windows and
 * status ranges, so that those parts call down into one file and never
 * into each other.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "log.h"
#include "sitewatch.h"
#include "util.h"
#include "xmalloc.h"

/* Quote a value for a message: escaped, and cut when long. */
const char *
conf_show(const char *v, char *buf, size_t len)
{
	char	tmp[SHOW_MAX + 1];

	if (strlen(v) > SHOW_MAX)
		snprintf(tmp, sizeof tmp, "%.*s...", SHOW_MAX - 3, v);
	else
		snprintf(tmp, sizeof tmp, "%s", v);
	return log_escape(buf, len, tmp);
}

/* Skip leading white space. */
char *
conf_lskip(char *s)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	return s;
}

/* Cut trailing white space in place. */
char *
conf_rstrip(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Nonzero when s is a valid check name. */
int
conf_check_name_ok(const char *s, char *err, size_t errlen)
{
	const char	*p;
	char		 b[SHOW_BUF];

	if (*s == '\0') {
		snprintf(err, errlen, "empty check name");
		return 0;
	}
	if (strlen(s) >= SW_NAME_MAX) {
		snprintf(err, errlen, "check name \"%s\" is too long (at most "
		    "%d characters)", conf_show(s, b, sizeof b), SW_NAME_MAX - 1);
		return 0;
	}
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
		    *p != '-') {
			snprintf(err, errlen, "bad check name \"%s\": only "
			    "A-Z, a-z, 0-9, \".\", \"_\" and \"-\" are allowed",
			    conf_show(s, b, sizeof b));
			return 0;
		}
	}
	return 1;
}

/* Free a list from split_list. */
void
conf_free_list(char **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
