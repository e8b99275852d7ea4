/*
 * config_types.c -- the value types of configuration keys.
 *
 * DESIGN
 * Every enum conf_type has one row in type_ops[]: how a value written in
 * a file is parsed into its field, how the field is freed, how a check
 * copies it from [defaults], and what --dump-config says the type
 * accepts.  A new type is a new row here and a new enum value; nothing
 * else switches over types.  The text helpers the loader's other parts
 * share (quoting a value in a message, trimming, check names) live here
 * too, beside the grammars that use them most.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf_keys.h"
#include "config.h"
#include "config_int.h"
#include "log.h"
#include "sitewatch.h"
#include "tzinfo.h"
#include "util.h"
#include "xmalloc.h"

/* Check that s is an http:// or https:// URL curl can use. */
static int
url_ok(const char *s, char *err, size_t errlen)
{
	CURLU		*u;
	CURLUcode	 rc;
	char		*host = NULL;

	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0) {
		snprintf(err, errlen, "must start with http:// or https://");
		return 0;
	}
	if ((u = curl_url()) == NULL)
		fatal("curl_url: out of memory");
	rc = curl_url_set(u, CURLUPART_URL, s, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (rc == CURLUE_OK && (host == NULL || *host == '\0'))
		rc = CURLUE_NO_HOST;
	curl_free(host);
	curl_url_cleanup(u);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "not a valid URL (%s)",
		    curl_url_strerror(rc));
		return 0;
	}
	return 1;
}

/* Loose check of a mail address: one @ with text on both sides. */
static int
addr_ok(const char *s)
{
	const char	*at, *p;

	if ((at = strchr(s, '@')) == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p) ||
		    strchr("<>,;\"()[]\\", *p) != NULL)
			return 0;
	return 1;
}

/* Accept "a@b" or "Name <a@b>". */
static int
mailbox_ok(const char *s)
{
	const char	*lt, *gt;
	char		*inner;
	int		 ok;

	if ((lt = strrchr(s, '<')) == NULL)
		return addr_ok(s);
	if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0')
		return 0;
	inner = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	ok = addr_ok(inner);
	free(inner);
	return ok;
}

/*
 * Split a comma-separated value into trimmed, non-empty items.  Returns
 * the count; *out is NULL when there are none.
 */
size_t
conf_split_list(const char *v, char ***out)
{
	char	*copy, *item, *save = NULL;
	char   **list = NULL;
	size_t	 n = 0;

	copy = xstrdup(v);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item = conf_rstrip(conf_lskip(item));
		if (*item == '\0')
			continue;
		list = xappendarray(list, n, sizeof *list);
		list[n++] = xstrdup(item);
	}
	free(copy);
	*out = list;
	return n;
}

/*
 * Parse a number with an optional unit suffix.  units is a string of
 * letters and mult their factors; no suffix means factor 1.  Returns 0,
 * -1 when s is not a number at all, -2 on an unknown suffix, -3 when the
 * result would overflow.
 */
static int
parse_scaled(const char *s, const char *units, const long long *mult,
    long long *out, const char **suffix)
{
	char		*end;
	const char	*u;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || !(isdigit((unsigned char)*s) || *s == '-' ||
	    *s == '+'))
		return -1;
	if (errno == ERANGE)
		return -3;
	*suffix = end;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
		return -2;
	if (v > LLONG_MAX / mult[u - units] || v < LLONG_MIN / mult[u - units])
		return -3;
	*out = v * mult[u - units];
	return 0;
}

