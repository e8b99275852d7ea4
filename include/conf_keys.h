/*
 * conf_keys.h -- the master table of every configuration key.
 *
 * One row per key: where it lives, its type and range, its default and a
 * line of help.  The loader parses and validates through it, applies its
 * defaults, and `sitewatchd --dump-config` prints it, so the three can
 * never drift apart.  Adding a key is adding a row (and a struct field).
 */
#ifndef CONF_KEYS_H
#define CONF_KEYS_H

#include <stddef.h>

/* The sections a key can belong to; [defaults] shares the check keys. */
enum conf_section {
	CONF_SEC_DAEMON = 0,
	CONF_SEC_SMTP,
	CONF_SEC_CHECK,		/* [check NAME] and [defaults] */
	CONF_SEC_SITE,
	CONF_SEC_NOTIFY,	/* [notify NAME] */
	CONF_SEC_COUNT
};

/* How a value is written and where it is stored. */
enum conf_type {
	CONF_STRING,	/* char *: any text */
	CONF_PATH,	/* char *: made absolute against the conf dir */
	CONF_URL,	/* char *: http:// or https:// */
	CONF_INT,	/* int in [min, max] */
	CONF_DURATION,	/* int seconds: a number with s/m/h/d, or plain in unit s */
	CONF_SIZE,	/* size_t: bytes, k/M/G suffix allowed */
	CONF_BOOL,	/* int: yes/no */
	CONF_ENUM,	/* int: one of choices */
	CONF_WORD,	/* char *: one of choices, stored as text */
	CONF_EMAILS,	/* char ** + count: comma-separated addresses */
	CONF_URLS,	/* char ** + count: comma-separated URLs */
	CONF_ESCALATE,	/* char ** + count: "DURATION ADDRESS...", comma-
			   separated, later levels later (escalate_level) */
	CONF_HEADER,	/* char ** + count: "Name: value", repeats */
	CONF_STATUS,	/* struct status_range * + count */
	CONF_MAINT,	/* struct maint_window * + count, repeats */
	CONF_RETENTION,	/* struct config rrd_rra[] + nrrd_rra */
	CONF_METHOD,	/* char *: an HTTP method token */
	CONF_LISTEN,	/* char *: ADDRESS:PORT */
	CONF_CHECKREF,	/* char *: the name of another check */
	CONF_MAILBOX,	/* char *: "Name <a@b>" or "a@b" */
	CONF_TZ		/* char *: an IANA time zone found in zoneinfo */
};

/* Flags of a key. */
#define CONF_F_OPTIONAL	0x01	/* empty means "none" (NULL) */
#define CONF_F_REPEAT	0x02	/* may appear again; accumulates */
#define CONF_F_SECRET	0x04	/* never quoted in a message */

/* One choice of a CONF_ENUM or CONF_WORD key. */
struct conf_choice {
	const char	*name;
	int		 value;
};

/*
 * One key.  min/max bound INT, DURATION (in seconds) and SIZE values;
 * unit is what a plain number of a DURATION counts, in seconds; choices (NULL-ended) serve ENUM and
 * WORD; def is written as in a file (NULL or "" = none); off locates the
 * value in the section's struct and count_off the size_t count of a list.
 */
struct conf_key {
	enum conf_section		 section;
	const char			*name;
	enum conf_type			 type;
	int				 flags;
	long long			 min;
	long long			 max;
	int				 unit;
	const struct conf_choice	*choices;
	const char			*def;
	size_t				 off;
	size_t				 count_off;
	const char			*help;
};

extern const struct conf_key	conf_keys[];
extern const size_t		conf_nkeys;

/* The key called name in section, or NULL. */
const struct conf_key	*conf_key_find(enum conf_section, const char *);
/* Index of k in conf_keys[]. */
size_t			 conf_key_index(const struct conf_key *);
/* "daemon", "smtp", "check", "site". */
const char		*conf_section_name(enum conf_section);
/* What k accepts, briefly: "integer 1..86400", "yes | no". */
void			 conf_key_describe(const struct conf_key *, char *,
			    size_t);

#endif
