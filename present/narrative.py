"""The generated narrative of a business case: a few plain sentences a founder can read aloud.

Pure (no Streamlit): :func:`narrative` turns a :class:`~present.report_data.Report` into translated
sentences, with every number written by :mod:`present.format` in the current number style. The
Overview page and the HTML report show the same sentences. User text (scenario and run names)
is returned as given: the caller escapes it for Markdown or HTML.
"""

from __future__ import annotations

from bizmodel.data_value import CurveFit, DataEconomics, Purchase
from bizmodel.projection import Kpis
from bizmodel.scenario import Scenario
from mlcore.tasks import LearningCurve
from present import format as fmt
from present.explain import words
from present.i18n import translate
from present.report_data import Report


def _break_even(value: int | float | None, horizon: int, lang: str) -> str:
    if value is None:
        return translate("narrative.no_break_even", lang, horizon=horizon)
    return translate("narrative.break_even", lang, month=int(value))


def terminal_method_words(scenario: Scenario, lang: str) -> str:
    """The scenario's terminal-value method in words: ``an exit at 4× ending ARR``."""
    if scenario.terminal_value == "exit_multiple":
        return translate("narrative.method.exit_multiple", lang, multiple=f"{scenario.exit_multiple_arr:g}")
    if scenario.terminal_value == "gordon":
        return translate("narrative.method.gordon", lang, growth=fmt.fmt_pct(scenario.terminal_growth))
    return translate("scenario.terminal.none", lang)


def terminal_help(k: Kpis, scenario: Scenario, lang: str) -> str:
    """How the terminal value was formed, with its figures, or why none is counted (in ``lang``)."""
    if k.terminal_value_usd is None or k.terminal_at_horizon_usd is None:
        return words(k.reasons.get("terminal_value_usd"), lang)
    common = {
        "value": fmt.fmt_usd(k.terminal_at_horizon_usd),
        "month": scenario.horizon_months,
        "present": fmt.fmt_usd(k.terminal_value_usd),
    }
    if k.terminal_method == "exit_multiple":
        return translate(
            "kpi.terminal.exit_multiple",
            lang,
            arr=fmt.fmt_usd(k.terminal_basis_usd),
            multiple=f"{scenario.exit_multiple_arr:g}",
            **common,
        )
    return translate(
        "kpi.terminal.gordon",
        lang,
        basis=fmt.fmt_usd(k.terminal_basis_usd),
        growth=fmt.fmt_pct(scenario.terminal_growth),
        rate=fmt.fmt_pct(scenario.annual_discount_rate),
        **common,
    )


def _value_sentences(report: Report, lang: str) -> list[str]:
    """Gross margin, and the NPV with the value beyond the horizon (or why none is counted)."""
    k, scenario = report.kpis, report.effective
    out = []
    if k.gross_margin is not None:
        out.append(translate("narrative.margin", lang, margin=fmt.fmt_pct(k.gross_margin)))
    if k.terminal_value_usd is not None and k.npv_with_terminal_usd is not None:
        out.append(
            translate(
                "narrative.terminal",
                lang,
                method=terminal_method_words(scenario, lang),
                value=fmt.fmt_usd(k.terminal_value_usd),
                total=fmt.fmt_usd(k.npv_with_terminal_usd),
            )
        )
    elif scenario.terminal_value != "none":
        out.append(translate("narrative.terminal_none", lang, reason=terminal_help(k, scenario, lang)))
    return out


