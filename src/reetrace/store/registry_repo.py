"""Reading and writing the registry. Repositories never commit: the caller's unit of work does."""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, delete, select, update

from reetrace.contract.registry import RegistryDocument
from reetrace.domain.registry import (
    Enterprise,
    License,
    LicenseItem,
    Qualification,
    Quota,
    Registry,
    SigningKey,
    Site,
)
from reetrace.store import tables as t
from reetrace.store.timefmt import to_utc_text
from reetrace.store.upsert import upsert


def save_registry(conn: Connection, doc: RegistryDocument) -> dict[str, int]:
    """Write the document; returns counts per kind. An enterprise loaded again has its
    qualifications and sites replaced by the document's; its keys are only ever added or revoked
    (a key the document leaves out stays, and a revocation is never lifted or put later).
    Quotas and licenses are upserted by their key."""
    usccs = [e.uscc for e in doc.enterprises]
    if usccs:
        conn.execute(delete(t.qualifications).where(t.qualifications.c.uscc.in_(usccs)))
        conn.execute(delete(t.sites).where(t.sites.c.uscc.in_(usccs)))
    revoked = _revocations(conn, [k.key_id for e in doc.enterprises for k in e.keys])
    upsert(
        conn,
        t.enterprises,
        [
            {"uscc": e.uscc, "name": e.name, "name_en": e.name_en, "province": e.province, "group_name": e.group}
            for e in doc.enterprises
        ],
    )
    upsert(
        conn,
        t.qualifications,
        [
            {"uscc": e.uscc, "kind": q.kind, "valid_from": q.valid_from.isoformat(), "valid_to": q.valid_to.isoformat()}
            for e in doc.enterprises
            for q in e.qualifications
        ],
    )
    upsert(
        conn,
        t.signing_keys,
        [
            {
                "key_id": k.key_id,
                "uscc": e.uscc,
                "public_key": k.raw,
                "valid_from": to_utc_text(k.valid_from),
                "revoked_at": _earlier(revoked.get(k.key_id), to_utc_text(k.revoked_at) if k.revoked_at else None),
            }
            for e in doc.enterprises
            for k in e.keys
        ],
    )
    upsert(
        conn,
        t.sites,
        [
            {
                "uscc": e.uscc,
                "code": s.code,
                "kind": s.kind,
                "name": s.name,
                "province": s.province,
                "deposit": s.deposit,
                "profile": json.dumps(s.profile, sort_keys=True) if s.profile is not None else None,
                "capacity_t_reo": s.capacity_t_reo,
            }
            for e in doc.enterprises
            for s in e.sites
        ],
    )
    save_gtins(conn, doc)
    upsert(conn, t.quotas, [q.model_dump() for q in doc.quotas])
    upsert(
        conn,
        t.licenses,
        [
            {
                "license_no": lic.license_no,
                "exporter": lic.exporter,
                "consignee": lic.consignee,
                "end_user": lic.end_user,
                "destination": lic.destination,
                "valid_from": lic.valid_from.isoformat(),
                "valid_to": lic.valid_to.isoformat(),
                "items": json.dumps([i.model_dump() for i in lic.items]),
                "source": "registry",
            }
            for lic in doc.licenses
        ],
    )
    revise(conn)
    return {
        "enterprises": len(doc.enterprises),
        "qualifications": sum(len(e.qualifications) for e in doc.enterprises),
        "keys": sum(len(e.keys) for e in doc.enterprises),
        "sites": sum(len(e.sites) for e in doc.enterprises),
        "quotas": len(doc.quotas),
        "licenses": len(doc.licenses),
    }


def revise(conn: Connection) -> None:
    """Move the registry's revision: whoever kept what they read of the registry reads it again
    (`signing_parties`). Every registry load does (the table came with 0024)."""
    c = t.registry_revision.c
    conn.execute(update(t.registry_revision).where(c.id == 1).values(revision=c.revision + 1))


def _revocations(conn: Connection, key_ids: list[str]) -> dict[str, str]:
    """When each of these stored keys was revoked (the revoked ones only)."""
    if not key_ids:
        return {}
    c = t.signing_keys.c
    return dict(
        conn.execute(select(c.key_id, c.revoked_at).where(c.key_id.in_(key_ids), c.revoked_at.is_not(None))).all()
    )


def _earlier(stored: str | None, given: str | None) -> str | None:
    """A key's revocation: the earlier of the stored one and the document's (UTC texts sort)."""
    if stored is None or given is None:
        return stored or given
    return min(stored, given)


