#!/usr/bin/env bash
# Runs a command inside a throwaway Linux VM whose emulated CPU has AMD SVM with
# nested paging, so that /dev/kvm works in there and Hyperlight micro-VMs start,
# on hosts whose own KVM cannot run them (nested, paravirtual kvm_pvm) or that
# have no KVM at all. Exits with the command's exit status.
#
#   scripts/hypervisor-vm.sh [--check] DIR COMMAND
#
#   --check   only say whether the rig can run here (exit 0) or why not (exit 3)
#   DIR       the directory the command runs in (inside the VM)
#   COMMAND   a bash command line
#
# How: QEMU in pure emulation (TCG, so the host needs no KVM), a stock Debian
# kernel (downloaded as a package, unpacked, never installed), and a small
# busybox initramfs that mounts this machine's / over virtio-9p as the VM's
# root, loads kvm_amd and runs the command. Nothing is copied: the VM sees the
# checkout, its build, node and node_modules. The share is read-write and the
# VM runs as root: for throwaway CI and development machines only.
#
# Everything in the VM runs 10-50x slower than natively; the VM has no network
# but its loopback interface.
#
# Environment: HYPERLIGHT_VM_CPUS (default 1, see below), HYPERLIGHT_VM_MEM
# (default 6G), HYPERLIGHT_VM_TIMEOUT in seconds (default 2700),
# HYPERLIGHT_VM_STALL in seconds (default 180: no output and no test starting
# or ending for that long ends the VM; the slowest test there takes ~30 s),
# HYPERLIGHT_VM_LOCKUP_STALL (default 60: the same once the VM's kernel has
# reported a soft lockup), HYPERLIGHT_VM_ACCEL (QEMU's -accel, default
# tcg,thread=multi),
# HYPERLIGHT_VM_CACHE (default /var/tmp/hyperlight-js-vm): kernel and initramfs,
# HYPERLIGHT_VM_KERNEL: a Debian kernel package to boot instead of the one
# linux-image-amd64 points at (it must be known to apt, or unpacked in the cache).
#
# Exit status: the command's; 3 when the rig cannot run here (the reason is
# printed); 124 when the VM ended without the command finishing within its
# time; 125 when it stalled (no progress for HYPERLIGHT_VM_STALL seconds).
# HYPERLIGHT_JS_VM_DONE and the other variables scripts/test.js uses are
# passed into the VM.
set -euo pipefail

check_only=0
if [ "${1:-}" = "--check" ]; then check_only=1; shift; fi

cant() { echo "hypervisor-vm: cannot run here: $*" >&2; exit 3; }

# ---- what the rig needs on the host -------------------------------------
[ "$(uname -m)" = x86_64 ] || cant "needs an x86-64 host (this is $(uname -m))"
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx switch_root || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v depmod >/dev/null || [ -x /sbin/depmod ] || need+=(kmod)
command -v apt-get >/dev/null || cant "no apt-get to install or download ${need[*]:-the kernel package}"
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || cant "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
  echo "hypervisor-vm: installing ${need[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || cant "apt-get install ${need[*]} failed"
fi
[ "$(id -u)" = 0 ] || cant "the VM shares / read-write as root: run as root"

cache="${HYPERLIGHT_VM_CACHE:-/var/tmp/hyperlight-js-vm}"
mkdir -p "$cache"

# ---- the kernel: the one Debian's linux-image-amd64 points at ------------
kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -1
}
kpkg="${HYPERLIGHT_VM_KERNEL:-$(kernel_package)}"
if [ -z "$kpkg" ]; then
  apt-get update -qq >/dev/null || true
  kpkg="$(kernel_package)"
