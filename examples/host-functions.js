// Guest code calling back into Node: sync and async host functions, errors
// the guest can catch, and host-side state that survives restore().
'use strict';

const { SandboxBuilder } = require('../lib');

const users = new Map([
  [1, { id: 1, name: 'Ada' }],
  [2, { id: 2, name: 'Grace' }],
]);

async function main() {
  const proto = await new SandboxBuilder().build();

  // A module with several functions, registered with the chainable builder.
  proto
    .hostModule('math')
    .register('add', (a, b) => a + b)
    .register('multiply', (a, b) => a * b);

  // Async: the guest blocks on the call; Node's event loop stays free while we await.
  proto.hostModule('db').register('fetchUser', async (id) => {
    await new Promise((resolve) => setTimeout(resolve, 10)); // a stand-in for real I/O
    if (!users.has(id)) throw new Error(`no user ${id}`);
    return users.get(id);
  });

  // The shorthand, and host state that lives in Node (not in the guest).
  let calls = 0;
  proto.register('stats', 'hit', () => ++calls);

  const sandbox = await proto.loadRuntime();
  sandbox.addHandler(
    'profile',
    `import * as math from 'host:math';
     import * as db from 'host:db';
     import * as stats from 'host:stats';
     function handler(event) {
       stats.hit();
       let user;
       try {
         user = db.fetchUser(event.id);
       } catch (e) {
         return { error: e.message };
       }
       return { user, score: math.add(math.multiply(event.id, 10), 1) };
     }`,
  );
  const loaded = await sandbox.getLoadedSandbox();
  const snapshot = await loaded.snapshot();

  console.log(await loaded.callHandler('profile', { id: 1 }));
  console.log(await loaded.callHandler('profile', { id: 3 }));
  await loaded.restore(snapshot); // guest memory rolls back; `calls` lives in Node and does not
  console.log(await loaded.callHandler('profile', { id: 2 }), `(host saw ${calls} calls)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
