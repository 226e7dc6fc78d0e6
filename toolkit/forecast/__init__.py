"""The Vooruitblik: who will be linked to which municipality, when, in which households.

The pipeline run forward from the event log alone: the state of every household at the as-of
moment (:mod:`~toolkit.forecast.state`), the transition model learnt from the recent past
(:mod:`~toolkit.forecast.model`, Kaplan-Meier with delayed entry from
:mod:`~toolkit.bottlenecks.survival`, drawn in :mod:`~toolkit.forecast.draws`), the Monte Carlo simulation
(:mod:`~toolkit.forecast.simulation`, koppelingen under the taakstelling in
:mod:`~toolkit.forecast.allocation`), the tables with their 80% intervals
(:mod:`~toolkit.forecast.pipeline`, :mod:`~toolkit.forecast.interval`) and the
back-test against naive forecasts (:mod:`~toolkit.forecast.backtest`). Example::

    >>> from toolkit.forecast import forecast
    >>> fc = forecast(log, as_of="2024-12-31", months=6)  # doctest: +SKIP
    >>> fc.rows.query("municipality == 'GM0363' and metric == 'linked_persons'")  # doctest: +SKIP
"""

from toolkit.forecast.backtest import BackTest, backtest, backtest_cuts
from toolkit.forecast.pipeline import Forecast, forecast

__all__ = ["BackTest", "Forecast", "backtest", "backtest_cuts", "forecast"]
