/*
 * bodyscan.h -- find a text in a body that arrives in chunks, without
 * keeping the body.
 *
 * Only the last strlen(needle)-1 bytes are kept between chunks, so a
 * match split across any chunk boundary is still found and memory stays
 * bounded by the needle, not the page.
 */
#ifndef BODYSCAN_H
#define BODYSCAN_H

#include <stddef.h>

struct bodyscan {
	const char	*needle;	/* NULL or "": nothing to find */
	size_t		 len;
	char		*tail;		/* last len-1 bytes seen */
	size_t		 tail_len;
	int		 found;
};

/* Start a scan for needle (not copied: it must outlive the scan). */
void	bodyscan_init(struct bodyscan *, const char *needle);
/* Feed the next n bytes of the body. */
void	bodyscan_feed(struct bodyscan *, const char *, size_t n);
void	bodyscan_free(struct bodyscan *);

#endif
