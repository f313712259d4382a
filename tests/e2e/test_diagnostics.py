"""Logs and diagnostics: the app's rotating log file is written in its log folder and holds no
secret; About → "Copy diagnostics" puts the version, OS, WebKit, mode and queue totals on the real
X clipboard (read back with xclip) and nothing secret."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_app, run_sandbox
from sandbox_api import CREDS
from secret_scan import app_log_files, sandbox_tokens, scan_files, scan_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def diag(display, tmp_path_factory):
    """A sandbox of its own (so its tokens can be read) and the app connected to it through env
    credentials, with a known HOME."""
    if not shutil.which("xclip"):
        pytest.fail("xclip is needed (scripts/setup.sh installs it)")
    data = tmp_path_factory.mktemp("diag-sandbox-data")
    home = tmp_path_factory.mktemp("diag-home")
    sandbox = run_sandbox(data, processing_ms=300)
    served = next(sandbox)
    try:
        app_run = run_app(served, display, home, {"RUST_LOG": "debug"})
        app = next(app_run)
        try:
            yield app, served[0], data, home
        finally:
            app_run.close()
    finally:
        sandbox.close()


def secrets_of(base: str, data: Path) -> dict[str, str]:
    access, refresh = sandbox_tokens(data)
    assert access, "the sandbox has issued no access token (has the app signed in?)"
    return ({"client secret": CREDS["client_secret"], "refresh token": CREDS["refresh_token"]}
            | {f"access token {t[:8]}…": t for t in access} | {f"refresh token {t[:8]}…": t for t in refresh})


def workspace_version() -> str:
    return re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)


def test_copy_diagnostics_puts_version_and_mode_on_the_clipboard_and_no_secret(diag, display):
    app, base, data, _ = diag
    app.find("#about-button").click()
    app.wait_for("#about-dialog[open]")
    app.find("#about-diagnostics").click()
    app.wait_until(lambda: "Diagnostics copied" in app.find("#about-status").text, timeout=20,
                   what="the diagnostics to be copied")
    text = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True, timeout=10,
                          env=os.environ | {"DISPLAY": display}).stdout
    assert text.startswith(f"BeProduct Images {workspace_version()}\n"), text
    assert "\nMode: account (from environment variables)\n" in text, text
    assert re.search(r"^OS: linux ", text, re.M), text
    assert re.search(r"^WebKit: \d+\.\d+", text, re.M), text
    assert re.search(r"^Upload queue: \d+ total, ", text, re.M), text
    # Nothing secret, and nothing that names the customer or the server either.
    private = secrets_of(base, data) | {"company": CREDS["company"], "API URL": base}
    assert scan_text("clipboard", text, private) == []
    app.find("#about-close").click()
    app.wait_gone("#about-dialog[open]")


def test_the_log_file_is_written_in_the_log_folder_without_secrets(diag):
    app, base, data, home = diag
    logs = app_log_files(home / "data")
    assert [p.name for p in logs][:1] == ["beproduct-images.log"], f"no log file under {home / 'data'}: {logs}"
    text = "".join(p.read_text(errors="replace") for p in logs)
    assert "app folders" in text, "the log file does not show this run"
    assert "DEBUG" in text, "RUST_LOG=debug did not reach the log file"
    # The scan finds a planted secret, so a clean result means something.
    secrets = secrets_of(base, data)
    canary = home / "canary.log"
    canary.write_text("x" + CREDS["client_secret"])
    assert scan_files([canary], secrets) == [f"{canary}: client secret"]
    assert scan_files(logs, secrets) == []
