// The ES module entry point. It re-exports the CommonJS module rather than
// duplicating it, so both entry points share one addon and one set of classes
// (an `instanceof` check holds whichever way a caller loaded the package).
import api from './index.js';

export const {
  SandboxBuilder,
  ProtoJSSandbox,
  JSSandbox,
  LoadedJSSandbox,
  InterruptHandle,
  Snapshot,
  HostModule,
  hypervisorProbe,
  metrics,
  allowOrigins,
  SandboxPool,
} = api;

export default api;
