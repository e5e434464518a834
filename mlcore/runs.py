"""Runs as domain objects: create, read, list, rename, delete (client side, no TensorFlow).

The ``runs`` table's ``status`` column is authoritative; the record JSON mirrors it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path

from mlcore.artifacts import artifact_name, resolve_artifact
from mlcore.specs import RunRecord, SpecError, TrainRequest, check_run_name, clean_name
from store import Store
from store.schema import JobStatus

UPLOADS_DIR = "uploads"


def new_id() -> str:
    """A short, URL-safe, sortable-enough run id: ``YYYYMMDD-HHMMSS-xxxxxx``."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def queued_record(request: TrainRequest, *, run_id: str | None = None) -> RunRecord:
    """The record of a run that has been submitted but not started."""
    rid = run_id or new_id()
    dataset = request.dataset if request.dataset != "csv" else f"csv:{request.csv_name or 'upload'}"
    return RunRecord(
        id=rid,
        name=request.name or default_name(request),
        created_at=now_iso(),
        status=JobStatus.QUEUED,
        request=request,
        dataset=dataset,
        split_seed=request.split_seed,
    )


def default_name(request: TrainRequest) -> str:
    """``<model> on <dataset>``, e.g. ``article-mlp on mnist-5k``."""
    data = request.csv_name if request.dataset == "csv" else request.dataset
    return f"{request.spec.preset} on {data}"


def run_row(record: RunRecord) -> dict[str, str]:
    """The ``runs`` table row for a record."""
    return {
        "id": record.id,
        "name": record.name,
        "created_at": record.created_at,
        "status": record.status,
        "dataset": record.dataset,
        "model": record.model,
        "record": record.to_json(),
    }


def _from_row(row: dict) -> RunRecord | None:
    try:
        record = RunRecord.from_json(row["record"])
    except (ValueError, TypeError, KeyError, SpecError):
        return None  # an unreadable row is skipped, never a crash
    return record.replace(status=row["status"], name=row["name"])


def get_run(store: Store, run_id: str) -> RunRecord | None:
    """The run with this id, or None."""
    row = store.get_run(run_id)
    return _from_row(row) if row else None


def list_runs(store: Store) -> list[RunRecord]:
    """Every readable run, newest first."""
    return [r for row in store.list_runs() if (r := _from_row(row)) is not None]


def latest_completed(store: Store) -> RunRecord | None:
    """The newest run that completed (or was stopped) with a test accuracy.

    Reads the status column first and parses only candidate records (this runs on every page).
    """
    for row in store.list_runs():
        if row["status"] not in (JobStatus.COMPLETED, JobStatus.STOPPED):
            continue
        run = _from_row(row)
        if run is not None and run.test_accuracy is not None:
            return run
    return None


def finished_runs(store: Store) -> list[RunRecord]:
    """Runs that ended with a test accuracy and a saved model (completed or stopped), newest first.

    These are the runs the Evaluate, Inference and Learn pages can work on.
    """
    out = []
    for row in store.list_runs():
        if row["status"] not in (JobStatus.COMPLETED, JobStatus.STOPPED):
            continue
        run = _from_row(row)
        if run is not None and run.test_accuracy is not None and run.model_path:
            out.append(run)
    return out


def model_file(home: Path, run: RunRecord) -> Path | None:
    """The run's saved ``.keras`` file in the artifact folder (``MOATLAB_ARTIFACT_DIR``, else
    ``home/models``), or None when its recorded name is missing or is anything but
    ``models/<file>.keras`` resolving directly inside that folder (a tampered record or a
    symlink never reaches other files). See :mod:`mlcore.artifacts`."""
    return resolve_artifact(Path(home), run.model_path, ".keras")


def is_image_run(run: RunRecord) -> bool:
    """Whether the run's inputs are images (2-D, pixels) rather than a table's rows."""
    return len(run.input_shape) == 2 and not run.feature_names