int
escalate_level(const char *item, long *after_s, char ***addrs,
    size_t *naddrs, char *why, size_t len)
{
	static const long long	 mult[] = { 1, 60, 3600, 86400 };
	const char		*suffix, *p, *e;
	char			*word;
	long long		 n;
	int			 rc;

	*addrs = NULL;
	*naddrs = 0;
	e = item + strcspn(item, " \t");
	word = xstrndup(item, (size_t)(e - item));
	rc = parse_scaled(word, "smhd", mult, &n, &suffix);
	/* A plain number is minutes, as in the SPEC's "15m". */
	if (rc == 0 && *suffix == '\0')
		n *= 60;
	free(word);
	if (rc != 0 || n <= 0 || n > 365LL * 86400) {
		snprintf(why, len, "expected a time (e.g. 15m) first");
		return -1;
	}
	*after_s = (long)n;
	for (p = e; *p != '\0'; p = e) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " \t");
		word = xstrndup(p, (size_t)(e - p));
		if (!addr_ok(word)) {
			snprintf(why, len, "\"%s\" is not a mail address",
			    word);
			free(word);
			conf_free_list(*addrs, *naddrs);
			*addrs = NULL;
			*naddrs = 0;
			return -1;
		}
		*addrs = xappendarray(*addrs, *naddrs, sizeof **addrs);
		(*addrs)[(*naddrs)++] = word;
	}
	if (*naddrs == 0) {
		snprintf(why, len, "no address after the time");
		return -1;
	}
	return 0;
}

/* One level is well formed and later than the one before (or first). */
static int
escalate_item_ok(const char *item, const char *prev, char *why, size_t len)
{
	char	**a;
	size_t	  n;
	long	  t, tprev;

	if (escalate_level(item, &t, &a, &n, why, len) == -1)
		return 0;
	conf_free_list(a, n);
	if (prev != NULL && escalate_level(prev, &tprev, &a, &n, why,
	    len) == 0) {
		conf_free_list(a, n);
		if (t <= tprev) {
			snprintf(why, len, "each level must come later than "
			    "the one before");
			return 0;
		}
	}
	return 1;
}

/* Parse rrd_retention into rra[]; returns the count or -1. */
static int
retention_parse(const char *v, struct rrd_rra *rra, char *err, size_t errlen)
{
	static const long long	 mult[] = {
		1, 60, 3600, 86400, 7 * 86400, 365 * 86400
	};
	char			*copy, *item, *save = NULL, *colon, *bad;
	const char		*suffix;
	long long		 step, span;
	int			 n = 0, rc;
	char			 b[SHOW_BUF];

	copy = xstrdup(v);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item = conf_rstrip(conf_lskip(item));
		if ((colon = strchr(item, ':')) == NULL) {
			snprintf(err, errlen, "item \"%s\": expected STEP:SPAN",
			    conf_show(item, b, sizeof b));
			goto fail;
		}
		*colon = '\0';
		conf_rstrip(item);
		bad = item;
		if ((rc = parse_scaled(item, "smhdwy", mult, &step,
		    &suffix)) == 0) {
			bad = conf_lskip(colon + 1);
			rc = parse_scaled(bad, "smhdwy", mult, &span, &suffix);
		}
		if (rc != 0 || step < 1 || span < 1 || step > UINT_MAX ||
		    span > UINT_MAX) {
			snprintf(err, errlen, "\"%s\" is not a duration (a "
			    "positive number with s, m, h, d, w or y)",
			    conf_show(bad, b, sizeof b));
			goto fail;
		}
		if (span <= step) {
			snprintf(err, errlen, "item \"%s:%s\": the span must "
			    "be longer than the step", item, bad);
			goto fail;
		}
		if (n == RRD_RRA_MAX) {
			snprintf(err, errlen, "more than %d items",
			    RRD_RRA_MAX);
			goto fail;
		}
		/* "1s" stands for one step of the check, whatever it is. */
		rra[n].step_s = step == 1 ? 0 : (unsigned)step;
		rra[n].span_s = (unsigned)span;
		if (n > 0 && rra[n].step_s <= rra[n - 1].step_s) {
			snprintf(err, errlen, "steps must grow from one item "
			    "to the next");
			goto fail;
		}
		n++;
	}
	free(copy);
	if (n == 0) {
		snprintf(err, errlen, "no STEP:SPAN item");
		return -1;
	}
	return n;
fail:
	free(copy);
	return -1;
}

/* Pointer to the field of k inside base. */
#define FIELD(k, base, type)	\
	((type *)(void *)((char *)(base) + (k)->off))
