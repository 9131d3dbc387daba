import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLoginName } from '../../src/target/login-name.ts';

test('login names: ordinary ones pass, anything shell-like is refused', () => {
  for (const name of ['root', 'app', 'first.last', 'svc_web-1', '_apt']) assert.equal(checkLoginName(name), name);
  for (const name of ["x';reboot;'", '$(id)', '-oProxyCommand=x', 'a b', 'x:0:0', '', 'a\nb', 'é']) {
    assert.throws(() => checkLoginName(name), { message: 'the ssh user name is not a valid user name' }, JSON.stringify(name));
  }
});
