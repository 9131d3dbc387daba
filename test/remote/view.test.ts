// The pure parts of a session in the view of a container without a shell: the reply fields the
// script's view mode adds, the chroot line in sshd_config, and PATH with the debug image's tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyFormatError, ReplyReader } from '../../src/remote/reply.ts';
import { renderSshdConfig } from '../../src/remote/sshd-config.ts';
import { viewEnvironment } from '../../src/remote/environment.ts';
import { prepareCommand } from '../../src/remote/script.ts';

const needInstall = (extra: string): Buffer => Buffer.from(`status=need-install\ndir=/tmp/sshpod/u/sshpod-main\narch=x86_64\ngzip=1\n${extra}environ-bytes=0\n`);

test('need-install in view mode carries the chroot and the tools directory', () => {
  const [reply] = new ReplyReader().push(needInstall('view-root=/sshpod-view/root\nview-tools=/proc/7/root/bin\n'));
  assert.equal(reply?.status, 'need-install');
  assert.deepEqual(reply?.status === 'need-install' ? reply.view : undefined, { root: '/sshpod-view/root', tools: '/proc/7/root/bin', path: '' });
  const [plain] = new ReplyReader().push(needInstall(''));
  assert.equal(plain?.status === 'need-install' ? plain.view : 'x', undefined);
});

test('view paths from the container are plain absolute paths, or the reply is refused', () => {
  for (const bad of ['relative/root', '/with space', '/new\\nline', '/x;rm', '']) {
    assert.throws(() => new ReplyReader().push(needInstall(`view-root=${bad}\nview-tools=/proc/7/root/bin\n`)), ReplyFormatError, bad);
  }
  assert.throws(() => new ReplyReader().push(needInstall('view-root=/sshpod-view/root\n')), /no view-tools=/);
});

test('view tools: a few absolute directories with : between, each checked', () => {
  const [reply] = new ReplyReader().push(needInstall('view-root=/sshpod-view/root\nview-tools=/proc/7/root/sshpod-view/bin:/proc/7/root/bin\n'));
  assert.equal(reply?.status === 'need-install' ? reply.view?.tools : undefined, '/proc/7/root/sshpod-view/bin:/proc/7/root/bin');
  for (const bad of ['/a::/b', '/a:relative', '/a:', ':/a', '/a:/b:/c:/d:/e:/f']) {
    assert.throws(() => new ReplyReader().push(needInstall(`view-root=/sshpod-view/root\nview-tools=${bad}\n`)), ReplyFormatError, bad);
  }
});

test('sshd_config chroots sessions into the view, and only with a plain path', () => {
  const base = { environment: [] as Array<[string, string]>, sshpodVersion: '1', installId: 'sshpod-x' };
  assert.match(renderSshdConfig({ ...base, chrootDirectory: '/sshpod-view/root' }), /^ChrootDirectory \/sshpod-view\/root$/m);
  assert.doesNotMatch(renderSshdConfig(base), /ChrootDirectory/);
  assert.throws(() => renderSshdConfig({ ...base, chrootDirectory: '/a b' }));
});

test('the prepare exec names view mode as its ninth argument, and only then', () => {
  const args = { podUid: 'u', container: 'sshpod-main', login: 'root', versions: { x86_64: 'v' }, publicKey: 'ssh-ed25519 AAAA k', ports: [20001] };
  assert.equal(prepareCommand({ ...args, view: true }).command.at(-1), 'view');
  assert.equal(prepareCommand(args).command.length, prepareCommand({ ...args, view: true }).command.length - 1);
});

test("the view's environment drops what makes root's sessions run the target's choice of code", () => {
  const tools = '/proc/7/root/sshpod-view/bin';
  const cases: Array<[string, Array<[string, string]>, Array<[string, string]>]> = [
    ['plain variables pass', [['APP_MODE', 'production'], ['LANG', 'C.UTF-8']], [['APP_MODE', 'production'], ['LANG', 'C.UTF-8']]],
    ["the loader's variables go", [['LD_PRELOAD', '/tmp/x.so'], ['LD_LIBRARY_PATH', '/tmp'], ['LD_AUDIT', '/tmp/a.so'], ['GCONV_PATH', '/tmp'], ['GLIBC_TUNABLES', 'x'], ['MALLOC_CHECK_', '3'], ['A', '1']], [['A', '1']]],
    ["the shell's startup and prompt code go", [['ENV', '/tmp/rc'], ['BASH_ENV', '/tmp/rc'], ['PS4', '$(x)'], ['PROMPT_COMMAND', 'x'], ['SHELLOPTS', 'xtrace'], ['IFS', '/'], ['CDPATH', '/tmp']], []],
    ['names that merely contain them stay', [['MY_LD_PRELOAD', 'x'], ['ENVIRONMENT', 'prod']], [['MY_LD_PRELOAD', 'x'], ['ENVIRONMENT', 'prod']]],
  ];
  for (const [name, input, kept] of cases) {
    const out = viewEnvironment(input, tools, '/usr/bin');
    assert.deepEqual(out.slice(0, -1), kept, name);
    assert.deepEqual(out.at(-1), ['PATH', `/usr/bin:${tools}`], name);
  }
});

test("the view's PATH: the one the script checked, never the target's own variable, then the tools", () => {
  const path = (variables: Array<[string, string]>, checked: string): string | undefined => viewEnvironment(variables, '/t1:/t2', checked).find(([n]) => n === 'PATH')?.[1];
  assert.equal(path([['PATH', '.:/tmp/evil:/usr/bin']], '/usr/bin'), '/usr/bin:/t1:/t2');
  assert.equal(path([['PATH', '/usr/bin:/bin']], ''), '/t1:/t2');
  assert.equal(path([], '/usr/local/bin:/usr/bin'), '/usr/local/bin:/usr/bin:/t1:/t2');
  assert.equal(viewEnvironment([['PATH', '/a'], ['PATH', '/b']], '/t', '/c').filter(([n]) => n === 'PATH').length, 1);
});

test('the checked PATH in the reply: absolute directories or nothing', () => {
  const view = (extra: string) => {
    const [reply] = new ReplyReader().push(needInstall(`view-root=/sshpod-view/root\nview-tools=/proc/7/root/bin\n${extra}`));
    return reply?.status === 'need-install' ? reply.view : undefined;
  };
  assert.equal(view('view-path=/usr/bin:/bin\n')?.path, '/usr/bin:/bin');
  assert.equal(view('view-path=\n')?.path, '');
  assert.equal(view('')?.path, '');
  for (const bad of ['.', '/usr/bin:.', '/a b', 'bin', '/usr/bin::/bin']) assert.throws(() => view(`view-path=${bad}\n`), ReplyFormatError, bad);
});

test('sshd_config in the view: no ~/.ssh/rc (the home is the target\'s)', () => {
  const base = { environment: [] as Array<[string, string]>, sshpodVersion: '1', installId: 'sshpod-x' };
  assert.match(renderSshdConfig({ ...base, chrootDirectory: '/sshpod-view/root' }), /^PermitUserRC no$/m);
  assert.doesNotMatch(renderSshdConfig(base), /PermitUserRC/);
});
