/*
 * hook_send.c -- queued notifications to HTTP requests, sent together on
 * one curl multi, each judged sent, retry later, or failed for good.
 *
 * DESIGN: this runs on the notification sender's bio thread (or in the
 * CLI), never on the event loop, and blocks for at most HOOK_TIMEOUT_S
 * however many requests are out, because they all run at once on one
 * multi handle driven by curl_multi_poll.  The loop's own evcurl multi
 * is left to the checks: a channel, however slow, then never takes a
 * probe's slot, and its requests need no loop time at all.
 *
 * An endpoint is not trusted: the whole request has a deadline, the
 * response body and headers are read only up to a bound (then the
 * transfer is cut), no redirect is followed and only http and https are
 * spoken (a url, a redirect or a proxy variable cannot bring in another
 * protocol).  What an endpoint answers is shown to staff only cleaned
 * and cut short, and a url is never shown: it may hold a token.
 *
 * Verdicts: 2xx sent; a connection error, a timeout, 408, 429 and 5xx a
 * retry (with the Retry-After, seconds or an HTTP date, when given);
 * anything else (other 4xx, a 3xx: we follow no redirect) failed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "hook.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif
#define HOOK_USER_AGENT		"sitewatch/" PACKAGE_VERSION

#define TELEGRAM_API	"https://api.telegram.org"
#define MATRIX_API	"https://matrix-client.matrix.org"
#define PAGERDUTY_API	"https://events.pagerduty.com"

/* One request in flight. */
struct hreq {
	struct hook_job		*job;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*url;
	char			*body;
	size_t			 body_len;
	char			 resp[256];	/* the answer's start */
	size_t			 resp_len;
	size_t			 resp_total;
	size_t			 header_total;
	long			 retry_after;
	char			 errbuf[CURL_ERROR_SIZE];
};

/* Response body: keep the start for the staff, read up to a bound. */
static size_t
hreq_write(char *p, size_t size, size_t n, void *arg)
{
	struct hreq	*r = arg;
	size_t		 len = size * n, room;

	r->resp_total += len;
	if (r->resp_total > HOOK_BODY_MAX)
		return 0;		/* cut: CURLE_WRITE_ERROR */
	room = sizeof r->resp - 1 - r->resp_len;
	if (room > len)
		room = len;
	memcpy(r->resp + r->resp_len, p, room);
	r->resp_len += room;
	r->resp[r->resp_len] = '\0';
	return len;
}

/* "Retry-After: 120" or an HTTP date, in seconds from now; 0 if none. */
static long
retry_after_parse(const char *v)
{
	char		*end;
	long		 n;
	time_t		 t;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		n = strtol(v, &end, 10);
		return n > 0 ? n : 0;
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return 0;
	n = (long)(t - time(NULL));
	return n > 0 ? n : 0;
}

/* Response headers: counted against a bound; Retry-After noted. */
static size_t
hreq_header(char *p, size_t size, size_t n, void *arg)
{
	struct hreq	*r = arg;
	size_t		 len = size * n;
	char		 line[128];

	r->header_total += len;
	if (r->header_total > HOOK_HEADERS_MAX)
		return 0;
	if (len > 12 && len < sizeof line &&
	    strncasecmp(p, "Retry-After:", 12) == 0) {
		memcpy(line, p + 12, len - 12);
		line[len - 12] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		r->retry_after = retry_after_parse(line);
	}
	return len;
}

