// Containers' stdout and stderr go to files in the pod's state directory (nothing reads them
// live, so a chatty container can never block on a full pipe); failures quote their end.
import { readFile } from 'node:fs/promises';

export async function logTail(path: string, lines = 5): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const tail = text.trimEnd().split('\n').slice(-lines).join(' | ');
  return tail || '(no output)';
}
