"""``salesflow init DIR``: a ready installation — commented config, shared-folder tree, templates.

Re-running is always safe: a file or folder that exists is kept as it is (a user may have edited
the config or a template), and the result says what was created and what was kept. The tree is
derived from the config in DIR — the user's own one when it is already there — so adding a rep to
config.yaml and running init again creates just that rep's inbox folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from automation.core.config import DEFAULT_CONFIG_NAME, Config, load_config
from automation.core.formspec import load_specs
from automation.templates.builder import LANGUAGES, build_template, template_filename

TEMPLATES_DIR = "templates"


@dataclass
class InitResult:
    """What ``init`` did: every path it created, every path it found and left alone."""

    target: Path
    config_path: Path
    shared_root: Path
    templates_dir: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    @property
    def templates(self) -> list[Path]:
        """Every template file of the installation, created now or kept."""
        return sorted(p for p in (*self.created, *self.kept) if p.suffix == ".xlsx")


def default_config_text() -> str:
    """The commented demo config shipped with the package (a copy of the repo's config.yaml)."""
    return resources.files("automation.core").joinpath("data", "config.yaml").read_text(encoding="utf-8")


def shared_tree(config: Config) -> list[Path]:
    """Every folder of the shared folder (SPEC §1): one inbox per rep, per supervisor and ``hq``."""
    inbox = config.inbox
    return [
        config.shared_root,
        inbox,
        *(inbox / name for name in config.folder_names()),
        config.archive,
        config.rejected,
        config.reports,
        config.outbox,
    ]


def init_installation(target_dir: str | Path) -> InitResult:
    """Create (or complete) an installation in ``target_dir``; never overwrites an existing file."""
    target = Path(target_dir).expanduser().resolve()
    created: list[Path] = []
    kept: list[Path] = []
    if not target.exists():
        target.mkdir(parents=True)
        created.append(target)
    cfg_path = target / DEFAULT_CONFIG_NAME
    if cfg_path.exists():
        kept.append(cfg_path)
    else:
        cfg_path.write_text(default_config_text(), encoding="utf-8")
        created.append(cfg_path)
    config = load_config(cfg_path)  # the user's own config decides the tree; a bad one raises ConfigError

    for folder in shared_tree(config):
        if folder.is_dir():
            kept.append(folder)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)

    specs = load_specs(config)
    templates = target / TEMPLATES_DIR
    for lang in LANGUAGES:
        folder = templates / lang
        folder.mkdir(parents=True, exist_ok=True)
        for spec in specs:
            path = folder / template_filename(spec, lang)
            if path.exists():
                kept.append(path)
                continue
            build_template(spec, config, lang).save(path)
            created.append(path)
    return InitResult(
        target=target,
        config_path=cfg_path,
        shared_root=config.shared_root,
        templates_dir=templates,
        created=created,
        kept=kept,
    )
