"""CPU time the hypervisor gave to other guests ("steal"), from /proc/stat.

On a shared virtual machine a benchmark round can lose seconds to steal: the wall
clock runs while neither core runs our code.  Rounds and modules report it, so a
slow round can be told apart from slow code, and the CPU seconds a server spent per
request (which steal does not inflate) are reported beside its wall-clock rate.
"""

from __future__ import annotations

import os

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stolen_seconds() -> float:
    """Steal time of all cores since boot, in seconds (0.0 where /proc/stat is absent)."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return 0.0
    # cpu user nice system idle iowait irq softirq steal ...
    return int(fields[8]) / _TICKS if len(fields) > 8 else 0.0
