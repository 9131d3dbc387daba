// Who may talk to the web terminal server: the access token (query, Bearer, cookie; constant-time
// compare), the Host header (DNS rebinding), the Origin of a WebSocket (cross-site hijacking) and
// Fetch metadata — every header hostile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cookieName,
  cookieValue,
  defaultHostNames,
  fetchSiteAllowed,
  hostAllowed,
  newAccessToken,
  normalHost,
  originAllowed,
  presentedToken,
  tokensMatch,
  type HostPolicy,
} from '../../src/web/access.ts';

test('an access token: 32 random bytes, URL-safe, never twice the same', () => {
  const a = newAccessToken();
  const b = newAccessToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});

test('tokens match only when equal', () => {
  const token = 'abcDEF123_-';
  const cases: Array<[string | undefined, boolean]> = [
    [token, true],
    [undefined, false],
    ['', false],
    ['abcDEF123_', false], // a prefix
    ['abcDEF123_-x', false], // longer
    ['abcDEF123__', false], // same length, one byte differs
    ['ABCdef123_-', false], // case matters
  ];
  for (const [given, expected] of cases) assert.equal(tokensMatch(given, token), expected, String(given));
});

test('the cookie is named after the port (cookies are not port-isolated)', () => {
  assert.equal(cookieName(7681), 'sshpod-web-7681');
  assert.notEqual(cookieName(7681), cookieName(7682));
});

test("a cookie's value from a Cookie header", () => {
  const name = 'sshpod-web-7681';
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    [`${name}=T`, 'T'],
    [`a=1; ${name}=T; b=2`, 'T'],
    [` ${name} = T `, 'T'],
    [`${name}=first; ${name}=second`, 'first'],
    ['sshpod-web-7682=other', undefined], // another server's cookie
    [`x${name}=T`, undefined],
    ['garbage; no equals sign', undefined],
    [`${'a=1; '.repeat(2000)}${name}=T`, undefined], // larger than any real header: not parsed
  ];
  for (const [header, expected] of cases) assert.equal(cookieValue(header, name), expected, String(header).slice(0, 60));
});

test('the token a request presents: the query, else a Bearer header, else the cookie', () => {
  const cookie = 'sshpod-web-1';
  const url = (query: string): URL => new URL(`http://127.0.0.1:1/${query}`);
  const cases: Array<[URL, { authorization?: string; cookie?: string }, string | undefined]> = [
    [url('?token=Q'), { authorization: 'Bearer B', cookie: `${cookie}=C` }, 'Q'],
    [url(''), { authorization: 'Bearer B', cookie: `${cookie}=C` }, 'B'],
    [url('?token='), { cookie: `${cookie}=C` }, 'C'], // an empty query token is no token
    [url(''), { authorization: 'Basic dXNlcjpwdw==', cookie: `${cookie}=C` }, 'C'],
    [url(''), { authorization: 'Bearer has space', cookie: `${cookie}=C` }, 'C'],
    [url(''), { authorization: `Bearer ${'x'.repeat(513)}` }, undefined],
    [url(''), {}, undefined],
  ];
  for (const [u, headers, expected] of cases) assert.equal(presentedToken(u, headers, cookie), expected, `${u.search} ${JSON.stringify(headers).slice(0, 80)}`);
});

test('a Host header or authority, normalised', () => {
  const cases: Array<[string, number, string | undefined]> = [
    ['127.0.0.1:7681', 80, '127.0.0.1:7681'],
    ['LocalHost:7681', 80, 'localhost:7681'],
    ['localhost.:7681', 80, 'localhost:7681'], // the root's trailing dot
    ['localhost', 80, 'localhost:80'],
    ['[::1]:7681', 80, '[::1]:7681'],
    [' 127.0.0.1:7681 ', 80, '127.0.0.1:7681'],
    ['127.0.0.1:0', 80, undefined],
    ['127.0.0.1:65536', 80, undefined],
    ['127.0.0.1:', 80, undefined],
    ['user@127.0.0.1:7681', 80, undefined],
    ['127.0.0.1:7681/x', 80, undefined],
    ['evil.example\r\nX: y', 80, undefined],
    ['', 80, undefined],
  ];
  for (const [authority, port, expected] of cases) assert.equal(normalHost(authority, port), expected, JSON.stringify(authority));
});

