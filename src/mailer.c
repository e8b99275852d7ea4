/*
 * mailer.c -- deliver queued mail, off the event loop.
 *
 * DESIGN: libesmtp runs a whole SMTP dialogue inside smtp_start_session()
 * and may wait on the network for as long as its timeouts allow, so the
 * daemon gives it a queue of its own ("mailer" on bio.c).  The event loop
 * only appends to an in-memory list (mailer_submit) and hands the list
 * over as one "round" when no round is out: the round writes those mails
 * to the outbox first, then sends what is due, and marks each one sent
 * right after the server accepted it.  Rounds run one at a time on the
 * queue's thread, which owns the SQLite connection, so SQLite commits
 * never run on the loop either.  A round says when the next retry is
 * due; its done callback (on the loop) arms a timer for it, unless new
 * mail or a new config already asks for the next round.  At stop the
 * running round ends after its SMTP session and a last round stores
 * whatever was submitted.
 *
 * Traps (PLATFORM.md): smtp_start_session() may succeed although a
 * message was refused, so every message and recipient status is read;
 * STARTTLS over TLS 1.3 stalled here, so the client is capped at TLS 1.2;
 * libesmtp's timeouts are in milliseconds and default to minutes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include <event2/event.h>

#include "bio.h"
#include "config.h"
#include "log.h"
#include "mailer.h"
#include "mime.h"
#include "store.h"
#include "xmalloc.h"

#define MAILER_TIMEOUT_S	6	/* per SMTP step */
#define MAILER_BATCH		16	/* messages per SMTP session */
/*
 * Longest sleep with nothing due.  Other processes queue mail too (a
 * public update posted from the CLI or the web API, another node), so
 * the queue is looked at this often; a look is two indexed queries.
 */
#define MAILER_IDLE_S		3

struct pending {
	char		*sender;
	char		*rcpt;
	char		*subject;
	char		*message;
	struct pending	*next;
};

struct mailer {
	struct bio		*bio;		/* the "mailer" queue */
	struct event		*ev_wake;	/* next retry due */
	/* The loop's: */
	struct pending		*head;
	struct pending		**tail;
	struct mailer_conf	*next_conf;
	int			 busy;		/* a round is out */
	int			 poked;		/* new rows since it left */
	int			 stopping;
	/* The rounds' (one at a time): */
	struct mailer_conf	*conf;
	struct store		*ob;
	struct pending		*unstored;	/* not written yet */
	int			 store_failing;
};

static pthread_once_t	auth_once = PTHREAD_ONCE_INIT;

static void
mailer_auth_init(void)
{
	auth_client_init();
}

struct mailer_conf *
mailer_conf_new(const struct config *cfg)
{
	struct mailer_conf	*mc;

	mc = xcalloc(1, sizeof *mc);
	if (cfg->smtp.host != NULL && *cfg->smtp.host != '\0')
		mc->host = xstrdup(cfg->smtp.host);
	mc->port = cfg->smtp.port > 0 ? cfg->smtp.port : 587;
	mc->starttls = cfg->smtp.starttls;
	if (cfg->smtp.user != NULL && *cfg->smtp.user != '\0') {
		mc->user = xstrdup(cfg->smtp.user);
		mc->password = xstrdup(cfg->smtp.password != NULL ?
		    cfg->smtp.password : "");
	}
	xasprintf(&mc->outbox_dir, "%s/outbox", cfg->state_dir);
	mc->timeout_s = MAILER_TIMEOUT_S;
	mc->retry_min = cfg->smtp.retry_min;
	mc->retry_max = cfg->smtp.retry_max;
	return mc;
}

void
mailer_conf_free(struct mailer_conf *mc)
{
	if (mc == NULL)
		return;
	free(mc->host);
	free(mc->user);
	if (mc->password != NULL) {
		explicit_bzero(mc->password, strlen(mc->password));
		free(mc->password);
	}
	free(mc->outbox_dir);
	free(mc);
}

