"""Form specs as data: the one description of every form that templates, intake, validation and docs read.

Each form of SPEC §2 is a YAML file in ``automation/forms/``; shared choice lists and info-block labels
have their own files. :func:`load_specs` merges a company's additions from ``config.yaml`` (extra
choices, extra optional fields, extra header labels) so a company can extend a form without touching code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, Protocol

import yaml

from automation.core.texts.choices import DEFAULT_INDUSTRIES


class CompanyLists(Protocol):
    """What a company adds to the forms (a :class:`automation.core.config.Config` is one): its
    industries and regions as choice lists, and its form extensions. A protocol, so the specs need
    not import the config, which builds the specs to check a company's extensions when it loads."""

    @property
    def industries(self) -> Sequence[Any]: ...

    @property
    def regions(self) -> Sequence[Any]: ...

    @property
    def forms(self) -> Mapping[str, Any]: ...


FieldType = Literal[
    "text", "int", "money", "date", "bool", "choice", "rep", "customer", "region", "week", "period"
]
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "int",
    "money",
    "date",
    "bool",
    "choice",
    "rep",
    "customer",
    "region",
    "week",
    "period",
)
FORM_KEYS: tuple[str, ...] = (
    "customer_register",
    "visit_plan",
    "visit_report",
    "market_report",
    "complaint",
    "weekly_report",
    "targets",
)

# bool choices as shown in dropdowns, and every spelling accepted when reading (SPEC §2 Types).
BOOL_LABELS = {"zh": ("是", "否"), "en": ("Y", "N")}
BOOL_TRUE = {"是", "y", "yes", "true", "√", "✓", "✔", "1", "t", "对", "有"}
BOOL_FALSE = {"否", "n", "no", "false", "×", "✗", "✘", "x", "0", "f", "无", "没有"}


# The industry choices of a company whose config names none (config.industries defaults to these):
# DEFAULT_INDUSTRIES, from automation.core.texts.choices.


class SpecError(ValueError):
    """A form spec file (ours or a company's extension in config.yaml) is malformed."""


_SPACES = re.compile(r"[\s\u3000]+")


@lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Normalise a label or choice for matching: NFKC (full-width -> ASCII), case, all whitespace removed.

    Cached: the customer directory folds every customer name each time the register changes, and a
    20,000-customer register is mostly the same names again.
    """
    text = unicodedata.normalize("NFKC", str(text))
    return _SPACES.sub("", text).casefold()


@dataclass(frozen=True)
class Choice:
    key: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def spellings(self) -> tuple[str, ...]:
        return (self.key, self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class FieldSpec:
    """One column of a form's table, or one value of its info block."""

    key: str
    zh: str
    en: str
    type: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    choice_list: str = ""
    rule: str = ""
    help_zh: str = ""
    help_en: str = ""
    width: int = 0
    aliases: tuple[str, ...] = ()
    prefilled: bool = False
    wide: bool = False

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def help(self, lang: str) -> str:
        return self.help_zh if lang == "zh" else self.help_en

    def labels(self) -> tuple[str, ...]:
        """Every header text that names this field, in either language."""
        return (self.zh, self.en, *self.aliases)

    def choice_for(self, text: str) -> Choice | None:
        """The choice a typed value means, in either language (case, width and spaces ignored)."""
        folded = fold(text)
        for c in self.choices:
            if folded in {fold(s) for s in c.spellings()}:
                return c
        return None


@dataclass(frozen=True)
class FormSpec:
    key: str
    version: str
    title_zh: str
    title_en: str
    period: str  # day | week | none
    period_field: str
    submitter: str  # rep | supervisor | hq
    info: tuple[FieldSpec, ...]
    fields: tuple[FieldSpec, ...]

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def field(self, key: str) -> FieldSpec:
        for f in (*self.fields, *self.info):
            if f.key == key:
                return f
        raise KeyError(f"{self.key} has no field {key!r}")

    @property
    def required_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.required)


@dataclass
class FormSet:
    """All form specs of an installation, keyed by form key, in SPEC order."""

    forms: dict[str, FormSpec] = field(default_factory=dict)

    def __getitem__(self, key: str) -> FormSpec:
        return self.forms[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.forms.values())

    def __len__(self) -> int:
        return len(self.forms)

    def get(self, key: str) -> FormSpec | None:
        return self.forms.get(key)


def _read_yaml(name: str) -> Any:
    text = resources.files("automation.core.forms").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def _raw() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    choices = _read_yaml("choices.yaml")
    info = _read_yaml("info.yaml")
    forms = {k: _read_yaml(f"{k}.yaml") for k in FORM_KEYS}
    return choices, info, forms


def _choices(items: list[dict[str, Any]], where: str) -> tuple[Choice, ...]:
    out = []
    for i, c in enumerate(items):
        try:
            out.append(
                Choice(
                    key=str(c["key"]),
                    zh=str(c["zh"]),
                    en=str(c["en"]),
                    aliases=tuple(str(a) for a in c.get("aliases", ())),
                )
            )
        except (KeyError, TypeError) as exc:
            raise SpecError(f"{where}[{i}]: a choice needs key, zh and en ({exc})") from None
    return tuple(out)