/* HMAC-SHA256(secret, body) in lower-case hex. */
static void
hmac_hex(const char *secret, const char *body, size_t len, char *out,
    size_t outlen)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)body, len, md, &mdlen) == NULL)
		fatal("HMAC-SHA256 failed");
	for (i = 0; i < mdlen && 2 * i + 2 < outlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* base without a trailing '/', then path. */
static char *
url_join(const char *base, const char *path)
{
	size_t	len = strlen(base);
	char	*s;

	while (len > 0 && base[len - 1] == '/')
		len--;
	xasprintf(&s, "%.*s%s", (int)len, base, path);
	return s;
}

/* A header line without CR or LF (the value came from a check). */
static struct curl_slist *
header_add(struct curl_slist *h, const char *name, const char *value)
{
	struct curl_slist	*n;
	char			*line, *p;

	xasprintf(&line, "%s: %s", name, value);
	for (p = line; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	if ((n = curl_slist_append(h, line)) == NULL)
		fatal("curl_slist_append: out of memory");
	free(line);
	return n;
}

/*
 * The ntfy envelope (hook_format.c) to headers and a text body; 0, or -1
 * when the row is not one.
 */
static int
ntfy_unpack(struct hreq *r, const char *env)
{
	json_t		*o;
	const char	*title, *prio, *tags, *msg;
	struct buf	 b;
	char		*t, *o2;

	if ((o = json_loads(env, 0, NULL)) == NULL)
		return -1;
	title = json_string_value(json_object_get(o, "title"));
	prio = json_string_value(json_object_get(o, "priority"));
	tags = json_string_value(json_object_get(o, "tags"));
	msg = json_string_value(json_object_get(o, "message"));
	if (msg == NULL) {
		json_decref(o);
		return -1;
	}
	if (title != NULL) {
		/* Headers are ASCII: ntfy decodes RFC 2047 words. */
		buf_init(&b);
		mime_header_text(&b, "Title", title);
		for (t = b.data, o2 = b.data; *t != '\0'; t++)
			if (*t != '\r' && *t != '\n')
				*o2++ = *t;
		*o2 = '\0';
		r->headers = header_add(r->headers, "Title", b.data + 7);
		buf_free(&b);
	}
	if (prio != NULL)
		r->headers = header_add(r->headers, "Priority", prio);
	if (tags != NULL)
		r->headers = header_add(r->headers, "Tags", tags);
	r->headers = header_add(r->headers, "Content-Type",
	    "text/plain; charset=utf-8");
	r->body = xstrdup(msg);
	json_decref(o);
	return 0;
}

/* PagerDuty: the queued event with the routing key put in. */
static int
pagerduty_pack(struct hreq *r, const char *body, const char *key)
{
	json_t	*o;
	char	*s;

	if ((o = json_loads(body, 0, NULL)) == NULL || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	json_object_set_new(o, "routing_key", json_string(key));
	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatal("json_dumps: out of memory");
	r->body = xstrdup(s);
	free(s);
	json_decref(o);
	return 0;
}

/*
 * Build the request of one job: url, method, headers and body.  0, or -1
 * with job->answer said (then the job has failed).
 */
static int
hreq_build(struct hreq *r, CURL *easy)
{
	const struct notify_conf	*nc = r->job->nc;
	const struct mail_row		*row = r->job->row;
	char				 sig[2 * EVP_MAX_MD_SIZE + 1];
	char				*path, *room, *hv;
	int				 put = 0;

	r->headers = header_add(r->headers, "User-Agent", HOOK_USER_AGENT);
	switch (nc->type) {
	case NOTIFY_TELEGRAM:
		xasprintf(&path, "/bot%s/sendMessage", nc->token);
		r->url = url_join(nc->url != NULL ? nc->url : TELEGRAM_API,
		    path);
		free(path);
		r->body = xstrdup(row->message);
		break;
	case NOTIFY_MATRIX:
		if ((room = curl_easy_escape(easy, nc->chat, 0)) == NULL)
			fatal("curl_easy_escape: out of memory");
		/* The row id as txn id: a retry is the same message. */
		xasprintf(&path, "/_matrix/client/v3/rooms/%s/send/"
		    "m.room.message/sitewatch-%lld", room, row->id);
		curl_free(room);
		r->url = url_join(nc->url != NULL ? nc->url : MATRIX_API,
		    path);
		free(path);
		r->body = xstrdup(row->message);
		put = 1;
		break;
	case NOTIFY_PAGERDUTY:
		r->url = url_join(nc->url != NULL ? nc->url : PAGERDUTY_API,
		    "/v2/enqueue");
		if (pagerduty_pack(r, row->message, nc->token) == -1)
			goto bad_row;
		break;
	case NOTIFY_NTFY:
		r->url = xstrdup(nc->url);
		if (ntfy_unpack(r, row->message) == -1)
			goto bad_row;
		break;
	default:
		r->url = xstrdup(nc->url);
		r->body = xstrdup(row->message);
		break;
	}
	if (nc->type != NOTIFY_NTFY)
		r->headers = header_add(r->headers, "Content-Type",
		    "application/json");
	if (nc->type == NOTIFY_WEBHOOK && nc->secret != NULL) {
		hmac_hex(nc->secret, r->body, strlen(r->body), sig,
		    sizeof sig);
		xasprintf(&hv, "sha256=%s", sig);
		r->headers = header_add(r->headers, "X-Sitewatch-Signature",
		    hv);
		free(hv);
	}
	if ((nc->type == NOTIFY_MATRIX || nc->type == NOTIFY_NTFY) &&
	    nc->token != NULL) {
		xasprintf(&hv, "Bearer %s", nc->token);
		r->headers = header_add(r->headers, "Authorization", hv);
		free(hv);
	}
	/* libcurl would send "Expect: 100-continue" for a large body. */
	r->headers = header_add(r->headers, "Expect", "");
	r->body_len = strlen(r->body);

	curl_easy_setopt(easy, CURLOPT_URL, r->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, (long)HOOK_TIMEOUT_S);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, (long)HOOK_CONNECT_S);
	curl_easy_setopt(easy, CURLOPT_MAXFILESIZE, (long)HOOK_BODY_MAX);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)r->body_len);
	if (put)
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, hreq_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, hreq_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	/* The system CA store, cached between handshakes (PLATFORM.md). */
	curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
	return 0;

bad_row:
	snprintf(r->job->answer, sizeof r->job->answer,
	    "the queued message is not one a %s channel can send",
	    notify_type_name(nc->type));
	return -1;
}

