"""The HTTP API (FastAPI) and the pages mount on the same services as the CLI."""
