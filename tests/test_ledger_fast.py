"""The ledger's fast statements (``automation.ledger.fast``) write and read exactly what SQLAlchemy
would: the same rows, the same stored text of every date and time, the same defaults, the same
refusals. Checked on single statements and on the small demo company's every form."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from automation.demo.generator import generate, read_manifest
from automation.ledger import fast as fast_module
from automation.ledger import open_ledger
from automation.ledger import schema as t
from automation.ledger.fast import Fast
from automation.pipeline import process_batch
from tests.formfactory import install, ledger_rows

END = date(2026, 11, 23)
SUBMISSION = {
    "sha256": "ab" * 32, "original_name": "日报.xlsx", "source": "R001/日报.xlsx", "folder": "R001",
    "received_at": datetime(2026, 11, 23, 8, 30), "first_seen_at": datetime(2026, 11, 23, 8, 30, 0, 1234),
    "status": "accepted", "created_at": datetime(2026, 11, 23, 21, 0),
}  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    _, config = install(tmp_path)
    with open_ledger(config) as ledger:
        yield ledger.engine


def _raw(engine: Any, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return conn.exec_driver_sql(query).all()  # the stored values, not converted back


def test_an_insert_stores_the_text_and_defaults_sqlalchemy_stores(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert = Fast(sa.insert(t.submissions))
    with engine.begin() as conn:
        fast_id = insert(conn, SUBMISSION).inserted_primary_key[0]
        monkeypatch.setattr(fast_module, "ENABLED", False)
        plain_id = insert(conn, SUBMISSION | {"sha256": "cd" * 32}).inserted_primary_key[0]
    assert isinstance(fast_id, int) and plain_id == fast_id + 1
    rows = _raw(engine, "SELECT * FROM submissions ORDER BY id")
    fast, plain = rows
    differ = [i for i, (a, b) in enumerate(zip(fast, plain, strict=True)) if a != b]
    names = [c.name for c in t.submissions.c]
    assert [names[i] for i in differ] == ["id", "sha256"]  # defaults ("{}", 0, "zh", ...) and times alike
    assert rows[0][names.index("received_at")] == "2026-11-23 08:30:00.000000"


def test_a_select_converts_back_as_sqlalchemy_does(engine: Any) -> None:
    query = Fast(sa.select(t.submissions).where(t.submissions.c.sha256 == sa.bindparam("sha")))
    with engine.begin() as conn:
        Fast(sa.insert(t.submissions))(conn, SUBMISSION)
        fast = query(conn, {"sha": SUBMISSION["sha256"]}).all()
        plain = conn.execute(query.stmt, {"sha": SUBMISSION["sha256"]}).all()
    assert len(fast) == 1 and tuple(fast[0]) == tuple(plain[0])
    assert fast[0].first_seen_at == datetime(2026, 11, 23, 8, 30, 0, 1234)
    assert fast[0]._mapping == dict(plain[0]._mapping)


def test_an_update_counts_rows_and_a_constant_in_the_statement_is_bound(engine: Any) -> None:
    s = t.submissions.c
    supersede = Fast(
        sa.update(t.submissions)
        .where(s.id == sa.bindparam("sid"))
        .values(status="superseded", superseded_by=sa.bindparam("w"))
    )
    with engine.begin() as conn:
        sid = Fast(sa.insert(t.submissions))(conn, SUBMISSION).inserted_primary_key[0]
        assert supersede(conn, {"sid": sid, "w": 7}).rowcount == 1
        assert supersede(conn, {"sid": sid + 100, "w": 7}).rowcount == 0
    assert _raw(engine, "SELECT status, superseded_by FROM submissions") == [("superseded", 7)]


def test_what_sqlalchemy_refuses_is_still_refused(engine: Any) -> None:
    query = Fast(sa.select(t.submissions.c.id).where(t.submissions.c.sha256 == sa.bindparam("sha")))
    with engine.begin() as conn, pytest.raises(sa.exc.StatementError, match="sha"):
        query(conn, {})  # a value nobody gave
    ids = Fast(sa.select(t.submissions.c.id).where(t.submissions.c.status.in_(["accepted", "rejected"])))
    with engine.begin() as conn:  # an expanding IN list goes through SQLAlchemy, and works
        Fast(sa.insert(t.submissions))(conn, SUBMISSION)
        assert len(ids(conn).all()) == 1


def test_many_rows_whose_keys_come_in_another_order_go_in_whole(engine: Any) -> None:
    log = Fast(sa.insert(t.audit_log))
    at = datetime(2026, 11, 23, 21, 0)
    rows = [
        {"at": at, "action": "a", "detail": "{}"},
        {"action": "b", "detail": "{}", "at": at},
        {"at": at, "action": "c", "detail": "{}"},
    ]
    with engine.begin() as conn:
        log.many(conn, rows)
    assert _raw(engine, "SELECT action, detail, at FROM audit_log ORDER BY id") == [
        ("a", "{}", "2026-11-23 21:00:00.000000"), ("b", "{}", "2026-11-23 21:00:00.000000"),
        ("c", "{}", "2026-11-23 21:00:00.000000"),
    ]  # fmt: skip


@pytest.mark.slow
def test_the_demo_company_gives_the_same_ledger_with_and_without_fast_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every table, every column, as stored: registers (new, updated, conflicting customers),
    complaints, plans, reports, market reports, duplicates, rejections and superseded versions."""
    res = generate(tmp_path / "company", "small", seed=7, end=END)
    entries = read_manifest(res.manifest_path)
    monkeypatch.setenv(
        "SALESFLOW_READ_AHEAD", "0"
    )  # the same recording either way; one process is quicker here

    def run(name: str, fast: bool) -> Any:
        monkeypatch.setattr(fast_module, "ENABLED", fast)
        (tmp_path / name).mkdir()
        _, config = install(tmp_path / name)
        items = []
        for e in entries:
            dst = config.inbox / e["path"]
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(res.drops / e["path"], dst)
            items.append((dst, e["folder"]))
        with open_ledger(config) as ledger:
            process_batch(items, config, ledger=ledger)
        return config

    bound = {"n": 0}
    bind = fast_module._Plan.bind

    def counting(self: Any, params: Any) -> Any:  # a spy: the fast path really ran
        bound["n"] += 1
        return bind(self, params)

    monkeypatch.setattr(fast_module._Plan, "bind", counting)
    plain = run("plain", False)
    assert bound["n"] == 0
    fast = run("fast", True)
    assert bound["n"] > 5 * len(entries), bound
    tables = [r[0] for r in ledger_rows(plain, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert {"submissions", "customers", "complaints", "visit_reports", "audit_log"} <= set(tables)
    for table in tables:
        query = f"SELECT * FROM {table} ORDER BY rowid"  # noqa: S608  names from sqlite_master
        assert ledger_rows(fast, query) == ledger_rows(plain, query), table
    counts = dict(ledger_rows(fast, "SELECT status, count(*) FROM submissions GROUP BY status"))
    assert counts.get("accepted", 0) > 100 and counts.get("rejected") and counts.get("duplicate"), counts
    assert ledger_rows(fast, "SELECT count(*) FROM customer_history")[0][0] > 0
    with sqlite3.connect(fast.state_root / "ledger.sqlite") as con:  # stored as SQLAlchemy stores times
        assert con.execute("SELECT received_at FROM submissions LIMIT 1").fetchone()[0][19:20] == "."


def test_outside_a_transaction_it_is_sqlalchemy_that_begins_one(engine: Any) -> None:
    insert = Fast(sa.insert(t.submissions))
    with engine.connect() as conn:
        assert not conn.in_transaction()
        insert(conn, SUBMISSION)  # through SQLAlchemy, which begins the transaction
        assert conn.in_transaction()
        insert(conn, SUBMISSION | {"sha256": "cd" * 32})  # now on the driver, in that transaction
        conn.rollback()
    assert _raw(engine, "SELECT count(*) FROM submissions") == [(0,)]  # both rolled back together
