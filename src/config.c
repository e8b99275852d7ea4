/* config.c -- STUB: replaced by the configuration loader. */
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct config *
config_load(const char *path, struct errlist *errs)
{
	errlist_add(errs, path, 0, "configuration loader not built yet");
	return NULL;
}

void
config_free(struct config *cfg)
{
	free(cfg);
}

const struct check_conf *
config_find_check(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nchecks; i++)
		if (strcmp(cfg->checks[i]->name, name) == 0)
			return cfg->checks[i];
	return NULL;
}

int
status_ranges_parse(const char *s, struct status_range **out, size_t *nout,
    char *err, size_t errlen)
{
	*out = NULL;
	*nout = 0;
	return -1;
}

int
status_ranges_match(const struct status_range *r, size_t n, int status)
{
	return 0;
}

int
maint_active(const struct check_conf *c, time_t t)
{
	return 0;
}

void
config_dump_keys(void)
{
}
