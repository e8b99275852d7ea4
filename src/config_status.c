/*
 * config_status.c -- expect_status ranges: "200-399", "200,301,400-404".
 *
 * The grammar lives apart from the loader because the fuzzer and the
 * probe's tests use it on its own (status_ranges_parse is public).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "util.h"
#include "xmalloc.h"

int
status_ranges_parse(const char *s, struct status_range **out, size_t *nout,
    char *err, size_t errlen)
{
	struct status_range	*r = NULL;
	size_t			 n = 0;
	char			*copy, *item, *save = NULL, *dash, *lo, *hi;
	long long		 l, h;
	const char		*errstr;
	char			 b[SHOW_BUF], b2[SHOW_BUF];

	*out = NULL;
	*nout = 0;
	copy = xstrdup(s);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item = conf_rstrip(conf_lskip(item));
		if (*item == '\0')
			continue;
		lo = item;
		hi = NULL;
		if ((dash = strchr(item, '-')) != NULL) {
			*dash = '\0';
			lo = conf_rstrip(item);
			hi = conf_lskip(dash + 1);
		}
		if (util_parse_ll(lo, 0, 100000, &l, &errstr) == -1 ||
		    (hi != NULL &&
		    util_parse_ll(hi, 0, 100000, &h, &errstr) == -1)) {
			if (hi != NULL)
				snprintf(err, errlen, "\"%s-%s\" is not a "
				    "status code or range",
				    conf_show(lo, b, sizeof b),
				    conf_show(hi, b2, sizeof b2));
			else
				snprintf(err, errlen, "\"%s\" is not a status "
				    "code", conf_show(lo, b, sizeof b));
			goto fail;
		}
		if (hi == NULL)
			h = l;
		if (l < 100 || l > 599 || h < 100 || h > 599) {
			snprintf(err, errlen, "%lld is not a status code "
			    "(100..599)", l < 100 || l > 599 ? l : h);
			goto fail;
		}
		if (l > h) {
			snprintf(err, errlen, "range %lld-%lld is backwards",
			    l, h);
			goto fail;
		}
		r = xreallocarray(r, n + 1, sizeof *r);
		r[n].lo = (int)l;
		r[n].hi = (int)h;
		n++;
	}
	free(copy);
	if (n == 0) {
		snprintf(err, errlen, "no status code");
		return -1;
	}
	*out = r;
	*nout = n;
	return 0;
fail:
	free(copy);
	free(r);
	return -1;
}

int
status_ranges_match(const struct status_range *r, size_t n, int status)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (status >= r[i].lo && status <= r[i].hi)
			return 1;
	return 0;
}
