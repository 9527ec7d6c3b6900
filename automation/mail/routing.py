"""Who receives which message, and what each of them may see: the ONE place scope is decided.

Every message is built for one :class:`Recipient` with one :class:`Scope`, and every row a message
shows passes through :func:`visible` (tables) or :func:`view` (a whole figures dict) first. A
template never filters: it shows what it is given. So "a supervisor never sees another region's
figures, a rep never another rep's" is a property of this module, and its tests check it.

Scopes:
- a rep sees their own rows (scorecard row, customers they own, their own submissions);
- a supervisor sees their region (its reps, its region row, its customers);
- a manager sees the company row and the regions they cover (``managers[].regions``);
- nobody else receives anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from automation.core.config import Config, Person

REP, SUPERVISOR, MANAGER = "rep", "supervisor", "manager"


@dataclass(frozen=True)
class Scope:
    """What a recipient may see: ``regions`` (None = all), ``reps`` (None = every rep of those
    regions), and whether the company-level row is theirs."""

    regions: frozenset[str] | None
    reps: frozenset[str] | None
    company: bool = False

    def allows_region(self, region: str) -> bool:
        return self.regions is None or region in self.regions

    def allows_rep(self, rep_id: str, region: str) -> bool:
        return self.allows_region(region) and (self.reps is None or rep_id in self.reps)


@dataclass(frozen=True)
class Recipient:
    """One person as mail sees them: address, display name, language and role."""

    id: str
    name: str
    email: str
    language: str
    role: str

    @classmethod
    def of(cls, person: Person, role: str) -> Recipient:
        return cls(person.id, person.name, person.email, person.language, role)


def scope_of(config: Config, recipient: Recipient) -> Scope:
    """The scope of a person's role (see the module docstring)."""
    if recipient.role == REP:
        rep = config.rep(recipient.id)
        region = rep.region if rep is not None else ""
        return Scope(frozenset({region}), frozenset({recipient.id}))
    if recipient.role == SUPERVISOR:
        sup = next((s for s in config.supervisors if s.id == recipient.id), None)
        return Scope(frozenset({sup.region} if sup else set()), None)
    if recipient.role == MANAGER:
        mgr = next((m for m in config.managers if m.id == recipient.id), None)
        if mgr is None:
            return Scope(frozenset(), frozenset())
        regions = None if mgr.regions == "all" else frozenset(mgr.regions)
        return Scope(regions, None, company=True)
    return Scope(frozenset(), frozenset())


def visible(
    scope: Scope, df: pd.DataFrame, *, rep_col: str | None = None, region_col: str = "region"
) -> pd.DataFrame:
    """The rows of ``df`` a scope may see.

    Scorecard-shaped frames (with ``level`` and ``owner``) keep rep rows of allowed reps, region
    rows of allowed regions (only when the scope is not a single rep) and the company row only for
    a company scope. Other frames keep rows whose ``region_col`` is allowed and, when the scope
    names reps, whose ``rep_col`` (``owner`` for customers, ``rep_id`` otherwise) is one of them.
    """
    if df.empty:
        return df
    regions = df[region_col].astype("string").fillna("") if region_col in df.columns else None
    allowed_region = (
        regions.map(scope.allows_region).astype(bool)
        if regions is not None
        else pd.Series(scope.regions is None, index=df.index)
    )
    if "level" in df.columns and "owner" in df.columns:
        level = df["level"].astype(str)
        owner = df["owner"].astype("string").fillna("")
        rep_ok = (
            (level == "rep") & allowed_region & (owner.isin(scope.reps) if scope.reps is not None else True)
        )
        region_ok = (level == "region") & allowed_region & (scope.reps is None)
        company_ok = (level == "company") & scope.company
        return df[rep_ok | region_ok | company_ok].reset_index(drop=True)
    keep = allowed_region
    if scope.reps is not None:
        col = rep_col or ("rep_id" if "rep_id" in df.columns else "owner")
        keep = keep & df[col].astype("string").fillna("").isin(scope.reps)
    return df[keep].reset_index(drop=True)


