// Placing the sshpod block in an existing ~/.ssh/config. OpenSSH takes the first value it finds for
// each option, and a Host block only counts until the next Host or Match line, so the block goes
// first in the file: before any `Host *`, `Match` or Include that could set the same options
// earlier. The file's line endings and everything outside the markers are kept; a byte-order mark,
// which OpenSSH cannot parse (it reads it as a bad option on line 1), is dropped.
import { SshpodError } from '../errors.ts';
import { END_MARKER } from './config-block.ts';

interface SplitConfig {
  hadBom: boolean;
  eol: string;
  lines: string[];
}

function split(text: string): SplitConfig {
  const hadBom = text.startsWith('\uFEFF');
  const body = hadBom ? text.slice(1) : text;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body === '' ? [] : body.split(/\r?\n/);
  if (lines.length > 0 && lines.at(-1) === '') lines.pop(); // the final newline, if any
  return { hadBom, eol, lines };
}

function isBegin(line: string): boolean {
  return line.trim().startsWith('# >>> sshpod >>>');
}

function isEnd(line: string): boolean {
  return line.trim() === END_MARKER;
}

/** The lines without any sshpod block; refuses a half-removed block rather than guess. */
function withoutBlocks(lines: string[]): { lines: string[]; removed: boolean } {
  const kept: string[] = [];
  let inside = false;
  let removed = false;
  let damaged = false;
  for (const line of lines) {
    if (isBegin(line)) {
      damaged ||= inside;
      inside = true;
      removed = true;
    } else if (isEnd(line)) {
      damaged ||= !inside;
      inside = false;
    } else if (!inside) {
      kept.push(line);
    }
  }
  if (damaged || inside) {
    throw new SshpodError('local', 'the sshpod block in your ssh config is damaged (a start or end marker is missing)', {
      hint: `remove the lines from "# >>> sshpod >>>" to "${END_MARKER}" by hand, then run sshpod configure again`,
    });
  }
  // The blank line that separated the block from the rest goes with it.
  if (removed && kept[0] === '') kept.shift();
  return { lines: kept, removed };
}

export interface EditResult {
  text: string;
  changed: boolean;
  notes: string[];
}

function notesFor(lines: string[]): string[] {
  const notes: string[] = [];
  lines.forEach((line, index) => {
    const match = /^\s*host\s+(.*)$/i.exec(line);
    if (match && (match[1] ?? '').split(/\s+/).some((pattern) => pattern.toLowerCase() === '*.sshpod')) {
      notes.push(`line ${index + 1} of your ssh config has another "Host *.sshpod" block (not sshpod's); sshpod's block comes first and wins, so you can remove the old one`);
    }
  });
  return notes;
}

export function insertBlock(text: string, block: string[]): EditResult {
  const { hadBom, eol, lines } = split(text);
  const rest = withoutBlocks(lines).lines;
  const combined = rest.length > 0 ? [...block, '', ...rest] : block;
  const next = `${combined.join(eol)}${eol}`;
  const notes = notesFor(rest).map((note) => note.replace(/^line (\d+)/, (_, n: string) => `line ${Number(n) + block.length + 1}`));
  if (hadBom) notes.push('removed the byte-order mark at the start of your ssh config: OpenSSH cannot read a file that has one');
  return { text: next, changed: next !== text, notes };
}

export function removeBlock(text: string): EditResult {
  const { eol, lines } = split(text);
  const { lines: rest, removed } = withoutBlocks(lines);
  if (!removed) return { text, changed: false, notes: [] };
  const next = rest.length > 0 ? `${rest.join(eol)}${eol}` : '';
  return { text: next, changed: true, notes: [] };
}
