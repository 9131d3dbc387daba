/*
 * Debian's musl ships no crypt(), but OpenSSH's openbsd-compat/xcrypt.c references it for
 * password authentication. sshpod never enables passwords (PasswordAuthentication no, and the
 * build has no PAM), so a crypt() that always fails makes any password check fail closed.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <unistd.h>

char *crypt(const char *key, const char *salt)
{
	(void)key;
	(void)salt;
	return NULL;
}
