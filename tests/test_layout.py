"""The code's layout: imports run one way along the data's way, and nothing in the product
imports a demo generator. Read from the source with ``ast``: no database, no Django."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: a step may import the steps before it, never one after it. Faces over the
# same steps that stand side by side share a level (a tuple) and neither imports the other:
# the dashboards' pages and the JSON API each read the roll-ups and write through the
# reporting services. The written report (documents) and the tree's changes (restructuring)
# sit above the dashboards: the one drafts the dashboard's own figures with its scope and
# wording, the other previews a change with the dashboard's figures.
STEPS = [
    "unionplan.numbers",
    "branches",
    "targets.resolution",
    "targets.reporting",
    "targets.rollup",
    "targets.reminders",
    ("targets.dashboards", "targets.api"),
    ("targets.documents", "targets.restructuring"),
]
# The wiring on top may import any step.
WIRING = [
    "targets.admin",
    "targets.urls",
    "targets.apps",
    "targets.models",
    "targets.templatetags",
    "targets.management",
]
GENERATORS = [
    "targets.management.demo",
    "targets.management.demo_allocations",
    "targets.management.demo_texts",
    "targets.management.demo2025",
    "targets.management.scale",
    "targets.management.bulk_load",
    "branches.management.demo",
]


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path):
    """Every module ``path`` imports, at any depth in the file, with relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def product_modules():
    for top in ("branches", "targets", "unionplan"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield module_name(path), path


def within(module, prefix):
    return module == prefix or module.startswith(prefix + ".")


def packages_of(step):
    return step if isinstance(step, tuple) else (step,)


def package_of(module):
    """The step's package ``module`` lies in (None outside the steps)."""
    for step in STEPS:
        for package in packages_of(step):
            if within(module, package):
                return package
    return None


def step_of(module):
    for rank, step in enumerate(STEPS):
        if any(within(module, package) for package in packages_of(step)):
            return rank
    return None


def test_imports_run_one_way_along_the_data_s_way():
    wrong = []
    for name, path in product_modules():
        if any(within(name, w) for w in WIRING):
            continue
        rank = step_of(name)
        if rank is None:
            continue
        for imported in imports_of(path):
            other = step_of(imported)
            if other is not None and other > rank:
                wrong.append(f"{name} imports {imported}")
            elif other == rank and package_of(imported) != package_of(name):
                wrong.append(f"{name} imports its sibling {imported}")
            if any(within(imported, w) for w in WIRING) and not within(imported, name):
                wrong.append(f"{name} imports the wiring {imported}")
    assert wrong == []


def test_the_modules_at_the_bottom_import_no_app():
    """Numbers and the clock serve every step, so they import none."""
    for name in ("numbers", "clock"):
        path = ROOT / "unionplan" / f"{name}.py"
        assert not [m for m in imports_of(path) if within(m, "branches") or within(m, "targets")], name


def test_nothing_in_the_product_imports_a_demo_generator():
    wrong = []
    for name, path in product_modules():
        if within(name, "targets.management") or within(name, "branches.management"):
            continue
        wrong += [f"{name} imports {m}" for m in imports_of(path) if any(within(m, g) for g in GENERATORS)]
    assert wrong == []


def test_no_import_cycles():
    graph = {}
    names = {name for name, _ in product_modules()}
    for name, path in product_modules():
        graph[name] = {m for m in imports_of(path) if m in names and m != name and not name.startswith(m + ".")}
    done, on_path, cycles = set(), [], []

    def visit(node):
        if node in on_path:
            cycles.append(on_path[on_path.index(node) :] + [node])
            return
        if node in done:
            return
        on_path.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        on_path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
    assert cycles == []


def test_every_step_says_what_it_owns():
    for step in STEPS[2:]:
        for package in packages_of(step):
            init = ROOT / Path(*package.split(".")) / "__init__.py"
            docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert docstring and len(docstring) > 80, package


def test_the_api_is_checked_at_the_dashboards_level():
    """The API's modules are walked by the check, at the dashboards' step beside them."""
    names = [name for name, _path in product_modules() if within(name, "targets.api")]
    assert "targets.api.views" in names
    assert step_of("targets.api.views") == step_of("targets.dashboards.views")


def test_a_deliberate_upward_import_is_caught(tmp_path, monkeypatch):
    """The check itself can fail: a rollup module importing the dashboards is reported."""
    fake = ROOT / "targets" / "rollup" / "_layout_probe.py"
    monkeypatch.setattr(
        "tests.test_layout.product_modules",
        lambda: iter([("targets.rollup._layout_probe", fake)]),
    )
    monkeypatch.setattr(
        "tests.test_layout.imports_of",
        lambda path: {"targets.dashboards.tables"},
    )
    try:
        test_imports_run_one_way_along_the_data_s_way()
    except AssertionError:
        return
    raise AssertionError("an upward import went unnoticed")


# Inside reporting, the rooms run one way too: the running totals (ledger/) follow the
# reports' models only; the workflow (services, views, inbox…) uses the ledger; the Excel
# bulk entry (excel/) sits on top and uses both. Nothing below imports a room above it.
REPORTING_ROOMS = ["targets.reporting.ledger", "targets.reporting", "targets.reporting.excel"]


def reporting_room_of(module):
    if within(module, "targets.reporting.models"):
        return -1  # the reports themselves: every room stands on them
    for rank in (2, 0, 1):  # the most specific prefix first
        if within(module, REPORTING_ROOMS[rank]):
            return rank
    return None


def reporting_room_violations(modules):
    wrong = []
    for name, path in modules:
        rank = reporting_room_of(name)
        if rank is None or rank < 0:
            continue
        for imported in imports_of(path):
            other = reporting_room_of(imported)
            if other is not None and other > rank:
                wrong.append(f"{name} imports {imported}")
    return wrong


def test_reporting_rooms_import_one_way():
    assert reporting_room_violations(product_modules()) == []


def test_an_upward_import_between_reporting_rooms_is_caught(monkeypatch):
    """The check itself can fail: a ledger module importing the Excel import is reported."""
    monkeypatch.setattr("tests.test_layout.imports_of", lambda path: {"targets.reporting.excel.importing"})
    fake = ROOT / "targets" / "reporting" / "ledger" / "_layout_probe.py"
    assert reporting_room_violations([("targets.reporting.ledger._layout_probe", fake)]) == [
        "targets.reporting.ledger._layout_probe imports targets.reporting.excel.importing"
    ]


def test_the_written_report_sits_above_the_dashboards(monkeypatch):
    """targets.documents is above the dashboards: it may read the rollup and the
    dashboards' shared pieces, and no lower step may import it."""
    assert step_of("targets.documents.report") > step_of("targets.dashboards.views")
    assert step_of("targets.documents.report") > step_of("targets.rollup.progress")
    fake = ROOT / "targets" / "rollup" / "_layout_probe.py"
    monkeypatch.setattr("tests.test_layout.product_modules", lambda: iter([("targets.rollup._layout_probe", fake)]))
    monkeypatch.setattr("tests.test_layout.imports_of", lambda path: {"targets.documents.report"})
    try:
        test_imports_run_one_way_along_the_data_s_way()
    except AssertionError:
        return
    raise AssertionError("an import of the documents from the rollup went unnoticed")


def test_a_face_importing_its_sibling_is_caught(monkeypatch):
    """The API importing the dashboards (or the reverse) is reported: faces stand side by side."""
    fake = ROOT / "targets" / "api" / "_layout_probe.py"
    monkeypatch.setattr("tests.test_layout.product_modules", lambda: iter([("targets.api._layout_probe", fake)]))
    monkeypatch.setattr("tests.test_layout.imports_of", lambda path: {"targets.dashboards.mixins"})
    try:
        test_imports_run_one_way_along_the_data_s_way()
    except AssertionError:
        return
    raise AssertionError("an import between the faces went unnoticed")
