"""Drag out, end to end with REAL X input: a card pressed and dragged with xdotool out of the
app's window onto a GTK drop target (dnd_target.py, run with the system python, standing in for
the desktop or a file manager) arrives there as the image's original file, named
`<image number>.<ext>`, with the sandbox's own bytes. A selection arrives as several files; a
drag dropped back onto the app's own window uploads nothing; a download that fails says why and
starts no drag; a button let go before the file is ready starts none either, and the next drag
is served from the cache. Each test works in a folder of its own, with images uploaded through the
sandbox's API."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import requests

from conftest import choose_folder, reload, stop
from native_drop import SYSTEM_PY, bring_to_front, screen_center, xdo
from sandbox_api import create_folder, requests_seen
from test_upload import jobs, make_images
from webdriver import Session

DND_TARGET = Path(__file__).with_name("dnd_target.py")
TARGET_XY = (1010, 580)   # bottom-right, away from the first cards of the grid


@pytest.fixture()
def tools():
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is needed for the drag-out test (Debian package xdotool); run scripts/setup.sh")
    if not Path(SYSTEM_PY).exists():
        pytest.fail(f"{SYSTEM_PY} with python3-gi is needed for the drop target")


class DropTarget:
    """dnd_target.py on the app's display; files it takes are copied into `out`."""

    def __init__(self, display: str, workdir: Path):
        self.out = workdir / "received"
        self.report = workdir / "received.json"
        self.log = workdir / "dnd-target.log"
        with self.log.open("w") as log:
            self.proc = subprocess.Popen([SYSTEM_PY, str(DND_TARGET), str(TARGET_XY[0]), str(TARGET_XY[1]), str(self.out), str(self.report)],
                                         stdout=subprocess.PIPE, stderr=log, text=True, env=os.environ | {"DISPLAY": display})
        _, w, h = self.wait_for("ready", timeout=20).split()
        self.center = (TARGET_XY[0] + int(w) // 2, TARGET_XY[1] + int(h) // 2)

    def line(self, timeout: float) -> str | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, timeout))
        if not ready:
            return None
        line = self.proc.stdout.readline()
        if not line:
            pytest.fail(f"the drop target exited: {self.log.read_text()!r}")
        return line.strip()

    def wait_for(self, word: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.line(deadline - time.monotonic())
            if line and line.startswith(word):
                return line
        pytest.fail(f"the drop target did not report {word!r} within {timeout} s; its log: {self.log.read_text()!r}")

    def received(self) -> dict:
        return json.loads(self.report.read_text())

    def close(self) -> None:
        stop(self.proc)


@pytest.fixture()
def open_target(display, tmp_path):
    """Opens the drop target when called: after the app's window was brought to the front, so
    the target is stacked above it (there is no window manager to raise it)."""
    opened = []

    def open_it() -> DropTarget:
        opened.append(DropTarget(display, tmp_path))
        return opened[-1]
    yield open_it
    for t in opened:
        t.close()


def folder_with_originals(sandbox, tmp_path: Path, files: list[str]) -> tuple[str, list[dict]]:
    """A new folder with one image per file name in `files` (made with GdkPixbuf, uploaded
    through the sandbox's API as the SDK does, processed); returns its id and their headers in
    that order."""
    base, api = sandbox
    tag = uuid.uuid4().hex[:6].upper()
    folder_id = create_folder(base, f"Drag out {tag}", api.folder("Prints")["id"])
    paths = [tmp_path / name for name in files]
    make_images(paths)
    ids = []
    for i, path in enumerate(paths, 1):
        image = api.create(folder_id, {"header_number": f"DO-{tag}-{i}", "header_name": f"Drag out {i}"})
        with path.open("rb") as f:
            resp = api.http.post(f"{api.api}Image/Header/{image['id']}/Image/Upload", files={"file": (path.name, f)},
                                 headers={"Authorization": f"Bearer {api.token()}"}, timeout=30)
        resp.raise_for_status()
        ids.append(image["id"])

    def processed():
        headers = [api.header(i) for i in ids]
        return headers if all(origin(h) for h in headers) else None
    return folder_id, wait(processed, what="the uploads to be processed")


def wait(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def origin(header: dict) -> str | None:
    preview = (header.get("headerData") or {}).get("preview")
    return preview.get("origin") if isinstance(preview, dict) else None


def expected_file(header: dict) -> tuple[str, bytes]:
    """`<image number>.<ext>` (the stored file's extension) and the original's bytes, as the
    sandbox serves them to anyone."""
    url = origin(header)
    ext = unquote(urlparse(url).path).rsplit(".", 1)[1].lower()
    resp = requests.get(url, timeout=30)
    resp.raise_for_status()
    return f"{header['headerNumber']}.{ext}", resp.content


def open_folder(app: Session, folder_id: str, count: int) -> None:
    reload(app)
    choose_folder(app, folder_id)
    app.wait_until(lambda: len(app.find_all("#grid .card[data-image-id]")) == count, what=f"{count} cards")
    bring_to_front(app)


def card(image_id: str) -> str:
    return f'#grid .card[data-image-id="{image_id}"] .card-thumb'


def drag_state(app: Session):
    return app.execute("return document.body.dataset.dragOut || null")


def move_to(display: str, x: int, y: int) -> None:
    """Moves the pointer and waits until it is there (`--sync` would wait forever for a move to
    where it already is)."""
    where = subprocess.run(["xdotool", "getmouselocation", "--shell"], capture_output=True, text=True, check=True,
                           timeout=10, env=os.environ | {"DISPLAY": display}).stdout
    at = dict(line.split("=", 1) for line in where.split())
    if (int(at["X"]), int(at["Y"])) != (x, y):
        xdo(display, "mousemove", "--sync", str(x), str(y))


def press_and_pull(app: Session, display: str, css: str) -> tuple[int, int]:
    """Presses the left button on `css` and moves past the page's drag threshold."""
    x, y = screen_center(app, css)
    move_to(display, x, y)
    xdo(display, "mousedown", "1")
    for step in (4, 8, 12, 16):
        move_to(display, x + step, y + step)
    return x + 16, y + 16


def travel(display: str, start: tuple[int, int], end: tuple[int, int], steps: int = 12) -> None:
    for i in range(1, steps + 1):
        move_to(display, int(start[0] + (end[0] - start[0]) * i / steps), int(start[1] + (end[1] - start[1]) * i / steps))


def wait_dragging(app: Session) -> None:
    """Waits until the app has the files and the OS drag is on; says what the page shows if not."""
    try:
        app.wait_until(lambda: drag_state(app) == "dragging", timeout=30, what="the originals to be ready and the OS drag to start")
    except TimeoutError as e:
        toast = app.execute("const t = document.querySelector('#toast'); return t && !t.hidden ? t.textContent : null")
        raise AssertionError(f"{e}; drag state {drag_state(app)!r}, toast {toast!r}") from None


def drag_onto(app: Session, display: str, css: str, target: DropTarget) -> None:
    """A whole drag out: press on `css`, wait until the app has the files and the OS drag is on,
    carry it to the target, wait until the target sees it, let go, wait for the drop."""
    at = press_and_pull(app, display, css)
    wait_dragging(app)
    travel(display, at, target.center)
    # The source tells the target where it is on each motion: nudge until the target says so.
    deadline = time.monotonic() + 10
    nudge = 0
    while time.monotonic() < deadline:
        line = target.line(0.2)
        if line and line.startswith("over"):
            break
        nudge = 1 - nudge
        move_to(display, target.center[0] + nudge, target.center[1])
    else:
        pytest.fail("the drag never reached the drop target")
    xdo(display, "mouseup", "1")
    target.wait_for("dropped")
    app.wait_until(lambda: drag_state(app) is None, what="the app to see the drag end")


def test_a_card_dragged_onto_another_app_arrives_as_its_original(ui, sandbox, display, open_target, tools, tmp_path):
    app = ui
    folder_id, headers = folder_with_originals(sandbox, tmp_path, ["front.jpg", "back.png", "side.png"])
    image = headers[0]
    name, data = expected_file(image)
    open_folder(app, folder_id, 3)
    target = open_target()
    before = len(jobs(app))

    drag_onto(app, display, card(image["id"]), target)

    got = target.received()
    assert len(got["uris"]) == 1, got
    [file] = got["files"]
    assert file["name"] == name, got
    assert Path(file["path"]).read_bytes() == data, "the dropped file is not the sandbox's original"
    # The drag crossed the app's own window on its way out: nothing was queued for upload.
    assert len(jobs(app)) == before
    assert not app.exists("#toast.toast-error:not([hidden])")


def test_a_selection_arrives_as_all_its_originals(ui, sandbox, display, open_target, tools, tmp_path):
    app = ui
    folder_id, headers = folder_with_originals(sandbox, tmp_path, ["a.png", "b.png", "c.jpg"])
    first, _, third = headers
    open_folder(app, folder_id, 3)
    # A real click, then Ctrl+click: two images selected.
    for image, modifier in ((first, None), (third, "ctrl")):
        move_to(display, *screen_center(app, card(image["id"])))
        if modifier:
            xdo(display, "keydown", modifier)
        xdo(display, "click", "1")
        if modifier:
            xdo(display, "keyup", modifier)
    app.wait_until(lambda: len(app.find_all("#grid .card[aria-selected='true']")) == 2, what="two selected cards")
    target = open_target()

    drag_onto(app, display, card(third["id"]), target)

    got = target.received()
    expected = dict(expected_file(h) for h in (third, first))
    assert sorted(f["name"] for f in got["files"]) == sorted(expected), got
    for f in got["files"]:
        assert Path(f["path"]).read_bytes() == expected[f["name"]], f"{f['name']} differs from the sandbox's original"


def test_a_drag_dropped_back_on_the_window_uploads_nothing(ui, sandbox, display, tools, tmp_path):
    app = ui
    folder_id, headers = folder_with_originals(sandbox, tmp_path, ["a.png", "b.png"])
    open_folder(app, folder_id, 2)
    before = len(jobs(app))
    at = press_and_pull(app, display, card(headers[0]["id"]))
    wait_dragging(app)
    # Over the other card (which would take a dropped file as a new version), and let go.
    travel(display, at, screen_center(app, card(headers[1]["id"])))
    xdo(display, "mouseup", "1")
    app.wait_until(lambda: drag_state(app) is None, what="the drag to end")
    assert len(jobs(app)) == before, "a drag out dropped on its own window was queued as an upload"
    assert app.execute("return document.querySelectorAll('.drop-target').length") == 0


def test_a_failed_download_says_why_and_starts_no_drag(ui, sandbox, display, open_target, tools, tmp_path):
    app = ui
    base, _ = sandbox
    folder_id, headers = folder_with_originals(sandbox, tmp_path, ["a.png"])
    image = headers[0]
    # Every try of this image's original (and only it) answers 503: more than the client retries.
    file_path = urlparse(origin(image)).path.rsplit("/", 2)[0]
    requests.post(f"{base}/__sandbox/fail-next", json={"n": 50, "path": file_path, "kind": "Status503"}, timeout=10).raise_for_status()
    open_folder(app, folder_id, 1)
    target = open_target()

    press_and_pull(app, display, card(image["id"]))
    app.wait_until(lambda: app.exists("#toast.toast-error:not([hidden])"), timeout=30, what="an error toast")
    text = app.find("#toast .toast-message").text
    assert "Could not drag the image out" in text and image["headerNumber"] in text and "503" in text, text
    assert drag_state(app) is None
    xdo(display, "mouseup", "1")
    assert not target.report.exists(), "a drag reached the target although the download failed"


def test_a_button_let_go_while_downloading_starts_no_drag_and_the_next_drag_is_instant(
        ui, sandbox, display, open_target, tools, tmp_path):
    app = ui
    base, _ = sandbox
    folder_id, headers = folder_with_originals(sandbox, tmp_path, ["slow.png"])
    image = headers[0]
    name, data = expected_file(image)
    open_folder(app, folder_id, 1)
    target = open_target()
    file_path = urlparse(origin(image)).path.rsplit("/", 2)[0]
    # A slow server: the button is let go while the original is still on its way.
    requests.post(f"{base}/__sandbox/latency", json={"ms": 1500}, timeout=10).raise_for_status()
    try:
        press_and_pull(app, display, card(image["id"]))
        app.wait_until(lambda: drag_state(app) == "preparing", what="the drag to be prepared")
        xdo(display, "mouseup", "1")
        app.wait_until(lambda: drag_state(app) is None, timeout=30, what="the preparation to end")
    finally:
        requests.post(f"{base}/__sandbox/latency", json={"ms": 0}, timeout=10).raise_for_status()
    assert app.find("#toast .toast-message").text == "The original is ready: drag the image again."
    assert not target.report.exists()

    downloads = requests_seen(base, file_path)
    drag_onto(app, display, card(image["id"]), target)
    assert requests_seen(base, file_path) == downloads, "the cached original was downloaded again"
    [file] = target.received()["files"]
    assert file["name"] == name and Path(file["path"]).read_bytes() == data
