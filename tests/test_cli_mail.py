"""``salesflow mail``, the watcher's mail hooks, config checks of smtp/mail, and the templates of an
installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.core.config import ConfigError, parse_config
from tests import mailworld
from tests.formfactory import FormFactory
from tests.smtpserver import Server
from tests.test_mail import template  # noqa: F401  (the session's installation)

# SQLite only: what this module checks does not depend on the ledger's engine; PostgreSQL runs
# the ledger, pipeline, mail, status and figures modules, real watchers (tests/test_multisite.py)
# and the workbooks cell by cell (tests/test_engines_equal.py). Keeps CI under 10 minutes.

ROOT = Path(__file__).resolve().parents[1]


def run(cfg: Path, *args: str, now: str = "2026-11-30T09:00", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg), *args],
        capture_output=True, text=True, timeout=180, env={**os.environ, "SALESFLOW_NOW": now, **env},
    )  # fmt: skip


def test_mail_writes_the_week_and_says_where(template: Path, tmp_path: Path) -> None:  # noqa: F811
    cfg, config = mailworld.copy(template, tmp_path)
    r = run(cfg, "mail", "--week", "2026-w48", "--kind", "weekly")
    assert r.returncode == 0, r.stderr
    written = [line for line in r.stdout.splitlines() if line.startswith("写入 / written: ")]
    assert len(written) == 16 and all(Path(line.split(": ", 1)[1]).is_file() for line in written)
    assert f"发件箱 / outbox: {config.outbox}" in r.stdout
    eml = config.outbox / "2026-W48" / "weekly-rep R001 张伟.eml"
    first_id = _header(eml, "Message-ID")
    again = run(cfg, "mail", "--week", "2026-W48", "--kind", "weekly")  # not sent yet: rewritten, same id
    assert again.stdout.count("写入 / written: ") == 16 and _header(eml, "Message-ID") == first_id


def _header(path: Path, name: str) -> str:
    from email import message_from_bytes, policy

    return str(message_from_bytes(path.read_bytes(), policy=policy.default)[name])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W48", "--date", "2026-11-30"], "either --week or --date"),
        (["--week", "2026-W60"], "2026 has no week 60"),
        (["--date", "30/11/2026"], "--date must look like 2026-11-23"),
        (["--send"], "smtp.host is empty"),
        (["--resend", "weekly:nope"], "not unsure or failed: weekly:nope"),
    ],
)
def test_mail_refuses_with_one_line(template: Path, tmp_path: Path, args: list[str], message: str) -> None:  # noqa: F811
    cfg, _ = mailworld.copy(template, tmp_path)
    r = run(cfg, "mail", *args)
    assert r.returncode == 2
    assert message in r.stderr + r.stdout and "Traceback" not in r.stderr


def test_the_watcher_mails_after_a_burst_and_when_due(template: Path, tmp_path: Path) -> None:  # noqa: F811
    """``salesflow watch --once``: a rejected form dropped now gets its notice (after_burst), and
    Monday 09:00's scheduled mail (due) goes out too; a second run sends nothing new."""
    with Server() as server:
        cfg, config = mailworld.copy(template, tmp_path, **server.settings())
        from automation.core.formspec import load_specs

        bad = FormFactory(config, load_specs(config)).visit_plan("R005", mailworld.MONDAY, seed=3)
        path = config.inbox / "R009" / "plan.xlsx"  # R005's plan dropped into a colleague's folder
        path.write_bytes(bad.data)
        r = run(cfg, "watch", "--once")
        assert r.returncode == 0, r.stdout + r.stderr
        keys = sorted(str(m.message["X-Salesflow-Key"]).split(":")[0] for m in server.handler.received)
        assert keys.count("weekly") == 16 and keys.count("brief") == 3
        rejection = [
            m for m in server.handler.received if str(m.message["X-Salesflow-Key"]).startswith("rejection:")
        ]
        # to the form's own rep, R005: the notice carries R005's rows, never shown to the folder's owner
        assert [m.rcpt_tos for m in rejection] == [["chen.jing@example.com"]]
        n = len(server.handler.received)
        r = run(cfg, "watch", "--once")
        assert r.returncode == 0 and len(server.handler.received) == n


