/*
 * OpenSSH compiles the privilege-separation chroot directory in as the string macro
 * _PATH_PRIVSEP_CHROOT_DIR. build.sh rewrites that macro in config.h into a call to this
 * function, so sshpod can point each installed sshd at its own empty, root-owned directory
 * (next to the binary) without a rebuild. The variable is read from the environment, which sshd
 * keeps across its re-exec (rexec) and hands to the monitor and the pre-auth child.
 */
#include <stdlib.h>

#ifndef SSHPOD_DEFAULT_PRIVSEP_DIR
#error "build.sh passes -DSSHPOD_DEFAULT_PRIVSEP_DIR=\"...\" (the same path as --with-privsep-path)"
#endif

const char *sshpod_privsep_dir(void);

const char *sshpod_privsep_dir(void)
{
	const char *dir = getenv("SSHPOD_PRIVSEP_DIR");

	return (dir != NULL && *dir != '\0') ? dir : SSHPOD_DEFAULT_PRIVSEP_DIR;
}
