"""Repeat, take the median, keep the range."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    median: float  # seconds
    low: float
    high: float
    runs: int

    def ms(self) -> str:
        return f"{self.median * 1e3:.2f} ms ({self.low * 1e3:.2f}–{self.high * 1e3:.2f})"

    def us(self) -> str:
        return f"{self.median * 1e6:.2f} µs ({self.low * 1e6:.2f}–{self.high * 1e6:.2f})"


def measure(
    run: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
) -> Timing:
    samples = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return Timing(statistics.median(samples), min(samples), max(samples), runs)


def measure_per_call(run: Callable[[], object], calls: int, runs: int) -> Timing:
    """Per-call time of a fast operation: each sample is `calls` calls."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        samples.append((time.perf_counter() - start) / calls)
    return Timing(statistics.median(samples), min(samples), max(samples), runs)
