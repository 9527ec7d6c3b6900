"""Sync clients' conflict copies (issue 14, Deliver 6): named like a copy, other content, noted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.core.synccopy import originals
from automation.ledger import LedgerError, open_ledger
from automation.ledger.netpath import network_location
from automation.pipeline import process
from automation.watch.status import collect
from tests.formfactory import FormFactory, install, ledger_rows, sha
from tests.watch_env import seeded

DAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("name", "original", "client"),
    [
        ("日报 (1).xlsx", "日报.xlsx", "numbered copy"),
        ("日报(2).xlsx", "日报.xlsx", "numbered copy"),
        ("日报（3）.xlsx", "日报.xlsx", "numbered copy"),
        ("日报 - 副本.xlsx", "日报.xlsx", "Windows copy"),
        ("report - Copy (2).xlsx", "report.xlsx", "Windows copy"),
        ("日报-DESKTOP-7H2KQ9A.xlsx", "日报.xlsx", "OneDrive"),
        ("日报 (冲突副本 2026-11-23 张三).xlsx", "日报.xlsx", "sync conflict"),
        ("日报 (王伟 的冲突副本 2026-11-23).xlsx", "日报.xlsx", "sync conflict"),
        ("report (Wang's conflicted copy 2026-11-23).xlsx", "report.xlsx", "sync conflict"),
        ("report (conflicted copy 2026-11-23 101500).xlsx", "report.xlsx", "sync conflict"),
        ("report (SFConflict wang@example.com 2026-11-23-10-15-00).xlsx", "report.xlsx", "sync conflict"),
        ("a_Andy-PC_Jan-03-0901-2013_CaseConflict_1.xlsx", "a.xlsx", "Synology Drive"),
        ("日报_Conflict.xlsx", "日报.xlsx", "Synology"),
        ("日报.sync-conflict-20261123-101500-ABCDEFG.xlsx", "日报.xlsx", "Syncthing"),
        ("日报.Conflict.xlsx", "日报.xlsx", "Resilio Sync"),
    ],
)
def test_conflict_copy_names(name: str, original: str, client: str) -> None:
    assert (original, client) in originals(name)


@pytest.mark.parametrize(
    "name", ["日报.xlsx", "日报_R001_20261123.xlsx", "visit 2.xlsx", "日报-2026.xlsx", "计划-11-23.csv"]
)
def test_plain_names_are_not_copies(name: str) -> None:
    assert originals(name) == []


@pytest.fixture
def inst(tmp_path: Path) -> tuple[Path, Any, FormFactory]:
    return seeded(tmp_path)


def test_a_differing_conflict_copy_is_a_new_version_noted_in_the_ledger_and_status(
    inst: tuple[Path, Any, FormFactory],
) -> None:
    cfg_path, config, factory = inst
    first = factory.visit_report("R001", DAY, seed=1)
    other = factory.visit_report("R001", DAY, seed=2)  # same rep and day, other content
    plan = factory.visit_plan("R002", DAY, seed=3)
    with open_ledger(config) as ledger:
        for form, name in ((first, "日报.xlsx"), (other, "日报 (1).xlsx"), (first, "日报 - 副本.xlsx")):
            out = process(form.drop(config.inbox, name), config, ledger=ledger)
            assert out.status in ("accepted", "duplicate"), out.messages
        # a name that only looks like a copy: no 计划.xlsx ever came from R002
        assert process(plan.drop(config.inbox, "计划-WANG.xlsx"), config, ledger=ledger).status == "accepted"
    rows = ledger_rows(
        config,
        "SELECT sha256, original_name, status, conflict_copy_of FROM submissions WHERE rep_id IN ('R001','R002')"
        " AND form != 'customer_register' ORDER BY id",
    )
    assert rows == [
        (sha(first.data), "日报.xlsx", "superseded", None),
        (sha(other.data), "日报 (1).xlsx", "accepted", "R001/日报.xlsx"),
        (sha(first.data), "日报 - 副本.xlsx", "duplicate", "R001/日报.xlsx"),  # identical: counted once
        (sha(plan.data), "计划-WANG.xlsx", "accepted", None),
    ]
    copies = collect(config)["conflict_copies"]
    assert [(c["file"], c["copy_of"], c["status"]) for c in copies] == [
        ("日报 (1).xlsx", "R001/日报.xlsx", "accepted")
    ]
    text = CliRunner().invoke(cli, ["--config", str(cfg_path), "status"]).output
    assert "可能是同步冲突副本，请与业务员核对 / possible sync-client conflict copies" in text
    assert "R001/日报 (1).xlsx 可能是 R001/日报.xlsx 的副本 / #" in text
    assert "R001/日报 (1).xlsx (accepted), a copy of R001/日报.xlsx?" in text


def test_a_copy_that_arrives_before_its_original_is_noted_too(inst: tuple[Path, Any, FormFactory]) -> None:
    """A backlog processed in any order: the original lying beside the copy in the inbox counts."""
    _, config, factory = inst
    first, other = factory.visit_report("R003", DAY, seed=4), factory.visit_report("R003", DAY, seed=5)
    first.drop(config.inbox, "日报.xlsx")
    copy = other.drop(config.inbox, "日报-LAPTOP-PC01.xlsx")
    with open_ledger(config) as ledger:
        assert process(copy, config, ledger=ledger).status == "accepted"
    assert ledger_rows(
        config, "SELECT conflict_copy_of FROM submissions WHERE sha256 = ?", sha(other.data)
    ) == [("R003/日报.xlsx",)]


# ----- a ledger on a network share --------------------------------------------------------------------------
def test_network_locations(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/vda / ext4 rw 0 0\n"
        f"//nas/sales {tmp_path}/mnt/sales\\040share cifs rw,vers=3.0 0 0\n"
        f"nas:/export {tmp_path}/nfs nfs4 rw 0 0\n"
        f"tmpfs {tmp_path}/nfs/local tmpfs rw 0 0\n"
    )
    assert network_location(r"\\server\share\ledger.sqlite") == "UNC path"
    assert network_location("//server/share/ledger.sqlite") == "UNC path"
    assert network_location(tmp_path / "mnt" / "sales share" / "x.sqlite", mounts).startswith(
        "cifs //nas/sales"
    )
    assert network_location(tmp_path / "nfs" / "deep" / "x.sqlite", mounts).startswith("nfs4 nas:/export")
    assert network_location(tmp_path / "nfs" / "local" / "x.sqlite", mounts) == ""  # a local mount inside
    assert network_location(tmp_path / "x.sqlite", mounts) == ""


def test_a_ledger_on_a_network_share_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real /proc/mounts cannot hold a cifs mount here (no server): the module reads a copy of
    it with the state folder's file system said to be cifs."""
    from automation.ledger import netpath

    cfg_path, config = install(tmp_path)
    fake = tmp_path / "mounts"
    fake.write_text(f"//nas/sales {config.state_root} cifs rw 0 0\n")
    monkeypatch.setattr(netpath, "MOUNTS", fake)
    with pytest.raises(LedgerError, match="network share") as err:
        open_ledger(config)
    assert "cifs //nas/sales" in str(err.value)
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "status"])
    assert res.exit_code == 2 and "网络共享" in res.output and "Traceback" not in res.output
    config.ledger_url = "sqlite:////" + "/server/share/ledger.sqlite"  # //server/share as a URL path
    with pytest.raises(LedgerError, match="UNC path"):
        open_ledger(config)
