"""Monthly figures of a chain log over a window: the same for the real log and a simulated one.

Every figure uses the toolkit's own definitions, so a scenario's numbers mean what the analysis
pages mean: work in progress per phase (:func:`toolkit.bottlenecks.wip.wip_per_day`, at the last
day of each month), milestone intervals (:func:`toolkit.bottlenecks.intervals.person_intervals`).

Per month (a month is counted from the window's start, in Amsterdam time):

- ``inflow``: persons whose first event falls in the month;
- ``wip_total`` and ``wip:<phase>``: persons in work in progress at the month's end;
- ``coa_occupancy``: persons in COA reception at the month's end (entered, not yet left);
- ``wait_median_days:<norm>``: median days of the milestone intervals that ended in the month
  (``wait_persons:<norm>`` of them);
- ``share_over_norm:<norm>``: of those intervals and of the persons still waiting at the
  month's end (``norm_persons:<norm>`` together), the share beyond the norm (a backlog that does
  not finish still counts);
- ``arrivals:<GMxxxx>``: persons who left COA for a home in the municipality in the month.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from toolkit.bottlenecks.intervals import person_intervals
from toolkit.bottlenecks.wip import wip_per_day, wip_phases
from toolkit.chain import Chain, load_chain
from toolkit.eventlog import ACTIVITY, CASE, MUNICIPALITY, TIMESTAMP
from toolkit.suppression import SUPPRESSED, is_small

AMSTERDAM = "Europe/Amsterdam"
COA_IN = "coa_instroom"
COA_OUT_PREFIX = "coa_uitstroom_"
HOUSED = "coa_uitstroom_gemeente"
COLUMNS = ["month", "metric", "value"]


def month_bounds(start: pd.Timestamp, months: int) -> list[pd.Timestamp]:
    """``months + 1`` moments (UTC) a calendar month apart in Amsterdam, from ``start``."""
    local = start.tz_convert(AMSTERDAM)
    return [(local + pd.DateOffset(months=k)).tz_convert("UTC") for k in range(months + 1)]


def _label(moment: pd.Timestamp) -> str:
    return moment.tz_convert(AMSTERDAM).strftime("%Y-%m")


def _month_of(stamps: pd.Series, bounds: list[pd.Timestamp]) -> np.ndarray:
    """The month (0, 1, ...) of each moment; -1 before the first."""
    return pd.DatetimeIndex(bounds).searchsorted(pd.DatetimeIndex(stamps), side="right") - 1


def _utc(moments: pd.Series | pd.Timestamp) -> np.ndarray | np.datetime64:
    """UTC moments as numpy's (NaT stays NaT, and compares false), for per-month masks."""
    if isinstance(moments, pd.Timestamp):
        return np.datetime64(moments.tz_convert("UTC").tz_localize(None), "ns")
    return moments.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def milestone_norms(chain: Chain) -> list:
    return [n for n in chain.norms if n.milestone]


