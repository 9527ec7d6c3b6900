"""Config loading: the demo company loads; bad files give one line per problem, naming the key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from automation.core.config import ConfigError, load_config
from tests.conftest import ROOT


def _write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def _base() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))


def test_demo_config_loads(config) -> None:
    assert len(config.reps) == 12
    assert {r.id for r in config.regions} == {"east", "south", "north"}
    assert config.supervisor_of("east").id == "S01"
    assert config.database_url.startswith("sqlite:///")
    assert "ledger.sqlite" in config.database_url
    assert config.folder_names()[-1] == "hq"


def test_bad_values_name_key_value_and_allowed(tmp_path: Path) -> None:
    data = _base()
    data["language"] = "fr"
    data["reps"][0]["region"] = "mars"
    data["thresholds"]["abc"] = {"a": 0.99, "b": 0.5}
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    text = "\n".join(err.value.lines)
    assert "language" in text and "'fr'" in text
    assert "abc" in text and "0 < a < b" in text


def test_rep_in_unknown_region_is_named(tmp_path: Path) -> None:
    data = _base()
    data["reps"][0]["region"] = "mars"
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert any("reps[0].region" in line and "'mars'" in line and "east" in line for line in err.value.lines)


def test_unknown_key_and_missing_required(tmp_path: Path) -> None:
    data = _base()
    data["colour"] = "red"
    del data["regions"]
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    lines = err.value.lines
    assert any(line.startswith("colour:") for line in lines)
    assert any(line.startswith("regions:") for line in lines)


def test_ledger_inside_shared_folder_is_refused(tmp_path: Path) -> None:
    data = _base()
    data["state_folder"] = "workbooks/state"
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert "state_folder" in err.value.lines[0]


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    p = tmp_path / "config.yaml"
    p.write_text("company: x\nregions: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert "line" in err.value.lines[0]


def test_form_extension_adds_choice_and_field(tmp_path: Path) -> None:
    from automation.core.formspec import load_specs

    data = _base()
    data["forms"] = {
        "visit_report": {
            "choices": {"purpose": [{"key": "training", "zh": "培训", "en": "training"}]},
            "fields": [{"key": "product", "zh": "产品", "en": "Product", "type": "text"}],
        }
    }
    cfg = load_config(_write(tmp_path, data))
    spec = load_specs(cfg)["visit_report"]
    assert spec.field("purpose").choice_for("培训").key == "training"
    assert spec.fields[-1].key == "product"


def test_bad_form_extension_is_a_config_error(tmp_path: Path) -> None:
    data = _base()
    data["forms"] = {"visit_report": {"choices": {"nope": [{"key": "x", "zh": "x", "en": "x"}]}}}
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert "nope" in err.value.lines[0]


def test_form_aliases_add_header_labels_a_form_is_then_read_by(tmp_path: Path) -> None:
    """A team whose report says 客户名称 where the template says 客户 (issue 13)."""
    from automation.core.formspec import load_specs
    from automation.intake import read_submission
    from tests.formfactory import FormFactory, write_xlsx

    data = _base()
    data["forms"] = {
        "visit_report": {"aliases": {"customer": ["客户名称", "Client"], "report_date": ["填报日期"]}}
    }
    cfg = load_config(_write(tmp_path, data))
    specs = load_specs(cfg)
    assert specs["visit_report"].field("customer").labels() == ("客户", "Customer", "客户名称", "Client")
    base_specs = load_specs(load_config(ROOT / "config.yaml"))
    form = FormFactory(cfg, base_specs).visit_report("R001", date(2026, 11, 23))
    renamed = _renamed(base_specs["visit_report"], {"customer": "客户名称", "report_date": "填报日期"})
    path = tmp_path / "日报.xlsx"
    info = {"rep_id": "R001", "report_date": date(2026, 11, 23)}
    path.write_bytes(write_xlsx(renamed, info, form.rows))
    sub = read_submission(path, cfg, specs, folder="R001")
    assert sub.form == "visit_report" and not [i.code for i in sub.issues if i.severity == "error"]
    assert [r.value("customer") for r in sub.rows] == [r["customer"] for r in form.rows]
    assert str(sub.info_value("report_date")) == "2026-11-23"
    unknown = read_submission(path, load_config(ROOT / "config.yaml"), base_specs, folder="R001")
    assert "missing-column" in [i.code for i in unknown.issues]  # without the alias: no customer column


def _renamed(spec, labels: dict[str, str]):  # type: ignore[no-untyped-def]
    """The spec as a team's own form shows it: some headers under other names."""
    from dataclasses import replace

    return replace(
        spec,
        fields=tuple(replace(f, zh=labels.get(f.key, f.zh)) for f in spec.fields),
        info=tuple(replace(f, zh=labels.get(f.key, f.zh)) for f in spec.info),
    )


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ({"visit_reprot": {"aliases": {"customer": ["客户名称"]}}}, "forms: ['visit_reprot'] are not forms"),
        ({"visit_report": {"aliases": {"client": ["客户名称"]}}}, "forms.visit_report.aliases.client: visit_report has no field 'client'"),
        ({"visit_report": {"aliases": {"customer": ["拜访目的"]}}}, "forms.visit_report.aliases.customer: '拜访目的' already names the field 'purpose'"),
        ({"visit_report": {"aliases": {"customer": "客户名称"}}}, "forms.visit_report.aliases.customer: 应为列表"),
    ],
)  # fmt: skip
def test_a_bad_alias_is_one_line_naming_the_key(tmp_path: Path, aliases: dict, expected: str) -> None:
    data = _base()
    data["forms"] = aliases
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert len(err.value.lines) == 1 and err.value.lines[0].startswith(expected), err.value.lines


