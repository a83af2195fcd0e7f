#!/usr/bin/env bash
# fresh-machine-check: runs the README's quick start (`cargo install just`, `just run`, `just test`)
# in a minimal Debian 12 root, to prove that `just setup` installs everything else the build needs.
#
#   bash scripts/fresh-machine-check.sh [bare|stocked|both]      (`just fresh-machine-check VARIANT`)
#
#   bare     Debian 12 minbase + gcc, libc6-dev, git and ca-certificates, without their recommended
#            packages (as a slim CI image has them); nothing else
#   stocked  gcc, git, ca-certificates with Debian's recommended packages (as `apt install` gives
#            them: libc6-dev, perl, patch, openssh-client, ...) + libbsd-dev and uuid-dev, like a
#            well-stocked developer machine
#   both     bare, then stocked (one after the other: each quick start builds Aeron twice)
#
# Needs root (debootstrap, chroot, mount) and about 15 GB free under FRESH_SCRATCH. Each variant
# takes 25-45 minutes on 2 cores; this is not part of `just test`.
#
# What the root holds: the pristine `debootstrap --variant=minbase bookworm` tree (cached as a tarball
# in .cache/fresh-root/, unpacked anew for every variant under FRESH_SCRATCH), the host's Rust
# toolchain (RUSTUP_HOME bind-mounted read-only at the same path, a fresh writable CARGO_HOME whose
# bin/ holds the rustup proxies), the packages above, this workplace's CA certificates, and a
# `git clone` of the host checkout at FRESH_REF. Mounted while it runs: /proc, /dev, /dev/pts (binds),
# a read-only sysfs on /sys (aeronmd reads the CPU topology there) and a private tmpfs on /dev/shm.
# Everything is unmounted and the root removed on exit, failure, Ctrl-C or TERM; roots left by a
# killed run are cleaned up by the next run.
#
# Variables:
#   FRESH_REF=HEAD          commit of the host checkout to test (a branch, tag or sha). Only committed
#                           work is tested: uncommitted changes are not in the clone.
#   FRESH_SCRATCH=/var/tmp  the roots are unpacked in its subfolder rusteron-fresh-machine/
#   FRESH_MIRROR=http://deb.debian.org/debian       Debian mirror for debootstrap and apt
#   FRESH_SECURITY_MIRROR=http://deb.debian.org/debian-security
#   FRESH_REBUILD_ROOT=1    run debootstrap again instead of using the cached tarball
#   FRESH_KEEP=1            keep the (unmounted) root after the run, for inspection (the next run
#                           removes it)
#   FRESH_STOP_AFTER=root|base|just   stop a variant after that stage (to test this script quickly)
# Logs: target/fresh-machine/<variant>/ (one log per stage, dpkg lists, summary.txt).
set -euo pipefail

source "$(dirname "$0")/lib.sh"
repo=$root
unset root # below, `root` names a chroot folder, never the repository
FRESH_REF="${FRESH_REF:-HEAD}"
# roots live in a folder of their own, which this script owns: it removes what it finds there
scratch="${FRESH_SCRATCH:-/var/tmp}/rusteron-fresh-machine"
mirror="${FRESH_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${FRESH_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cache_dir="$repo/.cache/fresh-root"
tarball="$cache_dir/bookworm-minbase.tar"
log_base="$repo/target/fresh-machine"
min_free_gb="${FRESH_MIN_FREE_GB:-15}"


case "${1:-bare}" in
  bare) variants=(bare) ;;
  stocked) variants=(stocked) ;;
  both) variants=(bare stocked) ;;
  -h|--help) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
  *) die "unknown variant '$1': use bare, stocked or both" ;;
esac
case "${FRESH_STOP_AFTER:-}" in ""|root|base|just) ;; *) die "FRESH_STOP_AFTER must be root, base or just" ;; esac

