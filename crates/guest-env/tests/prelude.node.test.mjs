// Checks the JavaScript logic of the prelude (src/prelude/*.js, joined in
// order as build.rs joins them) against Node's own globals.
//
// The prelude is evaluated in a fresh vm context (which, like QuickJS, lacks
// console, URL, TextEncoder, ...), with a `native` object built from Node's
// Buffer, crypto, TextDecoder and URL that follows the contract the Rust side
// implements. Values made inside the context belong to its realm, so results
// are compared as strings (inspect output, JSON), never with deepEqual across
// realms. Run: node --test crates/guest-env/tests/prelude.node.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import util from 'node:util';
import fs from 'node:fs';
import nodeCrypto from 'node:crypto';
import { Console } from 'node:console';
import { Writable } from 'node:stream';

const PRELUDE_DIR = new URL('../src/prelude/', import.meta.url);
const PRELUDE = fs.readdirSync(PRELUDE_DIR).filter((f) => f.endsWith('.js')).sort()
  .map((f) => fs.readFileSync(new URL(f, PRELUDE_DIR), 'utf8')).join('\n');
const LEVELS = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace']);
const URL_PARTS = ['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash', 'origin'];
const URL_SETTERS = new Set(['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']);

// A fresh sandbox: vm context + prelude + a fake `native` with the Rust contract.
function sandbox({ setup, entropy = true } = {}) {
  const context = vm.createContext({});
  if (setup) vm.runInContext(setup, context);
  const R = vm.runInContext('({ ArrayBuffer, Uint8Array, TypeError, RangeError, Object })', context);
  const writes = [];
  const randomCalls = [];
  const state = { entropy };
  const toArrayBuffer = (bytes) => {
    const out = new R.ArrayBuffer(bytes.length);
    new R.Uint8Array(out).set(bytes);
    return out;
  };
  const isSandboxUint8Array = (v) => v instanceof R.Uint8Array;
  const parts = (url) => {
    const o = new R.Object();
    for (const key of URL_PARTS) o[key] = url[key];
    return o;
  };
  const native = {
    write(level, text) {
      assert.ok(LEVELS.has(level), `bad level ${level}`);
      assert.equal(typeof text, 'string');
      assert.ok(text.isWellFormed(), 'write wants a well-formed string');
      writes.push({ level, text });
    },
    randomBytes(n) {
      assert.ok(Number.isInteger(n) && n >= 0 && n <= 65536, `bad randomBytes(${n})`);
      // Like the Rust side before its first reseed: no entropy, no answer.
      if (!state.entropy) throw new R.TypeError('this sandbox has not been given its entropy yet');
      randomCalls.push(n);
      return toArrayBuffer(nodeCrypto.randomBytes(n));
    },
    digest(algorithm, bytes) {
      if (!['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'].includes(algorithm)) throw new R.TypeError(`unknown algorithm ${algorithm}`);
      assert.ok(isSandboxUint8Array(bytes), 'digest wants a Uint8Array');
      return toArrayBuffer(nodeCrypto.createHash(algorithm.replace('-', '').toLowerCase()).update(bytes).digest());
    },
    utf8Encode(string) {
      assert.equal(typeof string, 'string');
      assert.ok(string.isWellFormed(), 'utf8Encode wants a well-formed string');
      return toArrayBuffer(Buffer.from(string, 'utf8'));
    },
    utf8Decode(bytes, fatal) {
      assert.ok(isSandboxUint8Array(bytes), 'utf8Decode wants a Uint8Array');
      assert.equal(typeof fatal, 'boolean');
      try {
        // ignoreBOM: the native side does not strip a BOM.
        return new TextDecoder('utf-8', { fatal, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new R.TypeError('The encoded data was not valid for encoding utf-8');
      }
    },
    urlParse(input, base) {
      assert.equal(typeof input, 'string');
      assert.ok(base === undefined || typeof base === 'string');
      try { return parts(new URL(input, base)); } catch { return null; }
    },
    // Timers (exercised through real sandboxes in __test__/timers.test.js).
    callId: () => 0,
    timersUsed() {},
    jobsPending: () => false,
    sleep(ms) {
      assert.ok(ms > 0, `bad sleep(${ms})`);
    },
    urlSet(href, property, value) {
      assert.ok(URL_SETTERS.has(property), `bad property ${property}`);
      assert.equal(typeof value, 'string');
      const url = new URL(href);
      if (property === 'href') {
        try { url.href = value; } catch { return null; }
      } else {
        url[property] = value;
      }
      return parts(url);
    },
  };
  const before = new Set(Reflect.ownKeys(vm.runInContext('globalThis', context)));
  const builtins = vm.runInContext(`[Object.prototype, Array.prototype, Function.prototype, String.prototype, Error.prototype, Error,
    Object, Math, JSON, Reflect, Promise.prototype, Map.prototype, Set.prototype, Symbol, Uint8Array.prototype, ArrayBuffer.prototype]`, context);
  const shape = () => builtins.map((o) => Reflect.ownKeys(o).map(String).join()).join('|');
  const builtinsBefore = shape();
  vm.runInContext(PRELUDE, context, { filename: 'prelude.js' })(vm.runInContext('globalThis', context), native);
  const run = (code) => vm.runInContext(code, context, { filename: 'user.js' });
  const take = () => writes.splice(0);
  return { context, run, writes, take, before, randomCalls, state, builtinsUnchanged: builtinsBefore === shape(), g: run('globalThis') };
}

// Node's real console, writing into a string.
function nodeConsole() {
  let out = '';
  const stream = new Writable({ write(chunk, _enc, cb) { out += chunk; cb(); } });
  return { console: new Console({ stdout: stream, stderr: stream, colorMode: false }), take: () => { const s = out; out = ''; return s; } };
}

const sb = sandbox();
const text = (writes) => writes.map((w) => `${w.text}\n`).join('');

// ---------------------------------------------------------------- globals
test('installs exactly the listed globals, non-enumerable', () => {
  const s = sandbox();
  // (a vm context already has V8's own console object: it must be replaced)
  const added = Reflect.ownKeys(s.g).filter((k) => !s.before.has(k) || k === 'console').map(String).sort();
  assert.equal(Object.keys(s.g.console).includes('table'), true);
  assert.ok(s.builtinsUnchanged, 'built-in objects keep their own keys (Math.random is replaced in place)');
  assert.deepEqual(added, ['AbortController', 'AbortSignal', 'CustomEvent', 'DOMException', 'Event', 'EventTarget',
    'TextDecoder', 'TextEncoder', 'URL', 'URLSearchParams', 'console', 'crypto', 'structuredClone',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'].sort());
  for (const name of added) {
    const d = Object.getOwnPropertyDescriptor(s.g, name);
    assert.deepEqual([d.writable, d.enumerable, d.configurable], [true, false, true], name);
  }
  const r = Object.getOwnPropertyDescriptor(s.g.Math, 'random');
  assert.deepEqual([r.writable, r.enumerable, r.configurable, r.value.name, r.value.length], [true, false, true, 'random', 0]);
  assert.throws(() => new s.g.Math.random(), TypeError);
  for (let i = 0; i < 200; i++) {
    const x = s.g.Math.random();
    assert.ok(x >= 0 && x < 1);
  }
  assert.deepEqual(Object.keys(s.g.console).sort(), ['assert', 'clear', 'count', 'countReset', 'debug', 'dir', 'dirxml', 'error',
    'group', 'groupCollapsed', 'groupEnd', 'info', 'log', 'table', 'time', 'timeEnd', 'timeLog', 'trace', 'warn']);
});

test('randomness always comes fresh from native, never at start-up', () => {
  const s = sandbox({ entropy: false }); // evaluating the prelude must not ask for entropy
  assert.throws(() => s.run('Math.random()'), /entropy/);
  s.state.entropy = true;
  s.run('Math.random(); Math.random(); crypto.randomUUID(); crypto.getRandomValues(new Uint16Array(5)); crypto.getRandomValues(new Uint8Array(0))');
  assert.deepEqual(s.randomCalls, [8, 8, 16, 10]);
  const values = new Set(Array.from({ length: 1000 }, () => s.run('Math.random()')));
  assert.equal(values.size, 1000);
});

// ---------------------------------------------------------------- inspect / format
const VALUES = [
  // primitives
  '1', '-0', '0', 'NaN', '-Infinity', '1.5e300', '123n', '-5n', 'true', 'undefined', 'null', "Symbol('x')", 'Symbol()',
  'Symbol.iterator', "'top level string'", "''",
  // strings inside containers: quote choice and escapes
  "'top level lone \\ud800'", '["plain"]', `["it's"]`, `['say "hi"']`, `["it's \\"x\\""]`, '["it\'s \\"x\\" `y`"]', `["it's \\"x\\" \${y}"]`,
  `['a\\nb\\tc\\x00\\x07\\x0b\\x1b\\x7f\\x85\\x9f\\xa0z']`, `['back\\\\slash']`, `['lone \\ud800 and \\udc00 and pair \\ud83d\\ude00']`,
  `['ünïcödé 漢字 😀']`, `['x'.repeat(100)]`, `({ s: 'line one of a long string\\nline two of a long string\\nline three of it\\n' })`,
  `['short\\nlines']`, `({ long: 'y'.repeat(200) })`, `['z'.repeat(20000)]`,
  // objects
  '({})', '({ a: 1 })', '({ a: { b: { c: { d: 1 } } } })', '({ a: { b: { c: {} } } })', '({ a: { b: { c: [] } } })',
  "({ 'a-b': 1, 1: 2, $x: 3, _y: 4, 'ünï': 5, '': 6, 'it\\'s': 7, __proto__x: 8 })",
  '({ ["__proto__"]: 1 })', 'Object.create(null)', 'Object.assign(Object.create(null), { a: 1, b: [1] })',
  "({ [Symbol('k')]: 1, [Symbol()]: 2, [Symbol.for('f')]: { x: 1 } })",
  '({ get a() { return 1; }, set b(v) {}, get c() { return 1; }, set c(v) {} })',
  "({ name: 'something long', description: 'a fairly long string value that goes on', tags: ['a', 'b', 'c'], nested: { deep: { deeper: { deepest: 1 } } } })",
  "({ a: 1, b: 'two', c: [3, 4, 5], d: { e: 6, f: { g: 7 } }, h: null, i: undefined, j: true, k: 12345678901234567890n })",
  "({ alpha: 'aaaaaaaaaa', beta: 'bbbbbbbbbbb', gamma: 'ccccccccccc', delta: 'dddddddddd', eps: 'eeeee' })",
  "({ alpha: 'aaaaaaaaaa', beta: 'bbbbbbbbbbb', gamma: 'ccccccccccc', delta: 'dddddddd', eps: 'e' })",
  '({ a: [{ b: { c: 1 } }], d: [[1, [2, [3, [4]]]]] })', '({ f() {}, g: () => 1, h: class {} })',
  "Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false })",
  "({ [Symbol.toStringTag]: 'Custom', a: 1 })",
  // arrays
  '[]', '[1, 2, 3]', '[1, 2, 3, 4, 5, 6]', 'Array.from({ length: 7 }, (_, i) => i)', 'Array.from({ length: 8 }, (_, i) => i * 3)',
  ...Array.from({ length: 24 }, (_, n) => `Array.from({ length: ${n + 7} }, (_, i) => i * i * (i % 3 ? 1 : -1))`),
  ...Array.from({ length: 24 }, (_, n) => `Array.from({ length: ${n + 7} }, (_, i) => 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + (i * 7) % 9))`),
  ...[7, 10, 16, 27, 40].map((n) => `Array.from({ length: ${n} }, (_, i) => i / 7)`),
  ...[7, 12, 30].map((n) => `Array.from({ length: ${n} }, (_, i) => BigInt(i) ** 5n)`),
  ...[7, 12, 30].map((n) => `Array.from({ length: ${n} }, (_, i) => i % 2 ? i : 'x' + i)`),
  ...[7, 12].map((n) => `Array.from({ length: ${n} }, (_, i) => ({ id: i }))`),
  ...[7, 12].map((n) => `Array.from({ length: ${n} }, (_, i) => [i, i + 1])`),
  'Array.from({ length: 101 }, (_, i) => i)', 'Array.from({ length: 150 }, (_, i) => String(i))', 'Array.from({ length: 1000 }, (_, i) => i)',
  "Array.from({ length: 9 }, (_, i) => 'a long string number ' + i)", "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'an outlier string that is quite long']",
  "[1, 2, 3, 4, 5, 6, 7, 8, 9, 'x'.repeat(60)]", 'Array.from({ length: 7 }, () => null)', 'Array.from({ length: 8 }, (_, i) => i % 2 === 0)',
  "['漢字', '漢字漢字', 'abc', 'ab', 'a', '漢', 'abcd']",
  '[1, , 3]', 'new Array(5)', '[, 1]', '[1, , , , 5, , ]', 'Object.assign([1, 2], { x: 1, [Symbol("s")]: 2 })',
  'Object.assign(Array.from({ length: 8 }, (_, i) => i), { extra: true })',
  '[[1, 2, [3, 4, [5, [6]]]]]', '[{ a: 1, b: { c: { d: 1 } } }]', "[['a', 'b'], ['c', 'd']]",
  "[{ name: 'Alice', age: 30, email: 'alice@example.com' }, { name: 'Bob', age: 25, email: 'bob@example.com' }]",
  // collections
  "new Map([['a', 1], ['b', { c: 2 }]])", 'new Map()', "new Set([1, 'a', [1]])", 'new Set()', "({ m: new Map([[{ k: 1 }, new Set([1, 2])]]) })",
  'new Map(Array.from({ length: 120 }, (_, i) => [i, i]))', 'new Set(Array.from({ length: 30 }, (_, i) => i))',
  'new WeakMap()', 'new WeakSet()', "Object.assign(new Map([[1, 2]]), { extra: 'x' })",
  // functions and classes
  'function foo() {}', '() => {}', '(function () {})', 'async function af() {}', 'function* gen() {}', 'async function* agen() {}',
  'class X {}', 'class Y extends Array {}', '(class {})', "Object.assign(function f() {}, { a: 1 })", 'function foo() {}.bind(null)',
  'Math.max', "class Z { static x = 1; }", '[function a() {}, class B {}]',
  // dates, regexps
  'new Date(0)', 'new Date(1700000000123)', 'new Date(NaN)', 'Object.assign(new Date(0), { x: 1 })', '/a+b/gi', '/[/]\\//', "Object.assign(/x/, { y: 1 })",
  '({ d: new Date(86400000), r: /r/m })',
  // errors (the stack is the vm's V8 stack; both sides print the same object)
  "new Error('boom')", "new TypeError('t')", "new RangeError('')", "Object.assign(new Error('with props'), { code: 'E_X', n: 1 })",
  "new Error('outer', { cause: new Error('inner') })", "new Error('c', { cause: 'just a string' })",
  "({ nested: new Error('in object') })", "[new Error('in array')]",
  "(() => { const e = new Error('renamed'); e.name = 'CustomName'; return e; })()",
  "(() => { class MyError extends Error {} return new MyError('mine'); })()",
  "(() => { class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } } return new MyError('named'); })()",
  "(() => { const e = new Error('no stack'); delete e.stack; e.stack = undefined; return e; })()",
  "(() => { const e = new Error('stackless'); Object.defineProperty(e, 'stack', { value: '' }); return e; })()",
  "new AggregateError([new Error('a')], 'agg')",
  "(() => { const e = new Error('x'); e.stack = 'Error: x\\n    at fake (file.js:1:1)'; return e; })()",
  "Object.setPrototypeOf(new Error('null proto'), null)",
  // binary data
  'new Uint8Array([1, 2, 3])', 'new Float64Array(3)', 'new BigInt64Array(2)', 'new Uint8Array(0)', 'new Int16Array([-1, 2, -3, 4, 5, 6, 7, 8])',
  'new Uint8Array(120)', 'new Uint8Array(new ArrayBuffer(10), 2, 4)', 'new Uint8Array([1, 2, 3]).buffer', 'new ArrayBuffer(0)',
  'new ArrayBuffer(130)', 'new DataView(new ArrayBuffer(4), 1, 2)', "Object.assign(new Uint8Array(2), { extra: 1 })",
  'new Uint8ClampedArray([300])', 'new Float32Array([1.5, -0, NaN])',
  // boxed primitives
  'new Number(3)', 'new Number(-0)', "new String('ab')", 'new Boolean(false)', 'Object(1n)', "Object(Symbol('s'))",
  "Object.assign(new String('ab'), { x: 1 })", "[new Number(1), new String('it\\'s')]",
  // class instances and prototypes
  'new (class Foo { constructor() { this.a = 1; } })()', 'new (class Empty {})()',
  "new (class Tagged { get [Symbol.toStringTag]() { return 'T'; } })()", "new (class Same { get [Symbol.toStringTag]() { return 'Same'; } })()",
  '(() => { class Foo {} return Object.create(Foo.prototype); })()', 'Object.create(Object.create(null))',
  '(() => { class A extends Map {} return new A([[1, 2]]); })()', '(() => { class L extends Array {} return L.from([1, 2]); })()',
  '(() => { class L extends Array {} return new L(); })()', '(() => { class U extends Uint8Array {} return new U(2); })()',
  // circular and shared
  '(() => { const a = { name: "a" }; a.self = a; return a; })()',
  '(() => { const a = { x: 1 }; const b = { a, list: [a, a] }; a.b = b; return { root: b }; })()',
  '(() => { const a = []; a.push(a, [a]); return a; })()',
  '(() => { const m = new Map(); m.set("m", m); return m; })()',
  '(() => { const a = {}; const b = {}; a.b = b; b.a = a; const c = {}; c.c = c; return [a, c]; })()',
  '(() => { const shared = { s: 1 }; return { one: shared, two: shared }; })()',
  // more prototypes and tags
  'Object.setPrototypeOf(class Q {}, null)', 'Object.setPrototypeOf(function nf() {}, null)', 'Object.create(Array.prototype)',
  "Object.assign([1, 2], { [Symbol.toStringTag]: 'Tagged' })", 'Object.setPrototypeOf([1, 2], null)', 'Object.setPrototypeOf(new Map([[1, 2]]), null)',
  'Object.setPrototypeOf(new Uint8Array(2), null)', 'new (class P { get g() { return 1; } x = 1; })()', 'new Float32Array([-0, 1e-7, 3.5])',
  'Object.setPrototypeOf(new Date(0), null)', 'Object.setPrototypeOf(/re/g, null)', 'Object.setPrototypeOf(new Number(1), null)',
  '(() => { class Foo extends Date {} return new Foo(0); })()', '(() => { class R extends RegExp {} return new R("x", "g"); })()',
  '(() => { class S extends Set {} return new S([1]); })()', 'Array.from({ length: 200 }, (_, i) => i % 7 ? i : { i })',
  "Array.from({ length: 40 }, (_, i) => 'w' + 'x'.repeat(i % 13))", 'Array.from({ length: 12 }, (_, i) => -i * 1000)',
  "({ a: Array.from({ length: 30 }, (_, i) => i), b: { c: Array.from({ length: 10 }, (_, i) => 'v' + i) } })",
  '[[Array.from({ length: 8 }, (_, i) => i)]]', "[undefined, null, NaN, -0, 0, 1n, true, 'x']",
  "[Symbol('a\\nb'), Symbol(\"it's\")]", "({ [Symbol('k\\n')]: 1, [Symbol(\"q'\")]: 2 })", "Object.defineProperty({}, 'a\\nb', { value: 1, enumerable: false })",
  "Array.from({ length: 8 }, (_, i) => ({ id: i, name: 'item number ' + i, tags: ['a', 'b'] }))", 'new Map([[NaN, -0]])', '[new Set(), new Map(), [], {}]',
  '({ a: [[[[1]]]], b: new Map([[1, new Map([[2, new Map([[3, {}]])]])]]) })', 'Object.assign(Object.create({ inherited: 1 }), { own: 2 })',
  "new (class extends Error {})('anon class error')", "(() => { const e = new Error('m'); e.name = ''; return e; })()",
  "(() => { const e = new TypeError('m'); e.name = 'Error'; return e; })()", "new Error('')", "new Error('multi\\nline message')",
  "(() => { const o = {}; Object.defineProperty(o, 'x', { get() { return 1; }, enumerable: true }); return o; })()",
  '[1.5, -2.25, 1e21, 1e-7, 0.1]', 'Array.from({ length: 7 }, (_, i) => -i)', '[[]]', '[{}]', '[,]', 'Array(3).fill()', 'Object.assign([], { length: 2 })',
  'new Array(200)', 'Object.assign(Array(150), { 5: 1 })', "[new Boolean(true), new String(''), Object(Symbol())]",
  // misc
  '(function () { return arguments; })(1, "two")', '(function () { return arguments; })()', 'Math', 'JSON', 'globalThis.Reflect',
  "({ [Symbol.for('nodejs.util.inspect.custom')]() { return 'custom text'; } })",
  "({ [Symbol.for('nodejs.util.inspect.custom')]() { return { replaced: [1, 2] }; } })",
  "({ inner: { [Symbol.for('nodejs.util.inspect.custom')](depth, opts) { return 'depth=' + depth + ' ' + opts.breakLength; } } })",
  "({ a: { [Symbol.for('nodejs.util.inspect.custom')]() { return 'multi\\nline'; } } })",
];

test('console.log matches util.format for many values', () => {
  const con = sb.run('console');
  let n = 0;
  for (const expr of VALUES) {
    const value = sb.run(`(${expr})`);
    for (const [label, args] of [['bare', [value]], ['in array', [[value]]], ['in object', [{ key: value }]], ['with text', ['v:', value, 'end']]]) {
      con.log(...args);
      const [w] = sb.take();
      assert.equal(w.level, 'log');
      assert.equal(w.text, util.format(...args).toWellFormed(), `${expr} (${label})`);
      n++;
    }
  }
  assert.ok(n > 600);
});

test('util.format placeholders', () => {
  const con = sb.run('console');
  const cases = sb.run(`[
    ['%s|%d|%i|%f|%j|%c|%%|%x', 'a', '42', '42.5', '1.5', { a: [1] }, 'css', 'extra', 4],
    ['%d %i %f', 10n, 10n, Symbol('x')], ['%s', Symbol('q'), 5n, -0, null, undefined],
    ['a%', 1], ['%', 1], ['%%', 1], ['%s'], ['%%s', 1], ['%s %s', 'only one'], ['%d', '0x10'], ['%i', '0x10'], ['%d', {}],
    ['%s', { a: { b: 1 } }], ['%s', [1, [2, [3]]]], ['%s', new Date(0)], ['%s', new Error('e')], ['%s', new (class A { toString() { return 'A!'; } })()],
    ['%s', { toString() { return 'own'; } }], ['%s', Object.create(null)], ['%s', new Map([[1, 2]])], ['%s', () => 1], ['%s', 1.5], ['%s', -0],
    ['%j', { a: 1 }], ['%j', (() => { const a = {}; a.a = a; return a; })()], ['%j', undefined], ['%j', 'str'],
    ['%O', { a: { b: { c: { d: 1 } } } }], ['%o', { a: 1, b: [1, 2] }], ['%o', [1]], ['%o', 'str'], ['%o', 42],
    ['%f', '1e3'], ['%i', -1.9], ['%d', -0], ['%d', ''], ['%c%s', 'color: red', 'after'],
    [1, '%s', 2], [{ a: 1 }, 'x'], ['no placeholders', 1, 'two', { three: 3 }], [], [''], ['', ''],
    ['%o', function foo() {}], ['%o', [1, [2, { a: 3 }]]], ['%o', new Map([[1, { a: [] }]])], ['%o', Object.assign(() => {}, { p: 1 })],
    ['%O', new Error('e')], ['%o', new Uint8Array(2)], ['%o', { get g() { return 1; } }],
    ['%s:%s', 'a'], ['%s', 'a', 'b', 'c'], ['%%%s%%', 'mid'], ['100%'], ['%5d', 1], ['%-s', 1],
  ]`);
  for (const args of cases) {
    con.log(...args);
    assert.equal(sb.take()[0].text, util.format(...args), util.inspect(args));
  }
});

test('console.dir options', () => {
  const con = sb.run('console');
  const cases = sb.run(`[
    [{ a: { b: { c: { d: {} } } } }, { depth: 0 }], [{ a: { b: { c: { d: { e: 1 } } } } }, { depth: null }],
    [{ a: { b: { c: { d: { e: 1 } } } } }, { depth: 5 }], [{ a: [1, 2, 3] }, { compact: false }], [{ a: [1, 2, 3] }, { compact: true }],
    [{ list: Array.from({ length: 30 }, (_, i) => i) }, { compact: true }], [Array.from({ length: 10 }, (_, i) => i), { maxArrayLength: 3 }],
    ['long string', { maxStringLength: 4 }], [{ b: 1, a: 2, c: { z: 1, y: 2 } }, { sorted: true }], [{ a: 'x'.repeat(50), b: 'y'.repeat(50) }, { breakLength: 200 }],
    [{ a: 1, b: 2 }, { breakLength: 5 }], [{ [Symbol.for('nodejs.util.inspect.custom')]() { return 'CUSTOM'; }, real: 1 }, undefined],
    [[1, 2, 3], { showHidden: true }], [{ a: 1 }, { compact: 1 }], [{ a: { b: { c: 1 } } }, { compact: 1 }],
    [new Map([['k', [1, 2]]]), { depth: 0 }], [Array.from({ length: 20 }, (_, i) => i), { compact: 1 }],
  ]`);
  for (const [value, options] of cases) {
    con.dir(value, options);
    const got = sb.take()[0];
    assert.equal(got.level, 'log');
    assert.equal(got.text, util.inspect(value, { customInspect: false, ...options }), util.inspect([value, options]));
  }
});

// Scripts run once with the sandbox console and once with a real Node Console.
function compareConsole(script) {
  const s = sandbox();
  s.run(script);
  const node = nodeConsole();
  new Function('console', script)(node.console);
  assert.equal(text(s.take()), node.take(), script);
}

test('console.table', () => {
  for (const script of [
    "console.table([{ a: 1, b: 'x' }, { a: 2, c: [1, 2, 3, 4] }])",
    "console.table({ r1: { a: 1 }, r2: { b: { x: 1, y: 2, z: 3 } }, r3: 5 })",
    "console.table([1, 'a', null, undefined, 2n, Symbol('s')])",
    "console.table(new Map([['k', { v: 1 }], [{ o: 1 }, 'str']]))",
    'console.table(new Set([1, 2, { a: 1 }]))',
    "console.table([{ a: 1, b: 2 }, { a: 3 }], ['b'])", "console.table([{ a: 1, b: 2 }, 5], ['a', 'zz'])",
    'console.table(5)', "console.table('s')", 'console.table(null)', 'console.table([])', 'console.table({})',
    'console.table([[1, 2], [3, 4, 5]])', "console.table([{ '漢字': 'ab', 'e\\u0301': 1 }])",
    "console.table([{ name: 'Alice', age: 30 }, { name: 'Bob', age: 25, extra: { nested: { deep: 1 } } }])",
    "console.table({ a: [1, 2, 3, 4, 5], b: { x: 'a long value that is long' } })",
    "console.table([{ a: 'x'.repeat(30) }, { a: '' }])", 'console.table([new Date(0), /r/])',
    "console.group('G'); console.table([{ a: 1 }]); console.groupEnd()",
    'console.table([{ a: 1 }], [])', "console.table({ a: [1, 2], b: 'str' })", 'console.table([function f() {}, () => 1])',
    'console.table([[1, [2, [3]]], { x: { y: { z: 1 } } }])', 'console.table([{ a: { b: 1, c: 2 } }, { a: { b: 1, c: 2, d: 3 } }])',
    'console.table(new Map([[1, [1, 2, 3, 4, 5]]]))', "console.table([{ 'key with space': 1, k2: 'it\\'s' }])", 'console.table([[]])',
    'console.table([{}, {}])', 'console.table(new Map())', 'console.table(new Set())', "console.table([1, 2], ['a'])",
    'console.table(Object.create(null))', 'console.table(Object.assign(Object.create(null), { x: { y: 1 } }))', 'console.table(new Uint8Array([1, 2]))',
    "console.table(['x'.repeat(20), '\\u6f22\\u5b57'])",
  ]) compareConsole(script);
  const s = sandbox();
  assert.throws(() => s.run('console.table([], 5)'), (e) => e.code === 'ERR_INVALID_ARG_TYPE' &&
    e.message === 'The "properties" argument must be an instance of Array. Received type number (5)');
});

test('console.assert, group, count, time', () => {
  for (const script of [
    "console.assert(false, { a: 1 }); console.assert(false); console.assert(false, 'x %s', 'y', 3); console.assert(0, 5, 6); console.assert(true, 'no');",
    "console.assert(null, 'multi\\nline')",
    "console.group('G', 1); console.log('a\\nb'); console.group(); console.warn('w'); console.groupCollapsed('C'); console.error('deep\\nmsg'); console.groupEnd(); console.groupEnd(); console.groupEnd(); console.groupEnd(); console.log('c')",
    "console.group(); console.log({ a: 1, b: { c: [1, 2, 3] }, d: 'x'.repeat(70) }); console.groupEnd()",
    "console.count(); console.count(); console.count('x'); console.countReset(); console.count(); console.count(undefined); console.count(null)",
    "console.info('i', 1); console.debug('d', { a: 1 }); console.dirxml('x', [1])",
    "console.group('a', { b: 1 }); console.group('%s!', 'fmt'); console.table([1]); console.groupEnd(); console.log('x'); console.groupEnd(); console.groupEnd(); console.log('y')",
    "console.log('%s', 'a\\nb'); console.group(); console.log('%o', { a: [1, 2, { b: 'x'.repeat(80) }] }); console.groupEnd()",
    "console.dir({ a: 1 }); console.dir('str'); console.dir([1, 'two'], { colors: false })", "console.assert(false, '%s and %d', 'a', 1, { x: 1 })",
  ]) compareConsole(script);

  const s = sandbox();
  s.run("console.warn('w'); console.error('e'); console.info('i'); console.debug('d'); console.log('l'); console.assert(false, 'a'); console.trace('t')");
  assert.deepEqual(s.take().map((w) => w.level), ['warn', 'error', 'info', 'debug', 'log', 'error', 'trace']);

  s.run("console.countReset('nope'); console.timeEnd('nope'); console.timeLog('nope'); console.time('t'); console.time('t')");
  assert.deepEqual(s.take(), [
    { level: 'warn', text: "Warning: Count for 'nope' does not exist" },
    { level: 'warn', text: "Warning: No such label 'nope' for console.timeEnd()" },
    { level: 'warn', text: "Warning: No such label 'nope' for console.timeLog()" },
    { level: 'warn', text: "Warning: Label 't' already exists for console.time()" },
  ]);
  s.run("console.timeLog('t', { a: 1 }, 'x'); console.timeEnd('t'); console.timeEnd('t'); console.time(); console.timeEnd()");
  const w = s.take();
  assert.match(w[0].text, /^t: \d+(\.\d+)?ms \{ a: 1 \} x$/);
  assert.match(w[1].text, /^t: \d+(\.\d+)?ms$/);
  assert.equal(w[2].text, "Warning: No such label 't' for console.timeEnd()");
  assert.match(w[3].text, /^default: \d+(\.\d+)?ms$/);
});

test('console.time formats durations as Node does', () => {
  // Fake clocks on both sides: performance.now in the sandbox (installed
  // before the prelude captures it) and process.hrtime for Node's Console.
  const s = sandbox({ setup: 'globalThis.performance = { now: () => globalThis.fakeNow }' });
  const node = nodeConsole();
  const realHrtime = process.hrtime;
  let ns = 0n;
  process.hrtime = (prev) => {
    const t = prev ? ns - (BigInt(prev[0]) * 1000000000n + BigInt(prev[1])) : ns;
    return [Number(t / 1000000000n), Number(t % 1000000000n)];
  };
  try {
    for (const ms of [0.5, 1.25, 999.9996, 1000, 1500, 59999.5, 61000, 3723000, 36000000, 0.0001]) {
      s.g.fakeNow = 0;
      ns = 0n;
      s.run("console.time('t')");
      node.console.time('t');
      s.g.fakeNow = ms;
      ns = BigInt(Math.round(ms * 1e6));
      s.run("console.timeLog('t', 'x'); console.timeEnd('t')");
      node.console.timeLog('t', 'x');
      node.console.timeEnd('t');
      assert.equal(text(s.take()), node.take(), String(ms));
    }
  } finally {
    process.hrtime = realHrtime;
  }
});

test('console.trace shows the caller frames only', () => {
  const s = sandbox();
  s.run('function handler() { console.trace("here %d", 1); }\nhandler();\nconsole.trace();');
  const [a, b] = s.take();
  const lines = a.text.split('\n');
  assert.equal(lines[0], 'Trace: here 1');
  assert.ok(lines.length > 2);
  assert.ok(lines.slice(1).every((l) => /^\s+at /.test(l) && !l.includes('prelude.js')), a.text);
  assert.match(lines[1], /at handler \(user\.js:1:/);
  assert.equal(b.text.split('\n')[0], 'Trace');
  // QuickJS-style stacks (frames only, trailing newline) are handled too.
  const frames = 'Trace: q\n    at <eval> (user.js:3:9)';
  s.run(`(() => {
    const E = Error;
    globalThis.Error = function () { return { stack: '    at trace (prelude.js:1:1)\\n    at <eval> (user.js:3:9)\\n' }; };
    try { console.trace('q'); } finally { globalThis.Error = E; }
  })()`);
  assert.equal(s.take()[0].text, frames);
});

test('promises print without their state', () => {
  // QuickJS cannot read a promise's state from JavaScript, unlike Node.
  // (Node's async hooks tag every promise with symbol keys here: drop them.)
  sb.run(`(() => {
    const bare = (p) => { for (const s of Object.getOwnPropertySymbols(p)) delete p[s]; return p; };
    console.log(bare(Promise.resolve(1)), [bare(new Promise(() => {}))], Object.assign(bare(Promise.reject(new Error('x')).catch(() => {})), { a: 1 }));
  })()`);
  assert.equal(sb.take()[0].text, 'Promise { <unknown> } [ Promise { <unknown> } ] Promise { <unknown>, a: 1 }');
});

test('QuickJS-style error stacks get their header back', () => {
  const s = sandbox();
  const err = s.run("(() => { const e = new TypeError('bad'); e.stack = '    at f (user.js:1:2)\\n    at <eval> (user.js:3:4)\\n'; return e; })()");
  s.run('console').log(err);
  assert.equal(s.take()[0].text, 'TypeError: bad\n    at f (user.js:1:2)\n    at <eval> (user.js:3:4)');
  const withProps = s.run("(() => { const e = new Error('p'); e.stack = '    at f (user.js:1:2)\\n'; e.code = 'X'; return e; })()");
  s.run('console').log({ withProps });
  assert.equal(s.take()[0].text, "{\n  withProps: Error: p\n      at f (user.js:1:2) {\n    code: 'X'\n  }\n}");
});

// ---------------------------------------------------------------- TextEncoder / TextDecoder
const hexOf = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
const STRINGS = ['', 'ascii', 'héllo wörld', '€ ✓ 漢字', '😀 astral 𝄞', '\ud800', 'a\udc00b', '\ud83d', '\ude00\ud83d', 'x\ud800\ud800y', '\u0000\uffff\ufeff'];

test('TextEncoder', () => {
  const enc = sb.run('new TextEncoder()');
  const real = new TextEncoder();
  assert.equal(enc.encoding, 'utf-8');
  for (const s of [...STRINGS, 42, undefined, null, { toString: () => 'obj' }]) {
    assert.equal(hexOf(enc.encode(s)), hexOf(real.encode(s)), String(s));
    assert.equal(sb.run('new TextEncoder().encode()').length, 0);
    if (typeof s !== 'string') continue;
    for (let size = 0; size <= 12; size++) {
      const a = sb.run(`new Uint8Array(${size})`);
      const b = new Uint8Array(size);
      assert.deepEqual({ ...enc.encodeInto(s, a) }, real.encodeInto(s, b), `${JSON.stringify(s)} into ${size}`);
      assert.equal(hexOf(a), hexOf(b));
    }
  }
  for (const [src, dest] of [[5, 'new Uint8Array(2)'], ["'a'", '[]'], ["'a'", 'new Uint16Array(2)']]) {
    const e1 = (() => { try { sb.run(`new TextEncoder().encodeInto(${src}, ${dest})`); } catch (e) { return e; } })();
    const e2 = (() => { try { new TextEncoder().encodeInto(eval(src), eval(dest)); } catch (e) { return e; } })();
    assert.deepEqual([e1.name, e1.code, e1.message], [e2.name, e2.code, e2.message]);
  }
  assert.equal(util.inspect(enc), util.inspect(real));
});

test('TextEncoder without String.prototype.toWellFormed', () => {
  const s = sandbox({ setup: 'delete String.prototype.toWellFormed' });
  for (const str of STRINGS) assert.equal(hexOf(s.run('new TextEncoder()').encode(str)), hexOf(new TextEncoder().encode(str)));
});

const BYTE_INPUTS = [
  [], [0x61, 0x62], [0xef, 0xbb, 0xbf, 0x61], [0xef, 0xbb, 0xbf], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x62], [0xff], [0xc0, 0x80], [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0xe2, 0x82], [0xc3], [0x80, 0x81], [0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62],
  [0xe2, 0x82, 0xac, 0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3, 0xa9, 0xff, 0xc3], [0x00, 0x7f, 0xc2, 0x80, 0xdf, 0xbf], [0xee, 0x80, 0x80, 0xef, 0xbf, 0xbf],
  [0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf], [0xe0, 0xa0], [0xf0, 0x90], [0xed, 0x9f, 0xbf], [0x61, 0xef, 0xbb],
];

function decodeBoth(label, options, chunks, streamAll = false) {
  const run = (Decoder, mk) => {
    try {
      const d = new Decoder(label, options);
      let out = '';
      chunks.forEach((c, i) => { out += d.decode(mk(c), { stream: streamAll || i < chunks.length - 1 }); });
      if (streamAll) out += d.decode();
      return JSON.stringify(out);
    } catch (e) {
      return `${e.name}|${e.code}|${e.message}`;
    }
  };
  const SBDecoder = sb.run('TextDecoder');
  const mkSb = sb.run('(bytes) => new Uint8Array(bytes)');
  return [run(SBDecoder, mkSb), run(TextDecoder, (b) => new Uint8Array(b))];
}

test('TextDecoder one-shot, fatal, BOM', () => {
  for (const bytes of BYTE_INPUTS) {
    for (const options of [undefined, { fatal: true }, { ignoreBOM: true }, { fatal: true, ignoreBOM: true }]) {
      const [got, want] = decodeBoth('utf-8', options, [bytes]);
      assert.equal(got, want, `${bytes} ${JSON.stringify(options)}`);
    }
  }
});

test('TextDecoder streaming split at every byte', () => {
  for (const bytes of BYTE_INPUTS) {
    for (const options of [undefined, { fatal: true }, { ignoreBOM: true }]) {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const chunks = [bytes.slice(0, cut), bytes.slice(cut)];
        let [got, want] = decodeBoth('utf-8', options, chunks);
        assert.equal(got, want, `${bytes} cut ${cut} ${JSON.stringify(options)}`);
        [got, want] = decodeBoth('utf-8', options, chunks, true);
        assert.equal(got, want, `${bytes} cut ${cut} (all streamed) ${JSON.stringify(options)}`);
      }
      const single = bytes.map((b) => [b]);
      const [got, want] = decodeBoth('utf-8', options, single);
      assert.equal(got, want, `${bytes} byte by byte ${JSON.stringify(options)}`);
    }
  }
  // The decoder is reusable: a non-streaming call resets the BOM state.
  const d = sb.run('new TextDecoder()');
  const r = new TextDecoder();
  const bom = [0xef, 0xbb, 0xbf, 0x41];
  for (const stream of [false, false, true, true, false, false]) {
    assert.equal(d.decode(sb.run(`new Uint8Array([${bom}])`), { stream }), r.decode(new Uint8Array(bom), { stream }));
  }
});

test('TextDecoder labels, inputs and errors', () => {
  for (const label of ['utf-8', 'UTF-8', 'utf8', ' UTF8 ', '\tunicode-1-1-utf-8\n', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8', undefined]) {
    const d = sb.run('TextDecoder');
    assert.equal(new d(label).encoding, new TextDecoder(label).encoding);
  }
  for (const label of ['xyz', 'utf-16x', '', 'utf 8']) {
    const e1 = (() => { try { new (sb.run('TextDecoder'))(label); } catch (e) { return e; } })();
    const e2 = (() => { try { new TextDecoder(label); } catch (e) { return e; } })();
    assert.deepEqual([e1.name, e1.code, e1.message], [e2.name, e2.code, e2.message], label);
  }
  const e1 = (() => { try { new (sb.run('TextDecoder'))('utf-8', 5); } catch (e) { return e; } })();
  assert.deepEqual([e1.name, e1.code, e1.message], ['TypeError', 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object. Received type number (5)']);
  const d = sb.run("new TextDecoder('utf-8', { fatal: 1, ignoreBOM: 'yes' })");
  assert.deepEqual([d.encoding, d.fatal, d.ignoreBOM], ['utf-8', true, true]);
  assert.equal(util.inspect(sb.run('new TextDecoder()')), util.inspect(new TextDecoder()));
  // ArrayBuffer, every view type (with offsets), DataView, undefined.
  for (const expr of ["new TextEncoder().encode('héllo wörld').buffer", "new Uint8Array([0, 0x68, 0xc3, 0xa9, 0]).subarray(1, 4)",
    "new Uint16Array(new TextEncoder().encode('abcd').buffer)", "new DataView(new TextEncoder().encode('xhéy').buffer, 1, 3)",
    "new Int8Array(new TextEncoder().encode('€uro').buffer, 1)", "new Float64Array(new Uint8Array(16).fill(0x41).buffer)"]) {
    assert.equal(sb.run(`new TextDecoder().decode(${expr})`), new TextDecoder().decode(eval(expr)), expr);
  }
  assert.equal(sb.run('new TextDecoder().decode()'), '');
  for (const bad of ["'abc'", '[1, 2]', '{}', 'null']) {
    const a = (() => { try { sb.run(`new TextDecoder().decode(${bad})`); } catch (e) { return e; } })();
    const b = (() => { try { new TextDecoder().decode(eval(`(${bad})`)); } catch (e) { return e; } })();
    assert.deepEqual([a.name, a.code, a.message], [b.name, b.code, b.message], bad);
  }
});

// ---------------------------------------------------------------- structuredClone
const CLONE_VALUES = [
  '1', '"s"', 'null', 'undefined', '-0', '10n', 'true', 'new Number(3)', 'new String("ab")', 'new Boolean(false)', 'Object(5n)',
  'new Date(0)', 'new Date(NaN)', '(() => { const r = /a/gimsuy; r.lastIndex = 3; r.x = 1; return r; })()', '/x/d',
  'new ArrayBuffer(4)', 'new Uint8Array([1, 2, 3]).buffer', 'new Int16Array([1, -2])', 'new Float32Array([1.5])', 'new BigUint64Array([1n])',
  '(() => { const ab = new ArrayBuffer(8); return [new Uint8Array(ab, 1, 2), new DataView(ab, 2), ab]; })()',
  "new Map([[{ a: 1 }, new Set([1, 'x'])], ['k', [1, 2]]])", 'new Set([1, { b: 2 }])',
  '[1, , 3]', 'Object.assign([1, 2], { x: 1 })', 'new Array(3)',
  '({ a: 1, b: { c: [1, 2, { d: 3 }] } })', "({ [Symbol('s')]: 1, visible: 2 })", "Object.defineProperty({ a: 1 }, 'h', { value: 2 })",
  '({ get g() { return 42; } })', 'new (class X { #p = 1; y = 2; })()', 'Object.create(null)', 'Object.assign(Object.create(null), { z: 1 })',
  '({ ["__proto__"]: { polluted: true } })',
  "new Error('e')", "new TypeError('m', { cause: 5 })", "Object.assign(new RangeError('r'), { extra: 1 })",
  "(() => { class MyE extends Error { name = 'MyE'; } return new MyE('q'); })()",
  "(() => { const e = new Error('x'); e.name = 'SyntaxError'; return e; })()", "(() => { const e = new Error('x'); e.name = 'AbortError'; return e; })()",
  "new AggregateError([1], 'agg')", "new Error('with cause', { cause: { deep: [1] } })",
  '(() => { const b = new ArrayBuffer(4); const o = {}; o.o = o; return { b, c: b, o, list: [o] }; })()',
  '(() => { const m = new Map(); m.set(m, m); return m; })()', '(() => { const a = [1]; a.push(a); return a; })()',
];

// Stacks differ between the two realms' evaluations: keep their first line.
function trimStacks(v, seen = new Set()) {
  if (v === null || typeof v !== 'object' || seen.has(v)) return v;
  seen.add(v);
  if (typeof v.stack === 'string' && Object.hasOwn(v, 'stack')) Object.defineProperty(v, 'stack', { value: v.stack.split('\n')[0] });
  for (const key of Object.getOwnPropertyNames(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key);
    if ('value' in d) trimStacks(d.value, seen);
  }
  if (v instanceof Map || util.types.isMap(v)) for (const [k, x] of v) { trimStacks(k, seen); trimStacks(x, seen); }
  if (v instanceof Set || util.types.isSet(v)) for (const x of v) trimStacks(x, seen);
  return v;
}

test('structuredClone matches Node', () => {
  const clone = sb.run('structuredClone');
  for (const expr of CLONE_VALUES) {
    const original = sb.run(`(${expr})`);
    const mine = trimStacks(clone(original));
    const theirs = trimStacks(structuredClone(eval(`(${expr})`)));
    assert.equal(util.inspect(mine, { showHidden: false, depth: 5 }), util.inspect(theirs, { depth: 5 }), expr);
    if (mine !== null && typeof mine === 'object') {
      assert.equal(Object.getPrototypeOf(mine) === sb.run('Object.prototype'), Object.getPrototypeOf(theirs) === Object.prototype, `${expr} prototype`);
      assert.deepEqual(Reflect.ownKeys(mine).map(String), Reflect.ownKeys(theirs).map(String), `${expr} own keys`);
    }
  }
  // Shared references, cycles and views on one buffer.
  const r = sb.run(`(() => {
    const ab = new ArrayBuffer(8); const shared = { s: 1 };
    const v = { one: shared, two: shared, u8: new Uint8Array(ab, 1, 2), u16: new Uint16Array(ab, 2, 1), ab };
    v.self = v;
    const c = structuredClone(v);
    return [c.one === c.two, c.self === c, c.u8.buffer === c.u16.buffer, c.u8.buffer === c.ab, c.ab !== ab, c.u16.byteOffset, c.u8.byteOffset, c.u8.length];
  })()`);
  assert.deepEqual([...r], [true, true, true, true, true, 2, 1, 2]);
  const re = sb.run('(() => { const r = /a/g; r.lastIndex = 3; return structuredClone(r).lastIndex; })()');
  assert.equal(re, 0);
  const err = sb.run("structuredClone(new TypeError('m', { cause: 5 }))");
  assert.ok(err instanceof sb.run('TypeError'));
  const d = sb.run("structuredClone(new DOMException('m', 'AbortError'))");
  assert.deepEqual([d instanceof sb.run('DOMException'), d.name, d.message, d.code], [true, 'AbortError', 'm', 20]);
});

test('structuredClone errors', () => {
  for (const expr of ['() => {}', 'function foo() {}', 'class Foo {}', 'async function () {}', "Symbol('x')", 'new WeakMap()', 'new WeakSet()',
    'Promise.resolve()', "Object(Symbol('s'))", 'new WeakRef({})', '[].values()', 'new Map().entries()', '(function* () {})()',
    '(function () { return arguments; })()', "({ a: { b: [Symbol('deep')] } })", '({ f() {} })']) {
    const a = (() => { try { sb.run(`structuredClone(${expr})`); } catch (e) { return e; } })();
    const b = (() => { try { structuredClone(eval(`(${expr})`)); } catch (e) { return e; } })();
    assert.ok(a, `${expr} should throw`);
    assert.deepEqual([a.name, a.message, a.code, a instanceof sb.run('DOMException'), a instanceof sb.run('Error')],
      [b.name, b.message, b.code, true, true], expr);
  }
  for (const args of ['', '1, 5', '1, { transfer: 5 }', '1, { transfer: null }', '1, { transfer: [{}] }']) {
    const a = (() => { try { sb.run(`structuredClone(${args})`); } catch (e) { return e; } })();
    const b = (() => { try { eval(`structuredClone(${args})`); } catch (e) { return e; } })();
    assert.deepEqual([a?.name, a?.message, a?.code], [b?.name, b?.message, b?.code], args);
  }
  assert.equal(sb.run('structuredClone(1, null)'), 1);
  assert.equal(sb.run('structuredClone(2, { transfer: [] })'), 2);
  assert.equal(sb.run('structuredClone(new Uint8Array([7]), { transfer: [new ArrayBuffer(1)] })')[0], 7);
});

// ---------------------------------------------------------------- DOMException
test('DOMException', () => {
  const D = sb.run('DOMException');
  for (const args of [[], ['m'], ['m', 'AbortError'], ['m', 'TimeoutError'], ['m', 'DataCloneError'], ['m', 'NotSupportedError'],
    ['m', 'InvalidCharacterError'], ['m', 'SyntaxError'], ['m', 'QuotaExceededError'], ['m', 'Unknown'], [1, 2], ['m', { name: 'TimeoutError', cause: 1 }],
    ['m', {}], [undefined, undefined], ['m', 'IndexSizeError'], ['m', 'DOMStringSizeError'], ['m', 'InUseAttributeError'], ['m', 'URLMismatchError'],
    ['m', 'InvalidNodeTypeError'], ['m', 'AbortErrorX'], ['m', 'abortError'], ['m', 'Error'], ['m', 'ValidationError'], ['m', 'NoDataAllowedError'],
    ['m', '-Error'], ['m', 'TypeMismatchError'], ['m', 'SecurityError'], ['m', 'NetworkError'], ['m', 'HierarchyRequestError']]) {
    const a = new D(...args);
    const b = new DOMException(...args);
    assert.deepEqual([a.name, a.message, a.code, a.cause, String(a), Object.prototype.toString.call(a), Object.keys(a).length],
      [b.name, b.message, b.code, b.cause, String(b), Object.prototype.toString.call(b), Object.keys(b).length], util.inspect(args));
    assert.ok(a instanceof sb.run('Error'));
    assert.equal(util.inspect(a).split('\n')[0], util.inspect(b).split('\n')[0]);
    assert.equal(sb.run('(e) => { console.log(e); return console; }')(a) && sb.take()[0].text.split('\n')[0], util.inspect(b).split('\n')[0]);
  }
  assert.equal(D.name, 'DOMException');
  assert.equal(D.length, DOMException.length);
  const constants = Object.getOwnPropertyNames(DOMException).filter((k) => k.endsWith('_ERR'));
  assert.equal(constants.length, 25);
  assert.deepEqual(Object.getOwnPropertyNames(D).filter((k) => k.endsWith('_ERR')), constants);
  for (const k of constants) {
    assert.equal(D[k], DOMException[k]);
    assert.equal(D.prototype[k], DOMException.prototype[k]);
  }
});

// ---------------------------------------------------------------- Event / EventTarget / AbortController
// Each scenario runs with the sandbox globals and with Node's; `log` collects strings.
function compareScenario(body) {
  const logSb = [];
  sb.run(`(function (log) { ${body} })`)((...a) => logSb.push(a.map(String).join(' ')));
  const logNode = [];
  new Function('log', body)((...a) => logNode.push(a.map(String).join(' ')));
  assert.deepEqual(logSb, logNode, body);
}

test('Event and EventTarget', () => {
  for (const body of [
    `const e = new Event('x'); log(e.type, e.bubbles, e.cancelable, e.composed, e.defaultPrevented, e.isTrusted, e.eventPhase, e.target, e.currentTarget, e.returnValue, e.cancelBubble, e.composedPath().length, typeof e.timeStamp);`,
    `const e = new Event('x', { bubbles: 1, cancelable: 'y', composed: true }); log(e.bubbles, e.cancelable, e.composed); e.preventDefault(); log(e.defaultPrevented, e.returnValue);`,
    `const e = new Event('x'); e.preventDefault(); log(e.defaultPrevented);`,
    `const t = new EventTarget(); const e = new Event('x'); t.addEventListener('x', function (ev) { log('in', this === t, ev.target === t, ev.currentTarget === t, ev.eventPhase, ev.composedPath()[0] === t, ev === e); }); log(t.dispatchEvent(e)); log(e.target === t, e.currentTarget, e.eventPhase);`,
    `const t = new EventTarget(); const f = () => log('f'); t.addEventListener('x', f); t.addEventListener('x', f); t.addEventListener('x', f, true); t.dispatchEvent(new Event('x')); t.removeEventListener('x', f); t.dispatchEvent(new Event('x')); t.removeEventListener('x', f, { capture: true }); t.dispatchEvent(new Event('x'));`,
    `const t = new EventTarget(); t.addEventListener('x', () => log('once'), { once: true }); t.dispatchEvent(new Event('x')); t.dispatchEvent(new Event('x'));`,
    `const t = new EventTarget(); const o = { handleEvent(e) { log('handle', this === o, e.type); } }; t.addEventListener('y', o); t.dispatchEvent(new Event('y'));`,
    `const t = new EventTarget(); t.addEventListener('x', (e) => { log(1); e.stopImmediatePropagation(); }); t.addEventListener('x', () => log(2)); t.dispatchEvent(new Event('x'));`,
    `const t = new EventTarget(); t.addEventListener('x', (e) => { e.stopPropagation(); log(1, e.cancelBubble); }); t.addEventListener('x', () => log(2)); t.dispatchEvent(new Event('x'));`,
    `const t = new EventTarget(); t.addEventListener('x', (e) => e.preventDefault()); log(t.dispatchEvent(new Event('x', { cancelable: true })), t.dispatchEvent(new Event('x')));`,
    `const t = new EventTarget(); t.addEventListener('x', (e) => { e.preventDefault(); log(e.defaultPrevented); }, { passive: true }); log(t.dispatchEvent(new Event('x', { cancelable: true })));`,
    `const t = new EventTarget(); const c = new AbortController(); t.addEventListener('x', () => log('l'), { signal: c.signal }); t.dispatchEvent(new Event('x')); c.abort(); t.dispatchEvent(new Event('x'));`,
    `const t = new EventTarget(); t.addEventListener('x', () => log('never'), { signal: AbortSignal.abort() }); t.dispatchEvent(new Event('x')); log('done');`,
    `const t = new EventTarget(); const b = () => log('b'); t.addEventListener('x', () => { log('a'); t.removeEventListener('x', b); }); t.addEventListener('x', b); t.dispatchEvent(new Event('x'));`,
    `const e = new CustomEvent('c', { detail: { a: 1 } }); log(e.type, e.detail.a, new CustomEvent('d').detail, e instanceof Event);`,
    `const t = new EventTarget(); t.addEventListener('c', (e) => log(e.detail)); t.dispatchEvent(new CustomEvent('c', { detail: 7 }));`,
    `class My extends EventTarget {} const m = new My(); m.addEventListener('z', () => log('sub')); m.dispatchEvent(new Event('z')); log(m instanceof EventTarget);`,
    `const e = new Event('x'); e.initEvent('y', true, true); log(e.type, e.bubbles, e.cancelable);`,
    `log(Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE, new Event('x').AT_TARGET);`,
    `log(Object.prototype.toString.call(new Event('x')), Object.prototype.toString.call(new EventTarget()), Object.prototype.toString.call(new CustomEvent('x')));`,
  ]) compareScenario(body);
  for (const code of ["new Event()", "new Event('x', 5)", "new EventTarget().dispatchEvent({ type: 'x' })",
    "new EventTarget().addEventListener('x', 5)", "new EventTarget().addEventListener('x')",
    "(() => { const t = new EventTarget(); const e = new Event('x'); let err; t.addEventListener('x', () => { try { t.dispatchEvent(e); } catch (x) { err = x; } }); t.dispatchEvent(e); throw err; })()"]) {
    const a = (() => { try { sb.run(code); } catch (e) { return e; } })();
    const b = (() => { try { eval(code); } catch (e) { return e; } })();
    assert.deepEqual([a?.name, a?.message, a?.code], [b?.name, b?.message, b?.code], code);
  }
});

test('null listeners are ignored', () => {
  // (Node also prints a process warning for these.)
  assert.equal(sb.run("(() => { const t = new EventTarget(); t.addEventListener('x', null); t.addEventListener('x', undefined); return t.dispatchEvent(new Event('x')); })()"), true);
});

test('a throwing listener does not stop the others', () => {
  const s = sandbox();
  s.run(`globalThis.order = [];
    const t = new EventTarget();
    t.addEventListener('x', () => { order.push(1); throw new Error('boom'); });
    t.addEventListener('x', () => order.push(2));
    globalThis.result = t.dispatchEvent(new Event('x'));`);
  assert.deepEqual([...s.run('order')], [1, 2]);
  assert.equal(s.run('result'), true);
  const [w] = s.take();
  assert.equal(w.level, 'error');
  assert.match(w.text, /^Uncaught Error: boom\n    at /);
});

test('AbortController and AbortSignal', () => {
  for (const body of [
    `const c = new AbortController(); const s = c.signal; log(s.aborted, s.reason, s instanceof EventTarget, c.signal === s); s.throwIfAborted(); log('ok');`,
    `const c = new AbortController(); let n = 0; c.signal.addEventListener('abort', (e) => log('listener', e.type, e.isTrusted, e.target === c.signal, ++n)); c.signal.onabort = (e) => log('onabort', e.type); c.abort(); c.abort(); log(c.signal.aborted, c.signal.reason.name, c.signal.reason.message, c.signal.reason.code, c.signal.reason instanceof DOMException);`,
    `const c = new AbortController(); c.abort('why'); log(c.signal.reason); try { c.signal.throwIfAborted(); } catch (e) { log('thrown', e); }`,
    `const c = new AbortController(); c.abort(undefined); log(c.signal.reason.name);`,
    `const s = AbortSignal.abort(); log(s.aborted, s.reason.name, s.reason.message); log(AbortSignal.abort(5).reason);`,
    `const c = new AbortController(); const h1 = () => log('h1'); c.signal.onabort = h1; log(c.signal.onabort === h1); c.signal.addEventListener('abort', () => log('after')); c.signal.onabort = () => log('h2'); c.abort();`,
    `const c = new AbortController(); c.signal.onabort = () => log('x'); c.signal.onabort = null; log(c.signal.onabort); c.abort(); log('done');`,
    `const a = new AbortController(); const b = new AbortController(); const any = AbortSignal.any([a.signal, b.signal]); any.addEventListener('abort', () => log('any', any.reason)); log(any.aborted); b.abort('B'); a.abort('A'); log(any.aborted, any.reason);`,
    `const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort('pre')]); log(any.aborted, any.reason); log(AbortSignal.any([]).aborted);`,
    `const a = new AbortController(); const inner = AbortSignal.any([a.signal]); const outer = AbortSignal.any([inner]); a.abort('deep'); log(inner.reason, outer.reason);`,
    `log(Object.prototype.toString.call(new AbortController()), Object.prototype.toString.call(AbortSignal.abort()));`,
  ]) compareScenario(body);
  for (const code of ['new AbortSignal()', 'AbortSignal.any(5)', 'AbortSignal.any([5])', "new EventTarget().addEventListener('x', () => {}, { signal: 5 })"]) {
    const a = (() => { try { sb.run(code); } catch (e) { return e; } })();
    const b = (() => { try { eval(code); } catch (e) { return e; } })();
    assert.deepEqual([a?.name, a?.message, a?.code], [b?.name, b?.message, b?.code], code);
  }
  // AbortSignal.timeout() checks its delay as Node does (it fires in __test__/timers.test.js).
  for (const code of ['AbortSignal.timeout()', "AbortSignal.timeout('5')", 'AbortSignal.timeout(-1)', 'AbortSignal.timeout(1.5)', 'AbortSignal.timeout(NaN)', 'AbortSignal.timeout(2 ** 32)']) {
    const a = (() => { try { sb.run(code); } catch (e) { return e; } })();
    const b = (() => { try { eval(code); } catch (e) { return e; } })();
    assert.deepEqual([a?.name, a?.message, a?.code], [b?.name, b?.message, b?.code], code);
  }
  assert.equal(sb.run('AbortSignal.timeout(10).aborted'), false);
  // Inspection as Node prints it.
  for (const code of ['new AbortController()', 'AbortSignal.abort()', 'new AbortController().signal', '[new AbortController()]', 'new EventTarget()']) {
    assert.equal(util.inspect(sb.run(code)), util.inspect(eval(code)), code);
  }
  const ev = sb.run("new Event('x')");
  assert.equal(util.inspect(ev, { depth: 0 }), util.inspect(new Event('x'), { depth: 0 }));
  assert.match(util.inspect(ev), /^Event \{\n {2}type: 'x',\n {2}defaultPrevented: false,\n {2}cancelable: false,\n {2}timeStamp: [\d.]+\n\}$/);
});

// ---------------------------------------------------------------- crypto
test('crypto', async () => {
  const c = sb.run('crypto');
  for (let i = 0; i < 50; i++) assert.match(c.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(c.randomUUID(), c.randomUUID());
  for (const type of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array']) {
    const arr = sb.run(`new ${type}(64)`);
    assert.equal(c.getRandomValues(arr), arr);
    assert.ok([...arr].some((x) => x != 0), type);
  }
  const view = sb.run('new Uint8Array(new ArrayBuffer(16), 4, 8)');
  c.getRandomValues(view);
  assert.ok([...new Uint8Array(view.buffer, 0, 4), ...new Uint8Array(view.buffer, 12, 4)].every((x) => x === 0));
  assert.equal(c.getRandomValues(sb.run('new Uint8Array(65536)')).length, 65536);
  for (const code of ['crypto.getRandomValues(new Float32Array(1))', 'crypto.getRandomValues(new Float64Array(1))', 'crypto.getRandomValues()',
    'crypto.getRandomValues({})', 'crypto.getRandomValues(new DataView(new ArrayBuffer(2)))', 'crypto.getRandomValues(new Uint8Array(65537))',
    'crypto.getRandomValues(new Uint32Array(16385))', 'crypto.getRandomValues([1])']) {
    const a = (() => { try { sb.run(code); } catch (e) { return e; } })();
    const b = (() => { try { eval(code); } catch (e) { return e; } })();
    assert.deepEqual([a.name, a.message, a.code], [b.name, b.message, b.code], code);
  }
  assert.equal(util.inspect(c), util.inspect(crypto));
  assert.equal(util.inspect(c.subtle), util.inspect(crypto.subtle));
  assert.equal(Object.prototype.toString.call(c), Object.prototype.toString.call(globalThis.crypto));
  // subtle.digest
  for (const [alg, data] of [['SHA-1', "new Uint8Array([])"], ['sha-256', "new TextEncoder().encode('abc')"], [{ name: 'SHA-384' }, "new TextEncoder().encode('abc').buffer"],
    ['Sha-512', "new DataView(new TextEncoder().encode('xabcx').buffer, 1, 3)"], ['SHA-256', "new Uint16Array(new TextEncoder().encode('abcd').buffer)"],
    ['SHA-256', "new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3)"]]) {
      const mine = await c.subtle.digest(alg, sb.run(data));
      const theirs = await crypto.subtle.digest(alg, eval(data));
      assert.equal(Buffer.from(mine).toString('hex'), Buffer.from(theirs).toString('hex'), `${alg} ${data}`);
      assert.ok(mine instanceof sb.run('ArrayBuffer'));
  }
  for (const args of ["'sha-7', new Uint8Array()", "'SHA-256', 'x'", '', "'SHA-256'", '{}, new Uint8Array()', "{ name: 'md5' }, new Uint8Array()", "'SHA256', new Uint8Array()"]) {
    const p = sb.run(`crypto.subtle.digest(${args})`);
    assert.ok(p instanceof sb.run('Promise'), args);
    const a = await p.then(() => null, (e) => e);
    const b = await eval(`crypto.subtle.digest(${args})`).then(() => null, (e) => e);
    assert.deepEqual([a.name, a.message, a.code], [b.name, b.message, b.code], args);
  }
  assert.equal(c.subtle.encrypt, undefined);
});

// ---------------------------------------------------------------- URL / URLSearchParams
const URL_INPUTS = [
  ['https://user:pw@example.com:8080/p/a/t/h?query=string#hash'], ['HTTP://EXAMPLE.COM:80/'], ['https://example.com:443/x'], ['ws://h:80/'], ['ftp://h:21/f'],
  ['http://[::1]:3000/ipv6'], ['http://[2001:db8::7]/'], ['http://192.168.0.1./'], ['http://0x7f.1/'], ['file:///etc/passwd'], ['file://host/share'],
  ['mailto:someone@example.com'], ['data:text/plain,hello world'], ['javascript:alert(1)'], ['blob:https://a.com/uuid'],
  ['/relative/path?q=1', 'https://base.com/dir/file'], ['../up', 'https://base.com/a/b/c'], ['?only=query', 'https://b.com/p'], ['#frag', 'https://b.com/p?q'],
  ['//other.host/x', 'https://b.com/'], ['', 'https://b.com/p?q#h'], ['  https://trim.me/  '], ['https://a.com/pa th/ü?q=a b&ü=ö#f ü'],
  ['https://a.com/%7Efoo/%zz?%41#%42'], ["https://a.com/'quote'?'q'#'h'"], ['https://a.com/<>"`{}|\\^'], ['https://a.com/\t\nnew\rline'],
  ['https://a.com/..%2f../x'], ['https://a.com/./b/../c/.'], ['http://a.com\\back\\slash'], ['HTTPS://A.COM/UPPER?Q#H'],
  ['not a url'], ['http://'], ['https://exa mple.com'], ['http://[::1'], ['foo', 'not a base'], ['http://a:b@'], ['https://a.com:99999'],
  ['sc://ñ.test/'], ['non-special://host/p?q#f'], ['urn:isbn:0451450523'], ['https://a.com?'], ['https://a.com#'], ['https://a.com/?a=1&b=2&a=3'],
  ['https://ex.com/?q=%E2%82%AC+plus&x=a+b'], ['https://a.com/\ud800'], [new String('https://boxed.example/')],
];

const urlView = (u) => JSON.stringify([...URL_PARTS.map((k) => u[k]), u.toString(), u.toJSON(), JSON.stringify(u), String(u.searchParams)]);

test('URL parsing', () => {
  const SBURL = sb.run('URL');
  for (const args of URL_INPUTS) {
    const a = (() => { try { return urlView(new SBURL(...args)); } catch (e) { return [e.name, e.message, e.code, e.input, e.base, Object.keys(e)].join('|'); } })();
    const b = (() => { try { return urlView(new URL(...args)); } catch (e) { return [e.name, e.message, e.code, e.input, e.base, Object.keys(e)].join('|'); } })();
    assert.equal(a, b, JSON.stringify(args));
    assert.equal(SBURL.canParse(...args), URL.canParse(...args), JSON.stringify(args));
    const parsed = SBURL.parse(...args);
    assert.equal(parsed === null ? null : urlView(parsed), URL.parse(...args) === null ? null : urlView(URL.parse(...args)));
  }
  for (const code of ['new URL()', 'URL.canParse()', 'URL.parse()']) {
    const a = (() => { try { sb.run(code); } catch (e) { return e; } })();
    const b = (() => { try { eval(code); } catch (e) { return e; } })();
    assert.deepEqual([a.name, a.message, a.code], [b.name, b.message, b.code]);
  }
  const u = 'https://user:pw@example.com:8080/p/a?x=1&y=2#h';
  assert.equal(util.inspect(new SBURL(u)), util.inspect(new URL(u)));
  assert.equal(util.inspect([new SBURL(u)]), util.inspect([new URL(u)]));
  sb.run('console').log(new SBURL(u));
  assert.equal(sb.take()[0].text, util.inspect(new URL(u)));
  assert.equal(Object.prototype.toString.call(new SBURL(u)), Object.prototype.toString.call(new URL(u)));
});

const SETTERS = [
  ['https://a.com/p?q#h', 'href', 'http://b.org/x'], ['https://a.com/', 'href', 'not valid'], ['https://a.com/', 'protocol', 'http'], ['https://a.com/', 'protocol', 'ftp:'],
  ['https://a.com/', 'protocol', 'mailto'], ['mailto:x@y', 'protocol', 'https'], ['https://a.com/', 'protocol', 'wss:'],
  ['https://a.com/', 'username', 'us er'], ['https://a.com/', 'password', 'p@ss:w'], ['file:///x', 'username', 'u'],
  ['https://a.com/', 'host', 'b.com:81'], ['https://a.com/', 'host', 'b.com:443'], ['https://a.com/', 'hostname', 'c.com:99'], ['https://a.com/', 'hostname', '[::1]'],
  ['https://a.com:8080/', 'port', ''], ['https://a.com/', 'port', '443'], ['https://a.com/', 'port', '8080abc'], ['https://a.com/', 'port', '70000'], ['https://a.com/', 'port', 80],
  ['https://a.com/', 'pathname', '/a b/ü/%41'], ['https://a.com/', 'pathname', 'no-slash'], ['mailto:x', 'pathname', 'y'],
  ['https://a.com/', 'search', '?a=1 2&b=ü'], ['https://a.com/?x', 'search', ''], ['https://a.com/', 'search', 'noq=1'], ["https://a.com/", 'search', "'q'"],
  ['https://a.com/', 'hash', 'frag ment'], ['https://a.com/#x', 'hash', ''], ['https://a.com/', 'hash', '#h#h'],
];

test('URL setters', () => {
  const SBURL = sb.run('URL');
  for (const [href, prop, value] of SETTERS) {
    const a = new SBURL(href);
    const b = new URL(href);
    const ea = (() => { try { a[prop] = value; } catch (e) { return [e.name, e.message, e.code, e.input].join('|'); } })();
    const eb = (() => { try { b[prop] = value; } catch (e) { return [e.name, e.message, e.code, e.input].join('|'); } })();
    assert.equal(ea, eb, `${href} ${prop}=${value}`);
    assert.equal(urlView(a), urlView(b), `${href} ${prop}=${value}`);
  }
});

test('URLSearchParams', () => {
  for (const body of [
    `const p = new URLSearchParams('?a=1&b=2&a=3&c&=x&d=&&e=%zz&f=%41%42&g=a+b%20c&h=%E2%82%AC&i=%C3'); log(p.toString(), p.size, JSON.stringify([...p]));`,
    `log(new URLSearchParams('??x=1').toString(), new URLSearchParams('a=b=c').get('a'), new URLSearchParams('+=+').get(' '));`,
    `const p = new URLSearchParams([['a', '1'], ['b', 'ü'], ['a', 'x y']]); log(p.toString(), p.getAll('a').join(','), p.get('zz'), p.has('b'), p.has('b', 'no'), p.has('a', 'x y'));`,
    `const p = new URLSearchParams({ a: 1, b: 'two', c: null, d: undefined }); log(p.toString());`,
    `const p = new URLSearchParams(new URLSearchParams('x=1&y=2')); p.append('z', 3); log(p.toString());`,
    `const p = new URLSearchParams(new Map([['m', 'v']])); log(p.toString(), new URLSearchParams([new Set(['s', 't'])]).toString());`,
    `const p = new URLSearchParams('a=1&b=2&a=3&a=1'); p.delete('a', '1'); log(p.toString()); p.delete('a'); log(p.toString()); p.set('b', 'new'); p.set('n', 'v'); log(p.toString());`,
    `const p = new URLSearchParams('z=1&a=2&z=0&b=3&a=1&\u00e9=1&e=2&\ud83d\ude00=3&\uff41=4'); p.sort(); log(p.toString());`,
    `const p = new URLSearchParams(); p.append('sp ace', 'a+b&c=d'); p.append('*-._', '~!\\'()'); p.append('\u00e9\u20ac\ud83d\ude00', '\ud800'); p.append('%', '%25'); log(p.toString());`,
    `const all = []; for (let i = 0; i < 128; i++) all.push(String.fromCharCode(i)); const p = new URLSearchParams(); p.append(all.join(''), 'v'); log(p.toString());`,
    `const p = new URLSearchParams('a=1&b=2'); const seen = []; p.forEach(function (v, k, o) { seen.push(k + v + (o === p) + (this === p)); }, p); log(seen.join());`,
    `const p = new URLSearchParams('a=1&b=2&c=3'); log([...p.keys()].join(), [...p.values()].join(), JSON.stringify([...p.entries()]), JSON.stringify([...p]));`,
    `const p = new URLSearchParams('a=1'); const it = p.keys(); p.append('b', '2'); log(JSON.stringify([...it])); log(Object.prototype.toString.call(it), typeof it[Symbol.iterator], it[Symbol.iterator]() === it);`,
    `const p = new URLSearchParams('a=1&b=2'); const out = []; p.forEach((v, k) => { out.push(k); if (k === 'a') p.append('c', '3'); }); log(out.join());`,
    `log(new URLSearchParams(5).toString(), new URLSearchParams(null).toString(), new URLSearchParams(undefined).toString(), new URLSearchParams('').size);`,
    `const u = new URL('https://a.com/?x=1&y=2'); const p = u.searchParams; log(p === u.searchParams, p.get('x')); p.append('z', 'a b'); log(u.href, u.search); u.search = '?q=9'; log(p.toString(), p.get('q')); p.delete('q'); log(u.href, JSON.stringify(u.search)); u.href = 'https://b.com/?h=1'; log(p.get('h'));`,
    `const u = new URL('https://a.com/path?b=2&a=1#frag'); u.searchParams.sort(); log(u.href); u.searchParams.set('c', '+'); log(u.href); u.hash = ''; log(u.href);`,
    `const u = new URL('https://a.com/?q=%20x+y'); log(u.searchParams.get('q'), u.search); u.searchParams.set('q', 'x y'); log(u.search);`,
    `const u = new URL('non-special:opaque  ?x=1'); log(JSON.stringify(u.pathname)); u.searchParams.delete('x'); log(JSON.stringify(u.href));`,
    `log(Object.prototype.toString.call(new URLSearchParams()), String(new URLSearchParams('a=1')));`,
  ]) compareScenario(body);
  for (const code of ['new URLSearchParams([[1]])', 'new URLSearchParams([5])', "new URLSearchParams({ [Symbol.iterator]: 5 })", "new URLSearchParams().append('a')",
    'new URLSearchParams().get()', 'new URLSearchParams().getAll()', 'new URLSearchParams().has()', 'new URLSearchParams().delete()', "new URLSearchParams().set('a')",
    'new URLSearchParams().forEach(5)', "URLSearchParams.prototype.get.call({}, 'a')", "URLSearchParams.prototype.toString.call(5)", "new URLSearchParams({ a: 1, [Symbol('s')]: 2 })"]) {
    const a = (() => { try { sb.run(code); } catch (e) { return e; } })();
    const b = (() => { try { eval(code); } catch (e) { return e; } })();
    assert.deepEqual([a?.name, a?.code], [b?.name, b?.code], code);
    if (b.code) assert.equal(a.message, b.message, code);
  }
  for (const code of ["new URLSearchParams('a=1&b=2&a=3')", 'new URLSearchParams()', "new URLSearchParams('a=1&b=2&a=3').keys()",
    "new URLSearchParams('a=1&b=2').entries()", "new URLSearchParams('a=1').values()", "new URLSearchParams(Array.from({ length: 12 }, (_, i) => ['key' + i, 'value' + i]))",
    "[new URLSearchParams('k=v')]", "({ p: new URLSearchParams('x=1') })"]) {
    assert.equal(util.inspect(sb.run(code)), util.inspect(eval(code)), code);
  }
});
