"""Upstream files the recipe tests check against, at the versions the recipes pin (never committed here).

Zero to JupyterHub's values schema and TLJH's hook specifications are on no package registry, so the tests
read them from `$ESCALATION_UPSTREAM/<name>@<tag>/<path>` (default `../shared/upstream` beside the
repository), as listed in tools/hub/upstream_files.txt; where one is absent, the test is skipped with a
reason that says which file to place where (tools/hub/place_upstream.sh copies them out of git clones).
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIST = REPO / "tools" / "hub" / "upstream_files.txt"


def root() -> Path:
    return Path(os.environ.get("ESCALATION_UPSTREAM") or REPO.parent / "shared" / "upstream")


def pinned() -> list[tuple[str, str, str]]:
    """(repository, tag, path) for every upstream file, from tools/hub/upstream_files.txt."""
    rows = []
    for line in LIST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            repo, tag, path = line.split()
            rows.append((repo, tag, path))
    return rows


def tag_of(repo: str) -> str:
    tags = {tag for r, tag, _ in pinned() if r == repo}
    assert len(tags) == 1, f"{LIST.name} pins {repo} at {sorted(tags)}"
    return tags.pop()


def upstream_file(repo: str, path: str) -> Path:
    """The placed copy of `path` from `repo` at its pinned tag, or skip saying where to place it."""
    assert any(r == repo and p == path for r, _, p in pinned()), f"{repo} {path} is not in {LIST.name}"
    tag = tag_of(repo)
    where = root() / f"{repo.split('/')[1]}@{tag}" / path
    if not where.is_file():
        pytest.skip(f"upstream file missing: place {path} of {repo} at tag {tag} at {where} "
                    f"(tools/hub/place_upstream.sh does it from clones; or set ESCALATION_UPSTREAM)")
    return where


def load_functions(path: Path, names: set[str], namespace: dict) -> dict:
    """Run only the named top-level functions and assignments of an upstream module, in `namespace`.

    Upstream modules import their whole package (TLJH's configurer needs ruamel.yaml, a lock, the install's
    paths); the functions the tests call need none of it, so they run as written, without those imports.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    wanted = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            wanted.append(node)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) in names for t in node.targets):
            wanted.append(node)
    found = {getattr(n, "name", None) or n.targets[0].id for n in wanted}
    assert found == names, f"{path} no longer defines {sorted(names - found)}"
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


def merge_values(defaults: dict, overrides: dict) -> dict:
    """Helm's merge of --values files over a chart's values.yaml: maps merge key by key, anything else
    (lists included) is replaced, and null removes a default."""
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = value
    return merged
