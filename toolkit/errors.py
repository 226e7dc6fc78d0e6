"""Domain errors whose message is written for the person running the tool.

Library code raises these; only the CLI prints them. A message names the file, the entry, row or
column that is wrong and says what to do, and never contains personal data.
"""


class KetenlensError(Exception):
    """Base class: an error the user can act on, printed without a traceback."""


class ChainDefinitionError(KetenlensError):
    """The chain TOML files contradict themselves (unknown activity, duplicate id, ...)."""


class ProfileError(KetenlensError):
    """A mapping profile is malformed or does not match the chain vocabulary."""


class ConfigError(KetenlensError):
    """A generator configuration file is malformed."""


class IngestError(KetenlensError):
    """An export cannot be ingested: unknown format, unreadable file, missing key, ... ."""


class EventLogError(KetenlensError):
    """An event log breaks the contract (a column, time zone, order or vocabulary is wrong)."""


class ExportError(KetenlensError):
    """An event log cannot be exported: no log there, an unknown format or file extension."""


class OutputError(KetenlensError):
    """An output path cannot be written: a file where a folder is needed, no permission, ... ."""


class DashboardError(KetenlensError):
    """The dashboard cannot start as asked: no password for a network address, an empty one, ...."""
