"""``salesflow service``: the watcher as a systemd unit or a Windows scheduled task (issue 14, Deliver 7)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.core.formspec import load_specs
from automation.watch.service import TASK_FILE, UNIT_NAME, exec_start
from tests.formfactory import FormFactory, audit, install

NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


def _install(tmp_path: Path) -> tuple[Path, Any]:
    (tmp_path / "inst").mkdir()
    return install(tmp_path / "inst")


def _write(cfg_path: Path, out: Path, *args: str) -> None:
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "service", "--write", str(out), *args])
    assert res.exit_code == 0, res.output


def test_the_unit_passes_systemd_analyze_and_its_exec_start_runs_a_watcher(tmp_path: Path) -> None:
    """The unit file, verified by systemd's own checker where it exists; then its ExecStart line,
    run as it is (from its WorkingDirectory), is a watcher that processes a form dropped into the inbox."""
    cfg_path, config = _install(tmp_path)
    _write(cfg_path, tmp_path / "out")
    unit = (tmp_path / "out" / UNIT_NAME).read_text(encoding="utf-8")
    for line in (
        "Restart=on-failure",
        "RestartPreventExitStatus=2",
        "KillMode=mixed",
        "WantedBy=multi-user.target",
    ):
        assert line in unit
    assert f"WorkingDirectory={cfg_path.parent.resolve()}" in unit
    assert f"User={os.popen('id -un').read().strip()}" in unit  # the config file's owner
    argv = exec_start(unit)
    assert argv[1:] == ["--config", str(cfg_path.resolve()), "watch"] and Path(argv[0]).is_file()
    if shutil.which("systemd-analyze"):  # it is on this machine and in CI; absent on e.g. macOS
        res = subprocess.run(
            ["systemd-analyze", "verify", str(tmp_path / "out" / UNIT_NAME)], capture_output=True, text=True
        )
        assert res.returncode == 0 and UNIT_NAME not in res.stderr, res.stderr
    env = {k: v for k, v in os.environ.items() if k != "SALESFLOW_CONFIG"}
    proc = subprocess.Popen(
        argv, cwd=cfg_path.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        form = FormFactory(config, load_specs(config)).register("R001")
        time.sleep(1.0)
        form.drop(config.inbox)
        deadline = time.monotonic() + 60
        while (config.inbox / "R001" / form.name).exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)  # what systemctl stop sends (KillMode=mixed: to the watcher)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode(errors="replace")
    assert audit(config, [form]).accepted == 1


def test_the_windows_task_starts_at_boot_and_comes_back(tmp_path: Path) -> None:
    cfg_path, _ = _install(tmp_path)
    _write(cfg_path, tmp_path / "out", "--for", "windows", "--user", r"SALES\backoffice")
    raw = (tmp_path / "out" / TASK_FILE).read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with its BOM, as schtasks /XML wants
    root = ET.fromstring(raw.decode("utf-16").split("?>", 1)[1])
    assert root.find("t:Triggers/t:BootTrigger", NS) is not None
    assert root.findtext("t:Triggers/t:TimeTrigger/t:Repetition/t:Interval", namespaces=NS) == "PT5M"
    assert root.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=NS) == "IgnoreNew"
    assert root.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=NS) == "PT0S"
    assert root.findtext("t:Principals/t:Principal/t:UserId", namespaces=NS) == r"SALES\backoffice"
    exe = root.findtext("t:Actions/t:Exec/t:Command", namespaces=NS)
    assert exe is not None and Path(exe).is_file()
    assert (
        root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS) == f"--config {cfg_path.resolve()} watch"
    )
    assert root.findtext("t:Actions/t:Exec/t:WorkingDirectory", namespaces=NS) == str(
        cfg_path.parent.resolve()
    )


def test_service_prints_both_without_write(tmp_path: Path) -> None:
    cfg_path, _ = _install(tmp_path)
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "service", "--for", "both"])
    assert res.exit_code == 0 and "[Service]" in res.output and "<Task version=" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("reps: 3\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(bad), "service"])
    assert res.exit_code == 2 and "config error" in res.output


@pytest.mark.parametrize("word", ["a b", "50%", 'say "hi"'])
def test_exec_start_quoting_round_trips(tmp_path: Path, word: str) -> None:
    from automation.watch.service import Service, systemd_unit

    svc = Service([sys.executable, "-m", "automation"], tmp_path / word / "config.yaml", tmp_path, "root")
    assert exec_start(systemd_unit(svc)) == svc.argv
