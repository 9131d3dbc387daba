// What a template is once read: the pod metadata sshpod keeps (labels, annotations, a namespace)
// and a pod spec. People write pod templates in several shapes for kubectl, and all of them are
// accepted (pure; template-file.ts reads the file):
//   kind: Pod                                    metadata + spec
//   kind: PodTemplate                            .template
//   kind: Deployment|StatefulSet|DaemonSet|ReplicaSet|Job   .spec.template
//   kind: CronJob                                .spec.jobTemplate.spec.template
//   no kind, with spec:                          a PodTemplateSpec (metadata + spec)
//   no kind, with containers:                    a bare PodSpec
import { SshpodError } from '../errors.ts';

export interface TemplateContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  [field: string]: unknown;
}

export interface TemplatePodSpec {
  containers: TemplateContainer[];
  [field: string]: unknown;
}

export interface PodTemplate {
  name: string;
  /** Where it came from, for messages: the file, or "built in". */
  source: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The namespace the template names, if any (the hostname's namespace-- wins). */
  namespace?: string;
  spec: TemplatePodSpec;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const WORKLOAD_TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'];

/** The pod template inside a document of any accepted shape, or a sentence saying why not. */
function podTemplateOf(document: Json): { metadata: unknown; spec: unknown } | string {
  const kind = document['kind'];
  const spec = document['spec'];
  if (kind === undefined) {
    if ('containers' in document) return { metadata: {}, spec: document };
    if ('spec' in document) return { metadata: document['metadata'], spec };
    return 'it is neither a Pod, a pod template nor a pod spec (no kind, spec or containers)';
  }
  if (kind === 'Pod') return { metadata: document['metadata'], spec };
  if (kind === 'PodTemplate') {
    const template = document['template'];
    return isObject(template) ? { metadata: template['metadata'], spec: template['spec'] } : 'the PodTemplate has no template';
  }
  if (typeof kind === 'string' && WORKLOAD_TEMPLATE_KINDS.includes(kind)) {
    const template = isObject(spec) ? spec['template'] : undefined;
    return isObject(template) ? { metadata: template['metadata'], spec: template['spec'] } : `the ${kind} has no spec.template`;
  }
  if (kind === 'CronJob') {
    const jobSpec = isObject(spec) && isObject(spec['jobTemplate']) ? spec['jobTemplate']['spec'] : undefined;
    const template = isObject(jobSpec) ? jobSpec['template'] : undefined;
    return isObject(template) ? { metadata: template['metadata'], spec: template['spec'] } : 'the CronJob has no spec.jobTemplate.spec.template';
  }
  return `kind ${typeof kind === 'string' ? kind.slice(0, 40) : typeof kind} holds no pod template (use a Pod, a PodTemplate or a workload with spec.template)`;
}

function stringMap(value: unknown, what: string): Record<string, string> | string {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) return `${what} is not a map`;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') return `${what} "${key}" is not a string (quote it: "${String(item)}")`;
    out[key] = item;
  }
  return out;
}

function stringList(value: unknown): string[] | undefined | false {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : false;
}

/** The template in `document` (a parsed YAML document), checked; a `config` error naming `source` otherwise. */
export function templateFromDocument(document: unknown, name: string, source: string): PodTemplate {
  const invalid = (why: string): SshpodError =>
    new SshpodError('config', `template "${name}" (${source}) cannot be used: ${why}`, {
      hint: 'a template is a Pod or a pod template as kubectl takes them, e.g. spec: {containers: [{name: main, image: busybox}]}',
    });
  if (!isObject(document)) throw invalid('it is not a YAML map');
  const found = podTemplateOf(document);
  if (typeof found === 'string') throw invalid(found);
  const metadata = found.metadata ?? {};
  if (!isObject(metadata)) throw invalid('its metadata is not a map');
  if (!isObject(found.spec)) throw invalid('it has no pod spec');
  const containers = found.spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) throw invalid('its pod spec has no containers');
  const names = new Set<string>();
  for (const [index, container] of containers.entries()) {
    if (!isObject(container)) throw invalid(`container ${index + 1} is not a map`);
    const containerName = container['name'];
    if (typeof containerName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(containerName) || containerName.length > 63) {
      throw invalid(`container ${index + 1} has no valid name (lower-case letters, digits and "-")`);
    }
    if (names.has(containerName)) throw invalid(`two containers are named "${containerName}"`);
    names.add(containerName);
    const image = container['image'];
    if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) throw invalid(`container "${containerName}" has no image`);
    for (const field of ['command', 'args']) {
      if (stringList(container[field]) === false) throw invalid(`the ${field} of container "${containerName}" is not a list of strings`);
    }
  }
  const labels = stringMap(metadata['labels'], 'label');
  const annotations = stringMap(metadata['annotations'], 'annotation');
  if (typeof labels === 'string') throw invalid(labels);
  if (typeof annotations === 'string') throw invalid(annotations);
  const namespace = metadata['namespace'];
  if (namespace !== undefined && (typeof namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))) throw invalid('its metadata.namespace is not a namespace name');
  const template: PodTemplate = { name, source, labels, annotations, spec: structuredClone(found.spec) as TemplatePodSpec };
  if (namespace !== undefined) template.namespace = namespace;
  return template;
}
