// The web terminal's WebSocket protocol (pure). Binary frames carry the terminal's bytes (browser
// → server: keystrokes and pastes, server → browser: the pty's output); text frames carry small
// JSON control messages. Everything the browser sends is hostile until parsed here: size-bounded
// (the socket's maxPayload, then this), shape-checked, and a terminal size clamped.

/** The largest control message accepted (a resize is ~40 bytes). */
export const CONTROL_LIMIT = 256;
/** Terminal sizes beyond these are refused rather than passed to the pod's pty. */
export const MAX_COLUMNS = 1000;
export const MAX_ROWS = 500;

export type ClientControl =
  | { t: 'resize'; cols: number; rows: number }
  /** The page is alive (it sends one every heartbeatMs/3; any message counts as well). */
  | { t: 'hb' }
  /** The person closed this terminal: an on-demand pod goes now, not after the heartbeat time. */
  | { t: 'close' };

export type ServerControl =
  | { t: 'progress'; text: string }
  | { t: 'ready'; id: string; context: string; namespace: string; pod: string; container: string; onDemand: boolean; heartbeatMs: number }
  | { t: 'error'; kind: string; message: string; hint?: string; retry: boolean }
  | { t: 'exit'; code: number | null; message: string };

function size(value: unknown, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max ? value : undefined;
}

/** A control message from the browser, or undefined for anything else (ignored, never echoed). */
export function parseClientControl(text: string): ClientControl | undefined {
  if (text.length > CONTROL_LIMIT) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  switch (v['t']) {
    case 'hb':
      return { t: 'hb' };
    case 'close':
      return { t: 'close' };
    case 'resize': {
      const cols = size(v['cols'], MAX_COLUMNS);
      const rows = size(v['rows'], MAX_ROWS);
      return cols && rows ? { t: 'resize', cols, rows } : undefined;
    }
    default:
      return undefined;
  }
}

/** The initial size from the WebSocket URL (?cols=&rows=), clamped; 80x24 when absent or wrong. */
export function initialSize(query: URLSearchParams): { cols: number; rows: number } {
  return { cols: size(Number(query.get('cols')), MAX_COLUMNS) ?? 80, rows: size(Number(query.get('rows')), MAX_ROWS) ?? 24 };
}
