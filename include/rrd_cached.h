/*
 * rrd_cached.h -- the recorder's own rrdcached client, for BATCH
 * (librrd's rrdc_* has no BATCH and keeps one connection per process).
 * Used by the rrd writer's thread only.
 */
#ifndef RRD_CACHED_H
#define RRD_CACHED_H

#include <stddef.h>

/* The writer's own connection to rrdcached, for BATCH. */
struct rrd_bclient {
	int		 fd;		/* -1: not connected */
	int		 refused;	/* BATCH not allowed: rrdc_update */
	char		 in[4096];	/* unread replies */
	size_t		 inlen;
};

/* Drop the connection (fd -1 again). */
void	rrd_bclient_close(struct rrd_bclient *);
/* Connect to addr as rrdc_connect reads it; 0, or -1 with err. */
int	rrd_bclient_connect(struct rrd_bclient *, const char *addr,
	    char *err, size_t errlen);
/* Send n bytes; 0 or -1. */
int	rrd_bclient_send(struct rrd_bclient *, const char *, size_t);
/* Read one reply line into line; 0 or -1. */
int	rrd_bclient_line(struct rrd_bclient *, char *line, size_t len);

#endif
