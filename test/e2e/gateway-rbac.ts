// The rights deploy/gateway/ gives the gateway's ServiceAccount, as rules of the test cluster's
// authorisation table: the e2e suites give the gateway exactly these (after denying it everything),
// so that they prove the shipped ClusterRole and Role are enough — and not more than is needed is
// assumed. The cluster's stored RBAC objects do not authorise (test/cluster/api/authz.ts); this
// translation is the test's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AccessRule } from '../cluster/index.ts';
import { repo } from './harness.ts';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

interface RoleObject {
  kind: string;
  metadata: { namespace?: string };
  rules?: PolicyRule[];
}

/** One table rule per API group, resource and name of every rule in the manifest's roles. */
export function deployedRules(user: string, file: string): AccessRule[] {
  const text = readFileSync(join(repo, 'deploy', 'gateway', file), 'utf8');
  const rules: AccessRule[] = [];
  for (const document of parseAllDocuments(text)) {
    const object = document.toJSON() as RoleObject | null;
    if (!object || (object.kind !== 'ClusterRole' && object.kind !== 'Role')) continue;
    for (const rule of object.rules ?? []) {
      for (const apiGroup of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const name of rule.resourceNames?.length ? rule.resourceNames : [undefined]) {
            rules.push({
              user,
              apiGroup,
              resource,
              verb: rule.verbs ?? [],
              ...(object.kind === 'Role' && object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
              ...(name === undefined ? {} : { name }),
            });
          }
        }
      }
    }
  }
  return rules;
}

/** What the gateway's ServiceAccount may do in the cluster deploy/gateway/ sets up. */
export function gatewayServiceAccountRules(user: string): AccessRule[] {
  return [...deployedRules(user, 'cluster-role.yaml'), ...deployedRules(user, 'users-role.yaml')];
}
