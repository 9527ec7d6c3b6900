"""The ledger's tables, in SQLAlchemy Core (no ORM), portable between SQLite and PostgreSQL.

Why Core: the figures read whole tables into data frames and the pipeline writes a handful of rows
per form inside one transaction; an ORM would add identity maps and lazy loads that neither needs.
Portability rules kept here: no SQLite-only types, money as integer cents (``BigInteger``), dates as
``Date``/``DateTime``, booleans as ``Boolean`` (nullable = "not said"), JSON as ``Text`` (so the
same migrations run everywhere).

Every row of a form's table carries the ``submission_id`` it came from. Superseded and rejected
submissions keep their rows: the ledger never deletes what a rep sent; "current" is a property
of the submission (``status = 'accepted'``), not of the rows.

Schema changes go through :mod:`automation.ledger.migrate`: :data:`metadata` is the shape at the
newest version, and each later version adds a migration step (never edits an old one).
"""

from __future__ import annotations

import sqlalchemy as sa

from automation.core.config import DEFAULT_SITE
from automation.core.outcomes import ACCEPTED as ACCEPTED
from automation.core.outcomes import COUNTED, RECORDED
from automation.core.outcomes import DUPLICATE as DUPLICATE
from automation.core.outcomes import REJECTED as REJECTED
from automation.core.outcomes import SUPERSEDED as SUPERSEDED

metadata = sa.MetaData()

# submission statuses: the terminal states of a dropped file (the words: automation.core.outcomes)
STATUSES = RECORDED

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

# Named counters for product-assigned ids (C000123, K000045) and the directory cache generation.
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False, default=0),
)

# A site (issue 18) is one watcher's branch: its shared folder, its inbox. Two branches' inbox
# paths collide (``R001/日报.xlsx`` exists in both), so a file's identity is (site, source).
SITE_WIDTH = 32


def _site() -> sa.Column:
    """Rows from before sites (v8) were received by the only site there was: the default one."""
    return sa.Column("site", sa.String(SITE_WIDTH), nullable=False, server_default=DEFAULT_SITE)


# First time the product saw a given content at a given inbox path: received = min(mtime, first_seen).
sightings = sa.Table(
    "sightings",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(1000), primary_key=True),  # path relative to the inbox (posix)
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("site", sa.String(SITE_WIDTH), primary_key=True, server_default=DEFAULT_SITE),  # v8
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("original_name", sa.String(500), nullable=False),
    sa.Column("source", sa.String(1000), nullable=False),  # inbox-relative path it was dropped at
    sa.Column("folder", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False, default=0),
    sa.Column("file_format", sa.String(10), nullable=False, default=""),
    sa.Column("rep_id", sa.String(64), nullable=False, default=""),  # rep, supervisor, or "hq"
    sa.Column("region", sa.String(64), nullable=False, default=""),
    sa.Column("form", sa.String(40), nullable=False, default=""),  # "" when unreadable
    sa.Column("language", sa.String(5), nullable=False, default="zh"),
    sa.Column("period_key", sa.String(20), nullable=False, default=""),
    sa.Column("received_at", sa.DateTime, nullable=False),
    sa.Column("first_seen_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("superseded_by", sa.Integer, nullable=True),
    sa.Column("duplicate_of", sa.Integer, nullable=True),
    sa.Column("error_count", sa.Integer, nullable=False, default=0),
    sa.Column("warning_count", sa.Integer, nullable=False, default=0),
    sa.Column("row_count", sa.Integer, nullable=False, default=0),
    sa.Column("optional_filled", sa.Float, nullable=True),  # visit reports: share of optional cells filled
    sa.Column("info", sa.Text, nullable=False, default="{}"),  # JSON: info-block values (attendance, ...)
    sa.Column("messages", sa.Text, nullable=False, default="[]"),  # JSON: what the rep is told
    sa.Column("assigned_ids", sa.Text, nullable=False, default="[]"),  # JSON: new customer/complaint ids
    sa.Column("feedback_path", sa.String(1000), nullable=True),
    sa.Column(
        "archive_path", sa.String(1000), nullable=True
    ),  # where the original goes (archive/ or rejected/)
    sa.Column("filed_at", sa.DateTime, nullable=True),  # set when the original has been moved there
    sa.Column("created_at", sa.DateTime, nullable=False),
    # schema v4: the inbox path of the file this one may be a sync-client conflict copy of
    # (automation/watch/synccopy.py); null for an ordinary file
    sa.Column("conflict_copy_of", sa.String(1000), nullable=True),
    _site(),  # v8: the site (branch watcher) that received it; ``source`` is relative to its inbox
    sa.Index("ix_submissions_key", "form", "rep_id", "period_key"),
    sa.Index("ix_submissions_status", "status"),
    # schema v2: each of these was a full scan per form (issue 4: throughput)
    sa.Index("ix_submissions_archive_path", "archive_path"),  # is the planned place taken?
    sa.Index("ix_submissions_unfiled", "filed_at", "source"),  # recorded but not filed (a crash)
)


