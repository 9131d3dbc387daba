// A minimal OpenAPI v3 (/openapi/v3 and one document per group-version). kubectl apply/create
// download it before sending objects: finding a PATCH operation with the `fieldValidation`
// query parameter for a kind tells kubectl the server validates fields itself, so it skips
// client-side schema validation. Schemas are deliberately absent: kubectl then computes
// strategic merge patches from its compiled-in types, as it does against older servers.
import { createHash } from 'node:crypto';
import { resourceTypes } from './resources.ts';

function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const queryParams = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function document(group: string, version: string): object {
  const paths: Record<string, object> = {};
  for (const t of resourceTypes.filter((r) => r.group === group && r.version === version)) {
    if (t.createOnly) continue;
    const base = `/${groupVersionPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${t.kind}`,
        parameters: queryParams.map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

const documents = new Map<string, { text: string; hash: string }>();
for (const t of resourceTypes) {
  const key = groupVersionPath(t.group, t.version);
  if (documents.has(key)) continue;
  const text = JSON.stringify(document(t.group, t.version));
  documents.set(key, { text, hash: createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase() });
}

export function openApiRoot(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, doc] of documents) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  return { paths };
}

/** The document for `/openapi/v3/<api/v1 | apis/G/V>`, or undefined. */
export function openApiDocument(path: string): string | undefined {
  return documents.get(path.replace(/^\/openapi\/v3\//, '').replace(/\/+$/, ''))?.text;
}