fi
[ -n "$kpkg" ] || cant "apt knows no linux-image-amd64 kernel package"
kroot="$cache/$kpkg"
if [ ! -d "$kroot/boot" ]; then
  echo "hypervisor-vm: fetching the kernel ($kpkg)" >&2
  tmp="$(mktemp -d "$cache/dl.XXXXXX")"
  (cd "$tmp" && apt-get download "$kpkg" >/dev/null 2>&1) || { rm -rf "$tmp"; cant "apt-get download $kpkg failed"; }
  dpkg-deb -x "$tmp"/*.deb "$tmp/root" && rm -rf "$kroot" && mv "$tmp/root" "$kroot"
  rm -rf "$tmp"
fi
kver="$(ls "$kroot/lib/modules" | head -1)"
vmlinuz="$kroot/boot/vmlinuz-$kver"
mods="$kroot/lib/modules/$kver/kernel"
[ -f "$vmlinuz" ] || cant "the kernel package $kpkg has no $vmlinuz"

# Modules, in load order: virtio and 9p to mount the root, then KVM.
root_mods=(drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci fs/netfs/netfs fs/fscache/fscache
  net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p)
kvm_mods=(virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd)
# A kernel may have some of them built in (newer Debian kernels: virtio), and
# fscache is part of netfs since Linux 6.8.
present=()
for m in "${root_mods[@]}" "${kvm_mods[@]}"; do
  if ls "$mods/$m.ko"* >/dev/null 2>&1; then
    present+=("$m")
  elif ! grep -q "^kernel/$m.ko" "$kroot/lib/modules/$kver/modules.builtin" 2>/dev/null && [ "$m" != fs/fscache/fscache ]; then
    cant "the kernel $kver has no module $m"
  fi
done
has() { [[ " ${present[*]} " == *" $1 "* ]]; }

if [ "$check_only" = 1 ]; then
  echo "hypervisor-vm: ready (kernel $kver, $(qemu-system-x86_64 --version | head -1))"
  exit 0
fi

dir="$(cd "${1:?usage: hypervisor-vm.sh [--check] DIR COMMAND}" && pwd)"
shift
[ $# -gt 0 ] || { echo "usage: hypervisor-vm.sh [--check] DIR COMMAND" >&2; exit 2; }

# ---- the initramfs (cached per kernel and per version of this script) ----
# The init script is written once here and read by the VM as its first process.
stamp="$(sha256sum "$0" | cut -c1-12)"
initrd="$cache/initrd-$kver-$stamp.gz"
if [ ! -f "$initrd" ]; then
  t="$(mktemp -d)"
  mkdir -p "$t"/{bin,proc,sys,dev,newroot,mods}
  cp /bin/busybox "$t/bin/busybox"
  i=0
  for m in "${root_mods[@]}"; do
    has "$m" || continue
    f="$(ls "$mods/$m.ko"* | head -1)"
    i=$((i + 1))
    # Debian may ship modules compressed; busybox insmod wants them plain.
    case "$f" in
      *.xz) xz -dc "$f" >"$t/mods/$(printf %02d $i).ko" ;;
      *.zst) zstd -qdc "$f" >"$t/mods/$(printf %02d $i).ko" ;;
      *) cp "$f" "$t/mods/$(printf %02d $i).ko" ;;
    esac
  done
  cat >"$t/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "$m" || echo "initramfs: insmod $m failed"; done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /newroot; then
  echo "initramfs: mounting the host's root over 9p failed"
  poweroff -f
fi
script="$(sed -n 's/.*hlvm_script=\([^ ]*\).*/\1/p' /proc/cmdline)"
for d in proc sys dev; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /bin/bash "$script"
INIT
  chmod +x "$t/init"
  (cd "$t" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$t"
fi

# ---- the run ---------------------------------------------------------------
run="$(mktemp -d /tmp/hyperlight-js-vm.XXXXXX)"
trap 'rm -rf "$run"' EXIT
printf '%s' "$*" >"$run/cmd"
: >"$run/out"
{
  echo '#!/bin/bash'
  echo 'mount -t tmpfs tmpfs /dev/shm 2>/dev/null'
  # TMPDIR on the VM's own memory: its root is this machine's over 9p, where
  # writing the 113 MiB file a micro-VM snapshot is mapped from (see the
  # engine's hypervisor/disk.rs) took 10-12 s against 3-5 s here, which
  # measured the share, not the product (on a real host TMPDIR is a local disk).
  echo 'mkdir -p /dev/hl-tmp && mount -t tmpfs -o size=4g,mode=1777 tmpfs /dev/hl-tmp && export TMPDIR=/dev/hl-tmp'
  # No network, but loopback: tests serve HTTP to themselves on 127.0.0.1.
  echo '/bin/busybox ip link set lo up 2>/dev/null || /bin/busybox ifconfig lo 127.0.0.1 up'
  for m in "${kvm_mods[@]}"; do
    has "$m" || continue
    f="$(ls "$mods/$m.ko"* | head -1)"
    case "$f" in
      *.ko) echo "insmod '$f' 2>/dev/null" ;;
      *.xz) echo "xz -dc '$f' >/tmp/m.ko && insmod /tmp/m.ko 2>/dev/null" ;;
      *.zst) echo "zstd -qdc '$f' >/tmp/m.ko && insmod /tmp/m.ko 2>/dev/null" ;;
    esac
  done
  echo "export PATH='$PATH' HOME='${HOME:-/root}' HYPERLIGHT_JS_IN_VM=1"
  # The caller's CI flag and backend choice matter to the command.
  for v in CI HYPERLIGHT_JS_BACKEND HYPERLIGHT_MONITOR_THREADS HYPERLIGHT_JS_TEST_TRACE HYPERLIGHT_JS_VM_DONE; do
    [ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
  done
  echo "[ -e /dev/kvm ] || echo 'hypervisor-vm: /dev/kvm did not appear in the VM' >&2"
  # Before the host ends a VM that makes no progress, show on the console
  # where each thread of the command is: in the kernel (its stack, e.g. KVM_RUN)
  # or waiting in user space (a futex: our code). Needs a live VM kernel.
  printf 'watched=(%q %q)\n' "$run/out" "${HYPERLIGHT_JS_TEST_TRACE:-$run/out}"
  cat <<'WATCH'
( dumped=''
  while sleep 10; do
    newest=$(stat -c %Y "${watched[@]}" 2>/dev/null | sort -n | tail -1)
    idle=$(( $(date +%s) - newest ))
    if [ "$idle" -lt 100 ]; then dumped=''; continue; fi
    [ -n "$dumped" ] && continue
    dumped=1
    { echo "hypervisor-vm: no progress for $idle s; where every thread is:"
      for t in /proc/[0-9]*/task/[0-9]*; do
        comm=$(cat $t/comm 2>/dev/null) || continue
        case "$comm" in node|hyperlight*|tokio*) ;; *) continue ;; esac
        echo "-- ${t#/proc/} $comm $(awk '{print $3}' $t/stat 2>/dev/null) wchan=$(cat $t/wchan 2>/dev/null)"
        head -12 $t/stack 2>/dev/null
      done; } >/dev/console 2>&1
  done ) &
