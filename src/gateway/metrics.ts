// Prometheus metrics: counters and gauges kept in memory and rendered in the text exposition
// format (version 0.0.4) on a separate listener (`--metrics HOST:PORT`, path /metrics). Labels are
// chosen from small fixed sets (channel type, outcome), never from what a client sends, so the
// number of series stays bounded whatever the traffic.
import http from 'node:http';

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  constructor() {
    this.define('sshpod_gateway_connections_total', 'counter', 'TCP connections accepted');
    this.define('sshpod_gateway_connections_refused_total', 'counter', 'connections closed before SSH because of a limit (reason)');
    this.define('sshpod_gateway_connections', 'gauge', 'connections open now');
    this.define('sshpod_gateway_auth_success_total', 'counter', 'successful authentications');
    this.define('sshpod_gateway_auth_failures_total', 'counter', 'failed authentication attempts (unknown user and wrong key alike)');
    this.define('sshpod_gateway_auth_timeouts_total', 'counter', 'connections closed for not authenticating in time');
    this.define('sshpod_gateway_sessions', 'gauge', 'channels open now (type: session, jump)');
    this.define('sshpod_gateway_sessions_total', 'counter', 'channels opened (type: session, jump)');
    this.define('sshpod_gateway_sessions_refused_total', 'counter', 'channels refused by a session limit');
    this.define('sshpod_gateway_bytes_total', 'counter', 'bytes relayed (direction: up = client to pod, down = pod to client)');
    this.define('sshpod_gateway_backend_errors_total', 'counter', 'targets that could not be reached (kind: forbidden, not-found, timeout, …)');
    this.define('sshpod_gateway_pod_starts_total', 'counter', 'on-demand pods started for sessions');
    this.define('sshpod_gateway_users', 'gauge', 'users in the registry');
  }

  private define(name: string, type: Family['type'], help: string): void {
    this.families.set(name, { help, type, values: new Map() });
  }

  private family(name: string): Family {
    const family = this.families.get(name);
    if (!family) throw new Error(`no metric ${name}`);
    return family;
  }

  add(name: string, value = 1, labels: Record<string, string> = {}): void {
    const family = this.family(name);
    const key = labelText(labels);
    family.values.set(key, (family.values.get(key) ?? 0) + value);
  }

  set(name: string, value: number, labels: Record<string, string> = {}): void {
    this.family(name).values.set(labelText(labels), value);
  }

  get(name: string, labels: Record<string, string> = {}): number {
    return this.family(name).values.get(labelText(labels)) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.values.size === 0) lines.push(`${name} 0`);
      for (const [labels, value] of family.values) lines.push(`${name}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`).join(',')}}`;
}

/**
 * Serves GET /metrics and GET /healthz (anything else: 404) until closed. The server starts once the
 * users are loaded and SSH listens, and closes at SIGTERM: /healthz is the Deployment's readiness.
 */
export function serveMetrics(metrics: Metrics, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
    } else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 64;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
