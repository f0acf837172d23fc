"""Provenance certificates: a self-contained bundle proving where a lot came from, checked offline.

`bundle` defines the `reetrace/certificate@1` document and assembles it, `verify` checks one with
nothing but the log's key (and witnesses' keys), `printable` renders it for people, with a QR code.
Nothing here reads a store; `reetrace.services.certify` gathers what a bundle needs.
"""