def monthly_metrics(
    log: pd.DataFrame,
    start: pd.Timestamp,
    months: int,
    *,
    chain: Chain | None = None,
    municipalities: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Rows ``month``, ``metric``, ``value`` for the ``months`` months from ``start``.

    ``municipalities`` get an ``arrivals`` row each month even when nobody arrives there.

    Example::

        >>> monthly_metrics(log, pd.Timestamp("2024-06-30 22:00", tz="UTC"), 12)  # doctest: +SKIP
    """
    chain = chain or load_chain()
    bounds = month_bounds(start, months)
    labels = [_label(b) for b in bounds[:-1]]
    end = bounds[-1]
    log = log[log[TIMESTAMP] < end]
    rows: list[tuple[str, str, float]] = []

    def add(metric: str, values) -> None:
        rows.extend((m, metric, float(v)) for m, v in zip(labels, values, strict=True))

    first = _month_of(log.groupby(CASE, observed=True)[TIMESTAMP].min(), bounds)
    add("inflow", np.bincount(first[first >= 0], minlength=months)[:months])

    wip = wip_per_day(log, chain=chain, as_of=end).set_index("date")
    month_ends = [(b.tz_convert(AMSTERDAM) - pd.Timedelta(days=1)).normalize() for b in bounds[1:]]
    ends = pd.DatetimeIndex([d.tz_localize(None) for d in month_ends])
    index = wip.index.tz_localize(None) if wip.index.tz is not None else wip.index
    wip = wip.set_axis(index).reindex(ends).ffill().fillna(0)
    add("wip_total", wip["total"])
    for phase in wip_phases(chain):
        add(f"wip:{phase}", wip[phase])

    coa_in = log[log[ACTIVITY] == COA_IN].groupby(CASE, observed=True)[TIMESTAMP].min()
    outs = log[log[ACTIVITY].astype(str).str.startswith(COA_OUT_PREFIX)]
    coa_out = outs.groupby(CASE, observed=True)[TIMESTAMP].min().reindex(coa_in.index)
    add("coa_occupancy", [int(((coa_in < b) & ~(coa_out < b)).sum()) for b in bounds[1:]])

    moments = [_utc(b) for b in bounds]
    for norm in milestone_norms(chain):
        people = person_intervals(log, norm, chain=chain, as_of=end)
        start = _utc(people["start"])
        done_at = _utc(people["start"] + pd.to_timedelta(people["days"], unit="D"))
        days = people["days"].to_numpy(dtype=float)
        closed = ~people["censored"].to_numpy(dtype=bool)
        medians, shares, ended_counts, norm_counts = [], [], [], []
        for lo, hi in itertools.pairwise(moments):
            ended = closed & (done_at >= lo) & (done_at < hi)
            # still waiting at the month's end (those who left the chain before it are not)
            waiting = (start < hi) & (done_at >= hi)
            elapsed = (hi - start) / np.timedelta64(1, "s") / 86400.0
            over = (ended & (days > norm.days)) | (waiting & (elapsed > norm.days))
            both = int((ended | waiting).sum())
            medians.append(float(np.nanmedian(days[ended])) if ended.any() else np.nan)
            shares.append(over.sum() / both if both else np.nan)
            ended_counts.append(int(ended.sum()))
            norm_counts.append(both)
        add(f"wait_median_days:{norm.id}", medians)
        add(f"wait_persons:{norm.id}", ended_counts)
        add(f"share_over_norm:{norm.id}", shares)
        add(f"norm_persons:{norm.id}", norm_counts)

    housed = log[log[ACTIVITY] == HOUSED]
    housed = housed.assign(month=_month_of(housed[TIMESTAMP], bounds))
    housed = housed[(housed["month"] >= 0) & (housed["month"] < months)]
    counts = (
        housed.groupby([housed[MUNICIPALITY].astype(str), "month"])[CASE]
        .nunique()
        .unstack(fill_value=0)
        .reindex(columns=range(months), fill_value=0)
    )
    counts = counts.reindex(counts.index.union(pd.Index(municipalities)), fill_value=0)
    for code, per in counts.sort_index().iterrows():
        add(f"arrivals:{code}", per.to_numpy())
    return pd.DataFrame(rows, columns=COLUMNS)


COUNT_PREFIXES = ("inflow", "wip", "coa_occupancy", "arrivals:", "wait_persons:", "norm_persons:")
# A month's median wait, and the metric of how many ended waits it is the median of.
MEDIAN_PREFIX = "wait_median_days:"
DERIVED = {MEDIAN_PREFIX: "wait_persons:", "share_over_norm:": "norm_persons:"}


def ended_waits(median: str) -> str:
    """The metric of how many ended waits a month's median wait is the median of:
    ``wait_median_days:N13`` → ``wait_persons:N13``."""
    return median.replace(MEDIAN_PREFIX, DERIVED[MEDIAN_PREFIX], 1)


def suppress_table(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """Workshop mode: counts of 1 to k-1 persons emptied, and medians and shares over them.

    Example::

        >>> suppress_table(result.table, k=10)  # doctest: +SKIP
    """
    out = table.copy()
    metric = out["metric"].astype(str)
    counts = metric.str.startswith(COUNT_PREFIXES)
    small = counts & is_small(out["value"], k)
    keys = ["month", "run"] if "run" in out else ["month"]
    for derived, base in DERIVED.items():
        over = metric.str.startswith(derived)
        base_metric = metric[over].str.replace(derived, base, regex=False)
        lookup = out[counts].set_index([*keys, "metric"])["value"]
        index = pd.MultiIndex.from_frame(out.loc[over, keys].assign(metric=base_metric.to_numpy()))
        n = lookup.reindex(index).to_numpy()
        small.loc[over] = is_small(pd.Series(n), k).to_numpy()
    out["value"] = out["value"].astype(object).where(~small, None)
    out[SUPPRESSED] = small.to_numpy()
    return out
