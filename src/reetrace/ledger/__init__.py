"""Canonical JSON, signatures and (later) the transparency log. Standard library and
`cryptography` / `rfc8785` only."""
