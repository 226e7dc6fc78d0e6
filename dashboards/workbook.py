"""The findings workbook as the dashboard's reader gets it: in the language of the screen.

:func:`readable` gives :func:`toolkit.export.report_xlsx.write_xlsx` the sheet names, headers and
chart titles from the dashboard's translations (``translations/workbook.toml`` and the shared
column headers) and names every code in the tables: activities, phases and organisations by
their chain labels, municipalities by their name in the register, tracks, kinds and families by
their translated names, the filter as the reader chose it. The workbook keeps only the title and
explanation of the reader's language. Numbers stay numbers: Excel shows them in the reader's own
notation.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from dashboards.components import (
    activity_label,
    code_name,
    fmt_date,
    is_missing,
    municipality_name,
)
from dashboards.i18n import column, label, language_of, t, texts
from toolkit.column_labels import value_label
from toolkit.export.report_xlsx import Readable
from toolkit.filters import LogFilter
from toolkit.method_notes import method_note
from toolkit.session import AnalysisSession

ACTIVITY_COLUMNS = ("activity", "from_activity", "to_activity")
ORGANISATION_COLUMNS = ("from_org", "to_org")
# Columns whose values are codes with a translation under "xlsx_code_<value>".
CODE_COLUMNS = ("family", "kind", "direction", "section", "figure", "topic", "measure", "metric",
                "segment_dimension")  # fmt: skip
FILTER_NAMES = {"organisation": "filter_organisation", "municipality": "filter_municipality",
                "location": "filter_location", "nationality": "filter_nationality",
                "track": "filter_track", "period_from": "xlsx_period_from",
                "period_to": "xlsx_period_to", "cohort_from": "xlsx_cohort_from",
                "cohort_to": "xlsx_cohort_to"}  # fmt: skip
VARIANT_STEP = " -> "


def slug(text: str) -> str:
    """The translation key of a toolkit text: ``xlsx_`` and its words joined by underscores."""
    return "xlsx_" + "_".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def known(key: str, language: str) -> bool:
    return key in texts()[language_of(language)]


def code_text(value: Any, language: str) -> Any:
    """A code's translated name (``norm_breach`` -> ``Normoverschrijding``), else the value:
    the workbook's own names first, then the names the Knelpunten page gives kinds, families
    and measures."""
    if isinstance(value, bool):
        return t("yes" if value else "no", language)
    if is_missing(value) or not isinstance(value, str):
        return value
    for kind in ("figure", "model"):  # a conformance figure, the model it is checked on
        if (named := value_label(kind, value, language)) != value:
            return named
    words = slug(value).removeprefix("xlsx_")
    for key in (f"xlsx_{words}", f"knelpunten_kind_{value}", f"knelpunten_family_{value}",
                f"knelpunten_metric_{words}"):  # fmt: skip
        if known(key, language):
            return t(key, language)
    return value


def place_text(session: AnalysisSession, place: Any, language: str) -> Any:
    """Where a finding is, named: a norm's label, an activity, a transition between two."""
    if is_missing(place) or not isinstance(place, str):
        return place
    kind, _, rest = place.partition(" ")
    if kind == "interval":
        try:
            return session.chain.norm(rest).label(language)
        except KeyError:
            return rest
    if kind == "transition":
        source, _, target = rest.partition(VARIANT_STEP)
        return f"{activity_label(session, source, language)} → {activity_label(session, target, language)}"
    if kind == "activity":
        return activity_label(session, rest, language)
    return place


def header(session: AnalysisSession, name: str, language: str) -> str:
    """A sheet name, header or chart title: the shared column header, the workbook's own text,
    a phase's label, or the name itself."""
    if known(f"xlsx_column_{name}", language):  # where the workbook's column means another thing
        return t(f"xlsx_column_{name}", language)
    shown = column(name, language)
    if shown != name:
        return shown
    if known(slug(name), language):
        return t(slug(name), language)
    try:
        return label(session.chain.phase(name), language)
    except KeyError:
        return name


