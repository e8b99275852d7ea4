/*
 * mime.c -- compose RFC 5322 / MIME messages.
 *
 * The body is UTF-8 in quoted-printable: the Turkish mails are mostly
 * ASCII with a few two-byte letters, so QP stays readable in the queue and
 * in the .eml files and costs less than base64's fixed third; the English
 * staff mails come out almost unchanged.  Header values are the dangerous
 * part: a site name or a subject comes from config and from checked
 * sites, so every value is cleaned of CR, LF and control bytes before it
 * is written, and anything not plain ASCII is RFC 2047 encoded.
 */
#include <sys/random.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"
#include "utf8.h"
#include "util.h"
#include "xmalloc.h"

/* Encoded-words carry at most this many bytes of UTF-8 each, so that a
 * word (12 + 4/3 of it) plus "Subject: " stays under 78 columns. */
#define EW_CHUNK	39
#define QP_LINE		76
#define DOMAIN_CHARS	"abcdefghijklmnopqrstuvwxyz" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
mime_clean(const char *in)
{
	const unsigned char	*s = (const unsigned char *)in;
	struct buf		 b;
	size_t			 n;

	buf_init(&b);
	buf_addstr(&b, "");
	while (*s != '\0') {
		n = utf8_len(s);
		if (n == 0) {
			/* Not UTF-8: a replacement mark, never a raw byte. */
			buf_add(&b, "?", 1);
			s++;
		} else if (n == 1 && (*s < 0x20 || *s == 0x7f)) {
			buf_add(&b, " ", 1);
			s++;
		} else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			/* C1 controls (NEL among them) are line breaks too. */
			buf_add(&b, " ", 1);
			s += 2;
		} else {
			buf_add(&b, s, n);
			s += n;
		}
	}
	return b.data;
}

/*
 * Nonzero when s can go into a header as it is: printable ASCII, nothing
 * that looks like an encoded-word, and no word too long to fold.
 */
static int
mime_plain_ascii(const char *s)
{
	size_t	run = 0;

	for (; *s != '\0'; s++) {
		run = *s == ' ' ? 0 : run + 1;
		if (run > 60)
			return 0;
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
		if (s[0] == '=' && s[1] == '?')
			return 0;
	}
	return 1;
}

/* Append n bytes of p in base64. */
static void
mime_b64(struct buf *b, const unsigned char *p, size_t n)
{
	char	q[4];
	size_t	i;

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		q[3] = b64[p[i + 2] & 63];
		buf_add(b, q, 4);
	}
	if (n - i == 1) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[(p[i] & 3) << 4];
		q[2] = q[3] = '=';
		buf_add(b, q, 4);
	} else if (n - i == 2) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = b64[(p[i + 1] & 15) << 2];
		q[3] = '=';
		buf_add(b, q, 4);
	}
}

/*
 * Append s (already cleaned) as encoded-words, never splitting a UTF-8
 * sequence, one word per folded line.
 */
static void
mime_encoded_words(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), off = 0, n, k;
	int			 first = 1;

	while (off < len) {
		n = 0;
		while (off + n < len) {
			k = utf8_len(p + off + n);
			if (k == 0)
				k = 1;
			if (n + k > EW_CHUNK)
				break;
			n += k;
		}
		if (!first)
			buf_addstr(b, "\r\n ");
		buf_addstr(b, "=?UTF-8?B?");
		mime_b64(b, p + off, n);
		buf_addstr(b, "?=");
		off += n;
		first = 0;
	}
}

/* Append plain ASCII text, folding at spaces before column 78. */
static void
mime_folded(struct buf *b, const char *s, size_t col)
{
	size_t	w;

	while (*s != '\0') {
		w = strcspn(s, " ");
		buf_add(b, s, w);
		col += w;
		s += w;
		if (*s == ' ') {
			while (*s == ' ')
				s++;
			if (*s == '\0')
				break;
			/* A fold keeps the space: it opens the next line. */
			if (col + 1 + strcspn(s, " ") > 78) {
				buf_addstr(b, "\r\n");
				col = 0;
			}
			buf_add(b, " ", 1);
			col++;
		}
	}
}

