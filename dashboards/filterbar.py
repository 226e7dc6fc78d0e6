"""The global filter bar: period, cohort, organisation, municipality, COA location, nationality,
track. It fills the ``filter`` store with :meth:`toolkit.filters.LogFilter.to_dict`, the same
filter the command line builds from its flags, so a page and ``ketenlens analyze`` with the same
choices show the same figures. Choices come from the log (:meth:`AnalysisSession.options`).
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboards.components import code_name, dropdown_labels, municipality_name
from dashboards.i18n import label, t
from toolkit.filters import LogFilter
from toolkit.session import AnalysisSession, FilterOptions

# The dropdowns: LogFilter field -> translation key of its label.
DROPDOWNS = {
    "organisation": "filter_organisation",
    "municipality": "filter_municipality",
    "location": "filter_location",
    "nationality": "filter_nationality",
    "track": "filter_track",
}
RANGES = {"period": "filter_period", "cohort": "filter_cohort"}
DATE_DISPLAY = "DD-MM-YYYY"  # a day as both languages read it without month names


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


def _labelled(key: str, language: str, control: Any, name: str) -> html.Div:
    return html.Div(
        [html.Label(t(key, language), id=f"label-{name}", htmlFor=f"f-{name}"), control],
        className="filter",
    )


def filter_bar(session: AnalysisSession, language: str) -> html.Div:
    """The bar itself; its values persist over page changes within the browser session."""
    options = session.options()
    controls = []
    for name, key in RANGES.items():
        picker = dcc.DatePickerRange(
            id=f"f-{name}",
            min_date_allowed=options.first_day,
            max_date_allowed=options.last_day,
            initial_visible_month=options.last_day,
            display_format=DATE_DISPLAY,
            first_day_of_week=1,
            clearable=True,
            start_date_placeholder_text=t("filter_from", language),
            end_date_placeholder_text=t("filter_to", language),
            persistence=True,
            persistence_type="session",
        )
        controls.append(_labelled(key, language, picker, name))
    for name, key in DROPDOWNS.items():
        dropdown = dcc.Dropdown(
            labels=dropdown_labels(language),
            id=f"f-{name}",
            options=choices(session, options, name, language),
            multi=True,
            searchable=True,
            placeholder=t("filter_all", language),
            persistence=True,
            persistence_type="session",
        )
        controls.append(_labelled(key, language, dropdown, name))
    buttons = html.Div(
        [
            html.Button(t("filter_reset", language), id="filter-reset", className="button"),
            html.Button(t("download_findings", language), id="download-findings-button",
                        className="button primary"),
        ],
        className="filter-buttons",
    )  # fmt: skip
    return html.Div([*controls, buttons], className="filter-bar", id="filter-bar")


def filter_data(*values: Any) -> dict[str, Any]:
    """The ``filter`` store's value for the bar's controls (period from/to, cohort from/to, then
    the dropdowns in the order of ``DROPDOWNS``); a range picked backwards waits for its end."""
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


def register_filter_bar(app: Dash, session: AnalysisSession) -> None:
    """The callbacks of the bar: values into the store, labels into the language, reset."""
    range_inputs = [
        Input(f"f-{name}", prop) for name in RANGES for prop in ("start_date", "end_date")
    ]
    dropdown_inputs = [Input(f"f-{name}", "value") for name in DROPDOWNS]

    app.callback(Output("filter", "data"), *range_inputs, *dropdown_inputs)(filter_data)

    @app.callback(
        *[Output(f"label-{name}", "children") for name in (*RANGES, *DROPDOWNS)],
        *[Output(f"f-{name}", "placeholder") for name in DROPDOWNS],
        *[Output(f"f-{name}", "labels") for name in DROPDOWNS],
        *[Output(f"f-{name}", "options") for name in DROPDOWNS],
        *[
            Output(f"f-{name}", prop)
            for name in RANGES
            for prop in ("start_date_placeholder_text", "end_date_placeholder_text")
        ],
        Output("filter-reset", "children"),
        Output("download-findings-button", "children"),
        Input("language", "value"),
    )
    def relabel(language: str) -> tuple[str, ...]:
        labels = [t(key, language) for key in (*RANGES.values(), *DROPDOWNS.values())]
        placeholders = [t("filter_all", language)] * len(DROPDOWNS)
        ends = [t("filter_from", language), t("filter_to", language)] * len(RANGES)
        inside = [dropdown_labels(language)] * len(DROPDOWNS)
        options = session.options()
        lists = [choices(session, options, name, language) for name in DROPDOWNS]
        return (*labels, *placeholders, *inside, *lists, *ends, t("filter_reset", language),
                t("download_findings", language))  # fmt: skip

    @app.callback(
        *[Output(f"f-{name}", prop) for name in RANGES for prop in ("start_date", "end_date")],
        *[Output(f"f-{name}", "value") for name in DROPDOWNS],
        Input("filter-reset", "n_clicks"),
        prevent_initial_call=True,
    )
    def reset(clicks: int | None) -> tuple[None, ...]:
        return (None,) * (2 * len(RANGES) + len(DROPDOWNS))
