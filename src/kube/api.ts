// What the connect path needs from the API server, as an interface: JSON requests and streaming
// upgrades (exec, portforward). ApiConnection is the real one; unit tests of resolve, prepare
// and the warm path give a fake, so that they run without a cluster or root.
import type WebSocket from 'ws';
import type { Operation } from './api-error.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: URLSearchParams;
  /** Sent as JSON (or as is, for a string with its own contentType). */
  body?: unknown;
  contentType?: string;
}

export interface KubeApi {
  readonly server: URL;
  readonly context: string;
  /** A JSON request; a non-2xx answer is thrown as the SshpodError apiError() makes. */
  request<T>(method: HttpMethod, path: string, operation: Operation, options?: RequestOptions): Promise<T>;
  get<T>(path: string, operation: Operation, query?: URLSearchParams): Promise<T>;
  /** A WebSocket for exec/portforward, paused until the caller has its listeners in place. */
  openWebSocket(path: string, query: URLSearchParams, protocols: string[], operation: Operation): Promise<WebSocket>;
}