/* Write one job to outbox_dir/<id>.eml: tmp file, fsync, rename. */
static void
mailer_write_eml(const struct mailer_conf *mc, struct mail_job *job)
{
	char	*path, *tmp;
	size_t	 len, off = 0;
	ssize_t	 w;
	int	 fd;

	/* The CLI may run before the daemon ever made the folders. */
	(void)mkdir(mc->outbox_dir, 0750);
	xasprintf(&path, "%s/%lld.eml", mc->outbox_dir, job->mail->id);
	xasprintf(&tmp, "%s/.%lld.eml.tmp", mc->outbox_dir, job->mail->id);
	job->result = MAIL_TEMPFAIL;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1) {
		snprintf(job->answer, sizeof job->answer, "%s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	len = strlen(job->mail->message);
	while (off < len) {
		if ((w = write(fd, job->mail->message + off, len - off)) ==
		    -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	if (off < len || fsync(fd) == -1 || close(fd) == -1) {
		snprintf(job->answer, sizeof job->answer, "%s: %s", tmp,
		    strerror(errno));
		if (off < len)
			close(fd);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		snprintf(job->answer, sizeof job->answer, "%s: %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	job->result = MAIL_SENT;
	snprintf(job->answer, sizeof job->answer, "%s", path);
out:
	free(path);
	free(tmp);
}

/* Give libesmtp's SASL plugins the user and the password. */
static int
mailer_interact(auth_client_request_t req, char **result, int fields,
    void *arg)
{
	const struct mailer_conf	*mc = arg;
	int				 i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_PASS)
			result[i] = mc->password;
		else if (req[i].flags & AUTH_USER)
			result[i] = mc->user;
		else
			result[i] = (char *)"";
	}
	return 1;
}

/* "250 2.0.0 Ok" from a status, cleaned to one line. */
static void
mailer_status_text(char *dst, size_t len, const smtp_status_t *st)
{
	char	*clean;

	clean = mime_clean(st->text != NULL ? st->text : "");
	snprintf(dst, len, "%d %s", st->code, clean);
	free(clean);
	len = strlen(dst);
	while (len > 0 && dst[len - 1] == ' ')
		dst[--len] = '\0';
}

/* Decide one message's fate from what each SMTP step answered. */
static void
mailer_judge(struct mail_job *job, smtp_message_t m, smtp_recipient_t r,
    const char *session_error)
{
	const smtp_status_t	*ts, *ps, *rs, *st;

	ts = smtp_message_transfer_status(m);
	ps = smtp_reverse_path_status(m);
	rs = smtp_recipient_status(r);
	if (ts != NULL && ts->code / 100 == 2) {
		job->result = MAIL_SENT;
		mailer_status_text(job->answer, sizeof job->answer, ts);
		return;
	}
	/*
	 * The first step that did not say 2xx decides: a refused sender or
	 * recipient makes whatever DATA answered afterwards meaningless.
	 */
	if (ps != NULL && ps->code != 0 && ps->code / 100 != 2)
		st = ps;
	else if (rs != NULL && rs->code != 0 && rs->code / 100 != 2)
		st = rs;
	else if (ts != NULL && ts->code != 0)
		st = ts;
	else
		st = NULL;
	if (st != NULL) {
		job->result = st->code / 100 == 5 ? MAIL_PERMFAIL :
		    MAIL_TEMPFAIL;
		mailer_status_text(job->answer, sizeof job->answer, st);
	} else {
		job->result = MAIL_TEMPFAIL;
		snprintf(job->answer, sizeof job->answer, "%s",
		    session_error != NULL ? session_error : "not sent");
	}
}

/* One SMTP session for every job. */
static void
mailer_smtp(const struct mailer_conf *mc, struct mail_job *jobs, size_t n)
{
	static const int	 which[] = { Timeout_GREETING,
	    Timeout_ENVELOPE, Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };
	smtp_session_t		 s;
	smtp_message_t		*msgs;
	smtp_recipient_t	*rcpts;
	auth_context_t		 auth = NULL;
	SSL_CTX			*ctx = NULL;
	char			*hostport, errbuf[160];
	char			*session_error = NULL;
	size_t			 i;

	msgs = xcalloc(n, sizeof *msgs);
	rcpts = xcalloc(n, sizeof *rcpts);
	xasprintf(&hostport, "%s:%d", mc->host, mc->port);
	if ((s = smtp_create_session()) == NULL)
		fatal("smtp_create_session: out of memory");
	smtp_set_server(s, hostport);
	for (i = 0; i < sizeof which / sizeof which[0]; i++)
		smtp_set_timeout(s, which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM,
		    mc->timeout_s * 1000L);
	if (mc->starttls != STARTTLS_NO) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
			fatal("SSL_CTX_new failed");
		/* TLS 1.3 after STARTTLS stalled here: see PLATFORM.md. */
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_default_verify_paths(ctx);
		smtp_starttls_set_ctx(s, ctx);
		smtp_starttls_enable(s, mc->starttls == STARTTLS_REQUIRED ?
		    Starttls_REQUIRED : Starttls_ENABLED);
	}
	if (mc->user != NULL) {
		pthread_once(&auth_once, mailer_auth_init);
		auth = auth_create_context();
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, mailer_interact, (void *)mc);
		smtp_auth_set_context(s, auth);
	}
	for (i = 0; i < n; i++) {
		msgs[i] = smtp_add_message(s);
		smtp_set_reverse_path(msgs[i], jobs[i].mail->sender);
		rcpts[i] = smtp_add_recipient(msgs[i], jobs[i].mail->rcpt);
		smtp_set_message_str(msgs[i], jobs[i].mail->message);
	}
	/* A timeout may end the session "successfully": ask errno too. */
	if (!smtp_start_session(s) || smtp_errno() != 0) {
		smtp_strerror(smtp_errno(), errbuf, sizeof errbuf);
		xasprintf(&session_error, "%s: %s", hostport, errbuf);
	}
	for (i = 0; i < n; i++)
		mailer_judge(&jobs[i], msgs[i], rcpts[i], session_error);
	smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
	SSL_CTX_free(ctx);
	free(session_error);
	free(hostport);
	free(msgs);
	free(rcpts);
}

void
mailer_deliver(const struct mailer_conf *mc, struct mail_job *jobs, size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	if (mc->host == NULL) {
		for (i = 0; i < n; i++)
			mailer_write_eml(mc, &jobs[i]);
		return;
	}
	mailer_smtp(mc, jobs, n);
}

/* Record the fate of each job in the outbox; log what staff must see. */
static void
mailer_record(struct store *ob, struct mail_job *jobs, size_t n)
{
	time_t	now = time(NULL);
	size_t	i;

	for (i = 0; i < n; i++) {
		switch (jobs[i].result) {
		case MAIL_SENT:
			log_debug("mail %lld to %s: %s", jobs[i].mail->id,
			    jobs[i].mail->rcpt, jobs[i].answer);
			if (store_mail_sent(ob, jobs[i].mail->id, now,
			    jobs[i].answer) == -1)
				log_error("mail %lld was sent but could not "
				    "be marked so", jobs[i].mail->id);
			break;
		case MAIL_TEMPFAIL:
			log_warn("mail %lld to %s delayed: %s",
			    jobs[i].mail->id, jobs[i].mail->rcpt,
			    jobs[i].answer);
			store_mail_retry(ob, jobs[i].mail->id, now,
			    jobs[i].answer);
			break;
		case MAIL_PERMFAIL:
			log_error("mail %lld to %s failed for good: %s",
			    jobs[i].mail->id, jobs[i].mail->rcpt,
			    jobs[i].answer);
			store_mail_failed(ob, jobs[i].mail->id, now,
			    jobs[i].answer);
			break;
		}
	}
}

/* Free one submitted mail. */
static void
pending_free(struct pending *p)
{
	free(p->sender);
	free(p->rcpt);
	free(p->subject);
	free(p->message);
	free(p);
}

/*
 * Write the submitted mails to the outbox, after those kept from before.
 * What cannot be written now (a locked db, a full disk) stays in
 * ml->unstored, in order, for the next round -- an alert must not be lost
 * to a passing fault -- unless this is the last try.  Returns -1 when
 * mails are kept.
 */
static int
mailer_store(struct mailer *ml, struct pending *p, int last_try)
{
	struct pending	**pp;
	time_t		 now = time(NULL);
	int		 lost = 0;

	for (pp = &ml->unstored; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	/* Failures are reported here, once, not per try. */
	store_set_quiet(ml->ob, 1);
	while ((p = ml->unstored) != NULL) {
		/*
		 * Stopping: after one failure the others would each wait
		 * out the busy timeout too; the stop must end in time.
		 */
		if (lost || store_mail_push(ml->ob, p->sender, p->rcpt,
		    p->subject, p->message, now) == -1) {
			if (!last_try) {
				if (!ml->store_failing)
					log_error("mail queue: cannot store "
					    "the mail to %s (%s): keeping it "
					    "and trying again", p->rcpt,
					    store_errmsg(ml->ob));
				ml->store_failing = 1;
				store_set_quiet(ml->ob, 0);
				return -1;
			}
			log_error("mail to %s could not be queued%s%s",
			    p->rcpt, lost ? "" : ": ",
			    lost ? "" : store_errmsg(ml->ob));
			lost = 1;
		} else if (ml->store_failing) {
			log_info("mail queue: storing mail works again");
			ml->store_failing = 0;
		}
		ml->unstored = p->next;
		pending_free(p);
	}
	store_set_quiet(ml->ob, 0);
	return 0;
}

/* Send everything due now, a batch a session; returns when none is. */
static void
mailer_send_due(struct mailer *ml)
{
	struct mail_row		mails[MAILER_BATCH];
	struct mail_job		jobs[MAILER_BATCH];
	size_t			n, i;

	for (;;) {
		if (bio_closing(ml->bio))
			return;
		if ((n = store_mail_due(ml->ob, time(NULL), mails,
		    MAILER_BATCH)) == 0)
			return;
		memset(jobs, 0, sizeof jobs);
		for (i = 0; i < n; i++)
			jobs[i].mail = &mails[i];
		mailer_deliver(ml->conf, jobs, n);
		mailer_record(ml->ob, jobs, n);
		for (i = 0; i < n; i++)
			mail_row_free(&mails[i]);
	}
}

/* One round: what the loop hands over, and when the next is due. */
struct mround {
	struct mailer		*ml;
	struct pending		*p;		/* submitted since */
	struct mailer_conf	*nc;		/* new settings, or NULL */
	int			 last;		/* stopping: store only */
	time_t			 delay;		/* seconds to the next */
};

static void	mailer_round_done(void *, int);

/* On the queue's thread: store the new mails, send what is due. */
static void
mailer_round(void *arg)
{
	struct mround	*r = arg;
	struct mailer	*ml = r->ml;
	time_t		 when, now;
	int		 rc, kept;

	if (r->nc != NULL) {
		mailer_conf_free(ml->conf);
		ml->conf = r->nc;
		r->nc = NULL;
		/* The store is the rounds' own: its waits change here. */
		store_set_mail_backoff(ml->ob, ml->conf->retry_min,
		    ml->conf->retry_max);
	}
	kept = mailer_store(ml, r->p, r->last) == -1;
	r->p = NULL;
	if (r->last)
		return;
	mailer_send_due(ml);

	/* Sleep until the next retry is due or new mail comes. */
	rc = store_mail_next_due(ml->ob, &when);
	now = time(NULL);
	if (rc == 1 && when <= now)
		r->delay = 0;
	else if (rc == 1 && when - now < MAILER_IDLE_S)
		r->delay = when - now;
	else
		r->delay = rc == -1 ? 5 : MAILER_IDLE_S;
	/* Mails kept from a failed store: try again soon. */
	if (kept && r->delay > 2)
		r->delay = 2;
}

/* On the loop: hand what was submitted to a new round, if none is out. */
static void
mailer_kick(struct mailer *ml)
{
	struct mround	*r;

	if (ml->busy)
		return;
	r = xcalloc(1, sizeof *r);
	r->ml = ml;
	r->p = ml->head;
	r->nc = ml->next_conf;
	r->last = ml->stopping;
	ml->head = NULL;
	ml->tail = &ml->head;
	ml->next_conf = NULL;
	ml->busy = 1;
	ml->poked = 0;
	if (ml->ev_wake != NULL)
		evtimer_del(ml->ev_wake);
	/* One round out at a time: the queue is never full. */
	if (bio_submit(ml->bio, mailer_round, mailer_round_done, NULL, r,
	    0) == -1)
		fatal("mail queue: the mailer queue is full");
}

/* On the loop: a round ended; start the next now or when it is due. */
static void
mailer_round_done(void *arg, int cancelled)
{
	struct mround	*r = arg;
	struct mailer	*ml = r->ml;
	struct timeval	 tv;

	(void)cancelled;		/* the mailer queue is drained */
	ml->busy = 0;
	if (ml->stopping) {
		/* A last round stores what came meanwhile. */
		if (!r->last || ml->head != NULL)
			mailer_kick(ml);
	} else if (ml->head != NULL || ml->next_conf != NULL ||
	    r->delay == 0 || ml->poked)
		mailer_kick(ml);
	else if (ml->ev_wake != NULL) {
		tv.tv_sec = r->delay;
		tv.tv_usec = 0;
		evtimer_add(ml->ev_wake, &tv);
	}
	free(r);
}

/* Timer: a retry is due. */
static void
mailer_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mailer_kick(arg);
}

struct mailer *
mailer_start(const struct config *cfg, struct event_base *base, char *err,
    size_t errlen)
{
	struct mailer	*ml;
	char		*db;

	ml = xcalloc(1, sizeof *ml);
	db = store_where(cfg->database, cfg->state_dir);
	ml->ob = store_open(db, STORE_DURABLE, err, errlen);
	free(db);
	if (ml->ob == NULL) {
		free(ml);
		return NULL;
	}
	ml->conf = mailer_conf_new(cfg);
	store_set_mail_backoff(ml->ob, ml->conf->retry_min,
	    ml->conf->retry_max);
	ml->tail = &ml->head;
	ml->bio = bio_new(base, "mailer", 4);
	if (base != NULL)
		ml->ev_wake = evtimer_new(base, mailer_wake, ml);
	/* The first round sends what an earlier run left due. */
	mailer_kick(ml);
	return ml;
}

void
mailer_submit(struct mailer *ml, const char *sender, const char *rcpt,
    const char *subject, const char *message)
{
	struct pending	*p;

	p = xcalloc(1, sizeof *p);
	p->sender = xstrdup(sender);
	p->rcpt = xstrdup(rcpt);
	p->subject = xstrdup(subject);
	p->message = xstrdup(message);
	*ml->tail = p;
	ml->tail = &p->next;
	mailer_kick(ml);
}

void
mailer_reconfigure(struct mailer *ml, const struct config *cfg)
{
	struct mailer_conf	*nc, *old;

	nc = mailer_conf_new(cfg);
	old = ml->next_conf;
	ml->next_conf = nc;
	mailer_conf_free(old);
	mailer_kick(ml);
}

void
mailer_poke(struct mailer *ml)
{
	if (ml == NULL || ml->stopping)
		return;
	/* A round out may have looked already: it starts another. */
	if (ml->busy)
		ml->poked = 1;
	else
		mailer_kick(ml);
}

void
mailer_stopping(struct mailer *ml)
{
	if (ml != NULL)
		ml->stopping = 1;
}

void
mailer_stop(struct mailer *ml)
{
	if (ml == NULL)
		return;
	/*
	 * The running round ends after its session (bio_closing); then a
	 * last round stores what came meanwhile.  The drain runs their
	 * done callbacks here.
	 */
	ml->stopping = 1;
	if (ml->ev_wake != NULL)
		evtimer_del(ml->ev_wake);
	mailer_kick(ml);
	bio_free(ml->bio, BIO_DRAIN);
	if (ml->ev_wake != NULL)
		event_free(ml->ev_wake);
	mailer_conf_free(ml->next_conf);
	mailer_conf_free(ml->conf);
	store_close(ml->ob);
	free(ml);
}
