// The view mode's shell helpers, run for real by dash and by busybox sh: which programs are
// statically linked (the loader a program names), the wrappers that run the debug image's rsync,
// git and scp inside the target's root (through the debug image's own loader when dynamic), the
// stub for a program the image lacks, and which directories only root can change.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = readFileSync(new URL('../../src/remote/prepare-sshd.sh', import.meta.url), 'utf8');

/** The definition of shell function `name` in the prepare script (one line, or up to its closing brace). */
function definition(name: string): string {
  const start = script.indexOf(`\n${name}() {`);
  assert.ok(start >= 0, name);
  const line = script.slice(start + 1, script.indexOf('\n', start + 1));
  if (line.trimEnd().endsWith('}')) return line;
  return script.slice(start + 1, script.indexOf('\n}\n', start) + 2);
}

const helpers = ['have', 'interp_of', 'is_elf', 'is_static', 'program_path', 'write_tool', 'only_root_writes_here'].map(definition).join('\n');
const which = (program: string): string => spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
const shells = [['dash', [which('dash')]], ['busybox sh', [which('busybox'), 'sh']]] as const;
const isRoot = process.getuid?.() === 0;
const busybox = which('busybox');
const rsync = which('rsync');

for (const [shellName, shell] of shells) {
  describe(`view helpers under ${shellName}`, { skip: !busybox || !rsync ? 'needs busybox and rsync' : false }, () => {
    let dir: string;
    let tools: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'sshpod-view-tools-'));
      // What the helpers use, and nothing else: the programs under test come from the test's own directories.
      tools = join(dir, 'tools');
      mkdirSync(tools);
      for (const program of ['head', 'tr', 'grep', 'readlink', 'ls']) symlinkSync(which(program), join(tools, program));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const run = (body: string, path?: string) =>
      spawnSync(shell[0], [...shell.slice(1), '-c', `set -u; set -f; there=/proc/7/root; view_shell=/proc/7/root/sshpod-view/sh\n${helpers}\n${body}`], {
        encoding: 'utf8',
        env: { PATH: path ? `${path}:${tools}` : tools },
      });

    test('interp_of: the loader of a dynamic program, nothing for a static one', () => {
      assert.match(run(`interp_of ${rsync}`).stdout, /^\/\S*\/ld-\S*\.so\S*\n$/);
      assert.equal(run(`interp_of ${busybox}; is_static ${busybox} && echo static`).stdout, 'static\n');
      assert.equal(run(`is_static ${rsync} || echo dynamic`).stdout, 'dynamic\n');
      writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi\n');
      assert.equal(run(`is_elf ${join(dir, 'script')} || echo not-elf`).stdout, 'not-elf\n');
    });

    test('a dynamic rsync: through the debug image\'s loader, with its libraries, all under /proc/<holder>/root', () => {
      const bin = join(dir, 'dyn');
      mkdirSync(bin, { recursive: true });
      symlinkSync(rsync, join(bin, 'rsync'));
      const out = run('write_tool rsync', bin).stdout.split('\n');
      assert.equal(out[0], '#!/proc/7/root/sshpod-view/sh');
      assert.match(out[1] ?? '', /^exec \/proc\/7\/root\/\S*ld-\S*\.so\S* --library-path \/proc\/7\/root\/[^ ]+ \/proc\/7\/root\/\S*\/rsync "\$@"$/);
      for (const lib of (out[1] ?? '').split(' ')[3]?.split(':') ?? []) assert.match(lib, /^\/proc\/7\/root\//);
    });

    test('a static program: run directly; git gets GIT_EXEC_PATH (its helpers are the wrappers)', () => {
      const bin = join(dir, 'static');
      mkdirSync(bin, { recursive: true });
      symlinkSync(busybox, join(bin, 'git'));
      const out = run('write_tool git', bin).stdout.split('\n');
      assert.match(out[1] ?? '', /^GIT_EXEC_PATH=\/proc\/7\/root\/sshpod-view\/bin (GIT_TEMPLATE_DIR=\S+ )?exec \/proc\/7\/root\/\S+ "\$@"$/);
    });

    test('a program the image lacks, or one that is a script: a stub that says so, exit 127', () => {
      const bin = join(dir, 'none');
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, 'scp'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      for (const tool of ['rsync', 'scp']) {
        const stub = join(dir, `stub-${tool}`);
        writeFileSync(stub, run(`write_tool ${tool}`, bin).stdout);
        const result = spawnSync(shell[0], [...shell.slice(1), stub], { encoding: 'utf8' });
        assert.equal(result.status, 127);
        const [message, hint] = result.stderr.split('\n');
        assert.equal(message, `sshpod: ${tool} is not in the image of the ephemeral container sshpod added, from which sessions in this container without a shell take their programs`);
        assert.match(hint ?? '', new RegExp(`^hint: for pods sshpod adds it to from now on, set SSHPOD_DEBUG_IMAGE to an image with a static sh \\(or busybox\\) and ${tool};`));
      }
    });

    test('only root writes here: root\'s and not writable by group or others', { skip: isRoot ? false : 'needs root (chown)' }, () => {
      const cases: Array<[string, number, number, boolean]> = [
        ['755 root', 0o755, 0, true],
        ['711 root', 0o711, 0, true],
        ['775 root', 0o775, 0, false],
        ['757 root', 0o757, 0, false],
        ['1777 root', 0o1777, 0, false],
        ['755 nobody', 0o755, 65534, false],
      ];
      for (const [name, mode, owner, safe] of cases) {
        const d = join(dir, `mode-${name.replace(/ /g, '-')}`);
        mkdirSync(d);
        chmodSync(d, mode);
        chownSync(d, owner, owner);
        assert.equal(run(`cd ${d} && only_root_writes_here && echo safe || echo unsafe`).stdout, safe ? 'safe\n' : 'unsafe\n', name);
      }
    });
  });
}
