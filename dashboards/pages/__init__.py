"""The dashboard's pages, one module each, in the order of the navigation.

A page module has ``PATH`` (its address), ``TITLE`` (its key in translations.toml),
``layout(session, language)`` (the page's frame: headings and controls, no figures) and
``register(app, session)`` (the callbacks that fill the frame from the toolkit whenever the
filter, the language or one of the page's controls changes). Filling in callbacks keeps a filter
change to the figures that change: the frame is not rebuilt.
"""

from dashboards.pages import (
    datakwaliteit,
    doorlooptijden,
    klantreis,
    knelpunten,
    normen,
    procesmodel,
    vergelijken,
    vooruitblik,
    werkvoorraad,
)

PAGES = (
    klantreis,
    procesmodel,
    knelpunten,
    doorlooptijden,
    werkvoorraad,
    normen,
    vergelijken,
    vooruitblik,
    datakwaliteit,
)
