"""The store's tables. Portable types only: the same schema runs on SQLite and PostgreSQL.

Times are stored as ISO 8601 UTC text (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`) so that ordering by
text is ordering by time on both databases and no driver converts them.

Ledger tables (`submissions`, `events`, `lots`, `lot_draws`) are append-only: rows are inserted
in the transaction that accepts a submission and never updated or deleted. `lots` and
`lot_draws` are indexes derived from the events, written in the same transaction, so a trace
never has to parse the whole ledger.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text,
    UniqueConstraint,
)

metadata = MetaData()

# --- registry (upserted by key on load) ---------------------------------------------------

enterprises = Table(
    "enterprises", metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_en", Text),
    Column("province", Text),
    Column("group_name", Text),
)

qualifications = Table(
    "qualifications", metadata,
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("valid_from", String(10), primary_key=True),
    Column("valid_to", String(10), nullable=False),
)

signing_keys = Table(
    "signing_keys", metadata,
    Column("key_id", String(16), primary_key=True),
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), nullable=False, index=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("valid_from", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

sites = Table(
    "sites", metadata,
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("province", Text),
)

quotas = Table(
    "quotas", metadata,
    Column("year", Integer, primary_key=True),
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("category", String(16), primary_key=True),
    Column("tonnes_reo", Float, nullable=False),
)

licenses = Table(
    "licenses", metadata,
    Column("license_no", String(64), primary_key=True),
    Column("exporter", String(18), nullable=False, index=True),
    Column("consignee", Text, nullable=False),
    Column("end_user", Text),
    Column("destination", String(2), nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_to", String(10), nullable=False),
    Column("items", Text, nullable=False),  # JSON list of {"element", "form", "max_kg"}
    Column("source", String(16), nullable=False),  # "registry" (migrated) or "review"
)

# --- the ledger (append-only) -------------------------------------------------------------

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),  # SHA-256 of the signed bytes
    Column("reporter", String(18), nullable=False, index=True),
    Column("key_id", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("source", Text),
    Column("event_count", Integer, nullable=False),  # events in the submission, duplicates included
    # hash chain over every receipt (reetrace.ledger.receipts): its head is signed in each checkpoint,
    # so a submission's time of receipt cannot be changed afterwards
    Column("chain", LargeBinary),
)

events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # acceptance order
    Column("reporter", String(18), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("type", String(16), nullable=False),
    Column("time", String(32), nullable=False),  # event time, UTC text
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False, index=True),
    Column("received_at", String(32), nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the canonical event
    Column("body", Text, nullable=False),  # the event's RFC 8785 JSON, exactly as submitted
    Column("leaf", LargeBinary),  # its leaf hash in the transparency log (level 0 of the tree)
    UniqueConstraint("reporter", "event_id", name="uq_events_reporter_event_id"),
    Index("ix_events_time", "time"),  # the audit's order; ties are few and sorted on the fly
)

lots = Table(
    "lots", metadata,
    Column("lot", String(80), nullable=False, index=True),  # not unique: a second creation is a finding
    Column("seq", Integer, ForeignKey("events.seq"), nullable=False, index=True),
    Column("position", Integer, nullable=False),  # index among the event's outputs
    Column("form", String(16), nullable=False),
    Column("mass_kg", Float, nullable=False),
    Column("composition", Text, nullable=False),  # JSON {element: fraction}
    Column("hs_code", String(16)),
)

lot_draws = Table(
    "lot_draws", metadata,
    Column("seq", Integer, ForeignKey("events.seq"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("lot", String(80), nullable=False, index=True),
    Column("mass_kg", Float, nullable=False),
)

# --- operations (not part of the ledger) --------------------------------------------------

rejections = Table(
    "rejections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", String(32), nullable=False),
    Column("source", Text),
    Column("reason", Text, nullable=False),  # "<class>: <detail>"
    Column("reason_class", String(16), nullable=False, index=True),
    Column("reporter", String(18)),
    Column("event", Text),  # "<USCC>:<event_id>" of the offending event, when there is one
    Column("digest", String(64)),
    Column("raw", LargeBinary),  # the bytes as received, kept for the operator
)

# --- the transparency log (append-only, written with the events) ------------------------

log_nodes = Table(
    "log_nodes", metadata,
    # the hash of the perfect subtree over leaves [idx * 2**level, (idx + 1) * 2**level), for
    # level >= 4 (reetrace.store.log_repo.STORED_FROM_LEVEL); the leaves (level 0) are
    # `events.leaf` of the event with seq idx + 1; the levels between are hashed from them
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

log_keys = Table(
    "log_keys", metadata,
    Column("key_id", String(8), primary_key=True),  # signed-note key id, hex
    Column("origin", Text, nullable=False),
    Column("verifier_key", Text, nullable=False),  # <origin>+<hex id>+<base64(0x01 || public key)>
    Column("created_at", String(32), nullable=False),
    Column("retired_at", String(32)),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False, index=True),
    Column("root_hash", LargeBinary, nullable=False),
    Column("key_id", String(8), ForeignKey("log_keys.key_id"), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("note", Text, nullable=False),  # the signed note, as published
)

cosignatures = Table(
    "cosignatures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checkpoint_id", Integer, ForeignKey("checkpoints.id"), nullable=False, index=True),
    Column("witness", Text, nullable=False),  # the witness's verifier key
    Column("line", Text, nullable=False),  # the cosignature line, "— <name> <base64>\n"
    Column("timestamp", BigInteger, nullable=False),  # the time the witness signed, unix seconds
)

# --- the control list's changes (append-only: a regulator's decision is never edited) -----

control_changes = Table(
    "control_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the order changes apply in
    Column("action", String(8), nullable=False),  # "add", "suspend" or "end"
    Column("code", String(16), nullable=False, index=True),
    Column("element", String(4)),  # add only
    Column("groups", Text),  # add only: JSON list of group letters
    Column("effective", String(10), nullable=False),  # date the change takes effect
    Column("until", String(10)),  # suspend only: exclusive end; null = open
    Column("by", Text, nullable=False),
    Column("why", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
)

# --- restricted-party screening (migration 0006) -------------------------------------------

# --- customs declarations, arrival reports, mirror statistics (migration 0007) -------------

# --- license applications and review (migration 0008) -------------------------------------