def test_amber_ratio_and_settle_seconds_out_of_range_are_refused_naming_key_value_and_range(
    tmp_path: Path,
) -> None:
    data = _base()
    data["thresholds"]["amber_ratio"] = 1.9
    data["watcher"]["settle_seconds"] = -1
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert err.value.lines == [
        "thresholds.amber_ratio: 超出允许范围 / 1.9 is out of range; allowed: 0 < x <= 1",
        "watcher.settle_seconds: 超出允许范围 / -1 is out of range; allowed: 0 <= x <= 3600",
    ]


def _numbers(model: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any, list[Any]]]:
    """Every number a config may hold: (path, type, metadata), ``"*"`` for a list item or dict value."""
    for name, info in model.model_fields.items():
        if name != "base_dir":
            yield from _number_leaves(info.annotation, list(info.metadata), (*path, name))


def _number_leaves(
    ann: Any, meta: list[Any], path: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], Any, list[Any]]]:
    origin, args = get_origin(ann), get_args(ann)
    if ann in (int, float):
        yield path, ann, meta
    elif origin is Annotated:
        yield from _number_leaves(args[0], [*meta, *ann.__metadata__], path)
    elif origin in (list, dict):
        yield from _number_leaves(args[-1], [], (*path, "*"))
    elif origin in (Union, UnionType):
        for a in args:
            yield from _number_leaves(a, meta, path)
    elif isinstance(ann, type) and issubclass(ann, BaseModel):
        yield from _numbers(ann, path)


def _put(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> str:
    """Set ``value`` at ``path`` in the YAML mapping; returns the key as the error line names it."""
    node: Any = data
    shown = ""
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if step == "*":
            step = 0 if isinstance(node, list) else next(iter(node))
        elif isinstance(node, dict) and node.get(step) is None and not last:
            node[step] = [1.0] * 12 if path[i + 1] == "*" else {}  # monthly_weights: null by default
        shown += f"[{step}]" if isinstance(step, int) else (f".{step}" if shown else str(step))
        if last:
            node[step] = value
        else:
            node = node[step]
    return shown


def test_every_number_in_config_has_a_range_checked_at_load(tmp_path: Path) -> None:
    """Walks the config model: each int or float carries a Range, and a value just outside it on
    either side is one line naming the key, the value and the range."""
    from automation.core.config import Config, Range

    leaves = list(_numbers(Config))
    assert len(leaves) >= 20 and ("thresholds", "amber_ratio") in [p for p, _, _ in leaves]
    for side in ("below", "above"):  # every number wrong at once: one line each
        data, expected = _base(), []
        for path, kind, meta in leaves:
            ranges = [m.func for m in meta if isinstance(getattr(m, "func", None), Range)]
            assert len(ranges) == 1, f"{'.'.join(map(str, path))} has no range"
            r = ranges[0]
            bad = kind((r.lo if r.lo_open else r.lo - 1) if side == "below" else r.hi + 1)
            key = _put(data, path, bad)
            expected.append(f"{key}: 超出允许范围 / {bad!r} is out of range; allowed: {r.text()}")
        with pytest.raises(ConfigError) as err:
            load_config(_write(tmp_path, data))
        assert sorted(line for line in err.value.lines if "超出允许范围" in line) == sorted(expected)
