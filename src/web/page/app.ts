// The web terminal's page: a picker (context, namespace, pod/workload/template, or a hostname in
// sshpod's grammar) and tabs of xterm.js terminals, each joined to a shell in a container over one
// WebSocket (the protocol: ../messages.ts). No framework: the DOM API and xterm.js. Text from the
// server (names, messages) goes into the DOM as text only, never as HTML, and into a terminal only
// with its control characters removed.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

type ServerControl =
  | { t: 'progress'; text: string }
  | { t: 'ready'; id: string; context: string; namespace: string; pod: string; container: string; onDemand: boolean; heartbeatMs: number }
  | { t: 'error'; kind: string; message: string; hint?: string; retry: boolean }
  | { t: 'exit'; code: number | null; message: string };

interface CatalogEntry {
  kind: string;
  name: string;
  containers?: string[];
  state?: string;
}

/** A paste is sent in pieces below the server's message bound. */
const CHUNK = 16 * 1024;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const contextSelect = $<HTMLSelectElement>('context');
const namespaceSelect = $<HTMLSelectElement>('namespace');
const targetSelect = $<HTMLSelectElement>('target');
const hostnameInput = $<HTMLInputElement>('hostname');
const notice = $<HTMLDivElement>('notice');
const tabs = $<HTMLElement>('tabs');
const panes = $<HTMLElement>('terminals');
const empty = $<HTMLParagraphElement>('empty');
const encoder = new TextEncoder();

// eslint-disable-next-line no-control-regex
const plain = (text: string): string => text.replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');

function option(select: HTMLSelectElement, value: string, label: string, selected = false): void {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  o.selected = selected;
  select.append(o);
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string; hint?: string };
  if (!response.ok) throw new Error(`${body.error ?? `${response.status} ${response.statusText}`}${body.hint ? ` — ${body.hint}` : ''}`);
  return body;
}

let contextWords: Record<string, string | null> = {};

function hostnameFor(entry: { kind: string; name: string; container?: string }): string {
  const context = contextSelect.value;
  const parts = [];
  if (entry.container) parts.push(`container--${entry.container}`);
  parts.push(`${entry.kind}--${entry.name}`, `namespace--${namespaceSelect.value}`);
  const word = contextWords[context];
  if (word) parts.push(`context--${word}`);
  return `${parts.join('.')}.sshpod`;
}

async function loadContexts(): Promise<void> {
  const found = await api<{ names: string[]; current: string; inHostname: Record<string, string | null> }>('api/contexts');
  contextWords = found.inHostname;
  contextSelect.replaceChildren();
  for (const name of found.names) option(contextSelect, name, name, name === found.current);
  await loadNamespaces();
}

async function loadNamespaces(): Promise<void> {
  const found = await api<{ names: string[]; current: string; refused?: string }>(`api/namespaces?context=${encodeURIComponent(contextSelect.value)}`);
  namespaceSelect.replaceChildren();
  for (const name of found.names) option(namespaceSelect, name, name, name === found.current);
  await loadTargets();
}

async function loadTargets(): Promise<void> {
  const found = await api<{ entries: CatalogEntry[]; refused: string[] }>(
    `api/targets?context=${encodeURIComponent(contextSelect.value)}&namespace=${encodeURIComponent(namespaceSelect.value)}`,
  );
  targetSelect.replaceChildren();
  option(targetSelect, '', '— pick —');
  for (const entry of found.entries) {
    const containers = entry.kind === 'pod' && entry.containers && entry.containers.length > 1 ? entry.containers : [undefined];
    for (const container of containers) {
      const label = `${entry.kind} ${entry.name}${container ? ` / ${container}` : ''}${entry.state && entry.state !== 'Running' ? ` (${entry.state})` : ''}`;
      option(targetSelect, hostnameFor({ kind: entry.kind, name: entry.name, ...(container ? { container } : {}) }), label);
    }
  }
  notice.textContent = found.refused.length > 0 ? `not listed: ${found.refused.map(plain).join('; ')}` : '';
}

function say(error: unknown): void {
  notice.textContent = plain((error as Error).message);
}

contextSelect.addEventListener('change', () => void loadNamespaces().catch(say));
namespaceSelect.addEventListener('change', () => void loadTargets().catch(say));
targetSelect.addEventListener('change', () => {
  if (targetSelect.value) hostnameInput.value = targetSelect.value;
});

