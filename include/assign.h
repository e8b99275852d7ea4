/*
 * assign.h -- which checks this node probes when several nodes share one
 * PostgreSQL database (SPEC "Several nodes, several locations").
 *
 * Each check goes to the `locations` live nodes that score highest for it
 * (rendezvous hashing of the check's and the node's names): every node
 * computes the same answer from the same heartbeats, without talking to
 * the others, and a node that comes or goes moves only its own share.
 * A node is live while its heartbeat is at most node_timeout old; this
 * node always counts itself.  With SQLite (one node) nothing is asked:
 * every check is this node's.
 */
#ifndef ASSIGN_H
#define ASSIGN_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;
struct assign;

/* The node's name: [daemon] node, else the host name (into buf). */
const char	*assign_node_name(const struct config *, char *buf,
		    size_t len);
/* The highest-scoring `want` of the n node names for check (indexes in
 * pick[], best first); returns how many were picked. */
size_t		 assign_pick(const char *check, const char *const *nodes,
		    size_t n, size_t want, size_t *pick);

struct assign	*assign_start(struct event_base *, const struct config *);
void		 assign_reload(struct assign *, const struct config *);
int		 assign_config_unused(const struct assign *,
		    const struct config *);
/* For the scheduler: nonzero when this node probes the check. */
int		 assign_runs(unsigned check_id, void *assign);
/*
 * Nonzero when this node is the check's first pick (its lead): the one
 * node that reads the check's uptime figures for the cluster.  Before
 * the first answer, and with one node, every check is this node's.
 */
int		 assign_leads(unsigned check_id, void *assign);
/*
 * The locations of every node that ever beat (this one's first), as the
 * last look read them: a copy (free each and the array), NULL with *n 0
 * before the first look or in a process without assign_start (the CLI).
 * Any thread.
 */
char		**assign_locations(size_t *n);
/* Live nodes as last counted, this one included (1 before any answer). */
size_t		 assign_live(const void *assign);
void		 assign_stop(struct assign *);

#endif
