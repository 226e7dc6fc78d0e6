"""Dash's callback outputs as its renderer sends them, for the tests and benchmarks that post
callbacks to a served app (``/_dash-update-component``) without a browser."""

from __future__ import annotations


def callback_outputs(spec: str) -> list[dict[str, str]]:
    """The outputs of a dependency's ``output`` spec: ``id.property``, or several of them
    between ``..`` and joined by ``...``, each as ``{"id": ..., "property": ...}``.

    Example::

        >>> callback_outputs("..a.children...b.figure..")
        [{'id': 'a', 'property': 'children'}, {'id': 'b', 'property': 'figure'}]
    """
    parts = spec.strip(".").split("...") if spec.startswith("..") else [spec]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
