"""Typed, validated company settings loaded from one ``config.yaml``.

Everything a company may tune lives here, with its default as a named constant, so the rest of the
code never reads YAML. A bad file gives one line per problem naming the key, the bad value and what
is allowed (:class:`ConfigError`), never a traceback.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from automation.core.formspec import DEFAULT_INDUSTRIES, SpecError, load_specs
from automation.core.texts.errors import CONFIG_TYPE_OTHER, CONFIG_TYPES, ERRORS

CONFIG_ENV = "SALESFLOW_CONFIG"
DEFAULT_CONFIG_NAME = "config.yaml"

# Defaults of SPEC §3, named so code and docs cite one place.
DEFAULT_ABC_A = 0.80
DEFAULT_ABC_B = 0.95
DEFAULT_VISIT_INTERVALS = {"A": 7, "B": 14, "C": 30}
DEFAULT_EFFECTIVE_OUTCOMES = ["deal", "interested", "follow_up"]
DEFAULT_COMPLAINT_LIMITS = {"high": 2, "medium": 5, "low": 10}
DEFAULT_REPORT_DEADLINE = time(20, 0)
DEFAULT_SETTLE_SECONDS = 2.0
DEFAULT_DATE_WINDOW_DAYS = 62
DEFAULT_MAX_FILE_MB = 25
DEFAULT_MAX_UNPACKED_MB = 150
DEFAULT_MAX_ROWS = 60000
# CPU seconds one file's reading may take (automation/intake/budget.py): a 60,000-row form (max_rows)
# reads in ~2.5 s on the development machine, so 10 s leaves a slow back-office PC room; a file over
# it is set aside (rejected as file-too-complex) instead of holding up the forms behind it
DEFAULT_TIME_BUDGET_SECONDS = 10.0
TIME_BUDGET_RANGE = (0.5, 600.0)

# Mail (issue 17): when messages are due, and how hard to try the SMTP server.
DEFAULT_WEEKLY_WEEKDAY = 1  # Monday
DEFAULT_WEEKLY_TIME = time(8, 0)
DEFAULT_BRIEF_TIME = time(8, 30)
DEFAULT_REMINDER_DELAY_MINUTES = 30  # after deadlines.visit_report
DEFAULT_SMTP_TIMEOUT = 30.0
DEFAULT_SMTP_RETRIES = 3
DEFAULT_SMTP_BACKOFF = 2.0
MAIL_KINDS = ("weekly", "brief", "reminder", "escalation", "rejection", "receipt")
# Sites (issue 18): the name of the branch whose shared folder this watcher serves. One
# installation on its own keeps this default; branches sharing a PostgreSQL ledger each set theirs.
DEFAULT_SITE = "main"
SITE_PATTERN = r"[A-Za-z0-9_-]{1,32}"
# A deliberately plain address check: one @, a dotted domain, nothing a header could trip on.
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def is_email(value: str) -> bool:
    """A plain ``local@domain.tld`` address (what the header and SMTP envelope accept as is)."""
    return len(value) <= 254 and bool(_EMAIL_RE.match(value))


def _no_control(value: str) -> str:
    """Names and the company end up in mail headers: a line break there could add a header."""
    if _CONTROL_RE.search(value):
        raise ValueError("must not contain line breaks or control characters")
    return value


def _email_or_blank(value: str) -> str:
    value = value.strip()
    if value and not is_email(value):
        raise ValueError("is not an email address (e.g. zhang.wei@example.com); leave it empty for none")
    return value


Language = Literal["zh", "en"]


@dataclass(frozen=True)
class Range:
    """The values a number in config may take, checked when the config loads.

    Every number of the config carries one (``tests/test_config.py`` walks the model to make sure):
    ``amber_ratio: 1.9`` or ``settle_seconds: -1`` used to be accepted and made the product wrong in
    ways nobody would trace back to a typo. ``lo_open``: ``lo`` itself is not allowed (a ratio of 0).
    """

    lo: float
    hi: float
    lo_open: bool = False

    def __call__(self, value: float) -> float:
        if value < self.lo or (self.lo_open and value == self.lo) or value > self.hi:
            raise PydanticCustomError("out_of_range", "allowed: {allowed}", {"allowed": self.text()})
        return value

    def text(self) -> str:
        return f"{_num(self.lo)} {'<' if self.lo_open else '<='} x <= {_num(self.hi)}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def within(lo: float, hi: float, *, lo_open: bool = False) -> AfterValidator:
    """``Annotated[float, within(0, 1)]``: a number limited to ``lo..hi`` (see :class:`Range`)."""
    return AfterValidator(Range(lo, hi, lo_open))


Ratio = Annotated[float, within(0, 1, lo_open=True)]  # a share or threshold: 0 < x <= 1
Days = Annotated[int, within(1, 3660)]  # a span of days: a day to ten years
Weekday = Annotated[int, within(1, 7)]  # 1 = Monday .. 7 = Sunday


class ConfigError(Exception):
    """The config file is missing, unreadable or invalid; ``lines`` holds one message per problem."""

    def __init__(self, path: Path | str, lines: list[str]):
        self.path = str(path)
        self.lines = lines
        super().__init__(f"{path}:\n" + "\n".join(f"  - {line}" for line in lines))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Labelled(_Model):
    """Something shown to people in both languages, identified by a stable key."""

    key: str
    zh: str
    en: str


class Region(_Model):
    id: str
    zh: str
    en: str
    # issue 18: the site (branch) whose watcher receives this region's forms and writes its weekly
    # workbooks into its own shared folder; empty: the HQ site (``hq_site``) does
    site: str = ""

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Person(_Model):
    id: str
    name: str
    email: str = ""
    language: Language = "zh"

    @field_validator("name")
    @classmethod
    def _plain_name(cls, v: str) -> str:
        return _no_control(v)

    @field_validator("email")
    @classmethod
    def _address(cls, v: str) -> str:
        return _email_or_blank(v)


class Rep(Person):
    region: str
    go_live: date = date(2026, 1, 1)


class Supervisor(Person):
    region: str


class Manager(Person):
    regions: list[str] | Literal["all"] = "all"


class Calendar(_Model):
    """Working days: weekdays (1 = Monday) plus make-up workdays, minus holidays."""

    weekdays: list[Weekday] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


class Deadlines(_Model):
    visit_report: time = DEFAULT_REPORT_DEADLINE
    visit_plan: time = time(10, 0)
    weekly_report_weekday: Weekday = 1
    weekly_report: time = time(12, 0)


class AbcThresholds(_Model):
    a: Ratio = DEFAULT_ABC_A
    b: Ratio = DEFAULT_ABC_B

    @model_validator(mode="after")
    def _ordered(self) -> AbcThresholds:
        if not (0 < self.a < self.b <= 1):
            raise ValueError(f"need 0 < a < b <= 1, got a={self.a}, b={self.b}")
        return self


class ChurnRules(_Model):
    interval_multiple: Annotated[float, within(1, 100)] = 2.0
    window_days: Days = 90
    drop_ratio: Ratio = 0.5
    grades: list[str] = Field(default_factory=lambda: ["A", "B"])


class Thresholds(_Model):
    abc: AbcThresholds = Field(default_factory=AbcThresholds)
    visit_intervals: dict[str, Days] = Field(default_factory=lambda: dict(DEFAULT_VISIT_INTERVALS))
    effective_outcomes: list[str] = Field(default_factory=lambda: list(DEFAULT_EFFECTIVE_OUTCOMES))
    complaint_limits: dict[str, Annotated[int, within(1, 365)]] = Field(
        default_factory=lambda: dict(DEFAULT_COMPLAINT_LIMITS)
    )
    churn: ChurnRules = Field(default_factory=ChurnRules)
    rfm_high_score: Annotated[int, within(1, 5)] = 3
    amber_ratio: Ratio = 0.9
    trailing_days: Days = 365

    @field_validator("visit_intervals")
    @classmethod
    def _grades(cls, v: dict[str, int]) -> dict[str, int]:
        missing = {"A", "B", "C"} - set(v)
        if missing:
            raise ValueError(f"needs intervals for grades A, B and C; missing {sorted(missing)}")
        return v

    @field_validator("complaint_limits")
    @classmethod
    def _severities(cls, v: dict[str, int]) -> dict[str, int]:
        missing = {"high", "medium", "low"} - set(v)
        if missing:
            raise ValueError(f"needs limits for high, medium and low; missing {sorted(missing)}")
        return v


class IntakeLimits(_Model):
    max_file_mb: Annotated[float, within(0, 1024, lo_open=True)] = DEFAULT_MAX_FILE_MB
    max_unpacked_mb: Annotated[float, within(0, 10240, lo_open=True)] = DEFAULT_MAX_UNPACKED_MB
    max_rows: Annotated[int, within(1, 1_048_576)] = DEFAULT_MAX_ROWS  # Excel's row limit
    date_window_days: Days = DEFAULT_DATE_WINDOW_DAYS
    time_budget_seconds: Annotated[float, within(*TIME_BUDGET_RANGE)] = DEFAULT_TIME_BUDGET_SECONDS


class WatcherSettings(_Model):
    poll: bool = False
    poll_interval: Annotated[float, within(0, 3600, lo_open=True)] = 1.0
    settle_seconds: Annotated[float, within(0, 3600)] = DEFAULT_SETTLE_SECONDS
    reconcile_seconds: Annotated[float, within(0, 86400, lo_open=True)] = 30.0
    retries: Annotated[int, within(0, 100)] = 3


class Smtp(_Model):
    """How to reach the mail server. ``ssl`` (implicit TLS, usually port 465) wins over
    ``starttls`` (port 587); neither is for a server on loopback only."""

    host: str = ""
    port: Annotated[int, within(1, 65535)] = 587
    user: str = ""
    password_env: str = "SALESFLOW_SMTP_PASSWORD"
    sender: str = ""
    sender_name: str = ""  # shown as the From name; the company name when empty
    starttls: bool = True
    ssl: bool = False
    timeout: Annotated[float, within(1, 600)] = DEFAULT_SMTP_TIMEOUT  # seconds per SMTP step
    retries: Annotated[int, within(0, 10)] = DEFAULT_SMTP_RETRIES  # further attempts
    retry_backoff: Annotated[float, within(0, 300)] = DEFAULT_SMTP_BACKOFF  # doubles per attempt

    @field_validator("host", "user")
    @classmethod
    def _no_space(cls, v: str) -> str:
        if re.search(r"\s", v):
            raise ValueError("must not contain spaces or line breaks")
        return v

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        return _email_or_blank(v)

    @field_validator("sender_name")
    @classmethod
    def _sender_name(cls, v: str) -> str:
        return _no_control(v)

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):
            raise ValueError("must be the name of an environment variable, e.g. SALESFLOW_SMTP_PASSWORD")
        return v

    @property
    def configured(self) -> bool:
        """Sending is on once a host is set; without one, messages are only written to outbox/."""
        return bool(self.host)

    @property
    def password(self) -> str:
        """The password comes only from the environment, never from the file."""
        return os.environ.get(self.password_env, "")


class MailSettings(_Model):
    """What is mailed and when (the product clock decides "now", so a day can be replayed)."""

    kinds: list[str] = Field(default_factory=lambda: list(MAIL_KINDS))
    weekly_weekday: Annotated[int, within(1, 7)] = DEFAULT_WEEKLY_WEEKDAY  # 1 = Monday
    weekly_time: time = DEFAULT_WEEKLY_TIME
    brief_time: time = DEFAULT_BRIEF_TIME
    reminder_delay_minutes: Annotated[int, within(0, 180)] = DEFAULT_REMINDER_DELAY_MINUTES

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        bad = [k for k in v if k not in MAIL_KINDS]
        if bad:
            raise ValueError(f"unknown kinds {bad}; allowed: {', '.join(MAIL_KINDS)}")
        return v


class FormExtension(_Model):
    """Lets a company add choices, optional fields or header labels to a form without touching code.

    ``aliases``: more header labels per field key (``visit_report: {aliases: {customer: [客户名称]}}``),
    for the forms a team already fills in under its own column names. Checked when the config loads
    (:func:`automation.core.formspec.load_specs`): an unknown field, or a label another field already
    answers to, is one line naming the key."""

    choices: dict[str, list[Labelled]] = Field(default_factory=dict)
    fields: list[dict[str, Any]] = Field(default_factory=list)
    aliases: dict[str, list[str]] = Field(default_factory=dict)


class Targets(_Model):
    monthly_weights: list[Annotated[float, within(0, 1e6)]] | None = None

    @field_validator("monthly_weights")
    @classmethod
    def _twelve(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (len(v) != 12 or sum(v) <= 0):
            raise ValueError("needs 12 non-negative weights (January..December) with a positive sum")
        return v


def switched_off(name: str) -> bool:
    """A troubleshooting switch in the environment (``SALESFLOW_READ_AHEAD``,
    ``SALESFLOW_FAST_SQL``) set to 0, no, off or false; unset, it is on."""
    return os.environ.get(name, "1").strip().lower() in ("0", "no", "off", "false")


# id(list of reps) -> (that list, its length, reps by id): see Config.rep
_REP_INDEX: dict[int, tuple[list[Any], int, dict[str, Any]]] = {}


class Config(_Model):
    company: str = "Salesflow"
    language: Language = "zh"
    shared_folder: Path = Path("workbooks")
    state_folder: Path = Path(".salesflow")
    ledger_url: str = ""
    site: str = DEFAULT_SITE
    hq_site: str = ""  # the site that writes the company workbook; empty: this site
    regions: list[Region]
    reps: list[Rep]
    supervisors: list[Supervisor] = Field(default_factory=list)
    managers: list[Manager] = Field(default_factory=list)
    industries: list[Labelled] = Field(
        default_factory=lambda: [Labelled(key=k, zh=z, en=e) for k, z, e in DEFAULT_INDUSTRIES]
    )
    calendar: Calendar = Field(default_factory=Calendar)
    deadlines: Deadlines = Field(default_factory=Deadlines)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    intake: IntakeLimits = Field(default_factory=IntakeLimits)
    watcher: WatcherSettings = Field(default_factory=WatcherSettings)
    smtp: Smtp = Field(default_factory=Smtp)
    mail: MailSettings = Field(default_factory=MailSettings)
    targets: Targets = Field(default_factory=Targets)
    forms: dict[str, FormExtension] = Field(default_factory=dict)

    # Set by the loader: the folder relative paths are resolved against.
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("company")
    @classmethod
    def _plain_company(cls, v: str) -> str:
        return _no_control(v)

    @model_validator(mode="after")
    def _references(self) -> Config:
        region_ids = [r.id for r in self.regions]
        problems: list[str] = []
        for key, value in (("site", self.site), ("hq_site", self.hq_site)):
            if value and not re.fullmatch(SITE_PATTERN, value):
                problems.append(f"{key}: {value!r} must be 1-32 letters, digits, '-' or '_'")
        for i, reg in enumerate(self.regions):
            if reg.site and not re.fullmatch(SITE_PATTERN, reg.site):
                problems.append(f"regions[{i}].site: {reg.site!r} must be 1-32 letters, digits, '-' or '_'")
        for kind, people in (
            ("reps", self.reps),
            ("supervisors", self.supervisors),
            ("managers", self.managers),
        ):
            seen: set[str] = set()
            for i, p in enumerate(people):
                if p.id in seen:
                    problems.append(f"{kind}[{i}].id: {p.id!r} is used twice; ids must be unique")
                seen.add(p.id)
                if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", p.id):
                    problems.append(f"{kind}[{i}].id: {p.id!r} must be 1-32 letters, digits, '-' or '_'")
        for kind, people in (("reps", self.reps), ("supervisors", self.supervisors)):
            for i, p in enumerate(people):
                if p.region not in region_ids:  # type: ignore[attr-defined]
                    problems.append(
                        f"{kind}[{i}].region: {p.region!r} is not a region; allowed: {', '.join(region_ids)}"  # type: ignore[attr-defined]
                    )
        for i, m in enumerate(self.managers):
            if m.regions != "all":
                for r in m.regions:
                    if r not in region_ids:
                        problems.append(
                            f"managers[{i}].regions: {r!r} is not a region; allowed: {', '.join(region_ids)}"
                        )
        ids = [p.id for p in [*self.reps, *self.supervisors, *self.managers]]
        if "hq" in ids:
            problems.append("'hq' is reserved for the HQ inbox folder; choose another id")
        dup = {x for x in ids if ids.count(x) > 1}
        if dup:
            problems.append(
                f"ids shared between reps, supervisors and managers: {sorted(dup)}; each folder needs its own id"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # ----- resolved paths -------------------------------------------------------------------
    @property
    def shared_root(self) -> Path:
        return _resolve(self.base_dir, self.shared_folder)

    @property
    def state_root(self) -> Path:
        return _resolve(self.base_dir, self.state_folder)

    @property
    def inbox(self) -> Path:
        return self.shared_root / "inbox"

    @property
    def archive(self) -> Path:
        return self.shared_root / "archive"

    @property
    def rejected(self) -> Path:
        return self.shared_root / "rejected"

    @property
    def reports(self) -> Path:
        return self.shared_root / "reports"

    @property
    def outbox(self) -> Path:
        return self.shared_root / "outbox"

    @property
    def database_url(self) -> str:
        """SQLite in the state folder unless ``ledger_url`` names another database.

        A plain ``postgresql://`` (or ``postgres://``) URL means psycopg 3, the driver the
        ``postgres`` extra installs (SQLAlchemy's own default for it would be psycopg2)."""
        if self.ledger_url:
            for plain in ("postgresql://", "postgres://"):
                if self.ledger_url.startswith(plain):
                    return "postgresql+psycopg://" + self.ledger_url[len(plain) :]
            return self.ledger_url
        return f"sqlite:///{self.state_root / 'ledger.sqlite'}"

    # ----- sites (issue 18) -------------------------------------------------------------------
    @property
    def headquarters(self) -> str:
        """The site that writes the company workbook and mails the managers (``hq_site``, else this one)."""
        return self.hq_site or self.site

    @property
    def is_hq(self) -> bool:
        return self.headquarters == self.site

    @property
    def multi_site(self) -> bool:
        """Some region is served by a site other than HQ: consolidation is split between sites
        (see ``automation.consolidate.sites``). False for one installation on its own."""
        return any(r.site and r.site != self.headquarters for r in self.regions)

    def region_site(self, region_id: str) -> str:
        """The site that writes ``region_id``'s workbooks and mails its people (HQ when unset)."""
        r = self.region(region_id)
        return (r.site if r is not None and r.site else "") or self.headquarters

    def owns_region(self, region_id: str) -> bool:
        return self.region_site(region_id) == self.site

    # ----- look-ups -----------------------------------------------------------------------
    def rep(self, rep_id: str) -> Rep | None:
        # Asked several times per form (validation, recording): a linear scan over 200 reps cost
        # 1 % of a flood, so a dict per list of reps, rebuilt when the list is replaced or changes
        # length. Kept outside the model: pydantic compares and pickles what the model holds.
        reps = self.reps
        hit = _REP_INDEX.get(id(reps))
        if hit is None or hit[0] is not reps or hit[1] != len(reps):
            if len(_REP_INDEX) >= 32:
                _REP_INDEX.clear()
            by_id: dict[str, Rep] = {}
            for r in reps:
                by_id.setdefault(r.id, r)  # the first of a duplicated id, as the scan found it
            hit = _REP_INDEX[id(reps)] = (reps, len(reps), by_id)
        return hit[2].get(rep_id)

    def region(self, region_id: str) -> Region | None:
        return next((r for r in self.regions if r.id == region_id), None)

    def supervisor_of(self, region_id: str) -> Supervisor | None:
        return next((s for s in self.supervisors if s.region == region_id), None)

    def folder_names(self) -> list[str]:
        """One inbox folder per rep, per supervisor, and ``hq``."""
        return [*(r.id for r in self.reps), *(s.id for s in self.supervisors), "hq"]

    def person(self, person_id: str) -> Person | None:
        for p in [*self.reps, *self.supervisors, *self.managers]:
            if p.id == person_id:
                return p
        return None


def _resolve(base: Path, p: Path) -> Path:
    """An absolute, resolved folder. Cached for an absolute base (what :func:`parse_config` sets):
    the pipeline asks for the shared and state roots a dozen times per form, and ``Path.resolve``
    walks the file system each time (about 0.1 ms). A relative base depends on the working folder."""
    if base.is_absolute():
        return _resolve_cached(base, p)
    return _resolve_now(base, p)


@lru_cache(maxsize=256)
def _resolve_cached(base: Path, p: Path) -> Path:
    return _resolve_now(base, p)


def _resolve_now(base: Path, p: Path) -> Path:
    p = Path(os.path.expanduser(str(p)))
    return p if p.is_absolute() else (base / p).resolve()


def _format_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in err["loc"]).replace(".[", "[")
        loc = loc or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        zh = CONFIG_TYPES.get(err["type"], CONFIG_TYPE_OTHER)
        if err["type"] == "out_of_range":
            lines.append(ERRORS["config-out-of-range"].format(loc=loc, input=err.get("input"), msg=msg))
        elif err["type"] == "missing":
            lines.append(ERRORS["config-missing"].format(loc=loc, zh=zh))
        elif err["type"] == "extra_forbidden":
            lines.append(ERRORS["config-unknown-key"].format(loc=loc, zh=zh))
        else:
            lines.append(ERRORS["config-invalid"].format(loc=loc, zh=zh, input=err.get("input"), msg=msg))
    return lines


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config`` wins, then ``SALESFLOW_CONFIG``, then ``./config.yaml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return Path(DEFAULT_CONFIG_NAME)


def parse_config(data: Any, base_dir: Path, source: str = "config.yaml") -> Config:
    """Validate an already-parsed mapping; raises :class:`ConfigError` with one line per problem."""
    if not isinstance(data, dict):
        raise ConfigError(source, [ERRORS["config-not-mapping"]])
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, _format_errors(exc)) from None
    cfg.base_dir = base_dir.resolve()
    problems = _check_paths(cfg)
    if problems:
        raise ConfigError(source, problems)
    try:
        load_specs(cfg)
    except SpecError as exc:
        raise ConfigError(source, [str(exc)]) from None
    return cfg


def _check_paths(cfg: Config) -> list[str]:
    shared, state = cfg.shared_root, cfg.state_root
    if not cfg.ledger_url and (state == shared or shared in state.parents):
        return [ERRORS["config-state-in-share"].format(state=str(cfg.state_folder), shared=str(shared))]
    return []


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate the config file; the one entry point every command uses."""
    p = find_config_path(path)
    if not p.exists():
        raise ConfigError(
            p,
            [ERRORS["config-not-found"].format(path=p)],
        )
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            p, [ERRORS["config-bad-yaml"].format(where=where, problem=getattr(exc, "problem", exc))]
        ) from None
    return parse_config(data, p.parent, str(p))
