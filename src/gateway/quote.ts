// One word for a POSIX shell: what the pod's shell runs is built from values the client sent.

/** `value` single-quoted for sh (a ' becomes '\''); NUL cannot be passed and is refused. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL byte cannot be passed to a shell');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
