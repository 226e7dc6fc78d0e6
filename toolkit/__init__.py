"""Ketenlens: process mining for the Dutch asylum-to-housing chain.

The package follows the flow of the data: ``chain`` (the domain as data), ``adapters`` (raw exports
to one chain event log), ``mining`` and ``bottlenecks`` (analysis), ``export`` and the dashboards.
``synthetic`` writes realistic raw exports for development, tests and demos.
"""

__version__ = "0.1.0"