WATCH
  echo "cd '$dir' && bash -c \"\$(cat '$run/cmd')\" >>'$run/out' 2>&1"
  echo "echo \$? >'$run/rc'"
  echo 'sync'
  echo '/bin/busybox poweroff -f'
} >"$run/inside.sh"
chmod +x "$run/inside.sh"

# The command's output streams from a file on the shared root (clean, unlike
# the serial console); the console goes to a log shown only if the VM fails.
tail -n +1 -f "$run/out" &
tailer=$!
# One vCPU by default. With two, QEMU's TCG emulation of nested SVM now and
# then loses the cross-CPU interrupts the VM's kernel waits for (soft lockups
# in smp_call_function_many_cond, with the waiting CPU spinning for good,
# often as a micro-VM's vCPU is created or torn down); with one there are no
# such interrupts. On 2026-12-02 two 2-vCPU VMs out of six locked up so, and
# five soak runs in a row on a 1-vCPU VM were clean (bench/results/history.md, Tests).
cpus="${HYPERLIGHT_VM_CPUS:-1}"
stall="${HYPERLIGHT_VM_STALL:-180}"
# Once the VM's kernel reports a soft lockup, a minute without progress is
# enough: no VM here has come back from one.
lockstall="${HYPERLIGHT_VM_LOCKUP_STALL:-60}"
set +e
timeout "${HYPERLIGHT_VM_TIMEOUT:-2700}" qemu-system-x86_64 \
  -machine q35 -accel "${HYPERLIGHT_VM_ACCEL:-tcg,thread=multi}" -cpu EPYC,+svm,+npt -smp "$cpus" -m "${HYPERLIGHT_VM_MEM:-6G}" \
  -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 quiet loglevel=5 panic=-1 hlvm_script=$run/inside.sh" \
  -display none -serial "file:$run/console" -monitor none -no-reboot \
  -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,id=hostroot,multidevs=remap \
  2>"$run/qemu.err" &
