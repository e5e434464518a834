"""The Train page's inputs: dataset (with CSV upload), model preset and settings → a request."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import streamlit as st

from mlcore import csv_data, datasets, flops
from mlcore.runs import save_upload, upload_display_name
from mlcore.specs import ACTIVATIONS, OPTIMIZERS, SCHEDULES, ModelSpec, SpecError, TrainRequest, preset_spec
from safetext import for_markdown, for_plain
from ui.components.widgets import name_refusal
from ui.session.admission import Busy, TooLarge, upload_bytes
from ui.session.capacity import heavy, show_refusal
from ui.session.i18n import t
from ui.session.state import home

DATASET_CHOICES = ("mnist-5k", "digits", "mnist", "fashion-mnist", "csv")


@dataclass(frozen=True)
class DataChoice:
    """The chosen data: a built-in name, or a validated CSV upload (bytes kept until Start)."""

    dataset: str
    csv_bytes: bytes | None = None
    csv_name: str | None = None
    label_column: str | None = None
    kind: str = "image"
    input_shape: tuple[int, ...] = ()
    n_classes: int = 0


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def _availability(name: str) -> tuple[bool, str]:
    """Whether ``name`` can be loaded now, and why (or how) in the UI language."""
    ok, reason = datasets.availability(name)
    if not ok and name in datasets.DOWNLOADABLE:
        title, cache = datasets.BUILTIN[name].title, datasets.keras_cache_dir()
        return ok, t("dataset.status.offline", title=title, cache=cache)
    if ok and reason in ("bundled", "cached"):
        return ok, t(f"dataset.status.{reason}")
    if ok and name in datasets.DOWNLOADABLE:
        return ok, t("dataset.status.download")
    return ok, reason


@st.cache_data(max_entries=4, show_spinner=False)
def _parse(data: bytes) -> tuple[list[str], str | None]:
    """The CSV's column names, or the refusal; parsed within the work budget (raises
    :class:`~ui.session.admission.Busy` when it has no room)."""
    with heavy(upload_bytes(len(data))):
        try:
            return [str(c) for c in csv_data.parse_csv(data).columns], None
        except datasets.DatasetError as exc:
            return [], str(exc)


@st.cache_data(max_entries=8, show_spinner=False)
def _validate(data: bytes, label: str) -> tuple[tuple[int, int, tuple[str, ...]] | None, str | None]:
    """Rows, features and class names of the CSV with ``label`` as the label column, or the
    refusal; validated within the work budget like :func:`_parse`."""
    with heavy(upload_bytes(len(data))):
        try:
            table = csv_data.validate_csv(data, label_column=label)
        except datasets.DatasetError as exc:
            return None, str(exc)
    return (len(table.labels), len(table.feature_names), table.class_names), None


def choose_data() -> DataChoice | None:
    """Dataset selector (and CSV upload with label column). None while the choice is unusable."""
    name = st.selectbox(
        t("form.dataset"),
        DATASET_CHOICES,
        format_func=lambda n: t(f"dataset.{n}"),
        key="dataset",
        help=t("help.dataset"),
    )
    if name != "csv":
        ok, reason = _availability(name)
        info = datasets.BUILTIN[name]
        if not ok:
            st.error(reason, icon=":material/cloud_off:")
            return None
        st.caption(
            t(
                "form.dataset_info",
                source=t(f"dataset.source.{name}"),
                shape="×".join(map(str, info.input_shape)),
                status=reason,
            )
        )
        return DataChoice(dataset=name, input_shape=info.input_shape, n_classes=info.n_classes)
    upload = st.file_uploader(
        t("form.csv"),
        type=["csv"],
        key="csv_file",
        help=t("help.csv", limit=csv_data.UPLOAD_LIMIT_MB, rows=f"{csv_data.MAX_CSV_ROWS:,}"),
        max_upload_size=csv_data.UPLOAD_LIMIT_MB,
    )
    if upload is None:
        st.caption(t("form.csv_hint"))
        return None
    data = upload.getvalue()
    try:
        columns, error = _parse(data)
    except (Busy, TooLarge) as exc:
        show_refusal(exc, key="csv_retry")
        return None
    if error:
        st.error(t("form.csv_refused", reason=for_markdown(error)), icon=":material/block:")
        return None
    label = st.selectbox(
        t("form.label"), columns, index=len(columns) - 1, format_func=for_plain, key="csv_label"
    )
    try:
        summary, error = _validate(data, label)
    except (Busy, TooLarge) as exc:
        show_refusal(exc, key="csv_retry")
        return None
    if error or summary is None:
        st.error(t("form.csv_refused", reason=for_markdown(error or "?")), icon=":material/block:")
        return None
    rows, features, classes = summary
    st.caption(
        t(
            "form.csv_ok",
            rows=rows,
            features=features,
            classes=len(classes),
            names=for_markdown(", ".join(classes[:8])),
        )
    )
    return DataChoice(
        "csv",
        data,
        upload_display_name(upload.name),
        label,
        kind="table",
        input_shape=(features,),
        n_classes=len(classes),
    )


def _parse_units(text: str) -> tuple[int, ...]:
    try:
        units = tuple(int(u) for u in text.replace(" ", "").split(",") if u)
    except ValueError as exc:
        raise SpecError(t("form.bad_units")) from exc
    return units


def model_form(choice: DataChoice) -> TrainRequest | None:
    """Preset and settings in one form; returns the request when Start is pressed and valid."""
    presets = ["article-mlp", "small-cnn", "custom"] if choice.kind == "image" else ["article-mlp", "custom"]
    preset = st.radio(
        t("form.preset"), presets, format_func=lambda p: t(f"preset.{p}"), horizontal=True, key="preset"
    )
    st.caption(t(f"preset.{preset}.about"))
    base = preset_spec(preset)
    k = preset  # widget keys per preset, so each preset starts from its own defaults
    with st.form("train_form", border=True):
        c1, c2, c3, c4 = st.columns(4)
        common = {
            "epochs": int(c1.number_input(t("form.epochs"), 1, 500, base.epochs, key=f"epochs_{k}")),
            "batch_size": int(c2.number_input(t("form.batch"), 1, 8192, base.batch_size, key=f"batch_{k}")),
            "learning_rate": float(
                c3.number_input(t("form.lr"), 1e-6, 10.0, base.learning_rate, format="%.5f", key=f"lr_{k}")
            ),
            "seed": int(c4.number_input(t("form.seed"), 0, 2**31 - 1, base.seed, key=f"seed_{k}")),
        }
        custom = _custom_fields(choice, base) if preset == "custom" else None
        with st.expander(t("form.advanced")):
            advanced = _advanced_fields()
        submitted = st.form_submit_button(
            t("form.start"), type="primary", icon=":material/play_arrow:", key="start"
        )
    if not submitted:
        return None
    refusal = name_refusal(advanced.name)
    if refusal is not None:
        st.error(refusal, icon=":material/block:")
        return None
    try:
        return _request(choice, base, common, custom, advanced)
    except (SpecError, datasets.DatasetError, TypeError, OSError) as exc:
        st.error(t("form.invalid", reason=for_markdown(str(exc))), icon=":material/block:")
        return None


@dataclass(frozen=True)
class _CustomFields:
    """The custom preset's inputs as typed (layer lists still text: :func:`_parse_units` reads them)."""

    units: str
    filters: str
    values: dict[str, Any]


