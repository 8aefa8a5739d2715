"""Scenario files: contracts, dated events and a horizon; the public test harness."""

from termline.domain.contract.model import Contract, Event, Line
from termline.domain.contract.scenario_file import Scenario, load_scenario, parse_scenario

__all__ = ["Contract", "Event", "Line", "Scenario", "load_scenario", "parse_scenario"]
