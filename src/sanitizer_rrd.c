/*
 * sanitizer_rrd.c -- linked into the programs that draw graphs (the CLI
 * and the graph unit test), not into the library.
 *
 * Sanitizer builds only.  librrd and its font stack have no frame
 * pointers, so ASan's fast unwinder cannot see them in the stacks of the
 * small strings rrd_graph_v leaks per call (PLATFORM.md) and a
 * "leak:librrd" suppression never matches.  The slow unwinder can; the
 * suppressions are built in so they hold without LSAN_OPTIONS too.
 */
#if defined(__SANITIZE_ADDRESS__)
const char	*__asan_default_options(void);
const char	*__lsan_default_suppressions(void);

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions(void)
{
	return "leak:librrd\nleak:libfontconfig\nleak:libpango\n"
	    "leak:libcairo\nleak:libglib\nleak:libgobject\n"
	    "leak:libharfbuzz\n";
}
#endif
