/*
 * bodyscan.c -- find a text in a body that arrives in chunks.
 */
#include <stdlib.h>
#include <string.h>

#include "bodyscan.h"
#include "xmalloc.h"

/* Start a scan for needle (not copied: it must outlive the scan). */
void
bodyscan_init(struct bodyscan *s, const char *needle)
{
	memset(s, 0, sizeof *s);
	if (needle == NULL || *needle == '\0')
		return;
	s->needle = needle;
	s->len = strlen(needle);
	if (s->len > 1)
		s->tail = xmalloc(s->len - 1);
}

/* Feed the next n bytes of the body. */
void
bodyscan_feed(struct bodyscan *s, const char *data, size_t n)
{
	size_t	 k = s->len, head, keep;
	char	 win[512];
	char	*w = win;

	if (s->found || k == 0 || n == 0)
		return;
	/* A match that starts in the tail and ends in this chunk. */
	if (s->tail_len > 0) {
		head = n < k - 1 ? n : k - 1;
		if (s->tail_len + head > sizeof win)
			w = xmalloc(s->tail_len + head);
		memcpy(w, s->tail, s->tail_len);
		memcpy(w + s->tail_len, data, head);
		if (memmem(w, s->tail_len + head, s->needle, k) != NULL)
			s->found = 1;
		if (w != win)
			free(w);
		if (s->found)
			return;
	}
	if (memmem(data, n, s->needle, k) != NULL) {
		s->found = 1;
		return;
	}
	if (k == 1)
		return;
	/* Keep the last k-1 bytes of tail+chunk for the next boundary. */
	if (n >= k - 1) {
		memcpy(s->tail, data + n - (k - 1), k - 1);
		s->tail_len = k - 1;
	} else {
		keep = s->tail_len + n > k - 1 ? k - 1 - n : s->tail_len;
		memmove(s->tail, s->tail + s->tail_len - keep, keep);
		memcpy(s->tail + keep, data, n);
		s->tail_len = keep + n;
	}
}

void
bodyscan_free(struct bodyscan *s)
{
	free(s->tail);
	s->tail = NULL;
	s->tail_len = 0;
}
