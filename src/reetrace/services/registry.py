"""Use cases on the registry: load a document, show what is registered."""

from __future__ import annotations

from reetrace.config import Settings
from reetrace.contract.registry import validate_registry
from reetrace.domain.accounts import Actor
from reetrace.domain.registry import Registry
from reetrace.errors import InvalidInput
from reetrace.services.access_log import note_change
from reetrace.services.supervision_changes import registry_changed
from reetrace.store.database import Store
from reetrace.store.registry_repo import issued_here, known_enterprises, save_registry
from reetrace.store.registry_repo import load_registry as read_registry


def load_registry(
    store: Store, doc: object, *, actor: Actor | None = None, settings: Settings | None = None
) -> dict[str, int]:
    """Load a `reetrace/registry@1` document; idempotent (upsert by key). The load is written
    to the access log with it, naming `actor`. The supervised findings it changes are judged
    again with it (by `settings`' thresholds, the default ones if not given)."""
    registry = validate_registry(doc)
    with store.writing() as conn:
        before = read_registry(conn)
        known = known_enterprises(conn) | {e.uscc for e in registry.enterprises}
        for where, uscc in [("quotas", q.uscc) for q in registry.quotas] + [
            ("licenses", lic.exporter) for lic in registry.licenses
        ]:
            if uscc not in known:
                raise InvalidInput(f"registry document: {where} name enterprise {uscc}, which is not registered")
        issued = issued_here(conn, [lic.license_no for lic in registry.licenses])
        if issued:
            raise InvalidInput(
                f"registry document: license {issued[0]} was issued by the review here; a migrated "
                f"license may not replace it"
            )
        counts = save_registry(conn, registry)
        registry_changed(conn, settings or Settings(), before, read_registry(conn))
        note_change(conn, actor, "registry load", None, ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return counts


def current_registry(store: Store) -> Registry:
    with store.reading() as conn:
        return read_registry(conn)
