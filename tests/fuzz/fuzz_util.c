/*
 * fuzz_util.c -- the small parsers every command and the API lean on:
 * util_parse_ll(), util_parse_time() and log_escape().
 *
 * The first input byte picks log_escape()'s buffer size; bytes 1..16
 * give util_parse_ll() its bounds; the rest is the string.
 * Invariants: log_escape() writes one NUL-terminated line inside the
 * buffer, strict UTF-8 with no C0, DEL or C1 control and no lone
 * backslash, and undoing its escapes gives back a prefix of the input;
 * util_parse_ll() agrees with strtoll() and honours the bounds; a parsed
 * time inside years 0..9999 formats back with util_iso8601() to the same
 * time.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "log.h"
#include "util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_util", 1, 0);
	/* Times parse in UTC whatever the machine says. */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* Nonzero when s is strict UTF-8 (what jansson accepts). */
static int
fz_strict_utf8(const unsigned char *s)
{
	size_t	n, i;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (s[0] < 0xc2 || s[0] > 0xf4)
			return 0;
		n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
		for (i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] >= 0xa0) ||
		    (s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		s += n;
	}
	return 1;
}

/* Check log_escape(s) into a buffer of len bytes. */
static void
fz_escape(const char *s, size_t len)
{
	char			*dst;
	const unsigned char	*p;
	size_t			 i, out, k = 0;
	unsigned		 x;

	/* A guard byte past the buffer catches an overflow without ASan. */
	dst = malloc(len + 1);
	FUZZ_ASSERT(dst != NULL);
	dst[len] = '\x5a';
	log_escape(dst, len, s);
	FUZZ_ASSERT(dst[len] == '\x5a');
	if (len == 0) {
		free(dst);
		return;
	}
	out = strlen(dst);
	FUZZ_ASSERT(out < len);
	/* What is not escaped is text any JSON or UTF-8 reader accepts. */
	FUZZ_ASSERT(fz_strict_utf8((const unsigned char *)dst));
	p = (const unsigned char *)dst;
	for (i = 0; i < out; i++) {
		FUZZ_ASSERT(p[i] >= 0x20 && p[i] != 0x7f);
		/* C1 controls (U+0080..U+009F) are line breaks too. */
		FUZZ_ASSERT(!(p[i] == 0xc2 && i + 1 < out &&
		    p[i + 1] >= 0x80 && p[i + 1] < 0xa0));
		/* Undo the escape: the input's prefix must come back. */
		if (p[i] == '\\') {
			FUZZ_ASSERT(i + 3 < out && p[i + 1] == 'x' &&
			    sscanf(dst + i + 2, "%2x", &x) == 1);
			FUZZ_ASSERT((unsigned char)s[k++] == x);
			i += 3;
		} else
			FUZZ_ASSERT(s[k++] == dst[i]);
	}
	free(dst);
}

/* Check util_parse_ll(s) against strtoll(). */
static void
fz_parse_ll(const char *s, long long min, long long max)
{
	const char	*errstr = "unset";
	long long	 v = 0, ref;
	char		*end;
	int		 rc;

	rc = util_parse_ll(s, min, max, &v, &errstr);
	if (rc == 0) {
		FUZZ_ASSERT(errstr == NULL);
		FUZZ_ASSERT(v >= min && v <= max);
		errno = 0;
		ref = strtoll(s, &end, 10);
		FUZZ_ASSERT(errno == 0 && *end == '\0' && end != s &&
		    ref == v);
	} else {
		FUZZ_ASSERT(rc == -1 && errstr != NULL);
		FUZZ_ASSERT(strcmp(errstr, "invalid") == 0 ||
		    strcmp(errstr, "too small") == 0 ||
		    strcmp(errstr, "too large") == 0);
	}
}

/* Check util_parse_time(s) and the round trip through ISO 8601. */
static void
fz_parse_time(const char *s)
{
	char	 iso[64];
	time_t	 t, back;

	if (util_parse_time(s, &t) != 0)
		return;
	/* -62167219200 is 0000-01-01, 253402300799 is 9999-12-31T23:59:59. */
	if (t < -62167219200LL || t > 253402300799LL)
		return;
	util_iso8601(t, iso, sizeof iso);
	FUZZ_ASSERT(util_parse_time(iso, &back) == 0);
	if (back != t)
		fprintf(stderr, "%s -> %lld -> %s -> %lld\n", s, (long long)t,
		    iso, (long long)back);
	FUZZ_ASSERT(back == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long	 min, max;
	char		*s;
	size_t		 len;

	if (size < 17 || size > 8192)
		return 0;
	len = data[0];
	memcpy(&min, data + 1, sizeof min);
	memcpy(&max, data + 9, sizeof max);
	if (min > max) {
		long long tmp = min;

		min = max;
		max = tmp;
	}
	s = fuzz_cstr(data + 17, size - 17);
	fz_escape(s, len);
	fz_parse_ll(s, min, max);
	fz_parse_ll(s, LLONG_MIN, LLONG_MAX);
	fz_parse_time(s);
	free(s);
	return 0;
}
