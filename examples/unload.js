// Unload and reload: unload() drops every handler (and its state) and hands
// back a JSSandbox on the same guest, ready for new handlers.
// Run from the repository: node examples/unload.js
'use strict';

const { SandboxBuilder } = require('../lib');

const COUNTER = `
  let count = 0;
  function handler(event) {
    count += event.step ?? 1;
    return { count };
  }
`;

function check(cond, what) {
  if (!cond) throw new Error(`unexpected: ${what}`);
}

async function main() {
  const jsSandbox = await (await new SandboxBuilder().build()).loadRuntime();
  jsSandbox.addHandler('counter', COUNTER);
  let loaded = await jsSandbox.getLoadedSandbox();

  // State lives in the guest between calls on one loaded sandbox.
  for (let i = 0; i < 3; i++) console.log('counter:', await loaded.callHandler('counter', {}));
  check((await loaded.callHandler('counter', { step: 10 })).count === 13, 'count 13 before unload');

  // unload() consumes the loaded sandbox and returns a JSSandbox with no handlers.
  const fresh = await loaded.unload();
  try {
    await loaded.callHandler('counter', {});
    throw new Error('the unloaded sandbox should refuse calls');
  } catch (err) {
    if (err.code !== 'ERR_CONSUMED') throw err;
    console.log('old handle after unload():', err.code);
  }

  // Load the same counter again (its state starts over) plus a new handler.
  fresh.addHandler('counter', COUNTER);
  fresh.addHandler('shout', 'function handler(event) { return event.text.toUpperCase() + "!"; }');
  loaded = await fresh.getLoadedSandbox();

  const after = await loaded.callHandler('counter', {});
  console.log('counter after reload:', after);
  check(after.count === 1, 'count restarts at 1 after reload');
  const shouted = await loaded.callHandler('shout', { text: 'new handler loaded' });
  console.log('shout:', shouted);
  check(shouted === 'NEW HANDLER LOADED!', 'new handler result');

  await loaded.unload();
}

main().catch((err) => {
  console.error(`unload.js failed [${err.code ?? 'no code'}]: ${err.message}`);
  process.exit(1);
});
