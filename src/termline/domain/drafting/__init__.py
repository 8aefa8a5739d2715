"""Drafting a policy from a terms text (`termline policy draft`): pure functions, text in,
findings and a draft policy out."""

from termline.domain.drafting.draft import draft_policy
from termline.domain.drafting.findings import Finding, find_all
from termline.domain.drafting.passages import language, sentences

__all__ = ["Finding", "draft_policy", "find_all", "language", "sentences"]
