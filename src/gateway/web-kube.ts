// The web terminal's view of Kubernetes inside the gateway: the gateway's kubeconfig (in-cluster
// inside a pod), every request impersonating the signed-in person — so that the cluster's RBAC
// decides what the page may list and open, as it does for jump and shell modes — and the gateway's
// templates for template--NAME.
import type { KubeAccess, KubeSession, WebUser } from '../web/kube-access.ts';
import { loadTemplate, templateNames } from '../ondemand/template-file.ts';
import { SshpodError } from '../errors.ts';
import type { Backend } from './backend.ts';
import type { GatewayUser, UserRegistry } from './users.ts';

export function gatewayKubeAccess(backend: Backend, users: () => UserRegistry): KubeAccess {
  const person = (user: WebUser): GatewayUser => {
    // Looked up at every use: a person removed from the users file loses the page at once.
    const found = users().get(user.name);
    if (!found) throw new SshpodError('forbidden', `gateway user "${user.name}" is no longer in the users file`, { hint: "ask the gateway's administrator" });
    return found;
  };
  return {
    contexts: () => backend.contexts(),
    async connect(user, context): Promise<KubeSession> {
      const gatewayUser = person(user);
      const { api, context: name, namespace } = await backend.apiAs(gatewayUser, context);
      return { api, context: name, namespace, owner: { local: `${gatewayUser.name}@sshpod-gateway`, kubeUser: gatewayUser.kubeUser } };
    },
    templateNames: () => templateNames(backend.templatesDir),
    loadTemplate: (_user, name) => loadTemplate(name, backend.templatesDir),
    close: () => undefined,
  };
}
