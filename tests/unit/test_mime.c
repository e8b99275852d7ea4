/*
 * test_mime.c -- the composed message: RFC 2047 subjects that decode back
 * to the Turkish text, quoted-printable bodies, CRLF everywhere, and
 * header values that cannot inject a header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mime.h"
#include "util.h"
#include "xmalloc.h"

static int
b64val(char c)
{
	const char	*tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
	    "yz0123456789+/";
	const char	*p = strchr(tab, c);

	return c != '\0' && p != NULL ? (int)(p - tab) : -1;
}

/* Decode n chars of base64 onto out. */
static void
b64_decode(struct buf *out, const char *s, size_t n)
{
	unsigned	acc = 0;
	int		bits = 0, v;
	size_t		i;
	char		c;

	for (i = 0; i < n; i++) {
		if ((v = b64val(s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (char)((acc >> bits) & 0xff);
			buf_add(out, &c, 1);
		}
	}
}

/* The unfolded, decoded value of header name in msg; allocated. */
static char *
header_value(const char *msg, const char *name)
{
	struct buf	 raw, out;
	const char	*p, *e, *q, *end;
	size_t		 nl = strlen(name);

	buf_init(&raw);
	buf_addstr(&raw, "");
	for (p = msg; *p != '\0' && !(p[0] == '\r' && p[1] == '\n');
	    p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			for (;;) {
				e = strstr(p, "\r\n");
				buf_add(&raw, p, (size_t)(e - p));
				if (e[2] != ' ' && e[2] != '\t')
					break;
				p = e + 2;
			}
			break;
		}
	}
	/* Decode encoded-words; blanks between two of them vanish. */
	buf_init(&out);
	buf_addstr(&out, "");
	p = raw.data;
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		if (strncmp(p, "=?UTF-8?B?", 10) == 0 &&
		    (end = strstr(p + 10, "?=")) != NULL) {
			b64_decode(&out, p + 10, (size_t)(end - p - 10));
			p = end + 2;
			q = p;
			while (*q == ' ')
				q++;
			if (strncmp(q, "=?", 2) == 0)
				p = q;
			continue;
		}
		buf_add(&out, p, 1);
		p++;
	}
	buf_free(&raw);
	return out.data;
}

static void
build(struct buf *out, const char *from, const char *to, const char *subject,
    const char *body)
{
	struct mime_msg	m;
	const char	*tos[1] = { to };

	memset(&m, 0, sizeof m);
	m.from = from;
	m.to = tos;
	m.nto = 1;
	m.subject = subject;
	m.body = body;
	m.date = 1795000000;
	buf_init(out);
	mime_build(&m, out);
}

/* Every line ends in CRLF, none is longer than 78 (header) / 76 (QP). */
static void
assert_lines_ok(const char *msg)
{
	const char	*p, *e;
	int		 in_body = 0;

	for (p = msg; *p != '\0'; p = e + 2) {
		e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		assert_null(memchr(p, '\r', (size_t)(e - p)));
		assert_true((size_t)(e - p) <= (in_body ? 76 : 78));
		if (e == p)
			in_body = 1;
	}
}

static void
test_subject_turkish_roundtrip(void **state)
{
	const char	*subject = "Şirket sitesi erişilemiyor: çğıİöşü ÇĞÖŞÜ "
	    "— uzun bir konu satırı, katlanması gerekiyor ki satırlar kısa "
	    "kalsın";
	struct buf	 msg;
	char		*v;

	build(&msg, "Site Destek <destek@example.com>", "sahip@shop.example",
	    subject, "Merhaba\n");
	assert_lines_ok(msg.data);
	assert_non_null(strstr(msg.data, "Subject: =?UTF-8?B?"));
	v = header_value(msg.data, "Subject");
	assert_string_equal(v, subject);
	free(v);
	/* Only ASCII in the header section. */
	for (const char *p = msg.data; !(p[0] == '\r' && p[1] == '\n' &&
	    p[2] == '\r'); p++)
		assert_true((unsigned char)*p < 0x80);
	buf_free(&msg);
}

static void
test_plain_subject_folds(void **state)
{
	struct buf	 msg;
	char		*v;
	const char	*s = "DOWN: shop-home (Shop Ltd) and a long tail of words "
	    "that will need folding somewhere before the end [ticket #12]";

	build(&msg, "ops@example.com", "x@example.com", s, "hi\n");
	assert_lines_ok(msg.data);
	v = header_value(msg.data, "Subject");
	assert_string_equal(v, s);
	free(v);
	buf_free(&msg);
}

