"""moto's own Cognito test suite (tests/test_cognitoidp of moto's source release) in moto's server
mode (TEST_SERVER_MODE=true), against the emulator scripts/test-clients started, as a suite
written for moto runs against it with only the endpoint changed.

Every test must pass but those listed in moto_expected_failures.txt, which assert moto's behaviour
rather than Cognito's (each under the reason it is listed for). A listed test must fail (strict:
one that passes must be taken off the list), and every listed name must be a test of the suite,
so the list can only shrink."""

import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SUITE = Path(sys.prefix) / "tests"
EXPECTED = HERE / "moto_expected_failures.txt"


def expected_failures():
    """{test id: reason}: each `# reason:` line names the reason of the test ids below it."""
    reasons, reason = {}, None
    for number, line in enumerate(EXPECTED.read_text().splitlines(), start=1):
        line = line.strip()
        if line.startswith("# reason:"):
            reason = line.removeprefix("# reason:").strip()
        elif line and not line.startswith("#"):
            if reason is None:
                raise SystemExit(f"{EXPECTED.name}:{number}: {line} has no reason above it")
            if line in reasons:
                raise SystemExit(f"{EXPECTED.name}:{number}: {line} is listed twice")
            reasons[line] = reason
    return reasons


class ExpectedFailures:
    """Marks the listed tests as strict expected failures, and checks that each one exists."""

    def __init__(self, reasons):
        self.reasons = reasons
        self.seen = set()

    def pytest_collection_modifyitems(self, items):
        for item in items:
            # "test_cognitoidp.py::test_name[param]" or "...::TestClass::test_name"
            key = item.nodeid.split("test_cognitoidp/", 1)[-1]
            reason = self.reasons.get(key)
            if reason is not None:
                self.seen.add(key)
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))

    def pytest_sessionfinish(self, session):
        unknown = sorted(set(self.reasons) - self.seen)
        if unknown:
            print(f"\n{EXPECTED.name} lists tests the suite does not have: {unknown}")
            session.exitstatus = 1


def main():
    info = json.loads(os.environ["COGNITO_EMULATOR_INFO"])
    os.environ.update(
        {
            "TEST_SERVER_MODE": "true",
            "TEST_SERVER_MODE_ENDPOINT": info["endpoint"].rstrip("/"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": info["region"],
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    if not (SUITE / "test_cognitoidp").is_dir():
        raise SystemExit(f"{SUITE} has no test_cognitoidp: run scripts/setup-peers.sh")
    plugin = ExpectedFailures(expected_failures())
    status = pytest.main(
        [str(SUITE / "test_cognitoidp"), "-q", "-p", "no:cacheprovider", "-rfEX", "--tb=short", "-W", "ignore::pytest.PytestUnknownMarkWarning"],
        plugins=[plugin],
    )
    if status == 0 and plugin.reasons:
        print(f"moto's suite: passed but for the {len(plugin.reasons)} listed moto-specific tests")
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
