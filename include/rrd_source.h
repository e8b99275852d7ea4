/*
 * rrd_source.h -- where a check's RRD files are, and how to read them.
 *
 * One node (`database` empty): state_dir/rrd/<check>.rrd, as always.
 * A cluster (`database` is a PostgreSQL URI): one file per location,
 * <check>~<location>.rrd (SPEC "Several nodes, several locations").
 * With a shared rrdcached over TCP the files live on its machine: their
 * names are relative to its base folder (rrd/<check>~<location>.rrd),
 * and they are created, listed and read through it (CREATE, LIST, INFO,
 * FETCH); otherwise they are local files in state_dir/rrd.
 */
#ifndef RRD_SOURCE_H
#define RRD_SOURCE_H

#include <stddef.h>
#include <time.h>

#include <rrd.h>

struct config;

/* Between the check's name and the location's in a file name. */
#define RRD_LOC_SEP	'~'

/* Nonzero when cfg writes one file per location (a cluster). */
int	 rrd_source_cluster(const struct config *);
/*
 * Nonzero when the files are named relative to the shared rrdcached's
 * base folder and reached through it only (a cluster with a TCP
 * rrdcached).
 */
int	 rrd_source_remote(const struct config *);
/*
 * This node's location as it appears in file names (allocated: bytes
 * outside [A-Za-z0-9._-] become '_'); NULL on a single node.
 */
char	*rrd_source_location(const struct config *);
/* The folder the files are in: "rrd" when remote, else state_dir/rrd. */
char	*rrd_source_dir(const struct config *);

/* One file of a check. */
struct rrd_source {
	char	*location;	/* NULL: the check's plain <check>.rrd */
	char	*path;		/* local path, or the name rrdcached knows */
};

/* Every file of one check, sorted by location (the plain file first). */
struct rrd_sources {
	struct rrd_source	*v;
	size_t			 n;
	char			*daemon;	/* set: read through it */
	/*
	 * Set: the one data source the reader needs (e.g. "up" for the
	 * uptime figures).  Through rrdcached only that column is asked for
	 * -- a row of every column costs it 20 times the text; local reads
	 * get every column as ever.  Not owned.
	 */
	const char		*ds;
};

/*
 * The files of check under cfg (none yet: n == 0).  Returns 0, or -1
 * with a message in err (rrdcached could not list them).
 */
int	 rrd_sources_find(const struct config *, const char *check,
	    struct rrd_sources *, char *err, size_t errlen);
/* One local file, read as it is (tests, tools). */
void	 rrd_sources_one(struct rrd_sources *, const char *path);
void	 rrd_sources_free(struct rrd_sources *);
/* Make rrdcached write every file of the set (readers see everything). */
void	 rrd_sources_flush(const struct config *, const struct rrd_sources *);

/* rrd_fetch_r on one file of the set (through rrdcached when remote). */
int	 rrd_source_fetch(const struct rrd_sources *, const char *path,
	    const char *cf, time_t *start, time_t *end, unsigned long *step,
	    unsigned long *nds, char ***names, rrd_value_t **data);
/* rrd_info_r likewise; NULL with librrd's error set. */
rrd_info_t *rrd_source_info(const struct rrd_sources *, const char *path);
rrd_info_t *rrd_source_info_now(const struct rrd_sources *,
    const char *path);
/*
 * librrd keeps one rrdcached connection per process (rrdc_*): hold this
 * around any other use of it, e.g. rrd_graph_v with --daemon.
 */
void	 rrd_source_lock(void);
void	 rrd_source_unlock(void);

#endif
