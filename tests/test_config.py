"""Config loading: the demo company loads; bad files give one line per problem, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from automation.config import ConfigError, load_config
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
    from automation.formspec import load_specs

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
