"""The app factory: one Dash app over one ingested event log.

``create_app(log_dir)`` reads the log once into an :class:`toolkit.session.AnalysisSession`,
computes the home page for the whole log before it answers, and serves every asset itself
(``assets/`` and the component libraries' bundles; no CDN), because a workshop laptop may be
offline. Each page is a Dash page (``dash.register_page``) shown in ``dash.page_container``;
Dash's own routing builds a page's frame for the address and the language (the language switch
is a routing input), and the page's callbacks fill it. The filter bar fills one ``filter`` store
with :meth:`LogFilter.to_dict`; pages read it and ask the session, so the dashboard computes
nothing itself.

Workshop mode is laid out for a room: larger type (the ``workshop`` class in ``style.css``, larger
chart fonts), the filter bar folded into its one-line summary, and a presentation bar that walks
the pages of :data:`PRESENTATION` in order, with the arrow keys and PageUp/PageDown
(``assets/presentation.js``). Example::

    >>> app = create_app(Path("event_logs/demo"), workshop=True)  # doctest: +SKIP
    >>> app.server  # a WSGI application for waitress  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import flask
from dash import Dash, Input, Output, dcc, html

from dashboards.components import fmt_date, register_tables
from dashboards.downloads import register_downloads, report_error
from dashboards.filterbar import filter_bar, register_filter_bar
from dashboards.i18n import LANGUAGES, language_of, t
from dashboards.pages import PAGES
from toolkit.session import AnalysisSession
from toolkit.suppression import DEFAULT_K

ASSETS = Path(__file__).with_name("assets")
# The order of a workshop: the journey, the chain map, where time is lost (the findings ranked by
# excess person-days), who is behind (lead times per municipality, location or office) and the
# trend (norms per month).
PRESENTATION = ("/", "/procesmodel", "/knelpunten", "/doorlooptijden", "/normen")
SESSION = "KETENLENS_SESSION"  # the app's session in its Flask config


def _header(session: AnalysisSession, language: str) -> list[Any]:
    links = [
        dcc.Link(t(page.TITLE, language), href=page.PATH, className="nav-link",
                 id={"kind": "nav", "page": page.TITLE})
        for page in PAGES
    ]  # fmt: skip
    end = html.Span(t("data_end", language, day=fmt_date(data_end(session), language)),
                    id="data-end", className="data-end")  # fmt: skip
    return [
        html.Div([html.H1(t("app_title", language)), html.Span(t("app_subtitle", language)),
                  end], className="brand"),
        html.Nav(links, className="nav"),
    ]  # fmt: skip


def data_end(session: AnalysisSession) -> str:
    """The last day the figures cover: the export cut-off of the log, else its last event."""
    return session.as_of or session.options().last_day


def _banners(session: AnalysisSession, language: str) -> list[Any]:
    out = []
    if session.workshop:
        out.append(html.Div(t("workshop_banner", language, k=session.k), className="banner",
                            id="workshop-banner"))  # fmt: skip
    if session.report.get("demo_key"):
        out.append(html.Div(t("demo_banner", language), className="banner demo"))
    return out


def presentation(pathname: str | None, language: str) -> list[Any]:
    """The presentation bar of workshop mode: previous, where we are, next."""
    path = pathname or "/"
    here = PRESENTATION.index(path) if path in PRESENTATION else None
    steps = len(PRESENTATION)
    previous = PRESENTATION[(here - 1) % steps if here is not None else -1]
    following = PRESENTATION[(here + 1) % steps if here is not None else 0]
    where = t("presentation_step", language, step=here + 1, steps=steps) if here is not None else ""
    return [
        dcc.Link(t("presentation_previous", language), href=previous, id="presentation-previous",
                 className="button"),
        html.Span(where, id="presentation-step"),
        dcc.Link(t("presentation_next", language), href=following, id="presentation-next",
                 className="button primary"),
        html.Span(t("presentation_hint", language), className="muted"),
    ]  # fmt: skip


def create_app(
    log_dir: Path | str,
    workshop: bool = False,
    language: str = "nl",
    *,
    k: int = DEFAULT_K,
    session: AnalysisSession | None = None,
    warm: bool = True,
) -> Dash:
    """The dashboard over ``log_dir`` (an ingested log: ``events.parquet`` + ingest report).

    ``workshop`` hides every figure about fewer than ``k`` persons; ``language`` is the
    starting language (the switch in the header changes it). ``warm`` computes the home page
    and the filter bar's choices (in every language) for the whole log, and the home page of
    each large filter of one value (:meth:`AnalysisSession.compute_ahead`), before the app is
    returned, so the first visitor does not wait, and workers forked from this process share
    them.
    """
    language = language_of(language)
    session = session or AnalysisSession.open(Path(log_dir), workshop=workshop, k=k)
    if warm:
        session.warm()
        session.compute_ahead()
    app = Dash(
        __name__,
        title="Ketenlens",
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,
        use_pages=True,
        pages_folder="",  # the pages are registered below, with the session they show
        routing_callback_inputs={"language": Input("language", "value")},
        on_error=report_error,
    )
    app.server.config[SESSION] = session
    for order, page in enumerate(PAGES):
        dash.register_page(
            page.__name__,
            path=page.PATH,
            name=page.TITLE,
            order=order,
            title="Ketenlens",
            layout=page_layout(page),
        )
    app.layout = html.Div(
        [
            dcc.Store(id="filter", data={}),
            dcc.Store(id="error"),
            dcc.Download(id="download-findings"),
            html.Header(
                [
                    html.Div(_header(session, language), id="header"),
                    dcc.RadioItems(
                        id="language",
                        options=[{"label": code.upper(), "value": code} for code in LANGUAGES],
                        value=language,
                        inline=True,
                        className="language-switch",
                    ),
                ],
                className="top",
            ),
            html.Div(_banners(session, language), id="banners"),
            html.Nav(id="presentation", className="presentation", hidden=not session.workshop),
            filter_bar(session, language),
            html.Div(id="messages", className="messages", role="alert"),
            dcc.Loading(html.Main(dash.page_container, id="page"), type="dot", delay_show=300),
        ],
        className="app workshop" if session.workshop else "app",
        id="app",
    )

    @app.callback(
        Output("header", "children"),
        Output("banners", "children"),
        Input("language", "value"),
    )
    def frame(lang: str | None) -> tuple[Any, Any]:
        lang = language_of(lang)
        return _header(session, lang), _banners(session, lang)

    if session.workshop:

        @app.callback(
            Output("presentation", "children"),
            Input("_pages_location", "pathname"),
            Input("language", "value"),
        )
        def presentation_bar(pathname: str | None, lang: str | None) -> list[Any]:
            return presentation(pathname, language_of(lang))

    register_filter_bar(app, session, warm=warm)
    register_downloads(app, session)
    register_tables(app)
    for page in PAGES:
        page.register(app, session)
    return app


def page_layout(page: Any) -> Any:
    """The layout function Dash's routing calls for ``page``: its frame in the chosen language,
    over the session of the app that answers (Dash keeps one page registry per process)."""

    def layout(language: str | None = None, **_: Any) -> Any:
        return page.layout(flask.current_app.config[SESSION], language_of(language))

    return layout
