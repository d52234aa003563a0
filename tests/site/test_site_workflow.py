"""The deploy workflow tests before it deploys, and runs only pinned actions."""
import re

import pytest
import yaml

from sitecheck import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages-deploy.yml"


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def pinned(line: str) -> bool:
    """`uses: owner/action@<40 hex digits>  # vX.Y.Z`"""
    return bool(re.search(r"uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d", line))


def test_every_action_is_pinned_by_commit_with_its_tag():
    uses = [line.strip() for line in WORKFLOW.read_text(encoding="utf-8").splitlines()
            if "uses:" in line]
    assert uses, "no action in the workflow?"
    assert [line for line in uses if not pinned(line)] == []


def test_the_pin_check_rejects_a_tag():
    assert not pinned("uses: actions/checkout@v4")
    assert not pinned("uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683")
    assert pinned("uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2")


def test_the_tests_run_before_the_site_is_uploaded(workflow):
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") + step.get("uses", "") for step in steps]
    test = next(i for i, r in enumerate(runs) if re.search(r"\bmake test\b", r))
    upload = next(i for i, r in enumerate(runs) if "upload-pages-artifact" in r)
    assert test < upload
    assert workflow["jobs"]["deploy"]["needs"] == "build"
