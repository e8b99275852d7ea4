/*
 * trust_store.h -- the parsed trust of checks that have their own ca_file.
 *
 * libcurl keeps one parsed CA store per multi handle, and only for a
 * bundle with no CA folder: the system's trust.  A check with its own
 * ca_file had its file parsed, and OpenSSL's lookups set up, for every
 * handshake (about 180 µs of a 1.2 ms check here).  This keeps one store
 * per ca_file instead, handed to each handshake through
 * CURLOPT_SSL_CTX_FUNCTION.  Loop thread only.
 */
#ifndef TRUST_STORE_H
#define TRUST_STORE_H

#include <openssl/x509_vfy.h>

struct trust_store;

/* capath: the CA folder trusted beside every ca_file (may be NULL). */
struct trust_store	*trust_store_new(const char *capath);
void			 trust_store_free(struct trust_store *);
/*
 * A new reference to the store for ca_file (give it back with
 * X509_STORE_free): the file's certificates and the CA folder.  Parsed
 * again when the file changes or after TRUST_STORE_TTL_S.  NULL when the
 * file cannot be loaded: the caller then lets libcurl read it, so the
 * error is libcurl's usual one.
 */
X509_STORE		*trust_store_get(struct trust_store *,
			    const char *ca_file);

#endif
