"""Synthetic chain: a capacity-constrained simulation that writes realistic raw exports."""