# v8: the second line behind the ledger's serialised writes (see automation.ledger.shared): one
# content is counted (accepted, or accepted then superseded) at most once, whatever raced.
_COUNTED_ONLY = submissions.c.status.in_(COUNTED)
sa.Index(
    "ux_submissions_counted_sha", submissions.c.sha256, unique=True,
    sqlite_where=_COUNTED_ONLY, postgresql_where=_COUNTED_ONLY,
)  # fmt: skip


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=True)  # integer cents


def _sub_fk() -> sa.Column:
    return sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True)


visit_reports = sa.Table(
    "visit_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _sub_fk(),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("rep_id", sa.String(64), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("customer_id", sa.String(40), nullable=True),
    sa.Column("customer_text", sa.String(200), nullable=True),
    sa.Column("purpose", sa.String(40)),
    sa.Column("outcome", sa.String(40)),
    sa.Column("met_decision_maker", sa.Boolean, nullable=True),
    sa.Column("quoted", sa.Boolean, nullable=True),
    _money("quote_amount"),
    _money("order_amount"),
    _money("gross_margin"),
    _money("collection_amount"),
    _money("expense"),
    sa.Column("complaint", sa.Text),
    sa.Column("competitor_info", sa.Text),
    sa.Column("feedback", sa.Text),
    sa.Column("next_visit", sa.Date, nullable=True),
    sa.Column("next_step", sa.Text),
    sa.Column("extra", sa.Text, nullable=False, default="{}"),  # company-added fields (JSON)
)

visit_plans = sa.Table(
    "visit_plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _sub_fk(),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("rep_id", sa.String(64), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("customer_id", sa.String(40), nullable=True),
    sa.Column("customer_text", sa.String(200), nullable=True),
    sa.Column("area", sa.Text),
    sa.Column("time_slot", sa.String(100)),
    sa.Column("purpose", sa.String(40)),
    sa.Column("objective", sa.Text),
    sa.Column("extra", sa.Text, nullable=False, default="{}"),
)

