/*
 * store_pg.h -- what the PostgreSQL backend's files share (store_pg*.c
 * only).  One struct pg wraps one libpq connection; statements take their
 * parameters as text (struct pg_args), so every value crosses the wire
 * the same way whatever its C type.
 */
#ifndef STORE_PG_H
#define STORE_PG_H

#include <libpq-fe.h>

#include "store_impl.h"

struct pg {
	PGconn		*conn;
	char		*conninfo;	/* the full URI, password included */
	char		 err[512];	/* the last failure, one line */
	char		 sqlstate[6];	/* of the last failure; "" = none */
	int		 in_tx;		/* inside BEGIN: never reconnect */
	int		 away;		/* lost, said so: quiet until back */
	int		 prepared;	/* PG_PREP_* made on this connection */
	char		 claim[64];	/* this handle's mark on claimed mail */
	int		 claimed;	/* it claimed some: release at close */
};

#define PG(s)	((struct pg *)(s)->be)

#define PG_ARGS_MAX	24

/* Parameters of one statement, as text; NULL is SQL NULL. */
struct pg_args {
	const char	*v[PG_ARGS_MAX];
	char		 buf[PG_ARGS_MAX][32];
	int		 n;
};

void		 pg_args_init(struct pg_args *);
void		 pg_text(struct pg_args *, const char *);
void		 pg_int(struct pg_args *, long long);
/* A time, or NULL for 0 (never happened). */
void		 pg_time(struct pg_args *, time_t);
void		 pg_double(struct pg_args *, double);

/*
 * Run sql with args (may be NULL); the result when it returned rows or
 * completed, NULL (logged unless quiet, kept for errmsg) on failure.
 */
PGresult	*pg_run(struct store *, const char *sql, struct pg_args *);
/*
 * pg_run of a statement kept prepared on the connection under name (one
 * bit of PG_PREP_*): the hot paths, parsed and planned once.
 */
#define PG_PREP_STATE	0x01
PGresult	*pg_run_prepared(struct store *, int bit, const char *name,
		    const char *sql, struct pg_args *);
/* pg_run for a statement without rows; -1 on failure. */
int		 pg_do(struct store *, const char *sql, struct pg_args *);
/* Rows changed by pg_run's command, -1 on failure. */
long long	 pg_changed(struct store *, const char *sql, struct pg_args *);

/* Column readers: 0 / NULL / "" for SQL NULL. */
long long	 pg_col_ll(PGresult *, int row, int col);
char		*pg_col_dup(PGresult *, int row, int col);
char		*pg_col_dup0(PGresult *, int row, int col);
void		 pg_col_copy(PGresult *, int row, int col, char *, size_t);
void		 pg_err(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* store_pg_tickets.c */
/* store_pg_figures.c */
int		 pg_figures_put(struct store *, const struct store_figures *,
		    size_t);
int		 pg_figures_since(struct store *, long long,
		    struct store_figures **, size_t *);

/* store_pg_subs.c */
int		 pg_sub_add(struct store *, const char *, const char *,
		    const char *, time_t, time_t);
int		 pg_sub_confirm(struct store *, const char *, time_t,
		    struct subscriber *);
int		 pg_sub_remove(struct store *, const char *,
		    struct subscriber *);
int		 pg_sub_list(struct store *, const char *,
		    struct subscriber **, size_t *);
long long	 pg_sub_forget(struct store *, time_t);
int		 pg_sub_import(struct store *, const struct subscriber *);

/* store_pg_range.c */
int		 pg_ticket_ids(struct store *, time_t, time_t, long long **,
		    size_t *);
int		 pg_ticket_get(struct store *, long long, struct ticket *);
int		 pg_ticket_list(struct store *, int, struct ticket **,
		    size_t *);
long long	 pg_open_ticket_for(struct store *, const char *);
long long	 pg_tickets_opened(struct store *, const char *, time_t,
		    time_t);
int		 pg_ticket_action(struct store *, enum store_action,
		    long long, const char *, const char *, time_t, char *,
		    size_t);
long long	 pg_ticket_max_id(struct store *);
int		 pg_ticket_insert(struct store *,
		    const struct store_new_ticket *);
int		 pg_ticket_escalate(struct store *, long long, const char *,
		    const char *, time_t);
int		 pg_ticket_auto_resolve(struct store *, long long, long long,
		    const char *, time_t);
int		 pg_ticket_reminded(struct store *, long long, time_t,
		    time_t);
int		 pg_ticket_notified(struct store *, long long);
int		 pg_location_vote(struct store *, const struct store_vote *,
		    char *, size_t);
int		 pg_ticket_set_locations(struct store *, long long,
		    const char *);
int		 pg_locations(struct store *, struct store_location **,
		    size_t *);
int		 pg_ticket_open(struct store *,
		    const struct store_new_ticket *, struct ticket_brief *);
int		 pg_ticket_flapping(struct store *, long long, int,
		    const char *, time_t);
int		 pg_event_add(struct store *, long long, time_t, const char *,
		    const char *, const char *);
int		 pg_open_tickets(struct store *, struct ticket_brief **,
		    size_t *);
int		 pg_ticket_brief(struct store *, long long,
		    struct ticket_brief *);

int		 pg_ticket_import(struct store *, const struct ticket *);

/* store_pg_mail.c */
int		 pg_mail_import(struct store *, const struct mail_row *);
int		 pg_import_done(struct store *);
long long	 pg_mail_push(struct store *, const char *, const char *,
		    const char *, const char *, const char *, time_t);
size_t		 pg_mail_due(struct store *, int, time_t, struct mail_row *,
		    size_t);
int		 pg_mail_next_due(struct store *, int, time_t *);
int		 pg_mail_attempts(struct store *, long long, int *, time_t *);
int		 pg_mail_done(struct store *, long long, const char *, time_t,
		    const char *);
int		 pg_mail_reschedule(struct store *, long long, int, time_t,
		    const char *);
long long	 pg_mail_count(struct store *, int, const char *);
size_t		 pg_mail_list(struct store *, int, const char *,
		    struct mail_row *, size_t);

/* store_pg_users.c */
int		 pg_user_add(struct store *, const char *, const char *,
		    const char *, time_t);
int		 pg_user_del(struct store *, const char *);
int		 pg_user_get(struct store *, const char *,
		    struct store_user *);
int		 pg_users(struct store *, struct store_user **, size_t *);

#endif