class TerminalTab {
  readonly term: Terminal;
  readonly fit = new FitAddon();
  readonly pane = document.createElement('div');
  readonly tab = document.createElement('div');
  private readonly dot = document.createElement('span');
  private readonly title = document.createElement('span');
  private overlay: HTMLDivElement | undefined;
  private ws: WebSocket | undefined;
  private podId = '';
  private heartbeat: number | undefined;
  private ended = false;
  state: 'connecting' | 'live' | 'down' | 'closed' = 'connecting';

  constructor(readonly hostname: string) {
    this.term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', fontSize: 14, scrollback: 5000, allowProposedApi: false });
    this.term.loadAddon(this.fit);
    this.pane.className = 'pane';
    const holder = document.createElement('div');
    holder.className = 'term';
    this.pane.append(holder);
    panes.append(this.pane);
    this.term.open(holder);
    this.tab.className = 'tab';
    this.tab.setAttribute('role', 'tab');
    this.dot.className = 'state';
    this.title.textContent = hostname;
    const close = document.createElement('button');
    close.textContent = '×';
    close.title = 'close this terminal (an on-demand pod is deleted)';
    close.addEventListener('click', (event) => {
      event.stopPropagation();
      this.close();
    });
    this.tab.append(this.dot, this.title, close);
    this.tab.addEventListener('click', () => activate(this));
    tabs.append(this.tab);
    this.term.onData((data) => this.send(encoder.encode(data)));
    this.term.onBinary((data) => this.send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    this.term.onResize(({ cols, rows }) => this.control({ t: 'resize', cols, rows }));
    // Ctrl+Shift+C / Ctrl+Shift+V copy and paste (Ctrl+C stays the terminal's interrupt).
    this.term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC' && this.term.hasSelection()) {
        void navigator.clipboard?.writeText(this.term.getSelection());
        return false;
      }
      if (event.code === 'KeyV') {
        void navigator.clipboard?.readText().then((text) => this.term.paste(text));
        return false;
      }
      return true;
    });
  }

  connect(): void {
    this.hideOverlay();
    this.ended = false;
    this.setState('connecting');
    this.fit.fit();
    const url = new URL('api/terminal', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.searchParams.set('host', this.hostname);
    url.searchParams.set('cols', String(this.term.cols));
    url.searchParams.set('rows', String(this.term.rows));
    if (this.podId) url.searchParams.set('reattach', this.podId);
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data !== 'string') {
        this.term.write(new Uint8Array(event.data));
        return;
      }
      let message: ServerControl;
      try {
        message = JSON.parse(event.data) as ServerControl;
      } catch {
        return;
      }
      this.onControl(message);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.stopHeartbeat();
      if (this.state === 'closed' || this.ended) return;
      this.setState('down');
      this.showOverlay('the connection to sshpod web dropped', 'Reconnect opens a new shell (an on-demand pod is kept for the heartbeat time)', 'Reconnect', true);
    });
  }

  private onControl(message: ServerControl): void {
    switch (message.t) {
      case 'progress':
        this.term.write(`\x1b[2msshpod: ${plain(message.text)}\x1b[0m\r\n`);
        break;
      case 'ready':
        this.podId = message.id;
        this.setState('live');
        this.title.textContent = `${message.pod}${message.container ? `/${message.container}` : ''}`;
        this.tab.title = `${this.hostname}\ncontext ${message.context}, namespace ${message.namespace}${message.onDemand ? '\n(on-demand pod: deleted when this terminal closes)' : ''}`;
        this.startHeartbeat(message.heartbeatMs);
        this.fit.fit();
        this.control({ t: 'resize', cols: this.term.cols, rows: this.term.rows });
        if (this.tab.classList.contains('active')) this.term.focus();
        break;
      case 'error':
        this.ended = true;
        this.setState('down');
        this.showOverlay(`sshpod: ${message.message}`, message.hint ? `hint: ${message.hint}` : '', message.retry ? 'Reconnect' : 'Try again', true);
        break;
      case 'exit':
        this.ended = true;
        this.podId = '';
        this.setState('down');
        this.showOverlay(message.message, '', 'New shell', false);
        break;
    }
  }

  private send(data: Uint8Array): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    for (let at = 0; at < data.length; at += CHUNK) ws.send(data.subarray(at, at + CHUNK));
  }

  private control(message: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private startHeartbeat(ms: number): void {
    this.stopHeartbeat();
    this.heartbeat = window.setInterval(() => this.control({ t: 'hb' }), Math.max(1000, Math.floor(ms / 3)));
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) window.clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private setState(state: TerminalTab['state']): void {
    this.state = state;
    this.dot.className = `state ${state === 'live' ? 'live' : state === 'down' ? 'down' : ''}`;
  }

  private showOverlay(message: string, hint: string, action: string, error: boolean): void {
    this.hideOverlay();
    const box = document.createElement('div');
    box.className = `overlay${error ? ' error' : ''}`;
    box.setAttribute('role', 'alert');
    const text = document.createElement('p');
    text.className = 'message';
    text.textContent = plain(message);
    box.append(text);
    if (hint) {
      const hintText = document.createElement('p');
      hintText.className = 'hint';
      hintText.textContent = plain(hint);
      box.append(hintText);
    }
    const again = document.createElement('button');
    again.className = 'reconnect';
    again.textContent = action;
    again.addEventListener('click', () => this.connect());
    const close = document.createElement('button');
    close.textContent = 'Close';
    close.addEventListener('click', () => this.close());
    box.append(again, ' ', close);
    this.pane.append(box);
    this.overlay = box;
  }

  private hideOverlay(): void {
    this.overlay?.remove();
    this.overlay = undefined;
  }

  overlayText(): string {
    return this.overlay?.textContent ?? '';
  }

  close(): void {
    this.setState('closed');
    this.stopHeartbeat();
    // The server deletes an on-demand pod at once on this message.
    this.control({ t: 'close' });
    this.ws?.close();
    this.term.dispose();
    this.pane.remove();
    this.tab.remove();
    const index = terminals.indexOf(this);
    if (index >= 0) terminals.splice(index, 1);
    const next = terminals[Math.max(0, index - 1)];
    if (next) activate(next);
    else empty.hidden = false;
  }
}

