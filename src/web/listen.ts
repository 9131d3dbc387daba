// --listen ADDRESS:PORT (pure): where `sshpod web` binds. Loopback unless told otherwise: ":PORT"
// and "PORT" mean 127.0.0.1; another address must be written out (0.0.0.0, ::, a LAN address).
import { isIP } from 'node:net';
import { SshpodError } from '../errors.ts';
import { printable } from '../text/printable.ts';

export const DEFAULT_LISTEN = '127.0.0.1:7681';

export interface Listen {
  host: string;
  port: number;
  display: string;
}

export function parseListen(value: string = DEFAULT_LISTEN): Listen {
  const invalid = (): SshpodError =>
    new SshpodError('usage', `--listen ${printable(value.slice(0, 80))} is not ADDRESS:PORT`, { hint: `e.g. --listen ${DEFAULT_LISTEN} (the default), --listen :8080, --listen 0.0.0.0:7681 to be reachable from other machines` });
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost)?:)?(\d{1,5})$/.exec(value.trim());
  if (!match) throw invalid();
  const port = Number(match[2]);
  if (port > 65535) throw invalid();
  let host = match[1] ?? '127.0.0.1';
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host !== 'localhost' && isIP(host) === 0) throw invalid();
  if (host === 'localhost') host = '127.0.0.1';
  return { host, port, display: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}