def _field(
    d: dict[str, Any], lists: dict[str, tuple[Choice, ...]], where: str, labels: dict[str, Any] | None = None
) -> FieldSpec:
    key = d.get("key")
    if not key:
        raise SpecError(f"{where}: every field needs a key")
    lab = dict(labels.get(key, {})) if labels is not None else {}
    zh = d.get("zh", lab.get("zh"))
    en = d.get("en", lab.get("en"))
    if not zh or not en:
        raise SpecError(f"{where}.{key}: needs zh and en labels")
    ftype = d.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise SpecError(f"{where}.{key}: type {ftype!r} is not one of {', '.join(FIELD_TYPES)}")
    choice_list = ""
    choices: tuple[Choice, ...] = ()
    if ftype == "choice":
        choice_list = d.get("choices") or ""
        if isinstance(choice_list, list):
            choices = _choices(choice_list, f"{where}.{key}.choices")
            choice_list = key
        elif choice_list in lists:
            choices = lists[choice_list]
        else:
            raise SpecError(f"{where}.{key}: choice list {choice_list!r} is not defined")
    elif ftype == "region":
        choices = lists.get("region", ())
    help_ = d.get("help") or {}
    return FieldSpec(
        key=str(key),
        zh=str(zh),
        en=str(en),
        type=ftype,
        required=bool(d.get("required", False)),
        choices=choices,
        choice_list=str(choice_list),
        rule=str(d.get("rule", "")),
        help_zh=str(help_.get("zh", "")),
        help_en=str(help_.get("en", "")),
        width=int(d.get("width", 0) or 0),
        aliases=tuple(str(a) for a in (d.get("aliases") or lab.get("aliases") or ())),
        prefilled=bool(d.get("prefilled", False)),
        wide=bool(d.get("wide", False)),
    )


def _with_aliases(
    form: str, aliases: dict[str, list[str]], info: tuple[FieldSpec, ...], fields: list[FieldSpec]
) -> tuple[tuple[FieldSpec, ...], list[FieldSpec]]:
    """The form's fields with a company's extra header labels (``forms.<form>.aliases``).

    A label is compared as intake compares headers (case, width and spaces ignored); one that another
    field of the form already answers to would make a header mean two fields, so it is refused."""
    info_list = list(info)
    for fkey, labels in aliases.items():
        where = f"forms.{form}.aliases.{fkey}"
        group = next((g for g in (fields, info_list) if any(f.key == fkey for f in g)), None)
        if group is None:
            known = ", ".join(f.key for f in (*fields, *info_list))
            raise SpecError(f"{where}: {form} has no field {fkey!r}; fields: {known}")
        i = next(n for n, f in enumerate(group) if f.key == fkey)
        added: list[str] = []
        for label in labels:
            text = str(label).strip()
            if not text:
                raise SpecError(f"{where}: an alias must not be blank")
            other = next(
                (f for f in group if f.key != fkey and fold(text) in {fold(x) for x in f.labels()}), None
            )
            if other is not None:
                raise SpecError(
                    f"{where}: {text!r} already names the field {other.key!r} of {form}; a header must mean one field"
                )
            added.append(text)
        group[i] = replace(group[i], aliases=group[i].aliases + tuple(added))
    return tuple(info_list), fields


def load_specs(config: CompanyLists | None = None) -> FormSet:
    """Build every form spec, with the company's regions, industries and form extensions from config."""
    raw_choices, raw_info, raw_forms = _raw()
    lists: dict[str, tuple[Choice, ...]] = {k: _choices(v, f"choices.{k}") for k, v in raw_choices.items()}
    if config is not None:
        lists["industry"] = tuple(Choice(i.key, i.zh, i.en) for i in config.industries)
        lists["region"] = tuple(Choice(r.id, r.zh, r.en) for r in config.regions)
    else:
        lists["industry"] = tuple(Choice(k, z, e) for k, z, e in DEFAULT_INDUSTRIES)
        lists["region"] = ()
    extensions = config.forms if config is not None else {}
    unknown = set(extensions) - set(FORM_KEYS)
    if unknown:
        raise SpecError(f"forms: {sorted(unknown)} are not forms; allowed: {', '.join(FORM_KEYS)}")

    forms: dict[str, FormSpec] = {}
    for key in FORM_KEYS:
        d = raw_forms[key]
        info = tuple(_field(i, lists, f"{key}.info", raw_info) for i in d.get("info") or ())
        fields = [_field(f, lists, f"{key}.fields") for f in d["fields"]]
        ext = extensions.get(key)
        if ext is not None:
            for fkey, extra in ext.choices.items():
                idx = next((i for i, f in enumerate(fields) if f.key == fkey), None)
                if idx is None or fields[idx].type != "choice":
                    raise SpecError(f"forms.{key}.choices.{fkey}: {key} has no choice field {fkey!r}")
                added = tuple(Choice(c.key, c.zh, c.en) for c in extra)
                fields[idx] = replace(fields[idx], choices=fields[idx].choices + added)
            for i, extra_field in enumerate(ext.fields):
                f = _field(extra_field, lists, f"forms.{key}.fields[{i}]")
                if f.required:
                    raise SpecError(
                        f"forms.{key}.fields[{i}]: added fields must be optional (required: false)"
                    )
                if any(g.key == f.key for g in fields):
                    raise SpecError(f"forms.{key}.fields[{i}]: {f.key!r} already exists")
                fields.append(f)
        if ext is not None and ext.aliases:
            info, fields = _with_aliases(key, ext.aliases, info, fields)
        forms[key] = FormSpec(
            key=key,
            version=str(d.get("version", "1.0")),
            title_zh=d["title"]["zh"],
            title_en=d["title"]["en"],
            period=d.get("period", "none"),
            period_field=d.get("period_field", ""),
            submitter=d.get("submitter", "rep"),
            info=info,
            fields=tuple(fields),
        )
    return FormSet(forms)
