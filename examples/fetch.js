// The guest's fetch under the host's rules: allowOrigins lets handlers reach
// one local HTTP server (standing in for an API) and nothing else, and a
// policy of your own can answer requests itself.
'use strict';

const http = require('node:http');
const { SandboxBuilder, allowOrigins } = require('../lib');

async function main() {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, method: req.method }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = `http://127.0.0.1:${server.address().port}`;
  try {
    const proto = await new SandboxBuilder().setFetch(allowOrigins([api]), { maxBodyBytes: 64 * 1024 }).build();
    const sandbox = await proto.loadRuntime();
    sandbox.addHandler('get', `
      async function handler(event) {
        const response = await fetch(event.url, { method: 'POST', body: JSON.stringify({ hello: 'api' }) });
        return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
      }
    `);
    sandbox.addHandler('elsewhere', `
      async function handler(event) {
        try { await fetch(event.url); return 'fetched'; } catch (err) { return err.name + ': ' + err.message; }
      }
    `);
    const loaded = await sandbox.getLoadedSandbox();
    const limits = { wallClockTimeoutMs: 5000 };
    console.log('allowed:', await loaded.callHandler('get', { url: `${api}/users/1` }, limits));
    console.log('refused:', await loaded.callHandler('elsewhere', { url: 'https://example.com/' }, limits));

    // A policy can also answer by itself, here from a fixed table.
    const canned = await (await new SandboxBuilder()
      .setFetch((request) => new Response(JSON.stringify({ url: request.url, cached: true }), { headers: { 'content-type': 'application/json' } }))
      .build()).loadRuntime();
    canned.addHandler('get', 'async function handler(e) { return (await fetch(e.url)).json(); }');
    console.log('canned:', await (await canned.getLoadedSandbox()).callHandler('get', { url: 'https://api.example/v1/x' }, limits));
  } finally {
    server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
