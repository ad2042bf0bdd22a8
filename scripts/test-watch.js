// Preloaded into every test process by scripts/test.js (NODE_OPTIONS
// --require) when HYPERLIGHT_JS_TEST_TRACE names a file: each test and
// subtest writes a line to it, synchronously, as it starts and ends. A test
// that blocks its process's event loop, or a process stuck in the kernel,
// can then still be named by the runner that kills it: node's own reporters
// only report a test once it ends.
'use strict';

const trace = process.env.HYPERLIGHT_JS_TEST_TRACE;
if (trace) {
  const fs = require('node:fs');
  const nodeTest = require('node:test');
  const file = process.argv[1] || '?';
  const fd = fs.openSync(trace, 'a');
  const mark = (what, name) => {
    try {
      fs.writeSync(fd, `${what}\t${process.pid}\t${file}\t${name}\n`);
    } catch {
      // The trace is a diagnostic: never fail a test over it.
    }
  };

  // `test(name?, options?, fn?)`: wrap the function, whichever argument it is.
  const watched = (original, prefix) =>
    function test(...args) {
      const i = args.findIndex((a) => typeof a === 'function');
      const name = typeof args[0] === 'string' ? args[0] : (args[i] && args[i].name) || '<anonymous>';
      const full = prefix ? `${prefix} > ${name}` : name;
      if (i >= 0) {
        const fn = args[i];
        args[i] = async function (t, ...rest) {
          if (t && typeof t.test === 'function') t.test = watched(t.test.bind(t), full);
          mark('start', full);
          try {
            return await fn.call(this, t, ...rest);
          } finally {
            mark('end', full);
          }
        };
      }
      return original.apply(this, args);
    };

  nodeTest.test = watched(nodeTest.test, '');
}