/* Pointer to the count of a list key inside base. */
#define COUNT(k, base)		\
	((size_t *)(void *)((char *)(base) + (k)->count_off))

/*
 * What a type's parse returns besides 0: BAD when why says what is wrong
 * with the value (the caller writes 'bad value "V" for KEY: why'), WHOLE
 * when why is already the whole message.
 */
#define BAD	-1
#define WHOLE	-2

typedef int	parse_fn(const struct conf_key *, void *, const char *,
		    const char *, char *, size_t);
typedef void	free_fn(const struct conf_key *, void *);
typedef void	copy_fn(const struct conf_key *, const void *, void *);
typedef void	show_fn(const struct conf_key *, char *, size_t);

/*
 * One value type.  parse reads a value written in a file into its field
 * (dir is the base of relative paths); free releases and resets the
 * field; copy gives a check the [defaults] value (NULL: never copied);
 * show says what the type accepts, for --dump-config (NULL: what alone).
 */
struct conf_type_ops {
	parse_fn	*parse;
	free_fn		*free;
	copy_fn		*copy;
	show_fn		*show;
	const char	*what;
};

/* ---- free and copy, by how a value is stored */

static void
str_free(const struct conf_key *k, void *base)
{
	free(*FIELD(k, base, char *));
	*FIELD(k, base, char *) = NULL;
}

static void
str_copy(const struct conf_key *k, const void *from, void *to)
{
	const char	*s = *FIELD(k, from, char *);

	*FIELD(k, to, char *) = s != NULL ? xstrdup(s) : NULL;
}

static void
list_free(const struct conf_key *k, void *base)
{
	conf_free_list(*FIELD(k, base, char **), *COUNT(k, base));
	*FIELD(k, base, char **) = NULL;
	*COUNT(k, base) = 0;
}

static void
list_copy(const struct conf_key *k, const void *from, void *to)
{
	char	**l;
	size_t	  i, n;

	n = *COUNT(k, from);
	l = n > 0 ? xreallocarray(NULL, n, sizeof *l) : NULL;
	for (i = 0; i < n; i++)
		l[i] = xstrdup((*FIELD(k, from, char **))[i]);
	*FIELD(k, to, char **) = l;
	*COUNT(k, to) = n;
}

static void
array_free(const struct conf_key *k, void *base)
{
	free(*FIELD(k, base, void *));
	*FIELD(k, base, void *) = NULL;
	*COUNT(k, base) = 0;
}

/* A copy of n plain elements of size bytes each; NULL when n is 0. */
static void
array_copy(const struct conf_key *k, const void *from, void *to,
    size_t size)
{
	size_t	 n = *COUNT(k, from);
	void	*p = NULL;

	if (n > 0) {
		p = xreallocarray(NULL, n, size);
		memcpy(p, *FIELD(k, from, void *), n * size);
	}
	*FIELD(k, to, void *) = p;
	*COUNT(k, to) = n;
}

static void
status_copy(const struct conf_key *k, const void *from, void *to)
{
	array_copy(k, from, to, sizeof(struct status_range));
}

static void
maint_copy(const struct conf_key *k, const void *from, void *to)
{
	array_copy(k, from, to, sizeof(struct maint_window));
}

static void
int_copy(const struct conf_key *k, const void *from, void *to)
{
	*FIELD(k, to, int) = *FIELD(k, from, const int);
}

static void
size_copy(const struct conf_key *k, const void *from, void *to)
{
	*FIELD(k, to, size_t) = *FIELD(k, from, const size_t);
}

/* Replace the string of k in base by s (taken over). */
static int
str_set(const struct conf_key *k, void *base, char *s)
{
	str_free(k, base);
	*FIELD(k, base, char *) = s;
	return 0;
}

/* ---- parse, one per grammar */

/* Check an integer against the range of k. */
static int
range_ok(const struct conf_key *k, long long v, char *err, size_t errlen)
{
	if (v < k->min) {
		snprintf(err, errlen, "%s must be at least %lld", k->name,
		    k->min);
		return 0;
	}
	if (v > k->max) {
		snprintf(err, errlen, "%s must be at most %lld", k->name,
		    k->max);
		return 0;
	}
	return 1;
}

