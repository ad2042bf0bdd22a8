'use strict';
// Node as the oracle across its release lines. The guest follows Node 22 and
// later where they differ from Node 20; on Node 20 these make the oracle's
// answer the later lines' one, from Node's own formatting. Used by
// prelude.node.test.mjs here and by __test__/globals.test.js.

const OLD_NODE = Number(process.versions.node.split('.')[0]) < 22;

/** util.inspect shows a buffer's and a DataView's accessors in brackets since Node 22; Node 20 showed them bare. */
const asCurrentNode = (text) => (OLD_NODE ? text.replace(/\b(byteLength|byteOffset|buffer): /g, '[$1]: ') : text);

/**
 * Node 20 formatted console.assert(false, notAString) as 'Assertion failed: '
 * + String(it); Node 22 and later format it as console.error would after
 * 'Assertion failed'. On Node 20 the oracle's assert follows the later rule.
 */
function withCurrentAssert(c) {
  if (!OLD_NODE) return c;
  c.assert = (value, ...args) => {
    if (value) return;
    if (typeof args[0] === 'string') args[0] = `Assertion failed: ${args[0]}`;
    else args.unshift('Assertion failed');
    c.warn(...args);
  };
  return c;
}

module.exports = { OLD_NODE, asCurrentNode, withCurrentAssert };
