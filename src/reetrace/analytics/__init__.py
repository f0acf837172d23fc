"""Analytics: the ledger exported to Parquet, and DuckDB queries over the export, so that analysts
never load the operational store (docs/analytics.md)."""

from reetrace.analytics.export import ExportSummary, export_parquet, read_manifest

__all__ = ["ExportSummary", "export_parquet", "read_manifest"]
