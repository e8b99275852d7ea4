/*
 * rrdcached_child.c -- the daemon's own rrdcached.
 *
 * DESIGN.  librrd maps and unmaps a file per rrd_update; in a daemon with
 * several threads every munmap interrupts the other cores (PLATFORM.md),
 * which made the writer thread cost ~10x a single-threaded update.
 * rrdcached writes many updates per file per open in a process of its
 * own, and its journal replays whatever it had not written after a
 * crash.  So with `rrdcached` empty the daemon runs Debian's rrdcached:
 *
 *   rrdcached -g -l unix:STATE/rrdcached.sock -p STATE/rrdcached.pid
 *             -j STATE/rrd-journal -B -b STATE/rrd -F -w W -z W/2 -f 3600
 *
 *  - -w W -z W/2: a file is written every W to 1.5 W seconds, several
 *    values per write; readers (web, CLI, reports) flush the file they
 *    read first (rrd_store_flush_file), so nobody sees the delay.  W is
 *    300 s unless the checks send more than CHILD_VALUE_BUDGET values per
 *    300 s: rrdcached keeps every value until its file is written (~100
 *    bytes each with its array, on top of ~250 bytes a file), so at
 *    100,000 checks of a minute W shrinks to 30 s (one value a write,
 *    under one held a file on average: ~25 MB less than -w 300) and at a
 *    few thousand checks it stays at 300.  -f 3600: values of checks
 *    gone quiet.
 *  - -j: every update is in the journal before it is acknowledged, so a
 *    SIGKILL of both processes loses nothing (the next start replays
 *    it); -F: a clean stop writes everything, leaving the files whole
 *    for tools that read them without rrdcached.
 *  - It runs in the foreground (-g) as our direct child, in a process
 *    group of its own (a ^C or a group signal to the daemon must not
 *    stop it before the recorder's last batch), with PR_SET_PDEATHSIG:
 *    if the daemon is killed, rrdcached gets SIGTERM and writes out.
 *  - A child that dies is restarted after 1, 2, 4 ... 60 s; meanwhile
 *    the recorder's writer finds no socket and writes directly (its
 *    existing fallback).  Its pid is in STATE/rrdcached.pid (its own -p).
 *  - At start, a rrdcached that an earlier, killed daemon left (found by
 *    that pid file, and only if its command line names our socket) is
 *    stopped and waited for, so two never share a journal.
 *  - It is started after the privilege drop, as the daemon's user, so
 *    its socket, journal and files belong to that user.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "rrdcached_child.h"
#include "xmalloc.h"

#define RRDCACHED_BIN		"/usr/bin/rrdcached"
#define CHILD_SOCK		"rrdcached.sock"
#define CHILD_PID		"rrdcached.pid"
#define CHILD_LOG		"rrdcached.log"
#define CHILD_JOURNAL		"rrd-journal"
#define CHILD_START_WAIT_MS	5000	/* socket up (journal replayed) */
#define CHILD_STOP_WAIT_MS	20000	/* -F: everything written */
#define CHILD_STALE_WAIT_MS	10000
#define CHILD_BACKOFF_MAX_S	60
#define CHILD_STABLE_S		60	/* up this long: backoff back to 1 */
#define CHILD_WRITE_MAX_S	300	/* -w: longest wait before a write */
#define CHILD_WRITE_MIN_S	30
#define CHILD_VALUE_BUDGET	50000	/* values held, about 5 MB */

struct rrdcached_child {
	struct event_base	*base;
	struct event		*ev_watch;	/* 1 s: reap, restart */
	char			*state_dir;
	char			*sock, *pidfile, *logfile, *journal, *rrddir;
	char			*argv[24];
	int			 wait, delay;			/* -w, -z */
	char			 wait_s[16], delay_s[16];	/* as argv */
	pid_t			 pid;		/* 0: not running */
	time_t			 started;
	time_t			 next_try;
	int			 backoff;
};

