"""The global filter bar: period, cohort, organisation, municipality, COA location, nationality,
track, and the persons who passed an activity or a path of the process map. It fills the
``filter`` store with :meth:`toolkit.filters.LogFilter.to_dict`, the same filter the command line
builds from its flags, so a page and ``ketenlens analyze`` with the same choices show the same
figures. Choices come from the log (:meth:`AnalysisSession.options`);
activities and paths are named in the UI's language, the paths those of the whole log's process
map. Period and cohort are chosen by calendar month, from one month to another, the months
named by Babel in the UI's language: Dash's date picker names months and weekdays by the
browser's date-fns locale (English unless a locale script is loaded), never by the language
switch. The store holds the days of the months as :class:`LogFilter` has them. Above the bar one line says what the filter
keeps; in workshop mode the bar is folded behind that line, so the room sees the charts and still
knows what they are about.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Dash, Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboards.components import (
    activity_label,
    code_name,
    dropdown_labels,
    fmt_date,
    fmt_month,
    municipality_name,
)
from dashboards.i18n import LANGUAGES, label, language_of, t
from toolkit.errors import EventLogError
from toolkit.eventlog import ACTIVITY
from toolkit.filters import PATH_SEPARATOR, LogFilter
from toolkit.session import AnalysisSession, FilterOptions

# The dropdowns: LogFilter field -> translation key of its label.
DROPDOWNS = {
    "organisation": "filter_organisation",
    "municipality": "filter_municipality",
    "location": "filter_location",
    "nationality": "filter_nationality",
    "track": "filter_track",
    "activity": "filter_activity",
    "path": "filter_path",
}
# Dropdowns whose choices are named in the UI's language: filled when the language is known.
NAMED = ("activity", "path")
RANGES = {"period": "filter_period", "cohort": "filter_cohort"}
# The two ends of a month range: the translation key of each one's placeholder.
ENDS = {"from": "filter_from", "to": "filter_to"}


def current_filter(data: dict[str, Any] | None) -> LogFilter:
    """The :class:`LogFilter` held in the ``filter`` store (everything when empty)."""
    return LogFilter.from_dict(data or {})


def choice_label(session: AnalysisSession, name: str, value: str, language: str) -> str:
    """How a value of the log reads in the filter: a municipality by its name, a track and an
    organisation by their names in the language, anything else as it is."""
    if name == "municipality":
        return municipality_name(session, value)
    if name == "organisation":
        try:
            return label(session.chain.organisation(value), language)
        except KeyError:
            return value
    if name == "track":
        return code_name("track", value, language)
    if name == "activity":
        return activity_label(session, value, language)
    if name == "path":
        return path_name(session, value, language)
    return value


def choices(
    session: AnalysisSession, options: FilterOptions, name: str, language: str
) -> list[dict[str, str]]:
    """The options of a dropdown, by name; a search finds a municipality by its code as well."""
    out = []
    for value, _ in getattr(options, name):
        text = choice_label(session, name, value, language)
        out.append({"label": text, "value": value, "search": f"{text} {value}"})
    if name == "municipality":  # a reader looks a municipality up by its name
        out.sort(key=lambda option: (option["label"].casefold(), option["value"]))
    return out


def _labelled(key: str, language: str, control: Any, name: str, target: str) -> html.Div:
    return html.Div(
        [html.Label(t(key, language), id=f"label-{name}", htmlFor=target), control],
        className="filter",
    )


def month_choices(first_day: str, last_day: str, end: str, language: str) -> list[dict[str, str]]:
    """The calendar months from ``first_day``'s to ``last_day``'s as choices for one ``end`` of a
    range (``"from"`` or ``"to"``): labelled ``maart 2024``, valued by the month's first day at
    the start and its last day at the end, so a range of months is a :class:`LogFilter` range
    of days, both included (March to May 2024 is 2024-03-01 to 2024-05-31)."""
    out = []
    for month in pd.period_range(first_day, last_day, freq="M"):
        day = month.start_time if end == "from" else month.end_time
        text = fmt_month(month.start_time, language)
        out.append({"label": text, "value": day.date().isoformat(), "search": f"{text} {month}"})
    return out


def month_range(
    control_id: str,
    first_day: str,
    last_day: str,
    language: str,
    chosen: tuple[str | None, str | None] = (None, None),
) -> html.Div:
    """Two dropdowns, ``{control_id}-from`` and ``{control_id}-to``: a range of whole months
    within the log, empty ends open; their values persist over page changes."""
    ends = []
    for (end, key), value in zip(ENDS.items(), chosen, strict=True):
        ends.append(dcc.Dropdown(
            id=f"{control_id}-{end}",
            options=month_choices(first_day, last_day, end, language),
            value=value,
            placeholder=t(key, language),
            labels=dropdown_labels(language),
            searchable=True,
            search_order="original",  # a search for "2024" keeps the months in order
            clearable=True,
            persistence=True,
            persistence_type="session",
        ))  # fmt: skip
    return html.Div(ends, id=control_id, className="month-range")


def filter_bar(session: AnalysisSession, language: str) -> html.Div:
    """The bar itself; its values persist over page changes within the browser session."""
    options = session.options()
    controls = []
    for name, key in RANGES.items():
        months = month_range(f"f-{name}", options.first_day, options.last_day, language)
        controls.append(_labelled(key, language, months, name, f"f-{name}-from"))
    for name, key in DROPDOWNS.items():
        dropdown = dcc.Dropdown(
            labels=dropdown_labels(language),
            id=f"f-{name}",
            options=[] if name in NAMED else choices(session, options, name, language),
            multi=True,
            searchable=True,
            placeholder=t("filter_all", language),
            persistence=True,
            persistence_type="session",
        )
        controls.append(_labelled(key, language, dropdown, name, f"f-{name}"))
    buttons = html.Div(
        [
            html.Button(t("filter_reset", language), id="filter-reset", className="button"),
            html.Button(t("download_findings", language), id="download-findings-button",
                        className="button primary"),
        ],
        className="filter-buttons",
    )  # fmt: skip
    bar = html.Div([*controls, buttons], className="filter-bar", id="filter-bar")
    return html.Details(
        [html.Summary(summary_line(LogFilter(), session, language), id="filter-summary"), bar],
        open=not session.workshop,
        id="filter-details",
        className="filter-details",
    )


def path_name(session: AnalysisSession, path: str, language: str) -> str:
    source, _, target = path.partition(PATH_SEPARATOR)
    return (
        f"{activity_label(session, source, language)} → {activity_label(session, target, language)}"
    )


def named_choices(session: AnalysisSession, language: str) -> tuple[list[dict], list[dict]]:
    """The activity and path choices, named in ``language``: the activities of the log and the
    paths of its process map (in workshop mode without those of fewer than k persons)."""
    activities = sorted(str(a) for a in session.log[ACTIVITY].dropna().unique())
    try:
        edges = session.get(LogFilter(), "dfg").edges
    except EventLogError:
        edges = None
    paths = [] if edges is None else [f"{a}{PATH_SEPARATOR}{b}"
                                      for a, b in zip(edges["source"], edges["target"], strict=True)]  # fmt: skip
    return (
        [{"label": activity_label(session, a, language), "value": a} for a in activities],
        [{"label": path_name(session, p, language), "value": p} for p in paths],
    )


def summary_line(f: LogFilter, session: AnalysisSession, language: str) -> str:
    """What the filter keeps, on one line: ``Filter: Gemeente Zaanstad · Spoor 4``."""
    parts = []
    for name, key in RANGES.items():
        first, last = getattr(f, f"{name}_from"), getattr(f, f"{name}_to")
        if first or last:
            ends = (fmt_date(first, language) if first else "…",
                    fmt_date(last, language) if last else "…")  # fmt: skip
            parts.append(f"{t(key, language)} {ends[0]} – {ends[1]}")
    for name, key in DROPDOWNS.items():
        values = getattr(f, name)
        if not values:
            continue
        shown = [choice_label(session, name, value, language) for value in values]
        parts.append(f"{t(key, language)}: {', '.join(shown)}")
    text = " · ".join(parts) if parts else t("filter_summary_none", language)
    return t("filter_summary", language, filter=text)


def filter_data(*values: Any) -> dict[str, Any]:
    """The ``filter`` store's value for the bar's controls (the days of period from/to and cohort
    from/to, then the dropdowns in the order of ``DROPDOWNS``); a range picked backwards waits
    for its end."""
    period_from, period_to, cohort_from, cohort_to, *lists = values
    fields = dict(zip(DROPDOWNS, lists, strict=True))
    try:
        f = LogFilter(
            period_from=period_from,
            period_to=period_to,
            cohort_from=cohort_from,
            cohort_to=cohort_to,
            **{name: value or () for name, value in fields.items()},
        )
    except ValueError:
        raise PreventUpdate from None
    return f.to_dict()


def bar_texts(session: AnalysisSession, language: str) -> tuple[Any, ...]:
    """Everything the bar shows in ``language`` (labels, placeholders, choices), in the order of
    the relabelling callback's outputs. They do not depend on the filter: the callback makes
    them once per language."""
    options = session.options()
    labels = [t(key, language) for key in (*RANGES.values(), *DROPDOWNS.values())]
    placeholders = [t("filter_all", language)] * len(DROPDOWNS)
    inside = [dropdown_labels(language)] * len(DROPDOWNS)
    months = {end: month_choices(options.first_day, options.last_day, end, language)
              for end in ENDS}  # fmt: skip
    ends = []
    for _ in RANGES:  # period and cohort offer the same months
        for end, key in ENDS.items():
            ends += [t(key, language), dropdown_labels(language), months[end]]
    activities, paths = named_choices(session, language)
    named = {"activity": activities, "path": paths}
    lists = [named[name] if name in NAMED else choices(session, options, name, language)
             for name in DROPDOWNS]  # fmt: skip
    return (*labels, *placeholders, *inside, *lists, *ends, t("filter_reset", language),
            t("download_findings", language))  # fmt: skip


def register_filter_bar(app: Dash, session: AnalysisSession, *, warm: bool = False) -> None:
    """The callbacks of the bar: values into the store, labels into the language, reset.

    ``warm`` makes the bar's texts in every language now. Their path choices are the whole log's
    process map, which on millions of events takes the better part of a minute: made before
    the first visitor (and before the workers fork, so that they share it), every browser that
    opens the dashboard gets the bar at once instead of waiting for it.
    """
    texts: dict[str, tuple[Any, ...]] = {}
    for language in LANGUAGES if warm else ():
        texts[language] = bar_texts(session, language)
    range_ids = [f"f-{name}-{end}" for name in RANGES for end in ENDS]
    range_inputs = [Input(control, "value") for control in range_ids]
    dropdown_inputs = [Input(f"f-{name}", "value") for name in DROPDOWNS]

    app.callback(Output("filter", "data"), *range_inputs, *dropdown_inputs)(filter_data)

    @app.callback(
        *[Output(f"label-{name}", "children") for name in (*RANGES, *DROPDOWNS)],
        *[Output(f"f-{name}", "placeholder") for name in DROPDOWNS],
        *[Output(f"f-{name}", "labels") for name in DROPDOWNS],
        *[Output(f"f-{name}", "options") for name in DROPDOWNS],
        *[
            Output(control, prop)
            for control in range_ids
            for prop in ("placeholder", "labels", "options")
        ],
        Output("filter-reset", "children"),
        Output("download-findings-button", "children"),
        Input("language", "value"),
    )
    def relabel(language: str) -> tuple[Any, ...]:
        language = language_of(language)
        if language not in texts:
            texts[language] = bar_texts(session, language)
        return texts[language]

    @app.callback(
        Output("filter-summary", "children"),
        Input("filter", "data"),
        Input("language", "value"),
    )
    def summarise(data: dict | None, language: str) -> str:
        return summary_line(current_filter(data), session, language)

    @app.callback(
        *[Output(control, "value") for control in range_ids],
        *[Output(f"f-{name}", "value") for name in DROPDOWNS],
        Input("filter-reset", "n_clicks"),
        prevent_initial_call=True,
    )
    def reset(clicks: int | None) -> tuple[None, ...]:
        return (None,) * (len(range_ids) + len(DROPDOWNS))
