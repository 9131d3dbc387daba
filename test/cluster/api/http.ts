// Small HTTP helpers for the API server: JSON replies, Status errors, request bodies, and the
// Accept header forms kubectl uses to ask for Tables and metadata-only objects.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest, unsupportedMediaType } from './status.ts';
import { ProtobufError, decodeProtobufObject } from './protobuf.ts';
import type { Status } from './types.ts';

/** kube-apiserver's default request body limit. */
const maxBodyBytes = 3 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, error: unknown): number {
  if (error instanceof StatusError) {
    sendStatus(res, error.status);
    return error.status.code;
  }
  const message = error instanceof Error ? error.message : String(error);
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
  sendStatus(res, status);
  return 500;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      const e = new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server has received a request that is too large', reason: 'RequestEntityTooLarge', code: 413 });
      throw e;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseBody(req: IncomingMessage, body: Buffer): unknown {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim() ?? '';
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeProtobufObject(body);
    } catch (error) {
      if (error instanceof ProtobufError) throw unsupportedMediaType(['application/json', 'application/yaml', `application/vnd.kubernetes.protobuf (${error.message})`]);
      throw error;
    }
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  try {
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface AcceptedForm {
  as: 'object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  version: string;
}

/** The first acceptable representation in the Accept header, as kube-apiserver's negotiation picks it. */
export function acceptedForm(accept: string | undefined): AcceptedForm {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (!p.as) return { as: 'object', version: '' };
    if (p.g !== 'meta.k8s.io') continue;
    if (p.v !== 'v1' && p.v !== 'v1beta1') continue;
    if (p.as === 'Table' || p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') return { as: p.as, version: `meta.k8s.io/${p.v}` };
  }
  return { as: 'object', version: '' };
}
