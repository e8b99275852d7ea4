/*
 * fuzz_status.c -- the expect_status parser ("200-399, 404").
 *
 * Invariants: success means at least one range, each lo <= hi inside
 * 100..599, and status_ranges_match() agrees with a plain reading of the
 * ranges for every code; failure leaves nothing allocated and a message
 * that is one printable line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"

FUZZ_INIT_LOG("fuzz_status")

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_range	*r;
	char			*s, err[256];
	size_t			 n, i;
	int			 code, want, rc;

	if (size > 4096)
		return 0;
	s = fuzz_cstr(data, size);
	err[0] = '\0';
	rc = status_ranges_parse(s, &r, &n, err, sizeof err);
	if (rc == 0) {
		FUZZ_ASSERT(r != NULL && n > 0);
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(r[i].lo >= 100 && r[i].lo <= r[i].hi &&
			    r[i].hi <= 599);
		for (code = -1; code <= 1000; code++) {
			for (want = 0, i = 0; i < n && !want; i++)
				want = code >= r[i].lo && code <= r[i].hi;
			FUZZ_ASSERT(status_ranges_match(r, n, code) == want);
		}
	} else {
		FUZZ_ASSERT(rc == -1 && r == NULL && n == 0);
		FUZZ_ASSERT(err[0] != '\0');
		if (fuzz_has_ctl(err)) {
			fprintf(stderr, "message with a control byte: %s\n",
			    err);
			FUZZ_ASSERT(!"messages are printable");
		}
	}
	free(r);
	free(s);
	return 0;
}
