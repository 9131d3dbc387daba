import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCopyEnd, parsePluginArgs, parseTargetWord, type PluginRequest } from '../../src/kubectl-plugin/args.ts';
import { SshpodError } from '../../src/errors.ts';

const ssh = (request: Partial<Extract<PluginRequest, { action: 'ssh' }>>): PluginRequest => ({ action: 'ssh', flags: {}, tty: false, target: { kind: 'pod', name: 'api' }, command: [], ...request });

const valid: Array<[string[], PluginRequest]> = [
  [['api'], ssh({})],
  [['-n', 'prod', 'api'], ssh({ flags: { namespace: 'prod' } })],
  [['-nprod', 'api'], ssh({ flags: { namespace: 'prod' } })],
  [['-n=prod', 'api'], ssh({ flags: { namespace: 'prod' } })],
  [['--namespace', 'prod', 'api'], ssh({ flags: { namespace: 'prod' } })],
  [['--namespace=prod', 'api'], ssh({ flags: { namespace: 'prod' } })],
  [['api', '-n', 'prod'], ssh({ flags: { namespace: 'prod' } })],
  [['-c', 'side', '--context', 'eu', '--kubeconfig=/k', 'api'], ssh({ flags: { container: 'side', context: 'eu', kubeconfig: '/k' } })],
  [['-it', 'api'], ssh({ tty: true })],
  [['-ti', 'api'], ssh({ tty: true })],
  [['-i', 'api'], ssh({})],
  [['--tty', '--stdin', 'api'], ssh({ tty: true })],
  [['--tty=false', 'api'], ssh({})],
  [['-t', '--tty=0', 'api'], ssh({})],
  [['-itn', 'prod', 'api'], ssh({ tty: true, flags: { namespace: 'prod' } })],
  [['app@api'], ssh({ login: 'app' })],
  [['api', '--', 'ls', '-la', '--', 'x'], ssh({ command: ['ls', '-la', '--', 'x'] })],
  [['api', '--'], ssh({})],
  [['deployment/web'], ssh({ target: { kind: 'deployment', name: 'web' } })],
  [['deploy/web'], ssh({ target: { kind: 'deployment', name: 'web' } })],
  [['deployments/web'], ssh({ target: { kind: 'deployment', name: 'web' } })],
  [['deployments.apps/web'], ssh({ target: { kind: 'deployment', name: 'web' } })],
  [['Deployment.v1.apps/web'], ssh({ target: { kind: 'deployment', name: 'web' } })],
  [['sts/db'], ssh({ target: { kind: 'statefulset', name: 'db' } })],
  [['statefulset/db'], ssh({ target: { kind: 'statefulset', name: 'db' } })],
  [['ds/agent'], ssh({ target: { kind: 'daemonset', name: 'agent' } })],
  [['daemonset/agent'], ssh({ target: { kind: 'daemonset', name: 'agent' } })],
  [['rs/web-5d4f8'], ssh({ target: { kind: 'replicaset', name: 'web-5d4f8' } })],
  [['job/migrate'], ssh({ target: { kind: 'job', name: 'migrate' } })],
  [['jobs.batch/migrate'], ssh({ target: { kind: 'job', name: 'migrate' } })],
  [['pod/cp'], ssh({ target: { kind: 'pod', name: 'cp' } })],
  [['po/api'], ssh({})],
  [['root@sts/db'], ssh({ login: 'root', target: { kind: 'statefulset', name: 'db' } })],
  [['-h'], { action: 'help' }],
  [['api', '--help'], { action: 'help' }],
  [['--version'], { action: 'version' }],
  [['cp', './a', 'prod/api:/tmp/'], { action: 'cp', flags: {}, source: { local: './a' }, destination: { remote: { namespace: 'prod', pod: 'api', path: '/tmp/' } } }],
  [['cp', '-n', 'prod', '-c', 'side', 'app@api:/var/log', '.'], {
    action: 'cp',
    flags: { namespace: 'prod', container: 'side' },
    source: { remote: { login: 'app', pod: 'api', path: '/var/log' } },
    destination: { local: '.' },
  }],
];

for (const [words, expected] of valid) {
  test(`kubectl ssh ${words.join(' ')}`, () => {
    assert.deepEqual(parsePluginArgs(words), expected);
  });
}

const invalid: Array<[string[], string]> = [
  [[], 'a pod name (or TYPE/NAME) is required'],
  [['-x', 'api'], "unknown shorthand flag: 'x' in -x"],
  [['--nope', 'api'], 'unknown flag: --nope'],
  [['api', '-n'], "flag needs an argument: 'n' in -n"],
  [['api', '--context'], 'flag needs an argument: --context'],
  [['--namespace=', 'api'], '--namespace must not be empty'],
  [['--tty=maybe', 'api'], 'invalid argument "maybe" for "tty" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  [['api', 'ls'], 'kubectl ssh POD COMMAND is not supported: put "--" before the command (kubectl ssh api -- ls)'],
  [['svc/web'], 'the server doesn\'t have a resource type "svc" that kubectl ssh can reach'],
  [['deployments.batch/web'], 'the server doesn\'t have a resource type "deployments.batch" that kubectl ssh can reach'],
  [['deployment/'], '"deployment/" is not TYPE/NAME'],
  [['@api'], '"@api" names no pod'],
  [['app@'], '"app@" names no pod'],
  [['cp', 'a'], 'kubectl ssh cp takes a source and a destination (got 1 argument)'],
  [['cp', 'a', 'b'], 'one of the source and destination must be a pod: [NAMESPACE/]POD:PATH'],
  [['cp', 'x:/a', 'y:/b'], 'copying from one pod to another is not supported: one of the source and destination must be local'],
  [['cp', 'a/b/c:/x', '.'], '"a/b/c:/x" is not [NAMESPACE/]POD:PATH'],
];

for (const [words, message] of invalid) {
  test(`kubectl ssh ${words.join(' ')} is refused`, () => {
    assert.throws(() => parsePluginArgs(words), (error: unknown) => {
      assert.ok(error instanceof SshpodError);
      assert.equal(error.kind, 'usage');
      assert.equal(error.message, message);
      assert.ok(error.hint);
      return true;
    });
  });
}

test('target words: the login is everything before the last @', () => {
  assert.deepEqual(parseTargetWord('a.b@deploy/web'), { login: 'a.b', target: { kind: 'deployment', name: 'web' } });
});

test('copy ends: kubectl cp rules, ./ and / keep a path local', () => {
  assert.deepEqual(parseCopyEnd('api:'), { remote: { pod: 'api', path: '' } });
  assert.deepEqual(parseCopyEnd('./a:b'), { local: './a:b' });
  assert.deepEqual(parseCopyEnd('/tmp/a:b'), { local: '/tmp/a:b' });
  assert.deepEqual(parseCopyEnd(':x'), { local: ':x' });
  assert.deepEqual(parseCopyEnd('file.txt'), { local: 'file.txt' });
});
