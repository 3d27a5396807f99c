"""Explainable lead scores: the rules and their weights (``scorer``, ``scoring_weights.json``) and re-scoring a team
after the weights change (``rescoring``).

Scores anything Scorable; imports no feature but accounts and db, so intake may score on save.
"""
