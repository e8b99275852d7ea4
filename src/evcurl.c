/* evcurl.c -- STUB: replaced by the libcurl/libevent glue. */
#include <stdlib.h>

#include "evcurl.h"

struct evcurl *
evcurl_new(struct event_base *base)
{
	return NULL;
}

void
evcurl_free(struct evcurl *ec)
{
}

int
evcurl_add(struct evcurl *ec, CURL *easy, evcurl_done_cb cb, void *arg)
{
	return -1;
}

void
evcurl_remove(struct evcurl *ec, CURL *easy)
{
}

CURLSH *
evcurl_share(struct evcurl *ec)
{
	return NULL;
}

unsigned
evcurl_running(const struct evcurl *ec)
{
	return 0;
}