def narrative(report: Report, lang: str) -> list[str]:
    """Sentences describing ``report`` in language ``lang`` (numbers in the current style).

    The first names what drives the scenario (the run and its measured accuracy, or typed values);
    then break-even with its probability, NPV with its P10–P90 range, cash, gross margin, NPV with
    the terminal value, and the lever that moves NPV most.
    """
    k, horizon = report.kpis, report.effective.horizon_months
    out = []
    if report.inputs is not None and report.run is not None:
        out.append(
            translate(
                "narrative.run",
                lang,
                name=report.name,
                run=report.run.name,
                accuracy=fmt.fmt_pct(report.inputs.model_accuracy),
            )
        )
    else:
        out.append(
            translate(
                "narrative.typed",
                lang,
                name=report.name,
                accuracy=fmt.fmt_pct(report.effective.model_accuracy),
            )
        )
    mc = report.monte_carlo
    out.append(_break_even(k.break_even_month, horizon, lang))
    if mc is not None:
        out.append(
            translate(
                "narrative.break_even_p",
                lang,
                probability=fmt.fmt_pct(mc.probability_break_even),
                horizon=horizon,
            )
        )
        out.append(
            translate(
                "narrative.npv_range",
                lang,
                npv=fmt.fmt_usd(k.npv_usd),
                p10=fmt.fmt_usd(mc.npv.get("p10")),
                p90=fmt.fmt_usd(mc.npv.get("p90")),
                paths=f"{mc.paths:,}",
            )
        )
        out.append(
            translate(
                "narrative.cash",
                lang,
                probability=fmt.fmt_pct(mc.probability_out_of_cash),
                low=fmt.fmt_usd(k.min_cash_usd),
            )
        )
    else:
        out.append(translate("narrative.npv", lang, npv=fmt.fmt_usd(k.npv_usd)))
    out += _value_sentences(report, lang)
    if report.tornado is not None and not report.tornado.empty and "npv_swing_usd" in report.tornado:
        top = report.tornado.sort_values("npv_swing_usd", ascending=False).iloc[0]
        out.append(
            translate(
                "narrative.lever",
                lang,
                lever=translate(f"lever.{top['key']}", lang),
                swing=fmt.fmt_usd(float(top["npv_swing_usd"])),
                change=f"{report.change * 100:g}",
            )
        )
    return out


def fit_quality(fit: CurveFit, lang: str) -> str:
    """How well the learning curve is fitted: RMSE, points and sizes, range, ceiling, bootstrap."""
    return translate(
        "data_value.fit.quality",
        lang,
        rmse=f"{fit.rmse_points:.2f}",
        points=fit.n_points,
        sizes=fit.n_sizes,
        n_min=fmt.fmt_int(fit.n_min),
        n_max=fmt.fmt_int(fit.n_max),
        ceiling=fmt.fmt_pct(fit.max_accuracy, decimals=2),
        boot=fit.n_bootstrap_ok,
        scale=f"{fit.noise_scale:.2f}",
    )


def curve_rule(curve: LearningCurve, lang: str) -> str:
    """How the curve's points were trained, in one line of ``lang``: to convergence (the patience,
    the epoch cap, and how many trainings reached the cap first), or, for a curve stored before the
    rule was recorded, the old rule (every fraction for the run's epochs) and that it reads low at
    small fractions."""
    if curve.legacy:
        return translate("sweep.rule.legacy", lang, epochs=curve.epochs)
    line = translate(
        "sweep.rule.converged", lang, patience=curve.patience or 0, cap=curve.max_epochs or curve.epochs
    )
    if curve.capped:
        line += " " + translate(
            "sweep.rule.capped",
            lang,
            capped=curve.capped,
            trainings=curve.trainings,
            cap=curve.max_epochs or 0,
        )
    return line


def purchase_sentence(purchase: Purchase, econ: DataEconomics, lang: str) -> str:
    """ "Buying N more labels at $c raises accuracy by X points …, worth $Y a year" in ``lang``."""
    return translate(
        "data_value.headline",
        lang,
        n=fmt.fmt_int(purchase.extra_samples),
        price=fmt.fmt_usd(econ.label_cost_usd_per_sample),
        gain=f"{purchase.gain_points:.2f}",
        level=f"{100 * purchase.interval_level:.0f}",
        low=f"{purchase.gain_points_low:.2f}",
        high=f"{purchase.gain_points_high:.2f}",
        value=fmt.fmt_usd(purchase.value_usd_per_year),
    )