vm=$!
# A VM whose kernel locks up (seen here: every vCPU in a soft lockup, under
# TCG) makes no progress at all, and nothing inside it can end the command.
# No new output and no test starting or ending for $stall seconds ends it,
# or for $lockstall seconds once its kernel reported a soft lockup since the
# last progress.
stalled=0
newest() { stat -c %Y "$run/out" ${HYPERLIGHT_JS_TEST_TRACE:+"$HYPERLIGHT_JS_TEST_TRACE"} 2>/dev/null | sort -n | tail -1; }
lockups() { grep -c 'soft lockup - CPU#' "$run/console" 2>/dev/null || true; }
seen_at="$(newest)"
locks_then=0
while kill -0 "$vm" 2>/dev/null; do
  sleep 5
  now="$(newest)"
  if [ "$now" != "$seen_at" ]; then
    seen_at="$now"
    locks_then="$(lockups)"
  fi
  idle=$(($(date +%s) - now))
  limit="$stall"
  [ "$(lockups)" -gt "$locks_then" ] && limit="$lockstall"
  if [ "$idle" -gt "$limit" ]; then
    stalled=1
    kill "$vm" 2>/dev/null
    pkill -P "$vm" 2>/dev/null
    break
  fi
done
wait "$vm"
qemu=$?
set -e
sleep 0.5
kill "$tailer" 2>/dev/null || true
wait "$tailer" 2>/dev/null || true
# The VM's console shows what the command's output cannot: the guest
# kernel's soft-lockup and hung-task reports, an OOM kill, a panic.
console_tail() {
  echo "hypervisor-vm: the last lines of the VM's console:" >&2
  grep -v "TCG doesn't support requested feature" "$run/qemu.err" >&2 || true
  tail -n 150 "$run/console" >&2 2>/dev/null || true
}
if [ -f "$run/rc" ]; then
  rc="$(cat "$run/rc")"
  [ "$rc" = 0 ] || console_tail
  exit "$rc"
fi
if [ "$stalled" = 1 ]; then
  echo "hypervisor-vm: STALLED: the VM printed nothing and no test started or ended for $idle s (HYPERLIGHT_VM_STALL=$stall, or HYPERLIGHT_VM_LOCKUP_STALL=$lockstall after a soft lockup); it was ended" >&2
  console_tail
  # Seen here under TCG, in runs whose tests pass when run again: the VM's
  # kernel reporting soft lockups (a CPU stuck in the kernel for tens of
  # seconds) in its idle task (swapper) and kthreadd from seconds after boot,
  # or in a micro-VM's vCPU thread stuck in KVM_RUN; and, with nothing on the
  # console at all, a process that boots micro-VMs and can no longer be
  # killed, where on real KVM the kick that Hyperlight's kill sends always
  # brings a vCPU out. Exit 125 says: the emulated machine stopped.
  if grep -qE 'soft lockup - CPU#[0-9]+ stuck' "$run/console" 2>/dev/null; then
    echo "hypervisor-vm: the VM's kernel reported soft lockups (above)" >&2
  fi
  exit 125
fi
echo "hypervisor-vm: the VM ended without the command finishing within ${HYPERLIGHT_VM_TIMEOUT:-2700} s (qemu exit $qemu)" >&2
console_tail
exit 124
