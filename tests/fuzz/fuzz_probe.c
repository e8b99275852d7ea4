/*
 * fuzz_probe.c -- what a hostile website controls in a probe: the body
 * that bodyscan searches chunk by chunk, and the reason phrase, error
 * text, status and timings that result_classify() turns into a message.
 *
 * Input: a needle length byte and the needle (expect_text), an outcome
 * byte, a 32-bit status, a 32-bit time in 1/16 ms, a 16-bit days-left,
 * a length byte and the reason phrase, a length byte and curl's error
 * text, then body chunks, each a length byte and its bytes.
 * Invariants: bodyscan finds the needle exactly when memmem() finds it
 * in the whole body, however it is cut; the result's message is one
 * printable line, its state and cause are in range, "up" agrees with
 * the state, and an answer that does not match expect_status is never up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "config.h"
#include "fuzz.h"
#include "log.h"
#include "result.h"
#include "sitewatch.h"

struct fz_in {
	const uint8_t	*p;
	size_t		 left;
};

FUZZ_INIT_LOG("fuzz_probe")

/* Take up to n bytes; returns how many were there. */
static size_t
fz_take(struct fz_in *in, void *out, size_t n)
{
	if (n > in->left)
		n = in->left;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return n;
}

/* A length byte, then that many bytes as a C string (cut at a NUL). */
static void
fz_str(struct fz_in *in, char *out, size_t outlen)
{
	uint8_t	n = 0;
	size_t	got;

	fz_take(in, &n, 1);
	if (n >= outlen)
		n = (uint8_t)(outlen - 1);
	got = fz_take(in, out, n);
	out[got] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct status_range ranges[] = { { 200, 299 },
	    { 301, 301 } };
	struct fz_in		 in = { data, size };
	struct check_conf	 c;
	struct probe_raw	 raw;
	struct bodyscan		 bs;
	struct result		 r;
	struct buf		 body;
	char			 needle[64];
	uint8_t			 outcome = 0, n;
	int32_t			 status = 0;
	uint32_t		 ms16 = 0;
	int16_t			 days = 0;
	uint8_t			 chunk[256];
	size_t			 got;
	const char		*p;

	if (size > 16384)
		return 0;
	fz_str(&in, needle, sizeof needle);
	memset(&raw, 0, sizeof raw);
	fz_take(&in, &outcome, 1);
	fz_take(&in, &status, sizeof status);
	fz_take(&in, &ms16, sizeof ms16);
	fz_take(&in, &days, sizeof days);
	fz_str(&in, raw.reason, sizeof raw.reason);
	fz_str(&in, raw.detail, sizeof raw.detail);

	/* The body, fed in the chunks the input cuts it into. */
	bodyscan_init(&bs, needle);
	buf_init(&body);
	buf_addstr(&body, "");
	while (in.left > 0) {
		n = 0;
		fz_take(&in, &n, 1);
		got = fz_take(&in, chunk, n);
		bodyscan_feed(&bs, (const char *)chunk, got);
		buf_add(&body, chunk, got);
	}
	if (needle[0] != '\0')
		FUZZ_ASSERT(bs.found == (memmem(body.data, body.len, needle,
		    strlen(needle)) != NULL));
	else
		FUZZ_ASSERT(!bs.found);
	FUZZ_ASSERT(bs.tail_len < sizeof needle);

	memset(&c, 0, sizeof c);
	c.name = "fuzz";
	c.url = "http://127.0.0.1/";
	c.interval = 60;
	c.timeout = 10;
	c.expect_status = (struct status_range *)ranges;
	c.nexpect_status = outcome & 0x80 ? 0 : 2;
	c.expect_text = needle;
	c.slow_ms = 1000;
	c.down_ms = 5000;
	c.cert_warn_days = 14;
	raw.outcome = (enum transport_outcome)(outcome % 11);
	raw.http_status = status;
	raw.text_found = bs.found;
	raw.bytes = (long long)body.len;
	raw.total_ms = ms16 / 16.0;
	raw.ttfb_ms = raw.total_ms / 2;
	/* The 16 bits read as hours left: both sides of every boundary. */
	raw.has_cert = days != -1;
	raw.cert_secs_left = (long long)days * 3600;

	memset(&r, 0, sizeof r);
	result_classify(&c, &raw, &r);
	FUZZ_ASSERT(memchr(r.message, '\0', sizeof r.message) != NULL);
	if (fuzz_has_ctl(r.message)) {
		fprintf(stderr, "message with a control byte: %s\n", r.message);
		FUZZ_ASSERT(!"messages are printable");
	}
	for (p = r.message; *p != '\0'; p++)
		FUZZ_ASSERT(*p != '\t');
	FUZZ_ASSERT((unsigned)r.state <= SW_STATE_DOWN);
	FUZZ_ASSERT((unsigned)r.cause < SW_CAUSE_COUNT);
	FUZZ_ASSERT(r.up == (r.state == SW_STATE_UP ||
	    r.state == SW_STATE_DEGRADED));
	if (r.up && c.nexpect_status > 0)
		FUZZ_ASSERT(status_ranges_match(c.expect_status,
		    c.nexpect_status, (int)raw.http_status));
	if (r.up && needle[0] != '\0')
		FUZZ_ASSERT(bs.found);

	bodyscan_free(&bs);
	buf_free(&body);
	return 0;
}
