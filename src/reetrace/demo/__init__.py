"""`reetrace demo`: a synthetic year of the chain, signed and ready to ingest (pure Python, no
store). See `generator` for the entry points."""

from reetrace.demo.generator import DemoYear, generate, write

__all__ = ["DemoYear", "generate", "write"]
