"""The README and docs/ as a newcomer reads them: the README stays short, every document is
listed in it and says first who it is for, and every relative link leads somewhere: to a file
that exists and, when it names an #anchor, to a heading of that file. Files only, no Django."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
README_MAX_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(text):
    """The text without code: a link written inside a code block is an example, not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped (letters of any
    script, digits, '-' and '_' kept), each space a hyphen."""
    text = heading.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    """Every anchor of a Markdown file, a repeated heading numbered as GitHub does (-1, -2)."""
    seen = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path):
    """(link, why) for each relative link of ``path`` that leads nowhere."""
    broken = []
    for target in LINK.findall(prose(path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto: and the like: not a file of this repository
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not linked.exists():
            broken.append((target, "no such file"))
        elif anchor and linked.suffix == ".md" and unquote(anchor) not in anchors(linked):
            broken.append((target, f"no heading #{anchor} in {linked.name}"))
    return broken


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(path):
    assert broken_links(path) == []


def test_the_readme_fits_on_a_few_screens():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_the_readme_points_to_every_document():
    linked = {target.partition("#")[0] for target in LINK.findall(prose(README.read_text(encoding="utf-8")))}
    assert DOCS, "docs/ holds no document"
    assert [p.name for p in DOCS if f"docs/{p.name}" not in linked] == []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_each_document_opens_with_whom_it_is_for(path):
    paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert paragraphs[0].startswith("# ")
    assert paragraphs[1].startswith("For "), f"{path.name}: the first line after the title says who it is for"


def test_the_checker_finds_a_broken_file_and_a_broken_anchor(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\n## Known heading: `code`\n", encoding="utf-8")
    page = tmp_path / "b.md"
    page.write_text(
        "[ok](a.md#known-heading-code) [gone](missing.md) [no anchor](a.md#unknown)\n"
        "```\n[example](nowhere.md)\n```\n[web](https://example.org/x.md)\n",
        encoding="utf-8",
    )
    found = {link for link, _why in broken_links(page)}
    assert found == {"missing.md", "a.md#unknown"}
