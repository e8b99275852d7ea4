/*
 * utf8.c -- the length of one UTF-8 sequence, the lowest helper of all:
 * the log escapes what is not UTF-8 with it, and mime encodes by it, so
 * it depends on nothing.
 */
#include <stddef.h>

#include "utf8.h"

size_t
utf8_len(const unsigned char *s)
{
	size_t	n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/*
	 * Overlong forms, UTF-16 surrogates and code points past U+10FFFF
	 * are not UTF-8 either: jansson refuses them, and a name kept raw
	 * would turn into null in the API's JSON.
	 */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}