def filter_text(session: AnalysisSession, data: Any, language: str) -> Any:
    """The filter as the reader chose it: ``Gemeente: Zaanstad; Spoor: Dublinprocedure``."""
    if isinstance(data, str):
        try:
            data = json.loads(data.replace("'", '"'))
        except ValueError:
            return data
    if not isinstance(data, dict):
        return data
    data = LogFilter.from_dict(data).to_dict()
    if not data:
        return t("xlsx_no_filter", language)
    parts = []
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if name == "municipality":
            values = [municipality_name(session, v) for v in values]
        elif name == "track":
            values = [code_name("track", v, language) for v in values]
        elif name == "organisation":
            values = [organisation_text(session, v, language) for v in values]
        parts.append(f"{t(FILTER_NAMES.get(name, name), language)}: {', '.join(map(str, values))}")
    return "; ".join(parts)


def organisation_text(session: AnalysisSession, org: Any, language: str) -> Any:
    try:
        return label(session.chain.organisation(str(org)), language)
    except KeyError:
        return org


def segment_value(session: AnalysisSession, dimension: Any, value: Any, language: str) -> Any:
    if dimension == "municipality":
        return municipality_name(session, value)
    if dimension == "track":
        return code_name("track", value, language)
    return value


def named(session: AnalysisSession, sheet: str, table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The table with every code named for the reader (see the module)."""
    other = "en" if language_of(language) == "nl" else "nl"
    out = table.drop(columns=[c for c in table.columns if str(c).endswith(f"_{other}")])
    for name in ACTIVITY_COLUMNS:
        if name in out.columns:
            out[name] = [v if is_missing(v) else ", ".join(
                activity_label(session, a, language) for a in str(v).split(", ")
            ) for v in out[name]]  # fmt: skip
    for name in ORGANISATION_COLUMNS:
        if name in out.columns:
            out[name] = [organisation_text(session, v, language) for v in out[name]]
    if "variant" in out.columns:
        out["variant"] = [
            " → ".join(activity_label(session, a, language) for a in str(v).split(VARIANT_STEP))
            for v in out["variant"]
        ]
    if "segment_value" in out.columns and "segment_dimension" in out.columns:
        out["segment_value"] = [
            segment_value(session, d, v, language)
            for d, v in zip(out["segment_dimension"], out["segment_value"], strict=True)
        ]
    if "segment" in out.columns and "segment_dimension" in out.columns:
        out = out.drop(columns="segment")  # the dimension and the value stand beside it
    if "place" in out.columns:
        out["place"] = [place_text(session, v, language) for v in out["place"]]
    if "confidence" in out.columns:
        out["confidence"] = [code_text(v, language) for v in out["confidence"]]
    if "filter" in out.columns:
        out["filter"] = [filter_text(session, v, language) for v in out["filter"]]
    if sheet == "Summary":
        out["value"] = [
            filter_text(session, v, language) if f == "filter" else code_text(v, language)
            for f, v in zip(out["figure"], out["value"], strict=True)
        ]
    if sheet == "Method" and "note" in out.columns:
        as_of = fmt_date(session.as_of, language)
        out["note"] = [method_note(str(topic), note, language, as_of=as_of) for topic, note in
                       zip(out["topic"], out["note"], strict=True)]  # fmt: skip
    for name in CODE_COLUMNS:
        if name in out.columns:
            out[name] = [code_text(v, language) for v in out[name]]
    if "end_expected" in out.columns:
        out["end_expected"] = [v if is_missing(v) else t("yes" if v else "no", language)
                               for v in out["end_expected"]]  # fmt: skip
    return out


def readable(session: AnalysisSession, language: str) -> Readable:
    """The workbook's translations for ``language`` (see the module)."""
    return Readable(
        text=lambda name: header(session, name, language),
        values=lambda sheet, table: named(session, sheet, table, language),
    )
