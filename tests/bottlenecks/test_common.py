"""Months and quarters in Amsterdam time, found by the UTC moments at which they begin."""

import pandas as pd

from toolkit.bottlenecks.common import local_periods


def test_months_and_quarters_by_the_moments_they_begin():
    # around the clocks going back (27 Oct 2024, 02:00-03:00 twice) and the turn of a quarter in
    # summer time (30 Jun 22:00 UTC is 1 Jul 00:00 in Amsterdam)
    stamps = pd.Series(
        pd.to_datetime(
            ["2024-10-27 00:19:00", "2024-10-27 01:19:00", "2024-06-30 21:59:59",
             "2024-06-30 22:00:00", "2023-12-31 23:00:00"],
            utc=True,
        )
    )  # fmt: skip
    local = stamps.dt.tz_convert("Europe/Amsterdam")
    codes, labels = local_periods(stamps, "month")
    assert labels[codes].tolist() == local.dt.strftime("%Y-%m").tolist()
    codes, labels = local_periods(stamps, "quarter")
    assert labels[codes].tolist() == ["2024Q4", "2024Q4", "2024Q2", "2024Q3", "2024Q1"]
    assert local_periods(stamps.iloc[:0], "quarter")[0].size == 0
