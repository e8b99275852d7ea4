/*
 * fuzz.h -- what every harness shares: the libFuzzer entry points, an
 * assertion that survives NDEBUG, and a NUL-terminated copy of the input.
 *
 * Each fuzz_<target>.c is built two ways: with clang and libFuzzer by
 * `make fuzz` (mk/fuzz.am), and with the ordinary compiler plus replay.c,
 * which runs every file of tests/fuzz/corpus/<target>/ once, so that the
 * corpora are regression tests in `make check`.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* A broken invariant is a crash, so that libFuzzer keeps the input. */
#define FUZZ_ASSERT(e) do {						\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #e);				\
		abort();						\
	}								\
} while (0)

/*
 * LLVMFuzzerInitialize for a harness that needs only the log (debug
 * detail on stderr, under the harness's name).
 */
#define FUZZ_INIT_LOG(name)						\
int									\
LLVMFuzzerInitialize(int *argc, char ***argv)				\
{									\
	(void)argc;							\
	(void)argv;							\
	log_init(name, 1, 0);						\
	return 0;							\
}

/* The input as a C string: copied, cut at its first NUL. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Where a harness keeps its files: $TMPDIR when short, else /tmp. */
static inline const char *
fuzz_tmpdir(void)
{
	const char	*tmp;

	if ((tmp = getenv("TMPDIR")) == NULL || strlen(tmp) > 30)
		tmp = "/tmp";
	return tmp;
}

/* Nonzero when s holds a control byte other than tab (C0 or DEL). */
static inline int
fuzz_has_ctl(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 1;
	return 0;
}

#endif
