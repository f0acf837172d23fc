"""The data contract (docs/contract.md): validation of incoming documents with Pydantic, and their
conversion into domain objects. Nothing here touches the store."""
