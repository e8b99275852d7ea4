/*
 * evcurl_test.h -- hooks into the libcurl/libevent glue for the unit
 * tests (tests/ only).
 */
#ifndef EVCURL_TEST_H
#define EVCURL_TEST_H

struct evcurl;

/* How many transfers are running. */
unsigned	evcurl_running(const struct evcurl *);

#endif
