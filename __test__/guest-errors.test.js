'use strict';
// What a handler throws reaches Node as an ERR_GUEST_ABORT error that keeps
// the guest error's name (built-in types and a class's own) and its guest
// stack, whether the handler throws or its promise rejects. Node is the
// oracle for the names: the same code runs in Node and in a sandbox.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { loaded } = require('./helpers');

const THROWERS = `
class ValidationError extends Error {
  constructor(message) { super(message); this.name = 'ValidationError'; }
}
class Plain extends Error {}
function raise(kind) {
  switch (kind) {
    case 'type': return null.x;
    case 'range': return new Array(-1);
    case 'syntax': return JSON.parse('{');
    case 'reference': return notDefinedAnywhere;
    case 'uri': return decodeURIComponent('%');
    case 'custom': throw new ValidationError('bad input');
    case 'plain-subclass': throw new Plain('inherits its name');
    case 'renamed': { const e = new Error('late name'); e.name = 'LateName'; throw e; }
    case 'dom': throw new DOMException('stopped', 'AbortError');
    case 'aggregate': throw new AggregateError([new Error('a')], 'many');
  }
}
`;
const KINDS = ['type', 'range', 'syntax', 'reference', 'uri', 'custom', 'plain-subclass', 'renamed', 'dom', 'aggregate'];

/** The name Node gives the same error. */
function nodeName(kind) {
  try {
    new Function(`${THROWERS}; return raise;`)()(kind);
  } catch (e) {
    return e.name;
  }
  throw new Error(`${kind} did not throw in Node`);
}

test("a handler's error keeps its name, as Node names it, thrown or rejected", async () => {
  const sandbox = await loaded({
    sync: `${THROWERS}\nfunction handler(e) { raise(e.kind); }`,
    async: `${THROWERS}\nexport async function handler(e) { await null; raise(e.kind); }`,
  });
  for (const kind of KINDS) {
    for (const handler of ['sync', 'async']) {
      const err = await sandbox.callHandler(handler, { kind }).then(() => assert.fail(`${handler} ${kind} resolved`), (e) => e);
      assert.equal(err.code, 'ERR_GUEST_ABORT', `${handler} ${kind}: ${err.message}`);
      assert.equal(err.name, nodeName(kind), `${handler} ${kind}: ${err.message}`);
      assert.ok(err instanceof Error);
      assert.equal(err.stack.split('\n')[0], `${err.name}: ${err.message.split('\n')[0]}`);
    }
  }
  // The sandbox is fine afterwards.
  await assert.rejects(sandbox.callHandler('sync', { kind: 'custom' }), { name: 'ValidationError', code: 'ERR_GUEST_ABORT' });
});

test('the message is the guest message, then the guest stack, without the wrapper every handler runs in', async () => {
  const sandbox = await loaded({
    h: "function check(v) {\n  if (!v) throw new TypeError('v is required');\n}\nfunction handler(e) {\n  check(e.v);\n  return 1;\n}",
  });
  const err = await sandbox.callHandler('h', {}).then(() => assert.fail('resolved'), (e) => e);
  const lines = err.message.split('\n');
  assert.equal(lines[0], 'v is required');
  assert.match(lines[1], /^ {4}at check \(\/h\.js:2:\d+\)$/);
  assert.match(lines[2], /^ {4}at handler \(\/h\.js:5:\d+\)$/);
  assert.equal(lines.length, 3, err.message);
  assert.ok(!err.stack.includes('hyperlight:handler'), err.stack);
});

test('a thrown value that is not an Error says what it was; errors that are not thrown by the handler keep the name Error', async () => {
  const sandbox = await loaded({
    h: `function handler(e) {
      if (e.what === 'string') throw 'a bare string';
      if (e.what === 'number') throw 42;
      if (e.what === 'object') throw { code: 7 };
      if (e.what === 'undefined') throw undefined;
      return JSON.stringify(e.missing.deeper);
    }`,
  });
  const cases = {
    string: 'the handler threw a string, not an Error: "a bare string"',
    number: 'the handler threw a number, not an Error: 42',
    object: 'the handler threw an object, not an Error: {"code":7}',
    undefined: 'the handler threw undefined, not an Error',
  };
  for (const [what, message] of Object.entries(cases)) {
    const err = await sandbox.callHandler('h', { what }).then(() => assert.fail(what), (e) => e);
    assert.equal(err.code, 'ERR_GUEST_ABORT');
    assert.equal(err.name, 'Error', what);
    assert.equal(err.message, message);
  }
  // A handler that never settles is not an exception of the handler's: no guest name.
  const pending = await loaded({ h: 'function handler() { return new Promise(() => {}); }' });
  const err = await pending.callHandler('h', {}).then(() => assert.fail('resolved'), (e) => e);
  assert.equal(err.name, 'Error');
  assert.match(err.message, /never settled/);
});

test('a handler module whose handler is not a function fails to load, saying so', async () => {
  await assert.rejects(loaded({ h: 'export const handler = 5;' }), (err) => {
    assert.equal(err.code, 'ERR_INVALID_ARG');
    assert.match(err.message, /handler 'h' failed to load: the handler module must export a function named 'handler'; its 'handler' is number/);
    return true;
  });
});