char *
rrdcached_child_addr(const struct config *cfg)
{
	char	*s;

	if (cfg == NULL || !cfg->rrdcached_own || cfg->state_dir == NULL)
		return NULL;
	xasprintf(&s, "unix:%s/%s", cfg->state_dir, CHILD_SOCK);
	return s;
}

void
rrdcached_child_bind(struct config *cfg)
{
	char	*a;

	if ((a = rrdcached_child_addr(cfg)) == NULL)
		return;
	free(cfg->rrdcached);
	cfg->rrdcached = a;
}

static void
sleep_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* True when something accepts connections on the unix socket path. */
static int
sock_answers(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, ok;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return 0;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return ok;
}

/* The pid in path, 0 when there is none. */
static pid_t
read_pid(const char *path)
{
	FILE	*f;
	long	 n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &n) != 1 || n <= 1 || n > INT_MAX)
		n = 0;
	fclose(f);
	return (pid_t)n;
}

/* True when pid is an rrdcached whose arguments name sock. */
static int
is_our_rrdcached(pid_t pid, const char *sock)
{
	char	 path[64], buf[8192];
	size_t	 n, i;
	FILE	*f;
	int	 found = 0;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n == 0 || strstr(buf, "rrdcached") == NULL)
		return 0;
	for (i = 0; i < n; i += strlen(buf + i) + 1)
		if (strstr(buf + i, sock) != NULL)
			found = 1;
	return found;
}

/* Wait up to ms for pid (not our child) to be gone; 0 if it is. */
static int
wait_gone(pid_t pid, long ms)
{
	for (; ms > 0; ms -= 20) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 0;
		sleep_ms(20);
	}
	return kill(pid, 0) == -1 && errno == ESRCH ? 0 : -1;
}

/*
 * A daemon killed with SIGKILL leaves its rrdcached to its death signal
 * (SIGTERM: it writes out and ends); one that outlived it anyway (its
 * death signal lost, or stopped) is ended here before a new one opens
 * the same journal.
 */
static void
stop_stale(struct rrdcached_child *ch)
{
	pid_t	pid;

	if ((pid = read_pid(ch->pidfile)) != 0 &&
	    is_our_rrdcached(pid, ch->sock)) {
		log_info("rrd: stopping rrdcached pid %ld left by an earlier "
		    "run", (long)pid);
		if (kill(pid, SIGTERM) == 0 &&
		    wait_gone(pid, CHILD_STALE_WAIT_MS) == -1) {
			log_warn("rrd: rrdcached pid %ld ignores SIGTERM: "
			    "killing it (its journal keeps its data)",
			    (long)pid);
			(void)kill(pid, SIGKILL);
			(void)wait_gone(pid, 2000);
		}
	}
	(void)unlink(ch->pidfile);
	(void)unlink(ch->sock);
}

