"""axe-core in a playwright page: one call audits what a selector holds.

``audit(page, "#root")`` injects axe-core (the copy bundled by the
axe-playwright-python package, so nothing is fetched at run time), runs it
on the elements matching the selector, and returns the serious and critical
violations as :class:`Violation` objects; ``report(violations)`` words them
for an assertion message. Used by tests/browser/test_accessibility.py; the
lecture deck can be audited with the same call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SEVERE = ("serious", "critical")


def axe_source() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple  #: CSS selectors of the offending nodes
    html: tuple  #: their opening HTML, shortened

    def __str__(self) -> str:
        nodes = "\n".join(f"    {target}: {html}" for target, html in zip(self.targets, self.html))
        return f"{self.rule} ({self.impact}, {len(self.targets)} nodes): {self.help}\n{nodes}"


def audit(page, selector: str = "body", impacts=SEVERE) -> list[Violation]:
    """The violations of `impacts` that axe-core finds in the elements matching `selector`.

    Every element matching `selector` is audited (``include`` of all of them); none
    matching is an error, so a wrong selector cannot pass by auditing nothing.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_source()))
    found = page.evaluate("""async ([selector, impacts]) => {
        const nodes = document.querySelectorAll(selector);
        if (!nodes.length) return null;
        const result = await axe.run(nodes, {resultTypes: ['violations']});
        return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
            rule: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' ')), html: v.nodes.map(n => n.html.slice(0, 160))}));
    }""", [selector, list(impacts)])
    if found is None:
        raise AssertionError(f"axe: nothing matches {selector!r} to audit")
    return [Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"]), tuple(v["html"])) for v in found]


def counts(violations) -> Counter:
    """Offending nodes per rule."""
    return Counter({v.rule: len(v.targets) for v in violations})


def report(violations, where: str = "") -> str:
    """The violations as text for an assertion message."""
    total = sum(len(v.targets) for v in violations)
    return f"axe-core{' on ' + where if where else ''}: {total} serious/critical nodes\n" + "\n".join(
        str(v) for v in violations)
