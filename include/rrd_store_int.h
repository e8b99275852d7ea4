/*
 * rrd_store_int.h -- what the recorder's three files share: the loop
 * side (rrd_store.c: queue, batch policy, drop-and-count), the file
 * table (rrd_files.c: per-check file state, create, forget) and the
 * writer (rrd_write.c: grouping, direct or rrdcached writes).  Only
 * these files include it.
 */
#ifndef RRD_STORE_INT_H
#define RRD_STORE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "rrd_cached.h"
#include "rrd_store.h"
#include "rrd_store_test.h"
#include "sitewatch.h"

struct bio;
struct event;
struct rrd_files;
struct rrd_wctx;

/* rrdc_* shares one connection per process: serialize every use. */
extern pthread_mutex_t	rrd_store_rrdc_lock;

/*
 * One queued update: what the file's values are made of (rrd_sample), so
 * the result may be gone when we write.  80 bytes: while 100,000 new
 * files are created the queue holds tens of thousands of these.
 */
struct rrd_job {
	unsigned		 id;		/* the check's registry id */
	int			 interval;
	const char		*name;		/* the registry's, or the
						   check's (see rs->reg) */
	time_t			 t;
	double			 at;		/* exact result time */
	struct rrd_sample	 sample;
};

/* A block of the pending updates. */
#define RRD_QBLOCK	1024
struct rrd_qblock {
	struct rrd_qblock	*next;
	struct rrd_job		 job[RRD_QBLOCK];
};

/*
 * What the writer knows of one check's file, with the check's name after
 * it: one allocation per check, 48 bytes for most (hence the narrow
 * fields; the file's name is made from the name when needed).
 */
struct rrd_file_state {
	double			 last_at;	/* exact time of last_t's */
	time_t			 last_t;
	uint32_t		 step;		/* seconds; 0 = not read yet */
	uint32_t		 checked;	/* last stat(), epoch seconds */
	uint32_t		 mark;		/* batch seen in */
	uint32_t		 jfirst, jlast;	/* its jobs in that batch */
	unsigned char		 failing;	/* error logged */
	unsigned char		 same_sec_logged;
	char			 name[];
};

/* Settings the writer uses for one batch. */
struct rrd_batch_conf {
	char		*dir;
	char		*rrdcached;
	struct rrd_rra	 rra[RRD_RRA_MAX];
	size_t		 nrra;
	time_t		 now;
	char		*cdir;		/* dir, escaped */
	char		*location;	/* a cluster's files: NULL = one node */
	int		 remote;	/* files behind rrdcached (rrd_source.h) */
};

struct rrd_store {
	pthread_mutex_t		 mtx;
	/* The batch policy: the owner's thread (the loop) only. */
	struct bio		*writer;	/* the "rrd-writer" queue */
	struct event		*ev_batch;	/* RRD_BATCH_WAIT_MS is up */
	struct timespec		 last;		/* last batch handed over */
	int			 armed;		/* ev_batch pending */
	int			 busy;		/* a batch is out */
	int			 stopping;
	int			 hold;		/* tests: wait */
	int			 syncing;	/* in rrd_store_sync */

	/*
	 * Pending updates, oldest first, guarded by mtx: a list of blocks,
	 * so a backlog (100,000 files being created) grows without a copy
	 * and gives its memory back as it is written.
	 */
	struct rrd_qblock	*qfirst, *qlast;
	size_t			 qhead;		/* first job in qfirst */
	size_t			 qtail;		/* next free slot in qlast */
	struct rrd_qblock	*qspare;	/* an emptied block, kept */
	const struct registry	*reg;		/* names; NULL: the check's */
	size_t			 count, max, hiwater;
	int			 overflowing;

	/* Settings, guarded by mtx; the writer copies them per batch. */
	char			*rrd_dir;
	char			*rrdcached;
	char			*location;	/* NULL: <check>.rrd */
	int			 remote;
	struct rrd_rra		 rra[RRD_RRA_MAX];
	size_t			 nrra;
	unsigned		 generation;	/* rrd_dir or location moved */

	struct rrd_store_stats	 stats;

	/* Writer-only. */
	struct rrd_wctx		*w;
	struct rrd_files	*files;		/* per-check file state */
	uint32_t		 batchno;	/* wraps: compared for equality */
	unsigned		 writer_generation;
	int			 rrdc_failing;
	struct rrd_bclient	 bcl;
};

/* rrd_files.c: the per-check file table (writer's thread only). */
struct rrd_files	*rrd_files_new(void);
void			 rrd_files_free(struct rrd_files *);
/* Forget every file (rrd_dir moved). */
void			 rrd_files_clear(struct rrd_files *);
/* <check>[~<location>].rrd; and dir/that, into buf. */
const char		*rrd_file_name(const struct rrd_batch_conf *,
			    const struct rrd_file_state *, char *buf,
			    size_t len);
void			 rrd_file_path(const struct rrd_batch_conf *,
			    const struct rrd_file_state *, char *buf,
			    size_t len);
/*
 * The state of check id's file, made on first sight; name is the check's (a slot found under another name is taken
 * over, unless that name is in the same batch: two names under one id is
 * fatal).
 */
struct rrd_file_state	*rrd_files_get(struct rrd_files *, unsigned id,
			    const char *name, uint32_t batchno);
/*
 * Make sure s's file exists with the step of interval (creating, moving
 * aside and re-creating it as needed); 0, or -1 (logged).
 */
int			 rrd_files_ensure(const struct rrd_batch_conf *,
			    struct rrd_file_state *s, int interval,
			    time_t first_t, int recheck);
/* Create dir and its parents; 0 or -1 with errno. */
int			 rrd_files_mkdirs(const char *dir);

/* rrd_store_create through rrdcached's CREATE when daemon is set. */
int			 rrd_store_create_at(const char *daemon,
			    const char *path, int interval, time_t last_up,
			    const struct rrd_rra *, size_t n, char *err,
			    size_t errlen);

/* rrd_write.c: the writer's thread. */
struct rrd_wctx		*rrd_wctx_new(void);
void			 rrd_wctx_free(struct rrd_wctx *);
/*
 * With mtx held: move the n oldest pending updates (n <= count) to out,
 * or drop them when out is NULL.
 */
void	rrd_queue_take(struct rrd_store *, struct rrd_job *out, size_t n);

/* The bio job: take the queue's oldest, write them file by file. */
void			 rrd_store_writer(void *);
/* The counts of the last batch (read in the done callback). */
const struct rrd_store_stats *rrd_wctx_stats(const struct rrd_wctx *);

#endif
