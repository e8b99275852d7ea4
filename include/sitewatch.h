/*
 * sitewatch.h -- enums and limits shared by every module.
 *
 * Only plain values live here: the state and cause of a check result and
 * the size caps.  Modules keep their own structs in their own headers.
 */
#ifndef SITEWATCH_H
#define SITEWATCH_H

#define SW_NAME_MAX	64	/* check names, including the NUL */
#define SW_MESSAGE_MAX	256	/* human message of a result */

/* What a check run found; ordered by severity for comparisons. */
enum sw_state {
	SW_STATE_UNKNOWN = 0,	/* not measured: canaries down, shutdown */
	SW_STATE_UP,
	SW_STATE_DEGRADED,
	SW_STATE_DOWN,
};

/* Why a check run ended the way it did (SPEC.md "Results and causes"). */
enum sw_cause {
	SW_CAUSE_OK = 0,
	SW_CAUSE_DNS,
	SW_CAUSE_CONNECT,
	SW_CAUSE_TLS,
	SW_CAUSE_TIMEOUT,
	SW_CAUSE_HTTP,
	SW_CAUSE_CONTENT,
	SW_CAUSE_SLOW,
	SW_CAUSE_CERT,
	SW_CAUSE_UNKNOWN,	/* the checker could not measure */
	SW_CAUSE_COUNT
};

const char	*sw_state_name(enum sw_state);
const char	*sw_cause_name(enum sw_cause);
/* Parse the names back; -1 when the text is not a known name. */
int		 sw_state_parse(const char *);
int		 sw_cause_parse(const char *);

#endif
