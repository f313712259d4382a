"""The updater end to end against a local HTTP server: a key pair generated here with the pinned
Tauri CLI signs a "newer build"; the app (told the server and the key through BP_UPDATE_ENDPOINT
and BP_UPDATE_PUBKEY, honoured only for http://127.0.0.1) offers it at start and in About, downloads
it and verifies the signature; a tampered archive and an unsigned one are refused with a clear
message. Installing is not exercised: the app under test is the debug binary, not an AppImage or a
.deb, and installing would replace it (see docs/SECURITY.md, "Updates")."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_app

ROOT = Path(__file__).resolve().parents[2]
TAURI = ROOT / "node_modules" / ".bin" / "tauri"
NEWER = "9.9.9"
NOTES = "Faster uploads and a new look for the tray."


class UpdateServer:
    """Serves latest.json and the archive; what it serves can be changed between tests."""

    def __init__(self, archive: bytes, signature: str):
        self.archive, self.signature, self.requests = archive, signature, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                if self.path.startswith("/latest.json"):
                    body = json.dumps(server.manifest()).encode()
                    kind = "application/json"
                elif self.path == "/newer.AppImage.tar.gz":
                    body, kind = server.archive, "application/octet-stream"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def manifest(self) -> dict:
        return {"version": NEWER, "notes": NOTES, "pub_date": "2026-12-01T12:00:00Z",
                "platforms": {"linux-x86_64": {"signature": self.signature, "url": f"{self.base}/newer.AppImage.tar.gz"}}}


def tauri_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    res = subprocess.run([str(TAURI), *args], capture_output=True, text=True, timeout=120,
                         env=os.environ | (env or {}) | {"CI": "true"})
    assert res.returncode == 0, f"tauri {' '.join(args[:2])} failed: {res.stderr[-800:]}"
    return res


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A fresh key pair (password-protected) and a "newer build" signed with it for NEWER."""
    if not TAURI.exists():
        pytest.fail("node_modules/.bin/tauri is missing: run npm ci (scripts/setup.sh)")
    work = tmp_path_factory.mktemp("updater")
    key, password = work / "test.key", "e2e-password"
    tauri_cli("signer", "generate", "--ci", "-p", password, "-w", str(key), "-f")
    archive = work / "newer.AppImage.tar.gz"
    archive.write_bytes(os.urandom(256 * 1024))
    tauri_cli("signer", "sign", "-f", str(key), "--app-version", NEWER, str(archive),
              env={"TAURI_SIGNING_PRIVATE_KEY_PASSWORD": password})
    signature = Path(f"{archive}.sig").read_text().strip()
    return key.with_suffix(".key.pub").read_text().strip(), archive.read_bytes(), signature


@pytest.fixture(scope="module")
def updater_app(signed, sandbox, display, tmp_path_factory):
    pubkey, archive, signature = signed
    server = UpdateServer(archive, signature)
    env = {"BP_UPDATE_ENDPOINT": f"{server.base}/latest.json", "BP_UPDATE_PUBKEY": pubkey}
    app_run = run_app(sandbox, display, tmp_path_factory.mktemp("updater-home"), env)
    app = next(app_run)
    try:
        yield app, server
    finally:
        app_run.close()
        server.httpd.shutdown()


def check_in_about(app) -> None:
    if not app.exists("#about-dialog[open]"):
        app.find("#about-button").click()
        app.wait_for("#about-dialog[open]")
    app.find("#update-check").click()
    app.wait_until(lambda: f"Version {NEWER} is available" in app.find("#update-status").text, timeout=30,
                   what="the update to be offered")
    assert app.find("#update-notes").text == NOTES


def test_the_update_is_offered_at_start_downloaded_and_verified(updater_app, signed):
    app, server = updater_app
    # The check at start-up says so without opening anything.
    app.wait_until(lambda: f"Version {NEWER} is available" in app.find("#toast").text, timeout=30,
                   what="the start-up check's toast")
    check_in_about(app)
    app.find("#update-download").click()
    app.wait_until(lambda: "signature verified" in app.find("#update-status").text
                   or "refused" in app.find("#update-status").text, timeout=60, what="the download to end")
    assert f"Version {NEWER} is downloaded and its signature verified" in app.find("#update-status").text
    assert app.find("#update-install").prop("hidden") is False, "Restart to install is not offered"
    assert "/newer.AppImage.tar.gz" in server.requests


@pytest.mark.parametrize("how", ["tampered", "unsigned"])
def test_a_tampered_or_unsigned_update_is_refused(updater_app, signed, how):
    app, server = updater_app
    _, archive, signature = signed
    if how == "tampered":
        server.archive = archive[:1000] + bytes([archive[1000] ^ 0xFF]) + archive[1001:]
    else:
        server.signature = ""
    try:
        check_in_about(app)
        before = server.requests.count("/newer.AppImage.tar.gz")
        app.find("#update-download").click()
        app.wait_until(lambda: "refused" in app.find("#update-status").text
                       or "verified" in app.find("#update-status").text, timeout=60, what="the download to end")
        text = app.find("#update-status").text
        assert f"The download of version {NEWER} was refused" in text and "Nothing was installed" in text, text
        assert app.find("#update-install").prop("hidden") is True, "a refused update is offered for install"
        if how == "tampered":
            assert server.requests.count("/newer.AppImage.tar.gz") == before + 1
    finally:
        server.archive, server.signature = archive, signature
