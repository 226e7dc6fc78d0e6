"""The chain as data: organisations, phases, activities, norms, the reference process.

Everything here is read from the TOML files beside this module; ``load_chain()`` validates them
and returns one immutable :class:`Chain`. Example::

    >>> from toolkit.chain import load_chain
    >>> chain = load_chain()
    >>> chain.activity("coa_koppeling").label_nl
    'Koppeling aan gemeente'
    >>> round(chain.norm("N13").days)
    98
"""

from toolkit.chain.model import (
    Activity,
    Chain,
    Municipality,
    Norm,
    Organisation,
    Overview,
    Phase,
    load_chain,
)

__all__ = [
    "Activity",
    "Chain",
    "Municipality",
    "Norm",
    "Organisation",
    "Overview",
    "Phase",
    "load_chain",
]
