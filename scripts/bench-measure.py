#!/usr/bin/env python3
"""Runs one block of `just bench` and records what the machine did meanwhile.

Usage: bench-measure.py OUT.jsonl LABEL [--pid PID]... -- COMMAND [ARGS...]

Appends one JSON line to OUT.jsonl: the block's wall time; the 1-minute load average and the
runnable-task count before and after; the CPU time of the command and everything it waited for
(wait4's rusage: the bench binary under cargo included) and of the --pid processes (the shared
aeronmd) from /proc/<pid>/stat; the machine's busy CPU time from /proc/stat; and from these the
CPU that *other* processes used during the block, in cores (`others_cores`). The load average counts
our own busy threads (2-3 in the throughput and ping-pong benches), so it cannot say whether
someone else was competing; `others_cores` can. Exits with the command's status.
"""
import json
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def loadavg():
    f = open("/proc/loadavg").read().split()
    return float(f[0]), int(f[3].split("/")[0])


def machine_busy_s():
    """Busy CPU seconds of the whole machine (all CPUs), from /proc/stat's `cpu` line."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)  # idle + iowait
    steal = f[7] if len(f) > 7 else 0  # time the hypervisor gave to other guests: not ours, not others'
    return (sum(f[:8]) - idle - steal) / TICK, steal / TICK


def proc_cpu_s(pid):
    try:
        rest = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def main():
    argv = sys.argv[1:]
    sep = argv.index("--")
    out, label, opts, cmd = argv[0], argv[1], argv[2:sep], argv[sep + 1:]
    pids = [int(opts[i + 1]) for i in range(len(opts)) if opts[i] == "--pid"]
    cores = os.cpu_count()
    l0, r0 = loadavg()
    b0, s0 = machine_busy_s()
    p0 = sum(proc_cpu_s(p) for p in pids)
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    _, status, ru = os.wait4(child.pid, 0)
    wall = time.monotonic() - t0
    b1, s1 = machine_busy_s()
    p1 = sum(proc_cpu_s(p) for p in pids)
    l1, r1 = loadavg()
    own = ru.ru_utime + ru.ru_stime
    others = max(0.0, (b1 - b0) - own - (p1 - p0))
    rec = {
        "label": label,
        "wall_s": round(wall, 2),
        "cores": cores,
        "load_before": l0,
        "load_after": l1,
        "running_before": r0,
        "running_after": r1,
        "own_cpu_s": round(own, 2),
        "driver_cpu_s": round(p1 - p0, 2),
        "machine_busy_s": round(b1 - b0, 2),
        "steal_s": round(s1 - s0, 2),
        "others_cores": round(others / wall, 3) if wall > 0 else 0.0,
        "context_switches": ru.ru_nvcsw + ru.ru_nivcsw,
        "status": os.waitstatus_to_exitcode(status),
    }
    with open(out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(f"bench: {label}: {wall:.1f} s, load {l0:.2f} -> {l1:.2f}, our CPU {own:.1f} s + driver {p1 - p0:.1f} s, "
          f"others {rec['others_cores']:.2f} cores, steal {s1 - s0:.1f} s")
    sys.exit(rec["status"])


if __name__ == "__main__":
    main()
