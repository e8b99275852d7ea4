/*
 * tzinfo.h -- local time of an IANA zone ("Europe/Istanbul") without
 * touching TZ: the daemon has threads, and setenv("TZ") under them is a
 * race.  A zone is read once from the system's zoneinfo (TZif) and asked
 * for its offset at a time; nothing here is global.
 */
#ifndef TZINFO_H
#define TZINFO_H

#include <stddef.h>
#include <time.h>

#define TZINFO_DIR	"/usr/share/zoneinfo"

struct tzinfo;

/*
 * Read zone NAME (an IANA name: letters, digits, "_+-" and "/", no "..").
 * NULL with why filled when the name is malformed or not a zone here.
 */
struct tzinfo	*tzinfo_load(const char *name, char *why, size_t len);
void		 tzinfo_free(struct tzinfo *);
/* The zone's name as given. */
const char	*tzinfo_name(const struct tzinfo *);
/*
 * Broken-down local time of t in the zone (NULL zone: UTC), its offset
 * east of UTC in seconds in *off and its abbreviation ("+03", "CET").
 */
void		 tzinfo_local(const struct tzinfo *, time_t t, struct tm *,
		    long *off, const char **abbr);
/* "2026-12-04 23:40 +03 (Europe/Istanbul)" or "... UTC". */
void		 tzinfo_format(const struct tzinfo *, time_t t, char *buf,
		    size_t len);

#endif
