/*
 * utf8.h -- the length of one UTF-8 sequence.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/* Bytes in the well-formed sequence at s (1..4), or 0 when it is not one. */
size_t	utf8_len(const unsigned char *s);

#endif
