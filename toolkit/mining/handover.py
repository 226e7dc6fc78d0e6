"""Handovers between organisations: who passes a person to whom, how often, and how long it takes.

In a chain the waits that nobody owns sit between organisations: the IND grants a permit, then
COA has to link the person to a municipality, then the municipality has to find a home. A
handover is a pair of consecutive events of a person (in the stable order of
:func:`toolkit.mining.ordering.sorted_log`) whose organisation (``org:group``) differs; its delay
is the time between the two events. Per ``(from_org, to_org)``: ``handovers`` (pairs), ``cases``
(persons with at least one), and ``median_days``, ``mean_days``, ``p90_days``, ``total_days``.
With ``by="org:resource"`` the same is computed between COA locations, IND offices and
municipalities. Events without a value in ``by`` are skipped, so the pair is formed with the next
event that has one. Percentiles interpolate linearly (numpy's default).

pm4py's ``discover_handover_of_work_network`` gives counts only (and a weighted ratio, not a
count), so this is a plain pandas groupby. Example::

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": ["a", "a", "b", "b"],
    ...     "concept:name": ["permit", "link", "permit", "link"],
    ...     "time:timestamp": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-11", "2024-01-01", "2024-01-21"], utc=True),
    ...     "org:group": ["IND", "COA", "IND", "COA"],
    ... })
    >>> handovers(log)[["from_org", "to_org", "handovers", "median_days"]].values.tolist()
    [['IND', 'COA', 2, 15.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.cellkeys import key_of, keyed_counts
from toolkit.eventlog import ACTIVITY, CASE, GROUP, TIMESTAMP
from toolkit.mining.ordering import SECONDS_PER_DAY, require_columns, sorted_log

P90 = 0.9
COLUMNS = [
    "from_org",
    "to_org",
    "handovers",
    "cases",
    "median_days",
    "mean_days",
    "p90_days",
    "total_days",
]


def handover_pairs(log: pd.DataFrame, *, by: str = GROUP) -> pd.DataFrame:
    """One row per handover: ``case``, ``from_org``, ``to_org``, ``from_activity``,
    ``to_activity``, ``start``, ``end``, ``days``.

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a", "a"],
        ...     "concept:name": ["x", "y", "z"],
        ...     "time:timestamp": pd.date_range("2024-01-01", periods=3, tz="UTC"),
        ...     "org:group": ["IND", "IND", "COA"],
        ... })
        >>> handover_pairs(log)[["from_activity", "to_activity", "days"]].values.tolist()
        [['y', 'z', 1.0]]
    """
    require_columns(log, (CASE, ACTIVITY, TIMESTAMP, by))
    known = log[log[by].notna()]
    ordered = sorted_log(known)
    # where the organisation changes within a case, found on codes; only those rows become text
    org = pd.factorize(ordered[by].astype(object).astype(str) if not _coded(ordered[by])
                       else ordered[by])[0]  # fmt: skip
    case = pd.factorize(ordered[CASE])[0]
    at = np.flatnonzero((case[1:] == case[:-1]) & (org[1:] != org[:-1]))

    def text(column: str, rows: np.ndarray) -> pd.Series:
        values = ordered[column]
        if isinstance(values.dtype, pd.CategoricalDtype):  # the few categories made text once
            codes = values.cat.codes.to_numpy()[rows]
            if (codes >= 0).all():
                return pd.Series(values.cat.categories.astype(object).astype(str).take(codes))
        return values.iloc[rows].astype(object).astype(str).reset_index(drop=True)

    out = pd.DataFrame(
        {
            "case": ordered[CASE].iloc[at].reset_index(drop=True),
            "from_org": text(by, at),
            "to_org": text(by, at + 1),
            "from_activity": text(ACTIVITY, at),
            "to_activity": text(ACTIVITY, at + 1),
            "start": ordered[TIMESTAMP].iloc[at].reset_index(drop=True),
            "end": ordered[TIMESTAMP].iloc[at + 1].reset_index(drop=True),
        }
    )
    out["days"] = (out["end"] - out["start"]).dt.total_seconds() / SECONDS_PER_DAY
    return out


def _coded(column: pd.Series) -> bool:
    """Whether two values of ``column`` are the same text exactly when their codes are the same:
    categories of texts (or texts themselves), not numbers that a text might equal."""
    values = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else column
    return isinstance(values.dtype, pd.StringDtype)


def handovers(log: pd.DataFrame, *, by: str = GROUP) -> pd.DataFrame:
    """The handover network with its delays: one row per ``(from_org, to_org)``, most frequent
    first (ties by name). ``by`` is the column that names the organisation (``org:group``, or
    ``org:resource`` for locations, offices and municipalities).

    Example::

        >>> import pandas as pd
        >>> log = pd.DataFrame({
        ...     "case:concept:name": ["a", "a", "a"],
        ...     "concept:name": ["x", "y", "z"],
        ...     "time:timestamp": pd.to_datetime(
        ...         ["2024-01-01", "2024-01-02", "2024-01-05"], utc=True),
        ...     "org:resource": ["Ter Apel", "Budel", "Ter Apel"],
        ... })
        >>> handovers(log, by="org:resource")[["from_org", "to_org", "median_days"]].values.tolist()
        [['Budel', 'Ter Apel', 3.0], ['Ter Apel', 'Budel', 1.0]]
    """
    pairs = handover_pairs(log, by=by)
    by_pair = pairs.groupby(["from_org", "to_org"], sort=False)
    days = by_pair["days"]
    # the cell keys (toolkit.cellkeys): of the persons, and of the handovers (each keyed by its
    # person's record key)
    keys = keyed_counts(pairs, ["from_org", "to_org"])
    table = pd.DataFrame(
        {
            "handovers": days.size().astype("int64"),
            "cases": by_pair["case"].nunique().astype("int64"),
            "median_days": days.median(),
            "mean_days": days.mean(),
            "p90_days": days.quantile(P90),
            "total_days": days.sum(),
            key_of("handovers"): keys[key_of("rows")],
            key_of("cases"): keys[key_of("persons")],
        }
    ).reset_index()
    table = table.sort_values(
        ["handovers", "from_org", "to_org"], ascending=[False, True, True], kind="stable"
    )
    return table.reindex(columns=[*COLUMNS, key_of("handovers"), key_of("cases")]).reset_index(
        drop=True
    )
