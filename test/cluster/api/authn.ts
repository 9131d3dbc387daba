// Authentication as kube-apiserver's union authenticator does it here: a client certificate
// signed by the cluster CA (CN = user, O = groups), a bearer token from the user table, or one
// another authenticator accepts (ServiceAccount tokens: service-account-tokens.ts).
// Anything else is 401; there is no anonymous user.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  name: string;
  groups: string[];
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();
  private readonly tokenAuthenticators: Array<(token: string) => UserInfo | undefined> = [];

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }

  addTokenAuthenticator(authenticate: (token: string) => UserInfo | undefined): void {
    this.tokenAuthenticators.push(authenticate);
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (typeof cn === 'string' && cn) {
        const o = cert.subject.O;
        const groups = Array.isArray(o) ? o : typeof o === 'string' ? [o] : [];
        return { name: cn, groups: [...groups, 'system:authenticated'] };
      }
    }
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) {
      const token = m[1] ?? '';
      let user = this.tokens.get(token);
      for (const other of this.tokenAuthenticators) user ??= other(token);
      if (user) return { name: user.name, groups: [...user.groups, 'system:authenticated'] };
    }
    return undefined;
  }
}
