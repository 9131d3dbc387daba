import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSignIn } from '../../src/gateway/web-sign-in.ts';

test('a link is good once, within its time, and gives a session of its user', () => {
  const signIn = new WebSignIn(60_000, 3600_000);
  const link = signIn.link('alice', 0);
  assert.equal(signIn.redeem('not-a-token', 1), undefined);
  const redeemed = signIn.redeem(link, 1_000);
  assert.equal(redeemed?.user, 'alice');
  assert.equal(signIn.redeem(link, 2_000), undefined, 'used');
  assert.equal(signIn.user(redeemed?.session, 3_000), 'alice');
  assert.equal(signIn.user(redeemed?.session, 3600_000 + 1_000), undefined, 'the session expired');
  assert.equal(signIn.user(undefined), undefined);
  const late = signIn.link('bob', 0);
  assert.equal(signIn.redeem(late, 60_000), undefined, 'the link expired');
});

test('links and sessions are bounded', () => {
  const signIn = new WebSignIn();
  for (let i = 0; i < 5000; i++) signIn.link(`u${i}`);
  assert.equal(signIn.size.links, 1000);
});
