// The ssh login name comes from whoever typed the command: it is checked here, before any API
// call, and again by the remote script, and never spliced into shell code on either side.
import { SshpodError } from '../errors.ts';

export const LOGIN_NAME_RULE = 'user names may contain only letters, digits, ".", "_" and "-", and may not start with "-"';

export function checkLoginName(login: string): string {
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/.test(login)) {
    throw new SshpodError('user', 'the ssh user name is not a valid user name', { hint: LOGIN_NAME_RULE });
  }
  return login;
}
