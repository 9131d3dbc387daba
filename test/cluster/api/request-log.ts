// Every request the API server handled, kept in memory so tests can count round trips
// (e.g. how many API calls sshpod makes on its connect path) and see who did what.

export interface RequestRecord {
  time: number;
  method: string;
  /** Path and query string. */
  path: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  user: string;
  /** The authenticated user when the request impersonated `user`. */
  impersonatedBy?: string;
  /** The negotiated upgrade protocol (e.g. v5.channel.k8s.io, SPDY/3.1+portforward.k8s.io), if any. */
  protocol: string;
  /** HTTP status of the reply (101 for upgrades). */
  code: number;
}

const limit = 50000;

export class RequestLog {
  private entries: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.entries.push(record);
    if (this.entries.length > limit) this.entries.splice(0, this.entries.length - limit);
  }

  list(filter?: Partial<Omit<RequestRecord, 'time'>>): RequestRecord[] {
    if (!filter) return [...this.entries];
    return this.entries.filter((e) => Object.entries(filter).every(([k, v]) => v === undefined || e[k as keyof RequestRecord] === v));
  }

  clear(): void {
    this.entries = [];
  }
}
