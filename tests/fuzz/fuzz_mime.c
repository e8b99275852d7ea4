/*
 * fuzz_mime.c -- the mail header and body encoders.
 *
 * The input is up to three NUL-separated parts: a header value (Subject
 * and display name), a From/To mailbox and a body.  Invariants:
 *  - mime_clean() leaves valid (strict) UTF-8 without C0, DEL or C1
 *    controls;
 *  - mime_header_text() writes only printable ASCII, CRLF only to fold
 *    (every line after the first starts with a space) and at the end,
 *    lines of at most 78 columns, and its encoded-words decode to exactly
 *    the cleaned value, each word on its own valid UTF-8;
 *  - mime_addr_spec() keeps nothing that could end or split an address;
 *  - mime_qp_encode() writes ASCII lines of at most 76 columns, none
 *    opening with '.', that decode back to the text;
 *  - mime_build()'s header block holds exactly our headers, each once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "mime.h"
#include "util.h"

FUZZ_INIT_LOG("fuzz_mime")

/* Length of the valid UTF-8 sequence at s (with no C1 control), or 0. */
static size_t
fz_utf8(const unsigned char *s, size_t left)
{
	size_t	n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 2) {
		cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
		if (cp < 0xa0)
			return 0;
	}
	/* Strict: no overlong form, surrogate or code point past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* Nonzero when [s, s+len) is valid UTF-8 free of C1 controls. */
static int
fz_valid_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 off = 0, n;

	while (off < len) {
		if ((n = fz_utf8(p + off, len - off)) == 0)
			return 0;
		off += n;
	}
	return 1;
}

/* The value of one base64 digit, or -1. */
static int
fz_b64val(int c)
{
	const char	*a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*p;

	if (c == '\0' || (p = strchr(a, c)) == NULL)
		return -1;
	return (int)(p - a);
}

/* Decode base64 [s, s+len) onto out; -1 when it is not base64. */
static int
fz_b64dec(const char *s, size_t len, struct buf *out)
{
	size_t		i;
	int		v[4], k;
	unsigned char	o[3];

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = s[i + k] == '=' ? 0 : fz_b64val(s[i + k]);
			if (v[k] < 0)
				return -1;
		}
		o[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		o[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		o[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		k = s[i + 2] == '=' ? 1 : s[i + 3] == '=' ? 2 : 3;
		buf_add(out, o, (size_t)k);
	}
	return 0;
}

/* Check one header as written by mime_header_text("Subject", value). */
static void
fz_header(const char *value)
{
	struct buf	 b, dec;
	char		*clean, *line, *end, *w, *we;
	size_t		 len, start;
	int		 encoded;

	clean = mime_clean(value);
	FUZZ_ASSERT(!fuzz_has_ctl(clean) && strchr(clean, '\t') == NULL);
	FUZZ_ASSERT(fz_valid_utf8(clean, strlen(clean)));

	buf_init(&b);
	mime_header_text(&b, "Subject", value);
	FUZZ_ASSERT(b.len >= 11 && memcmp(b.data, "Subject: ", 9) == 0);
	FUZZ_ASSERT(memcmp(b.data + b.len - 2, "\r\n", 2) == 0);
	encoded = strncmp(b.data + 9, "=?UTF-8?B?", 10) == 0;
	buf_init(&dec);
	buf_addstr(&dec, "");
	for (line = b.data; line < b.data + b.len; line = end + 2) {
		end = strstr(line, "\r\n");
		FUZZ_ASSERT(end != NULL);
		len = (size_t)(end - line);
		FUZZ_ASSERT(len <= 78);
		FUZZ_ASSERT(memchr(line, '\r', len) == NULL &&
		    memchr(line, '\n', len) == NULL);
		for (w = line; w < end; w++)
			FUZZ_ASSERT(*w >= 0x20 && *w < 0x7f);
		/* A fold, never a new header. */
		if (line != b.data)
			FUZZ_ASSERT(*line == ' ');
		if (!encoded)
			continue;
		/* Each line holds one encoded-word. */
		w = line == b.data ? line + 9 : line + 1;
		FUZZ_ASSERT(strncmp(w, "=?UTF-8?B?", 10) == 0);
		w += 10;
		we = end - 2;
		FUZZ_ASSERT(we >= w && strncmp(we, "?=", 2) == 0);
		start = dec.len;
		FUZZ_ASSERT(fz_b64dec(w, (size_t)(we - w), &dec) == 0);
		FUZZ_ASSERT(fz_valid_utf8(dec.data + start, dec.len - start));
	}
	if (encoded)
		FUZZ_ASSERT(strcmp(dec.data, clean) == 0);
	buf_free(&dec);
	buf_free(&b);
	free(clean);
}

/* Check mime_addr_spec() on s. */
static void
fz_addr(const char *s)
{
	char	*a, *p;

	a = mime_addr_spec(s);
	for (p = a; *p != '\0'; p++)
		FUZZ_ASSERT(*p > ' ' && *p < 0x7f &&
		    strchr("<>,;:\"()\\[]", *p) == NULL);
	free(a);
}

/* Check mime_qp_encode() on text: shape and round trip. */
static void
fz_qp(const char *text)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf	 b, dec, want;
	const char	*s, *line, *end;
	size_t		 len, i;
	unsigned	 x;

	buf_init(&b);
	buf_addstr(&b, "");
	mime_qp_encode(&b, text);
	buf_init(&dec);
	buf_addstr(&dec, "");
	for (line = b.data; *line != '\0'; line = end + 2) {
		end = strstr(line, "\r\n");
		FUZZ_ASSERT(end != NULL);
		len = (size_t)(end - line);
		FUZZ_ASSERT(len <= 76);
		FUZZ_ASSERT(len == 0 || *line != '.');
		for (i = 0; i < len; i++) {
			/* QP allows a literal tab, as a space. */
			FUZZ_ASSERT((line[i] >= 0x20 && line[i] < 0x7f) ||
			    line[i] == '\t');
			if (line[i] != '=') {
				buf_add(&dec, line + i, 1);
				continue;
			}
			if (i + 1 == len)
				break;		/* soft line break */
			FUZZ_ASSERT(i + 2 < len &&
			    strchr(hex, line[i + 1]) != NULL &&
			    strchr(hex, line[i + 2]) != NULL);
			x = (unsigned)((strchr(hex, line[i + 1]) - hex) * 16 +
			    (strchr(hex, line[i + 2]) - hex));
			buf_add(&dec, &(char){ (char)x }, 1);
			i += 2;
		}
		if (len == 0 || line[len - 1] != '=')
			buf_add(&dec, "\n", 1);
		/* No line ends in a blank that transport could strip. */
		FUZZ_ASSERT(len == 0 || (line[len - 1] != ' ' &&
		    line[len - 1] != '\t'));
	}
	/* What the decoder should see: LF line ends, a final line end. */
	buf_init(&want);
	buf_addstr(&want, "");
	for (s = text; *s != '\0'; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		buf_add(&want, *s == '\r' ? "\n" : s, 1);
	}
	if (want.len > 0 && want.data[want.len - 1] != '\n')
		buf_add(&want, "\n", 1);
	FUZZ_ASSERT(dec.len == want.len &&
	    memcmp(dec.data, want.data, want.len) == 0);
	buf_free(&want);
	buf_free(&dec);
	buf_free(&b);
}