def _custom_fields(choice: DataChoice, base: ModelSpec) -> _CustomFields:
    """The custom preset's widgets: architecture, layers, activation, optimizer, regularisation."""
    d1, d2, d3 = st.columns(3)
    units = d1.text_input(
        t("form.hidden"), ",".join(map(str, base.hidden_units)), key="hidden", help=t("help.hidden")
    )
    arch_options = ["mlp", "cnn"] if choice.kind == "image" else ["mlp"]
    arch = d2.selectbox(t("form.architecture"), arch_options, key="architecture")
    filters = d3.text_input(t("form.filters"), "16,32", key="filters", help=t("help.filters"))
    e1, e2, e3, e4 = st.columns(4)
    values: dict[str, Any] = {
        "architecture": arch,
        "activation": e1.selectbox(t("form.activation"), ACTIVATIONS, key="activation"),
        "optimizer": e2.selectbox(t("form.optimizer"), OPTIMIZERS, key="optimizer"),
        "lr_schedule": e3.selectbox(
            t("form.schedule"), SCHEDULES, key="schedule", format_func=lambda s: t(f"schedule.{s}")
        ),
        "momentum": e4.number_input(t("form.momentum"), 0.0, 0.99, 0.9, key="momentum"),
    }
    f1, f2, f3 = st.columns(3)
    values["dropout"] = f1.number_input(t("form.dropout"), 0.0, 0.9, 0.0, step=0.05, key="dropout")
    values["l2"] = f2.number_input(t("form.l2"), 0.0, 1.0, 0.0, format="%.5f", key="l2")
    values["early_stopping_patience"] = int(
        f3.number_input(t("form.patience"), 0, 100, 0, key="patience", help=t("help.patience"))
    )
    return _CustomFields(units, filters, values)


