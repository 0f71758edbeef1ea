#!/usr/bin/env python3
"""Fails when a page of the workspace's rustdoc shows an intra-doc link as text.

rustdoc renders a link it resolved but cannot place (a crate whose pages it did not find) as the
literal `[name]`, with no warning. Reads the pages of the workspace's crates under the doc
directory given (default target/doc): the prose of their own docs (`docblock` divisions and the
summaries of index pages), without code, so `[u8]` in an example is not taken for a link. The
docs of traits from other crates' blanket impls (rendered with single-quoted classes) are not
this workspace's and are skipped.
"""
import pathlib
import re
import sys

CRATES = [
    "cognito_flows",
    "cognito_flows_async",
    "cognito_flows_ureq",
    "cognito_flows_axum",
    "cognito_flows_emulator",
    "cognito_flows_testkit",
    "cognito_flows_bench",
    "cognito_flows_python",
    "cognito",
    "cognito_emulator",
]
PROSE = re.compile(r'<div class="docblock">(.*?)</div>|<dd>(.*?)</dd>', re.S)
PRE = re.compile(r"<pre.*?</pre>", re.S)
CODE_LINK = re.compile(r"\[<code>([^<]*)</code>\]")
CODE = re.compile(r"<code>.*?</code>", re.S)
TEXT_LINK = re.compile(r"\[([A-Za-z][A-Za-z0-9_:]*)\](?!\()")


def literal_links(page: str) -> list[str]:
    found = []
    for match in PROSE.finditer(page):
        prose = PRE.sub("", match.group(1) or match.group(2) or "")
        found += [f"[`{m}`]" for m in CODE_LINK.findall(prose)]
        found += [f"[{m}]" for m in TEXT_LINK.findall(CODE.sub("", prose))]
    return found


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/doc")
    crates = [root / c for c in CRATES if (root / c).is_dir()]
    if not crates:
        print(f"docs-links: no crate pages under {root}", file=sys.stderr)
        return 1
    bad = 0
    for crate in crates:
        for page in sorted(crate.rglob("*.html")):
            for link in sorted(set(literal_links(page.read_text(errors="replace")))):
                print(f"{page.relative_to(root)}: {link} is text, not a link")
                bad += 1
    if bad:
        print(f"docs-links: {bad} intra-doc links rendered as text", file=sys.stderr)
        return 1
    print(f"docs-links: every intra-doc link of {len(crates)} crates is a link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
