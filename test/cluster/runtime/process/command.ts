// Kubernetes' rule for command/args against the image's ENTRYPOINT/CMD. Our images have no
// ENTRYPOINT, only a CMD (their sleeper), which simplifies it: `command` replaces the
// entrypoint and drops CMD, `args` alone replaces CMD, neither runs CMD.

export function containerCommand(imageCmd: string[], command?: string[], args?: string[]): string[] {
  if (command?.length) return [...command, ...(args ?? [])];
  if (args?.length) return [...args];
  return [...imageCmd];
}
