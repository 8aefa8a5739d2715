"""Scenario files: contracts, dated events and a horizon; the public test harness."""

from termline.scenario.loader import Scenario, load_scenario, parse_scenario
from termline.scenario.model import Contract, Event, Line

__all__ = ["Contract", "Event", "Line", "Scenario", "load_scenario", "parse_scenario"]
