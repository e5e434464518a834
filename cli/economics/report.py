"""``report``: a scenario's business case written as the app shares it, a self-contained HTML
report and/or an Excel workbook.

It imports :mod:`present.report_data`, :mod:`present.report` and :mod:`present.workbook` (pure, no
Streamlit) only when it runs. Each file is written to a temporary file beside it and renamed, so a
failure never leaves half a file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import tempfile
from pathlib import Path

from bizmodel.montecarlo import MAX_PATHS
from cli.economics.errors import EXIT_FAILED, fail, why
from cli.economics.scenarios import read_scenario
from cli.economics.sources import load_catalog, load_run
from present.explain import words

REPORT_LANGUAGES = ("en", "zh")
REPORT_CURRENCIES = ("USD", "CNY")


def _check_target(path: Path) -> Path:
    """The file to write for ``path`` (a symbolic link's target, so the link is kept); exits 2
    unless it can be written: absent or a regular file you may write, in a writable folder. Only
    ``stat`` is used, so a device or FIFO is refused before anything opens it."""
    real = Path(os.path.realpath(path))
    try:
        info: os.stat_result | None = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):  # absent; the folder is checked below
        info = None
    except OSError as exc:
        if real.is_symlink():  # realpath stops at a link it cannot follow (a loop)
            fail(f"cannot write {path}: it is a symbolic link that cannot be resolved")
        fail(f"cannot write {path}: {exc.strerror or exc}")
    if info is None and real.is_symlink():
        fail(f"cannot write {path}: it is a symbolic link that cannot be resolved")
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            fail(f"cannot write {path}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            fail(f"cannot write {path}: it is not a regular file (a device, FIFO or socket); name a file")
        if not os.access(real, os.W_OK):
            fail(f"cannot write {path}: the file is read-only for you; make it writable or name another file")
    folder = real.parent
    if folder.exists() and not folder.is_dir():
        fail(f"cannot write {path}: {folder} is not a folder")
    if not folder.is_dir():
        fail(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"cannot write {path}: the folder {folder} is not writable")
    return real


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``'s file, then rename it: never half a file.

    ``path`` is checked again (:func:`_check_target`) right before; a symbolic link is kept and its
    target written, and a file replaced keeps its permission bits (a new one gets 0666 − umask).
    """
    real = _check_target(path)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode) & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        fail(f"cannot write {path}: {exc.strerror or exc}")


def _size_text(n_bytes: int) -> str:
    """``4.9 MB`` or ``35 kB``."""
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 1e6 else f"{max(1, round(n_bytes / 1e3))} kB"


def cmd_report(args: argparse.Namespace) -> int:
    from present.format import DEFAULT_USD_TO_CNY, NumberStyle

    targets = [p for p in (args.output, args.xlsx) if p is not None]
    if not targets:
        fail("give -o FILE (the HTML report), --xlsx FILE (the workbook) or both")
    if len(targets) == 2 and targets[0].resolve() == targets[1].resolve():
        fail("-o and --xlsx name the same file; give each its own")
    if args.rate is not None and args.currency != "CNY":
        fail("--rate is CNY per USD: use it with --currency CNY")
    if args.paths > MAX_PATHS:
        fail(f"--paths must be from 1 to {MAX_PATHS:,}; got {args.paths:,}")
    try:
        style = NumberStyle(
            language=args.lang,
            currency=args.currency,
            usd_to_cny=args.rate if args.rate is not None else DEFAULT_USD_TO_CNY,
        )
    except ValueError as exc:
        fail(why(exc))
    for path in targets:
        _check_target(path)
    scenario = read_scenario(args.scenario)
    catalog = load_catalog(args)
    run = load_run(args.run) if args.run else None

    from present.report_data import ReportOptions, build_report

    report = build_report(
        scenario,
        name=args.name if args.name is not None else args.scenario.stem,
        run=run,
        catalog=catalog,
        options=ReportOptions(paths=args.paths, seed=args.seed),
    )
    if "binding" in report.notes:
        fail(words(report.notes["binding"], "en"))
    files: list[tuple[str, Path, bytes]] = []
    if args.output is not None:
        from present.report import render_html

        files.append(("HTML report", args.output, render_html(report, style).encode("utf-8")))
    if args.xlsx is not None:
        try:
            from present.workbook import workbook_bytes
        except ModuleNotFoundError as exc:
            if exc.name != "present.workbook":
                raise
            fail(
                "this installation cannot write workbooks (present.workbook is missing); use -o for HTML",
                EXIT_FAILED,
            )
        files.append(("workbook", args.xlsx, workbook_bytes(report, style)))
    for kind, path, data in files:  # everything is built before anything is written
        _write_file(path, data)
        print(f"wrote {kind} {path} ({_size_text(len(data))})")
    return 0
