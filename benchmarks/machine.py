"""What machine a benchmark ran on, printed beside its figures (one place for every benchmark)."""

from __future__ import annotations

import os
import platform


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe() -> str:
    """E.g. ``CPython 3.11.7, nproc=2, Intel(R) Xeon(R) Processor, load 1.9``."""
    try:
        load = f", load {os.getloadavg()[0]:.1f}"
    except OSError:
        load = ""
    return f"{platform.python_implementation()} {platform.python_version()}, nproc={os.cpu_count()}, {cpu_model()}{load}"
