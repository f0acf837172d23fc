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
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# --- registry (upserted by key on load) ---------------------------------------------------

enterprises = Table(
    "enterprises",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_en", Text),
    Column("province", Text),
    Column("group_name", Text),
)

qualifications = Table(
    "qualifications",
    metadata,
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("valid_from", String(10), primary_key=True),
    Column("valid_to", String(10), nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), nullable=False, index=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("valid_from", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

# one row: moved by every registry load, so that what a process read of the registry (the signing
# keys, store.registry_repo.signing_parties) is read again only when the registry changed
registry_revision = Table(
    "registry_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", BigInteger, nullable=False),
)

sites = Table(
    "sites",
    metadata,
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("province", Text),
    Column("deposit", String(16)),  # rock | ion_adsorption, mines only
    Column("profile", Text),  # JSON: element symbol -> share of REO
    Column("capacity_t_reo", Float),  # output allowed per calendar year
)

quotas = Table(
    "quotas",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("category", String(16), primary_key=True),
    Column("tonnes_reo", Float, nullable=False),
)

licenses = Table(
    "licenses",
    metadata,
    Column("license_no", String(64), primary_key=True),
    Column("exporter", String(18), nullable=False, index=True),
    Column("consignee", Text, nullable=False),
    Column("end_user", Text),
    Column("destination", String(2), nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_to", String(10), nullable=False),
    Column("items", Text, nullable=False),  # JSON list of {"element", "form", "max_kg"}
    Column("source", String(16), nullable=False),  # "registry" (migrated) or "review"
    Column("license_type", String(8)),  # "single" or "general" (issued here)
    Column("issued_on", String(10)),
    Column("application", String(32)),  # the application it was issued on
)

# --- the ledger (append-only) -------------------------------------------------------------

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),  # SHA-256 of the signed bytes
    Column("reporter", String(18), nullable=False, index=True),
    Column("key_id", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("received_at", String(32), nullable=False),
    # the Ed25519 signature (base64url); of an EPCIS capture, its detached JWS (0021)
    Column("signature", String(200), nullable=False),
    Column("source", Text),
    Column("event_count", Integer, nullable=False),  # events in the submission, duplicates included
    # hash chain over every receipt (reetrace.ledger.receipts): its head is signed in each checkpoint,
    # so a submission's time of receipt cannot be changed afterwards
    Column("chain", LargeBinary),
)

# On PostgreSQL, migration 0011 partitions `events` by year on `time`, with primary key
# (seq, time), and keeps seq and (reporter, event_id) unique across years in a table of their own,
# `event_ids`, which `lots.seq` and `lot_draws.seq` refer to (reetrace.store.partitions). The
# columns are the same on both databases; SQLite keeps this table as declared here.
events = Table(
    "events",
    metadata,
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
    "lots",
    metadata,
    Column("lot", String(80), nullable=False, index=True),  # not unique: a second creation is a finding
    Column("seq", Integer, ForeignKey("events.seq"), nullable=False, index=True),
    Column("position", Integer, nullable=False),  # index among the event's outputs
    Column("form", String(16), nullable=False),
    Column("mass_kg", Float, nullable=False),
    Column("composition", Text, nullable=False),  # JSON {element: fraction}
    Column("hs_code", String(16)),
)

lot_draws = Table(
    "lot_draws",
    metadata,
    Column("seq", Integer, ForeignKey("events.seq"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("lot", String(80), nullable=False, index=True),
    Column("mass_kg", Float, nullable=False),
)

# --- operations (not part of the ledger) --------------------------------------------------

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", String(32), nullable=False),
    Column("source", Text),
    Column("reason", Text, nullable=False),  # "<class>: <detail>"
    Column("reason_class", String(16), nullable=False, index=True),
    Column("reporter", String(18)),
    Column("event", Text),  # "<USCC>:<event_id>" of the offending event, when there is one
    Column("digest", String(64)),  # SHA-256 of the bytes as received (of the signed message when it verified)
    Column("raw", LargeBinary),  # the bytes as received, kept for the operator (not when beyond the size bound)
    Column("size", BigInteger),  # how many bytes were received
    # the reason as the pages say it (reetrace.domain.problems): its message id and parameters
    # (JSON); rows recorded before reasons carried them have neither
    Column("message", String(80)),
    Column("params", Text),
)

# --- the transparency log (append-only, written with the events) ------------------------

log_nodes = Table(
    "log_nodes",
    metadata,
    # the hash of the perfect subtree over leaves [idx * 2**level, (idx + 1) * 2**level), for
    # level >= 4 (reetrace.store.log_repo.STORED_FROM_LEVEL); the leaves (level 0) are
    # `events.leaf` of the event with seq idx + 1; the levels between are hashed from them
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

log_keys = Table(
    "log_keys",
    metadata,
    Column("key_id", String(8), primary_key=True),  # signed-note key id, hex
    Column("origin", Text, nullable=False),
    Column("verifier_key", Text, nullable=False),  # <origin>+<hex id>+<base64(0x01 || public key)>
    Column("created_at", String(32), nullable=False),
    Column("retired_at", String(32)),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False, index=True),
    Column("root_hash", LargeBinary, nullable=False),
    Column("key_id", String(8), ForeignKey("log_keys.key_id"), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("note", Text, nullable=False),  # the signed note, as published
)

cosignatures = Table(
    "cosignatures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checkpoint_id", Integer, ForeignKey("checkpoints.id"), nullable=False, index=True),
    Column("witness", Text, nullable=False),  # the witness's verifier key
    Column("line", Text, nullable=False),  # the cosignature line, "— <name> <base64>\n"
    Column("timestamp", BigInteger, nullable=False),  # the time the witness signed, unix seconds
)

# --- the control list's changes (append-only: a regulator's decision is never edited) -----

control_changes = Table(
    "control_changes",
    metadata,
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
# A list is replaced as a whole when loaded again (its entities deleted and inserted in the same
# transaction); every load is also appended to `screening_loads`, which is never updated, so a
# screening result's list versions can always be traced to the file and who loaded it.

screening_lists = Table(
    "screening_lists",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("version", String(64), nullable=False),  # SHA-256 of the file's bytes, hex
    Column("source", Text, nullable=False),  # the file's name as loaded
    Column("loaded_at", String(32), nullable=False),
    Column("loaded_by", Text),
    Column("entities", Integer, nullable=False),  # entities screened against
    Column("skipped", Text, nullable=False),  # JSON {schema: count} of entities not screened against
    Column("keys_version", String(16), nullable=False),  # the name normaliser the stored keys come from
)

screening_entities = Table(
    "screening_entities",
    metadata,
    Column("list_name", String(100), ForeignKey("screening_lists.name"), primary_key=True),
    Column("entity_id", Text, primary_key=True),
    Column("entity_schema", String(32), nullable=False),
    Column("names", Text, nullable=False),  # JSON list, in the list's order
    Column("countries", Text, nullable=False),  # JSON list of lower-case codes
    Column("name_keys", Text, nullable=False),  # JSON [[name index, key], ...], precomputed for the index
    # JSON {"props": [list property of each name], "birth_dates": [...], "tags": [[tag, [values]], ...]}
    Column("details", Text, nullable=True),
)

screening_loads = Table(
    "screening_loads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list_name", String(100), nullable=False, index=True),
    Column("version", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("loaded_at", String(32), nullable=False),
    Column("loaded_by", Text),
    Column("entities", Integer, nullable=False),
    Column("skipped", Text, nullable=False),
    Column("replaced_version", String(64)),  # the version this load replaced, if any
)

# --- customs declarations, arrival reports, mirror statistics (migration 0007) -------------
# Imports and declarations are only ever inserted (the same declaration again is a no-op, another
# under a known number an error); arrival reports are inserted once per export. Mirror statistics
# are reference data: loading a (year, partner, hs6) again replaces it.

customs_imports = Table(
    "customs_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, index=True),  # of the file's bytes
    Column("source", Text),  # the file name
    Column("rows", Integer, nullable=False),  # declarations in the file
    Column("added", Integer, nullable=False),  # of which new
    Column("period_from", String(10), nullable=False),  # the days customs reported on, both included
    Column("period_to", String(10), nullable=False),
    Column("by", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
)

customs_declarations = Table(  # one row per item of a declaration; the items repeat what they share
    "customs_declarations",
    metadata,
    Column("declaration_no", String(64), primary_key=True),
    Column("item", Integer, primary_key=True, autoincrement=False),  # 1-based, in the order customs gave them
    Column("date", String(10), nullable=False, index=True),
    Column("exporter", String(18), nullable=False, index=True),
    Column("hs_code", String(10), nullable=False),
    Column("net_kg", Float, nullable=False),
    Column("destination", String(2), nullable=False),
    Column("license_no", String(64)),
    Column("lots", Text, nullable=False),  # JSON list of the lot ids the item names
    Column("import_id", Integer, ForeignKey("customs_imports.id"), nullable=False),
)

arrival_reports = Table(
    "arrival_reports",
    metadata,
    Column("export_ref", String(160), primary_key=True),  # "<USCC>:<event_id>" of the export event
    Column("arrived_on", String(10), nullable=False),
    Column("by", Text, nullable=False),
    Column("note", Text),
    Column("recorded_at", String(32), nullable=False),
)

# Years that close (reetrace.domain.closing, docs/closing.md): one row each time a year is closed
# (chained: its state digest is signed by every later checkpoint), the opening's bytes beside it.
year_closings = Table(
    "year_closings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False, index=True),
    Column("as_of", String(10), nullable=False),
    Column("boundary", String(32), nullable=False),  # the next year's first instant, UTC text
    Column("last_seq", BigInteger, nullable=False),  # the last event before it when closed
    Column("events", BigInteger, nullable=False),  # events replayed to reach it
    Column("state_digest", String(64), nullable=False),
    Column("blob_digest", String(64), nullable=False),
    Column("blob_bytes", BigInteger, nullable=False),
    Column("closed_at", String(32), nullable=False),
    Column("closed_by", Text, nullable=False),
)

year_closing_parts = Table(
    "year_closing_parts",
    metadata,
    Column("closing_id", Integer, primary_key=True, autoincrement=False),
    Column("part", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

mirror_statistics = Table(
    "mirror_statistics",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("partner", String(2), primary_key=True),  # the reporting importer
    Column("hs6", String(6), primary_key=True),
    Column("kg", Float, nullable=False),
    Column("value_usd", Float),
    Column("source", Text),
    Column("loaded_at", String(32), nullable=False),
)

# --- license applications and review (migration 0008) -------------------------------------
# Applications, their documents, pre-reviews and review steps are only ever inserted: a step
# records who did what, when and why; the state is the last step's.

officials = Table(
    "officials",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("roles", Text, nullable=False),  # JSON list: "reviewer", "approver"
    Column("enterprise", String(18)),  # the enterprise the person comes from, if any
    Column("added_at", String(32), nullable=False),
)

license_applications = Table(
    "license_applications",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("exporter", String(18), nullable=False, index=True),
    Column("license_type", String(8), nullable=False),
    Column("destination", String(2), nullable=False),
    Column("submitted_at", String(32), nullable=False),
    Column("submitted_by", Text, nullable=False),
    Column("body", Text, nullable=False),  # the application as submitted (JSON)
    Column("body_sha256", String(64), nullable=False),
)

application_documents = Table(
    "application_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application", String(32), ForeignKey("license_applications.number"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("added_at", String(32), nullable=False),
)

application_steps = Table(
    "application_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application", String(32), ForeignKey("license_applications.number"), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("state", String(16), nullable=False),  # the state after the step
    Column("by", Text, nullable=False),
    Column("at", String(32), nullable=False),
    Column("why", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON
)

prereviews = Table(
    "prereviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application", String(32), ForeignKey("license_applications.number"), nullable=False, index=True),
    Column("run_at", String(32), nullable=False),
    Column("ledger_size", Integer, nullable=False),  # events in the ledger when it ran
    Column("verdict", String(12), nullable=False),  # clear, attention, blocked
    Column("report", Text, nullable=False),  # JSON, reetrace/pre-review@1
)

# --- accounts, API tokens, access log, finding triage (migration 0009) --------------------

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),  # argon2id, with its parameters and salt
    Column("role", String(16), nullable=False),
    Column("uscc", String(18)),  # an enterprise user's enterprise; null for staff
    Column("display_name", Text),
    Column("created_at", String(32), nullable=False),
    Column("disabled_at", String(32)),
    Column("totp_secret", Text),  # base32 secret of the second factor, once enrolled
    Column("password_changed_at", String(32)),
    Column("totp_last_step", BigInteger),  # the time step of the last code accepted: a code is used once (0015)
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token; the token is shown once
    Column("label", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False, index=True),
    Column("username", String(64), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("action", String(16), nullable=False),  # read, change, refused, login, login_failed, logout, locked …
    Column("what", Text, nullable=False),  # e.g. "POST /api/submissions"
    Column("enterprise", String(18), index=True),  # whose data, when it is one enterprise's
    Column("detail", Text),
    Column("channel", String(8)),  # api, console or cli
    Column("client", Text),  # the client's network address (api, console)
    Column("os_user", Text),  # the operating-system user (cli)
)

finding_actions = Table(
    "finding_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding", String(64), nullable=False, index=True),  # the finding's key (reetrace.domain.triage)
    Column("action", String(12), nullable=False),  # assign, confirm, dismiss, note
    Column("by", String(64), nullable=False),
    Column("at", String(32), nullable=False),
    Column("assignee", String(64)),
    Column("note", Text, nullable=False),
)

# --- supervision (migration 0010) -----------------------------------------------------------

# Every lot an event moves, and its shipment, license and declaration (reetrace.domain.event_keys):
# with `lots` and `lot_draws`, the whole history of a lot or a shipment is an index look-up.
# Written with the event, never updated; clustered by key.
event_keys = Table(
    "event_keys",
    metadata,
    Column("key", Text, primary_key=True),  # up to 540 characters (migration 0016)
    Column("seq", Integer, primary_key=True),
    sqlite_with_rowid=False,
)

# Findings kept up to date as submissions arrive (reetrace.services.supervision). Unlike the
# ledger these rows are derived and replaced: each belongs to a subject (an event, a quota
# account, a license, a declaration, a reporter's month) and a subject's findings are rewritten
# whole when something it depends on arrives. The sort columns reproduce the audit's order.
supervised_findings = Table(
    "supervised_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(240), nullable=False, index=True),
    Column("code", String(40), nullable=False, index=True),
    Column("severity", String(16), nullable=False),
    Column("enterprise", String(18), index=True),
    Column("lot", String(80)),
    Column("event", String(160)),
    Column("year", Integer),
    Column("detail", Text, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON
    Column("sort_kind", Integer, nullable=False),  # 0 about an event, 1 about a period
    Column("sort_time", String(40), nullable=False),  # the event's instant, UTC text ("" for periods)
    Column("sort_order", Text, nullable=False),  # the rest of the audit's sort key, as JSON
    Column("nth", Integer, nullable=False),  # order among findings with the same key
    # the explanation as a message id and its parameters, JSON (docs/i18n.md); NULL in rows
    # stored before findings carried them: those are shown by their detail
    Column("message", String(80)),
    Column("params", Text),
)

# One row: the audit date and thresholds the supervised findings hold for, and how far the
# ledger had been taken into account.
supervision = Table(
    "supervision",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("as_of", String(10), nullable=False),
    Column("thresholds", String(64), nullable=False),  # digest of the thresholds in force
    Column("ledger_size", Integer, nullable=False),  # events taken into account
    Column("stale", Integer, nullable=False),  # 1: registry, controls or customs changed since
    Column("built_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

# The dashboard's national overview (flow, quota use, reporting grid) as last computed for a year
# and audit date, and the ledger size it was computed on: served again while the ledger is that size.
overview_snapshots = Table(
    "overview_snapshots",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("as_of", String(10), primary_key=True),
    Column("ledger_size", Integer, nullable=False),
    Column("computed_at", String(32), nullable=False),
    Column("payload", Text, nullable=False),  # JSON
)

Index("ix_events_reporter_time", events.c.reporter, events.c.time)


# --- sessions, login throttling, second factors, account changes, chains (migration 0014) ---

# A signed-in browser holds a random session token; the store keeps only its SHA-256, so a
# session ends for good when it is ended here (logout, password change, the user disabled).
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the session token, hex
    Column("username", String(64), ForeignKey("users.username"), nullable=False, index=True),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("ended_at", String(32)),
    Column("ended_why", String(16)),  # logout, password, disabled, expired, replaced
    Column("client", Text),
    Column("second_factor", Integer, nullable=False),  # 1 once the second factor was given (or not needed)
)

# Failed logins per account and per client address: a growing delay, then a timed lockout.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),  # "user:<name>" or "client:<address>"
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", String(32), nullable=False),
    Column("locked_until", String(32)),
)

# The operator's policy per role: whether its users must give a second factor.
role_policies = Table(
    "role_policies",
    metadata,
    Column("role", String(16), primary_key=True),
    Column("totp_required", Integer, nullable=False),
    Column("changed_at", String(32), nullable=False),
    Column("changed_by", Text, nullable=False),
)

# Every change to an account (added, role, password, disabled, enabled, second factor, policy):
# append-only and chained.
account_changes = Table(
    "account_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("username", String(64), nullable=False, index=True),  # the account changed ("*" for a policy)
    Column("action", String(16), nullable=False),
    Column("by", Text, nullable=False),
    Column("detail", Text),
)

# The hash chains over the tables that must never change (reetrace.store.chains): one link per
# row, in the order the rows were written.
chain_links = Table(
    "chain_links",
    metadata,
    Column("chain", String(40), primary_key=True),  # the table's name
    Column("n", BigInteger, primary_key=True, autoincrement=False),  # 1, 2, … within the chain
    Column("row_key", Text, nullable=False),  # JSON list of the row's key columns
    Column("digest", String(64), nullable=False),  # SHA-256 of the row's canonical JSON, hex
    Column("link", LargeBinary, nullable=False),  # the chain's head after this row
    sqlite_with_rowid=False,
)


# --- EPCIS capture (migration 0021; docs/epcis.md) -----------------------------------------

# One row per EPCIS capture job: what came in, and what became of it (a submission, or a rejection).
epcis_captures = Table(
    "epcis_captures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", String(32), nullable=False),
    Column("enterprise", String(18), index=True),  # whose capture it is (the capturing account's)
    Column("username", String(64)),  # the account that sent it
    Column("digest", String(64), nullable=False),  # SHA-256 of the body as received
    Column("size", BigInteger, nullable=False),
    Column("submission_id", Integer, ForeignKey("submissions.id")),  # what it was recorded as
    Column("rejection_id", Integer, ForeignKey("rejections.id")),  # or why it was not
    Column("success", Integer, nullable=False),  # 1 recorded (or a no-op re-send), 0 refused
    Column("event_count", Integer, nullable=False),  # events in the document
    Column("accepted", Integer, nullable=False),  # of them, new to the ledger
    Column("errors", Text, nullable=False),  # JSON list: {"reason", "at", "message", "id", "params"}
)

# The EPCIS eventID of a recorded event: the one it was captured with, or its event hash as
# reetrace writes it (filled for the others when an eventID is first looked up).
epcis_ids = Table(
    "epcis_ids",
    metadata,
    Column("epcis_id", String(255), primary_key=True),
    Column("reporter", String(18), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("captured", Integer, nullable=False),  # 1: the id it was captured with; 0: its hash
    UniqueConstraint("reporter", "event_id", name="uq_epcis_ids_reporter_event_id"),
)

# How far `epcis_ids` holds the hashes of the events recorded otherwise: every event with
# `events.seq` up to `seq` has its row.
epcis_index = Table(
    "epcis_index",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("seq", BigInteger, nullable=False),
)

# The GTIN an enterprise registered for the lots of one form it makes (registry `gtins`): the
# lot's URI becomes a GS1 Digital Link (docs/credentials.md).
enterprise_gtins = Table(
    "enterprise_gtins",
    metadata,
    Column("uscc", String(18), ForeignKey("enterprises.uscc"), primary_key=True),
    Column("form", String(16), primary_key=True),
    Column("gtin", String(14), nullable=False),
)

# The public halves of the keys credentials are signed with (the private halves live in files
# beside the log's keys); a retired key stays listed in the DID document.
issuer_keys = Table(
    "issuer_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),  # docs/contract.md §1 key id
    Column("public_key", LargeBinary, nullable=False),  # raw 32 bytes
    Column("created_at", String(32), nullable=False),
    Column("retired_at", String(32)),
)

# Every credential issued. `id` places it in the status lists (docs/credentials.md); `lineage`
# (JSON) is what its lot's provenance rested on when issued, `blocking` (JSON) the blocking
# findings that stood then; a revocation sets `revoked_at` and its reason (JSON).
credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("credential_id", String(36), nullable=False, unique=True),  # UUID
    Column("lot", String(80), index=True),  # a passport's lot
    Column("submission_id", Integer, ForeignKey("submissions.id")),  # an events credential's submission
    Column("kind", String(16), nullable=False),  # passport | events
    Column("securing", String(8), nullable=False),  # di | jwt
    Column("issued_at", String(32), nullable=False),
    Column("issued_by", String(64), nullable=False),  # username, or the command line's user
    Column("issued_to", String(18)),  # the enterprise that asked, if one did
    Column("key_id", String(16), nullable=False),
    Column("document", Text, nullable=False),  # the secured credential, JSON
    Column("lineage", Text, nullable=False),
    Column("blocking", Text, nullable=False),
    Column("revoked_at", String(32)),
    Column("revoked_reason", Text),
)