/* Fork and exec rrdcached; 0, or -1 (logged). */
static int
spawn(struct rrdcached_child *ch)
{
	sigset_t	all;
	pid_t		pid, parent = getpid();
	int		fd;

	if (mkdir(ch->journal, 0750) == -1 && errno != EEXIST) {
		log_error("rrd: cannot create %s: %s", ch->journal,
		    strerror(errno));
		return -1;
	}
	(void)unlink(ch->sock);
	if ((pid = fork()) == -1) {
		log_error("rrd: cannot start rrdcached: fork: %s",
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls until exec. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
		(void)setpgid(0, 0);
		sigfillset(&all);
		(void)sigprocmask(SIG_UNBLOCK, &all, NULL);
		(void)signal(SIGPIPE, SIG_DFL);
		if ((fd = open("/dev/null", O_RDONLY)) != -1 && fd != 0) {
			(void)dup2(fd, 0);
			(void)close(fd);
		}
		if ((fd = open(ch->logfile, O_WRONLY | O_CREAT | O_APPEND,
		    0640)) != -1) {
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			if (fd > 2)
				(void)close(fd);
		}
		(void)close_range(3, ~0U, 0);
		execv(RRDCACHED_BIN, ch->argv);
		execvp("rrdcached", ch->argv);
		_exit(127);
	}
	ch->pid = pid;
	ch->started = time(NULL);
	log_info("rrd: rrdcached started, pid %ld, on %s, writing each "
	    "file every %d-%d s", (long)pid, ch->sock, ch->wait,
	    ch->wait + ch->delay);
	return 0;
}

/* Reap ch's child if it ended; 1 if it did (logged). */
static int
reap(struct rrdcached_child *ch, int quiet)
{
	int	st;
	pid_t	r;

	if (ch->pid <= 0)
		return 0;
	r = waitpid(ch->pid, &st, WNOHANG);
	if (r == 0 || (r == -1 && errno == EINTR))
		return 0;
	if (!quiet) {
		if (r > 0 && WIFEXITED(st))
			log_error("rrd: rrdcached pid %ld exited with status "
			    "%d (see %s)", (long)ch->pid, WEXITSTATUS(st),
			    ch->logfile);
		else if (r > 0 && WIFSIGNALED(st))
			log_error("rrd: rrdcached pid %ld killed by signal %d",
			    (long)ch->pid, WTERMSIG(st));
	}
	ch->pid = 0;
	return 1;
}

/* Every second on the loop: restart a dead child after its backoff. */
static void
watch(evutil_socket_t fd, short what, void *arg)
{
	struct rrdcached_child	*ch = arg;
	time_t			 now = time(NULL);

	if (ch->pid > 0) {
		if (now - ch->started >= CHILD_STABLE_S)
			ch->backoff = 1;
		if (!reap(ch, 0))
			return;
		ch->next_try = now + ch->backoff;
		log_info("rrd: restarting rrdcached in %d s; results are "
		    "written to the files directly meanwhile", ch->backoff);
		ch->backoff = ch->backoff * 2 > CHILD_BACKOFF_MAX_S ?
		    CHILD_BACKOFF_MAX_S : ch->backoff * 2;
		return;
	}
	if (now < ch->next_try)
		return;
	/*
	 * Not waited for here: the loop must not stop; the writer uses it
	 * from its first BATCH that connects.
	 */
	if (spawn(ch) == -1)
		ch->next_try = now + ch->backoff;
}

static void
child_free(struct rrdcached_child *ch)
{
	if (ch->ev_watch != NULL)
		event_free(ch->ev_watch);
	free(ch->state_dir);
	free(ch->sock);
	free(ch->pidfile);
	free(ch->logfile);
	free(ch->journal);
	free(ch->rrddir);
	free(ch);
}

/*
 * rrdcached's -w: as long as CHILD_WRITE_MAX_S while the values that
 * arrive in that time fit CHILD_VALUE_BUDGET, shorter (not below
 * CHILD_WRITE_MIN_S) when they would not.  Fixed at start: a reload
 * that adds many checks keeps the window it started with.
 */
static int
child_write_wait(const struct config *cfg)
{
	double	per_s = 0;
	size_t	i;
	int	w;

	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i]->interval > 0)
			per_s += 1.0 / cfg->checks[i]->interval;
	if (per_s * CHILD_WRITE_MAX_S <= CHILD_VALUE_BUDGET)
		return CHILD_WRITE_MAX_S;
	w = (int)(CHILD_VALUE_BUDGET / per_s);
	return w < CHILD_WRITE_MIN_S ? CHILD_WRITE_MIN_S : w;
}

