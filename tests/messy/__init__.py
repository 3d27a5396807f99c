"""A messy CSV generator and a pairwise scorer for evaluating dedupe end to end."""
