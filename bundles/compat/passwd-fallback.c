/*
 * Fallback passwd lookups for containers whose /etc/passwd lacks an entry sshd needs:
 *  - a root container without `nobody`, sshd's privilege-separation user;
 *  - a non-root container whose uid has no entry (common with `runAsUser: 4242`), where the
 *    login name must map to the container's uid.
 * sshd is linked with -Wl,--wrap=getpwnam -Wl,--wrap=getpwuid, so its calls land here. When
 * $SSHPOD_PASSWD names a readable file in passwd(5) format, that file is searched first: it holds
 * only entries sshpod wrote on purpose, and in a non-root container without a name for its uid
 * the login name must map to that uid even when /etc/passwd knows the name (`root`, say) under
 * another uid. Otherwise the real (musl) lookup answers. sshd's other account lookups need
 * no fallback: initgroups() and getgrnam("tty") work without group entries, and getspnam()
 * finding nothing just skips the shadow expiry check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct passwd *__real_getpwnam(const char *name);
struct passwd *__real_getpwuid(uid_t uid);
struct passwd *__wrap_getpwnam(const char *name);
struct passwd *__wrap_getpwuid(uid_t uid);

/* Searches $SSHPOD_PASSWD by name when name is not NULL, else by uid. */
static struct passwd *fallback_lookup(const char *name, uid_t uid)
{
	const char *path = getenv("SSHPOD_PASSWD");
	struct passwd *pw;
	FILE *f;

	if (path == NULL || *path == '\0')
		return NULL;
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	/* fgetpwent() keeps its result in static storage, so it outlives fclose(). */
	while ((pw = fgetpwent(f)) != NULL) {
		if (name != NULL ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid)
			break;
	}
	fclose(f);
	return pw;
}

struct passwd *__wrap_getpwnam(const char *name)
{
	struct passwd *pw = name != NULL ? fallback_lookup(name, 0) : NULL;

	return pw != NULL ? pw : __real_getpwnam(name);
}

struct passwd *__wrap_getpwuid(uid_t uid)
{
	struct passwd *pw = fallback_lookup(NULL, uid);

	return pw != NULL ? pw : __real_getpwuid(uid);
}
