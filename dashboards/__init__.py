"""The Dash app of Ketenlens: it reads a chain event log and shows what the toolkit computes.

The dashboard holds layout and callbacks only; every figure comes from a toolkit function that the
command line and the exports call too.
"""
