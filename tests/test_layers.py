"""The layering rules of docs/architecture.md, read from the source with `ast` (imports inside functions count).

- intake never imports report or outputs; report never imports intake;
- exactly one module imports python_calamine and exactly one imports docxtpl;
- a top-level module imports a wing only if it is an API module (the package, pipeline and what it is made of:
  drafts, template_calls, results, file_checks; `__main__`), and nothing else imports an API module but the
  package and its result types (so no rule is broken through one);
- the two faces, the command line (report_builder.cli) and the web desk (report_builder.web), go through one
  door: each imports only the public API (the package), its result types, the top-level base tools and its own
  modules (the command line also starts the web desk: `serve`); only `__main__` and a face import a face;
- one module writes files atomically (report_builder.atomic): no other module renames, replaces or links files;
- no import circle, at module level or inside functions;
- no module is over 400 lines.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

PACKAGE = "report_builder"
WINGS = frozenset({"intake", "report", "outputs", "compare"})
API_MODULES = frozenset({PACKAGE} | {f"{PACKAGE}.{name}" for name in (
    "pipeline", "drafts", "template_calls", "year_calls", "results", "checking", "__main__")})
FACES = (f"{PACKAGE}.cli", f"{PACKAGE}.web")
DOOR = frozenset({PACKAGE, f"{PACKAGE}.results"})  # what a face may import of the API modules
ATOMIC = f"{PACKAGE}.atomic"
RAW_FILE_MOVES = frozenset({"replace", "rename", "link"})  # os.replace, Path.rename…: a file appearing under a name
# Modules still moving files themselves (none should): the allowance can only shrink.
KNOWN_RAW_WRITERS: set[str] = {"report_builder.outputs.versions", "report_builder.web.desk"}
FORBIDDEN_WINGS = {"intake": {"report", "outputs"}, "report": {"intake"}}
ONLY_ONE_IMPORTER = ("python_calamine", "docxtpl")
MAX_LINES = 400

# Modules allowed over MAX_LINES for a while (none today); an entry no longer over the limit fails the
# test, so the allowance can only shrink.
KNOWN_OVER_400: set[str] = set()


@dataclass(frozen=True, slots=True)
class Module:
    """One .py file: its dotted name, its line count and every module it imports (absolute, dotted)."""

    name: str
    lines: int
    imports: frozenset[str]
    moves_files: bool = False  # calls os.replace / os.rename / os.link or a path's .rename / .replace / .link…


def scan(root: Path, package: str = PACKAGE) -> dict[str, Module]:
    """Every module under root/package, keyed by dotted name (a package's __init__ is the package's name)."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        is_package = path.name == "__init__.py"
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        modules[name] = Module(name, len(text.splitlines()), frozenset(_imports(tree, name, is_package, root)),
                               _moves_files(tree))
    return modules


def _imports(tree: ast.AST, name: str, is_package: bool, root: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, is_package)
            for alias in node.names:  # `from report_builder import schema` imports the module, not the package
                sub = f"{base}.{alias.name}"
                path = root.joinpath(*sub.split("."))
                is_module = path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
                found.add(sub if is_module else base)
    return found


def _moves_files(tree: ast.AST) -> bool:
    """Whether the module makes a file appear under a name itself: `os.replace(…)`, `os.link(…)`, `os.rename(…)`,
    or a path's `.rename(…)`/`.link_to(…)`/`.hardlink_to(…)` (str.replace has other arguments: two strings)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, owner = node.func.attr, node.func.value
        if isinstance(owner, ast.Name) and owner.id == "os" and attr in RAW_FILE_MOVES:
            return True
        if attr in ("rename", "hardlink_to", "link_to"):
            return True
    return False


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([node.module] if node.module else []))


def wing_of(name: str) -> str | None:
    """'intake' for report_builder.intake.checks; None for a top-level module or a foreign one."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in WINGS else None


def face_of(name: str) -> str | None:
    """'report_builder.cli' for report_builder.cli.year; None for a module of no face."""
    return next((face for face in FACES if name == face or name.startswith(face + ".")), None)


