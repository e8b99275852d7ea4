/*
 * passwd.c -- yescrypt hashes of staff passwords (libxcrypt's "$y$",
 * Debian 12's default for /etc/shadow too).
 *
 * crypt_gensalt_rn with no random bytes given asks the kernel for them;
 * crypt_rn writes into a struct crypt_data of our own (about 32 KB, so
 * on the heap: a worker thread's stack has better uses), which makes it
 * safe from several threads at once.  The struct is wiped before it is
 * freed: it held the password on its way through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "passwd.h"
#include "xmalloc.h"

/* yescrypt's default cost (libxcrypt's 0 = its recommended setting). */
#define PASSWD_PREFIX	"$y$"
#define PASSWD_COST	0

int
passwd_hash(const char *pw, char *out, size_t outlen)
{
	struct crypt_data	*cd;
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	int			 rc = -1;

	if (strlen(pw) > PASSWD_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (crypt_gensalt_rn(PASSWD_PREFIX, PASSWD_COST, NULL, 0, setting,
	    sizeof setting) == NULL)
		return -1;
	cd = xcalloc(1, sizeof *cd);
	if (crypt_rn(pw, setting, cd, sizeof *cd) != NULL &&
	    cd->output[0] == '$' && strlen(cd->output) < outlen) {
		memcpy(out, cd->output, strlen(cd->output) + 1);
		rc = 0;
	} else
		errno = EINVAL;
	OPENSSL_cleanse(cd, sizeof *cd);
	free(cd);
	return rc;
}

int
passwd_check(const char *pw, const char *hash)
{
	struct crypt_data	*cd;
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*use = hash;
	size_t			 len;
	int			 ok = 0;

	if (strlen(pw) > PASSWD_MAX)
		return 0;
	/* No account: the same work on a fresh salt, then "no". */
	if (use == NULL || use[0] != '$') {
		if (crypt_gensalt_rn(PASSWD_PREFIX, PASSWD_COST, NULL, 0,
		    setting, sizeof setting) == NULL)
			return 0;
		use = setting;
	}
	cd = xcalloc(1, sizeof *cd);
	if (crypt_rn(pw, use, cd, sizeof *cd) != NULL && use != setting &&
	    cd->output[0] == '$') {
		len = strlen(hash);
		ok = strlen(cd->output) == len &&
		    CRYPTO_memcmp(cd->output, hash, len) == 0;
	}
	OPENSSL_cleanse(cd, sizeof *cd);
	free(cd);
	return ok;
}