static int
parse_string(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	(void)dir;
	(void)why;
	(void)len;
	return str_set(k, base, xstrdup(v));
}

static int
parse_path(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	char	*s, b[SHOW_BUF];

	if (v[0] == '/')
		s = xstrdup(v);
	else
		xasprintf(&s, "%s/%s", dir, v);
	str_set(k, base, s);
	if (strcmp(k->name, "ca_file") == 0 && access(s, R_OK) == -1) {
		snprintf(why, len, "%s \"%s\": cannot read: %s", k->name,
		    conf_show(v, b, sizeof b), strerror(errno));
		return WHOLE;
	}
	return 0;
}

static int
parse_url(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	(void)dir;
	if (!url_ok(v, why, len))
		return BAD;
	return str_set(k, base, xstrdup(v));
}

/*
 * The number of an INT, DURATION or SIZE value once its unit is applied:
 * an overflow stands for the far end of its sign, which range_ok refuses.
 */
static int
store_number(const struct conf_key *k, void *base, const char *v, int rc,
    long long n, char *why, size_t len)
{
	if (rc == -3)
		n = v[0] == '-' ? LLONG_MIN : LLONG_MAX;
	if (!range_ok(k, n, why, len))
		return WHOLE;
	if (k->type == CONF_SIZE)
		*FIELD(k, base, size_t) = (size_t)n;
	else
		*FIELD(k, base, int) = (int)n;
	return 0;
}

static int
parse_int(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	static const long long	 one[] = { 1 };
	const char		*suffix;
	long long		 n = 0;
	int			 rc;

	(void)dir;
	if ((rc = parse_scaled(v, "", one, &n, &suffix)) == -1 || rc == -2) {
		snprintf(why, len, "not a number");
		return BAD;
	}
	return store_number(k, base, v, rc, n, why, len);
}

static int
parse_duration(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	static const long long	 dmult[] = { 1, 60, 3600, 86400 };
	const char		*suffix;
	char			 b[SHOW_BUF];
	long long		 n = 0;
	int			 rc;

	(void)dir;
	rc = parse_scaled(v, "smhd", dmult, &n, &suffix);
	if (rc == -1) {
		snprintf(why, len, "not a number");
		return BAD;
	}
	if (rc == -2) {
		snprintf(why, len, "unknown unit \"%s\" (use s, m, h or d)",
		    conf_show(suffix, b, sizeof b));
		return BAD;
	}
	/*
	 * Stored in seconds.  A plain number counts the key's unit (renotify
	 * is written in minutes, as the SPEC has it); a suffix says itself.
	 */
	if (rc != -3 && *suffix == '\0' && k->unit > 1) {
		if (n > LLONG_MAX / k->unit || n < LLONG_MIN / k->unit)
			rc = -3;
		else
			n *= k->unit;
	}
	return store_number(k, base, v, rc, n, why, len);
}

static int
parse_size(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	static const long long	 smult[] = { 1024, 1024 * 1024,
	    1024 * 1024 * 1024, 1024, 1024 * 1024, 1024 * 1024 * 1024 };
	const char		*suffix;
	char			*s;
	long long		 n = 0;
	size_t			 i;
	int			 rc;

	(void)dir;
	/* k, M, G, and the same followed by B or iB. */
	s = xstrdup(v);
	i = strlen(s);
	if (i > 2 && strcmp(s + i - 2, "iB") == 0)
		s[i - 2] = '\0';
	else if (i > 1 && s[i - 1] == 'B' && strchr("kKMG", s[i - 2]))
		s[i - 1] = '\0';
	rc = parse_scaled(s, "kMGK", smult, &n, &suffix);
	free(s);
	if (rc == -1) {
		snprintf(why, len, "not a number");
		return BAD;
	}
	if (rc == -2) {
		snprintf(why, len, "not a size (bytes, or a number with k, "
		    "M or G)");
		return BAD;
	}
	return store_number(k, base, v, rc, n, why, len);
}

