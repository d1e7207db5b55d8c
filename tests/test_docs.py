"""The README and docs/ link only to files that exist.

For README.md and every docs/**/*.md: every relative markdown link target (``[text](path)``,
``[text](path#anchor)``, ``![alt](path)``, ``[ref]: path``) must exist on disk relative to the file that contains it.
Links to http(s):, mailto: and pure ``#anchors`` are skipped, and so are links inside code (fenced blocks and inline
code spans). A ``#anchor`` into a markdown file must name one of its headings (GitHub's heading ids). Links into
``src/stepcache/`` must use the package's current layout, not the old one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target) or ![alt](target), target optionally in <...> and optionally followed by a "title"
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
SKIP = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)

# the layout before the embedded models and the commands moved (issue 24): links must not point there
OLD_DIRS = ["src/stepcache/models"]
OLD_FILES = [*(f"src/stepcache/{name}.py" for name in ("mnist", "emoji", "pipeline", "sampling", "evaluation",
                                                      "emoji_eval")),
             "src/stepcache/commands/demo_emoji.py"]


def outside_fences(text: str):
    """(line number, line) of the lines outside fenced code blocks."""
    fenced = None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if match:
            if fenced is None:
                fenced = match.group(1)
            elif match.group(1) == fenced:
                fenced = None
            continue
        if fenced is None:
            yield number, line


def prose_lines(text: str):
    """(line number, line) outside fenced code blocks, inline code spans blanked out."""
    for number, line in outside_fences(text):
        yield number, CODE_SPAN.sub(lambda m: "code", line)


def links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every relative link in a markdown file."""
    found = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        targets = [m.group(1) for m in INLINE.finditer(line)]
        ref = REFERENCE.match(line)
        if ref:
            targets.append(ref.group(1))
        for target in targets:
            target = target[1:-1] if target.startswith("<") and target.endswith(">") else target
            if target and not SKIP.match(target):
                found.append((number, target))
    return found


def split(target: str) -> tuple[str, str]:
    """(path, anchor) of a link target; the query string, if any, is dropped."""
    path, _, anchor = target.partition("#")
    return path.split("?", 1)[0], anchor


def resolve(doc: Path, path: str) -> Path:
    return (ROOT / path.lstrip("/")) if path.startswith("/") else (doc.parent / path)


def slug(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading counts by its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    ids = set()
    for _, line in outside_fences(path.read_text(encoding="utf-8")):
        match = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            ids.add(base if n == 0 else f"{base}-{n}")
        ids.update(re.findall(r"<a\s+(?:name|id)=\"([^\"]+)\"", line))
    return ids


def test_docs_found():
    assert (ROOT / "README.md").is_file()
    assert len(DOCS) > 1, "no markdown files under docs/"
    assert links(ROOT / "README.md"), "the README links to nothing: is the link pattern broken?"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_exist(doc: Path):
    missing = [f"{doc.relative_to(ROOT)}:{number}: {target}" for number, target in links(doc)
               if split(target)[0] and not resolve(doc, split(target)[0]).exists()]
    assert not missing, "links to files that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_anchors_exist(doc: Path):
    bad = []
    for number, target in links(doc):
        path, anchor = split(target)
        file = resolve(doc, path) if path else doc
        if anchor and file.suffix == ".md" and file.is_file() and anchor not in anchors(file):
            bad.append(f"{doc.relative_to(ROOT)}:{number}: {target}")
    # pure #anchors into the same file
    text = doc.read_text(encoding="utf-8")
    for number, line in prose_lines(text):
        for match in INLINE.finditer(line):
            target = match.group(1)
            if target.startswith("#") and target[1:] not in anchors(doc):
                bad.append(f"{doc.relative_to(ROOT)}:{number}: {target}")
    assert not bad, "links to headings that do not exist:\n" + "\n".join(bad)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_use_the_new_layout(doc: Path):
    old = []
    for number, target in links(doc):
        try:
            rel = resolve(doc, split(target)[0]).resolve().relative_to(ROOT).as_posix()
        except ValueError:  # outside the repository
            continue
        if rel in OLD_FILES or any(rel == d or rel.startswith(d + "/") for d in OLD_DIRS):
            old.append(f"{doc.relative_to(ROOT)}:{number}: {target}")
    assert not old, "links to the old source layout (see the 'How it works' table in docs/guide.md):\n" + "\n".join(old)
