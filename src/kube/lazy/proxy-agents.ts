// Stand-ins for the proxy agents @kubernetes/client-node's config module imports eagerly
// (socks-proxy-agent and hpagent, with their dependencies) for clusters with a proxy-url. The
// bundle (scripts/build.mjs) substitutes these for them; ApiConnection loads the real ones first
// when the cluster has a proxy-url, because client-node constructs them synchronously.
// Unbundled (tests), client-node uses the real modules and this file only preloads them.
import type * as Socks from 'socks-proxy-agent';
import type * as Hpagent from 'hpagent';

let socks: typeof Socks | undefined;
let hpagent: typeof Hpagent | undefined;

export async function loadProxyAgents(): Promise<void> {
  socks ??= await import('socks-proxy-agent');
  hpagent ??= await import('hpagent');
}

function notLoaded(): never {
  throw new Error('proxy agents used before loadProxyAgents()');
}

// Constructors that return another object hand that object to `new`.
export class SocksProxyAgent {
  constructor(...args: ConstructorParameters<typeof Socks.SocksProxyAgent>) {
    if (!socks) notLoaded();
    return new socks.SocksProxyAgent(...args);
  }
}

export class HttpsProxyAgent {
  constructor(...args: ConstructorParameters<typeof Hpagent.HttpsProxyAgent>) {
    if (!hpagent) notLoaded();
    return new hpagent.HttpsProxyAgent(...args);
  }
}

export class HttpProxyAgent {
  constructor(...args: ConstructorParameters<typeof Hpagent.HttpProxyAgent>) {
    if (!hpagent) notLoaded();
    return new hpagent.HttpProxyAgent(...args);
  }
}
