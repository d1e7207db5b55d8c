"""The package's layout (issue 24): the embedded models' code in ``stepcache.embedded``, one module per command,
and no import circle anywhere in the package -- counting every import, also those inside functions."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "stepcache"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the stepcache modules it imports (anywhere in its file), resolved to modules that exist."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "models" not in p.relative_to(PACKAGE).parts}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                bases = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                # `from pkg import module` imports pkg.module; `from module import name` imports module
                bases = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            for b in bases:
                while b and b not in files:
                    b = b.rpartition(".")[0]
                if b.startswith("stepcache") and b != name:
                    targets.add(b)
        graph[name] = targets
    return graph


def _cycle(graph):
    """One import circle as a list of modules, or None. A package's ``__init__`` importing its own submodules is
    not a circle (they are loaded through it), so edges from a package to its children are left out."""
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(edges):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_circle():
    graph = import_graph()
    assert "stepcache.commands.cli" in graph and "stepcache.embedded.sampling" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_circle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_library_does_not_import_the_embedded_models_or_commands():
    """What a library user imports (api, core, families, calibration, planning, official) stands without the
    embedded models' code and the command line."""
    graph = import_graph()
    library = [m for m in graph if not m.startswith(("stepcache.embedded", "stepcache.commands", "stepcache.jobs"))
               and m not in ("stepcache.__main__",)]
    for m in library:
        bad = {t for t in graph[m] if t.startswith(("stepcache.embedded", "stepcache.commands"))}
        assert not bad, f"{m} imports {sorted(bad)}"


@pytest.mark.parametrize("command", ["demo", "bench", "analyze", "calibrate", "generate", "plan", "ui"])
def test_one_module_per_command(command):
    from stepcache.commands import cli

    module = cli.COMMANDS[command]
    assert module.__name__ == f"stepcache.commands.{command}"
    assert callable(module.add_parser) and callable(module.prepare)


def test_cli_only_dispatches():
    """cli.py adds no command's arguments (only --version and --debug): those live in the command's module."""
    source = (PACKAGE / "commands" / "cli.py").read_text()
    assert source.count("add_argument(") == 3 and source.count('add_argument("--debug"') == 2
