// The credential of a kubeconfig user with an exec plugin: from the cache while it is valid, else
// from the plugin; and once more from the plugin when the API server rejects a cached one.
import { log } from '../log.ts';
import { forgetCachedCredential, readCachedCredential, writeCachedCredential } from './credential-cache.ts';
import { runExecPlugin, type ExecConfig, type ExecCredentialStatus } from './exec-credential.ts';

export class PluginCredentials {
  private readonly exec: ExecConfig;
  private readonly cacheFile: string | undefined;
  private fromCache = false;

  constructor(exec: ExecConfig, cacheFile: string | undefined) {
    this.exec = exec;
    this.cacheFile = cacheFile;
  }

  async current(): Promise<ExecCredentialStatus> {
    const cached = this.cacheFile === undefined ? undefined : readCachedCredential(this.cacheFile, Date.now());
    if (cached) {
      this.fromCache = true;
      log.debug(`exec credential: cached, valid until ${cached.expirationTimestamp ?? '?'}`);
      return cached;
    }
    return this.fresh();
  }

  /** A new credential in place of a cached one the API server refused; undefined if ours was already new. */
  async renew(): Promise<ExecCredentialStatus | undefined> {
    if (!this.fromCache) return undefined;
    this.fromCache = false;
    if (this.cacheFile !== undefined) forgetCachedCredential(this.cacheFile);
    log.debug('exec credential: the cached one was refused, running the plugin');
    return this.fresh();
  }

  private async fresh(): Promise<ExecCredentialStatus> {
    const started = performance.now();
    const status = await runExecPlugin(this.exec);
    log.debug(`exec credential: plugin ${this.exec.command} answered (${(performance.now() - started).toFixed(0)} ms)`);
    if (this.cacheFile !== undefined) {
      try {
        writeCachedCredential(this.cacheFile, status, Date.now());
      } catch (error) {
        log.debug(`exec credential: not cached (${(error as Error).message})`);
      }
    }
    return status;
  }
}
