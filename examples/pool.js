// A request loop through a SandboxPool. With resetAfterEachCall every request
// starts from the state right after load, so nothing one request leaves behind
// reaches the next, and a runaway request costs only itself: it is stopped by
// its wall-clock limit and its sandbox is restored before it serves again.
// Run from the repository: node examples/pool.js
'use strict';

const { SandboxPool } = require('../lib');

const HANDLER = `
  let served = 0; // module state: back to 0 before every request
  function handler(req) {
    served += 1;
    switch (req.op) {
      case 'greet': return { text: 'Hello, ' + req.name + '!', served };
      case 'sum': return { sum: req.values.reduce((a, b) => a + b, 0), served };
      case 'stash': globalThis.stash = req.secret; return { stashed: true, served };
      case 'peek': return { stash: globalThis.stash ?? null, served };
      case 'spin': for (;;) {}
      default: throw new Error('unknown op ' + req.op);
    }
  }`;

// As they might arrive from clients: one never finishes, one tries to leave
// data for later requests, one is malformed.
const REQUESTS = [
  { op: 'greet', name: 'Ada' },
  { op: 'stash', secret: 'card 4111-1111' },
  { op: 'spin' },
  { op: 'sum', values: [1, 2, 3, 4] },
  { op: 'peek' },
  { op: 'greet', name: 'Grace' },
  { op: 'teleport' },
  { op: 'peek' },
];
const LIMITS = { wallClockTimeoutMs: 1000 };

function check(cond, what) {
  if (!cond) throw new Error(`unexpected: ${what}`);
}

async function main() {
  const pool = new SandboxPool({ min: 1, max: 2, resetAfterEachCall: true, handlers: { api: HANDLER } });
  await pool.ready();

  // Every request at once: two run, the rest wait in the pool's queue.
  const outcomes = await Promise.all(
    REQUESTS.map((req) =>
      pool.callHandler('api', req, LIMITS).then(
        (result) => ({ ok: true, result }),
        (err) => ({ ok: false, code: err.code, message: err.message.split('\n')[0] }),
      ),
    ),
  );
  REQUESTS.forEach((req, i) => {
    const o = outcomes[i];
    console.log(`${JSON.stringify(req).padEnd(40)} → ${o.ok ? JSON.stringify(o.result) : `${o.code}: ${o.message}`}`);
  });

  const byOp = (op) => outcomes.filter((_, i) => REQUESTS[i].op === op);
  check(byOp('spin')[0].code === 'ERR_CANCELLED', 'the runaway request is cancelled');
  check(byOp('teleport')[0].code === 'ERR_GUEST_ABORT', 'the malformed request fails in the handler');
  check(byOp('peek').every((o) => o.ok && o.result.stash === null), 'no request sees what another stashed');
  check(outcomes.filter((o) => o.ok).every((o) => o.result.served === 1), 'every request starts from the loaded state');

  console.log('pool stats:', JSON.stringify(pool.stats));
  check(pool.stats.size <= 2, 'never more than max sandboxes');
  await pool.close();
  console.log('closed; calls after close() reject:', await pool.callHandler('api', {}).catch((err) => err.code));
}

main().catch((err) => {
  console.error(`pool.js failed [${err.code ?? 'no code'}]: ${err.message}`);
  process.exit(1);
});