def _config_with(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for p in parents:
            node = node.setdefault(p, {}) if not p.isdigit() else node[int(p)]
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"reps__0__email": "zhang.wei@"},
            "reps[0].email: 取值无效 / 'zhang.wei@' — is not an email address",
        ),
        (
            {"supervisors__0__name": "马超\r\nBcc: x@y.z"},
            "supervisors[0].name: 取值无效 / '马超\\r\\nBcc: x@y.z' — must not contain line breaks",
        ),
        (
            {"smtp__sender": "Salesflow <a@b.c>"},
            "smtp.sender: 取值无效 / 'Salesflow <a@b.c>' — is not an email address",
        ),
        ({"smtp__port": 70000}, "smtp.port: 超出允许范围 / 70000 is out of range; allowed: 1 <= x <= 65535"),
        (
            {"smtp__password_env": "MY PASSWORD"},
            "smtp.password_env: 取值无效 / 'MY PASSWORD' — must be the name of an environment variable",
        ),
        ({"smtp__retries": 50}, "smtp.retries: 超出允许范围 / 50 is out of range; allowed: 0 <= x <= 10"),
        (
            {"smtp__host": "mail.example.com\r\nX"},
            "smtp.host: 取值无效 / 'mail.example.com\\r\\nX' — must not contain spaces or line breaks",
        ),
        (
            {"mail__kinds": ["weekly", "daily"]},
            "mail.kinds: 取值无效 / ['weekly', 'daily'] — unknown kinds ['daily']",
        ),
        ({"mail__weekly_time": "25:00"}, "mail.weekly_time: 不是时间"),
        (
            {"mail__reminder_delay_minutes": 500},
            "mail.reminder_delay_minutes: 超出允许范围 / 500 is out of range; allowed: 0 <= x <= 180",
        ),
        ({"company": "华信\nBcc: x@y.z"}, "company: 取值无效"),
    ],
)
def test_config_names_each_bad_mail_key(changes: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(_config_with(**changes), ROOT)
    assert len(exc.value.lines) == 1 and exc.value.lines[0].startswith(line), exc.value.lines


def test_the_password_comes_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="smtp.password"):
        parse_config(_config_with(smtp__password="secret"), ROOT)  # not a key: never in the file
    cfg = parse_config(_config_with(smtp__password_env="MAIL_PW"), ROOT)
    monkeypatch.setenv("MAIL_PW", "s3cret")
    assert cfg.smtp.password == "s3cret"


@pytest.mark.slow
def test_an_installed_wheel_finds_its_templates(template: Path, tmp_path: Path) -> None:  # noqa: F811
    """Build the wheel, install it into a fresh prefix and run ``salesflow mail`` from there,
    outside the source tree: the templates come from the wheel's data files."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    wheel = next(dist.glob("salesflow-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith("share/salesflow/templates/email/weekly_supervisor.html") for n in names)
    prefix = tmp_path / "prefix"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=120)
    # --python: pip installs into that interpreter's environment. (Not --prefix: pip would first
    # uninstall the editable salesflow of the environment running it, breaking every later test.)
    py = prefix / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    ours = subprocess.run([sys.executable, "-c", "import automation; print(automation.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ours.stdout.startswith(str(ROOT)), ours  # the environment running the tests is untouched
    deps = [p for p in sys.path if p.endswith("site-packages")]
    cfg, config = mailworld.copy(template, tmp_path / "inst")
    probe = (
        "import automation, automation.mail.render as r; print(automation.__file__); print(r.template_dir())"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(deps), "SALESFLOW_NOW": "2026-11-30T09:00"}
    out = subprocess.run(
        [str(py), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    module, templates = out.stdout.splitlines()
    assert module.startswith(str(prefix)) and templates.startswith(str(prefix)), out.stdout
    r = subprocess.run([str(py), "-m", "automation", "--config", str(cfg), "mail", "--date", "2026-11-30", "--kind", "brief"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert len(list((config.outbox / "2026-11-30").glob("brief *.eml"))) == 3
