/*
 * passwd.h -- staff passwords: made into yescrypt hashes and checked
 * against them, through libcrypt (libxcrypt).  Deliberately slow (tens
 * of ms a check): the daemon calls passwd_check on a worker thread only.
 * Nothing here logs, and nothing keeps a password after it returns.
 */
#ifndef PASSWD_H
#define PASSWD_H

#include <stddef.h>

/* Longest password taken, in bytes (a longer one is refused). */
#define PASSWD_MAX	512
/* Room for a hash string (crypt(3)'s CRYPT_OUTPUT_SIZE). */
#define PASSWD_HASH_MAX	384

/* Hash pw with a fresh random salt into out: 0, or -1 (errno). */
int	passwd_hash(const char *pw, char *out, size_t outlen);
/*
 * 1 when pw matches hash, else 0.  hash NULL (no such account) spends
 * the same time on a throwaway hash, so a guess at a name that does not
 * exist takes as long to refuse as a wrong password.
 */
int	passwd_check(const char *pw, const char *hash);

#endif
