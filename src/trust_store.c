/*
 * trust_store.c -- one parsed trust store per ca_file, kept across
 * handshakes (see trust_store.h for why).
 *
 * An entry is the store and what identified the file when it was read
 * (device, inode, size, mtime).  Each use stats the file: one system
 * call, against a PEM parse with OpenSSL 3's decoders, and a CA that was
 * replaced on disk is trusted from the next check on, not an hour later.
 * Entries live as long as the trust_store (a handful: one per distinct
 * ca_file in the configuration); a handshake in flight holds its own
 * reference, so replacing an entry never frees a store in use.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "trust_store.h"
#include "xmalloc.h"

/* As libcurl's own cache of the system store. */
#define TRUST_STORE_TTL_S	3600

struct trust_ent {
	char		*path;
	X509_STORE	*store;
	time_t		 loaded;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

struct trust_store {
	char			*capath;
	struct trust_ent	*ents;
	size_t			 nents;
};

struct trust_store *
trust_store_new(const char *capath)
{
	struct trust_store	*ts;

	ts = xcalloc(1, sizeof *ts);
	if (capath != NULL && *capath != '\0')
		ts->capath = xstrdup(capath);
	return ts;
}

void
trust_store_free(struct trust_store *ts)
{
	size_t	i;

	if (ts == NULL)
		return;
	for (i = 0; i < ts->nents; i++) {
		X509_STORE_free(ts->ents[i].store);
		free(ts->ents[i].path);
	}
	free(ts->ents);
	free(ts->capath);
	free(ts);
}

/* What libcurl would build for CAINFO=ca_file, CAPATH=capath. */
static X509_STORE *
trust_store_load(const struct trust_store *ts, const char *ca_file)
{
	X509_STORE	*s;

	if ((s = X509_STORE_new()) == NULL)
		return NULL;
	if (X509_STORE_load_file(s, ca_file) != 1) {
		X509_STORE_free(s);
		return NULL;
	}
	/* A missing folder only means no system CAs beside the file. */
	if (ts->capath != NULL)
		(void)X509_STORE_load_path(s, ts->capath);
	/* libcurl's defaults for every store it builds. */
	X509_STORE_set_flags(s, X509_V_FLAG_TRUSTED_FIRST |
	    X509_V_FLAG_PARTIAL_CHAIN);
	return s;
}

static int
trust_ent_same(const struct trust_ent *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	    e->size == st->st_size &&
	    e->mtime.tv_sec == st->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

X509_STORE *
trust_store_get(struct trust_store *ts, const char *ca_file)
{
	struct trust_ent	*e = NULL;
	struct stat		 st;
	X509_STORE		*s;
	time_t			 now = time(NULL);
	size_t			 i;

	for (i = 0; i < ts->nents; i++) {
		if (strcmp(ts->ents[i].path, ca_file) == 0) {
			e = &ts->ents[i];
			break;
		}
	}
	if (stat(ca_file, &st) == -1)
		return NULL;
	if (e != NULL && trust_ent_same(e, &st) &&
	    now - e->loaded < TRUST_STORE_TTL_S && now >= e->loaded) {
		X509_STORE_up_ref(e->store);
		return e->store;
	}
	if ((s = trust_store_load(ts, ca_file)) == NULL)
		return NULL;
	if (e == NULL) {
		ts->ents = xappendarray(ts->ents, ts->nents,
		    sizeof *ts->ents);
		e = &ts->ents[ts->nents++];
		memset(e, 0, sizeof *e);
		e->path = xstrdup(ca_file);
	} else
		X509_STORE_free(e->store);
	e->store = s;
	e->loaded = now;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime = st.st_mtim;
	X509_STORE_up_ref(s);
	return s;
}
