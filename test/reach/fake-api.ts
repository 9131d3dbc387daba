// A stand-in for the API server, for unit tests of the connect path without a cluster: JSON
// answers by path, and WebSockets (exec, portforward) played by a script of frames. Only what
// src/kube/exec.ts and src/kube/port-forward.ts use of a ws WebSocket is there.
import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import type { KubeApi } from '../../src/kube/api.ts';
import { SshpodError } from '../../src/errors.ts';

export class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readyState = 1;
  binaryType = 'nodebuffer';
  readonly sent: Buffer[] = [];

  constructor(readonly protocol: string) {
    super();
  }

  /** The server sends a binary frame on `channel`. */
  frame(channel: number, payload: Buffer | string): void {
    this.emit('message', Buffer.concat([Buffer.from([channel]), Buffer.from(payload)]), true);
  }

  send(data: Buffer, callback?: (error?: Error) => void): void {
    this.sent.push(Buffer.from(data));
    callback?.();
  }

  close(code = 1000): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    this.emit('close', code);
  }

  terminate(): void {
    this.close(1006);
  }

  pause(): void {}
  resume(): void {}
}

export interface FakeApiScript {
  /** JSON answers by path (a function may delay or vary them). */
  get: Record<string, unknown | (() => Promise<unknown>)>;
  /** Called for each upgrade: returns the socket, already playing its part. */
  upgrade(path: string, query: URLSearchParams): FakeSocket;
}

export function fakeApi(script: FakeApiScript): KubeApi & { requests: string[] } {
  const requests: string[] = [];
  const api = {
    server: new URL('https://fake.invalid'),
    context: 'fake',
    requests,
    async request<T>(method: string, path: string): Promise<T> {
      requests.push(`${method} ${path}`);
      const answer = script.get[path];
      if (answer === undefined) throw new SshpodError('not-found', `${path} not found`);
      return (typeof answer === 'function' ? await (answer as () => Promise<unknown>)() : answer) as T;
    },
    get<T>(path: string): Promise<T> {
      return api.request<T>('GET', path);
    },
    async openWebSocket(path: string, query: URLSearchParams): Promise<WebSocket> {
      requests.push(`WS ${path}`);
      return script.upgrade(path, query) as unknown as WebSocket;
    },
  };
  return api;
}

/** A port-forward's first frames: the port on both channels, then sshd's banner. */
export function portForwardPlaying(port: number, banner: string): FakeSocket {
  const socket = new FakeSocket('v4.channel.k8s.io');
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16LE(port);
  setImmediate(() => {
    socket.frame(0, prefix);
    socket.frame(1, prefix);
    socket.frame(0, `${banner}\r\n`);
  });
  return socket;
}
