/*
 * replay.c -- run a harness over its corpus once, without libFuzzer.
 *
 * Linked with one fuzz_<target>.c by the ordinary build, it is a plain
 * regression test: every file of the corpus folder (argument, or
 * $top_srcdir/tests/fuzz/corpus/FUZZ_TARGET, or the folder known at build
 * time) is fed to LLVMFuzzerTestOneInput; a broken invariant aborts.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Feed one file to the harness; returns 0, or -1 when unreadable. */
static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*data = NULL;
	size_t	 n = 0, cap = 0, got;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

/* qsort order of file names: replays run the same way every time. */
static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every regular file of dir in name order; returns the count. */
static long
replay_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, *path;
	size_t		 n = 0, i;
	long		 done = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof *names)) == NULL ||
		    (names[n] = strdup(de->d_name)) == NULL)
			abort();
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, replay_cmp);
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) == -1)
			abort();
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(path) == 0)
			done++;
		free(path);
		free(names[i]);
	}
	free(names);
	return done;
}

int
main(int argc, char **argv)
{
	const char	*top;
	char		*dir = NULL;
	long		 n, total = 0;
	int		 i;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if ((n = replay_dir(argv[i])) < 0)
				return 1;
			total += n;
		}
	} else {
		if ((top = getenv("top_srcdir")) != NULL) {
			if (asprintf(&dir, "%s/tests/fuzz/corpus/%s", top,
			    FUZZ_TARGET) == -1)
				abort();
		} else if ((dir = strdup(FUZZ_CORPUS)) == NULL)
			abort();
		total = replay_dir(dir);
		free(dir);
		if (total < 0)
			return 1;
	}
	/* An empty corpus tests nothing: that is a failure too. */
	if (total == 0) {
		fprintf(stderr, "no corpus files replayed\n");
		return 1;
	}
	printf("%s: %ld inputs replayed\n", FUZZ_TARGET, total);
	return 0;
}
