// Reusable ES modules inside the guest: dependencies in any registration
// order, a custom namespace, and module state shared by two handlers.
'use strict';

const { SandboxBuilder } = require('../lib');

async function main() {
  const sandbox = await (await new SandboxBuilder().build()).loadRuntime();

  // 'geometry' imports 'constants', registered after it: modules compile on first import.
  sandbox.addModule('geometry', `
    import { PI } from 'user:constants';
    export function circleArea(r) { return PI * r * r; }
  `);
  sandbox.addModule('constants', 'export const PI = 3.14159;');
  sandbox.addModule('strings', 'export function shout(s) { return s.toUpperCase() + "!"; }', 'mylib');

  // One module instance, shared by every handler that imports it.
  sandbox.addModule('counter', `
    let count = 0;
    export function increment() { return ++count; }
    export function getCount() { return count; }
  `);
  sandbox.addHandler('area', `
    import { circleArea } from 'user:geometry';
    import { shout } from 'mylib:strings';
    function handler(event) { return { area: circleArea(event.r), label: shout('circle') }; }
  `);
  sandbox.addHandler('writer', `
    import { increment } from 'user:counter';
    function handler(event) { event.count = increment(); return event; }
  `);
  sandbox.addHandler('reader', `
    import { getCount } from 'user:counter';
    function handler(event) { event.count = getCount(); return event; }
  `);

  const loaded = await sandbox.getLoadedSandbox();
  console.log('area:', await loaded.callHandler('area', { r: 2 }));
  for (const name of ['writer', 'reader', 'writer', 'reader']) {
    console.log(`${name}:`, await loaded.callHandler(name, {}));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
