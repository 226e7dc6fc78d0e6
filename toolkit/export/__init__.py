"""Exports for other tools and readers: the event log as XES and OCEL 2.0 (more formats follow).

Each export reads results or the pseudonymised event log, never a raw export, so it holds no
personal data. See :mod:`toolkit.export.logs` for the event-log formats.
"""

from toolkit.export.logs import FORMATS, ExportSummary, export_log

__all__ = ["FORMATS", "ExportSummary", "export_log"]
