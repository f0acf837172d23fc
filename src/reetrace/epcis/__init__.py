"""GS1 EPCIS 2.0 JSON-LD: the events the project exports and captures, and their CBV 2.0 hash IDs."""