[ "$(id -u)" = 0 ] || die "must run as root: it runs debootstrap, chroot and mount (try: sudo just fresh-machine-check)"
for t in debootstrap chroot mount umount findmnt git tar flock df comm; do
  command -v "$t" >/dev/null || die "needs '$t' on the host"
done
case "$scratch" in /*) ;; *) die "FRESH_SCRATCH must be an absolute path" ;; esac
case "$scratch" in *[[:space:]]*) die "FRESH_SCRATCH must not contain spaces" ;; esac

# The host's Rust toolchain: rustup's home is mounted read-only at the same absolute path inside the
# root (toolchain links in it may be absolute); the rustup binary is copied into the root's own
# CARGO_HOME/bin with the usual proxy links, so `cargo install just` writes only inside the root.
host_cargo_home="${CARGO_HOME:-$HOME/.cargo}"
host_rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
host_rustup=$(command -v rustup || true)
[ -n "$host_rustup" ] || host_rustup="$host_cargo_home/bin/rustup"
[ -x "$host_rustup" ] || die "no rustup on the host (looked on PATH and in $host_cargo_home/bin)"
[ -d "$host_rustup_home/toolchains" ] || die "no rustup toolchains in $host_rustup_home"
host_rustup_home=$(realpath "$host_rustup_home")
case "$host_rustup_home" in *[[:space:]]*) die "RUSTUP_HOME must not contain spaces" ;; esac

mkdir -p "$cache_dir" "$scratch" "$log_base"
scratch=$(realpath "$scratch")
# One run at a time: each quick start builds Aeron twice, and a second run would clean the first's root.
exec 9>"$cache_dir/lock"
flock -n 9 || die "another fresh-machine-check is running (lock $cache_dir/lock)"

# ---------------------------------------------------------------------------------------------------
# Mounts and cleanup. A root is only ever removed after every mount under it is gone, checked in
# /proc/self/mountinfo (findmnt); rm also gets --one-file-system, and the toolchain mount is read-only.

active=()   # roots that may hold mounts or processes

mounts_under() { # every mount point at or below $1, deepest first
  findmnt -rn -o TARGET | awk -v r="$1" '$0 == r || index($0, r "/") == 1' | sort -r
}
pids_in() { # processes whose root directory is $1 (started by this script, inside the chroot)
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    if [ "$r" = "$1" ]; then echo "${p#/proc/}"; fi
  done
}
stop_processes_in() {
  local pids i
  for i in 1 2 3 4 5; do
    pids=$(pids_in "$1")
    [ -n "$pids" ] || return 0
    if [ "$i" = 1 ]; then say "stopping processes left in $1: $(echo $pids)"; fi
    if [ "$i" -lt 4 ]; then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
    sleep 1
  done
  pids=$(pids_in "$1")
  [ -z "$pids" ] || say "processes still in $1: $(echo $pids)"
}
unmount_all_under() { # returns non-zero when a mount is left
  local m left
  stop_processes_in "$1"
  for m in $(mounts_under "$1"); do umount -R "$m" 2>/dev/null || true; done
  left=$(mounts_under "$1")
  if [ -n "$left" ]; then
    # still busy: detach lazily; a detached mount is no longer reachable through the root's paths
    for m in $left; do umount -R -l "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    left=$(mounts_under "$1")
  fi
  if [ -n "$left" ]; then say "STILL MOUNTED under $1: $(echo $left)"; return 1; fi
}
remove_root() {
  local dir=$1
  [ -n "$dir" ] && [ "$dir" != / ] && [ "${dir#"$scratch"/}" != "$dir" ] || { say "refusing to remove '$dir'"; return 1; }
  if ! unmount_all_under "$dir"; then
    say "NOT removing $dir: mounts remain under it (see findmnt | grep $dir)"; return 1
  fi
  if [ -n "${FRESH_KEEP:-}" ]; then say "kept $dir (unmounted)"; return 0; fi
  rm -rf --one-file-system "$dir"
}
forget_root() { local a=() d; for d in "${active[@]}"; do [ "$d" = "$1" ] || a+=("$d"); done; active=("${a[@]}"); }
on_exit() {
  local rc=$? d
  trap - EXIT INT TERM HUP
  for d in "${active[@]}"; do remove_root "$d" || rc=1; done
  if [ -n "$(mounts_under "$scratch")" ]; then say "mounts left under $scratch:"; mounts_under "$scratch"; rc=1; fi
  exit "$rc"
}
trap on_exit EXIT
trap 'echo >&2; say "interrupted" >&2; exit 130' INT
trap 'say "terminated" >&2; exit 143' TERM HUP

# Roots of a run that was killed (no trap ran): this run holds the lock, so they are stale.
for d in "$scratch"/bare.* "$scratch"/stocked.* "$scratch"/debootstrap.*; do
  [ -d "$d" ] || continue
  say "removing a stale root from an earlier run: $d"
  FRESH_KEEP="" remove_root "$d" || die "could not clean $d"
done

bind_ro() { # src dst: a private, read-only bind mount
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mount --make-private "$2"
  mount -o remount,bind,ro "$2"
}
bind_rw() {
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mount --make-private "$2"
}

# Runs a bash command inside the root as a newcomer's login would: HOME=/root, rustup's PATH entry,
# no variables from this host except the CA ones below, no stdin (a prompt fails instead of hanging).
# The CA variables and the copied certificates are facts of THIS workplace (registries are reached
# through a proxy with its own CA); the project's own setup must not rely on them.
in_root() { # root command
  local extra=()
  if [ "$host_rustup_home" != /root/.rustup ]; then extra+=(RUSTUP_HOME="$host_rustup_home"); fi
  env --default-signal=INT,QUIT chroot "$1" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb LANG=C.UTF-8 \
    PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt "${extra[@]}" \
    /bin/bash -euo pipefail -c "cd /root; $2" </dev/null
}

# ---------------------------------------------------------------------------------------------------
# The commit under test.
sha=$(git -C "$repo" rev-parse --verify --quiet "$FRESH_REF^{commit}") || die "FRESH_REF=$FRESH_REF is not a commit of $repo"
subject=$(git -C "$repo" log -1 --format=%s "$sha" | cut -c1-90)
dirty=$(git -C "$repo" status --porcelain --untracked-files=no | wc -l)
say "testing $FRESH_REF = ${sha:0:12} \"$subject\""
if [ "$dirty" != 0 ]; then
  say "NOTE: $dirty uncommitted change(s) in $repo are NOT tested: the root gets a git clone of ${sha:0:12}"
fi

avail_gb=$(( $(df -Pk "$scratch" | awk 'NR == 2 { print $4 }') / 1024 / 1024 ))
[ "$avail_gb" -ge "$min_free_gb" ] || die "$scratch has ${avail_gb} GB free, needs ${min_free_gb} GB (set FRESH_SCRATCH elsewhere)"

# The pristine root, cached as a tarball; debootstrap runs only when it is missing.
debootstrap_s=""
if [ ! -f "$tarball" ] || [ -n "${FRESH_REBUILD_ROOT:-}" ]; then
  mkdir -p "$log_base"
  boot_log="$log_base/debootstrap.log"
  boot=$(mktemp -d "$scratch/debootstrap.XXXXXX")
  chmod 755 "$boot"
  active+=("$boot")
  say "debootstrap --variant=minbase bookworm ($mirror), log $boot_log"
  t0=$SECONDS
  if ! debootstrap --variant=minbase bookworm "$boot" "$mirror" >"$boot_log" 2>&1 9>&-; then
    tail -n 15 "$boot_log" | sed 's/^/    /'
    die "debootstrap failed (log $boot_log)"
  fi
  unmount_all_under "$boot" || die "debootstrap left mounts in $boot"
  tar --numeric-owner -C "$boot" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  remove_root "$boot"; forget_root "$boot"
  debootstrap_s=$((SECONDS - t0))
  say "debootstrap done in ${debootstrap_s} s, cached as $tarball"
fi

# ---------------------------------------------------------------------------------------------------
# Stages: each one's output goes to its log; a short line per stage on the terminal.
declare -A stage_time stage_result
stage_order=()
stage_failed=""
stage() { # variant name log command...
  local v=$1 name=$2 log=$3 t0 rc=0
  shift 3
  mkdir -p "$(dirname "$log")"
  stage_order+=("$name")
  echo "[$v] $name ... (log ${log#"$repo"/})"
  t0=$SECONDS
  # in the background, so that Ctrl-C or TERM reach this script's trap at once (bash runs a trap
  # during `wait`, but only after a foreground command ends); in_root gives SIGINT back its default
  "$@" >"$log" 2>&1 9>&- &   # (fd 9, the lock, stays with this script only)
  wait $! || rc=$?
  stage_time[$name]=$((SECONDS - t0))
  if [ "$rc" = 0 ]; then
    stage_result[$name]=ok
    echo "[$v] $name ok, ${stage_time[$name]} s"
  else
    stage_result[$name]="FAILED (exit $rc)"
    stage_failed=$name
    echo "[$v] $name FAILED (exit $rc) after ${stage_time[$name]} s; last 15 lines of ${log#"$repo"/}:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
}

base_packages_script() { # apt-get install options and packages beyond gcc and git
  local opts=$1
  shift
  cat <<EOF
export DEBIAN_FRONTEND=noninteractive
apt-get update
# ca-certificates first, so that the workplace CA copied to /usr/local/share/ca-certificates is in the
# bundle (and in Java's cacerts, which ca-certificates-java builds from it if setup installs Java)
apt-get install -y $opts ca-certificates
update-ca-certificates
for crt in /usr/local/share/ca-certificates/*.crt; do
  [ -f "\$crt" ] || continue
  pem=/etc/ssl/certs/\$(basename "\$crt" .crt).pem
  if [ -e "\$pem" ]; then echo "CA in the bundle: \$pem"; else echo "CA missing from the bundle: \$crt"; exit 1; fi
done
apt-get install -y $opts gcc git $*
echo "--- what the root has now"
for t in cargo rustc rustdoc gcc cc git; do printf '%-8s %s\n' "\$t" "\$(command -v \$t)"; done
cargo --version; rustc --version; cargo fmt --version; cargo clippy --version
gcc --version | head -1; git --version
if touch /root/.rustup/.write-test 2>/dev/null; then echo "the toolchain mount is writable"; exit 1; fi
echo "toolchain mount is read-only: ok"
echo "--- what the root must not have (the project's setup installs these)"
bad=""
for t in python3 python cmake java javac mvn make ninja valgrind clang llvm-config; do
  if command -v "\$t" >/dev/null; then echo "present: \$t (\$(command -v \$t))"; bad=1; fi
done
if ls /usr/lib/llvm-* /usr/lib/*/libclang* >/dev/null 2>&1; then echo "present: libclang"; bad=1; fi
if [ -n "\$bad" ]; then echo "the root is not bare: the check would prove nothing"; exit 1; fi
echo "none of python, cmake, java, mvn, make, ninja, valgrind, libclang: ok"
EOF
}

