// The pod sshpod creates from a template (pure): the template's spec and metadata, plus
//  - the labels and annotations that say sshpod made it, for whom, from which template and
//    hostname, and when (labels.ts);
//  - restartPolicy Never: the safeguard ends the container, and the pod must then stay ended
//    (Completed) rather than be restarted;
//  - the safeguard as the command of the container sshpod connects to (pod-watchdog.sh), running
//    the template's own command, if it has one, beneath it;
//  - for a kubectl workstation (workstation.ts): its ServiceAccount, kubeconfig volume and environment;
//  - a generated name (`sshpod-<template>-xxxxx`), or for a shared template a name derived from
//    what it is shared for, so that two connections starting at once cannot make two pods.
import { SshpodError } from '../errors.ts';
import { DEFAULT_CONTAINER_ANNOTATION } from '../resolve/choose-container.ts';
import { ANNOTATIONS, LABELS, MANAGED_BY, MANAGED_BY_LABEL, ownerLabelValue, type Owner } from './labels.ts';
import type { PodTemplate, TemplateContainer } from './template.ts';
import type { TemplateOptions } from './template-options.ts';
import { withWorkstation, workstationOptions } from './workstation.ts';

export interface RenderRequest {
  template: PodTemplate;
  options: TemplateOptions;
  namespace: string;
  owner: Owner;
  /** The hostname as sshpod keys it (canonicalHost), recorded for `sshpod ls`. */
  hostname: string;
  /** The hostname's container--, if any. */
  container?: string;
  /** The safeguard script (pod-watchdog.sh, compacted). */
  watchdogScript: string;
  now: Date;
  /** For a shared template: its share key and the first holder's id. */
  shared?: { key: string; holder: string };
}

export interface RenderedPod {
  manifest: {
    apiVersion: 'v1';
    kind: 'Pod';
    metadata: { name?: string; generateName?: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    spec: Record<string, unknown>;
  };
  /** The container sshpod connects to. */
  container: string;
}

/** `sshpod-<template>-`: a pod name prefix any template name fits (the server adds 5 characters). */
export function podNamePrefix(templateName: string): string {
  return `sshpod-${templateName.slice(0, 50)}-`.replace(/-+$/, '-');
}

/** The container's command under the safeguard: the template's command and args after it. */
function underWatchdog(container: TemplateContainer, idleSeconds: number, script: string, templateName: string): TemplateContainer {
  if (container.args !== undefined && container.command === undefined) {
    // The image's entrypoint is not in the template, so it cannot be run beneath the safeguard.
    throw new SshpodError('config', `template "${templateName}": container "${container.name}" gives args but no command, so sshpod cannot run it under its safeguard`, {
      hint: `give the command as well, or turn the safeguard off with the annotation ${ANNOTATIONS.idleTimeout}: "0"`,
    });
  }
  const own = [...(container.command ?? []), ...(container.args ?? [])];
  const wrapped: TemplateContainer = { ...container, command: ['sh', '-c', script, 'sshpod-watchdog', String(idleSeconds), ...own] };
  delete wrapped.args;
  return wrapped;
}

/** The container to connect to: the hostname's, else the template's default-container annotation, else the only one. */
function chooseTemplateContainer(template: PodTemplate, wanted: string | undefined): string {
  const names = template.spec.containers.map((c) => c.name);
  if (wanted !== undefined) {
    if (names.includes(wanted)) return wanted;
    throw new SshpodError('not-found', `template "${template.name}" has no container "${wanted}"; its containers: ${names.join(', ')}`, { hint: `use container--NAME with one of: ${names.join(', ')}` });
  }
  const annotated = template.annotations[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated !== undefined && names.includes(annotated)) return annotated;
  if (names.length === 1) return names[0] as string;
  throw new SshpodError('usage', `template "${template.name}" has ${names.length} containers (${names.join(', ')}); say which one`, {
    hint: `prefix the hostname with container--NAME (container--${names[0]}.template--${template.name}.sshpod), or give the template the annotation ${DEFAULT_CONTAINER_ANNOTATION}`,
  });
}

export function renderPod(request: RenderRequest): RenderedPod {
  const { template, options, owner } = request;
  let spec: Record<string, unknown> = structuredClone(template.spec);
  const container = chooseTemplateContainer(template, request.container);
  if (options.idleSeconds > 0) {
    spec['containers'] = template.spec.containers.map((c) => (c.name === container ? underWatchdog(c, options.idleSeconds, request.watchdogScript, template.name) : structuredClone(c)));
  }
  spec['restartPolicy'] = 'Never';
  const workstation = workstationOptions(template);
  if (workstation) spec = withWorkstation(spec, container, workstation, { namespace: request.namespace, user: owner.kubeUser ?? owner.local });

  const labels: Record<string, string> = {
    ...template.labels,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [LABELS.template]: template.name,
    [LABELS.owner]: ownerLabelValue(owner),
  };
  const annotations: Record<string, string> = {
    ...template.annotations,
    [ANNOTATIONS.owner]: owner.local,
    [ANNOTATIONS.hostname]: request.hostname,
    [ANNOTATIONS.container]: container,
    [ANNOTATIONS.createdAt]: request.now.toISOString(),
    [ANNOTATIONS.idleTimeout]: String(options.idleSeconds),
  };
  if (owner.kubeUser) annotations[ANNOTATIONS.kubeUser] = owner.kubeUser;
  const metadata: RenderedPod['manifest']['metadata'] = { namespace: request.namespace, labels, annotations };
  if (request.shared) {
    labels[LABELS.share] = request.shared.key;
    annotations[ANNOTATIONS.holders] = request.shared.holder;
    metadata.name = `${podNamePrefix(template.name)}${request.shared.key.slice(0, 10)}`;
  } else {
    metadata.generateName = podNamePrefix(template.name);
  }
  return { manifest: { apiVersion: 'v1', kind: 'Pod', metadata, spec }, container };
}
