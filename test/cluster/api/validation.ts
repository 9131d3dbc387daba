// Create/update validation: the subset of kube-apiserver's rules that clients and users hit
// (names, required fields, selector/template agreement, pod spec immutability), with the same
// field paths and messages so 422 bodies read like a real cluster's.
import type { FieldError } from './status.ts';
import type { ResourceType } from './resources.ts';
import type { Container, EphemeralContainer, KubeObject, LabelSelector, PodSpec, WorkloadSpec } from './types.ts';
import { labelSelectorToRequirements, matchesLabels } from './selectors.ts';
import { pathSegmentName, validateRbac } from './rbac-validation.ts';

const labelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const subdomainFmt = `${labelFmt}(\\.${labelFmt})*`;
const labelRe = new RegExp(`^${labelFmt}$`);
const subdomainRe = new RegExp(`^${subdomainFmt}$`);

function regexError(msg: string, fmt: string, examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`;
}

export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!subdomainRe.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", subdomainFmt, ['example.com']));
  }
  return errs;
}

export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!labelRe.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", labelFmt, ['my-name', '123-abc']));
  }
  return errs;
}

export function validateName(type: ResourceType, name: string, field = 'metadata.name'): FieldError[] {
  const check = type.nameRule === 'label' ? dns1123Label : type.nameRule === 'path' ? pathSegmentName : dns1123Subdomain;
  return check(name).map((detail) => ({ type: 'Invalid', field, value: name, detail }));
}

export function validateObjectMeta(type: ResourceType, obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const name = obj.metadata.name;
  if (!name) {
    errors.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    errors.push(...validateName(type, name));
  }
  for (const value of Object.values(obj.metadata.labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
      errors.push({
        type: 'Invalid',
        field: `metadata.labels`,
        value,
        detail: "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      });
    }
  }
  return errors;
}

/** A container's name (a DNS label, unique among `seen`, which it joins) and image, as kube-apiserver checks them. */
function nameAndImageErrors(c: { name?: string; image?: string }, at: string, seen: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (!c.name) errors.push({ type: 'Required', field: `${at}.name` });
  else {
    for (const detail of dns1123Label(c.name)) errors.push({ type: 'Invalid', field: `${at}.name`, value: c.name, detail });
    if (seen.has(c.name)) errors.push({ type: 'Duplicate', field: `${at}.name`, value: c.name });
    seen.add(c.name);
  }
  if (!c.image) errors.push({ type: 'Required', field: `${at}.image` });
  return errors;
}

function validateContainers(containers: Container[] | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!containers || containers.length === 0) {
    errors.push({ type: 'Required', field });
    return errors;
  }
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    errors.push(...nameAndImageErrors(c, `${field}[${i}]`, seen));
  });
  return errors;
}

export function validatePodSpec(spec: PodSpec | undefined, field: string): FieldError[] {
  if (!spec) return [{ type: 'Required', field: `${field}.containers` }];
  const errors = validateContainers(spec.containers, `${field}.containers`);
  const policy = spec.restartPolicy;
  if (policy && !['Always', 'OnFailure', 'Never'].includes(policy)) {
    errors.push({ type: 'NotSupported', field: `${field}.restartPolicy`, value: policy, detail: 'supported values: "Always", "OnFailure", "Never"' });
  }
  return errors;
}

function validateSelectorAgainstTemplate(spec: WorkloadSpec, requireSelector: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const selector: LabelSelector | undefined = spec.selector;
  const reqs = labelSelectorToRequirements(selector);
  if (reqs.length === 0) {
    if (requireSelector) errors.push({ type: 'Required', field: 'spec.selector' });
    if (selector) errors.push({ type: 'Invalid', field: 'spec.selector', value: selector, detail: 'empty selector is invalid for deployment' });
    return errors;
  }
  const labels = spec.template?.metadata?.labels ?? {};
  if (!matchesLabels(reqs, labels)) {
    errors.push({ type: 'Invalid', field: 'spec.template.metadata.labels', value: labels, detail: '`selector` does not match template `labels`' });
  }
  return errors;
}

export function validateObject(type: ResourceType, obj: KubeObject): FieldError[] {
  const errors = validateObjectMeta(type, obj);
  const spec = obj.spec as Record<string, unknown> | undefined;
  switch (type.kind) {
    case 'Pod':
      errors.push(...validatePodSpec(spec as PodSpec | undefined, 'spec'));
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet': {
      const w = spec as WorkloadSpec | undefined;
      if (!w?.template) {
        errors.push({ type: 'Required', field: 'spec.template' });
        break;
      }
      errors.push(...validateSelectorAgainstTemplate(w, true));
      errors.push(...validatePodSpec(w.template.spec, 'spec.template.spec'));
      const policy = w.template.spec?.restartPolicy;
      if (policy && policy !== 'Always') {
        errors.push({ type: 'NotSupported', field: 'spec.template.spec.restartPolicy', value: policy, detail: 'supported values: "Always"' });
      }
      if (type.kind === 'DaemonSet') {
        const strategy = w.updateStrategy as { type?: string } | undefined;
        if (strategy?.type && !['RollingUpdate', 'OnDelete'].includes(strategy.type)) {
          errors.push({ type: 'NotSupported', field: 'spec.updateStrategy.type', value: strategy.type, detail: 'supported values: "OnDelete", "RollingUpdate"' });
        }
      } else if (w.replicas !== undefined && (typeof w.replicas !== 'number' || w.replicas < 0)) {
        errors.push({ type: 'Invalid', field: 'spec.replicas', value: w.replicas, detail: 'must be greater than or equal to 0' });
      }
      break;
    }
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      errors.push(...validateRbac(type.kind, obj as unknown as Record<string, unknown>));
      break;
    case 'Job': {
      const w = spec as WorkloadSpec | undefined;
      if (!w?.template) {
        errors.push({ type: 'Required', field: 'spec.template' });
        break;
      }
      errors.push(...validatePodSpec(w.template.spec, 'spec.template.spec'));
      const policy = w.template.spec?.restartPolicy;
      if (policy !== 'Never' && policy !== 'OnFailure') {
        errors.push({ type: 'NotSupported', field: 'spec.template.spec.restartPolicy', value: policy ?? '', detail: 'supported values: "OnFailure", "Never"' });
      }
      break;
    }
  }
  return errors;
}

/** kube-apiserver lets a running pod's spec change only in a few places (images, mostly). */
export function validatePodUpdate(oldSpec: PodSpec, newSpec: PodSpec): FieldError[] {
  const strip = (spec: PodSpec): string =>
    JSON.stringify({
      ...spec,
      containers: spec.containers.map((c) => ({ ...c, image: undefined })),
      initContainers: spec.initContainers?.map((c) => ({ ...c, image: undefined })),
      activeDeadlineSeconds: undefined,
      tolerations: undefined,
      terminationGracePeriodSeconds: undefined,
    });
  if (strip(oldSpec) === strip(newSpec)) return [];
  return [
    {
      type: 'Forbidden',
      field: 'spec',
      detail:
        'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    },
  ];
}

/** Fields kube-apiserver refuses in an ephemeral container (ValidateEphemeralContainers). */
const notForEphemeral = ['ports', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * An update through pods/ephemeralcontainers (ValidatePodEphemeralContainersUpdate): existing
 * ephemeral containers may be neither removed nor changed; new ones need a unique DNS-label name
 * and an image, may not declare ports, probes, lifecycle or resources, and a targetContainerName
 * must name one of the pod's containers.
 */
export function validateEphemeralContainersUpdate(oldSpec: PodSpec, newSpec: PodSpec): FieldError[] {
  const errors: FieldError[] = [];
  const path = 'spec.ephemeralContainers';
  const olds = oldSpec.ephemeralContainers ?? [];
  const news: EphemeralContainer[] = newSpec.ephemeralContainers ?? [];
  for (const old of olds) {
    const now = news.find((c) => c.name === old.name);
    if (!now) errors.push({ type: 'Forbidden', field: path, detail: `existing ephemeral containers "${old.name}" may not be removed\n` });
    else if (JSON.stringify(now) !== JSON.stringify(old)) errors.push({ type: 'Forbidden', field: path, detail: `existing ephemeral containers "${old.name}" may not be changed\n` });
  }
  const regular = [...newSpec.containers, ...(newSpec.initContainers ?? [])].map((c) => c.name);
  const seen = new Set<string>(regular);
  news.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (olds.some((o) => o.name === c.name)) return;
    errors.push(...nameAndImageErrors(c, at, seen));
    for (const field of notForEphemeral) {
      if (isSet(c[field])) errors.push({ type: 'Forbidden', field: `${at}.${field}`, detail: 'cannot be set for an Ephemeral Container' });
    }
    const resources = c.resources as { limits?: object; requests?: object } | undefined;
    if (isSet(resources?.limits) || isSet(resources?.requests)) errors.push({ type: 'Forbidden', field: `${at}.resources`, detail: 'cannot be set for an Ephemeral Container' });
    if (c.targetContainerName !== undefined && !regular.includes(c.targetContainerName)) {
      errors.push({ type: 'Invalid', field: `${at}.targetContainerName`, value: c.targetContainerName, detail: 'must be a container in the pod' });
    }
  });
  return errors;
}
