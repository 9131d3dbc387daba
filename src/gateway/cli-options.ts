// From commander's option object to runGateway's options: the limit flags map onto Limits.
import type { Limits } from './limits.ts';
import { LIMIT_FLAGS, runGateway, type GatewayCliOptions } from './run-gateway.ts';
import type { AuthorizationMode } from './backend.ts';

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function gatewayOptions(options: Record<string, unknown>): GatewayCliOptions {
  const limits: Partial<Limits> = {};
  for (const [field, flag] of LIMIT_FLAGS) {
    const value = options[camel(flag)];
    if (typeof value === 'number') limits[field] = value;
  }
  return {
    listen: options['listen'] as string,
    users: options['users'] as string,
    ...(options['hostKey'] ? { hostKey: options['hostKey'] as string[] } : {}),
    ...(options['audit'] ? { audit: options['audit'] as string } : {}),
    ...(options['metrics'] ? { metrics: options['metrics'] as string } : {}),
    ...(options['templates'] ? { templates: options['templates'] as string } : {}),
    ...(options['web'] ? { web: options['web'] as string } : {}),
    authorization: options['authorization'] as AuthorizationMode,
    reloadSeconds: Math.max(1, options['reload'] as number),
    limits,
  };
}

export function startFromCli(options: Record<string, unknown>): Promise<never> {
  return runGateway(gatewayOptions(options));
}
