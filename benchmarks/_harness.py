"""Timing, memory and table helpers shared by the benchmark scripts.

Timing: wall clock (``time.perf_counter``), the median of ``k`` calls, with a
``gc.collect()`` before each call (outside the timed region). Memory: the
``tracemalloc`` peak of one separate, untimed call (which also serves as the
warm-up), so tracing never slows the timed calls. numpy and pandas report their
buffers to ``tracemalloc``, so the peak covers the arrays a call allocates on
top of what already existed (its inputs are not counted).
"""

from __future__ import annotations

import gc
import importlib.metadata
import os
import platform
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MIB = 1024.0**2


@dataclass
class Side:
    """One library's measurements for one case."""

    times: list[float] = field(default_factory=list)
    #: CPU seconds (user + system, every thread of the process) of each timed call.
    cpu: list[float] = field(default_factory=list)
    peak_mib: float = float("nan")
    result: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


@dataclass
class Row:
    """One line of the results table."""

    case: str
    n: str
    unique_rows: str
    ours: Side
    theirs: Side
    agreement: str
    note: str = ""
    target: float | None = None

    @property
    def speedup(self) -> float:
        return self.theirs.median / self.ours.median


def peak_memory(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``fn`` once under ``tracemalloc``; return its result and the peak in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / MIB


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``fn`` once; return its result and the wall-clock seconds."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def compare(
    ours: Callable[[], Any], theirs: Callable[[], Any], k: int, k_theirs: int | None = None
) -> tuple[Side, Side]:
    """Measure two callables on the same inputs.

    One traced call each (peak memory; also the warm-up), then ``k`` timed calls
    of ``ours`` and ``k_theirs`` (default ``k``) of ``theirs``, interleaved so
    that slow phases of a noisy machine hit both sides alike.
    """
    k_theirs = k if k_theirs is None else k_theirs
    sides = (Side(), Side())
    for side, fn in zip(sides, (ours, theirs), strict=True):
        side.result, side.peak_mib = peak_memory(fn)
    for i in range(max(k, k_theirs)):
        for side, fn, reps in ((sides[0], ours, k), (sides[1], theirs, k_theirs)):
            if i < reps:
                cpu = time.process_time()
                side.result, seconds = timed(fn)
                side.times.append(seconds)
                side.cpu.append(time.process_time() - cpu)
    return sides


def max_rel_diff(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Largest ``|a - b| / max(|a|, |b|)`` over finite pairs (0 where both are 0)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
    finite = np.isfinite(rel)
    return float(rel[finite].max()) if finite.any() else float("nan")


def _seconds(value: float) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _k(side: Side) -> str:
    return f" (k={len(side.times)})"


def markdown_table(rows: Sequence[Row]) -> str:
    """The results as a Markdown table."""
    header = (
        "| case | n | unique rows | clvmodels median s | lifetimes median s "
        "| speed-up (lifetimes/ours) | peak MiB ours | peak MiB lifetimes | agreement |"
    )
    lines = [header, "|" + "---|" * 9]
    for row in rows:
        lines.append(
            f"| {row.case} | {row.n} | {row.unique_rows} "
            f"| {_seconds(row.ours.median)}{_k(row.ours)} "
            f"| {_seconds(row.theirs.median)}{_k(row.theirs)} "
            f"| {row.speedup:.1f}x "
            f"| {row.ours.peak_mib:,.1f} | {row.theirs.peak_mib:,.1f} | {row.agreement} |"
        )
    return "\n".join(lines)


def count(n: int) -> str:
    """1234567 -> '1,234,567'."""
    return f"{n:,}"


def git_revision(path: str) -> str:
    """Short commit of the working tree at ``path``, with ``+dirty`` when it has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=path, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=path,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


def machine_info(packages: Sequence[str]) -> str:
    """Machine, Python and library versions as Markdown bullet points."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 1024.0**3:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    threads = ", ".join(
        f"{name}={os.environ.get(name, 'unset')}"
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    )
    return "\n".join(
        [
            f"- machine: {platform.platform()}, {cpu}, {cpus} usable cores, {memory} RAM",
            f"- python: {platform.python_implementation()} {platform.python_version()}",
            f"- libraries: {', '.join(versions)}",
            f"- thread settings: {threads}",
        ]
    )


# -- cost against size ---------------------------------------------------------------------
def short(n: int) -> str:
    """1000 -> '1k', 10000000 -> '10M'."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:g}{suffix}"
    return str(n)


def exponent(points: dict[int, float]) -> float:
    """Least-squares slope ``b`` of log(seconds) on log(size): seconds ~ size^b."""
    sizes = sorted(points)
    if len(sizes) < 2:
        return float("nan")
    return float(np.polyfit(np.log(sizes), np.log([points[n] for n in sizes]), 1)[0])


def loglog_table(series: dict[str, dict[int, float]]) -> str:
    """Seconds by size, one row per series, with the fitted exponent, as Markdown."""
    sizes = sorted({n for points in series.values() for n in points})
    lines = [
        "| series | " + " | ".join(short(n) for n in sizes) + " | exponent b |",
        "|---|" + "---|" * (len(sizes) + 1),
    ]
    for name, points in series.items():
        if not points:
            continue
        cells = [f"{points[n]:.3g}" if n in points else "" for n in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {exponent(points):.2f} |")
    return "\n".join(lines)


def loglog_plot(series: dict[str, dict[int, float]], path: Any, title: str, xlabel: str) -> None:
    """The series on log-log axes, saved as a PNG (dashed: series of transactions)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    for name, points in series.items():
        sizes = sorted(points)
        if sizes:
            style = "--" if "transactions" in name else "-"
            ax.plot(sizes, [points[n] for n in sizes], style, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds (median)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6.5)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
