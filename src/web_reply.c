/*
 * web_reply.c -- every answer of the web goes out here: the security
 * headers, the count by status class, the page frame and the static
 * files of templates/html, and the answers kept for a second.
 *
 * DESIGN
 * The pages and documents rendered on the loop (/, /status,
 * /api/v1/checks, /metrics) are reused for WEB_RESP_TTL_MS, so a flood
 * of requests costs one rendering a second, not one each; but not
 * beyond WEB_RESP_BODY_MAX: a large /metrics goes out in chunks rendered
 * as the client reads them (web_metrics.c), and is never whole in memory.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "config.h"
#include "log.h"
#include "status_json.h"
#include "web_int.h"
#include "web_render.h"
#include "xmalloc.h"

#define WEB_STATIC_MAX		(256 * 1024)
/*
 * The chart library of the check page: Debian's libjs-dygraphs, served
 * from where the package puts it (read once at start, like app.js),
 * never a copy in this tree.
 */
#define WEB_DYGRAPHS_DIR	"/usr/share/javascript/dygraphs"

/*
 * A rendered answer kept for WEB_RESP_TTL_MS: a hundred clients polling
 * the dashboard, or a flood, cost one rendering a second, not one each.
 */
#define WEB_RESP_CACHE		8
#define WEB_RESP_TTL_MS		1000
#define WEB_RESP_BODY_MAX	(1024 * 1024)	/* larger: not kept */

struct web_resp {
	char		*key;		/* path?query */
	char		*ctype;
	char		*body;
	size_t		 len;
	uint64_t	 at_ms;
};

struct web_replies {
	char			*layout;	/* from templates/html */
	char			*js;
	size_t			 js_len;
	char			*css;
	size_t			 css_len;
	char			*dy_js;		/* NULL: not installed */
	size_t			 dy_js_len;
	char			*dy_css;
	size_t			 dy_css_len;
	struct web_resp		 resp[WEB_RESP_CACHE];
	const char		*capture;	/* web_reply() saves */
	unsigned long long	 nrequests;
	unsigned long long	 nreplies[6];	/* by status class */
};

const char *
web_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

/*
 * Keep one rendered answer: in place of an older one for the same key,
 * else of the oldest.  Large answers are not kept: a copy of a /metrics
 * of 100,000 checks would cost tens of MB for a second's reuse.
 */
static void
reply_save(struct web_replies *rp, const char *key, const char *ctype,
    struct evbuffer *body)
{
	struct web_resp	*r = &rp->resp[0];
	size_t		 i, len = evbuffer_get_length(body);

	if (len > WEB_RESP_BODY_MAX)
		return;
	for (i = 1; i < WEB_RESP_CACHE; i++)
		if (rp->resp[i].at_ms < r->at_ms)
			r = &rp->resp[i];
	for (i = 0; i < WEB_RESP_CACHE; i++)
		if (rp->resp[i].key != NULL &&
		    strcmp(rp->resp[i].key, key) == 0)
			r = &rp->resp[i];
	free(r->key);
	free(r->ctype);
	free(r->body);
	r->key = xstrdup(key);
	r->ctype = xstrdup(ctype);
	r->body = xmalloc(len + 1);
	if (evbuffer_copyout(body, r->body, len) != (ev_ssize_t)len)
		fatal("web: evbuffer_copyout failed");
	r->len = len;
	r->at_ms = util_mono_ms();
}

/* A fresh saved answer for key, or NULL. */
static struct web_resp *
reply_find(struct web_replies *rp, const char *key)
{
	uint64_t	now = util_mono_ms();
	size_t		i;

	for (i = 0; i < WEB_RESP_CACHE; i++)
		if (rp->resp[i].key != NULL &&
		    strcmp(rp->resp[i].key, key) == 0 &&
		    now - rp->resp[i].at_ms < WEB_RESP_TTL_MS)
			return &rp->resp[i];
	return NULL;
}

