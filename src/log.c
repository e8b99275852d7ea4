/*
 * log.c -- stderr in the foreground, syslog otherwise; every line escaped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"
#include "utf8.h"

static const char	*log_prog = "sitewatch";
static int		 log_foreground = 1;
static int		 log_verbose;

void
log_init(const char *progname, int foreground, int verbose)
{
	log_prog = progname;
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

char *
log_escape(char *dst, size_t dstlen, const char *src)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 o = 0, n;

	if (dstlen == 0)
		return dst;
	while (*s != '\0') {
		/* C1 controls (U+0080..U+009F, NEL among them) are escaped. */
		if (*s >= 0x80 && (n = utf8_len(s)) > 0 &&
		    !(s[0] == 0xc2 && s[1] < 0xa0)) {
			if (o + n >= dstlen)
				break;
			memcpy(dst + o, s, n);
			o += n;
			s += n;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f || *s >= 0x80 || *s == '\\') {
			if (o + 4 >= dstlen)
				break;
			snprintf(dst + o, 5, "\\x%02x", *s);
			o += 4;
		} else {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)*s;
		}
		s++;
	}
	dst[o] = '\0';
	return dst;
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	static const char	*names[] = { "error", "warning", "info", "debug" };
	static const int	 prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };
	char			 raw[2048], clean[4096], stamp[32];
	struct timespec		 ts;
	struct tm		 tm;

	if (level == LOG_LVL_DEBUG && !log_verbose)
		return;
	vsnprintf(raw, sizeof raw, fmt, ap);
	log_escape(clean, sizeof clean, raw);
	if (!log_foreground) {
		syslog(prio[level], "%s", clean);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", stamp, ts.tv_nsec / 1000000,
	    log_prog, names[level], clean);
}

#define LOG_FN(fn, lvl)					\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(lvl, fmt, ap);			\
	va_end(ap);					\
}
LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
