"""Accessibility checks with axe-core (the npm package that `./scripts/setup.sh --test` installs),
run inside the page that a Playwright test has open."""

from pathlib import Path

import pytest

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Runs in the page: only what a failure message needs crosses back to Python.
RUN_AXE = """async (impacts) => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((violation) => impacts.includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      help_url: violation.helpUrl,
      targets: violation.nodes.map((node) => node.target.flat().join(" ")),
    }));
}"""


def axe_violations(page, impacts=("serious", "critical")):
    """The axe-core violations of these impacts on the page as it is now: dicts with the rule's
    `id`, `impact`, `help` and `help_url`, and the CSS selectors (`targets`) of the elements at fault."""
    if not AXE_SOURCE.is_file():
        pytest.fail(
            f"{AXE_SOURCE} is missing: run ./scripts/setup.sh --test to install the npm packages.",
            pytrace=False,
        )
    # The site's Content-Security-Policy refuses inline scripts without its nonce, so a <script>
    # holding axe's source would never run. Playwright's evaluation goes through the DevTools
    # protocol, which the page's policy does not govern.
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    if not page.evaluate("() => typeof axe === 'object' && axe.version"):
        pytest.fail(f"axe-core was not defined in the page {page.url} after injecting it.", pytrace=False)
    return page.evaluate(RUN_AXE, list(impacts))


def format_violations(violations, where):
    """A readable assertion message: each rule broken on the page `where`, with its elements."""
    lines = [f"{len(violations)} accessibility rule(s) broken on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['help_url']}")
        lines.extend(f"    {target}" for target in violation["targets"])
    return "\n".join(lines)
