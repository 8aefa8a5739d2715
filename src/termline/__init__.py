"""termline: a SaaS provider's Terms & Conditions as executable policy.

Public surface:

* :func:`termline.domain.policy.load_pack` / :func:`termline.domain.policy.load_policy_file`:
  read a policy.
* :func:`termline.domain.contract.load_scenario`: read a scenario (contracts and dated events).
* :func:`termline.domain.engine.simulate`: run contracts under their policy, day by day.
"""

__version__ = "0.1.0"

from termline.compiled import use_compiled

use_compiled()  # the compiled core when built (make compiled), unless TERMLINE_PURE=1