void
mime_header_text(struct buf *b, const char *name, const char *value)
{
	char	*v;

	v = mime_clean(value);
	buf_printf(b, "%s: ", name);
	if (mime_plain_ascii(v))
		mime_folded(b, v, strlen(name) + 2);
	else
		mime_encoded_words(b, v);
	buf_addstr(b, "\r\n");
	free(v);
}

/* Split "Name <addr>" into an allocated display name and addr-spec. */
static void
mime_split_addr(const char *in, char **name, char **addr)
{
	const char	*lt, *gt;
	char		*clean, *p, *q;

	clean = mime_clean(in);
	lt = strrchr(clean, '<');
	gt = lt != NULL ? strchr(lt, '>') : NULL;
	if (lt != NULL && gt != NULL) {
		*name = xstrndup(clean, (size_t)(lt - clean));
		*addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	} else {
		*name = xstrdup("");
		*addr = xstrdup(clean);
	}
	free(clean);
	/* The address keeps printable ASCII that cannot end or split it. */
	for (p = q = *addr; *p != '\0'; p++)
		if (*p > ' ' && *p < 0x7f &&
		    strchr("<>,;:\"()\\[]", *p) == NULL)
			*q++ = *p;
	*q = '\0';
	/* The name loses its outer blanks and quotes. */
	for (p = *name; *p == ' ' || *p == '"'; p++)
		;
	memmove(*name, p, strlen(p) + 1);
	for (q = *name + strlen(*name); q > *name && (q[-1] == ' ' ||
	    q[-1] == '"'); q--)
		;
	*q = '\0';
}

char *
mime_addr_spec(const char *in)
{
	char	*name, *addr;

	mime_split_addr(in, &name, &addr);
	free(name);
	return addr;
}

/* Append one mailbox: a quoted or encoded display name and <addr>. */
static void
mime_mailbox(struct buf *b, const char *in)
{
	char		*name, *addr;
	const char	*p;

	mime_split_addr(in, &name, &addr);
	if (*name == '\0') {
		buf_addstr(b, addr);
	} else if (mime_plain_ascii(name)) {
		buf_add(b, "\"", 1);
		for (p = name; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_add(b, "\\", 1);
			buf_add(b, p, 1);
		}
		buf_printf(b, "\" <%s>", addr);
	} else {
		mime_encoded_words(b, name);
		buf_printf(b, " <%s>", addr);
	}
	free(name);
	free(addr);
}

/* RFC 5322 date in UTC, with English names whatever the locale. */
static void
mime_date(struct buf *b, time_t t)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;

	gmtime_r(&t, &tm);
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A Message-ID no other message of ours shares: time, pid, counter, random. */
static void
mime_message_id(struct buf *b, const char *from, time_t t)
{
	static atomic_uint	 counter;
	char			*addr, dom[256];
	size_t			 n = 0, i, at;
	uint32_t		 rnd = 0;

	addr = mime_addr_spec(from);
	at = strcspn(addr, "@");
	for (i = addr[at] == '@' ? at + 1 : 0; addr[i] != '\0' &&
	    n + 1 < sizeof dom; i++)
		if (strchr(DOMAIN_CHARS, addr[i]) != NULL)
			dom[n++] = addr[i];
	dom[n] = '\0';
	if (n == 0)
		strcpy(dom, "sitewatch.invalid");
	if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
		rnd = (uint32_t)rand();
	buf_printf(b, "Message-ID: <%lld.%ld.%u.%08x.sitewatch@%s>\r\n",
	    (long long)t, (long)getpid(), atomic_fetch_add(&counter, 1) + 1,
	    rnd, dom);
	free(addr);
}