/* Build a whole message: only our headers, each once, all clean. */
static void
fz_build(const char *subject, const char *addr, const char *body)
{
	static const char	*names[] = { "Date:", "From:", "To:",
	    "Subject:", "Message-ID:", "MIME-Version:", "Content-Type:",
	    "Content-Transfer-Encoding:", "Auto-Submitted:" };
	const size_t		 nnames = sizeof names / sizeof names[0];
	struct mime_msg		 m;
	const char		*to[2];
	struct buf		 b;
	char			*hend, *line, *end;
	int			 seen[sizeof names / sizeof names[0]];
	size_t			 i, k;

	to[0] = addr;
	to[1] = subject;
	memset(&m, 0, sizeof m);
	m.from = addr;
	m.to = to;
	m.nto = 2;
	m.subject = subject;
	m.body = body;
	m.date = 1796000000;
	buf_init(&b);
	buf_addstr(&b, "");
	mime_build(&m, &b);
	FUZZ_ASSERT((hend = strstr(b.data, "\r\n\r\n")) != NULL);
	memset(seen, 0, sizeof seen);
	for (line = b.data; line < hend + 2; line = end + 2) {
		end = strstr(line, "\r\n");
		for (i = 0; line + i < end; i++)
			FUZZ_ASSERT(line[i] >= 0x20 && line[i] < 0x7f &&
			    line[i] != '\r' && line[i] != '\n');
		if (*line == ' ' && line != b.data)
			continue;
		for (k = 0; k < nnames; k++)
			if (strncmp(line, names[k], strlen(names[k])) == 0)
				break;
		if (k == nnames)
			fprintf(stderr, "stray header line: %.*s\n",
			    (int)(end - line), line);
		FUZZ_ASSERT(k < nnames);
		seen[k]++;
	}
	for (k = 0; k < nnames; k++)
		FUZZ_ASSERT(seen[k] == 1);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *part[3];
	size_t		 i, n = 1;

	if (size > 16384)
		return 0;
	/* fuzz_cstr cuts at the first NUL: copy, then split by hand. */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	part[0] = s;
	for (i = 0; i < size && n < 3; i++)
		if (s[i] == '\0')
			part[n++] = s + i + 1;
	for (; n < 3; n++)
		part[n] = part[0];

	fz_header(part[0]);
	fz_addr(part[1]);
	fz_qp(part[2]);
	fz_build(part[0], part[1], part[2]);
	free(s);
	return 0;
}
