"""W3C Verifiable Credentials for a lot's provenance (contract §11): securing them (Data Integrity
`eddsa-jcs-2022`, VC-JOSE-COSE), the issuer's did:web document, the Bitstring Status List.
Pure: the standard library and pure libraries only."""
