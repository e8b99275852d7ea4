/*
 * mime.h -- build one RFC 5322 / MIME message: UTF-8 text body in
 * quoted-printable, RFC 2047 encoded Subject and display names, CRLF
 * line ends, and header values that can never start a new header.
 */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <time.h>

#include "util.h"

/* A file sent with a message (base64; name plain ASCII). */
struct mime_attach {
	const char		*name;		/* "uptime.png" */
	const char		*type;		/* "image/png" */
	const unsigned char	*data;
	size_t			 len;
};

/* What a message is made of; every string is UTF-8 and may be hostile. */
struct mime_msg {
	const char	 *from;		/* "Name <addr>" or "addr" */
	const char	**to;		/* same forms */
	size_t		  nto;
	const char	 *subject;
	const char	 *body;		/* LF or CRLF line ends */
	time_t		  date;
	/* With attachments the message is multipart/mixed, body first. */
	const struct mime_attach *attach;
	size_t		  nattach;
	/* A subscriber's: the one-click unsubscribe URL (RFC 8058); NULL. */
	const char	 *unsubscribe;
};

/*
 * Compose the whole message into out (CRLF line ends).  The Message-ID
 * is unique and names the domain of from.
 */
void	 mime_build(const struct mime_msg *, struct buf *out);

/* Replace CR, LF and other control bytes by spaces (one header line). */
char	*mime_clean(const char *);

/*
 * The bare address of "Name <addr>" or "addr", cleaned of control bytes
 * and angle brackets; allocated.
 */
char	*mime_addr_spec(const char *);

/*
 * Append "Name: value" for an unstructured header, RFC 2047 encoding the
 * value when it is not plain ASCII and folding to 78 columns.
 */
void	 mime_header_text(struct buf *, const char *name,
	    const char *value);

/* Append the body as quoted-printable with CRLF line ends. */
void	 mime_qp_encode(struct buf *, const char *text);

#endif