test('the names a server answers to by default', () => {
  assert.deepEqual(defaultHostNames('127.0.0.1'), { names: ['127.0.0.1', '[::1]', 'localhost'], anyAddress: false });
  assert.deepEqual(defaultHostNames('::1'), { names: ['[::1]', '127.0.0.1', 'localhost'], anyAddress: false });
  assert.deepEqual(defaultHostNames('127.0.0.2'), { names: ['127.0.0.2', '127.0.0.1', '[::1]', 'localhost'], anyAddress: false });
  assert.deepEqual(defaultHostNames('192.168.1.5'), { names: ['192.168.1.5'], anyAddress: false });
  assert.deepEqual(defaultHostNames('0.0.0.0'), { names: ['localhost'], anyAddress: true });
  assert.deepEqual(defaultHostNames('::'), { names: ['localhost'], anyAddress: true });
});

test('Host: only the names and the port the server answers to (DNS rebinding)', () => {
  const loopback: HostPolicy = { port: 7681, ...defaultHostNames('127.0.0.1') };
  const everywhere: HostPolicy = { port: 7681, ...defaultHostNames('0.0.0.0') };
  const named: HostPolicy = { port: 443, names: ['term.example.org'], anyAddress: false };
  const cases: Array<[string | undefined, HostPolicy, boolean, boolean]> = [
    ['127.0.0.1:7681', loopback, false, true],
    ['localhost:7681', loopback, false, true],
    ['LOCALHOST:7681', loopback, false, true],
    ['[::1]:7681', loopback, false, true],
    ['evil.example:7681', loopback, false, false], // a rebound name
    ['127.0.0.1:7682', loopback, false, false],
    ['127.0.0.1', loopback, false, false], // port 80
    [undefined, loopback, false, false],
    ['', loopback, false, false],
    ['192.168.1.5:7681', loopback, false, false],
    ['192.168.1.5:7681', everywhere, false, true], // any IP literal where bound to all
    ['[fe80::1]:7681', everywhere, false, true],
    ['evil.example:7681', everywhere, false, false], // but never a name it was not told
    ['localhost:7681', everywhere, false, true],
    ['term.example.org', named, true, true], // https: 443 is implied
    ['term.example.org', named, false, false], // http: 80 is not the port
    ['Term.Example.Org:443', named, true, true],
  ];
  for (const [host, policy, secure, expected] of cases) assert.equal(hostAllowed(host, policy, secure), expected, `${String(host)} on ${policy.names.join(',')}`);
});

test("Origin: the server's own origin only", () => {
  const host = '127.0.0.1:7681';
  const cases: Array<[string | undefined, string | undefined, boolean, boolean, boolean]> = [
    // origin, host, secure, required, expected
    ['http://127.0.0.1:7681', host, false, true, true],
    ['http://127.0.0.1:7681', 'localhost:7681', false, true, false], // another origin, though the same machine
    ['http://127.0.0.1:7682', host, false, true, false], // another port: same site, another origin
    ['http://evil.example', host, false, true, false],
    ['https://127.0.0.1:7681', host, false, true, false], // the scheme is part of the origin
    ['http://127.0.0.1:7681', host, true, true, false],
    ['null', host, false, true, false], // sandboxed frames, file: pages
    ['null', host, false, false, false],
    ['http://evil@127.0.0.1:7681', host, false, true, false],
    ['http://127.0.0.1:7681/path', host, false, true, false],
    ['http://127.0.0.1:7681?x', host, false, true, false],
    ['not a url', host, false, true, false],
    ['http://127.0.0.1:7681', undefined, false, true, false],
    [undefined, host, false, true, false], // a WebSocket must say where it comes from
    [undefined, host, false, false, true], // a request without one is not a browser's: the token decides
    ['http://localhost', 'localhost:80', false, true, true], // default ports made explicit
    ['https://term.example.org', 'term.example.org', true, true, true],
    ['HTTP://127.0.0.1:7681', host, false, true, true],
  ];
  for (const [origin, hostHeader, secure, required, expected] of cases) assert.equal(originAllowed(origin, hostHeader, secure, required), expected, `${String(origin)} for ${String(hostHeader)}`);
});

test('Fetch metadata: our own page or the person typing the address', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, true],
    ['same-origin', true],
    ['none', true],
    ['same-site', false], // another port of 127.0.0.1 is the same site
    ['cross-site', false],
    ['SAME-ORIGIN', false],
  ];
  for (const [site, expected] of cases) assert.equal(fetchSiteAllowed(site), expected, String(site));
});
