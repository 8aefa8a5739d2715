"""A mechanism added from outside the product, as a new one is: its own folder (rules, state,
events, action kinds, daily step) and one more entry in `termline.domain.registry.MECHANISMS`
(tests/test_extension_point.py installs it so).

Onboarding sessions (a fictitious addendum to SmartWeb's terms, clause "A.1"): the subscription
includes `sessions` onboarding sessions, to be held within `within` of the contract's start.
Each held session is an event; when the window closes, what was not used lapses.
"""