summary() { # variant log_dir (no command here may fail: the block runs under set -e)
  local v=$1 dir=$2 name total=0 asked logs=() l
  for l in "$dir/4-just-run.log" "$dir/5-just-test.log"; do [ -f "$l" ] && logs+=("$l"); done
  {
    echo "== fresh-machine-check: $v at ${sha:0:12} ($FRESH_REF) =="
    echo "   ${descr[$v]}"
    printf '   %-20s %8s  %s\n' stage seconds result
    for name in "${stage_order[@]}"; do
      printf '   %-20s %8s  %s\n' "$name" "${stage_time[$name]}" "${stage_result[$name]}"
      total=$((total + ${stage_time[$name]}))
    done
    printf '   %-20s %8s\n' total "$total"
    if [ -n "$debootstrap_s" ] && [ "$v" = "${variants[0]}" ]; then
      echo "   (debootstrap ran before the stages: ${debootstrap_s} s; cached for the next runs)"
    fi
    if [ -f "$dir/5-just-test.log" ]; then
      echo "   just test, last lines:"
      tail -n 12 "$dir/5-just-test.log" | sed 's/^/     | /'
      awk '/^test result:/ { n++; for (i = 2; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1); if ($(i) ~ /^ignored/) ig += $(i-1) } }
           END { if (n) printf "   cargo test, summed over %d \"test result\" lines: %d passed, %d failed, %d ignored\n", n, p, f, ig }' "$dir/5-just-test.log"
    else
      echo "   just test: not reached"
    fi
    if [ -f "$dir/dpkg-before.txt" ] && [ -f "$dir/dpkg-after.txt" ]; then
      comm -13 "$dir/dpkg-before.txt" "$dir/dpkg-after.txt" > "$dir/dpkg-added.txt"
      echo "   Debian packages added during the quick start: $(wc -l < "$dir/dpkg-added.txt") (list: ${dir#"$repo"/}/dpkg-added.txt)"
    fi
    if [ "${#logs[@]}" != 0 ]; then
      asked=$(cat "${logs[@]}" | sed -n 's/^setup: apt-get install //p' | tr ' ' '\n' | grep -v -e '^-' -e '^$' | sort -u | tr '\n' ' ' || true)
      echo "   setup asked apt-get for: ${asked:-nothing}"
      echo "   setup's lines (just run, then just test; repeats left out):"
      cat "${logs[@]}" | grep '^setup:' | awk '!seen[$0]++' | head -n 25 | sed 's/^/     /' || true
    fi
  } | tee "$dir/summary.txt"
}