static int
parse_bool(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	(void)dir;
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*FIELD(k, base, int) = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*FIELD(k, base, int) = 0;
	else {
		snprintf(why, len, "expected yes or no");
		return BAD;
	}
	return 0;
}

/*
 * Join the choices of k into buf: "a, b or c" with (", ", " or "), or
 * "a | b | c" with (" | ", " | ").
 */
static void
choices_join(const struct conf_key *k, char *buf, size_t len,
    const char *sep, const char *last)
{
	const struct conf_choice	*c;
	size_t				 used;
	int				 n;

	used = strlen(buf);
	for (c = k->choices; c->name != NULL; c++) {
		n = snprintf(buf + used, len - used, "%s%s",
		    c == k->choices ? "" : c[1].name == NULL ? last : sep,
		    c->name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

/* The choice of k that v names, or NULL with why said. */
static const struct conf_choice *
choice_find(const struct conf_key *k, const char *v, char *why, size_t len)
{
	const struct conf_choice	*c;

	for (c = k->choices; c->name != NULL; c++)
		if (strcasecmp(v, c->name) == 0)
			return c;
	snprintf(why, len, "expected ");
	choices_join(k, why, len, ", ", " or ");
	return NULL;
}

static int
parse_enum(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	const struct conf_choice	*c;

	(void)dir;
	if ((c = choice_find(k, v, why, len)) == NULL)
		return BAD;
	*FIELD(k, base, int) = c->value;
	return 0;
}

static int
parse_word(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	const struct conf_choice	*c;

	(void)dir;
	if ((c = choice_find(k, v, why, len)) == NULL)
		return BAD;
	return str_set(k, base, xstrdup(c->name));
}

/* A time zone is read here, so a name the pages cannot use is FILE:LINE. */
static int
parse_tz(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	struct tzinfo	*tz;

	(void)dir;
	if ((tz = tzinfo_load(v, why, len)) == NULL)
		return BAD;
	tzinfo_free(tz);
	return str_set(k, base, xstrdup(v));
}

/* EMAILS and URLS: a comma-separated list, every item checked. */
static int
parse_list(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	char	 **list, b[SHOW_BUF], urlwhy[ERR_MAX];
	size_t	   i, nlist;

	(void)dir;
	nlist = conf_split_list(v, &list);
	for (i = 0; i < nlist; i++) {
		if (k->type == CONF_EMAILS && !addr_ok(list[i])) {
			snprintf(why, len, "\"%s\" is not a mail address",
			    conf_show(list[i], b, sizeof b));
			break;
		}
		if (k->type == CONF_URLS &&
		    !url_ok(list[i], urlwhy, sizeof urlwhy)) {
			snprintf(why, len, "\"%s\" %s",
			    conf_show(list[i], b, sizeof b), urlwhy);
			break;
		}
		if (k->type == CONF_ESCALATE && escalate_item_ok(list[i],
		    i > 0 ? list[i - 1] : NULL, urlwhy, sizeof urlwhy) == 0) {
			snprintf(why, len, "\"%s\": %s",
			    conf_show(list[i], b, sizeof b), urlwhy);
			break;
		}
	}
	if (i < nlist) {
		conf_free_list(list, nlist);
		return BAD;
	}
	list_free(k, base);
	*FIELD(k, base, char **) = list;
	*COUNT(k, base) = nlist;
	return 0;
}

/* One "Name: value" more; the key repeats. */
static int
parse_header(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	const char	 *p;
	char		**list;
	size_t		  n;

	(void)dir;
	p = v;
	while (*p != '\0' && (isalnum((unsigned char)*p) ||
	    strchr("!#$%&'*+.^_`|~-", *p) != NULL))
		p++;
	if (p == v || *p != ':') {
		snprintf(why, len, "expected \"Name: value\"");
		return BAD;
	}
	n = *COUNT(k, base);
	list = xreallocarray(*FIELD(k, base, char **), n + 1, sizeof *list);
	list[n] = xstrdup(v);
	*FIELD(k, base, char **) = list;
	*COUNT(k, base) = n + 1;
	return 0;
}

static int
parse_status(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	struct status_range	*r;
	size_t			 n;

	(void)dir;
	if (status_ranges_parse(v, &r, &n, why, len) == -1)
		return BAD;
	array_free(k, base);
	*FIELD(k, base, struct status_range *) = r;
	*COUNT(k, base) = n;
	return 0;
}

/* One window more; the key repeats. */
static int
parse_maint(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	struct maint_window	 w, **mw;

	(void)dir;
	if (maint_parse(v, &w, why, len) == -1)
		return BAD;
	mw = FIELD(k, base, struct maint_window *);
	*mw = xreallocarray(*mw, *COUNT(k, base) + 1, sizeof w);
	(*mw)[(*COUNT(k, base))++] = w;
	return 0;
}

static int
parse_retention(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	struct rrd_rra	rra[RRD_RRA_MAX];
	int		rc;

	(void)dir;
	if ((rc = retention_parse(v, rra, why, len)) == -1)
		return BAD;
	memcpy(FIELD(k, base, struct rrd_rra), rra, sizeof rra);
	*COUNT(k, base) = (size_t)rc;
	return 0;
}

static int
parse_method(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	const char	*p;
	char		*s;
	size_t		 i;

	(void)dir;
	for (p = v; isalpha((unsigned char)*p); p++)
		;
	if (*p != '\0' || p - v > 16) {
		snprintf(why, len, "not an HTTP method");
		return BAD;
	}
	s = xstrdup(v);
	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)toupper((unsigned char)s[i]);
	return str_set(k, base, s);
}

static int
parse_listen(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	const char	*p, *errstr;
	long long	 port;

	(void)dir;
	p = strrchr(v, ':');
	if (p == NULL || p == v || util_parse_ll(p + 1, 1, 65535, &port,
	    &errstr) == -1 || (v[0] == '[' && p[-1] != ']')) {
		snprintf(why, len, "expected ADDRESS:PORT (e.g. "
		    "127.0.0.1:8080)");
		return BAD;
	}
	return str_set(k, base, xstrdup(v));
}

static int
parse_checkref(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	(void)dir;
	if (!conf_check_name_ok(v, why, len))
		return BAD;
	return str_set(k, base, xstrdup(v));
}

static int
parse_mailbox(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *why, size_t len)
{
	(void)dir;
	if (!mailbox_ok(v)) {
		snprintf(why, len, "not a mail address");
		return BAD;
	}
	return str_set(k, base, xstrdup(v));
}

/* ---- show: what a type accepts, when the bounds of k belong in it */

static void
show_int(const struct conf_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "integer %lld..%lld", k->min, k->max);
}

static void
show_duration(const struct conf_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "seconds %lld..%lld%s", k->min, k->max,
	    k->unit == 60 ? " (a plain number is minutes)" : "");
}

