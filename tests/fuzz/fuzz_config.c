/*
 * fuzz_config.c -- the config loader: sitewatch.conf and a checks.d file.
 *
 * The input is the main file, optionally followed by a line "%%" and the
 * contents of checks.d/site.conf; both are written to a private folder
 * and loaded with config_load().  Inputs that set checks_dir are skipped:
 * they would make the loader read whatever *.conf files the machine has.
 * Invariants: a NULL config comes with errors and a config without; every
 * error is one printable line naming the file; a loaded config keeps the
 * pairs the loader promises to reconcile.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"
#include "util.h"

static char	 fz_dir[64];
static char	 fz_main[128];
static char	 fz_checks[128];
static char	 fz_site[160];

/* Remove the private folder when the fuzzer or the replay ends. */
static void
fz_cleanup(void)
{
	unlink(fz_site);
	rmdir(fz_checks);
	unlink(fz_main);
	rmdir(fz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_config", 1, 0);
	snprintf(fz_dir, sizeof fz_dir, "%s/fuzzconf.XXXXXX",
	    fuzz_tmpdir());
	if (mkdtemp(fz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fz_main, sizeof fz_main, "%s/sitewatch.conf", fz_dir);
	snprintf(fz_checks, sizeof fz_checks, "%s/checks.d", fz_dir);
	snprintf(fz_site, sizeof fz_site, "%s/site.conf", fz_checks);
	if (mkdir(fz_checks, 0700) == -1) {
		perror("mkdir");
		abort();
	}
	atexit(fz_cleanup);
	return 0;
}

/* Write n bytes to path, replacing it. */
static void
fz_write(const char *path, const uint8_t *p, size_t n)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* Nonzero when [p, p+n) holds needle, ignoring case. */
static int
fz_contains(const uint8_t *p, size_t n, const char *needle)
{
	size_t	len = strlen(needle), i, j;

	for (i = 0; i + len <= n; i++) {
		for (j = 0; j < len; j++)
			if (tolower(p[i + j]) != needle[j])
				break;
		if (j == len)
			return 1;
	}
	return 0;
}

/* Look at what a loaded config promises. */
static void
fz_check_config(const struct config *cfg)
{
	const struct check_conf	*c;
	size_t			 i;
	time_t			 t;

	FUZZ_ASSERT(cfg->checks_dir != NULL && cfg->state_dir != NULL);
	for (i = 0; i < cfg->nchecks; i++) {
		c = cfg->checks[i];
		FUZZ_ASSERT(c->name != NULL && c->url != NULL);
		FUZZ_ASSERT(config_find_check(cfg, c->name) != NULL);
		FUZZ_ASSERT(c->timeout <= c->interval);
		FUZZ_ASSERT(c->slow_ms <= c->down_ms);
		FUZZ_ASSERT(c->nexpect_status > 0);
		FUZZ_ASSERT(status_ranges_match(c->expect_status,
		    c->nexpect_status, c->expect_status[0].lo));
		for (t = 0; t < 8 * 86400; t += 86400 / 3)
			(void)maint_active(c, 1798761600 + t);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist	 errs;
	struct config	*cfg;
	const uint8_t	*sep = NULL, *p;
	size_t		 mainlen = size, i;

	if (size > 65536)
		return 0;
	/* The main file ends at a line "%%"; the rest is checks.d. */
	for (p = data; p + 3 <= data + size; p++)
		if ((p == data || p[-1] == '\n') && memcmp(p, "%%\n", 3) == 0) {
			sep = p;
			break;
		}
	if (sep != NULL)
		mainlen = (size_t)(sep - data);
	if (fz_contains(data, mainlen, "checks_dir"))
		return 0;

	fz_write(fz_main, data, mainlen);
	if (sep != NULL)
		fz_write(fz_site, sep + 3, size - mainlen - 3);
	else
		unlink(fz_site);

	errlist_init(&errs);
	cfg = config_load(fz_main, &errs);
	FUZZ_ASSERT((cfg == NULL) == (errs.n > 0));
	for (i = 0; i < errs.n; i++) {
		FUZZ_ASSERT(strncmp(errs.lines[i], fz_dir,
		    strlen(fz_dir)) == 0);
		if (fuzz_has_ctl(errs.lines[i])) {
			fprintf(stderr, "error line with a control byte: %s\n",
			    errs.lines[i]);
			FUZZ_ASSERT(!"error lines are printable");
		}
	}
	if (cfg != NULL)
		fz_check_config(cfg);
	config_free(cfg);
	errlist_free(&errs);
	return 0;
}