@dataclass(frozen=True)
class _AdvancedFields:
    """The form's advanced inputs: the split's seed, placement, precision, distribution, name."""

    split_seed: int
    force_cpu: bool
    mixed: bool
    distribute: bool
    name: str


def _advanced_fields() -> _AdvancedFields:
    """The advanced expander's widgets."""
    g1, g2, g3 = st.columns(3)
    split_seed = g1.number_input(t("form.split_seed"), 0, 2**31 - 1, 0, key="split_seed")
    force_cpu = g2.checkbox(t("form.force_cpu"), False, key="force_cpu", help=t("help.force_cpu"))
    mixed = g3.checkbox(t("form.mixed"), True, key="mixed", help=t("help.mixed"))
    distribute = st.checkbox(t("form.distribute"), False, key="distribute", help=t("help.distribute"))
    name = st.text_input(t("form.name"), "", max_chars=80, key="run_name", placeholder=t("form.name_hint"))
    return _AdvancedFields(int(split_seed), bool(force_cpu), bool(mixed), bool(distribute), name)


def _request(
    choice: DataChoice,
    base: ModelSpec,
    common: dict[str, Any],
    custom: _CustomFields | None,
    advanced: _AdvancedFields,
) -> TrainRequest:
    """The training request the form describes; raises SpecError (or DatasetError, OSError) when
    the model does not fit or the upload cannot be saved. Saves a CSV upload under the home."""
    spec_values = dict(common)
    if custom is not None:
        arch = custom.values["architecture"]
        spec_values.update(
            hidden_units=_parse_units(custom.units),
            conv_filters=_parse_units(custom.filters) if arch == "cnn" else (),
            **custom.values,
        )
    spec: ModelSpec = dataclasses.replace(base, **spec_values)
    flops.check_fits(spec, choice.input_shape, choice.n_classes, kind=choice.kind)
    csv_path = None
    if choice.csv_bytes is not None:
        csv_path = str(save_upload(home(), choice.csv_bytes, choice.csv_name or "upload.csv"))
    return TrainRequest(
        spec=spec,
        dataset=choice.dataset,
        name=advanced.name,
        csv_path=csv_path,
        csv_name=choice.csv_name,
        label_column=choice.label_column,
        split_seed=advanced.split_seed,
        force_cpu=advanced.force_cpu,
        mixed_precision=advanced.mixed,
        distribute="mirrored" if advanced.distribute else "none",
    )
