// Manifests as kubectl reads them: YAML (several documents) or JSON, and `kind: List` expanded.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './api/types.ts';

export class ManifestError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function flattenObjects(items: unknown[], where: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const [i, item] of items.entries()) {
    if (item === null || item === undefined) continue;
    if (!isObject(item)) throw new ManifestError(`${where}: document ${i + 1} is not an object`);
    if (typeof item.kind === 'string' && item.kind.endsWith('List') && Array.isArray(item.items)) {
      out.push(...flattenObjects(item.items, where));
      continue;
    }
    if (typeof item.apiVersion !== 'string' || typeof item.kind !== 'string') {
      throw new ManifestError(`${where}: document ${i + 1} has no apiVersion/kind`);
    }
    out.push({ ...item, metadata: isObject(item.metadata) ? item.metadata : {} } as KubeObject);
  }
  return out;
}

export function parseManifests(text: string, where = 'manifest'): KubeObject[] {
  const docs = parseAllDocuments(text);
  const values: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new ManifestError(`${where}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    values.push(doc.toJS());
  }
  return flattenObjects(values, where);
}
