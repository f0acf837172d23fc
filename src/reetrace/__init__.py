"""reetrace: full-process traceability and export review for the rare earth chain."""

__version__ = "0.1.0"
