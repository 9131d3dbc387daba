// The browser's control messages: hostile until parsed — size-bounded, shape-checked, a terminal
// size within bounds; anything else is ignored (undefined), never echoed or half-understood.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_LIMIT, MAX_COLUMNS, MAX_ROWS, initialSize, parseClientControl, type ClientControl } from '../../src/web/messages.ts';

test('control messages from the browser', () => {
  const cases: Array<[string, ClientControl | undefined]> = [
    ['{"t":"hb"}', { t: 'hb' }],
    ['{"t":"close"}', { t: 'close' }],
    ['{"t":"close","extra":[1,2,3]}', { t: 'close' }], // unknown fields are dropped, not passed on
    ['{"t":"resize","cols":80,"rows":24}', { t: 'resize', cols: 80, rows: 24 }],
    [`{"t":"resize","cols":${MAX_COLUMNS},"rows":${MAX_ROWS}}`, { t: 'resize', cols: MAX_COLUMNS, rows: MAX_ROWS }],
    ['{"t":"resize","cols":1,"rows":1}', { t: 'resize', cols: 1, rows: 1 }],
    ['{"t":"resize","cols":1e3,"rows":24}', { t: 'resize', cols: 1000, rows: 24 }],
    // Out of bounds or not a size at all.
    [`{"t":"resize","cols":${MAX_COLUMNS + 1},"rows":24}`, undefined],
    [`{"t":"resize","cols":80,"rows":${MAX_ROWS + 1}}`, undefined],
    ['{"t":"resize","cols":0,"rows":24}', undefined],
    ['{"t":"resize","cols":-80,"rows":24}', undefined],
    ['{"t":"resize","cols":80.5,"rows":24}', undefined],
    ['{"t":"resize","cols":"80","rows":"24"}', undefined],
    ['{"t":"resize","cols":1e400,"rows":24}', undefined], // Infinity
    ['{"t":"resize","cols":80}', undefined],
    ['{"t":"resize","cols":null,"rows":null}', undefined],
    ['{"t":"resize","cols":[80],"rows":[24]}', undefined],
    // Not a message.
    ['', undefined],
    ['hb', undefined],
    ['"hb"', undefined],
    ['null', undefined],
    ['42', undefined],
    ['[]', undefined],
    ['["hb"]', undefined],
    ['{}', undefined],
    ['{"t":"HB"}', undefined],
    ['{"t":"exec","command":"rm -rf /"}', undefined],
    ['{"t":["hb"]}', undefined],
    ['{"__proto__":{"t":"hb"}}', undefined], // an own key named __proto__, not a prototype
    ['{"t":"hb"', undefined],
    ['\u0000{"t":"hb"}', undefined],
    // Larger than any control message: not even parsed.
    [`{"t":"hb","pad":"${'x'.repeat(CONTROL_LIMIT)}"}`, undefined],
    [`${'['.repeat(CONTROL_LIMIT + 1)}`, undefined],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseClientControl(text), expected, text.slice(0, 80));
});

test('deep nesting within the size bound is just not a message', () => {
  assert.equal(parseClientControl('['.repeat(CONTROL_LIMIT / 2) + ']'.repeat(CONTROL_LIMIT / 2)), undefined);
});

test("the terminal's first size from the WebSocket URL, 80x24 when absent or wrong", () => {
  const cases: Array<[string, { cols: number; rows: number }]> = [
    ['cols=120&rows=40', { cols: 120, rows: 40 }],
    ['', { cols: 80, rows: 24 }],
    ['cols=&rows=', { cols: 80, rows: 24 }],
    ['cols=0&rows=0', { cols: 80, rows: 24 }],
    ['cols=-5&rows=40', { cols: 80, rows: 40 }],
    ['cols=120.5&rows=40', { cols: 80, rows: 40 }],
    [`cols=${MAX_COLUMNS + 1}&rows=${MAX_ROWS + 1}`, { cols: 80, rows: 24 }],
    ['cols=abc&rows=1e9', { cols: 80, rows: 24 }],
    ['cols=Infinity&rows=NaN', { cols: 80, rows: 24 }],
    ['cols=0x50&rows=24', { cols: 80, rows: 24 }], // Number() reads hex: 80, within bounds
  ];
  for (const [query, expected] of cases) assert.deepEqual(initialSize(new URLSearchParams(query)), expected, query);
});
