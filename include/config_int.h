/*
 * config_int.h -- what the parts of the configuration loader share; not
 * for the rest of sitewatch, which sees only config.h.
 *
 * The loader is split along its seams:
 *   config_text.c    the text helpers every other part shares (lowest)
 *   config_read.c    the line reader: sections, keys, FILE:LINE errors
 *   config_types.c   one table of {parse, free, copy, show} per value type,
 *                    and the table defaults (conf_apply_defaults)
 *   config_maint.c   maintenance windows: grammar and "is it on now"
 *   config_status.c  expect_status ranges: grammar and match
 *   config.c         the loader: defaults inheritance, cross-key checks,
 *                    checks_dir, depends, free and look-up
 * Calls run one way, down this list from config.c: config_read.c calls
 * config_types.c, which calls config_maint.c and config_status.c, and
 * all of them call config_text.c.
 */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <stdio.h>

#include "conf_keys.h"
#include "config.h"
#include "util.h"

#define ERR_MAX		512	/* one error message */
#define SHOW_MAX	80	/* a value quoted in a message */
#define SHOW_BUF	(SHOW_MAX * 4 + 1) /* the same, escaped */

/*
 * Where a key's value came from; line 0 means "not set".  Eight bytes:
 * every check has one per key while the config loads, and 100,000 checks
 * times 43 keys at 24 bytes made the peak memory of a start.
 */
struct keysrc {
	unsigned	 file;		/* index in loader names[] */
	unsigned	 line : 30;
	unsigned	 own : 1;	/* set in this section, not inherited */
	unsigned	 bad : 1;	/* set, but the value was refused */
};
#define KS_FILE(ld, ks)	((ks)->line != 0 ? \
	    (const char *)(ld)->names[(ks)->file] : (const char *)NULL)

/*
 * A key a [check] section set itself.  A check keeps only these while the
 * rest of the config loads: most set one to three of the 43 keys, and a
 * full keysrc row each (344 bytes) was a third of the peak memory of a
 * 100,000-check start.
 */
struct keysrc_set {
	unsigned short	 key;		/* index in conf_keys */
	struct keysrc	 ks;
};

/* A [check NAME] while loading. */
struct check_state {
	struct check_conf	*c;
	struct keysrc_set	*set;	/* nset keys the section set */
	unsigned		 nset;
	int			 dropped; /* duplicate name: not kept */
	size_t			 order;	/* load order */
	struct keysrc		 dep_src; /* where depends came from */
	struct check_state	*dep;	/* resolved depends */
};

/* A [notify NAME] while loading. */
struct notify_state {
	struct notify_conf	*n;
	struct keysrc		*src;	/* conf_nkeys entries */
};

/* One load in progress: what every file read adds to. */
struct loader {
	struct config		 *cfg;
	struct errlist		 *errs;
	char			 *show_dir;	/* "" or "dir/" */
	struct keysrc		 *main_src;	/* daemon, smtp */
	struct check_conf	  defs;		/* [defaults] */
	struct keysrc		 *defs_src;
	struct check_state	**cs;
	size_t			  ncs;
	struct keysrc		 *check_src;	/* the open [check]'s row */
	struct check_state	 *open_check;
	struct notify_state	**ns;
	size_t			  nns;
	char			**names;	/* for keysrc */
	size_t			  nnames;
};

/* config_read.c: text helpers every part uses. */
const char	*conf_show(const char *, char *, size_t);
char		*conf_lskip(char *);
char		*conf_rstrip(char *);
int		 conf_check_name_ok(const char *, char *, size_t);
void		 conf_free_list(char **, size_t);

/*
 * config_types.c: the value of key k inside base (the struct of its
 * section).  conf_value_parse returns 0, or -1 with the whole message
 * (without FILE:LINE) in err; dir is the base of relative paths.
 */
int	conf_value_parse(const struct conf_key *k, void *base, const char *v,
	    const char *dir, char *err, size_t errlen);
void	conf_value_free(const struct conf_key *k, void *base);
void	conf_value_copy(const struct conf_key *k, const void *from, void *to);
/* Split "a, b,c" into trimmed, non-empty items; how many. */
size_t	conf_split_list(const char *v, char ***out);

/* config_maint.c: one maintenance window; 0, or -1 with why in err. */
int	maint_parse(const char *, struct maint_window *, char *, size_t);

/* config_read.c */
FILE	*conf_open(struct loader *, const char *path, const char *shown);
void	 conf_read_file(struct loader *, FILE *, const char *file,
	    int is_main);

/* config_read.c: keep the keys the open [check] set; clear its row. */
void	 conf_close_check(struct loader *);

/* config.c: table defaults for every key of sec that src leaves unset. */
void	 conf_apply_defaults(struct loader *, enum conf_section, void *base,
	    struct keysrc *src);

#endif