declare -A descr apt_args
descr[bare]="Debian 12 minbase + gcc, libc6-dev, git, ca-certificates (no recommended packages)"
descr[stocked]="Debian 12 minbase + gcc, git, ca-certificates with their recommends, libbsd-dev, uuid-dev"
apt_args[bare]="--no-install-recommends libc6-dev"
apt_args[stocked]="--install-recommends libbsd-dev uuid-dev"

prepare_root() { # root: everything the host puts in, then the mounts (runs under set -e: failures abort)
  local root=$1 crt f
  tar --numeric-owner -xpf "$tarball" -C "$root"
  chmod 755 "$root"   # mktemp made it 0700: apt's _apt user and other users must traverse /
  # as a Debian 12 install has them: the main, updates and security suites, /etc/hosts
  cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
  rm -f "$root/etc/resolv.conf"; cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  if [ ! -s "$root/etc/hosts" ]; then
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" > "$root/etc/hosts"
  fi
  # this workplace's CA certificates (see in_root); installed into the bundle by the base stage
  mkdir -p "$root/usr/local/share/ca-certificates"
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$crt" ] && cp "$crt" "$root/usr/local/share/ca-certificates/"
  done
  # the toolchain: rustup's home read-only at its host path, a fresh CARGO_HOME with rustup's proxies
  mkdir -p "$root/root/.cargo/bin"
  cp "$host_rustup" "$root/root/.cargo/bin/rustup"
  for f in cargo cargo-clippy cargo-fmt clippy-driver rustc rustdoc rustfmt rust-gdb rust-lldb; do
    ln -s rustup "$root/root/.cargo/bin/$f"
  done
  bind_ro "$host_rustup_home" "$root$host_rustup_home"
  # the repository, as a newcomer clones it (no submodules): only committed work
  git clone -q --no-hardlinks "$repo" "$root/root/rusteron"
  git -C "$root/root/rusteron" -c advice.detachedHead=false checkout -q "$sha"
  # kernel file systems; /dev/shm is a tmpfs of its own (Aeron's files live there), so the root's
  # drivers cannot meet the host's
  mkdir -p "$root/proc" "$root/dev"
  bind_rw /proc "$root/proc"
  # /sys, read-only: aeronmd reads /sys/devices/system/cpu (without it, it exits at start)
  mkdir -p "$root/sys"
  if ! mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"; then bind_ro /sys "$root/sys"; fi
  mount --make-private "$root/sys"
  bind_rw /dev "$root/dev"
  bind_rw /dev/pts "$root/dev/pts"
  mkdir -p "$root/dev/shm"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
  mount --make-private "$root/dev/shm"
  echo "root $root"; echo "commit $(git -C "$root/root/rusteron" log -1 --format='%H %s')"
  findmnt -rn -o TARGET,FSTYPE,OPTIONS | awk -v r="$root" 'index($1, r) == 1'
}