def _ours(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def _is_base_tool(name: str) -> bool:
    """A top-level module that is neither API nor a face nor a wing (schema, findings, atomic, display…)."""
    return name.count(".") == 1 and name not in API_MODULES and face_of(name) is None and wing_of(name) is None


def _face_may_import(face: str, target: str) -> bool:
    return (face_of(target) == face or target in DOOR or _is_base_tool(target)
            or (face == f"{PACKAGE}.cli" and face_of(target) == f"{PACKAGE}.web"))  # `serve` starts the desk


def violations(modules: dict[str, Module], known_over: set[str] | frozenset[str] = frozenset(),
               known_writers: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Every broken rule, one line each (empty when the tree keeps the rules)."""
    found = []
    for module in modules.values():
        wing, face = wing_of(module.name), face_of(module.name)
        for target in sorted(module.imports):
            if not _ours(target):
                continue
            if face is not None:
                if not _face_may_import(face, target):
                    found.append(f"{module.name} imports {target}: a face imports only the public API, its result "
                                 "types, the base tools and its own modules")
                continue
            if face_of(target) and module.name != f"{PACKAGE}.__main__":
                found.append(f"{module.name} imports {target}: only a face or __main__ imports a face")
            if wing_of(target) in FORBIDDEN_WINGS.get(wing or "", set()):
                found.append(f"{module.name} imports {target}: {wing} never imports {wing_of(target)}")
            if wing is None and module.name not in API_MODULES and wing_of(target):
                found.append(f"{module.name} imports {target}: only API modules import wings")
            if target in API_MODULES and module.name not in API_MODULES:
                found.append(f"{module.name} imports {target}: only API modules import API modules")
        if module.moves_files and module.name != ATOMIC and module.name not in known_writers:
            found.append(f"{module.name} moves files itself: whole-or-absent writes go through {ATOMIC}")
        if module.name in known_writers and not module.moves_files:
            found.append(f"{module.name} no longer moves files: remove it from KNOWN_RAW_WRITERS")
        over = module.lines > MAX_LINES
        if over and module.name not in known_over:
            found.append(f"{module.name} has {module.lines} lines (at most {MAX_LINES})")
        if not over and module.name in known_over:
            found.append(f"{module.name} has {module.lines} lines: remove it from KNOWN_OVER_400")
    for name in sorted(set(known_over) - set(modules)):
        found.append(f"{name} no longer exists: remove it from KNOWN_OVER_400")
    for library in ONLY_ONE_IMPORTER:
        importers = sorted(m.name for m in modules.values()
                           if any(t == library or t.startswith(library + ".") for t in m.imports))
        if len(importers) != 1:
            found.append(f"{library} is imported by {len(importers)} modules, not one: {importers}")
    found += [f"import circle: {' → '.join(circle)}" for circle in circles(modules)]
    return found


def circles(modules: dict[str, Module]) -> list[list[str]]:
    """Each import circle among our modules once (a strongly connected group of more than one module, or a module
    importing itself), as a path that closes on its first module."""
    graph = {name: sorted(t for t in m.imports if t in modules and t != name) for name, m in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm (the graph is small: recursion is fine)
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group) + [sorted(group)[0]])

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return groups


def test_the_package_keeps_the_layering_rules() -> None:
    assert violations(scan(ROOT), KNOWN_OVER_400, KNOWN_RAW_WRITERS) == []


# The checker itself, on a synthetic tree: each rule can fail.

def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    base = {
        "__init__.py": "",
        "intake/__init__.py": "",
        "intake/reader.py": "import python_calamine\n",
        "report/__init__.py": "",
        "report/render.py": "from docxtpl import DocxTemplate\n",
        "outputs/__init__.py": "",
        "compare/__init__.py": "",
        "schema.py": "",
        "pipeline.py": "from report_builder.intake import reader\nfrom report_builder.report.render import x\n",
    }
    for relative, text in (base | files).items():
        path = tmp_path / PACKAGE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return scan(tmp_path)


def test_a_clean_synthetic_tree_passes(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, {})) == []


def test_intake_importing_report_fails_even_inside_a_function(tmp_path: Path) -> None:
    code = "def f():\n    from report_builder.report import render\n"
    assert violations(_tree(tmp_path, {"intake/cells.py": code})) == [
        "report_builder.intake.cells imports report_builder.report.render: intake never imports report",
    ]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"report/merge.py": "from ..intake.reader import x\n",
                                        "outputs/pdf.py": "from . import sibling\n"}))
    assert found == ["report_builder.report.merge imports report_builder.intake.reader: report never imports intake"]


def test_intake_importing_outputs_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"intake/cells.py": "import report_builder.outputs.excel\n"}))
    assert any("intake never imports outputs" in line for line in found)


def test_a_top_level_module_importing_a_wing_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"findings.py": "from report_builder.intake.reader import RawWorkbook\n"}))
    assert found == ["report_builder.findings imports report_builder.intake.reader: only API modules import wings"]


def test_a_wing_importing_an_entry_module_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"report/merge.py": "from report_builder import pipeline\n",
                                        "outputs/pdf.py": "from report_builder import __version__\n"}))
    assert found == [
        "report_builder.outputs.pdf imports report_builder: only API modules import API modules",
        "report_builder.report.merge imports report_builder.pipeline: only API modules import API modules",
    ]


def test_a_second_calamine_or_docxtpl_importer_fails(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"compare/diff.py": "def f():\n    import python_calamine as c\n",
                                        "outputs/word.py": "from docxtpl.template import DocxTemplate\n"}))
    assert [line.split(" is imported")[0] for line in found] == ["python_calamine", "docxtpl"]


def test_a_long_module_fails_unless_known_and_a_stale_allowance_fails(tmp_path: Path) -> None:
    modules = _tree(tmp_path, {"outputs/big.py": "x = 1\n" * (MAX_LINES + 1)})
    assert violations(modules) == [f"report_builder.outputs.big has {MAX_LINES + 1} lines (at most {MAX_LINES})"]
    assert violations(modules, {"report_builder.outputs.big"}) == []
    assert violations(modules, {"report_builder.schema", "report_builder.gone"}) == [
        f"report_builder.outputs.big has {MAX_LINES + 1} lines (at most {MAX_LINES})",
        "report_builder.schema has 0 lines: remove it from KNOWN_OVER_400",
        "report_builder.gone no longer exists: remove it from KNOWN_OVER_400",
    ]


def test_each_face_goes_through_the_one_door(tmp_path: Path) -> None:
    door = "a face imports only the public API, its result types, the base tools and its own modules"
    found = violations(_tree(tmp_path, {
        "web/__init__.py": "from report_builder.web.app import create_app\n",
        "web/app.py": "import report_builder\nfrom report_builder.results import FileResult\n"
                      "from report_builder.findings import Finding\nfrom report_builder.pipeline import check_file\n"
                      "def f():\n    from report_builder.intake import reader\n",
        "cli/__init__.py": "def main():\n    from report_builder.cli import year\n",
        "cli/year.py": "import report_builder as rb\nfrom report_builder import drafts\n"
                       "from report_builder.web import app\nfrom report_builder.outputs import versions\n",
        "drafts.py": "",
        "schema.py": "from report_builder.web import app\n",
    }))
    assert sorted(found) == [
        f"report_builder.cli.year imports report_builder.drafts: {door}",
        f"report_builder.cli.year imports report_builder.outputs: {door}",
        "report_builder.schema imports report_builder.web.app: only a face or __main__ imports a face",
        f"report_builder.web.app imports report_builder.intake.reader: {door}",
        f"report_builder.web.app imports report_builder.pipeline: {door}",
    ]


def test_only_the_atomic_module_moves_files(tmp_path: Path) -> None:
    modules = _tree(tmp_path, {"atomic.py": "import os\ndef put(a, b):\n    os.link(a, b)\n",
                               "outputs/copy.py": "import os\ndef put(a, b):\n    os.replace(a, b)\n",
                               "outputs/name.py": "def tidy(path):\n    return path.name.replace('a', 'b')\n",
                               "web/store.py": "def keep(path, new):\n    path.rename(new)\n"})
    assert violations(modules) == [
        "report_builder.outputs.copy moves files itself: whole-or-absent writes go through report_builder.atomic",
        "report_builder.web.store moves files itself: whole-or-absent writes go through report_builder.atomic",
    ]
    assert violations(modules, known_writers={"report_builder.outputs.copy", "report_builder.web.store"}) == []
    assert "report_builder.outputs.name no longer moves files: remove it from KNOWN_RAW_WRITERS" in violations(
        modules, known_writers={"report_builder.outputs.name"})


def test_an_import_circle_fails_even_through_a_function(tmp_path: Path) -> None:
    found = violations(_tree(tmp_path, {"drafts.py": "from report_builder import pipeline\n",
                                        "pipeline.py": "def build():\n    from report_builder import drafts\n"}))
    assert found == ["import circle: report_builder.drafts → report_builder.pipeline → report_builder.drafts"]
