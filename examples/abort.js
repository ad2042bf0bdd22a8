// Cancellation tied to a request: each call gets the request's AbortSignal,
// combined with a deadline. A client that gives up stops its own call only.
'use strict';

const { SandboxBuilder } = require('../lib');

async function main() {
  const proto = await new SandboxBuilder().build();
  const sandbox = await proto.loadRuntime();
  sandbox.addHandler(
    'work',
    `function handler(event) {
       const start = Date.now();
       while (Date.now() - start < event.ms) {}
       return { ranFor: event.ms };
     }`,
  );
  const loaded = await sandbox.getLoadedSandbox();
  const snapshot = await loaded.snapshot();

  // A request that finishes within its deadline.
  const ok = new AbortController();
  const signal = AbortSignal.any([ok.signal, AbortSignal.timeout(5000)]);
  console.log('quick request:', await loaded.callHandler('work', { ms: 10 }, { signal }));

  // A client that disconnects half a second into a 10 s job.
  const client = new AbortController();
  setTimeout(() => client.abort(new Error('client disconnected')), 500);
  try {
    await loaded.callHandler('work', { ms: 10_000 }, { signal: AbortSignal.any([client.signal, AbortSignal.timeout(5000)]) });
    throw new Error('the call should have been aborted');
  } catch (error) {
    if (error.code !== 'ERR_CANCELLED') throw error;
    console.log(`aborted: ${error.message}`);
    console.log(`  cause: ${error.cause.message}; terminatedBy=${loaded.lastCallStats.terminatedBy}, poisoned=${loaded.poisoned}`);
  }
  await loaded.restore(snapshot);

  // A request whose signal was aborted before the call: the guest never runs it.
  try {
    await loaded.callHandler('work', { ms: 10 }, { signal: AbortSignal.abort('too late') });
  } catch (error) {
    console.log(`already aborted: ${error.code}, cause=${error.cause}, poisoned=${loaded.poisoned}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
