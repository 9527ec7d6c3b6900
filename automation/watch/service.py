"""Running the watcher as the machine's service: a systemd unit, or a Windows scheduled task.

What ``salesflow service`` writes, and why each choice (the README's "Running the watcher for
real" walks a back office through installing them):

**Linux: a systemd unit** (``salesflow-watch.service``). ``Restart=on-failure`` brings a watcher
that died back after :data:`RESTART_SECONDS`, except after exit code 2 (a configuration error or a
ledger refused by configuration: restarting cannot help, ``RestartPreventExitStatus``).
``KillMode=mixed``: ``systemctl stop`` sends SIGTERM to the watcher alone, which finishes the file
in progress and stops its read-ahead child itself; only after ``TimeoutStopSec`` is everything
killed. ``After=network-online.target remote-fs.target`` so a share mounted from fstab is usually
there at start (when it is not, the watcher waits for it and says so in ``status``). It runs as
the user who owns the installation (``--user``), never as root by default: the watcher needs to
read the inbox and write archive/, rejected/ and its state folder, nothing more.

**Windows: a scheduled task** (``salesflow-watch.task.xml``, imported with ``schtasks /Create
/XML``), not a service wrapper. A wrapper (NSSM, WinSW) is a third-party executable the back office
must download and trust, and a service runs as LocalSystem, which cannot open the mapped drives and
UNC shares the inbox usually lives on. A task runs as a chosen user with that user's network
credentials, whether or not anybody is logged on. Task Scheduler restarts a task only when it
fails to *start*, not when it exits; so the task has two triggers: at start-up, and every
:data:`WINDOWS_RECHECK_MINUTES` minutes, with "do not start a new instance" while one runs. A
watcher that died is running again within minutes; a running one is left alone (and the
installation lock stops a second watcher in any case).
"""

from __future__ import annotations

import getpass
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

UNIT_NAME = "salesflow-watch.service"
TASK_FILE = "salesflow-watch.task.xml"
TASK_NAME = "Salesflow watcher"
RESTART_SECONDS = 10
STOP_TIMEOUT_SECONDS = 120
WINDOWS_RECHECK_MINUTES = 5


@dataclass(frozen=True)
class Service:
    """What a service needs to know: the command, the config, where to run and as whom."""

    command: list[
        str
    ]  # the program and its arguments before ``--config`` (salesflow, or python -m automation)
    config: Path
    workdir: Path
    user: str

    @property
    def argv(self) -> list[str]:
        return [*self.command, "--config", str(self.config), "watch"]


def find_service(config_path: Path, user: str | None = None) -> Service:
    """The service for this installation: this environment's ``salesflow`` (the venv's), the
    config as an absolute path, the config's folder as working directory, and the user who owns
    the config file unless ``user`` is given."""
    config = config_path.resolve()
    scripts = Path(sys.executable).parent
    exe = scripts / ("salesflow.exe" if os.name == "nt" else "salesflow")
    command = [str(exe)] if exe.is_file() else [sys.executable, "-m", "automation"]
    return Service(command, config, config.parent, user or owner_of(config))


def owner_of(path: Path) -> str:
    try:
        import pwd

        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (ImportError, KeyError, OSError):
        return getpass.getuser()


def _systemd_quote(arg: str) -> str:
    """One ExecStart word: quoted when it holds a space or a quote; ``%`` doubled (a specifier)."""
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in " \t\"'\\;"):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(svc: Service, company: str = "Salesflow") -> str:
    """The unit file (see the module docstring)."""
    exec_start = " ".join(_systemd_quote(a) for a in svc.argv)
    return f"""# {UNIT_NAME}: the Salesflow folder watcher for {company}, written by `salesflow service`.
# Install:  sudo cp {UNIT_NAME} /etc/systemd/system/ && sudo systemctl daemon-reload
#           sudo systemctl enable --now {UNIT_NAME}
# Check:    salesflow --config {svc.config} status     (exit 0 alive, 1 dead, 3 stuck, 4 waiting)
# Log:      journalctl -u {UNIT_NAME}   and the watcher's own log in <state_folder>/logs/salesflow.log
[Unit]
Description=Salesflow folder watcher ({company})
Documentation=file://{_systemd_quote(str(svc.workdir))}
Wants=network-online.target
After=network-online.target remote-fs.target

[Service]
Type=simple
User={svc.user}
WorkingDirectory={_systemd_quote(str(svc.workdir))}
Environment=PYTHONUNBUFFERED=1 PYTHONIOENCODING=utf-8
ExecStart={exec_start}
Restart=on-failure
RestartSec={RESTART_SECONDS}
RestartPreventExitStatus=2
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec={STOP_TIMEOUT_SECONDS}
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
"""


def _windows_args(argv: list[str]) -> str:
    return " ".join(f'"{a}"' if " " in a or not a else a for a in argv)


def windows_task(svc: Service, company: str = "Salesflow") -> str:
    """The Task Scheduler XML (schema 1.2; see the module docstring). Save it as UTF-16."""
    program, *args = svc.argv
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<!-- {TASK_NAME} for {escape(company)}, written by `salesflow service`. Import (as an administrator):
     schtasks /Create /TN "{TASK_NAME}" /XML {TASK_FILE} /RU <DOMAIN\\user> /RP *
     Check: salesflow status (exit 0 alive, 1 dead, 3 stuck, 4 waiting). -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Salesflow folder watcher ({escape(company)}): processes the forms dropped into the inbox.</Description>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
      <Delay>PT1M</Delay>
    </BootTrigger>
    <TimeTrigger>
      <StartBoundary>2020-01-01T00:00:00</StartBoundary>
      <Enabled>true</Enabled>
      <Repetition>
        <Interval>PT{WINDOWS_RECHECK_MINUTES}M</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{escape(svc.user)}</UserId>
      <LogonType>Password</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(program)}</Command>
      <Arguments>{escape(_windows_args(args))}</Arguments>
      <WorkingDirectory>{escape(str(svc.workdir))}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
"""


def this_system() -> str:
    """The ``kind`` of the system this runs on: ``windows`` or ``linux``."""
    return "windows" if os.name == "nt" else "linux"


def texts(svc: Service, kind: str, company: str = "Salesflow") -> list[str]:
    """The unit (``kind`` linux), the task (windows) or both, as text (``salesflow service`` prints them)."""
    out = []
    if kind in ("linux", "both"):
        out.append(systemd_unit(svc, company))
    if kind in ("windows", "both"):
        out.append(windows_task(svc, company))
    return out


def write(svc: Service, folder: Path, kind: str, company: str = "Salesflow") -> list[Path]:
    """Write the unit (``kind`` linux), the task (windows) or both into ``folder``; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    if kind in ("linux", "both"):
        unit = folder / UNIT_NAME
        unit.write_text(systemd_unit(svc, company), encoding="utf-8")
        out.append(unit)
    if kind in ("windows", "both"):
        task = folder / TASK_FILE
        task.write_text(windows_task(svc, company), encoding="utf-16")  # schtasks wants UTF-16
        out.append(task)
    return out


def exec_start(unit_text: str) -> list[str]:
    """The ExecStart command of a unit as argv (systemd's quoting, as written by :func:`systemd_unit`)."""
    for line in unit_text.splitlines():
        if line.startswith("ExecStart="):
            return [a.replace("%%", "%") for a in shlex.split(line[len("ExecStart=") :])]
    raise ValueError("no ExecStart line")


__all__ = ["Service", "exec_start", "find_service", "systemd_unit", "windows_task", "write"]
