// CPU and wall-clock limits together (OR semantics): the CPU monitor stops
// compute-bound work; the wall clock is the backstop for a guest that waits.
'use strict';

const { SandboxBuilder } = require('../lib');

async function main() {
  const proto = await new SandboxBuilder().build();
  // A host function that just waits: time spent here is not guest CPU time.
  proto.register('host', 'sleep', (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)));
  const sandbox = await proto.loadRuntime();
  sandbox.addHandler(
    'mine',
    `function handler() {
       let x = 0;
       for (;;) { x = (x * 31 + 7) % 1000003; }
     }`,
  );
  sandbox.addHandler(
    'waiter',
    `import * as host from 'host:host';
     function handler(event) { return { slept: host.sleep(event.ms) }; }`,
  );
  const loaded = await sandbox.getLoadedSandbox();
  const snapshot = await loaded.snapshot();
  const limits = { cpuTimeoutMs: 200, wallClockTimeoutMs: 2000 };

  for (const [name, event] of [
    ['mine', {}],
    ['waiter', { ms: 500 }],
    ['waiter', { ms: 5000 }],
  ]) {
    try {
      const result = await loaded.callHandler(name, event, limits);
      const s = loaded.lastCallStats;
      console.log(`${name}(${JSON.stringify(event)}) → ${JSON.stringify(result)}: wall ${s.wallClockMs.toFixed(0)} ms, guest CPU ${s.cpuTimeMs.toFixed(1)} ms`);
    } catch (error) {
      if (error.code !== 'ERR_CANCELLED') throw error;
      const s = loaded.lastCallStats;
      console.log(`${name}(${JSON.stringify(event)}) stopped by ${s.terminatedBy}: wall ${s.wallClockMs.toFixed(0)} ms, guest CPU ${s.cpuTimeMs.toFixed(1)} ms`);
      await loaded.restore(snapshot);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
