/*
 * xmalloc.c -- allocation wrappers that die on out-of-memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatal("xmalloc: out of memory allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatal("xcalloc: out of memory allocating %zu * %zu bytes",
		    nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		fatal("xreallocarray: %zu * %zu overflows", nmemb, size);
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		fatal("xreallocarray: out of memory allocating %zu * %zu bytes",
		    nmemb, size);
	return p;
}

/*
 * Room for element n of an array that holds n: grows by doubling, at
 * n = 0, 1, 2, 4, 8 ..., so that lists read one item at a time (100,000
 * checks from checks.d) cost a linear number of copies, not a quadratic.
 */
void *
xappendarray(void *ptr, size_t n, size_t size)
{
	size_t	cap;

	if (n != 0 && (n & (n - 1)) != 0)
		return ptr;			/* room left since the last grow */
	cap = n == 0 ? 1 : n * 2;
	if (cap < n)
		fatal("xappendarray: %zu elements overflow", n);
	return xreallocarray(ptr, cap, size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("xasprintf: out of memory");
	return n;
}