void
web_reply_headers(struct web *w, struct evhttp_request *req, int code,
    const char *ctype)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	/*
	 * No inline script or style anywhere, so the policy can forbid
	 * them: injected markup that slipped through would still not run.
	 */
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self'; connect-src 'self'; base-uri 'none'; "
	    "form-action 'self'; frame-ancestors 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", "no-store");
	if (code / 100 >= 1 && code / 100 <= 5)
		w->replies->nreplies[code / 100]++;
}

void
web_reply_buffer(struct web *w, struct evhttp_request *req, int code,
    const char *ctype, struct evbuffer *body)
{
	web_reply_headers(w, req, code, ctype);
	if (w->replies->capture != NULL && code == 200)
		reply_save(w->replies, w->replies->capture, ctype, body);
	/* evhttp moves the buffer's chains to the connection: no copy. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		evhttp_send_reply(req, code, web_reason(code), NULL);
	else
		evhttp_send_reply(req, code, web_reason(code), body);
}

void
web_reply(struct web *w, struct evhttp_request *req, int code,
    const char *ctype, const void *body, size_t len)
{
	struct evbuffer	*eb;

	if ((eb = evbuffer_new()) == NULL)
		fatal("web: evbuffer_new failed");
	if (len > 0 && evhttp_request_get_command(req) != EVHTTP_REQ_HEAD &&
	    evbuffer_add(eb, body, len) == -1)
		fatal("web: evbuffer_add failed");
	web_reply_buffer(w, req, code, ctype, eb);
	evbuffer_free(eb);
}

void
web_reply_json(struct web *w, struct evhttp_request *req, int code,
    json_t *steal)
{
	char	*s;

	s = json_dumps(steal, JSON_COMPACT | JSON_ENSURE_ASCII |
	    STATUS_JSON_REAL);
	json_decref(steal);
	if (s == NULL)
		fatal("web: json_dumps failed");
	web_reply(w, req, code, "application/json", s, strlen(s));
	free(s);
}

void
web_reply_page(struct web *w, struct evhttp_request *req, const char *lang,
    const char *title, const char *page_class, struct buf *body)
{
	struct buf	page;

	buf_init(&page);
	html_page(&page, w->replies->layout, lang, title, page_class,
	    body->data != NULL ? body->data : "");
	web_reply(w, req, 200, "text/html; charset=utf-8", page.data,
	    page.len);
	buf_free(&page);
	buf_free(body);
}

void
web_reply_error(struct web *w, struct evhttp_request *req, int code,
    const char *msg)
{
	const char	*path;
	struct buf	 body, page;

	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path != NULL && strncmp(path, "/api/", 5) == 0) {
		web_reply_json(w, req, code, json_pack("{s:s}", "error", msg));
		return;
	}
	buf_init(&body);
	if (path != NULL && strcmp(path, "/metrics") == 0) {
		buf_printf(&body, "%s\n", msg);
		web_reply(w, req, code, "text/plain; charset=utf-8",
		    body.data, body.len);
		buf_free(&body);
		return;
	}
	buf_init(&page);
	render_error(&body, code, web_reason(code), msg);
	html_page(&page, w->replies->layout, "en", web_reason(code), "error",
	    body.data);
	web_reply(w, req, code, "text/html; charset=utf-8", page.data,
	    page.len);
	buf_free(&body);
	buf_free(&page);
}

char *
web_query(struct evhttp_request *req, const char *key)
{
	struct evkeyvalq	 q;
	const char		*query, *v;
	char			*out = NULL;

	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (query == NULL)
		return NULL;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) == 0 &&
	    (v = evhttp_find_header(&q, key)) != NULL)
		out = xstrdup(v);
	evhttp_clear_headers(&q);
	return out;
}

void
web_static(struct web *w, struct evhttp_request *req, const char *rest)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct web_replies	*rp = w->replies;

	if (strcmp(rest, "app.js") == 0 && rp->js != NULL) {
		evhttp_add_header(h, "Cache-Control", "max-age=60");
		web_reply(w, req, 200, "text/javascript; charset=utf-8",
		    rp->js, rp->js_len);
	} else if (strcmp(rest, "style.css") == 0 && rp->css != NULL) {
		evhttp_add_header(h, "Cache-Control", "max-age=60");
		web_reply(w, req, 200, "text/css; charset=utf-8", rp->css,
		    rp->css_len);
	} else if (strcmp(rest, "dygraph.min.js") == 0 ||
	    strcmp(rest, "dygraph.min.css") == 0) {
		if (rp->dy_js == NULL || rp->dy_css == NULL) {
			web_reply_error(w, req, 404, "The chart library is "
			    "not installed: apt-get install libjs-dygraphs "
			    "(" WEB_DYGRAPHS_DIR "), then restart sitewatchd.");
			return;
		}
		evhttp_add_header(h, "Cache-Control", "max-age=3600");
		if (strcmp(rest, "dygraph.min.js") == 0)
			web_reply(w, req, 200, "text/javascript; "
			    "charset=utf-8", rp->dy_js, rp->dy_js_len);
		else
			web_reply(w, req, 200, "text/css; charset=utf-8",
			    rp->dy_css, rp->dy_css_len);
	} else
		web_reply_error(w, req, 404, "No such file.");
}

void
web_reply_cached(struct web *w, struct evhttp_request *req,
    void (*fn)(struct web *, struct evhttp_request *, const char *),
    const char *rest)
{
	struct web_resp	*c;

	if ((c = reply_find(w->replies, evhttp_request_get_uri(req))) !=
	    NULL) {
		web_reply(w, req, 200, c->ctype, c->body, c->len);
		return;
	}
	/* The handler replies before it returns, so web_reply() sees it. */
	w->replies->capture = evhttp_request_get_uri(req);
	fn(w, req, rest);
	w->replies->capture = NULL;
}

