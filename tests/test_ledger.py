"""Ledger semantics on a real SQLite file: duplicates, supersede, register matching, ids, frames."""

from __future__ import annotations

import sqlite3
import time
import warnings
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from automation.core.frames import SCHEMAS
from automation.ledger import LedgerDirectory, LedgerError, open_ledger
from automation.ledger import schema as t
from automation.ledger.migrate import LATEST, MIGRATIONS, current_version
from tests.ledger_helpers import customer_row, make_config, make_sub, sha, visit

EVENING = datetime(2026, 11, 23, 18, 0)


# Every test runs on SQLite and on a fresh PostgreSQL database (tests/conftest.py: ``db``), except
# those marked sqlite_only: the ledger's SQL must stay portable.
pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def cfg(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_config(tmp_path)


@pytest.fixture
def ledger(cfg):  # type: ignore[no-untyped-def]
    with open_ledger(cfg) as led:
        yield led


def rec(ledger, sub, key: str, *, valid: bool = True, folder: str = "R001", received: datetime = EVENING):  # type: ignore[no-untyped-def]
    return ledger.record(
        sub, valid=valid, error_count=0 if valid else 2, warning_count=0, sha256=sha(key), source=f"{folder}/{key}.xlsx",
        folder=folder, name=f"{key}.xlsx", size=100, first_seen=received, received_at=received,
    )  # fmt: skip


def report(rows: list[dict], day: date = date(2026, 11, 23), rep: str = "R001"):  # type: ignore[no-untyped-def]
    return make_sub(
        "visit_report", {"rep_id": rep, "report_date": day, "attendance": "present"}, rows, folder=rep
    )


def register(rows: list[dict], rep: str = "R001"):  # type: ignore[no-untyped-def]
    return make_sub("customer_register", {"rep_id": rep}, rows, folder=rep)


# ----- opening ------------------------------------------------------------------------------------
@pytest.mark.sqlite_only
def test_open_creates_wal_sqlite_in_state_folder_with_schema_version(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    led = open_ledger(cfg)
    led.close()
    db = cfg.state_root / "ledger.sqlite"
    assert db.exists()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == LATEST
    con.close()
    led = open_ledger(cfg)  # re-opening applies nothing twice
    with led.read() as conn:
        assert current_version(conn) == LATEST
        assert conn.execute(sa.select(sa.func.count()).select_from(t.schema_version)).scalar() == len(
            MIGRATIONS
        )
    led.close()


@pytest.mark.sqlite_only
def test_refuses_a_ledger_inside_the_shared_folder(tmp_path: Path) -> None:
    inside = tmp_path / "workbooks" / "ledger.sqlite"
    cfg = make_config(tmp_path, ledger_url=f"sqlite:///{inside}")
    with pytest.raises(LedgerError, match="shared folder"):
        open_ledger(cfg)
    assert not inside.exists()


@pytest.mark.sqlite_only
def test_sqlite_connections_are_durable(tmp_path: Path) -> None:
    with open_ledger(make_config(tmp_path)) as ledger, ledger.read() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


# ----- duplicates and versions ------------------------------------------------------------------
def test_accepted_visit_report_lands_in_frames_with_money_in_cents(ledger) -> None:  # type: ignore[no-untyped-def]
    r = rec(ledger, report([visit(("甲公司", "C000001")), visit(("乙公司", "C000002"), order="0.10")]), "a")
    assert r.status == "accepted" and r.archive_path == "archive/R001/2026-11/a.xlsx"
    with ledger.read() as conn:
        assert conn.execute(sa.select(t.visit_reports.c.order_amount)).scalars().all() == [100000, 10]
    v = ledger.frames().visits
    assert list(v.columns) == list(SCHEMAS["visits"])
    assert v["order_amount"].tolist() == [1000.0, 0.1]
    assert v["region"].tolist() == ["east", "east"]
    assert v["date"].iloc[0] == pd.Timestamp("2026-11-23")
    assert ("east", "2026-W48") in ledger.dirty_weeks()


def test_byte_identical_content_is_a_duplicate_and_changes_nothing(ledger) -> None:  # type: ignore[no-untyped-def]
    first = rec(ledger, report([visit(("甲公司", "C000001"))]), "same")
    before = ledger.frames().visits
    again = ledger.record(
        None, valid=True, error_count=0, warning_count=0, sha256=sha("same"), source="R001/copy of same.xlsx",
        folder="R001", name="copy of same.xlsx", size=100, first_seen=EVENING, received_at=EVENING,
    )  # fmt: skip
    assert again.status == "duplicate" and again.duplicate_of == first.id
    assert again.form == "visit_report" and again.rep_id == "R001"
    assert "not counted twice" in again.messages[0] and f"#{first.id}" in again.messages[0]
    pd.testing.assert_frame_equal(ledger.frames().visits, before)
    assert ledger.submission(first.id).status == "accepted"
    # recording the very same file again before it was filed returns the first record (a crash resumed)
    assert rec(ledger, report([visit(("甲公司", "C000001"))]), "same").id == first.id
    # once filed, the same content dropped again at the same place is a duplicate
    ledger.mark_filed(first.id)
    third = rec(ledger, report([visit(("甲公司", "C000001"))]), "same")
    assert third.status == "duplicate" and third.duplicate_of == first.id
    assert len(ledger.frames().visits) == 1


def test_rejected_content_dropped_again_is_checked_again_not_a_duplicate(ledger) -> None:  # type: ignore[no-untyped-def]
    bad = rec(ledger, report([visit(("?", None))]), "bad", valid=False)
    assert bad.status == "rejected" and bad.archive_path == "rejected/R001/bad.xlsx"
    assert bad.feedback_path == "rejected/R001/bad.反馈.xlsx"
    assert ledger.frames().visits.empty
    ledger.mark_filed(bad.id)
    ok = rec(ledger, report([visit(("甲公司", "C000001"))]), "bad")
    assert ok.status == "accepted"


def test_new_version_of_a_day_supersedes_the_old_entirely(ledger) -> None:  # type: ignore[no-untyped-def]
    old = rec(
        ledger, report([visit(("甲", "C1")), visit(("乙", "C2"))]), "v1", received=datetime(2026, 11, 23, 17)
    )
    new = rec(ledger, report([visit(("丙", "C3"), order="5.00")]), "v2", received=datetime(2026, 11, 23, 19))
    assert ledger.submission(old.id).status == "superseded"
    assert ledger.submission(old.id).superseded_by == new.id
    assert any("replaces" in m for m in new.messages)
    v = ledger.frames().visits
    assert v["customer_id"].tolist() == ["C3"]
    with ledger.read() as conn:  # both versions kept
        assert conn.execute(sa.select(sa.func.count()).select_from(t.visit_reports)).scalar() == 3
    subs = ledger.frames().submissions
    assert sorted(subs["status"].tolist()) == ["accepted", "superseded"]
    # another day or another rep is not touched
    other = rec(ledger, report([visit(("丁", "C4"))], rep="R002"), "v3", folder="R002")
    assert ledger.submission(new.id).status == "accepted" and other.status == "accepted"


def test_version_received_earlier_but_processed_later_does_not_win(ledger) -> None:  # type: ignore[no-untyped-def]
    late = rec(ledger, report([visit(("丙", "C3"))]), "late", received=datetime(2026, 11, 23, 19))
    early = rec(ledger, report([visit(("甲", "C1"))]), "early", received=datetime(2026, 11, 23, 17))
    assert ledger.submission(early.id).status == "superseded"
    assert ledger.submission(early.id).superseded_by == late.id
    assert ledger.frames().visits["customer_id"].tolist() == ["C3"]


def test_weekly_report_superseded_per_region_and_week(ledger) -> None:  # type: ignore[no-untyped-def]
    def weekly(target: str):  # type: ignore[no-untyped-def]
        return make_sub(
            "weekly_report",
            {"region": "east", "week": "2026-W48", "supervisor": "马超", "issues_measures": "加强回款"},
            [
                {
                    "rep_id": "R001",
                    "target_sales": Decimal(target),
                    "target_visits": 20,
                    "plan": "拜访重点客户",
                }
            ],
            folder="S01",
        )

    a = rec(ledger, weekly("50000"), "w1", folder="S01", received=datetime(2026, 11, 23, 10))
    b = rec(ledger, weekly("60000"), "w2", folder="S01", received=datetime(2026, 11, 23, 11))
    assert a.region == "east" and a.period_key == "2026-W48" and a.rep_id == "S01"
    assert ledger.submission(a.id).superseded_by == b.id
    with ledger.read() as conn:
        wr = conn.execute(
            sa.select(t.weekly_reports.c.issues_measures, t.weekly_reports.c.submission_id)
        ).all()
        cents = (
            conn.execute(sa.select(t.weekly_targets.c.target_sales).order_by(t.weekly_targets.c.id))
            .scalars()
            .all()
        )
    assert [w.issues_measures for w in wr] == ["加强回款", "加强回款"] and cents == [5000000, 6000000]


# ----- register ---------------------------------------------------------------------------------
def test_new_customers_get_ids_reported_back_and_stored(ledger) -> None:  # type: ignore[no-untyped-def]
    r = rec(
        ledger,
        register([customer_row("华东机械", "13812345678"), customer_row("申江贸易", "021-62345678")]),
        "reg",
    )
    ids = [a["id"] for a in r.assigned_ids]
    assert ids == ["C000001", "C000002"]
    assert any("C000001" in m and "华东机械" in m for m in r.messages)
    assert ledger.submission(r.id).assigned_ids == r.assigned_ids
    cust = ledger.frames().customers
    assert cust["customer_id"].tolist() == ["C000001", "C000002"]
    assert set(cust["owner"]) == {"R001"}
    hist = ledger.frames().stage_history
    assert hist["changed_at"].tolist() == [pd.Timestamp("2026-11-02")] * 2  # first stage: created date


def test_register_rows_matched_by_id_credit_code_then_name_and_phone(ledger) -> None:  # type: ignore[no-untyped-def]
    code = "91310000MA1FL8XQ3U"
    rec(ledger, register([
        customer_row("华东机械", "13812345678"),
        customer_row("申江贸易", "021-62345678", credit_code=code),
        customer_row("不变公司", "13900000000"),
    ]), "r1", received=datetime(2026, 11, 20, 9))  # fmt: skip
    later = datetime(2026, 11, 23, 18, 30)
    r2 = rec(ledger, register([
        customer_row("华东机械有限公司", "13812345678", cid="C000001", stage="opportunity"),  # by id, renamed
        customer_row("申江贸易（上海）", "13000000000", credit_code=code, stage="customer"),  # by credit code
        customer_row("华东 机械有限公司", "138-1234-5678", address="上海市浦东新区", stage="opportunity"),  # by folded name + phone digits
    ]), "r2", received=later)  # fmt: skip
    assert r2.assigned_ids == []  # nothing new
    cust = ledger.frames().customers.set_index("customer_id")
    assert len(cust) == 3
    assert cust.loc["C000001", "name"] == "华东 机械有限公司"
    assert cust.loc["C000001", "stage"] == "opportunity"
    assert cust.loc["C000002", "stage"] == "customer"
    assert (
        cust.loc["C000003", "name"] == "不变公司" and cust.loc["C000003", "stage"] == "prospect"
    )  # missing: unchanged
    with ledger.read() as conn:
        addr = conn.execute(
            sa.select(t.customers.c.address).where(t.customers.c.customer_id == "C000001")
        ).scalar()
        contact = conn.execute(
            sa.select(t.customers.c.contact).where(t.customers.c.customer_id == "C000001")
        ).scalar()
    assert addr == "上海市浦东新区" and contact == "李经理"  # blank cells keep what is known
    hist = ledger.frames().stage_history
    changes = hist[hist["changed_at"] == pd.Timestamp(later)]
    assert sorted(changes["customer_id"]) == ["C000001", "C000002"]  # dated by the drop's received time


def test_a_register_sent_again_changes_only_the_rows_that_differ(ledger) -> None:  # type: ignore[no-untyped-def]
    """Reps send the whole register again to change one row: unchanged customers keep their last
    change (which submission, when) and get no audit line; a lower-case credit code still matches."""
    code = "91310000MA1FL8XQ3U"
    rows = [
        customer_row("华东机械", "13812345678"),
        customer_row("申江贸易", "021-62345678", credit_code=code),
    ]
    first = rec(ledger, register(rows), "r1", received=datetime(2026, 11, 20, 9))
    again = [customer_row("华东机械", "13812345678", stage="opportunity"),
             customer_row("申江贸易", "021-62345678", credit_code=code.lower())]  # fmt: skip
    second = rec(ledger, register(again), "r2", received=datetime(2026, 11, 23, 9))
    assert second.assigned_ids == []
    with ledger.read() as conn:
        last = dict(
            conn.execute(sa.select(t.customers.c.customer_id, t.customers.c.last_submission_id)).all()
        )
        updated = conn.execute(
            sa.select(t.audit_log.c.entity_id).where(
                t.audit_log.c.action == "customer.updated", t.audit_log.c.submission_id == second.id
            )
        ).scalars().all()  # fmt: skip
    assert last == {"C000001": second.id, "C000002": second.id}  # the code's case changed: a change
    assert sorted(updated) == ["C000001", "C000002"]
    third = rec(ledger, register(again), "r3", received=datetime(2026, 11, 23, 10))
    with ledger.read() as conn:
        last = dict(
            conn.execute(sa.select(t.customers.c.customer_id, t.customers.c.last_submission_id)).all()
        )
        n = conn.execute(
            sa.select(sa.func.count()).where(
                t.audit_log.c.action == "customer.updated", t.audit_log.c.submission_id == third.id
            )
        ).scalar()  # fmt: skip
    assert third.status == "accepted" and n == 0
    assert last == {"C000001": second.id, "C000002": second.id} and first.id < second.id


def test_customer_of_another_rep_is_a_conflict_and_keeps_its_owner(ledger) -> None:  # type: ignore[no-untyped-def]
    rec(ledger, register([customer_row("华东机械", "13812345678")]), "r1")
    r = rec(
        ledger,
        register([customer_row("华东机械", "13812345678", stage="lost")], rep="R002"),
        "r2",
        folder="R002",
    )
    assert r.status == "accepted"
    assert any("belongs to rep R001" in m and "C000001" in m for m in r.messages)
    cust = ledger.frames().customers
    assert cust["owner"].tolist() == ["R001"] and cust["stage"].tolist() == ["prospect"]
    with ledger.read() as conn:
        c = conn.execute(sa.select(t.conflicts)).one()
    assert (c.customer_id, c.owner, c.claimed_by) == ("C000001", "R001", "R002")
    assert ledger.submission(r.id) is not None


def test_ids_skip_ones_an_imported_register_already_uses(ledger) -> None:  # type: ignore[no-untyped-def]
    rec(ledger, register([customer_row("旧客户", "13800000001", cid="C000001")]), "imp")
    r = rec(ledger, register([customer_row("新客户", "13800000002")]), "new")
    assert [a["id"] for a in r.assigned_ids] == ["C000002"]


# ----- complaints, targets, directory ---------------------------------------------------------
def complaint(rows: list[dict]):  # type: ignore[no-untyped-def]
    return make_sub("complaint", {"rep_id": "R001"}, rows, folder="R001")


def test_complaints_get_ids_and_blank_id_updates_same_customer_and_date(ledger) -> None:  # type: ignore[no-untyped-def]
    base = {
        "customer": ("华东机械", "C000001"),
        "received": date(2026, 11, 20),
        "description": "交货延迟",
        "severity": "high",
    }
    r1 = rec(ledger, complaint([base | {"complaint_id": None, "status": "open"}]), "k1")
    assert [a["id"] for a in r1.assigned_ids] == ["K000001"]
    r2 = rec(
        ledger,
        complaint([base | {"complaint_id": None, "status": "resolved", "resolved": date(2026, 11, 23)}]),
        "k2",
    )
    assert r2.assigned_ids == []
    c = ledger.frames().complaints
    assert c["complaint_id"].tolist() == ["K000001"] and c["status"].tolist() == ["resolved"]
    assert c["resolved"].tolist() == [pd.Timestamp("2026-11-23")]
    with ledger.read() as conn:
        hist = (
            conn.execute(sa.select(t.complaint_history.c.status).order_by(t.complaint_history.c.id))
            .scalars()
            .all()
        )
    assert hist == ["open", "resolved"]
    assert ledger.directory().complaint_exists("K000001")


def test_targets_from_hq_replace_the_same_key(ledger) -> None:  # type: ignore[no-untyped-def]
    def targets(sales: str):  # type: ignore[no-untyped-def]
        return make_sub("targets", {}, [
            {"period": "2026-11", "level": "rep", "owner": "R001", "sales": Decimal(sales), "visits": 40},
            {"period": "2026-11", "level": "company", "owner": None, "sales": Decimal("900000")},
        ], folder="hq")  # fmt: skip

    rec(ledger, targets("100000"), "t1", folder="hq")
    rec(ledger, targets("120000"), "t2", folder="hq")
    tg = ledger.frames().targets
    assert len(tg) == 2
    assert tg.set_index("level").loc["rep", "sales"] == 120000.0
    assert tg.set_index("level").loc["company", "owner"] == ""
    assert {r for r, _ in ledger.dirty_weeks()} == {"east", "south", "north"}


def test_directory_reflects_the_register_and_is_refreshed_after_a_drop(ledger) -> None:  # type: ignore[no-untyped-def]
    d1 = ledger.directory()
    assert isinstance(d1, LedgerDirectory) and d1.find("华东机械") == []
    assert ledger.directory() is d1  # cached while nothing changed
    rec(ledger, register([customer_row("华东机械", "13812345678", credit_code="91310000MA1FL8XQ3U")]), "r1")
    d2 = ledger.directory()
    assert [c.customer_id for c in d2.find("华东 机械")] == ["C000001"]
    assert d2.by_id("C000001").owner == "R001"
    assert d2.by_credit_code("91310000ma1fl8xq3u").name == "华东机械"


def test_directory_refresh_after_an_update_matches_a_full_rebuild(ledger) -> None:  # type: ignore[no-untyped-def]
    """The cached directory is refreshed with the changed rows only; it must equal a fresh build."""
    code = "91310000MA1FL8XQ3U"
    rec(ledger, register([customer_row("华东机械", "13812345678"), customer_row("申江贸易", "021-62345678", credit_code=code)]), "r1")  # fmt: skip
    d1 = ledger.directory()
    rec(ledger, register([
        customer_row("华东机械有限公司", "13812345678", cid="C000001", stage="opportunity"),  # renamed
        customer_row("新客户", "13900000000"),  # new
    ]), "r2")  # fmt: skip
    d2 = ledger.directory()
    assert d2 is d1  # refreshed in place, not rebuilt
    assert d2.find("华东机械") == []  # the old name is gone
    assert [c.customer_id for c in d2.find("华东机械有限公司")] == ["C000001"]
    assert d2.by_id("C000001").stage == "opportunity"
    assert [c.customer_id for c in d2.find("新客户")] == ["C000003"]
    assert d2.by_credit_code(code).customer_id == "C000002"
    ledger._directory = None  # a full rebuild sees the same register
    fresh = ledger.directory()
    assert fresh is not d2
    assert fresh.customers() == d2.customers()


def test_clear_dirty_keeps_marks_newer_than_the_consolidation(ledger) -> None:  # type: ignore[no-untyped-def]
    rec(ledger, report([visit(("甲", "C1"))]), "a")
    pairs = ledger.dirty_weeks()
    ledger.clear_dirty(pairs, marked_before=datetime(2026, 1, 1))
    assert ledger.dirty_weeks() == pairs
    ledger.clear_dirty(pairs)
    assert ledger.dirty_weeks() == []


def test_a_mark_set_again_while_consolidating_is_not_cleared(ledger) -> None:  # type: ignore[no-untyped-def]
    rec(ledger, report([visit(("甲", "C1"))]), "a")
    seen = ledger.dirty_marks()  # what a consolidation reads before building
    assert seen == {("east", "2026-W48"): 0}
    rec(ledger, report([visit(("乙", "C2"))], day=date(2026, 11, 24)), "b")  # recorded while it builds
    rec(ledger, report([visit(("丙", "C3"))], day=date(2026, 11, 16)), "c")  # a week it did not read
    ledger.clear_dirty(list(seen), seen=seen)
    assert ledger.dirty_marks() == {("east", "2026-W47"): 0, ("east", "2026-W48"): 1}
    ledger.clear_dirty([("east", "2026-W47"), ("east", "2026-W48")], seen=ledger.dirty_marks())
    assert ledger.dirty_weeks() == []


def test_migration_7_adds_the_mark_counter_to_an_older_ledger(cfg) -> None:  # type: ignore[no-untyped-def]
    with open_ledger(cfg) as led:
        rec(led, report([visit(("甲", "C1"))]), "a")
        with led.engine.begin() as conn:  # the ledger as version 6 left it: no counter, v7 not applied
            conn.execute(sa.text("ALTER TABLE dirty_weeks DROP COLUMN seq"))
            conn.execute(sa.text("DELETE FROM schema_version WHERE version >= 7"))
    with open_ledger(cfg) as led:
        assert led.dirty_marks() == {("east", "2026-W48"): 0}  # the old mark survives with count 0
        rec(led, report([visit(("乙", "C2"))]), "b")
        assert led.dirty_marks() == {("east", "2026-W48"): 1}
        with led.engine.connect() as conn:
            assert current_version(conn) == LATEST


def test_every_frame_has_exactly_the_contract_columns_and_dtypes(ledger) -> None:  # type: ignore[no-untyped-def]
    rec(ledger, report([visit(("甲", "C1"), next_visit=date(2026, 11, 30))]), "a")
    rec(ledger, register([customer_row("华东机械", "13812345678", potential_value=Decimal("12345.67"))]), "r")
    f = ledger.frames()
    for name, schema in SCHEMAS.items():
        df = getattr(f, name)
        assert list(df.columns) == list(schema), name
        assert {c: str(df[c].dtype) for c in df.columns} == {
            c: str(pd.Series(dtype=d).dtype) for c, d in schema.items()
        }, name
    assert f.customers["potential_value"].tolist() == [12345.67]
    assert f.submissions["optional_filled"].notna().tolist() == [True, False]


@pytest.mark.slow
@pytest.mark.sqlite_only  # a speed check of SQLite; benchmarks/bench_postgres.py reads PostgreSQL
def test_frames_reads_300000_visits_in_a_few_seconds(ledger) -> None:  # type: ignore[no-untyped-def]
    r = rec(ledger, report([visit(("甲", "C1"))]), "big")
    rows = [
        {"submission_id": r.id, "row_number": i, "rep_id": f"R{i % 12 + 1:03d}", "date": date(2026, 1 + i % 11, 1 + i % 28),
         "customer_id": f"C{i % 5000:06d}", "purpose": "order", "outcome": "deal", "met_decision_maker": i % 2 == 0,
         "quoted": None, "order_amount": i, "gross_margin": i // 10, "expense": 500, "extra": "{}"}
        for i in range(300_000)
    ]  # fmt: skip
    with ledger.write() as conn:
        conn.execute(sa.insert(t.visit_reports), rows)
    start = time.process_time()  # CPU time: other processes on a loaded machine do not count
    v = ledger.frames().visits
    elapsed = time.process_time() - start
    assert len(v) == 300_001
    assert v["order_amount"].sum() == pytest.approx(sum(range(300_000)) / 100 + 1000)
    assert elapsed < 5.0, f"frames() took {elapsed:.1f}s"  # ~1.5 s on a typical laptop, ~3 s on this slow VM


def test_a_ledger_newer_than_the_code_is_refused(cfg) -> None:  # type: ignore[no-untyped-def]
    from automation.ledger.migrate import MigrationError

    with open_ledger(cfg) as led, led.write() as conn:
        conn.execute(
            sa.insert(t.schema_version).values(version=LATEST + 1, name="from the future", applied_at=EVENING)
        )
    with pytest.raises(MigrationError, match="newer"):
        open_ledger(cfg)


def test_a_version_1_ledger_gets_the_lookup_indexes_and_keeps_its_rows(cfg) -> None:  # type: ignore[no-untyped-def]
    """Upgrading in place (schema v2, v3): drop what they add, roll the version back to 1, reopen."""
    with open_ledger(cfg) as led:
        rec(led, register([customer_row("星河科技", "13812345678")]), "reg")
        with led.write() as conn:
            for name in (
                "ix_submissions_archive_path",
                "ix_submissions_unfiled",
                "ix_customers_last_submission",
                "ix_customers_credit_code_upper",
            ):
                conn.exec_driver_sql(f"DROP INDEX {name}")
            conn.execute(sa.delete(t.schema_version).where(t.schema_version.c.version > 1))
    with open_ledger(cfg) as led, led.read() as conn:
        assert current_version(conn) == LATEST >= 2
        with warnings.catch_warnings():  # SQLAlchemy does not reflect the expression index (v3)
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            indexes = [
                ix for table in ("submissions", "customers") for ix in sa.inspect(conn).get_indexes(table)
            ]
        names = {ix["name"] for ix in indexes}
        assert {
            "ix_submissions_archive_path",
            "ix_submissions_unfiled",
            "ix_customers_last_submission",
        } <= names
        if conn.dialect.name == "sqlite":  # the expression index, which reflection skips
            sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_customers_credit_code_upper'"
            assert "upper(credit_code)" in conn.exec_driver_sql(sql).scalar()
        assert conn.execute(sa.select(sa.func.count()).select_from(t.customers)).scalar() == 1


def test_a_version_3_ledger_learns_which_customer_ids_the_product_assigned(cfg) -> None:  # type: ignore[no-untyped-def]
    """Schema v4 adds ``customers.id_assigned`` and fills it from the ids the ledger once reported
    as assigned: an onboarding register may not take those over (issue 13)."""
    with open_ledger(cfg) as led:
        made = rec(led, register([customer_row("星河科技", "13812345678")]), "reg")
        rec(led, register([customer_row("老客户", "13812345679", cid="HX-01")]), "imported")
        assert [a["id"] for a in made.assigned_ids] == ["C000001"]
        with led.write() as conn:
            conn.exec_driver_sql("ALTER TABLE customers DROP COLUMN id_assigned")
            conn.execute(sa.delete(t.schema_version).where(t.schema_version.c.version > 3))
    with open_ledger(cfg) as led, led.read() as conn:
        assert current_version(conn) == LATEST >= 4
        got = conn.execute(
            sa.select(t.customers.c.customer_id, t.customers.c.id_assigned).order_by("customer_id")
        )
        assert got.all() == [("C000001", True), ("HX-01", False)]
        assert {c.customer_id: c.assigned for c in led.directory().customers()} == {
            "C000001": True,
            "HX-01": False,
        }


def test_marking_filed_skips_the_disk_flush_but_leaves_every_other_commit_durable(ledger) -> None:  # type: ignore[no-untyped-def]
    """mark_filed commits with synchronous=NORMAL (its loss is repaired by the pipeline); the
    pooled connection must come back to FULL, or every later submission would lose durability."""
    r = rec(ledger, report([visit(("甲公司", "C000001"))]), "filed")
    assert r.status == "accepted"
    ledger.mark_filed(r.id)
    assert ledger.submission(r.id).filed_at is not None
    if ledger.engine.dialect.name != "sqlite":  # PostgreSQL: SET LOCAL ends with the transaction
        return
    with ledger.engine.connect() as conn:
        assert conn.connection.driver_connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_filed_marks_ride_on_the_next_record_and_are_written_on_close(cfg) -> None:  # type: ignore[no-untyped-def]
    """A mark waits for this ledger's next write; its own look-ups already see it as filed, and
    closing the ledger writes whatever is still pending."""
    from tests.formfactory import ledger_rows

    with open_ledger(cfg) as led:
        first = rec(led, report([visit(("甲公司", "C000001"))]), "one")
        led.mark_filed(first.id)
        assert ledger_rows(cfg, "SELECT filed_at FROM submissions WHERE id = ?", first.id) == [(None,)]
        assert led.unfiled_at(first.source) == []  # pending, yet already filed for this ledger
        second = rec(led, report([visit(("甲公司", "C000001"))], day=date(2026, 11, 22)), "two")
        assert ledger_rows(cfg, "SELECT filed_at IS NOT NULL FROM submissions WHERE id = ?", first.id) == [
            (1,)
        ]
        led.mark_filed(second.id)
    assert ledger_rows(cfg, "SELECT count(*) FROM submissions WHERE filed_at IS NULL") == [(0,)]
    actions = ledger_rows(
        cfg, "SELECT submission_id FROM audit_log WHERE action = 'submission.filed' ORDER BY 1"
    )
    assert actions == [(first.id,), (second.id,)]


# ----- the ledger's notes to the rep, from the problem catalog, in both languages -------------------


def test_duplicate_submission_note_names_the_first_file_in_zh_and_en(ledger) -> None:  # type: ignore[no-untyped-def]
    first = rec(ledger, report([visit(("甲公司", "C000001"))]), "日报")
    again = ledger.record(
        None, valid=True, error_count=0, warning_count=0, sha256=sha("日报"), source="R001/日报 (1).xlsx",
        folder="R001", name="日报 (1).xlsx", size=100, first_seen=EVENING, received_at=EVENING,
    )  # fmt: skip
    assert again.status == "duplicate"
    seen = f"日报.xlsx #{first.id}, 2026-11-23 18:00"
    assert again.messages == [
        f"内容与已收到的文件「{seen}」完全相同，不会重复计算。"
        f" / Identical to the file already received ('{seen}'); it is not counted twice."
    ]
    assert ledger.submission(again.id).messages == again.messages  # as stored, for status and mail


def test_owner_conflict_note_names_the_row_customer_and_owner_in_zh_and_en(ledger) -> None:  # type: ignore[no-untyped-def]
    rec(ledger, register([customer_row("华东机械", "13812345678")]), "r1")
    claim = register(
        [customer_row("华北商贸", "13912345678"), customer_row("华东机械", "13812345678")], rep="R002"
    )
    r = rec(ledger, claim, "r2", folder="R002")
    assert r.status == "accepted"  # a warning: the other rows count
    assert [m for m in r.messages if "R001" in m] == [
        "第6行 / row 6: 客户「华东机械 (C000001)」属于销售员 R001，本行未更新该客户，已转经理处理。"
        " / The customer '华东机械 (C000001)' belongs to rep R001; the row was not applied and goes to the manager."
    ]
    assert ledger.submission(r.id).messages == r.messages  # as stored, for status and mail