market_reports = sa.Table(
    "market_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _sub_fk(),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("rep_id", sa.String(64), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("customer_id", sa.String(40), nullable=True),
    sa.Column("customer_text", sa.String(200), nullable=True),
    sa.Column("category", sa.String(40)),
    sa.Column("competitor", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("severity", sa.String(10)),
    sa.Column("suggestion", sa.Text),
    sa.Column("extra", sa.Text, nullable=False, default="{}"),
)


def _tracked() -> list[sa.Column]:
    """Columns every row kept up to date by drops carries: unknown extra fields, which submission
    created it and which last changed it (the directory refreshes rows stamped after its newest), and when."""
    return [
        sa.Column("extra", sa.Text, nullable=False, default="{}"),
        sa.Column("first_submission_id", sa.Integer, nullable=False),
        sa.Column("last_submission_id", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    ]


# The register: one row per customer, its current state. ``name_key``/``phone_key`` are the
# normalised forms SPEC §2.1 matches on (folded name, digits of the phone).
customers = sa.Table(
    "customers",
    metadata,
    sa.Column("customer_id", sa.String(40), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_key", sa.String(200), nullable=False, index=True),
    sa.Column("credit_code", sa.String(18), nullable=True, index=True),
    sa.Column("industry", sa.String(40)),
    sa.Column("size", sa.String(20)),
    sa.Column("region", sa.String(64)),
    sa.Column("address", sa.Text),
    sa.Column("contact", sa.String(100)),
    sa.Column("contact_role", sa.String(40)),
    sa.Column("phone", sa.String(40)),
    sa.Column("phone_key", sa.String(40)),
    sa.Column("email", sa.String(200)),
    sa.Column("source", sa.String(40)),
    sa.Column("stage", sa.String(40)),
    _money("potential_value"),
    _money("credit_limit"),
    sa.Column("main_business", sa.Text),
    sa.Column("suppliers", sa.Text),
    sa.Column("needs", sa.Text),
    sa.Column("preferences", sa.Text),
    sa.Column("created", sa.Date, nullable=True),
    *_tracked(),
    # v4: the product assigned this id (C000123) rather than the company's register bringing it:
    # an onboarding register may not take such an id over for another customer (SPEC §2.1)
    sa.Column("id_assigned", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Index("ix_customers_last_submission", "last_submission_id"),  # v2: the directory's refresh
)
# v3: a register drop looks its rows' credit codes up case-blind, without reading every customer
sa.Index("ix_customers_credit_code_upper", sa.func.upper(customers.c.credit_code))

# Stage changes, dated by the received time of the drop that made them (the first: created date).
customer_history = sa.Table(
    "customer_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(40), nullable=False, index=True),
    sa.Column("submission_id", sa.Integer, nullable=False),
    sa.Column("stage_from", sa.String(40), nullable=True),
    sa.Column("stage", sa.String(40), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

# A register row for a customer owned by another rep: kept for the manager, owner unchanged.
conflicts = sa.Table(
    "conflicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(40), nullable=False, index=True),
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("claimed_by", sa.String(64), nullable=False),
    sa.Column("submission_id", sa.Integer, nullable=False),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # JSON of the row as sent
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
)

complaints = sa.Table(
    "complaints",
    metadata,
    sa.Column("complaint_id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(40), nullable=True, index=True),
    sa.Column("customer_text", sa.String(200), nullable=True),
    sa.Column("rep_id", sa.String(64), nullable=False),
    sa.Column("received", sa.Date, nullable=False),
    sa.Column("category", sa.String(40)),
    sa.Column("description", sa.Text),
    sa.Column("severity", sa.String(10)),
    sa.Column("status", sa.String(20)),
    sa.Column("resolution", sa.Text),
    sa.Column("resolved", sa.Date, nullable=True),
    sa.Column("satisfied", sa.Boolean, nullable=True),
    *_tracked(),
)

# Every version of a complaint as a rep sent it (status changes over time).
complaint_history = sa.Table(
    "complaint_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("complaint_id", sa.String(40), nullable=False, index=True),
    sa.Column("submission_id", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20)),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("period", sa.String(10), primary_key=True),
    sa.Column("level", sa.String(10), primary_key=True),
    sa.Column("owner", sa.String(64), primary_key=True),  # "" for company
    sa.Column("product", sa.String(100), primary_key=True),  # "" when not per product
    _money("sales"),
    _money("gross_margin"),
    sa.Column("new_customers", sa.Integer, nullable=True),
    _money("collections"),
    sa.Column("visits", sa.Integer, nullable=True),
    sa.Column("submission_id", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

weekly_reports = sa.Table(
    "weekly_reports",
    metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("region", sa.String(64), nullable=False),
    sa.Column("week", sa.String(10), nullable=False),
    sa.Column("supervisor", sa.String(100)),
    sa.Column("competitor_dynamics", sa.Text),
    sa.Column("abnormal_customers", sa.Text),
    sa.Column("issues_measures", sa.Text),
)

weekly_targets = sa.Table(
    "weekly_targets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _sub_fk(),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("region", sa.String(64), nullable=False),
    sa.Column("week", sa.String(10), nullable=False),
    sa.Column("rep_id", sa.String(64), nullable=False),
    sa.Column("visits", sa.Integer, nullable=True),  # as pre-filled on the form
    _money("sales"),
    sa.Column("new_customers", sa.Integer, nullable=True),
    _money("collections"),
    _money("target_sales"),
    sa.Column("target_visits", sa.Integer, nullable=True),
    sa.Column("target_new_customers", sa.Integer, nullable=True),
    sa.Column("plan", sa.Text),
    sa.Column("extra", sa.Text, nullable=False, default="{}"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("submission_id", sa.Integer, nullable=True, index=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False, default=""),
    sa.Column("entity_id", sa.String(64), nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),
)

# (region, ISO week) whose consolidated workbook must be rebuilt; the consolidation stage clears it.
# ``seq`` counts the marks (v4): consolidation clears a mark only if no form marked it again while
# the workbooks were being built, whatever the clock says (SALESFLOW_NOW may stand still).
dirty_weeks = sa.Table(
    "dirty_weeks",
    metadata,
    sa.Column("region", sa.String(64), primary_key=True),
    sa.Column("week", sa.String(10), primary_key=True),
    sa.Column("marked_at", sa.DateTime, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False, default=0, server_default="0"),
)

# The sent log (issue 17): one row per message, keyed by what it is (``weekly:2026-W48:rep:R001``),
# so a message is written and sent once however often the schedule or a burst asks for it.
# status: written (.eml in outbox/, not sent) -> sending (claimed, SMTP DATA about to start) ->
# sent; failed (the server refused, will be retried); unsure (a "sending" left by a crash: a person
# checks; see automation.mail.sendlog).
mail_log = sa.Table(
    "mail_log",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("period", sa.String(20), nullable=False, default=""),  # ISO week or date
    sa.Column("recipients", sa.Text, nullable=False, default="[]"),  # JSON: To + Cc addresses
    sa.Column("subject", sa.String(500), nullable=False, default=""),
    sa.Column("message_id", sa.String(250), nullable=False),
    sa.Column("eml_path", sa.String(1000), nullable=False, default=""),  # relative to the shared folder
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text, nullable=False, default=""),
    sa.Column("owner", sa.String(100), nullable=False, default=""),  # the process sending it (host:pid)
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    _site(),  # v8: the site whose outbox/ holds the .eml: only it sends the message
    sa.Index("ix_mail_log_status", "status"),
)

# v8: every site's watcher heartbeat, so ``salesflow status`` on any site shows them all. The time
# is the database server's (``beat_epoch``), so machines whose clocks disagree still agree on ages.
site_heartbeats = sa.Table(
    "site_heartbeats",
    metadata,
    sa.Column("site", sa.String(SITE_WIDTH), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False, default=""),
    sa.Column("pid", sa.Integer, nullable=False, default=0),
    sa.Column("shared_folder", sa.String(1000), nullable=False, default=""),
    sa.Column("state", sa.String(20), nullable=False, default=""),
    sa.Column("beat_epoch", sa.Float, nullable=False),
    sa.Column("payload", sa.Text, nullable=False, default="{}"),  # the heartbeat.json it wrote
)

ROW_TABLES = {
    "visit_report": visit_reports,
    "visit_plan": visit_plans,
    "market_report": market_reports,
    "weekly_report": weekly_targets,
}
