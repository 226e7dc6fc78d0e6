"""What if: the chain simulation calibrated on an event log, run on from the state at its end.

``calibrate`` estimates the engine's parameters from the log (each with how it was estimated),
``initial_state`` finds who waits where at the start, ``ScenarioModel`` runs base and scenario
from there and ``monthly_metrics`` measures both with the toolkit's own definitions (work in
progress, milestone intervals). ``fidelity.backtest`` re-runs the last twelve months.
"""

from toolkit.scenario.calibrate import Calibration, Estimate, calibrate
from toolkit.scenario.run import Levers, ScenarioModel, ScenarioResult, run_scenario

__all__ = [
    "Calibration",
    "Estimate",
    "Levers",
    "ScenarioModel",
    "ScenarioResult",
    "calibrate",
    "run_scenario",
]
