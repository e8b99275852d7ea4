/*
 * store_users.c -- the database door's staff accounts: the checks that
 * do not depend on the backend (what a name and a role may be), then
 * the backend's own statements (store_sqlite_users.c, store_pg_users.c).
 *
 * Only hashes cross this door (passwd.c makes them): a password never
 * reaches the database, a log line or an error message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

int
store_user_name_ok(const char *name)
{
	size_t	i, len;

	if (name == NULL || (len = strlen(name)) == 0 || len >= SW_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '-' && name[i] != '@')
			return 0;
	return 1;
}

int
store_user_role_ok(const char *role)
{
	return role != NULL && (strcmp(role, "staff") == 0 ||
	    strcmp(role, "viewer") == 0);
}

int
store_user_add(struct store *s, const char *name, const char *role,
    const char *hash, time_t now)
{
	/* A crypt(3) string starts with its method: "$y$" and the like. */
	if (!store_user_name_ok(name) || !store_user_role_ok(role) ||
	    hash == NULL || hash[0] != '$')
		return STORE_INVALID;
	return s->ops->user_add(s, name, role, hash, now);
}

int
store_user_del(struct store *s, const char *name)
{
	if (!store_user_name_ok(name))
		return STORE_NOTFOUND;
	return s->ops->user_del(s, name);
}

int
store_user_get(struct store *s, const char *name, struct store_user *out)
{
	memset(out, 0, sizeof *out);
	if (!store_user_name_ok(name))
		return STORE_NOTFOUND;
	return s->ops->user_get(s, name, out);
}

int
store_users(struct store *s, struct store_user **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return s->ops->users(s, out, n);
}

int
store_users_copy(struct store *from, struct store *to, long long *written,
    long long *kept)
{
	struct store_user	*v, u;
	size_t			 n, i;
	int			 rc = 0;

	*written = *kept = 0;
	if (store_users(from, &v, &n) != STORE_OK)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (store_user_get(from, v[i].name, &u) != STORE_OK) {
			rc = -1;
			break;
		}
		switch (store_user_add(to, u.name, u.role, u.hash,
		    u.created_at)) {
		case STORE_OK:
			(*written)++;
			break;
		case STORE_CONFLICT:
			(*kept)++;
			break;
		default:
			rc = -1;
			break;
		}
		free(u.hash);
	}
	free(v);
	return rc;
}
