// Who an on-demand pod made from this machine is for: the local user and host, and the kubeconfig
// user the API calls are made as (the gateway, acting for its own users, describes them itself).
import { hostname, userInfo } from 'node:os';
import type { SelectedContext } from '../kube/kubeconfig.ts';
import type { Owner } from './labels.ts';

export function localOwner(selected: SelectedContext): Owner {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid-${process.getuid?.() ?? 'unknown'}`; // no passwd entry for this uid
  }
  const owner: Owner = { local: `${user}@${hostname()}` };
  const kubeUser = selected.kubeConfig.getCurrentUser()?.name;
  if (kubeUser) owner.kubeUser = kubeUser;
  return owner;
}
