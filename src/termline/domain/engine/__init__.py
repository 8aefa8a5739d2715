"""The engine: one pure step per contract and day, folded over a horizon by `simulate`."""

from termline.domain.engine.actions import Action
from termline.domain.engine.simulate import Balance, SimulationResult, simulate, simulate_scenario

__all__ = ["Action", "Balance", "SimulationResult", "simulate", "simulate_scenario"]
