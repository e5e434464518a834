"""AppTest: the Scenarios page and the Overview say why the Monte Carlo median NPV differs from the
plan's (the base template: CAC's and churn's ranges lean pessimistic), in English and in Chinese
with yuan, and say nothing when the two agree (the bear template)."""

from __future__ import annotations

from pathlib import Path

from bizmodel.montecarlo import DEFAULT_PATHS
from bizmodel.scenario import base_template
from present import format as fmt
from present.i18n import translate
from present.median_gap_text import median_gap_sentence
from present.report_data import monte_carlo_section
from safetext import for_markdown
from tests.support.app import make_app, no_errors

PAGE = "app_pages/scenarios.py"
ZH_CNY = fmt.NumberStyle(language="zh", currency="CNY")


def expected(lang: str = "en", style: fmt.NumberStyle | None = None) -> str:
    gap = monte_carlo_section(base_template(), paths=DEFAULT_PATHS, seed=0).median_gap
    with fmt.number_style(style or fmt.NumberStyle()):
        sentence = median_gap_sentence(gap, lang)
    assert sentence is not None
    return for_markdown(sentence)


def test_scenarios_page_explains_the_median_of_the_base_template(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert expected() in [i.value for i in at.info]
    assert [m.help for m in at.metric if m.label == translate("scenario.mc.npv_p50")] == [
        translate("median_gap.why")
    ]


def test_scenarios_page_in_chinese_and_yuan(app_env: Path) -> None:
    at = make_app(PAGE, lang="zh", cur="CNY")
    no_errors(at)
    assert expected("zh", ZH_CNY) in [i.value for i in at.info]


def test_no_explanation_when_median_and_plan_agree(app_env: Path) -> None:
    at = make_app(PAGE, scenario="bear")
    no_errors(at)
    opening = for_markdown(translate("median_gap.below").split("(")[0].strip())
    assert not [i.value for i in at.info if i.value.startswith(opening)]


def test_overview_explains_the_median_under_the_fan(app_env: Path) -> None:
    at = make_app()
    no_errors(at)
    captions = [c for c in at.caption if c.value == expected()]
    assert captions and captions[0].help == translate("median_gap.why")
