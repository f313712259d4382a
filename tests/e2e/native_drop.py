"""Handing files to the app the way a user does. The page cannot name paths (docs/SECURITY.md:
only files the backend received from a native drop or the file dialog can be queued), so tests
use a REAL X11 drag-and-drop: a GTK drag source (dnd_source.py, run with the system python) is
dragged with xdotool onto an element of the app's window."""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

import pytest

from conftest import stop
from webdriver import Session

SYSTEM_PY = "/usr/bin/python3"
DND_SOURCE = Path(__file__).with_name("dnd_source.py")
SOURCE_XY = (1130, 720)   # the drag source sits bottom-right, away from the sidebar and grid


def screen_center(app: Session, css: str) -> tuple[int, int]:
    """Screen pixel of an element's centre: window origin + page offset + rect (× device pixel ratio)."""
    x, y = app.execute(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "const s = window.devicePixelRatio || 1;"
        "const top = window.outerHeight - window.innerHeight;"
        "return [Math.round((window.screenX + r.left + r.width / 2) * s),"
        "        Math.round((window.screenY + top + r.top + r.height / 2) * s)];", css)
    return int(x), int(y)


class DragSource:
    def __init__(self, files: list[Path], display: str):
        self.proc = subprocess.Popen([SYSTEM_PY, str(DND_SOURCE), str(SOURCE_XY[0]), str(SOURCE_XY[1]), *map(str, files)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ | {"DISPLAY": display})
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            stop(self.proc)
            pytest.fail(f"drag source did not start: {line!r} {self.proc.stderr.read()!r}")
        _, w, h = line.split()
        self.center = (SOURCE_XY[0] + int(w) // 2, SOURCE_XY[1] + int(h) // 2)

    def wait_for(self, word: str, timeout: float = 10.0) -> None:
        """Waits until the source prints a line starting with `word`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = self.proc.stdout.readline()
            if line.startswith(word):
                return
            if not line:
                pytest.fail(f"the drag source exited before {word!r}: {self.proc.stderr.read()!r}")
        pytest.fail(f"the drag source did not report {word!r} within {timeout} s")

    def close(self) -> None:
        stop(self.proc)


def xdo(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10, env=os.environ | {"DISPLAY": display})


def os_drag(app: Session, display: str, files: list[Path], target_css: str) -> None:
    """Drags `files` from the GTK source onto the element `target_css` with real pointer events,
    checking on the way that the app highlights that element as the drop target."""
    tx, ty = screen_center(app, target_css)
    source = DragSource(files, display)
    try:
        sx, sy = source.center
        xdo(display, "mousemove", str(sx), str(sy))
        time.sleep(0.3)
        xdo(display, "mousedown", "1")
        # The pauses pace the gesture like a hand (GTK starts a drag from motion over time); they
        # wait for nothing. What follows the drag is waited for by condition.
        for i in range(1, 11):  # first steps start the drag (GTK threshold), the rest travel
            xdo(display, "mousemove", str(int(sx + (tx - sx) * i / 10)), str(int(sy + (ty - sy) * i / 10)))
            time.sleep(0.15)
        xdo(display, "mousemove", str(tx + 1), str(ty))
        app.wait_until(lambda: app.execute("return document.querySelector(arguments[0]).classList.contains('drop-target')", target_css),
                       timeout=5, what=f"{target_css} to be highlighted as the drop target while dragging over it")
        xdo(display, "mouseup", "1")
        # The window hands the files over after the drop: keep the source until the drag is over.
        source.wait_for("drag-end")
    finally:
        source.close()


def bring_to_front(app: Session) -> None:
    """Raises the app's window above other app windows on the same display (each session-scoped
    fixture has its own window, all at 0,0 without a window manager)."""
    res = app.execute_async("const done = arguments[arguments.length - 1];"
                            "window.__TAURI__.window.getCurrentWindow().setFocus()"
                            ".then(() => done(true), (e) => done(String(e)));")
    assert res is True, f"could not bring the app window to the front: {res}"


def drop_files(app: Session, display: str, files: list[Path], target_css: str) -> None:
    """Drops `files` on the element `target_css` of `app`'s window, as a user would."""
    bring_to_front(app)
    os_drag(app, display, files, target_css)


def answer_file_dialog(display: str, title: str, path: Path, save: bool) -> None:
    """Answers the native GTK file dialog titled `title` with real keys: `path` typed in full
    (a save dialog's name box, an open dialog's location box, Ctrl+L), then Enter. Without a
    window manager nobody gives the new window the focus, so it is given by hand."""
    window = find_dialog(display, title)
    xdo(display, "windowraise", window)
    xdo(display, "windowfocus", "--sync", window)
    xdo(display, "key", "--window", window, "ctrl+a" if save else "ctrl+l")
    xdo(display, "type", "--delay", "15", str(path))
    # GTK reads the typed folder in the background; an Enter before that is ignored. Enter
    # again until the dialog closes (a bounded few times).
    close_with(display, window, title, "Return")


def answer_folder_dialog(display: str, title: str, path: Path) -> None:
    """Answers the native GTK folder chooser titled `title`: the folder typed in the location box
    (Ctrl+L), then Enter until the dialog closes (the typed folder is the one chosen)."""
    window = find_dialog(display, title)
    xdo(display, "windowraise", window)
    xdo(display, "windowfocus", "--sync", window)
    xdo(display, "key", "--window", window, "ctrl+l")
    xdo(display, "type", "--delay", "15", str(path))
    close_with(display, window, title, "Return")


def find_dialog(display: str, title: str) -> str:
    """The X window of the visible native dialog titled `title` (waits up to 30 s)."""
    env = os.environ | {"DISPLAY": display}
    window = None
    try:  # xdotool's --sync waits for the window itself; the timeout bounds it
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$"],
                               capture_output=True, text=True, timeout=30, env=env)
        window = (found.stdout.split() or [None])[-1]
    except subprocess.TimeoutExpired:
        pass
    if window is None:
        names = subprocess.run(["sh", "-c", "for w in $(xdotool search --onlyvisible --name ''); do xdotool getwindowname $w; done"],
                               capture_output=True, text=True, timeout=20, env=env).stdout.split("\n")
        pytest.fail(f"no native dialog titled {title!r} within 30 s; visible windows: {names}")
    return window


def close_with(display: str, window: str, title: str, key: str) -> None:
    """Presses `key` in the dialog until it closes (a bounded few times, 3 s each)."""
    env = os.environ | {"DISPLAY": display}

    def visible(w: str) -> bool:
        listed = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                                capture_output=True, text=True, timeout=10, env=env)
        return w in listed.stdout.split()

    for _ in range(5):
        xdo(display, "key", "--window", window, key)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and visible(window):
            time.sleep(0.1)
        if not visible(window):
            return
    shot = Path(os.environ.get("BP_ARTIFACTS", "tests/artifacts")) / f"stuck-dialog-{title.replace(' ', '-')}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    x_screenshot(display, shot)
    pytest.fail(f"the dialog {title!r} stayed open after {key} (screen: {shot})")


def x_screenshot(display: str, path: Path) -> None:
    """The X screen as the user sees it (ImageMagick). After a native drop, WebKitWebDriver's
    own screenshot waits for a repaint that does not come under Xvfb, and times out."""
    subprocess.run(["import", "-window", "root", "-crop", "1280x800+0+0", str(path)], check=True, timeout=30,
                   env=os.environ | {"DISPLAY": display})
