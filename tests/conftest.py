"""Under CI a skip is a failure: nothing that ``python3 build.py test`` installs may be skipped.

A module-level ``pytest.importorskip`` lets a plain ``pytest`` stay green with whole files
unrun (a missing extra, a missing asset). Locally that is a convenience; under CI (``CI`` set to
``true``/``1``/``yes``, as CI services do) every skip, at collection or at run time, is turned
into a failure that names what was skipped and why. A skip that is legitimate there must be
listed in ``ALLOWED_SKIPS`` (node id, or the start of one, → why), so each exception is
written down once.
"""
import os

import pytest

# Node-id prefix -> why it may be skipped under CI. Empty: the test run installs everything.
ALLOWED_SKIPS: dict[str, str] = {}


def under_ci():
    """True when the environment says this is a CI run (``CI=true``, ``1`` or ``yes``)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _allowed(nodeid):
    return any(nodeid == p or nodeid.startswith(p) for p in ALLOWED_SKIPS)


def _fail_skip(report):
    """Turn a skipped report (not an xfail) into a failure, in place, under CI."""
    if not (report.skipped and under_ci()) or hasattr(report, "wasxfail") or _allowed(report.nodeid):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"skipped under CI ({reason}); install what the README's test command installs, "
                       f"or list {report.nodeid!r} in tests/conftest.py ALLOWED_SKIPS with the reason")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip(outcome.get_result())
