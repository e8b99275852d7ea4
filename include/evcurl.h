/*
 * evcurl.h -- libcurl's multi socket API driven by a libevent event_base.
 *
 * The only module that knows both libraries.  It runs easy handles and
 * calls back once per handle when the transfer has ended; it knows
 * nothing about HTTP semantics.
 */
#ifndef EVCURL_H
#define EVCURL_H

#include <curl/curl.h>
#include <event2/event.h>

struct evcurl;
struct trust_store;

/*
 * Called exactly once per added handle, after it has left the multi
 * handle.  The callee owns easy from then on (it must clean it up).
 * evcurl_free() calls it with CURLE_ABORTED_BY_CALLBACK for transfers
 * still running.  evcurl uses CURLOPT_PRIVATE and CURLOPT_SHARE of the
 * handles it runs; callers must not set them.  evcurl_add and
 * evcurl_remove must not be called from inside a libcurl callback
 * (write, header, ...); from an evcurl_done_cb they are fine.
 */
typedef void (*evcurl_done_cb)(CURL *easy, CURLcode code, void *arg);

struct evcurl	*evcurl_new(struct event_base *);
/* Abort every running transfer (each gets its callback) and free. */
void		 evcurl_free(struct evcurl *);
/* 0, or the CURLMcode the multi handle refused easy with (no callback). */
int		 evcurl_add(struct evcurl *, CURL *easy, evcurl_done_cb,
		    void *arg);
/* Every transfer leaves from addr ([daemon] source); NULL/"" = any. */
void		 evcurl_set_source(struct evcurl *, const char *addr);
/* Take a running handle out without calling its callback. */
void		 evcurl_remove(struct evcurl *, CURL *easy);
/*
 * An easy handle with default options, new or reused; give it back with
 * evcurl_easy_put (not curl_easy_cleanup) once it is out of the multi
 * handle.  Only a bounded number is kept; the rest are cleaned up.
 */
CURL		*evcurl_easy_get(struct evcurl *);
void		 evcurl_easy_put(struct evcurl *, CURL *easy);
/*
 * The share handle every added transfer uses: the DNS cache only (TLS
 * sessions are not shared: every check makes a full handshake).  The
 * parsed CA store is cached by the multi handle (CURLOPT_CA_CACHE_TIMEOUT).
 */
CURLSH		*evcurl_share(struct evcurl *);
/*
 * Checks with their own ca_file: one parsed store per file, kept here
 * (trust_store.h) because libcurl's cache holds only the system's.
 */
struct trust_store *evcurl_trust(struct evcurl *);

#endif