const terminals: TerminalTab[] = [];

function activate(tab: TerminalTab): void {
  for (const t of terminals) {
    t.pane.classList.toggle('active', t === tab);
    t.tab.classList.toggle('active', t === tab);
  }
  tab.fit.fit();
  tab.term.focus();
}

function openTerminal(hostname: string): TerminalTab {
  empty.hidden = true;
  const tab = new TerminalTab(hostname);
  terminals.push(tab);
  activate(tab);
  tab.connect();
  return tab;
}

$<HTMLFormElement>('picker').addEventListener('submit', (event) => {
  event.preventDefault();
  const hostname = hostnameInput.value.trim();
  if (!hostname) {
    notice.textContent = 'type a hostname (e.g. pod--api.namespace--prod.sshpod) or pick a target';
    return;
  }
  notice.textContent = '';
  openTerminal(hostname);
});

// Resize follows the window (and the pane, whatever changes its size).
new ResizeObserver(() => {
  const active = terminals.find((t) => t.pane.classList.contains('active'));
  active?.fit.fit();
}).observe(panes);

// For the end-to-end test and for scripting the page: read what the terminals show.
declare global {
  interface Window {
    sshpodWeb: unknown;
  }
}
window.sshpodWeb = {
  open: (hostname: string) => terminals.indexOf(openTerminal(hostname)),
  count: () => terminals.length,
  states: () => terminals.map((t) => t.state),
  size: (i: number) => ({ cols: terminals[i]?.term.cols, rows: terminals[i]?.term.rows }),
  overlay: (i: number) => terminals[i]?.overlayText() ?? '',
  /** Pastes text into terminal i as the browser's paste does (xterm.js: bracketed if asked, \n → \r). */
  paste: (i: number, text: string) => terminals[i]?.term.paste(text),
  /** The foreground colour (palette index; -1: the default) where `text` last appears on screen. */
  colourOf(i: number, text: string): number | undefined {
    const buffer = terminals[i]?.term.buffer.active;
    for (let y = (buffer?.length ?? 0) - 1; buffer && y >= 0; y--) {
      const line = buffer.getLine(y);
      const x = line?.translateToString(true).indexOf(text) ?? -1;
      if (x < 0) continue;
      const cell = line?.getCell(x);
      return cell?.isFgDefault() ? -1 : cell?.getFgColor();
    }
    return undefined;
  },
  screen(i: number): string {
    const term = terminals[i]?.term;
    if (!term) return '';
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return lines.join('\n');
  },
};

const wanted = new URLSearchParams(location.search).get('open');
if (wanted) {
  hostnameInput.value = wanted;
  openTerminal(wanted);
}
void loadContexts().catch(say);
