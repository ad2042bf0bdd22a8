// A calculator handler: JSON events in, JSON results out, several operations,
// and what a handler's own error looks like to the host.
// Run from the repository: node examples/calculator.js
'use strict';

const { SandboxBuilder } = require('../lib');

// The guest source. Throwing inside the handler rejects callHandler() with
// code ERR_GUEST_ABORT and the thrown message; the sandbox stays usable.
const CALCULATOR = `
  const ops = {
    add: (a, b) => a + b,
    subtract: (a, b) => a - b,
    multiply: (a, b) => a * b,
    divide: (a, b) => {
      if (b === 0) throw new Error('division by zero');
      return a / b;
    },
    sum: (...xs) => xs.reduce((s, x) => s + x, 0),
  };
  let calls = 0; // module state survives between calls on one loaded sandbox

  function handler(event) {
    const op = ops[event.op];
    if (!op) throw new Error('unknown operation: ' + event.op);
    calls += 1;
    return { op: event.op, operands: event.operands, result: op(...event.operands), calls };
  }
`;

async function main() {
  // Small, explicit sizes: events and results here are tiny.
  const proto = await new SandboxBuilder()
    .setHeapSize(16 * 1024 * 1024)
    .setInputBufferSize(64 * 1024)
    .setOutputBufferSize(64 * 1024)
    .build();
  const jsSandbox = await proto.loadRuntime();
  jsSandbox.addHandler('calculate', CALCULATOR);
  const calc = await jsSandbox.getLoadedSandbox();

  const events = [
    { op: 'add', operands: [2, 3], expect: 5 },
    { op: 'subtract', operands: [10, 4.5], expect: 5.5 },
    { op: 'multiply', operands: [-6, 7], expect: -42 },
    { op: 'divide', operands: [1, 4], expect: 0.25 },
    { op: 'sum', operands: [1, 2, 3, 4], expect: 10 },
  ];
  for (const { expect, ...event } of events) {
    const out = await calc.callHandler('calculate', event);
    console.log(`${event.op}(${event.operands.join(', ')}) = ${out.result}   [call #${out.calls}]`);
    if (out.result !== expect) throw new Error(`${event.op}: expected ${expect}, got ${out.result}`);
  }

  // Error cases: the handler throws; we expect ERR_GUEST_ABORT, anything else is a failure.
  for (const event of [{ op: 'divide', operands: [1, 0] }, { op: 'modulo', operands: [5, 2] }]) {
    try {
      await calc.callHandler('calculate', event);
      throw new Error(`${event.op} should have failed`);
    } catch (err) {
      if (err.code !== 'ERR_GUEST_ABORT') throw err;
      console.log(`${event.op}(${event.operands.join(', ')}) failed as expected: ${err.message.split('\n')[0]}`);
    }
  }

  // A failed call does not poison the sandbox: it keeps working.
  const after = await calc.callHandler('calculate', { op: 'add', operands: [40, 2] });
  console.log(`after the errors: add(40, 2) = ${after.result}, poisoned = ${calc.poisoned}`);
  if (after.result !== 42 || calc.poisoned) throw new Error('sandbox should still be healthy');
}

main().catch((err) => {
  console.error(`calculator.js failed [${err.code ?? 'no code'}]: ${err.message}`);
  process.exit(1);
});