void
mime_qp_encode(struct buf *b, const char *text)
{
	const unsigned char	*s = (const unsigned char *)text;
	char			 enc[4];
	size_t			 col = 0, w;
	int			 lit;

	while (*s != '\0') {
		if (*s == '\r' && s[1] == '\n')
			s++;
		if (*s == '\n' || *s == '\r') {
			buf_addstr(b, "\r\n");
			col = 0;
			s++;
			continue;
		}
		/* Literal: printable ASCII but '='; blanks not before a line
		 * end; and no '.' opening a line (SMTP's end of data). */
		lit = (*s >= 33 && *s <= 126 && *s != '=') ||
		    ((*s == ' ' || *s == '\t') && s[1] != '\0' &&
		    s[1] != '\n' && s[1] != '\r');
		if (*s == '.' && col == 0)
			lit = 0;
		if (lit) {
			enc[0] = (char)*s;
			w = 1;
		} else {
			snprintf(enc, sizeof enc, "=%02X", *s);
			w = 3;
		}
		/* Keep room for the soft break's '='. */
		if (col + w > QP_LINE - 1) {
			buf_addstr(b, "=\r\n");
			col = 0;
			if (*s == '.') {
				snprintf(enc, sizeof enc, "=%02X", *s);
				w = 3;
			}
		}
		buf_add(b, enc, w);
		col += w;
		s++;
	}
	if (col > 0)
		buf_addstr(b, "\r\n");
}

void
mime_build(const struct mime_msg *m, struct buf *out)
{
	const struct mime_attach	*a;
	char				 boundary[64], *name, *p;
	size_t				 i, off;

	mime_date(out, m->date);
	buf_addstr(out, "From: ");
	mime_mailbox(out, m->from);
	buf_addstr(out, "\r\nTo: ");
	for (i = 0; i < m->nto; i++) {
		if (i > 0) {
			buf_add(out, ",", 1);
			/* One address a line keeps lines short. */
			buf_addstr(out, "\r\n ");
		}
		mime_mailbox(out, m->to[i]);
	}
	buf_addstr(out, "\r\n");
	mime_header_text(out, "Subject", m->subject);
	mime_message_id(out, m->from, m->date);
	if (m->unsubscribe != NULL) {
		char	*u = mime_clean(m->unsubscribe);

		/* A URL of ours, cleaned: it cannot start a header. */
		buf_printf(out, "List-Unsubscribe: <%s>\r\n"
		    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		    u);
		free(u);
	}
	if (m->nattach == 0) {
		buf_addstr(out, "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n"
		    "Auto-Submitted: auto-generated\r\n"
		    "\r\n");
		mime_qp_encode(out, m->body);
		return;
	}
	/*
	 * "=_" can occur neither in quoted-printable (= is followed by hex
	 * or a line end) nor in base64 (no _), so the boundary never
	 * appears inside a part.
	 */
	snprintf(boundary, sizeof boundary, "=_sitewatch_%lld_%zu",
	    (long long)m->date, m->nattach);
	buf_printf(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n"
	    "--%s\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n", boundary, boundary);
	mime_qp_encode(out, m->body);
	for (i = 0; i < m->nattach; i++) {
		a = &m->attach[i];
		name = mime_clean(a->name);
		for (p = name; *p != '\0'; p++)
			if (*p == '"' || *p == '\\' || (unsigned char)*p > 126)
				*p = '_';
		buf_printf(out, "\r\n--%s\r\n"
		    "Content-Type: %s; name=\"%s\"\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "\r\n", boundary, a->type, name, name);
		free(name);
		/* 57 bytes make a 76-column line. */
		for (off = 0; off < a->len; off += 57) {
			mime_b64(out, a->data + off,
			    a->len - off < 57 ? a->len - off : 57);
			buf_addstr(out, "\r\n");
		}
	}
	buf_printf(out, "\r\n--%s--\r\n", boundary);
}
