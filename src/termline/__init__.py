"""termline: a SaaS provider's Terms & Conditions as executable policy.

Public surface:

* :func:`termline.policy.load_pack` / :func:`termline.policy.load_policy_file`: read a policy.
* :func:`termline.scenario.load_scenario`: read a scenario (contracts and dated events).
* :func:`termline.engine.simulate`: run contracts under their policy, day by day.
"""

__version__ = "0.1.0"
