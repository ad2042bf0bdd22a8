'use strict';
// Events and results cross the boundary as JSON: every JSON type survives the
// round trip in both directions, and large (but allowed) payloads work.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { loaded, ECHO } = require('./helpers');

let sandbox;

before(async () => {
  sandbox = await loaded({
    echo: ECHO,
    // What the guest sees: its own view of the event's type.
    describe: 'function handler(e) { return { type: e === null ? "null" : typeof e, isArray: Array.isArray(e) }; }',
    // Values built inside the guest, to check the guest -> host direction.
    build: `function handler() {
      return {
        str: 'guest "quoted"\\n\\ttabbed \\\\ back', uni: '\\u00e9\\u65e5\\u{1F600}',
        int: 42, neg: -7, float: -0.125, exp: 6.02e23, tiny: 5e-324,
        yes: true, no: false, nil: null,
        arr: [1, 'two', [3, [4]], { five: 5 }], empty: { obj: {}, arr: [] , str: '' },
        nan: NaN, inf: Infinity, skipped: undefined, fn: function () {},
      };
    }`,
    length: 'function handler(e) { return e.items.length; }',
  });
});

after(async () => {
  await sandbox.unload();
});

async function roundTrip(value, label = JSON.stringify(value)) {
  assert.deepEqual(await sandbox.callHandler('echo', value), value, label);
}

test('primitives round-trip', async () => {
  for (const value of [0, 1, -1, 42, -273.15, 0.1, 1e21, -1e-7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    await roundTrip(value);
  }
  for (const value of [Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE]) await roundTrip(value);
  for (const value of [true, false, null, '', 'plain', '0', 'null', 'true']) await roundTrip(value);
});

test('the guest sees each JSON type as that type', async () => {
  const cases = [
    [{ a: 1 }, 'object', false],
    [[1, 2], 'object', true],
    ['s', 'string', false],
    [3.5, 'number', false],
    [true, 'boolean', false],
    [null, 'null', false],
  ];
  for (const [event, type, isArray] of cases) {
    assert.deepEqual(await sandbox.callHandler('describe', event), { type, isArray }, JSON.stringify(event));
  }
});

test('strings with quotes, escapes, control characters and newlines round-trip', async () => {
  const strings = [
    'say "hi"',
    "it's",
    'back\\slash \\n not a newline',
    'line1\nline2\r\nline3',
    'tab\there',
    '\u0000nul\u0001\u001f',
    '\u2028\u2029',
    '</script><!--',
    '{"looks":"like json"}',
    ' leading and trailing ',
  ];
  for (const s of strings) await roundTrip(s);
  await roundTrip({ [strings[0]]: strings[3], 'key\nwith newline': 'v' });
});

test('unicode round-trips', async () => {
  const strings = [
    'héllo wörld',
    '日本語テキスト',
    'Привет',
    'مرحبا',
    '😀🎉👩‍👩‍👧‍👦',
    'e\u0301 (combining)',
    '\u{10FFFF}',
    '\ud800 lone surrogate',
  ];
  for (const s of strings) await roundTrip(s);
  await roundTrip({ '键': '值', '🔑': ['🎁'] });
});

test('numbers: negative, fractional and large', async () => {
  const event = { neg: -42, float: 3.14159, negFloat: -0.5, big: 1.7976931348623157e308, small: 2.2250738585072014e-308 };
  await roundTrip(event);
  // -0 is written as 0 by JSON.
  assert.equal(Object.is(await sandbox.callHandler('echo', -0), 0), true);
});

test('objects and arrays, empty and nested', async () => {
  await roundTrip({});
  await roundTrip([]);
  await roundTrip({ a: { b: { c: { d: [1, { e: [null, true, false, 'f'] }] } } } });
  await roundTrip([[[]], [{}], [1, [2, [3, [4, [5]]]]]]);
  await roundTrip({ users: [{ id: 1, name: 'Ada', tags: ['x'], admin: true, manager: null }, { id: 2, name: 'Bo', tags: [] }] });
  let deep = 'bottom';
  for (let i = 0; i < 200; i++) deep = { next: deep };
  await roundTrip(deep, 'nested 200 deep');
});

test('the handler may transform the event (the quick start)', async () => {
  const greeter = await loaded({ greet: 'function handler(e) { e.message = "Hello, " + e.name + "!"; return e; }' });
  assert.deepEqual(await greeter.callHandler('greet', { name: 'Wörld 🌍' }), { name: 'Wörld 🌍', message: 'Hello, Wörld 🌍!' });
  await greeter.unload();
});

test('values built in the guest arrive as JSON would send them', async () => {
  assert.deepEqual(await sandbox.callHandler('build', {}), {
    str: 'guest "quoted"\n\ttabbed \\ back',
    uni: 'é日😀',
    int: 42,
    neg: -7,
    float: -0.125,
    exp: 6.02e23,
    tiny: 5e-324,
    yes: true,
    no: false,
    nil: null,
    arr: [1, 'two', [3, [4]], { five: 5 }],
    empty: { obj: {}, arr: [], str: '' },
    nan: null,
    inf: null,
  });
});

test('host-side JSON rules apply to events (toJSON, NaN, undefined members)', async () => {
  const event = { when: new Date(0), nan: NaN, inf: -Infinity, gone: undefined, list: [undefined, () => 1], custom: { toJSON: () => 'custom' } };
  assert.deepEqual(await sandbox.callHandler('echo', event), {
    when: '1970-01-01T00:00:00.000Z',
    nan: null,
    inf: null,
    list: [null, null],
    custom: 'custom',
  });
});

test('gc: false gives the same results', async () => {
  const event = { a: [1, 'b', { c: null }] };
  assert.deepEqual(await sandbox.callHandler('echo', event, { gc: false }), event);
});

test('large events within the default buffers (4 MiB)', async () => {
  const items = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `item-${i}`, even: i % 2 === 0 }));
  assert.equal(await sandbox.callHandler('length', { items }), 20_000);
  const echoed = await sandbox.callHandler('echo', { items });
  assert.deepEqual(echoed.items[19_999], { id: 19_999, name: 'item-19999', even: false });
  assert.equal(echoed.items.length, 20_000);

  const threeMiB = 'z'.repeat(3 << 20);
  assert.equal(await sandbox.callHandler('echo', threeMiB), threeMiB);
});

test('large events within a raised input buffer', async () => {
  const big = await loaded({ size: 'function handler(e) { return e.length; }' }, (b) => b.setInputBufferSize(16 << 20));
  assert.equal(await big.callHandler('size', 'a'.repeat(10 << 20)), 10 << 20);
  await big.unload();
});
