"""The weekly link check opens one issue when links break, updates it, and closes it when all pass."""

from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import ROOT

BROKEN = "# External link check\n\n**Result: 3 URL(s) definitely broken.** They fail the check.\n"
CLEAN = "# External link check\n\n**Result: nothing definitely broken.**\n"


def dry_run(tmp_path, report: str, *extra: str) -> list[str]:
    path = tmp_path / "linkcheck-report.md"
    path.write_text(report, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "explainer", "link-issue", str(path), "--dry-run", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return [ln for ln in out.stdout.splitlines() if ln.startswith("gh ")]


def test_broken_links_open_one_issue_then_update_it(tmp_path):
    first = dry_run(tmp_path, BROKEN)
    assert any(c.startswith("gh issue create") and "--label link-rot" in c for c in first), first
    later = dry_run(tmp_path, BROKEN, "--existing", "7")
    assert any(c.startswith("gh issue edit 7 --body-file") for c in later), later
    assert not any("issue create" in c for c in later), "a second run must not open a second issue"


def test_a_clean_run_closes_the_issue_and_otherwise_does_nothing(tmp_path):
    assert any(c.startswith("gh issue close 7") for c in dry_run(tmp_path, CLEAN, "--existing", "7"))
    assert dry_run(tmp_path, CLEAN) == []


def test_the_weekly_workflow_runs_the_step_and_may_write_issues():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "linkcheck.yml").read_text(encoding="utf-8"))
    assert flow["permissions"].get("issues") == "write"
    steps = [s.get("run", "") for s in flow["jobs"]["linkcheck"]["steps"]]
    assert any("explainer link-issue linkcheck-report.md" in s for s in steps)
    triggers = flow.get("on") or flow.get(True)
    assert "pull_request" not in triggers, "the link check is never a pull-request gate"
