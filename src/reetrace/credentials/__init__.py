"""W3C Verifiable Credentials for a lot's provenance (contract §11). Pure: the standard library and
pure libraries only."""