struct rrdcached_child *
rrdcached_child_start(const struct config *cfg, struct event_base *base)
{
	struct rrdcached_child	*ch;
	struct sockaddr_un	 sun;
	struct timeval		 every = { 1, 0 };
	char			*rrddir, *real;
	long			 ms;
	size_t			 n = 0;
	int			 w;

	if (cfg == NULL || !cfg->rrdcached_own)
		return NULL;
	ch = xcalloc(1, sizeof *ch);
	ch->base = base;
	ch->backoff = 1;
	ch->state_dir = xstrdup(cfg->state_dir);
	xasprintf(&ch->sock, "%s/%s", cfg->state_dir, CHILD_SOCK);
	xasprintf(&ch->pidfile, "%s/%s", cfg->state_dir, CHILD_PID);
	xasprintf(&ch->logfile, "%s/%s", cfg->state_dir, CHILD_LOG);
	xasprintf(&ch->journal, "%s/%s", cfg->state_dir, CHILD_JOURNAL);
	/* -B takes the folder as the writer sends it: absolute, resolved. */
	xasprintf(&rrddir, "%s/rrd", cfg->state_dir);
	real = realpath(rrddir, NULL);
	ch->rrddir = real != NULL ? real : xstrdup(rrddir);
	free(rrddir);
	if (strlen(ch->sock) >= sizeof sun.sun_path) {
		log_error("rrd: %s is too long for a socket path: writing the "
		    "RRD files directly (set rrdcached in [daemon])",
		    ch->sock);
		child_free(ch);
		return NULL;
	}
	ch->argv[n++] = "rrdcached";
	ch->argv[n++] = "-g";
	ch->argv[n++] = "-l";
	xasprintf(&ch->argv[n++], "unix:%s", ch->sock);
	ch->argv[n++] = "-p";
	ch->argv[n++] = ch->pidfile;
	ch->argv[n++] = "-j";
	ch->argv[n++] = ch->journal;
	ch->argv[n++] = "-B";
	ch->argv[n++] = "-b";
	ch->argv[n++] = ch->rrddir;
	ch->argv[n++] = "-F";
	w = child_write_wait(cfg);
	ch->wait = w;
	ch->delay = w / 2;
	snprintf(ch->wait_s, sizeof ch->wait_s, "%d", ch->wait);
	snprintf(ch->delay_s, sizeof ch->delay_s, "%d", ch->delay);
	ch->argv[n++] = "-w";
	ch->argv[n++] = ch->wait_s;
	ch->argv[n++] = "-z";
	ch->argv[n++] = ch->delay_s;
	ch->argv[n++] = "-f";
	ch->argv[n++] = "3600";
	ch->argv[n] = NULL;

	stop_stale(ch);
	if (spawn(ch) == 0) {
		/* Before the first check: its journal replays first. */
		for (ms = 0; ms < CHILD_START_WAIT_MS; ms += 10) {
			if (sock_answers(ch->sock) || reap(ch, 0))
				break;
			sleep_ms(10);
		}
		if (ch->pid > 0 && !sock_answers(ch->sock))
			log_warn("rrd: rrdcached does not answer on %s yet: "
			    "writing directly until it does", ch->sock);
	}
	if (ch->pid == 0)
		ch->next_try = time(NULL) + ch->backoff;
	if (base != NULL) {
		ch->ev_watch = event_new(base, -1, EV_PERSIST, watch, ch);
		event_add(ch->ev_watch, &every);
	}
	return ch;
}

struct rrdcached_child *
rrdcached_child_reload(struct rrdcached_child *ch, const struct config *cfg,
    struct event_base *base)
{
	if (ch != NULL && cfg->rrdcached_own &&
	    strcmp(ch->state_dir, cfg->state_dir) == 0)
		return ch;
	rrdcached_child_stop(ch);
	return rrdcached_child_start(cfg, base);
}

void
rrdcached_child_stop(struct rrdcached_child *ch)
{
	long	ms;

	if (ch == NULL)
		return;
	if (ch->ev_watch != NULL)
		event_del(ch->ev_watch);
	if (ch->pid > 0 && !reap(ch, 0)) {
		(void)kill(ch->pid, SIGTERM);
		for (ms = 0; ms < CHILD_STOP_WAIT_MS; ms += 10) {
			if (reap(ch, 1))
				break;
			sleep_ms(10);
		}
		if (ch->pid > 0) {
			log_warn("rrd: rrdcached pid %ld still runs %d s "
			    "after SIGTERM: killing it (its journal keeps "
			    "what it held)", (long)ch->pid,
			    CHILD_STOP_WAIT_MS / 1000);
			(void)kill(ch->pid, SIGKILL);
			(void)waitpid(ch->pid, NULL, 0);
			ch->pid = 0;
		} else
			log_info("rrd: rrdcached stopped");
	}
	free(ch->argv[3]);
	child_free(ch);
}
