"""A missing browser skips the browser tests on a laptop and fails them in CI.

These tests need no browser (no ``browser`` marker): they check the
decision made by tests/browser/conftest.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def load_browser_conftest():
    spec = importlib.util.spec_from_file_location("browser_conftest_under_test", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gating = load_browser_conftest()


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_missing_browser_fails_in_ci(value):
    with pytest.raises(pytest.fail.Exception, match="browser tests cannot run in CI: no Chromium"):
        gating.browser_unavailable("no Chromium", environ={"CI": value})


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_missing_browser_skips_locally(environ):
    with pytest.raises(pytest.skip.Exception, match="browser tests skipped: no Chromium"):
        gating.browser_unavailable("no Chromium", environ=environ)


def test_poolviz_chromium_points_at_a_browser(tmp_path):
    fake_browser = tmp_path / "my-chromium"
    fake_browser.write_text("#!/bin/sh\n")
    fake_browser.chmod(0o755)
    assert gating.find_chromium(environ={"POOLVIZ_CHROMIUM": str(fake_browser)}) == fake_browser


def test_a_non_executable_file_is_not_a_browser(tmp_path, monkeypatch):
    not_a_browser = tmp_path / "chromium"
    not_a_browser.write_text("")
    monkeypatch.setattr(gating, "DEFAULT_CHROMIUM", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    assert gating.find_chromium(environ={"POOLVIZ_CHROMIUM": str(not_a_browser)}) is None
