// Who a container process runs as, decided the way runc does: the uid from runAsUser (root by
// default), the gid from runAsGroup or else the user's passwd entry (0 without one), and HOME
// from that entry (or "/").

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface ProcessUser {
  uid: number;
  gid: number;
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (!name || uid === undefined || gid === undefined || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    entries.push({ name, uid: Number(uid), gid: Number(gid), home: home || '/' });
  }
  return entries;
}

export function resolveUser(passwd: PasswdEntry[], runAsUser?: number, runAsGroup?: number): ProcessUser {
  const uid = runAsUser ?? 0;
  const entry = passwd.find((e) => e.uid === uid);
  return { uid, gid: runAsGroup ?? entry?.gid ?? 0, home: entry?.home ?? '/' };
}
