// The PATCH bodies kubectl and client libraries send: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch. Strategic merge is implemented for what kubectl's
// `apply`, `label`, `annotate`, `scale`, `set image` and `rollout restart` produce: maps merge,
// lists of objects with a known merge key merge by that key (honouring `$patch`,
// `$setElementOrder/…`, `$retainKeys` and `$deleteFromPrimitiveList/…`), other lists replace.
import type { Json } from './types.ts';

export class PatchError extends Error {}

type JsonMap = { [key: string]: Json };

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

// ---- JSON patch --------------------------------------------------------------------------------

interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[]): { parent: Json; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)] as Json;
    else if (isMap(cur)) cur = cur[t] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined) throw new PatchError(`doc is missing path: "/${tokens.join('/')}"`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json | undefined = doc;
  for (const t of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isMap(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return cur as Json;
}

function applyOne(doc: Json, op: JsonPatchOp): Json {
  const tokens = pointer(op.path);
  if (op.op === 'test') {
    if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${op.path} failed`);
    return doc;
  }
  if (op.op === 'move' || op.op === 'copy') {
    const value = clone(getAt(doc, op.from ?? ''));
    if (op.op === 'move') doc = applyOne(doc, { op: 'remove', path: op.from ?? '' });
    return applyOne(doc, { op: 'add', path: op.path, value });
  }
  if (tokens.length === 0) {
    if (op.op === 'remove') throw new PatchError('cannot remove the whole document');
    return clone(op.value as Json);
  }
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`invalid array index "${key}"`);
    if (op.op === 'add') parent.splice(index, 0, clone(op.value as Json));
    else if (index >= parent.length) throw new PatchError(`doc is missing path: "${op.path}"`);
    else if (op.op === 'remove') parent.splice(index, 1);
    else parent[index] = clone(op.value as Json);
  } else if (isMap(parent)) {
    if (op.op !== 'add' && !(key in parent)) throw new PatchError(`doc is missing path: "${op.path}": missing value`);
    if (op.op === 'remove') delete parent[key];
    else parent[key] = clone(op.value as Json);
  } else {
    throw new PatchError(`doc is missing path: "${op.path}"`);
  }
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let doc = clone(target);
  for (const op of ops) {
    if (!isMap(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw new PatchError('invalid json patch operation');
    doc = applyOne(doc, op as unknown as JsonPatchOp);
  }
  return doc;
}

// ---- strategic merge patch ---------------------------------------------------------------------

/** patchMergeKey of list fields in core/apps/batch types (from the Go struct tags). */
const mergeKeys: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  // Container ports merge on containerPort, Service ports on port.
  ports: ['containerPort', 'port'],
};

/** Primitive lists whose patchStrategy is merge (set union) rather than replace. */
const mergedPrimitiveLists = new Set(['finalizers']);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  const candidates = mergeKeys[field];
  if (!candidates) return undefined;
  return candidates.find((k) => items.some((i) => isMap(i) && k in i)) ?? candidates[0];
}

function sameKey(a: Json, b: Json, key: string): boolean {
  return isMap(a) && isMap(b) && JSON.stringify(a[key]) === JSON.stringify(b[key]);
}

function orderBy(list: Json[], order: Json[] | undefined, key: string | undefined): Json[] {
  if (!order) return list;
  const rank = (item: Json): number => {
    const i = order.findIndex((o) => (key ? sameKey(o, item, key) : JSON.stringify(o) === JSON.stringify(item)));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list.map((item, i) => ({ item, i, r: rank(item) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.item);
}

function mergeList(field: string, original: Json | undefined, patch: Json[], order: Json[] | undefined): Json[] {
  const orig = Array.isArray(original) ? original : [];
  if (patch.some((p) => isMap(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isMap(p) && p.$patch === 'replace')).map((p) => stripDirectives(p));
  }
  const key = mergeKeyFor(field, [...patch, ...orig]);
  if (!key) {
    if (mergedPrimitiveLists.has(field)) {
      const out = [...orig];
      for (const p of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(p))) out.push(p);
      return orderBy(out, order, undefined);
    }
    return patch.map((p) => stripDirectives(p));
  }
  const out = orig.map((o) => clone(o));
  for (const p of patch) {
    if (!isMap(p)) continue;
    const index = out.findIndex((o) => sameKey(o, p, key));
    if (p.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index], p);
    else out.push(stripDirectives(p));
  }
  return orderBy(out, order, key);
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map((v) => stripDirectives(v));
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

export function strategicMerge(target: Json | undefined, patch: Json): Json {
  if (!isMap(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return null;
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        out[field] = current.filter((c) => !value.some((v) => JSON.stringify(v) === JSON.stringify(c)));
      }
      continue;
    }
    if (value === null) {
      delete out[key];
    } else if (Array.isArray(value)) {
      const order = patch[`$setElementOrder/${key}`];
      out[key] = mergeList(key, out[key], value, Array.isArray(order) ? order : undefined);
    } else if (isMap(value)) {
      const merged = strategicMerge(out[key], value);
      if (merged === null) delete out[key];
      else out[key] = merged;
    } else {
      out[key] = value;
    }
  }
  // A list that only had its order set (no element changed) is reordered too.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const field = key.slice('$setElementOrder/'.length);
    const current = out[field];
    if (!(field in patch) && Array.isArray(current)) out[field] = orderBy(current, order, mergeKeyFor(field, current));
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}
