// Watch streams (`?watch=true`): newline-delimited JSON events over a chunked response, from a
// resourceVersion (replayed from the store's history, or 410 Expired when too old), from "now"
// with the current state as ADDED events (resourceVersion "" or "0"), or with
// sendInitialEvents=true and the closing bookmark of the watch-list protocol. Objects moving
// in or out of a selector's scope appear as ADDED or DELETED, as with kube-apiserver's cache.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, StoredObject, WatchEvent } from './types.ts';
import type { ResourceType } from './resources.ts';
import type { Store, StoreEvent } from './store.ts';
import { expired } from './status.ts';

export interface WatchOptions {
  namespace: string;
  resourceVersion: string;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  matches: (obj: KubeObject) => boolean;
  /** Turns a stored object into what is sent (plain object, Table row, metadata). */
  render: (obj: StoredObject) => KubeObject;
}

function translate(event: StoreEvent, matches: (obj: KubeObject) => boolean): WatchEvent['type'] | undefined {
  const now = event.type !== 'DELETED' && matches(event.object);
  const before = event.previous !== undefined && matches(event.previous);
  switch (event.type) {
    case 'ADDED':
      return now ? 'ADDED' : undefined;
    case 'MODIFIED':
      if (now && before) return 'MODIFIED';
      if (now) return 'ADDED';
      if (before) return 'DELETED';
      return undefined;
    case 'DELETED':
      return before || matches(event.object) ? 'DELETED' : undefined;
  }
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: Store, type: ResourceType, options: WatchOptions): void {
  const inScope = (e: StoreEvent): boolean => e.resource === type && (!options.namespace || !type.namespaced || e.object.metadata.namespace === options.namespace);
  let backlog: StoreEvent[] | undefined;
  const rv = options.resourceVersion;
  const fromNow = rv === '' || rv === '0' || options.sendInitialEvents;
  if (!fromNow) {
    const n = Number(rv);
    backlog = Number.isInteger(n) ? store.eventsSince(n) : undefined;
    if (!backlog) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      const status = expired(`too old resource version: ${rv} (${store.oldestResourceVersion()})`).status;
      res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const write = (type: WatchEvent['type'], object: KubeObject): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };

  if (fromNow) {
    for (const obj of store.list(type, options.namespace || undefined)) if (options.matches(obj)) write('ADDED', options.render(obj));
    if (options.sendInitialEvents && options.allowBookmarks) {
      write('BOOKMARK', { kind: type.kind, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata: { resourceVersion: store.resourceVersion(), annotations: { 'k8s.io/initial-events-end': 'true' } } });
    }
  } else {
    for (const e of backlog ?? []) {
      if (!inScope(e)) continue;
      const t = translate(e, options.matches);
      if (t) write(t, options.render(e.object));
    }
  }

  const unsubscribe = store.subscribe((e) => {
    if (!inScope(e)) return;
    const t = translate(e, options.matches);
    if (t) write(t, options.render(e.object));
  });
  let timer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) timer = setTimeout(finish, options.timeoutSeconds * 1000);
  req.on('close', finish);
  res.on('close', finish);
}