/* No value can start a header line of its own. */
static void
test_header_injection(void **state)
{
	struct buf	 msg;
	const char	*p;
	char		*v;

	build(&msg, "Evil\r\nBcc: a@evil.example <ops@example.com>",
	    "owner@shop.example\r\nBcc: b@evil.example",
	    "Shop\r\nBcc: x@y\nX-Injected: 1\r\n\r\nbody",
	    "Line\r\nBcc: in body is fine\n");
	assert_lines_ok(msg.data);
	/* Look at the header section only. */
	p = strstr(msg.data, "\r\n\r\n");
	assert_non_null(p);
	for (const char *l = msg.data; l < p; l = strstr(l, "\r\n") + 2) {
		assert_true(strncmp(l, "Bcc:", 4) != 0);
		assert_true(strncmp(l, "X-Injected", 10) != 0);
	}
	v = header_value(msg.data, "Subject");
	assert_string_equal(v, "Shop Bcc: x@y X-Injected: 1 body");
	free(v);
	v = header_value(msg.data, "To");
	/* The address loses everything that could end or split it. */
	assert_null(strchr(v, '\r'));
	assert_null(strchr(v, ' '));
	free(v);
	buf_free(&msg);
}

static void
test_headers_present(void **state)
{
	struct buf	 msg, msg2;
	char		*v, *w;

	build(&msg, "Site Support <support@example.com>", "ops@example.com",
	    "t", "b\n");
	assert_non_null(strstr(msg.data,
	    "Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"));
	assert_non_null(strstr(msg.data,
	    "From: \"Site Support\" <support@example.com>\r\n"));
	assert_non_null(strstr(msg.data, "To: ops@example.com\r\n"));
	assert_non_null(strstr(msg.data, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(msg.data,
	    "Content-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(msg.data,
	    "Content-Transfer-Encoding: quoted-printable\r\n"));
	v = header_value(msg.data, "Message-ID");
	assert_non_null(strstr(v, "@example.com>"));
	build(&msg2, "Site Support <support@example.com>", "ops@example.com",
	    "t", "b\n");
	w = header_value(msg2.data, "Message-ID");
	assert_string_not_equal(v, w);
	free(v);
	free(w);
	buf_free(&msg);
	buf_free(&msg2);

	/* A Turkish display name is encoded, the address is not. */
	build(&msg, "Site Destek Ekibi Şube <destek@example.com.tr>",
	    "ops@example.com", "t", "b\n");
	v = header_value(msg.data, "From");
	assert_string_equal(v, "Site Destek Ekibi Şube <destek@example.com.tr>");
	free(v);
	buf_free(&msg);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

/* Undo quoted-printable: soft breaks vanish, =XX becomes a byte. */
static char *
qp_decode(const char *s)
{
	struct buf	b;
	char		c;

	buf_init(&b);
	buf_addstr(&b, "");
	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=' && hexval(s[1]) >= 0 &&
		    hexval(s[2]) >= 0) {
			c = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			buf_add(&b, &c, 1);
			s += 3;
		} else
			buf_add(&b, s++, 1);
	}
	return b.data;
}

static void
test_body_qp(void **state)
{
	const char	*body = "Merhaba,\n\nSiteniz şu anda erişilemiyor. "
	    "Destek ekibimiz çalışıyor; ğüşıöç ĞÜŞİÖÇ. Bu satır uzun olduğu "
	    "için yumuşak satır sonuyla bölünmeli, ama metin aynı kalmalı.\n"
	    ".leading dot and trailing space \n=equals=\n";
	const char	*want = "Merhaba,\r\n\r\nSiteniz şu anda erişilemiyor. "
	    "Destek ekibimiz çalışıyor; ğüşıöç ĞÜŞİÖÇ. Bu satır uzun olduğu "
	    "için yumuşak satır sonuyla bölünmeli, ama metin aynı kalmalı.\r\n"
	    ".leading dot and trailing space \r\n=equals=\r\n";
	struct buf	 msg;
	char		*dec;
	const char	*b;

	build(&msg, "a@example.com", "b@example.com", "s", body);
	assert_lines_ok(msg.data);
	b = strstr(msg.data, "\r\n\r\n") + 4;
	assert_non_null(strstr(b, "=C5=9F"));	/* ş */
	/* No line of the body opens with a dot (SMTP end of data). */
	assert_null(strstr(b, "\r\n."));
	dec = qp_decode(b);
	assert_string_equal(dec, want);
	free(dec);
	buf_free(&msg);
}

static void
test_addr_spec(void **state)
{
	char	*a;

	a = mime_addr_spec("Site Support <support@example.com>");
	assert_string_equal(a, "support@example.com");
	free(a);
	a = mime_addr_spec("  ops@example.com ");
	assert_string_equal(a, "ops@example.com");
	free(a);
	a = mime_addr_spec("x@y\r\nRCPT TO:<evil@z>");
	assert_null(strchr(a, '\r'));
	assert_null(strchr(a, '<'));
	free(a);
	a = mime_clean("a\r\nb\tc\x01\xff\xc2\x85z");
	assert_string_equal(a, "a  b c ? z");
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_turkish_roundtrip),
		cmocka_unit_test(test_plain_subject_folds),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_headers_present),
		cmocka_unit_test(test_body_qp),
		cmocka_unit_test(test_addr_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