static void
show_size(const struct conf_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "bytes %lld..%lld", k->min, k->max);
}

static void
show_choices(const struct conf_key *k, char *buf, size_t len)
{
	buf[0] = '\0';
	choices_join(k, buf, len, " | ", " | ");
}

static void
show_retention(const struct conf_key *k, char *buf, size_t len)
{
	(void)k;
	snprintf(buf, len, "STEP:SPAN list, at most %d", RRD_RRA_MAX);
}

/* The table: one row per enum conf_type. */
static const struct conf_type_ops type_ops[] = {
	[CONF_STRING] =	{ parse_string, str_free, str_copy, NULL, "text" },
	[CONF_PATH] =	{ parse_path, str_free, str_copy, NULL, "path" },
	[CONF_URL] =	{ parse_url, str_free, str_copy, NULL, "URL" },
	[CONF_INT] =	{ parse_int, NULL, int_copy, show_int, NULL },
	[CONF_DURATION] = { parse_duration, NULL, int_copy, show_duration,
			    NULL },
	[CONF_SIZE] =	{ parse_size, NULL, size_copy, show_size, NULL },
	[CONF_BOOL] =	{ parse_bool, NULL, int_copy, NULL, "yes | no" },
	[CONF_ENUM] =	{ parse_enum, NULL, int_copy, show_choices, NULL },
	[CONF_WORD] =	{ parse_word, str_free, str_copy, show_choices,
			    NULL },
	[CONF_EMAILS] =	{ parse_list, list_free, list_copy, NULL,
			    "mail addresses, comma-separated" },
	[CONF_ESCALATE] = { parse_list, list_free, list_copy, NULL,
			    "levels \"DURATION ADDRESS...\", comma-separated" },
	[CONF_URLS] =	{ parse_list, list_free, list_copy, NULL,
			    "URLs, comma-separated" },
	[CONF_HEADER] =	{ parse_header, list_free, list_copy, NULL,
			    "\"Name: value\"" },
	[CONF_STATUS] =	{ parse_status, array_free, status_copy, NULL,
			    "status codes 100..599, lists and ranges" },
	[CONF_MAINT] =	{ parse_maint, array_free, maint_copy, NULL,
			    "weekly or one-off window" },
	/* Only in [daemon], which is never copied. */
	[CONF_RETENTION] = { parse_retention, NULL, NULL, show_retention,
			    NULL },
	[CONF_METHOD] =	{ parse_method, str_free, str_copy, NULL,
			    "HTTP method" },
	[CONF_LISTEN] =	{ parse_listen, str_free, str_copy, NULL,
			    "ADDRESS:PORT" },
	[CONF_CHECKREF] = { parse_checkref, str_free, str_copy, NULL,
			    "check name" },
	[CONF_MAILBOX] = { parse_mailbox, str_free, str_copy, NULL,
			    "mail address, \"Name <a@b>\" allowed" },
	[CONF_TZ] =	{ parse_tz, str_free, str_copy, NULL,
			    "IANA time zone, e.g. Europe/Istanbul" },
};