def feature_labels(run: RunRecord) -> list[str]:
    """The run's feature column names; ``x1 … xd`` for table runs saved before names were kept.

    >>> from mlcore.specs import TrainRequest
    >>> feature_labels(RunRecord("r", "r", "", "completed", TrainRequest(), input_shape=(3,)))
    ['x1', 'x2', 'x3']
    """
    if run.feature_names:
        return list(run.feature_names)
    width = int(run.input_shape[0]) if len(run.input_shape) == 1 else 0
    return [f"x{i}" for i in range(1, width + 1)]


def image_scale(run: RunRecord) -> float:
    """Full-scale pixel value of an image run's inputs: 255 for MNIST-style data, 16 for the
    8×8 digits (runs saved before this was recorded are told apart by their shape)."""
    if run.pixel_max:
        return float(run.pixel_max)
    return 16.0 if tuple(run.input_shape) == (8, 8) else 255.0


def rename_run(store: Store, run_id: str, name: str) -> str:
    """Rename a run; returns the cleaned name. Raises ``SpecError`` for an empty name or one with
    a control or invisible character (:func:`~mlcore.specs.check_run_name`)."""
    cleaned = clean_name(check_run_name(name))
    if not cleaned:
        raise SpecError("a run name cannot be empty")
    if not store.rename_run(run_id, cleaned):
        raise SpecError(f"run {run_id} does not exist")
    return cleaned


def delete_run(store: Store, run_id: str, *, home: Path) -> bool:
    """Delete a finished run, its saved model and its evaluation file. False while it (or a job on
    it) is queued or running."""
    run = get_run(store, run_id)
    if run is None or not store.delete_run(run_id):
        return False
    evaluation = resolve_artifact(Path(home), artifact_name(f"{run_id}.eval.npz"), ".eval.npz")
    files = [evaluation] if evaluation is not None else []
    saved = model_file(home, run)
    if saved is not None:
        files.append(saved)
    for path in files:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # the run is gone; a file that cannot be removed is only disk space
    return True


def run_json(run: RunRecord) -> str:
    """A run as pretty JSON (for downloads)."""
    return json.dumps(run.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)


_UNSAFE_NAME = re.compile(r"[^\w .()+-]", re.UNICODE)


def upload_display_name(original_name: str) -> str:
    r"""The user's file name as shown and stored in a request (``csv_name``), never a path.

    Directories (``/`` or ``\``) and control characters are dropped, odd characters replaced.

    >>> upload_display_name("../../etc/passwd")
    'passwd'
    >>> upload_display_name("C:\\Users\\me\\churn 2024.csv")
    'churn 2024.csv'
    """
    base = re.split(r"[\\/]", original_name or "")[-1]
    name = clean_name(_UNSAFE_NAME.sub("_", base), max_len=120).strip(". ")
    return name or "upload.csv"


def save_upload(home: Path, data: bytes, original_name: str) -> Path:
    """Keep an uploaded CSV as ``home/uploads/<first 24 hex digits of its SHA-256>.csv``; return the path.

    The file's content names it, so the same upload is stored once and the user's file name
    (``original_name``) is never part of any path: it only appears in messages (use
    :func:`upload_display_name` for what to show). The write is atomic. Raises
    :class:`~mlcore.errors.DatasetError` for an empty or oversized file; the CSV itself is
    validated by :func:`mlcore.csv_data.validate_csv`.
    """
    from mlcore.csv_data import MAX_CSV_BYTES, UPLOAD_LIMIT_MB, megabytes
    from mlcore.errors import DatasetError  # pandas: on upload

    shown = upload_display_name(original_name)
    if not data:
        raise DatasetError(f"{shown} is empty: upload a CSV with a header row and data rows")
    if len(data) > MAX_CSV_BYTES:
        raise DatasetError(
            f"{shown} is {megabytes(len(data))}; the limit is {UPLOAD_LIMIT_MB} MB. "
            "Upload a sample of the rows."
        )
    folder = Path(home) / UPLOADS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:24]}.csv"
    if path.is_file() and path.stat().st_size == len(data):
        return path
    tmp = folder / f".{path.stem}.{secrets.token_hex(4)}.partial"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