/* The start of what the endpoint said, fit for a log line. */
static void
hreq_said(struct hreq *r, char *out, size_t len)
{
	char	*clean;

	clean = mime_clean(r->resp);
	snprintf(out, len, "%.120s", clean);
	free(clean);
}

/* Judge a finished request. */
static void
hreq_judge(struct hreq *r, CURLcode rc)
{
	struct hook_job	*job = r->job;
	long		 status = 0;
	char		 said[160];

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	job->status = (int)status;
	hreq_said(r, said, sizeof said);
	/*
	 * A 2xx status line means the endpoint took the message, whatever
	 * came after it (an endless body, huge headers, a stall): sending it
	 * again would be a second message.
	 */
	if (status >= 200 && status < 300) {
		job->verdict = HOOK_SENT;
		snprintf(job->answer, sizeof job->answer, "HTTP %ld%s%s%s%s",
		    status, *said != '\0' ? " " : "", said,
		    rc != CURLE_OK ? "; answer cut: " : "",
		    rc != CURLE_OK ? curl_easy_strerror(rc) : "");
		return;
	}
	if (rc != CURLE_OK) {
		/* Never the url: curl's error buffer may quote it. */
		job->verdict = HOOK_RETRY;
		snprintf(job->answer, sizeof job->answer, "%s%s",
		    rc == CURLE_WRITE_ERROR ? "answer too large: " : "",
		    curl_easy_strerror(rc));
		if (status >= 300 && status < 500 && status != 408 &&
		    status != 429)
			job->verdict = HOOK_FAILED;
		return;
	}
	if (status == 408 || status == 429 || status >= 500) {
		job->verdict = HOOK_RETRY;
		job->retry_after = r->retry_after > HOOK_RETRY_AFTER_MAX ?
		    HOOK_RETRY_AFTER_MAX : r->retry_after;
	} else
		job->verdict = HOOK_FAILED;
	snprintf(job->answer, sizeof job->answer, "HTTP %ld%s%s%s", status,
	    status >= 300 && status < 400 ? " (redirects are not followed)" :
	    "", *said != '\0' ? " " : "", said);
}

static void
hreq_free(struct hreq *r)
{
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r->url);
	free(r->body);
}

void
hook_deliver(struct hook_job *jobs, size_t n, int (*stop)(void *),
    void *arg)
{
	struct hreq	*reqs;
	CURLM		*multi;
	CURLMsg		*msg;
	struct hreq	*r;
	size_t		 i;
	int		 running = 0, left;

	if (n == 0)
		return;
	if ((multi = curl_multi_init()) == NULL)
		fatal("curl_multi_init failed");
	reqs = xcalloc(n, sizeof *reqs);
	for (i = 0; i < n; i++) {
		r = &reqs[i];
		r->job = &jobs[i];
		jobs[i].verdict = HOOK_FAILED;
		jobs[i].status = 0;
		jobs[i].retry_after = 0;
		if (jobs[i].nc == NULL) {
			snprintf(jobs[i].answer, sizeof jobs[i].answer,
			    "channel %s is no longer configured",
			    jobs[i].row->channel != NULL ?
			    jobs[i].row->channel : "?");
			continue;
		}
		if ((r->easy = curl_easy_init()) == NULL)
			fatal("curl_easy_init failed");
		if (hreq_build(r, r->easy) == -1)
			continue;
		/* Until its end is read, it has not been sent. */
		jobs[i].verdict = HOOK_RETRY;
		snprintf(jobs[i].answer, sizeof jobs[i].answer,
		    "interrupted");
		curl_multi_add_handle(multi, r->easy);
	}
	/* Every request has its own deadline: this ends by then. */
	do {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&r);
			hreq_judge(r, msg->data.result);
			curl_multi_remove_handle(multi, r->easy);
		}
		if (running > 0 && curl_multi_poll(multi, NULL, 0, 1000,
		    NULL) != CURLM_OK)
			break;
		/* What is still out stays queued ("interrupted"). */
		if (running > 0 && stop != NULL && stop(arg))
			break;
	} while (running > 0);
	for (i = 0; i < n; i++) {
		if (reqs[i].easy != NULL)
			curl_multi_remove_handle(multi, reqs[i].easy);
		hreq_free(&reqs[i]);
	}
	free(reqs);
	curl_multi_cleanup(multi);
}
