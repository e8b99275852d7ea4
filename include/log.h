/*
 * log.h -- the daemon's and the CLI's log.
 *
 * In the foreground lines go to stderr, otherwise to syslog.  Every
 * message passes through log_escape() before it is written, because
 * much of what we log comes from hostile websites.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(const char *progname, int foreground, int verbose);
void	log_set_verbose(int);
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy src into dst (size dstlen), turning control bytes, backslashes
 * and bytes >= 0x80 that are not valid UTF-8 into \xNN escapes, so one
 * message is always one printable line.  Returns dst.
 */
char	*log_escape(char *dst, size_t dstlen, const char *src);

#endif
