// Stand-ins for @kubernetes/client-node's legacy auth-provider plugins (oidc, azure, gcp), which
// its config module imports eagerly together with openid-client and jsonpath-plus. The bundle
// (scripts/build.mjs) substitutes these for them: recognising a user is copied from the real
// classes; the real class, and its dependencies, load only when a kubeconfig user needs one.
// Unbundled (tests), client-node uses its own classes and this file is not involved.
import type { User } from '@kubernetes/client-node/dist/config_types.js';
import type https from 'node:https';

interface Provider {
  isAuthProvider(user: User): boolean;
  applyAuthentication(user: User, opts: https.RequestOptions): Promise<void>;
}

function lazyProvider(name: string, load: () => Promise<Provider>): new () => Provider {
  return class implements Provider {
    private real: Provider | undefined;

    isAuthProvider(user: User): boolean {
      return user?.authProvider?.name === name;
    }

    async applyAuthentication(user: User, opts: https.RequestOptions): Promise<void> {
      this.real ??= await load();
      await this.real.applyAuthentication(user, opts);
    }
  };
}

export const OpenIDConnectAuth = lazyProvider('oidc', async () => new (await import('@kubernetes/client-node/dist/oidc_auth.js')).OpenIDConnectAuth());
export const AzureAuth = lazyProvider('azure', async () => new (await import('@kubernetes/client-node/dist/azure_auth.js')).AzureAuth());
export const GoogleCloudPlatformAuth = lazyProvider('gcp', async () => new (await import('@kubernetes/client-node/dist/gcp_auth.js')).GoogleCloudPlatformAuth());
