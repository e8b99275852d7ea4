/*
 * util.h -- small helpers every module uses: clocks, number parsing,
 * a growable buffer and a list of error messages.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock: for scheduling and durations. */
uint64_t	 util_mono_ms(void);
/* Wall-clock time in seconds with sub-second precision: for records. */
double		 util_wall_time(void);

/*
 * Parse a decimal integer in [min, max].  Returns 0 and sets *out, or -1
 * and points *errstr at "invalid", "too small" or "too large".
 */
int		 util_parse_ll(const char *, long long min, long long max,
		    long long *out, const char **errstr);

/*
 * Length of the character at s: 1 for ASCII, 2..4 for a valid UTF-8
 * sequence, 0 when the bytes are not valid UTF-8.
 */

/* Format an epoch time as ISO 8601 UTC ("2026-11-01T12:00:00Z"). */
char		*util_iso8601(time_t, char *buf, size_t len);
/*
 * Parse a command-line time: epoch seconds, "YYYY-MM-DD" (midnight UTC),
 * or "YYYY-MM-DDTHH:MM[:SS]Z".  Returns 0 or -1.
 */
int		 util_parse_time(const char *, time_t *);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void		 buf_init(struct buf *);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_addstr(struct buf *, const char *);
void		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 buf_free(struct buf *);
char		*buf_read_file(const char *);

/* A list of error lines, each already formatted as "FILE:LINE: msg". */
struct errlist {
	char	**lines;
	size_t	  n;
	size_t	  cap;
};
void		 errlist_init(struct errlist *);
void		 errlist_add(struct errlist *, const char *file, int line,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
void		 errlist_free(struct errlist *);

#endif
