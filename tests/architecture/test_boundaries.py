"""The house rules: the ticket core calls no feature, and the SOP files are the whole truth."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORE = ("tickets", "routing")
INFRASTRUCTURE = ("layanan",)


def _installed_packages() -> tuple[str, ...]:
    """The top-level packages the project installs (pyproject's package list, without the globs)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return tuple(p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"])


# Every installed package besides the core and the infrastructure is a feature: a new one is covered at once.
FEATURES = tuple(p for p in _installed_packages() if p not in CORE + INFRASTRUCTURE)
# Where keys may be spelled: the engine and its data, tests, benchmarks and migrations (which rename keys).
KEYS_ALLOWED_IN = ("routing", "tests", "bench", "layanan/migrations", ".venv")


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_core_imports_no_feature_package() -> None:
    assert {"bot", "pdf_delivery", "berita_acara", "pekon", "complaints"} <= set(FEATURES)
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(*CORE)
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FEATURES
    ]
    assert offending == []


def test_the_engine_imports_neither_the_database_nor_the_web() -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("routing")
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in ("flask", "sqlalchemy", "sqlmodel", "layanan", "tickets", *FEATURES)
    ]
    assert offending == []


def sop_files() -> list[tuple[str, dict]]:
    return [(p.name, yaml.safe_load(p.read_text(encoding="utf-8")))
            for p in sorted((ROOT / "routing" / "sop").glob("*.yaml"))]


def role_keys() -> dict[str, str]:
    """Every role key of every SOP file, with the file it comes from."""
    return {role["key"]: name for name, data in sop_files() for role in data["roles"]}


def sop_keys() -> dict[str, str]:
    """Every role key and working-stage key of every SOP file, with the file it comes from."""
    stages = {stage["key"]: name for name, data in sop_files() for stage in data["stages"]
              if stage.get("kind", "work") == "work"}
    return {**role_keys(), **stages}


def string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_sop_keys_are_read_from_every_file() -> None:
    keys = sop_keys()
    # Both shipped SOPs contribute, so a new SOP file is covered the same way.
    assert len(set(keys.values())) == len(list((ROOT / "routing" / "sop").glob("*.yaml"))) >= 2


def test_no_role_or_work_stage_key_is_spelled_in_python() -> None:
    keys = sop_keys()
    files = [p for p in ROOT.rglob("*.py")
             if not str(p.relative_to(ROOT)).startswith(KEYS_ALLOWED_IN)]
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {value!r} ({keys[value]})"
        for path in files
        for line, value in string_literals(path)
        if value in keys
    ]
    assert spelled == []


def test_no_role_key_is_spelled_in_templates() -> None:
    spelled = [
        f"{path.relative_to(ROOT)}: {role!r}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for role in sorted(role_keys())
        if f"'{role}'" in path.read_text(encoding="utf-8") or f'"{role}"' in path.read_text(encoding="utf-8")
    ]
    assert spelled == []
