'use strict';
// Backend selection and the hypervisor probe. The whole suite runs once per
// available backend (scripts/test.js); where micro-VMs cannot run, that run
// is reported here as skipped, with the probe's reason.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { hypervisorProbe } = require('../lib');
const { runNode, LIB } = require('./helpers');

test('the probe answers { available, reason } and gives a reason whenever it fails', async () => {
  const probe = await hypervisorProbe();
  assert.equal(typeof probe.available, 'boolean');
  if (probe.available) assert.equal(probe.reason, null);
  else assert.ok(typeof probe.reason === 'string' && probe.reason.length > 10, `reason: ${probe.reason}`);
  // Probed once per process: the same answer again.
  assert.deepEqual(await hypervisorProbe(), probe);
});

// The team's machines: /dev/kvm exists, but it is a nested paravirtual KVM
// (kvm_pvm) that cannot run Hyperlight guests. Presence proves nothing; the probe must say so.
const knownBrokenKvm = fs.existsSync('/sys/module/kvm_pvm');
const noKvm = !fs.existsSync('/dev/kvm') && !fs.existsSync('/dev/mshv');
test('where micro-VMs are known not to work, the probe says the micro-VM could not start', { skip: !(knownBrokenKvm || noKvm) && 'this host may run micro-VMs' }, async () => {
  const probe = await hypervisorProbe();
  assert.equal(probe.available, false);
  // A build without the micro-VM backend (scripts/build.js --process-only) gives that as the reason instead.
  assert.match(probe.reason, noKvm ? /no usable hypervisor|no micro-VM support/ : /probe micro-VM could not start|no micro-VM support/);
});

test("'auto' without working micro-VMs warns once, naming the reason, and uses the process backend", async (t) => {
  const probe = await hypervisorProbe();
  if (probe.available) return t.skip('micro-VMs work here: auto picks them');
  const script = `
    const { SandboxBuilder } = require(${LIB});
    (async () => {
      const a = await new SandboxBuilder().build();
      const b = await new SandboxBuilder().setBackend('auto').build();
      console.log(JSON.stringify([a.backend, b.backend]));
    })();`;
  const r = runNode(script, { env: { HYPERLIGHT_JS_BACKEND: '' }, timeout: 60_000 });
  assert.deepEqual(JSON.parse(r.stdout), ['process', 'process']);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('HYPERLIGHT_JS_PROCESS_BACKEND'));
  assert.equal(warnings.length, 1, r.stderr);
  assert.ok(r.stderr.includes(probe.reason), r.stderr);
});

test('the whole __test__ suite on the hypervisor backend', async (t) => {
  const probe = await hypervisorProbe();
  if (!probe.available) {
    // Loud on purpose: this run does not test micro-VMs. scripts/test.js runs
    // the suite again inside a nested-virtualisation VM where it can, and
    // says so loudly where it cannot.
    console.error(`\n*** SKIPPED here: the __test__ suite on the hypervisor backend (${probe.reason}); npm test runs it in the test VM ***\n`);
    return t.skip(`micro-VMs cannot run natively here: ${probe.reason}`);
  }
  // Where they can, scripts/test.js runs every file again with HYPERLIGHT_JS_BACKEND=hypervisor.
  assert.ok(probe.available);
});
