"""Window state survives a restart: the window is resized and moved with xdotool (as a window
manager would), the app is quit, and a new start with the same HOME puts it back at the same size
and position (window_state.rs; settings.json `window`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import app_env, open_app, start_driver, stop
from processes import app_processes

TITLE = "^BeProduct Images$"


def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], check=True, timeout=10, capture_output=True, text=True,
                          env=os.environ | {"DISPLAY": display}).stdout


def app_window(display: str, pid: int) -> str:
    """The X window of the app process `pid` (xdotool's --sync waits for it; the timeout bounds it)."""
    return xdotool(display, "search", "--sync", "--onlyvisible", "--pid", str(pid), "--name", TITLE).split()[0]


def geometry(display: str, window: str) -> tuple[int, int, int, int]:
    values = dict(line.split("=", 1) for line in xdotool(display, "getwindowgeometry", "--shell", window).split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def start(base: str, display: str, home: Path):
    """The app with `home`; returns (driver, session, its X window)."""
    driver, url = start_driver(app_env(base, display, home))
    session = open_app(url)
    session.wait_for("#folders .folder", timeout=30)
    pids = app_processes(driver)
    assert len(pids) == 1, pids
    return driver, session, app_window(display, pids[0])


def test_size_and_position_survive_a_restart(sandbox, display, artifacts, tmp_path_factory):
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is needed (Debian package xdotool)")
    base, _ = sandbox
    root = tmp_path_factory.mktemp("window-state-home")
    settings = root / "config" / "com.beproduct.images" / "settings.json"
    saved = lambda: json.loads(settings.read_text()).get("window") if settings.exists() else None
    wanted = (130, 60, 1000, 660)

    driver, session, window = start(base, display, root)
    try:
        xdotool(display, "windowsize", window, str(wanted[2]), str(wanted[3]))
        xdotool(display, "windowmove", window, str(wanted[0]), str(wanted[1]))
        session.wait_until(lambda: geometry(display, window) == wanted, timeout=10,
                           what=f"the window to be moved and resized (now {geometry(display, window)})")
        try:
            session.wait_until(lambda: (saved() or {}).get("x") == wanted[0] and (saved() or {}).get("width") == wanted[2],
                               timeout=30, what="the new state in settings.json")
        except TimeoutError:
            pytest.fail(f"settings.json holds {saved()} after 30 s; the window is at {geometry(display, window)}")
        assert saved() == {"width": wanted[2], "height": wanted[3], "x": wanted[0], "y": wanted[1], "maximized": False}
    finally:
        session.quit()
        stop(driver, group=True)

    driver, session, window = start(base, display, root)
    try:
        session.wait_until(lambda: geometry(display, window) == wanted, timeout=15,
                           what=f"the window back at {wanted} (now {geometry(display, window)})")
    finally:
        session.quit()
        stop(driver, group=True)
