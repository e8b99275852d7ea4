/*
 * fuzz_template.c -- the mail template compiler and renderer, and the
 * words files.
 *
 * An input that starts with "Subject:" is a template: it is parsed, and
 * when valid rendered for a client and for staff, with no check and with
 * two, using values that hold line breaks and template braces.  Any
 * other input is a words.txt, loaded from a private file.
 * Invariants: a template is NULL exactly when there are errors; errors
 * are one printable line each; the rendered Subject is one line; values
 * are never re-read as template syntax.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "sitewatch.h"
#include "template.h"
#include "util.h"

static char	fz_words[64];

/* Remove the words file when the fuzzer or the replay ends. */
static void
fz_cleanup(void)
{
	unlink(fz_words);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	fd;

	(void)argc;
	(void)argv;
	log_init("fuzz_template", 1, 0);
	snprintf(fz_words, sizeof fz_words, "%s/fuzzwords.XXXXXX",
	    fuzz_tmpdir());
	if ((fd = mkstemp(fz_words)) == -1) {
		perror("mkstemp");
		abort();
	}
	close(fd);
	atexit(fz_cleanup);
	return 0;
}

/* Every error line is one printable line. */
static void
fz_check_errs(const struct errlist *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		if (fuzz_has_ctl(errs->lines[i])) {
			fprintf(stderr, "error line with a control byte: %s\n",
			    errs->lines[i]);
			FUZZ_ASSERT(!"error lines are printable");
		}
}

/* Render t four ways and check what comes out. */
static void
fz_render(const struct tmpl *t, size_t srclen)
{
	struct tmpl_item	 items[2];
	struct tmpl_data	 d;
	struct buf		 body;
	char			*subject;
	size_t			 i, v, longest = 0;
	int			 staff, nitems;

	memset(&d, 0, sizeof d);
	memset(items, 0, sizeof items);
	for (v = 0; v < TV_NVARS; v++) {
		/* Hostile values: line breaks and what looks like tags. */
		d.top.v[v] = v % 3 == 0 ? "top\r\nBcc: x@y {{site}}" :
		    v % 3 == 1 ? "" : NULL;
		items[0].v[v] = v % 2 == 0 ? "one\n{{#staff}}" : NULL;
		items[1].v[v] = v % 2 == 1 ? "two {{/checks}}" : "";
	}
	for (v = 0; v < TV_NVARS; v++) {
		if (d.top.v[v] != NULL && strlen(d.top.v[v]) > longest)
			longest = strlen(d.top.v[v]);
		if (items[0].v[v] != NULL && strlen(items[0].v[v]) > longest)
			longest = strlen(items[0].v[v]);
		if (strlen(items[1].v[v]) > longest)
			longest = strlen(items[1].v[v]);
	}
	for (staff = 0; staff <= 1; staff++)
		for (nitems = 0; nitems <= 2; nitems += 2) {
			d.staff = staff;
			d.items = items;
			d.nitems = (size_t)nitems;
			buf_init(&body);
			buf_addstr(&body, "");
			tmpl_render(t, &d, &subject, &body);
			FUZZ_ASSERT(subject != NULL);
			for (i = 0; subject[i] != '\0'; i++)
				FUZZ_ASSERT(subject[i] != '\r' &&
				    subject[i] != '\n');
			/*
			 * Each byte of source is output at most once per
			 * check plus once outside, and a variable puts at
			 * most its longest value: no value is expanded.
			 */
			FUZZ_ASSERT(body.len <= (srclen + 1) * (longest + 1) *
			    (d.nitems + 1));
			free(subject);
			buf_free(&body);
		}
}

/* Load a words file and use every word. */
static void
fz_words_file(const uint8_t *data, size_t size)
{
	static const long long	 secs[] = { -5, 0, 59, 60, 3661, 86400,
	    90061, 1LL << 40 };
	struct errlist		 errs;
	struct words		*w;
	FILE			*f;
	char			*s;
	size_t			 i;
	int			 k;

	if ((f = fopen(fz_words, "wb")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(fz_words);
		abort();
	}
	errlist_init(&errs);
	w = words_load(fz_words, &errs);
	FUZZ_ASSERT((w == NULL) == (errs.n > 0));
	fz_check_errs(&errs);
	if (w != NULL) {
		for (k = -1; k <= SW_CAUSE_COUNT; k++)
			FUZZ_ASSERT(words_cause(w, k) != NULL);
		for (k = -1; k <= SW_STATE_DOWN + 1; k++)
			FUZZ_ASSERT(words_state(w, k) != NULL);
		for (i = 0; i < sizeof secs / sizeof secs[0]; i++) {
			s = words_duration(w, secs[i]);
			FUZZ_ASSERT(s != NULL && *s != '\0');
			free(s);
		}
	}
	words_free(w);
	errlist_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist	 errs;
	struct tmpl	*t;
	char		*text;

	if (size > 65536)
		return 0;
	if (size < 8 || memcmp(data, "Subject:", 8) != 0) {
		fz_words_file(data, size);
		return 0;
	}
	text = fuzz_cstr(data, size);
	errlist_init(&errs);
	t = tmpl_parse("fuzz.txt", text, &errs);
	FUZZ_ASSERT((t == NULL) == (errs.n > 0));
	fz_check_errs(&errs);
	if (t != NULL)
		fz_render(t, strlen(text));
	tmpl_free(t);
	errlist_free(&errs);
	free(text);
	return 0;
}
