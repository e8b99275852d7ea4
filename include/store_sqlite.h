/*
 * store_sqlite.h -- shared by the files of the SQLite backend of the
 * store (store_sqlite.c: connection, schema, check states;
 * store_sqlite_tickets.c; store_sqlite_mail.c).  Nobody else includes it.
 */
#ifndef STORE_SQLITE_H
#define STORE_SQLITE_H

#include <sqlite3.h>

#include "store_impl.h"

struct sq {
	sqlite3		*db;
	/* Kept prepared: the daemon saves check states all day long. */
	sqlite3_stmt	*st_save_state;
};

#define SQ(s)	(((struct sq *)(s)->be)->db)

/* Copy a formatted message into err when there is room for one. */
void		 sq_err(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Log the connection's last error unless the handle is quiet. */
void		 sq_warn(struct store *);
int		 sq_exec(struct store *, const char *sql);
sqlite3_stmt	*sq_prepare(struct store *, const char *sql);
/* Step a statement that returns no rows, then finalize it. */
int		 sq_done(struct store *, sqlite3_stmt *);
/*
 * Step a statement meant to return one row: STORE_OK with the row ready
 * to read, STORE_NOTFOUND, or STORE_ERROR (logged).  The caller finalizes.
 */
int		 sq_one(struct store *, sqlite3_stmt *);
/* Bind text, or NULL for a NULL pointer. */
void		 sq_bind_text(sqlite3_stmt *, int, const char *);
/* Bind a time, or NULL for 0 (never happened). */
void		 sq_bind_time(sqlite3_stmt *, int, time_t);
/* A text column as a new string; NULL for SQL NULL. */
char		*sq_col_dup(sqlite3_stmt *, int);
/* The same, "" for SQL NULL. */
char		*sq_col_dup0(sqlite3_stmt *, int);
/* Copy a text column into a fixed buffer (empty for NULL). */
void		 sq_col_copy(sqlite3_stmt *, int, char *, size_t);

int		 sq_mail_walk(struct store *,
		    int (*)(const struct mail_row *, void *), void *);

/* store_sqlite_range.c */
int		 sq_ticket_ids(struct store *, time_t, time_t, long long **,
		    size_t *);

/* store_sqlite_subs.c */
int		 sq_sub_add(struct store *, const char *, const char *,
		    const char *, time_t, time_t);
int		 sq_sub_confirm(struct store *, const char *, time_t,
		    struct subscriber *);
int		 sq_sub_remove(struct store *, const char *,
		    struct subscriber *);
int		 sq_sub_list(struct store *, const char *,
		    struct subscriber **, size_t *);
long long	 sq_sub_forget(struct store *, time_t);

/* store_sqlite_tickets.c */
int		 sq_ticket_get(struct store *, long long, struct ticket *);
int		 sq_ticket_list(struct store *, int, struct ticket **,
		    size_t *);
long long	 sq_open_ticket_for(struct store *, const char *);
long long	 sq_tickets_opened(struct store *, const char *, time_t,
		    time_t);
int		 sq_ticket_action(struct store *, enum store_action,
		    long long, const char *, const char *, time_t, char *,
		    size_t);
long long	 sq_ticket_max_id(struct store *);
int		 sq_ticket_insert(struct store *,
		    const struct store_new_ticket *);
int		 sq_ticket_escalate(struct store *, long long, const char *,
		    const char *, time_t);
int		 sq_ticket_auto_resolve(struct store *, long long, long long,
		    const char *, time_t);
int		 sq_ticket_reminded(struct store *, long long, time_t,
		    time_t);
int		 sq_ticket_notified(struct store *, long long);
int		 sq_ticket_open(struct store *,
		    const struct store_new_ticket *, struct ticket_brief *);
int		 sq_ticket_flapping(struct store *, long long, int,
		    const char *, time_t);
int		 sq_event_add(struct store *, long long, time_t, const char *,
		    const char *, const char *);
int		 sq_open_tickets(struct store *, struct ticket_brief **,
		    size_t *);
int		 sq_ticket_brief(struct store *, long long,
		    struct ticket_brief *);

/* store_sqlite_mail.c */
long long	 sq_mail_push(struct store *, const char *, const char *,
		    const char *, const char *, const char *, time_t);
size_t		 sq_mail_due(struct store *, int, time_t, struct mail_row *,
		    size_t);
int		 sq_mail_next_due(struct store *, int, time_t *);
int		 sq_mail_attempts(struct store *, long long, int *, time_t *);
int		 sq_mail_done(struct store *, long long, const char *, time_t,
		    const char *);
int		 sq_mail_reschedule(struct store *, long long, int, time_t,
		    const char *);
long long	 sq_mail_count(struct store *, int, const char *);
size_t		 sq_mail_list(struct store *, int, const char *, struct mail_row *,
		    size_t);

/* store_sqlite_users.c */
int		 sq_user_add(struct store *, const char *, const char *,
		    const char *, time_t);
int		 sq_user_del(struct store *, const char *);
int		 sq_user_get(struct store *, const char *,
		    struct store_user *);
int		 sq_users(struct store *, struct store_user **, size_t *);

#endif
