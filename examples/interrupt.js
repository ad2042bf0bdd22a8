// A handler that would run for 4 seconds, stopped after 1 second by a
// wall-clock timeout; then the sandbox is restored from a snapshot and used again.
'use strict';

const { SandboxBuilder } = require('../lib');

async function main() {
  const proto = await new SandboxBuilder().build();
  const sandbox = await proto.loadRuntime();
  sandbox.addHandler(
    'slow',
    `function handler(event) {
       const start = Date.now();
       while (Date.now() - start < event.ms) {}
       return { ranFor: event.ms };
     }`,
  );
  const loaded = await sandbox.getLoadedSandbox();
  // Taken before anything can go wrong: restore() needs it after a kill.
  const snapshot = await loaded.snapshot();

  console.log('Calling a 4 s handler with a 1 s wall-clock timeout...');
  try {
    await loaded.callHandler('slow', { ms: 4000 }, { wallClockTimeoutMs: 1000 });
    throw new Error('the handler should have been stopped');
  } catch (error) {
    if (error.code !== 'ERR_CANCELLED') throw error;
    const stats = loaded.lastCallStats;
    console.log(`Stopped: ${error.message}`);
    console.log(`  after ${stats.wallClockMs.toFixed(0)} ms, terminatedBy=${stats.terminatedBy}, poisoned=${loaded.poisoned}`);
  }

  await loaded.restore(snapshot);
  console.log(`Restored: poisoned=${loaded.poisoned}`);
  console.log('A short call now succeeds:', await loaded.callHandler('slow', { ms: 10 }));

  // interruptHandle.kill() does the same from any timer or callback.
  const timer = setTimeout(() => loaded.interruptHandle.kill(), 300);
  try {
    await loaded.callHandler('slow', { ms: 4000 });
  } catch (error) {
    if (error.code !== 'ERR_CANCELLED') throw error;
    console.log(`kill() from a timer: ${error.code}, terminatedBy=${loaded.lastCallStats.terminatedBy}`);
  } finally {
    clearTimeout(timer);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
