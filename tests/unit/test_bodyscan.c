/*
 * test_bodyscan.c -- the chunked text search agrees with a search over the
 * whole body, however the body is cut into chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bodyscan.h"

/* Scan body cut every `step` bytes; return whether it was found. */
static int
scan_steps(const char *needle, const char *body, size_t n, size_t step)
{
	struct bodyscan	s;
	size_t		off, len;
	int		found;

	bodyscan_init(&s, needle);
	for (off = 0; off < n; off += len) {
		len = n - off < step ? n - off : step;
		bodyscan_feed(&s, body + off, len);
	}
	found = s.found;
	bodyscan_free(&s);
	return found;
}

/* Scan body cut at a and b (a <= b). */
static int
scan_cuts(const char *needle, const char *body, size_t n, size_t a, size_t b)
{
	struct bodyscan	s;
	int		found;

	bodyscan_init(&s, needle);
	bodyscan_feed(&s, body, a);
	bodyscan_feed(&s, body + a, b - a);
	bodyscan_feed(&s, body + b, n - b);
	found = s.found;
	bodyscan_free(&s);
	return found;
}

/* Every chunk size and every 3-way cut agree with memmem. */
static void
check_all_cuts(const char *needle, const char *body)
{
	size_t	n = strlen(body), step, a, b;
	int	want;

	want = *needle != '\0' &&
	    memmem(body, n, needle, strlen(needle)) != NULL;
	for (step = 1; step <= n + 1; step++)
		assert_int_equal(scan_steps(needle, body, n, step), want);
	for (a = 0; a <= n; a++)
		for (b = a; b <= n; b++)
			assert_int_equal(scan_cuts(needle, body, n, a, b),
			    want);
}

static void
test_simple(void **state)
{
	check_all_cuts("Add to cart", "<p>Add to cart</p>");
	check_all_cuts("Add to cart", "Add to car");
	check_all_cuts("Add to cart", "dd to cart");
	check_all_cuts("Add to cart", "Add to cartAdd");
	check_all_cuts("Add to cart", "");
	check_all_cuts("x", "abcxdef");
	check_all_cuts("x", "abcdef");
	check_all_cuts("xy", "axbxyc");
	check_all_cuts("xy", "axbyc");
}

/* Self-overlapping needles: partial matches must not hide real ones. */
static void
test_overlapping(void **state)
{
	check_all_cuts("aab", "aaab");
	check_all_cuts("aab", "aaaaaaaaa");
	check_all_cuts("abab", "abaabababa");
	check_all_cuts("abcabd", "abcabcabd");
	check_all_cuts("abcabd", "abcabcab");
}

static void
test_empty_needle(void **state)
{
	struct bodyscan	s;

	bodyscan_init(&s, "");
	bodyscan_feed(&s, "anything", 8);
	assert_int_equal(s.found, 0);
	bodyscan_free(&s);
	bodyscan_init(&s, NULL);
	bodyscan_feed(&s, "anything", 8);
	assert_int_equal(s.found, 0);
	bodyscan_free(&s);
}

/* A needle longer than the on-stack window, cut everywhere. */
static void
test_long_needle(void **state)
{
	char	needle[700], body[2000];
	size_t	i, a;

	for (i = 0; i < sizeof needle - 1; i++)
		needle[i] = 'a' + (char)(i % 23);
	needle[sizeof needle - 1] = '\0';
	memset(body, '.', sizeof body);
	memcpy(body + 1000, needle, strlen(needle));
	body[sizeof body - 1] = '\0';
	for (a = 0; a < sizeof body; a += 7)
		assert_int_equal(scan_cuts(needle, body, strlen(body), a,
		    a + (sizeof body - 1 - a) / 2), 1);
	body[1000 + 350] = '#';
	for (a = 0; a < sizeof body; a += 7)
		assert_int_equal(scan_cuts(needle, body, strlen(body), a,
		    a + (sizeof body - 1 - a) / 2), 0);
}

/* Random bodies over a tiny alphabet, random chunking. */
static void
test_random(void **state)
{
	char		body[200], needle[6];
	size_t		n, k, off, len;
	struct bodyscan	s;
	unsigned	seed = 12345;
	int		round, want;

	for (round = 0; round < 3000; round++) {
		n = (size_t)(rand_r(&seed) % (sizeof body - 1));
		for (off = 0; off < n; off++)
			body[off] = "ab"[rand_r(&seed) % 2];
		body[n] = '\0';
		k = 1 + (size_t)(rand_r(&seed) % (sizeof needle - 1));
		for (off = 0; off < k; off++)
			needle[off] = "ab"[rand_r(&seed) % 2];
		needle[k] = '\0';
		want = memmem(body, n, needle, k) != NULL;
		bodyscan_init(&s, needle);
		for (off = 0; off < n; off += len) {
			len = 1 + (size_t)(rand_r(&seed) % 9);
			if (len > n - off)
				len = n - off;
			bodyscan_feed(&s, body + off, len);
		}
		assert_int_equal(s.found, want);
		bodyscan_free(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_overlapping),
		cmocka_unit_test(test_empty_needle),
		cmocka_unit_test(test_long_needle),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
