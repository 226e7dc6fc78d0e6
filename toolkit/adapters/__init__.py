"""Adapters: the exports of COA, IND and municipalities become one chain event log.

Each source format is a mapping profile in ``profiles/`` (data, not code); see docs/adapters.md.
"""

from toolkit.adapters.profile import (
    Profile,
    builtin_profiles,
    fold,
    load_profile,
    profiles_with,
)

__all__ = ["Profile", "builtin_profiles", "fold", "load_profile", "profiles_with"]
