/*
 * checker_health.c -- which failures are the checker's own, and whether
 * the checker is impaired.
 *
 * DESIGN
 * A site can only be judged down by what the system said about the
 * network: a refused or reset connection, an unreachable host, a
 * timeout.  When the system said something about us instead (no
 * descriptor, no memory, an address we may not bind), the check was
 * never made, and blaming the site would send a false outage mail to a
 * client.  The tables below are the one place that decides; they look
 * at the error the system returned (CURLINFO_OS_ERRNO, or the errno our
 * own socket() saw), never at timing or at how many checks failed.
 *
 * Impaired is on from the first local failure and off once no local
 * failure has been seen for HEALTH_CLEAR_MS and a check has been
 * measured since: one transition each way, however many checks failed,
 * so staff get one mail when it starts and one when it ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "checker_health.h"
#include "log.h"
#include "xmalloc.h"

/* Quiet time after the last local failure before impaired ends. */
#define HEALTH_CLEAR_MS		30000

static const struct {
	const char	*name;
	const char	*text;
} local_kinds[LOCAL_NKINDS] = {
	[LOCAL_NONE] = { "none", "no local fault" },
	[LOCAL_DESCRIPTORS] = { "descriptors", "no file descriptor left" },
	[LOCAL_MEMORY] = { "memory", "out of memory" },
	[LOCAL_SOCKET] = { "socket", "cannot open a socket" },
	[LOCAL_SOURCE] = { "source", "source address unusable" },
	[LOCAL_RESOLVER] = { "resolver", "resolver thread did not start" },
	[LOCAL_TRANSFER] = { "transfer", "libcurl refused the transfer" },
};

const char *
local_kind_name(enum local_kind k)
{
	if ((unsigned)k >= LOCAL_NKINDS)
		return "invalid";
	return local_kinds[k].name;
}

const char *
local_kind_text(enum local_kind k)
{
	if ((unsigned)k >= LOCAL_NKINDS)
		return "invalid";
	return local_kinds[k].text;
}

/*
 * errno -> whose fault.  Local: the process or the host ran out of
 * something, or our own host refused.  Everything else (ECONNREFUSED,
 * ECONNRESET, ENETUNREACH, EHOSTUNREACH, ETIMEDOUT, EPIPE, ...) is what
 * the network or the site answered, and stays the site's.
 *
 *   EMFILE, ENFILE		descriptors (process / system table full)
 *   ENOMEM, ENOBUFS		memory (kernel or process)
 *   EADDRNOTAVAIL		socket: no local address/port to use
 *   EAFNOSUPPORT,
 *   EPROTONOSUPPORT		socket: this host cannot make such a socket
 *   EPERM, EACCES		socket: our own firewall or policy said no
 */
enum local_kind
local_errno_kind(int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
		return LOCAL_DESCRIPTORS;
	case ENOMEM:
	case ENOBUFS:
		return LOCAL_MEMORY;
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case EPERM:
	case EACCES:
		return LOCAL_SOCKET;
	default:
		return LOCAL_NONE;
	}
}

/*
 * libcurl's result -> whose fault.  Where each error goes:
 *
 *   CURLE_OUT_OF_MEMORY		local: memory, but only while the site has
 *				sent nothing: libcurl 7.88 also says it
 *				when a site's header line outgrows its
 *				buffer cap (a hostile site, not us)
 *   CURLE_FAILED_INIT,
 *   CURLE_AGAIN,
 *   CURLE_RECURSIVE_API_CALL	local: transfer (libcurl's own state)
 *   CURLE_INTERFACE_FAILED	local: bind() to [daemon] source failed;
 *				by errno (EMFILE.. as above), otherwise
 *				source (EADDRNOTAVAIL: the address is gone)
 *   CURLE_COULDNT_RESOLVE_HOST	local: resolver, only when libcurl says
 *				its resolver thread did not start (its
 *				socketpair or pthread_create failed); else
 *				the site's (dns)
 *   CURLE_COULDNT_CONNECT	local when our socket() failed (sock_errno)
 *				or connect() failed with a local errno;
 *				the site's for refused, unreachable, reset
 *   CURLE_SEND_ERROR,
 *   CURLE_RECV_ERROR		local only for a local errno (ENOBUFS..)
 *   everything else		the site's (timeouts, TLS, HTTP, ...): the
 *				errno libcurl keeps is stale for those
 */
