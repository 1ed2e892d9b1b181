"""Time and memory of reading hostile and ordinary xlsx uploads with ``read_xlsx_rows``.

Builds each bomb of ``tests/test_upload_limits.py`` (full size) and two ordinary workbooks
in a temporary directory, then reads each in a fresh child process and prints: outcome,
seconds, and how much the child's peak resident memory (VmHWM) grew over what it had after
its imports. Goal: every file answered within a few seconds, growth under 300 MB.

    .venv/bin/python benchmarks/upload_limits.py
    .venv/bin/python benchmarks/upload_limits.py --openpyxl   # the same files read as before:
        # plain openpyxl read-only, no checks (children capped at 1.5 GB of address space and 60 s)
    .venv/bin/python benchmarks/upload_limits.py --without-defusedxml   # what defusedxml costs openpyxl
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

LIMIT = 1536 * 1024 * 1024  # address space of a child reading --openpyxl


def peak_and_current_kb():
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0])


def child(path, plain):
    """Read one file; print a JSON line with the outcome, seconds and peak growth."""
    from openpyxl import load_workbook

    from unionplan.uploads import UploadRefused, read_xlsx_rows

    translation.activate("vi")
    _peak, before = peak_and_current_kb()
    started, cpu = time.monotonic(), time.process_time()
    try:
        if plain:  # what the import did before: read-only openpyxl, first 20,007 rows
            workbook = load_workbook(path, read_only=True, data_only=True)
            rows = list(workbook.worksheets[0].iter_rows(values_only=True, max_row=20_007))
            outcome = f"read {len(rows):,} rows"
        else:
            rows = read_xlsx_rows(path)
            outcome = f"read {len(rows):,} rows × {len(rows[0]) if rows else 0} columns"
    except UploadRefused as exc:
        outcome = f"refused: {exc}"
    except Exception as exc:  # noqa: BLE001 - the plain reader may fail any way
        outcome = f"error: {type(exc).__name__}: {str(exc)[:80]}"
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    peak, _current = peak_and_current_kb()
    print(json.dumps({"outcome": outcome, "seconds": seconds, "cpu": cpu, "growth_mb": (peak - before) / 1024}))


def ordinary(path, rows, columns=40):
    """A filled-in report sheet: codes, names, figures, some empty cells and "x" marks."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([f"Cột {c}" for c in range(1, columns + 1)])
    for row in range(1, rows):
        values = [f"CD{row:05d}", f"Công đoàn cơ sở số {row}", "Doanh nghiệp"]
        values += [(row * c) % 97 if c % 3 else ("x" if row % 2 else None) for c in range(4, columns + 1)]
        sheet.append(values)
    workbook.save(path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--openpyxl", action="store_true", help="read with plain openpyxl, as before")
    parser.add_argument(
        "--without-defusedxml", action="store_true", help="openpyxl parses with the standard library's (C) parser"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.openpyxl)
        return

    from tests.test_upload_limits import BOMBS

    load = os.getloadavg()[0]
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, load {load:.1f}")
    print(f"{'file':32} {'on disk':>9} {'seconds':>8} {'CPU s':>6} {'growth MB':>10}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        files = [(name, lambda p, build=build: build(p)) for name, build, _words in BOMBS]
        files += [
            ("ordinary, 5.000 rows × 40", lambda p: ordinary(p, 5_000)),
            ("ordinary, 10.000 rows × 40", lambda p: ordinary(p, 10_000)),
        ]
        for number, (name, build) in enumerate(files):
            path = build(Path(folder) / f"{number}.xlsx")
            command = [sys.executable, __file__, "--child", str(path)] + (["--openpyxl"] if args.openpyxl else [])

            def cap_memory():
                if args.openpyxl:  # the unchecked reader must not take the machine down
                    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

            env = dict(os.environ, OPENPYXL_DEFUSEDXML=str(not args.without_defusedxml))
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=60, preexec_fn=cap_memory, check=False, env=env
                )
                lines = done.stdout.strip().splitlines()
                figures = json.loads(lines[-1]) if lines else None
            except subprocess.TimeoutExpired:
                figures = {"outcome": "still reading after 60 s", "seconds": 60, "cpu": 60, "growth_mb": float("nan")}
            if figures is None:
                died = f"child died: {done.stderr.strip()[-80:]}"
                figures = {"outcome": died, "seconds": float("nan"), "cpu": float("nan"), "growth_mb": float("nan")}
            size = os.path.getsize(path) / 1024
            seconds, cpu, growth = figures["seconds"], figures["cpu"], figures["growth_mb"]
            print(
                f"{name:32} {size:7,.0f}KB {seconds:8.2f} {cpu:6.2f} {growth:10.1f}  {figures['outcome'][:110]}",
                flush=True,
            )
            os.unlink(path)


if __name__ == "__main__":
    main()
