// Hello world: the whole sandbox lifecycle in one go.
//   SandboxBuilder -> ProtoJSSandbox -> JSSandbox -> LoadedJSSandbox
// Run from the repository: node examples/simple.js
'use strict';

const { SandboxBuilder } = require('../lib');

async function main() {
  // 1. Configure and build. Defaults are fine here; see calculator.js for sizes.
  const proto = await new SandboxBuilder().build();
  console.log(`backend: ${proto.backend}`);

  // 2. Start the JavaScript runtime inside the sandbox (off the event loop).
  const jsSandbox = await proto.loadRuntime();

  // 3. Register a handler. The first argument is the routing key used by
  //    callHandler(); the source must define a function named `handler`.
  jsSandbox.addHandler('greet', `
    function handler(event) {
      event.message = 'Hello, ' + event.name + '!';
      return event;
    }
  `);

  // 4. Compile the handlers in the guest.
  const loaded = await jsSandbox.getLoadedSandbox();

  // 5. Call it. The event goes in as JSON and the result comes back parsed.
  const result = await loaded.callHandler('greet', { name: 'World' });
  console.log('result:', result);

  if (result.message !== 'Hello, World!') {
    throw new Error(`unexpected result: ${JSON.stringify(result)}`);
  }
}

main().catch((err) => {
  console.error(`simple.js failed [${err.code ?? 'no code'}]: ${err.message}`);
  process.exit(1);
});