enum local_kind
local_curl_kind(int code, long os_errno, int sock_errno, const char *errtext,
    long long received)
{
	enum local_kind	k;

	switch (code) {
	case CURLE_OK:
		return LOCAL_NONE;
	case CURLE_OUT_OF_MEMORY:
		return received > 0 ? LOCAL_NONE : LOCAL_MEMORY;
	case CURLE_FAILED_INIT:
	case CURLE_AGAIN:
	case CURLE_RECURSIVE_API_CALL:
		return LOCAL_TRANSFER;
	case CURLE_INTERFACE_FAILED:
		k = local_errno_kind((int)os_errno);
		if (k == LOCAL_DESCRIPTORS || k == LOCAL_MEMORY)
			return k;
		return LOCAL_SOURCE;
	case CURLE_COULDNT_RESOLVE_HOST:
		/* libcurl 7.88 asyn-thread.c: the one text for that path. */
		if (errtext != NULL &&
		    strstr(errtext, "thread failed to start") != NULL)
			return LOCAL_RESOLVER;
		return LOCAL_NONE;
	case CURLE_COULDNT_CONNECT:
		if (sock_errno != 0) {
			k = local_errno_kind(sock_errno);
			return k != LOCAL_NONE ? k : LOCAL_SOCKET;
		}
		return local_errno_kind((int)os_errno);
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		k = local_errno_kind((int)os_errno);
		/* EPERM/EACCES mid-transfer is no socket we failed to open. */
		return k == LOCAL_DESCRIPTORS || k == LOCAL_MEMORY ? k :
		    LOCAL_NONE;
	default:
		return LOCAL_NONE;
	}
}

struct checker_health {
	unsigned long long	 failures[LOCAL_NKINDS];
	int			 impaired;
	uint64_t		 last_local_ms;
	checker_health_cb	 cb;
	void			*arg;
};

struct checker_health *
checker_health_new(void)
{
	return xcalloc(1, sizeof(struct checker_health));
}

void
checker_health_free(struct checker_health *h)
{
	free(h);
}

void
checker_health_set_cb(struct checker_health *h, checker_health_cb cb,
    void *arg)
{
	h->cb = cb;
	h->arg = arg;
}

void
checker_health_local(struct checker_health *h, enum local_kind kind,
    const char *message, uint64_t now_ms)
{
	if (kind <= LOCAL_NONE || kind >= LOCAL_NKINDS)
		kind = LOCAL_TRANSFER;
	h->failures[kind]++;
	h->last_local_ms = now_ms;
	if (h->impaired)
		return;
	h->impaired = 1;
	log_warn("checker impaired: %s (%s); checks that cannot be made are "
	    "unknown, not down", local_kind_text(kind),
	    message != NULL ? message : "");
	if (h->cb != NULL)
		h->cb(1, kind, message, h->arg);
}

void
checker_health_measured(struct checker_health *h, uint64_t now_ms)
{
	if (!h->impaired || now_ms - h->last_local_ms < HEALTH_CLEAR_MS)
		return;
	h->impaired = 0;
	log_info("checker no longer impaired: checks are measured again");
	if (h->cb != NULL)
		h->cb(0, LOCAL_NONE, NULL, h->arg);
}

int
checker_health_impaired(const struct checker_health *h)
{
	return h != NULL && h->impaired;
}

unsigned long long
checker_health_failures(const struct checker_health *h, enum local_kind k)
{
	if (h == NULL || (unsigned)k >= LOCAL_NKINDS)
		return 0;
	return h->failures[k];
}