dpkg_list() { chroot "$1" dpkg-query -W -f='${Package}\n' | sort; }
next_if() { # stage key: stop the variant after a failed stage or at FRESH_STOP_AFTER
  if [ -n "$stage_failed" ] || [ "${FRESH_STOP_AFTER:-}" = "$1" ]; then go=""; fi
}

run_variant() { # variant; sets overall_failed when a stage fails
  local v=$1 dir="$log_base/$1" root t0
  stage_order=(); stage_failed=""; stage_time=(); stage_result=()
  rm -rf "$dir"; mkdir -p "$dir"
  echo
  say "variant $v: ${descr[$v]}"
  root=$(mktemp -d "$scratch/$v.XXXXXX")
  active+=("$root")
  # stage 1, on the host: unpack the pristine root and put the toolchain, CA and clone in
  echo "[$v] root (unpack, toolchain, clone) ... (log ${dir#"$repo"/}/1-root.log)"
  t0=$SECONDS
  prepare_root "$root" >"$dir/1-root.log" 2>&1
  stage_order+=("root (unpack)"); stage_time["root (unpack)"]=$((SECONDS - t0)); stage_result["root (unpack)"]=ok
  echo "[$v] root (unpack) ok, ${stage_time["root (unpack)"]} s: $root"
  # each stage runs only when the ones before passed (and FRESH_STOP_AFTER did not name one of them)
  go=1; next_if root
  if [ -n "$go" ]; then
    stage "$v" "base packages" "$dir/2-base-packages.log" in_root "$root" "$(base_packages_script ${apt_args[$v]})"
    next_if base
  fi
  if [ -n "$go" ]; then
    dpkg_list "$root" > "$dir/dpkg-before.txt"
    stage "$v" "cargo install just" "$dir/3-cargo-install-just.log" in_root "$root" "cargo install just"
    next_if just
  fi
  if [ -n "$go" ]; then
    stage "$v" "just run" "$dir/4-just-run.log" in_root "$root" "cd rusteron && just run"
    dpkg_list "$root" > "$dir/dpkg-after.txt"   # also when `just test` is not reached
    next_if run
  fi
  if [ -n "$go" ]; then
    stage "$v" "just test" "$dir/5-just-test.log" in_root "$root" "cd rusteron && just test"
    dpkg_list "$root" > "$dir/dpkg-after.txt"
  fi
  [ -z "$stage_failed" ] || overall_failed=1
  echo
  summary "$v" "$dir"
  remove_root "$root" || overall_failed=1
  forget_root "$root"
}

overall_failed=""
for v in "${variants[@]}"; do run_variant "$v"; done
if [ -n "$(mounts_under "$scratch")" ]; then die "mounts left under $scratch"; fi
echo
if [ -n "$overall_failed" ]; then say "FAILED (logs in ${log_base#"$repo"/}/)"; exit 1; fi
if [ -n "${FRESH_STOP_AFTER:-}" ]; then say "stopped after '$FRESH_STOP_AFTER' (FRESH_STOP_AFTER): the quick start was not run to its end"; exit 0; fi
say "ok: the quick start passed on ${variants[*]} at ${sha:0:12}"
