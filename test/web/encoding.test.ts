// Accept-Encoding: gzip when the client says it takes it, and only then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsGzip } from '../../src/web/encoding.ts';

test('whether a client takes gzip', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['gzip, deflate, br, zstd', true], // Chromium
    ['gzip', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['gzip;q=0', false],
    ['gzip; q=0.000', false],
    ['gzip;q=nonsense', false],
    ['*', true],
    ['*;q=0', false],
    ['br, *;q=0.5', true],
    ['gzip;q=0, *', false], // named explicitly: the star does not override it
    ['identity', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
    ['gzipx', false],
    [`${'x, '.repeat(400)}gzip`, false], // larger than any real header: not parsed
  ];
  for (const [header, expected] of cases) assert.equal(acceptsGzip(header), expected, String(header).slice(0, 60));
});
