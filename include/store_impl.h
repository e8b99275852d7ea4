/*
 * store_impl.h -- what a database backend of store.h implements.  Only
 * store.c and the backends (store_sqlite*.c, store_pg*.c) include this.
 *
 * store.c keeps what does not depend on the database (argument checks of
 * staff actions, the mail backoff and give-up policy, freeing results)
 * and calls the backend through one struct store_ops; a backend owns its
 * connection, its SQL and its schema migrations.  PostgreSQL came that
 * way: one more table of these functions and one more line in
 * store_open's choice, not one more set of callers.
 */
#ifndef STORE_IMPL_H
#define STORE_IMPL_H

#include "store.h"

struct store_ops {
	const char	*name;
	/* Connect and migrate; s->where and s->flags are set. */
	int		 (*open)(struct store *, char *err, size_t errlen);
	void		 (*close)(struct store *);
	const char	*(*errmsg)(struct store *);
	int		 (*transient)(struct store *);
	int		 (*version)(struct store *);
	int		 (*begin)(struct store *);
	int		 (*commit)(struct store *);
	int		 (*rollback)(struct store *);

	int		 (*ticket_get)(struct store *, long long,
			    struct ticket *);
	int		 (*ticket_list)(struct store *, int,
			    struct ticket **, size_t *);
	long long	 (*open_ticket_for)(struct store *, const char *);
	long long	 (*tickets_opened)(struct store *, const char *,
			    time_t, time_t);
	/* Ids of tickets opened in [start, end), newest first. */
	int		 (*ticket_ids)(struct store *, time_t, time_t,
			    long long **, size_t *);
	/* Subscribers (store.h says what each does). */
	int		 (*sub_add)(struct store *, const char *,
			    const char *, const char *, time_t, time_t);
	int		 (*sub_confirm)(struct store *, const char *, time_t,
			    struct subscriber *);
	int		 (*sub_remove)(struct store *, const char *,
			    struct subscriber *);
	int		 (*sub_list)(struct store *, const char *,
			    struct subscriber **, size_t *);
	long long	 (*sub_forget)(struct store *, time_t);
	/* A copy's target: 1 written, 0 there already; NULL: cannot. */
	int		 (*sub_import)(struct store *,
			    const struct subscriber *);
	/* Arguments already checked by store.c. */
	int		 (*ticket_action)(struct store *, enum store_action,
			    long long, const char *, const char *, time_t,
			    char *, size_t);
	long long	 (*ticket_max_id)(struct store *);
	int		 (*ticket_insert)(struct store *,
			    const struct store_new_ticket *);
	int		 (*ticket_open)(struct store *,
			    const struct store_new_ticket *,
			    struct ticket_brief *);
	int		 (*ticket_notified)(struct store *, long long);
	int		 (*ticket_escalate)(struct store *, long long,
			    const char *, const char *, time_t);
	int		 (*ticket_auto_resolve)(struct store *, long long,
			    long long, const char *, time_t);
	int		 (*ticket_reminded)(struct store *, long long, time_t,
			    time_t);
	int		 (*ticket_flapping)(struct store *, long long, int,
			    const char *, time_t);
	int		 (*event_add)(struct store *, long long, time_t,
			    const char *, const char *, const char *);
	int		 (*open_tickets)(struct store *,
			    struct ticket_brief **, size_t *);
	int		 (*ticket_brief)(struct store *, long long,
			    struct ticket_brief *);

	int		 (*check_state_get)(struct store *, const char *,
			    struct store_check_state *);
	int		 (*check_states)(struct store *,
			    int (*)(const struct store_check_state *, void *),
			    void *);
	int		 (*check_state_save)(struct store *,
			    const struct store_check_state *);

	/*
	 * The queue functions take q: 0 the mails, 1 the notifications
	 * (rows with a channel; store.h).  channel NULL pushes a mail.
	 */
	long long	 (*mail_push)(struct store *, const char *channel,
			    const char *, const char *, const char *,
			    const char *, time_t);
	size_t		 (*mail_due)(struct store *, int q, time_t,
			    struct mail_row *, size_t);
	int		 (*mail_next_due)(struct store *, int q, time_t *);
	/* attempts and created_at of one mail; STORE_NOTFOUND if gone. */
	int		 (*mail_attempts)(struct store *, long long, int *,
			    time_t *);
	/* Final: status "sent" or "failed", one more attempt counted. */
	int		 (*mail_done)(struct store *, long long,
			    const char *status, time_t now, const char *text);
	/* Still queued: attempts so far, next try at next. */
	int		 (*mail_reschedule)(struct store *, long long,
			    int attempts, time_t next, const char *text);
	long long	 (*mail_count)(struct store *, int q, const char *);
	size_t		 (*mail_list)(struct store *, int q, const char *,
			    struct mail_row *, size_t);

	int		 (*node_beat)(struct store *, const char *,
			    const char *, time_t,
			    time_t, int);
	int		 (*location_vote)(struct store *,
			    const struct store_vote *, char *, size_t);
	int		 (*ticket_set_locations)(struct store *, long long,
			    const char *);
	int		 (*locations)(struct store *,
			    struct store_location **, size_t *);
	int		 (*nodes)(struct store *, struct store_node **,
			    size_t *);
	int		 (*figures_put)(struct store *,
			    const struct store_figures *, size_t);
	int		 (*figures_since)(struct store *, long long,
			    struct store_figures **, size_t *);
	int		 (*claim_once)(struct store *, const char *,
			    const char *, time_t);

	/* A copy's source and target; NULL when the backend is not one. */
	int		 (*mail_walk)(struct store *,
			    int (*)(const struct mail_row *, void *), void *);
	int		 (*ticket_import)(struct store *,
			    const struct ticket *);
	int		 (*mail_import)(struct store *,
			    const struct mail_row *);
	int		 (*import_done)(struct store *);

	/* Staff accounts (store_users.c checked the arguments). */
	int		 (*user_add)(struct store *, const char *,
			    const char *, const char *, time_t);
	int		 (*user_del)(struct store *, const char *);
	int		 (*user_get)(struct store *, const char *,
			    struct store_user *);
	int		 (*users)(struct store *, struct store_user **,
			    size_t *);
};

struct store {
	const struct store_ops	*ops;
	void			*be;		/* the backend's connection */
	char			*where;		/* for messages */
	int			 flags;		/* STORE_READONLY, ... */
	int			 quiet;
	long			 backoff_min;
	long			 backoff_max;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
