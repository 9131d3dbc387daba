import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefusalAudit } from '../../src/gateway/refusal-audit.ts';

test('one audit line per source, reason and window; the next line says how many were left out', () => {
  const audit = new RefusalAudit(60_000);
  const steps: Array<[string, string, number, boolean, number]> = [
    ['10.0.0.1', 'rate-limit', 0, true, 0],
    ['10.0.0.1', 'rate-limit', 1_000, false, 1],
    ['10.0.0.1', 'rate-limit', 2_000, false, 2],
    ['10.0.0.2', 'rate-limit', 2_000, true, 0],
    ['10.0.0.1', 'unauthenticated-limit', 2_000, true, 0],
    ['10.0.0.1', 'rate-limit', 61_000, true, 2],
    ['10.0.0.1', 'rate-limit', 62_000, false, 1],
  ];
  for (const [source, reason, now, write, suppressed] of steps) {
    assert.deepEqual(audit.take(source, reason, now), { write, suppressed }, `${source} ${reason} at ${now}`);
  }
});

test('a flood of addresses stays bounded', () => {
  const audit = new RefusalAudit(60_000, 100);
  for (let i = 0; i < 10_000; i++) audit.take(`10.0.${i >> 8}.${i & 255}`, 'rate-limit', i);
  assert.equal(audit.size, 100);
});