def save_gtins(conn: Connection, doc: RegistryDocument) -> None:
    """The document's enterprises' GTINs in place of those they had (the table came with 0022)."""
    usccs = [e.uscc for e in doc.enterprises]
    if usccs:
        conn.execute(delete(t.enterprise_gtins).where(t.enterprise_gtins.c.uscc.in_(usccs)))
    upsert(
        conn,
        t.enterprise_gtins,
        [{"uscc": e.uscc, "form": form, "gtin": gtin} for e in doc.enterprises for form, gtin in e.gtins.items()],
    )


def gtin_of(conn: Connection, uscc: str, form: str) -> str | None:
    """The GTIN enterprise `uscc` registered for its lots of `form`, if any."""
    return conn.execute(
        select(t.enterprise_gtins.c.gtin).where(t.enterprise_gtins.c.uscc == uscc, t.enterprise_gtins.c.form == form)
    ).scalar()


def capacity_enterprises(conn: Connection) -> set[str]:
    """The enterprises with a site whose capacity is registered."""
    c = t.sites.c
    return set(conn.scalars(select(c.uscc).where(c.capacity_t_reo.is_not(None)).distinct()))


def known_enterprises(conn: Connection) -> set[str]:
    return set(conn.scalars(select(t.enterprises.c.uscc)))


@dataclass(frozen=True, slots=True)
class SigningParties:
    """The registered signing keys and enterprises, as of one revision of the registry (shared
    by every reader of the process: never changed)."""

    revision: int | None
    keys: Mapping[str, SigningKey]
    enterprises: frozenset[str]


# per database (its engine): the signing parties last read, kept until the registry's revision moves
_parties: weakref.WeakKeyDictionary[Engine, SigningParties] = weakref.WeakKeyDictionary()


def signing_parties(conn: Connection) -> SigningParties:
    """The signing keys and enterprises, read again only when a registry load has moved the
    registry's revision since they were last read (from this process, or any other): one
    look-up of a single row for each submission, where a national registry's keys are
    thousands of rows."""
    revision = conn.scalar(select(t.registry_revision.c.revision))
    kept = _parties.get(conn.engine)
    if kept is not None and revision is not None and kept.revision == revision:
        return kept
    # read after the revision: a load committing in between leaves them newer than the revision
    # says, and they are read again next time
    found = SigningParties(revision, load_keys(conn), frozenset(known_enterprises(conn)))
    _parties[conn.engine] = found
    return found


def load_keys(conn: Connection) -> dict[str, SigningKey]:
    return {
        r.key_id: SigningKey(
            r.key_id,
            r.uscc,
            bytes(r.public_key),
            datetime.fromisoformat(r.valid_from),
            datetime.fromisoformat(r.revoked_at) if r.revoked_at else None,
        )
        for r in conn.execute(select(t.signing_keys))
    }


def load_registry(conn: Connection) -> Registry:
    registry = Registry()
    for r in conn.execute(select(t.enterprises)):
        registry.enterprises[r.uscc] = Enterprise(r.uscc, r.name, r.name_en, r.province, r.group_name)
    for r in conn.execute(select(t.qualifications).order_by(t.qualifications.c.uscc, t.qualifications.c.valid_from)):
        registry.add_qualification(
            Qualification(r.uscc, r.kind, date.fromisoformat(r.valid_from), date.fromisoformat(r.valid_to))
        )
    registry.keys = load_keys(conn)
    for r in conn.execute(select(t.sites)):
        registry.sites[(r.uscc, r.code)] = Site(
            r.uscc,
            r.code,
            r.kind,
            r.name,
            r.province,
            r.deposit,
            json.loads(r.profile) if r.profile is not None else None,
            r.capacity_t_reo,
        )
    for r in conn.execute(select(t.quotas)):
        registry.quotas[(r.year, r.uscc, r.kind, r.category)] = Quota(r.year, r.uscc, r.kind, r.category, r.tonnes_reo)
    for r in conn.execute(select(t.licenses)):
        items = tuple(LicenseItem(i["element"], i["form"], float(i["max_kg"])) for i in json.loads(r.items))
        registry.licenses[r.license_no] = License(
            r.license_no,
            r.exporter,
            r.consignee,
            r.end_user,
            r.destination,
            date.fromisoformat(r.valid_from),
            date.fromisoformat(r.valid_to),
            items,
            r.source == "review",
        )
    return registry


def issued_here(conn: Connection, license_nos: list[str]) -> list[str]:
    """Those of `license_nos` that the review issued (not migrated from the registry)."""
    if not license_nos:
        return []
    c = t.licenses.c
    return sorted(conn.scalars(select(c.license_no).where(c.license_no.in_(license_nos), c.source == "review")))