int
conf_value_parse(const struct conf_key *k, void *base, const char *v,
    const char *dir, char *err, size_t errlen)
{
	char	why[ERR_MAX], b[SHOW_BUF];
	int	rc;

	why[0] = '\0';
	if ((rc = type_ops[k->type].parse(k, base, v, dir, why,
	    sizeof why)) == 0)
		return 0;
	if (rc == WHOLE)
		snprintf(err, errlen, "%s", why);
	else if (k->flags & CONF_F_SECRET)
		snprintf(err, errlen, "bad value for %s: %s", k->name, why);
	else
		snprintf(err, errlen, "bad value \"%s\" for %s: %s",
		    conf_show(v, b, sizeof b), k->name, why);
	return -1;
}

void
conf_value_free(const struct conf_key *k, void *base)
{
	if (type_ops[k->type].free != NULL)
		type_ops[k->type].free(k, base);
}

void
conf_value_copy(const struct conf_key *k, const void *from, void *to)
{
	if (type_ops[k->type].copy == NULL)
		return;
	conf_value_free(k, to);
	type_ops[k->type].copy(k, from, to);
}

void
conf_key_describe(const struct conf_key *k, char *buf, size_t len)
{
	const struct conf_type_ops	*t = &type_ops[k->type];
	size_t				 l;

	if (t->show != NULL)
		t->show(k, buf, len);
	else
		snprintf(buf, len, "%s", t->what);
	if (k->flags & CONF_F_REPEAT) {
		l = strlen(buf);
		snprintf(buf + l, len - l, "; may repeat");
	}
}

/* Give every key of sec that src says is unset its table default. */
void
conf_apply_defaults(struct loader *ld, enum conf_section sec, void *base,
    struct keysrc *src)
{
	const struct conf_key	*k;
	char			 err[ERR_MAX];
	size_t			 i;

	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		if (k->section != sec || src[i].line != 0 || src[i].bad ||
		    k->def == NULL || k->def[0] == '\0')
			continue;
		if (conf_value_parse(k, base, k->def, ld->cfg->dir, err,
		    sizeof err) == -1)
			errlist_add(ld->errs, "built-in default", 0, "%s",
			    err);
	}
}
