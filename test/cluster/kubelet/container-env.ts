// A container's environment as kubelet builds it: service link variables (the `kubernetes`
// service always, the namespace's services when enableServiceLinks), then the container's
// envFrom and env, with `$(VAR)` references expanded and valueFrom resolved.
import type { Container, Pod } from '../api/types.ts';

export interface ServiceForEnv {
  name: string;
  clusterIP?: string;
  ports: { name?: string; port: number; protocol?: string }[];
}

/** Looks up ConfigMap/Secret data for env sources; undefined when the object or key is missing. */
export interface EnvSources {
  configMap(name: string): Record<string, string> | undefined;
  secret(name: string): Record<string, string> | undefined;
}

export class EnvError extends Error {}

function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** kubelet's envvars.FromServices. */
export function serviceEnv(services: ServiceForEnv[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    if (!svc.clusterIP || svc.clusterIP === 'None' || svc.ports.length === 0) continue;
    const prefix = envName(svc.name);
    out.push([`${prefix}_SERVICE_HOST`, svc.clusterIP]);
    out.push([`${prefix}_SERVICE_PORT`, String(svc.ports[0]?.port)]);
    for (const p of svc.ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    svc.ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const url = `${proto.toLowerCase()}://${svc.clusterIP}:${p.port}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto}`;
      out.push([pp, url], [`${pp}_PROTO`, proto.toLowerCase()], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, svc.clusterIP as string]);
    });
  }
  return out;
}

/** `$(VAR)` expansion of kubelet (k8s.io/kubernetes/third_party/forked/golang/expansion): `$$` escapes. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function fieldValue(pod: Pod, fieldPath: string, podIP: string, hostIP: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    default:
      throw new EnvError(`unsupported fieldPath: ${fieldPath}`);
  }
}

interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}

export function containerEnv(pod: Pod, container: Container, options: { podIP: string; hostIP: string; services: ServiceForEnv[]; sources: EnvSources }): Record<string, string> {
  const env = new Map<string, string>(serviceEnv(options.services));
  for (const from of (container.envFrom as { prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[] | undefined) ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const data = from.configMapRef ? options.sources.configMap(ref.name) : options.sources.secret(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new EnvError(`${from.configMapRef ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) {
    let value: string;
    const from = e.valueFrom as { fieldRef?: { fieldPath: string }; configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } | undefined;
    if (from?.fieldRef) {
      value = fieldValue(pod, from.fieldRef.fieldPath, options.podIP, options.hostIP);
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef) as KeyRef;
      const kind = from.configMapKeyRef ? 'configmap' : 'secret';
      const data = from.configMapKeyRef ? options.sources.configMap(ref.name ?? '') : options.sources.secret(ref.name ?? '');
      const v = data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvError(data ? `couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace}/${ref.name}` : `${kind} "${ref.name}" not found`);
      }
      value = v;
    } else {
      value = expand(e.value ?? '', (name) => env.get(name));
    }
    env.set(e.name, value);
  }
  return Object.fromEntries(env);
}

/** command and args get the same `$(VAR)` expansion against the final environment. */
export function expandCommand(words: string[] | undefined, env: Record<string, string>): string[] | undefined {
  return words?.map((w) => expand(w, (name) => env[name]));
}
