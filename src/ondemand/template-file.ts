// Finding a template by name: ~/.config/sshpod/templates/NAME.yaml, the person's own files, else a
// built-in one (builtin-templates.ts). The YAML parser is loaded here only (a file of its own next
// to the bundle: scripts/build.mjs), so that connecting to an existing pod never pays for it.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SshpodError } from '../errors.ts';
import { readRegularFile } from '../local-file.ts';
import { builtinTemplate, BUILTIN_TEMPLATE_NAMES } from './builtin-templates.ts';
import { templateFromDocument, type PodTemplate } from './template.ts';

/** Far above any pod template a person writes, far below trouble (a symlink to /dev/zero). */
const TEMPLATE_SIZE_LIMIT = 1024 * 1024;

export function templatesDir(home = homedir()): string {
  return join(home, '.config', 'sshpod', 'templates');
}

/** The names of the templates there are: the files (NAME.yaml) and the built-in ones. */
export function templateNames(dir = templatesDir()): string[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    // no templates of one's own
  }
  const own = files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .filter((name) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name));
  return [...new Set([...own, ...BUILTIN_TEMPLATE_NAMES])].sort();
}

/** The file's text, or undefined when there is none (local-file.ts: never blocks, never reads without bound). */
function readTemplateFile(file: string): string | undefined {
  try {
    return readRegularFile(file, TEMPLATE_SIZE_LIMIT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SshpodError('local', `cannot read the template ${(error as Error).message}`, { hint: 'a template is a YAML file of at most 1 MiB, readable by you' });
  }
}

/** The one YAML document of a template file, parsed. */
export async function parseTemplateText(text: string, name: string, source: string): Promise<unknown> {
  const { parseAllDocuments } = await import('yaml');
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  const nonEmpty = list.filter((document) => document.contents !== null || document.errors.length > 0);
  const broken = nonEmpty.find((document) => document.errors.length > 0);
  if (broken) {
    const error = broken.errors[0];
    const where = error?.linePos?.[0] ? ` (line ${error.linePos[0].line})` : '';
    throw new SshpodError('config', `template "${name}" (${source}) is not valid YAML${where}: ${(error?.message ?? '').split('\n')[0]}`, { hint: 'fix the file; kubectl apply --dry-run=client -f FILE shows the same problems' });
  }
  if (nonEmpty.length !== 1) {
    throw new SshpodError('config', `template "${name}" (${source}) holds ${nonEmpty.length} YAML documents`, { hint: 'keep exactly one Pod or pod template in a template file' });
  }
  return (nonEmpty[0] as (typeof nonEmpty)[number]).toJS({ maxAliasCount: 100 });
}

/** The template called `name`: the person's file if there is one, else a built-in one. */
export async function loadTemplate(name: string, dir = templatesDir(), environment: NodeJS.ProcessEnv = process.env): Promise<PodTemplate> {
  const file = join(dir, `${name}.yaml`);
  const text = readTemplateFile(file);
  if (text !== undefined) return templateFromDocument(await parseTemplateText(text, name, file), name, file);
  const builtin = builtinTemplate(name, environment);
  if (builtin) return templateFromDocument(builtin, name, 'built in');
  const known = templateNames(dir);
  throw new SshpodError('not-found', `no template "${name}": there is no ${file}`, {
    hint: `templates: ${known.map((n) => `template--${n}`).join(', ')}; a template is a Pod or pod template in ${dir}/NAME.yaml`,
  });
}
