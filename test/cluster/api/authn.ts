// Authentication as kube-apiserver's union authenticator does it here: a client certificate
// signed by the cluster CA (CN = user, O = groups) or a bearer token from the user table.
// Anything else is 401; there is no anonymous user.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  name: string;
  groups: string[];
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
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
      const user = this.tokens.get(m[1] ?? '');
      if (user) return { name: user.name, groups: [...user.groups, 'system:authenticated'] };
    }
    return undefined;
  }
}
