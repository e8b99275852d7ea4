/*
 * checker_health.h -- the checker's own trouble, told apart from a site's.
 *
 * A check that could not be made for a local reason (no descriptor, no
 * memory, no socket, the source address gone, the resolver thread not
 * started, libcurl refusing the transfer) is "unknown", never "down"
 * (SPEC "Results and causes").  This module holds the one table that
 * says which libcurl and system errors are local, counts local failures
 * by kind, and decides when the monitor is impaired: on at the first
 * local failure, off once checks have been measured again for a while.
 * It tells its owner once per transition.
 */
#ifndef CHECKER_HEALTH_H
#define CHECKER_HEALTH_H

#include <stdint.h>

/* Why a check could not be made; LOCAL_NONE: it was (or the site failed). */
enum local_kind {
	LOCAL_NONE = 0,
	LOCAL_DESCRIPTORS,	/* EMFILE, ENFILE */
	LOCAL_MEMORY,		/* ENOMEM, ENOBUFS, CURLE_OUT_OF_MEMORY */
	LOCAL_SOCKET,		/* socket()/connect() refused locally */
	LOCAL_SOURCE,		/* the configured source address unusable */
	LOCAL_RESOLVER,		/* the resolver thread did not start */
	LOCAL_TRANSFER,		/* libcurl could not create or take it */
	LOCAL_NKINDS
};

/* "descriptors", "memory", ...: the /metrics label. */
const char	*local_kind_name(enum local_kind);
/* "no file descriptor left", ...: for messages. */
const char	*local_kind_text(enum local_kind);

/* The system error alone: local kind, or LOCAL_NONE (a remote error). */
enum local_kind	 local_errno_kind(int err);

/*
 * How a libcurl transfer ended, judged: code is its CURLcode, os_errno
 * CURLINFO_OS_ERRNO, sock_errno what our socket() saw (0 if it worked),
 * errtext libcurl's error buffer, received the bytes the site sent
 * (headers and body).  Pure, so it is unit-tested.
 */
enum local_kind	 local_curl_kind(int code, long os_errno, int sock_errno,
		    const char *errtext, long long received);

struct checker_health;

/* Called once when the checker becomes impaired (on = 1) or recovers. */
typedef void	(*checker_health_cb)(int on, enum local_kind kind,
		    const char *message, void *arg);

struct checker_health	*checker_health_new(void);
void			 checker_health_free(struct checker_health *);
void			 checker_health_set_cb(struct checker_health *,
			    checker_health_cb, void *arg);
/* A check could not be made: count it, maybe turn impaired on. */
void			 checker_health_local(struct checker_health *,
			    enum local_kind, const char *message,
			    uint64_t now_ms);
/* A check was measured (whatever the site did): maybe turn it off. */
void			 checker_health_measured(struct checker_health *,
			    uint64_t now_ms);
int			 checker_health_impaired(
			    const struct checker_health *);
unsigned long long	 checker_health_failures(
			    const struct checker_health *, enum local_kind);

#endif
