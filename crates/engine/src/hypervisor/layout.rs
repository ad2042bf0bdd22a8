//! How a sandbox's sizes become a micro-VM's memory.
//!
//! In Hyperlight 0.17 every page the guest writes (heap, stack, the I/O
//! buffers, page tables) is backed by the VM's scratch region, and a guest
//! that runs out of scratch aborts ("Out of physical memory"). So scratch is
//! sized for all of them. The user's heap size is QuickJS's memory limit (set
//! in the guest), as on the process backend; the VM's heap is larger, for the
//! runtime's own copies of events and results around QuickJS. All of this is
//! address space: the host commits only pages the guest touches, and a
//! restore gives them back (MADV_DONTNEED, with the `kvm` feature alone).

use hyperlight_host::sandbox::SandboxConfiguration;
use hyperlight_host::HyperlightError;

use crate::config::SandboxConfig;
use crate::error::{Error, Result};

const PAGE: u64 = 4096;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
/// Hyperlight maps at most 16 GiB per memory region; leave room for the rest.
const MAX_REGION: u64 = 15 * GIB;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmLayout {
    pub heap: u64,
    pub scratch: u64,
    pub input: u64,
    pub output: u64,
}

fn pages(bytes: u64) -> u64 {
    bytes.div_ceil(PAGE) * PAGE
}

impl VmLayout {
    /// The layout for `config`, or an `ERR_INVALID_ARG` naming the sizes when
    /// a micro-VM cannot be that large (checked by `build()`, before any VM starts).
    pub fn for_config(config: &SandboxConfig) -> Result<Self> {
        // Room beside the event for the call's name and framing.
        let input = pages(config.input_buffer_size + 256 * 1024);
        // A result somewhat over the limit still fits, so the engine refuses
        // it by size and the sandbox lives on (a guest that cannot write its
        // result at all aborts, which poisons the VM).
        let output = pages(2 * config.output_buffer_size + MIB);
        let heap = pages(config.heap_size + 2 * input + 3 * output + 8 * MIB);
        // QuickJS's stack limit plus the Rust frames around it.
        let stack = pages(config.scratch_size + MIB);
        let body = heap + stack + input + output + 16 * MIB;
        // Page tables: 8 bytes per 4 KiB page, and the levels above.
        let scratch = pages(body + body / 256 + MIB);
        if scratch > MAX_REGION {
            return Err(Error::invalid_arg(format!(
                "these sizes need a micro-VM of {} MiB (heap {} + scratch {} + buffers {} + {} bytes, with the runtime's \
                 working room), more than the hypervisor backend's {} MiB: lower setHeapSize or the buffer sizes, \
                 or use setBackend('process')",
                scratch / MIB,
                config.heap_size,
                config.scratch_size,
                config.input_buffer_size,
                config.output_buffer_size,
                MAX_REGION / MIB,
            )));
        }
        Ok(Self { heap, scratch, input, output })
    }

    pub fn configuration(&self) -> SandboxConfiguration {
        let mut cfg = SandboxConfiguration::default();
        cfg.set_heap_size(self.heap);
        cfg.set_scratch_size(self.scratch as usize);
        cfg.set_input_data_size(self.input as usize);
        cfg.set_output_data_size(self.output as usize);
        cfg
    }
}

/// The guest could not write a result into the VM's output buffer.
pub fn is_output_overflow(err: &HyperlightError) -> bool {
    matches!(err, HyperlightError::GuestAborted(_, message)
        if message.contains("Failed to serialize function call result") || message.contains("output buffer"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{set_size, SizeKind};

    #[test]
    fn every_size_is_whole_pages_and_scratch_holds_the_rest() {
        let mut config = SandboxConfig::default();
        set_size(&mut config, SizeKind::Heap, 1.0).unwrap();
        set_size(&mut config, SizeKind::Scratch, 1.0).unwrap();
        set_size(&mut config, SizeKind::InputBuffer, 1000.0).unwrap();
        set_size(&mut config, SizeKind::OutputBuffer, 3.0).unwrap();
        for c in [config, SandboxConfig::default()] {
            let l = VmLayout::for_config(&c).unwrap();
            for size in [l.heap, l.scratch, l.input, l.output] {
                assert_eq!(size % PAGE, 0, "{l:?}");
            }
            assert!(l.heap >= c.heap_size && l.input >= c.input_buffer_size && l.output >= c.output_buffer_size);
            assert!(l.scratch >= l.heap + l.input + l.output + c.scratch_size, "{l:?}");
        }
    }

    #[test]
    fn a_vm_too_large_is_refused_naming_the_sizes() {
        let mut config = SandboxConfig::default();
        set_size(&mut config, SizeKind::Heap, (16u64 << 30) as f64).unwrap();
        let err = VmLayout::for_config(&config).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::InvalidArg);
        assert!(err.message.contains("setHeapSize") && err.message.contains("17179869184"), "{}", err.message);
        // Well inside the limit: fine.
        set_size(&mut config, SizeKind::Heap, (2u64 << 30) as f64).unwrap();
        VmLayout::for_config(&config).unwrap();
    }
}