# The figures (compute_all) that are frames of rows, and which column names their person.
_LISTS = {
    "abc": "owner", "rfm": "owner", "policy": "owner", "never_visited": "owner", "churn": "owner",
    "complaints": "rep_id", "timeliness": "rep_id", "customers": "owner",
}  # fmt: skip


def view(figures: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """A copy of :func:`automation.score.compute_all`'s answer holding only what ``scope`` may see.

    Only the parts mail shows are kept (scorecards, the customer and complaint lists, timeliness,
    and any ``by_day`` / ``plans`` / ``streak`` frames the caller added); anything else is dropped
    rather than passed on unfiltered.
    """
    out: dict[str, Any] = {k: figures[k] for k in ("schema", "as_of", "week", "periods") if k in figures}
    out["scorecards"] = {k: visible(scope, sc) for k, sc in figures.get("scorecards", {}).items()}
    for key, col in _LISTS.items():
        if key in figures:
            out[key] = visible(scope, figures[key], rep_col=col)
    for key in ("by_day",):
        if key in figures:
            out[key] = visible(scope, figures[key])
    for key in ("plans", "streak"):
        if key in figures:
            out[key] = visible(scope, figures[key], rep_col="rep_id")
    return out


# ----- who receives each kind of message --------------------------------------------------------


def weekly_audience(config: Config) -> list[Recipient]:
    """Every supervisor, manager and live rep with an address (the weekly summaries)."""
    people = [Recipient.of(s, SUPERVISOR) for s in config.supervisors]
    people += [Recipient.of(m, MANAGER) for m in config.managers]
    people += [Recipient.of(r, REP) for r in config.reps]
    return people


def supervisors(config: Config) -> list[Recipient]:
    return [Recipient.of(s, SUPERVISOR) for s in config.supervisors]


def rep(config: Config, rep_id: str) -> Recipient | None:
    r = config.rep(rep_id)
    return Recipient.of(r, REP) if r is not None else None


def supervisor_of_rep(config: Config, rep_id: str) -> Recipient | None:
    r = config.rep(rep_id)
    sup = config.supervisor_of(r.region) if r is not None else None
    return Recipient.of(sup, SUPERVISOR) if sup is not None else None


def managers_of_region(config: Config, region: str) -> list[Recipient]:
    return [Recipient.of(m, MANAGER) for m in config.managers if m.regions == "all" or region in m.regions]


def escalation(config: Config, rep_id: str, high: bool) -> tuple[list[Recipient], list[Recipient]]:
    """(to, cc) of an escalation: the rep's supervisor, and for high severity the region's
    managers too (in copy; without a supervisor they are the addressees)."""
    r = config.rep(rep_id)
    sup = supervisor_of_rep(config, rep_id)
    mgrs = managers_of_region(config, r.region) if (r is not None and high) else []
    if sup is None:
        return mgrs, []
    return [sup], mgrs


def reminder(config: Config, rep_id: str, streak: int) -> tuple[list[Recipient], list[Recipient]]:
    """(to, cc) of a missing-report reminder: the rep; the supervisor in copy from the second
    missing working day in a row."""
    r = rep(config, rep_id)
    sup = supervisor_of_rep(config, rep_id) if streak >= 2 else None
    return ([r] if r else []), ([sup] if sup else [])


def visible_records(config: Config, scope: Scope, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ledger records (dicts with ``rep_id`` or ``folder``, e.g. status's ``awaiting_fix``) of the
    reps a scope may see; a record of no known rep is seen by no one here."""
    out = []
    for rec in records:
        rep_id = str(rec.get("rep_id") or rec.get("folder") or "")
        r = config.rep(rep_id)
        if r is not None and scope.allows_rep(rep_id, r.region):
            out.append(rec)
    return out