/*
 * Answers go out in one piece: without TCP_NODELAY, the tail of a reply
 * on a kept-alive connection waits for the client's delayed ACK (40 ms).
 */
void
web_reply_request(struct web *w, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	evutil_socket_t			 fd;
	int				 one = 1;

	w->replies->nrequests++;
	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (fd = bufferevent_getfd(evhttp_connection_get_bufferevent(
	    evcon))) == -1)
		return;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void
web_reply_counts(struct web *w, unsigned long long *requests,
    unsigned long long replies[6])
{
	*requests = w->replies->nrequests;
	memcpy(replies, w->replies->nreplies, sizeof w->replies->nreplies);
}

/* Read templates_dir/html/NAME into memory; NULL when it cannot. */
static char *
reply_load(const char *dir, const char *name, size_t *len)
{
	char		*path, *data = NULL;
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	xasprintf(&path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || st.st_size > WEB_STATIC_MAX) {
		log_warn("web: cannot read %s: %s", path,
		    fd == -1 ? strerror(errno) : "too large");
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	if ((n = read(fd, data, (size_t)st.st_size)) != st.st_size) {
		log_warn("web: short read on %s", path);
		free(data);
		data = NULL;
		goto out;
	}
	data[n] = '\0';
	*len = (size_t)n;
out:
	if (fd != -1)
		close(fd);
	free(path);
	return data;
}

struct web_replies *
web_replies_new(const struct config *cfg)
{
	struct web_replies	*rp;
	size_t			 len;
	char			*dir;

	rp = xcalloc(1, sizeof *rp);
	xasprintf(&dir, "%s/html", cfg->templates_dir);
	rp->layout = reply_load(dir, "layout.html", &len);
	rp->js = reply_load(dir, "app.js", &rp->js_len);
	rp->css = reply_load(dir, "style.css", &rp->css_len);
	free(dir);
	rp->dy_js = reply_load(WEB_DYGRAPHS_DIR, "dygraph.min.js",
	    &rp->dy_js_len);
	rp->dy_css = reply_load(WEB_DYGRAPHS_DIR, "dygraph.min.css",
	    &rp->dy_css_len);
	return rp;
}

void
web_replies_free(struct web_replies *rp)
{
	size_t	i;

	if (rp == NULL)
		return;
	for (i = 0; i < WEB_RESP_CACHE; i++) {
		free(rp->resp[i].key);
		free(rp->resp[i].ctype);
		free(rp->resp[i].body);
	}
	free(rp->layout);
	free(rp->js);
	free(rp->css);
	free(rp->dy_js);
	free(rp->dy_css);
	free(rp);
}
