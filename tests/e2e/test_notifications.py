"""One desktop notification per upload batch: the app runs on a private D-Bus session where a mock
notification daemon (python-dbusmock's `notification_daemon` template) records every Notify call.
A batch of three (two images and one file the server's processing refuses) finishes while the
window is not focused → exactly one notification, "2 uploaded, 1 failed" (batch_notices.rs)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from conftest import app_env, choose_folder, dbus_address_of, open_app, start_driver, stop
from native_drop import xdo
from sandbox_api import create_folder, put_source, release_source
from test_upload import make_images
from webdriver import Session


def start_notification_daemon(address: str, log) -> subprocess.Popen:
    """python-dbusmock's notification daemon on the session bus at `address`, logging calls to `log`."""
    env = os.environ | {"DBUS_SESSION_BUS_ADDRESS": address}
    proc = subprocess.Popen([sys.executable, "-m", "dbusmock", "--session", "-t", "notification_daemon", "-l", str(log)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    owned = ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications"]
    for _ in range(100):  # bounded: about 10 s
        if proc.poll() is not None:
            pytest.fail("python-dbusmock's notification daemon exited (is python-dbusmock installed? tests/requirements.txt)")
        if "boolean true" in subprocess.run(owned, env=env, capture_output=True, text=True, timeout=5).stdout:
            return proc
        subprocess.run(["sleep", "0.1"])
    stop(proc)
    pytest.fail("the mock notification daemon did not claim org.freedesktop.Notifications")


def unfocus(display: str) -> None:
    """Gives the X input focus to the root window, away from the app's."""
    env = os.environ | {"DISPLAY": display}
    root = subprocess.run(["xdotool", "search", "--maxdepth", "0", "--name", ""], capture_output=True, text=True,
                          env=env, timeout=10).stdout.split()
    assert root, "no root window found"
    xdo(display, "windowfocus", root[0])


def notify_calls(log) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if " Notify " in line] if log.exists() else []


def jobs(app: Session) -> list[dict]:
    res = app.invoke("upload_jobs")
    assert "ok" in res, res
    return res["ok"]["jobs"]


def test_a_batch_finishing_unfocused_sends_one_notification(sandbox, display, artifacts, tmp_path_factory):
    base, api = sandbox
    folder_id = create_folder(base, f"Notify {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    home = tmp_path_factory.mktemp("notify-home")
    driver, url = start_driver(app_env(base, display, home), in_dbus_with_keyring=True)
    log = tmp_path_factory.mktemp("notify-log") / "notifications.log"
    daemon = start_notification_daemon(dbus_address_of(driver), log)
    session = None
    try:
        session = open_app(url)
        session.wait_for("#folders .folder[data-folder-id]", timeout=30)
        choose_folder(session, folder_id)

        tag = uuid.uuid4().hex[:6]
        files = tmp_path_factory.mktemp("notify-files")
        good = [files / f"notify-{tag}-a.png", files / f"notify-{tag}-b.png"]
        make_images(good)
        held = f"notify-{tag}-a.png"
        urls = [put_source(base, held, good[0].read_bytes(), hold=True),
                put_source(base, good[1].name, good[1].read_bytes()),
                put_source(base, f"notify-{tag}-broken.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)]

        # Focus leaves the window (to the root window) before the batch can end.
        unfocus(display)
        target = {"kind": "newImage", "folderId": folder_id}
        for u in urls:
            res = session.invoke("enqueue_url", {"url": u, "target": target})
            assert "ok" in res, res
        release_source(base, held)

        settled = lambda: sorted(j["state"]["kind"] for j in jobs(session))
        session.wait_until(lambda: settled() == ["done", "done", "failed"], timeout=60,
                           what=f"two done and one failed (now {settled()})")
        session.wait_until(lambda: len(notify_calls(log)) >= 1, timeout=15, what="a notification")
        calls = notify_calls(log)
        assert len(calls) == 1, calls
        assert "2 uploaded, 1 failed" in calls[0], calls[0]
        assert "notify-" not in calls[0], "no file names in a notification"
    finally:
        if session:
            session.quit()
        stop(daemon)
        stop(driver, group=True)
