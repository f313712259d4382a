"""Uploads end to end with a REAL X11 drag-and-drop: a GTK drag source (dnd_source.py, run with the
system python) is dragged with xdotool onto the app's sidebar folder and onto an image card.
The tray, the card preview and the sandbox's own API are checked. The sandbox takes 1.5 s per
processing so the batch can be caught (and photographed) mid-way."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import choose_folder
from native_drop import SYSTEM_PY, answer_file_dialog, bring_to_front, drop_files, os_drag, screen_center, xdo
from sandbox_api import field_value, put_source, release_source
from test_app import card_ids
from webdriver import Session

MAKE_IMAGES = r"""
import sys, gi
gi.require_version('GdkPixbuf', '2.0')
from gi.repository import GdkPixbuf
for i, path in enumerate(sys.argv[1:]):
    pb = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, 320, 240)
    pb.fill(((40 + 60 * i) % 256) << 24 | ((200 - 50 * i) % 256) << 16 | (90 + 30 * i) % 256 << 8 | 0xff)
    pb.savev(path, 'jpeg' if path.endswith('.jpg') else 'png', [], [])
"""


def make_images(paths: list[Path]) -> None:
    subprocess.run([SYSTEM_PY, "-c", MAKE_IMAGES, *map(str, paths)], check=True, timeout=30)
    for p in paths:
        assert p.stat().st_size > 100, f"{p} was not written"


def rows(app: Session) -> list[dict]:
    return app.execute(
        "return [...document.querySelectorAll('#upload-tray .upload-row[data-job-id]')].map(r => ({"
        " id: r.dataset.jobId, state: r.dataset.state,"
        " name: r.querySelector('.upload-name').textContent, status: r.querySelector('.upload-status').textContent}))")


def jobs(app: Session) -> list[dict]:
    res = app.invoke("upload_jobs")
    assert "ok" in res, res
    return res["ok"]["jobs"]


@pytest.fixture()
def tools():
    for tool in ("xdotool",):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is needed for the drag-and-drop test (Debian package {tool})")
    if not Path(SYSTEM_PY).exists():
        pytest.fail(f"{SYSTEM_PY} with python3-gi is needed for the drag source")


def test_real_drag_and_drop_uploads(upload_app: Session, slow_sandbox, display, tmp_path, artifacts, tools):
    app = upload_app
    api = slow_sandbox[1]
    prints = api.folder("Prints")
    choose_folder(app, prints["id"])
    target_folder = next(f for f in api.folders() if f["id"] != prints["id"])
    before = {h["id"] for h in api.all_headers(target_folder["id"])}

    tag = uuid.uuid4().hex[:6]
    good = [tmp_path / f"dnd-{tag}-a.png", tmp_path / f"dnd-{tag}-b.jpg", tmp_path / f"dnd-{tag}-c.png"]
    make_images(good)
    corrupt = tmp_path / f"dnd-{tag}-broken.png"
    with open(corrupt, "wb") as f:  # a PNG signature, then garbage: accepted locally, refused by processing
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)

    # 1. Four files onto a folder in the sidebar → four new-image jobs.
    started = time.monotonic()
    os_drag(app, display, good + [corrupt], f'.folder[data-folder-id="{target_folder["id"]}"]')
    app.wait_until(lambda: len(rows(app)) == 4, timeout=15, what="four rows in the upload tray")
    names = sorted(r["name"] for r in rows(app))
    assert names == sorted(p.name for p in good + [corrupt])
    app.wait_until(lambda: any(r["state"] in ("uploading", "processing") for r in rows(app)), timeout=20,
                   what="a job to be uploading or processing")
    app.screenshot(artifacts / "upload-tray.png")
    assert "of 4 done" in app.find("#upload-summary").text

    app.wait_until(lambda: sorted(r["state"] for r in rows(app)) == ["done", "done", "done", "failed"], timeout=90,
                   what=f"three done and one failed (now {[(r['name'], r['state']) for r in rows(app)]})")
    batch_secs = time.monotonic() - started
    failed = next(r for r in rows(app) if r["state"] == "failed")
    assert failed["name"] == corrupt.name
    assert failed["status"].startswith("Failed: ") and len(failed["status"]) > len("Failed: ") + 5, failed
    assert app.find("#upload-summary").text.startswith("3 of 4 done · 1 failed")
    assert app.find("#retry-all-failed").prop("hidden") is False

    # The sandbox's own view: every created image is in the folder, the good ones with a preview.
    by_name = {j["fileName"]: j for j in jobs(app)}
    after = {h["id"]: h for h in api.all_headers(target_folder["id"])}
    created = {j["imageId"] for j in by_name.values() if j.get("imageId")}
    assert set(after) - before == created, (set(after) - before, created)
    for p in good:
        image = api.header(by_name[p.name]["imageId"])
        assert image["headerNumber"] == p.stem
        assert image["files"], f"{p.name}: the image has no file on the server"
        assert image["headerData"]["preview"], f"{p.name}: no preview on the server"

    # 2. One file onto an image card → a new version of that image; the card refreshes.
    card_id = app.execute("return document.querySelector('#grid .card[data-image-id]').dataset.imageId")
    card_css = f'#grid .card[data-image-id="{card_id}"]'
    old = api.header(card_id)
    old_src = app.execute("return document.querySelector(arguments[0] + ' img.card-preview').getAttribute('src')", card_css)
    version_file = tmp_path / f"dnd-{tag}-version.png"
    make_images([tmp_path / "unused0.png", version_file])  # a different colour from the first batch
    os_drag(app, display, [version_file], card_css)
    app.wait_until(lambda: any(r["name"] == version_file.name for r in rows(app)), timeout=15, what="the version row")
    app.wait_until(lambda: app.exists(card_css + ".processing"), timeout=20, what="the card's processing badge")
    app.wait_until(lambda: next(r for r in rows(app) if r["name"] == version_file.name)["state"] == "done", timeout=60,
                   what="the version upload to finish")
    app.wait_until(lambda: app.execute("return document.querySelector(arguments[0] + ' img.card-preview').getAttribute('src')", card_css) != old_src,
                   timeout=15, what="the card preview to refresh")
    assert not app.exists(card_css + ".processing")
    new = api.header(card_id)
    assert len(new["files"] or []) > len(old["files"] or []) or field_value(new, "version") != field_value(old, "version")
    assert api.count(target_folder["id"], []) == len(after)  # the version did not create an image
    print(f"\nbatch of 4 by real drag-and-drop settled in {batch_secs:.1f} s")


def test_new_images_wait_behind_a_pill_while_uploads_run(upload_app: Session, slow_sandbox, display, tmp_path, artifacts, tools):
    """New images landing in the shown folder do not shift the cards while other uploads run: they
    wait behind a "N new images · Show" pill, and all go in at once when the uploads finish."""
    app = upload_app
    api = slow_sandbox[1]
    prints = api.folder("Prints")
    choose_folder(app, prints["id"])
    app.wait_until(lambda: card_ids(app), what="the folder's cards")
    target = {"kind": "newImage", "folderId": prints["id"]}
    tag = uuid.uuid4().hex[:6]
    held_png, first, second = (tmp_path / f"pill-{tag}-{n}.png" for n in ("url", "a", "b"))
    make_images([held_png, first, second])
    # The URL upload stays open until released: the sandbox holds its own source's answer.
    source = held_png.name
    url = put_source(slow_sandbox[0], source, held_png.read_bytes(), hold=True)
    try:
        res = app.invoke("enqueue_url", {"url": url, "target": target})
        assert "ok" in res, res
        url_job = res["ok"]["jobId"]

        def finished_image(path: Path) -> str:
            drop_files(app, display, [path], f'.folder[data-folder-id="{prints["id"]}"]')
            app.wait_until(lambda: any(j["fileName"] == path.name for j in jobs(app)), what=f"{path.name} queued")
            job_id = next(j for j in jobs(app) if j["fileName"] == path.name)["id"]
            app.wait_until(lambda: next(j for j in jobs(app) if j["id"] == job_id)["state"]["kind"] == "done",
                           timeout=60, what=f"{path.name} to finish")
            return next(j for j in jobs(app) if j["id"] == job_id)["imageId"]

        # A file finishes while the URL upload still runs: its card waits behind the pill.
        image_a = finished_image(first)
        app.wait_until(lambda: app.find("#new-images").prop("hidden") is False, timeout=20, what="the pill")
        assert app.find("#new-images").text == "1 new image · Show"
        assert image_a not in card_ids(app)
        app.screenshot(artifacts / "new-images-pill.png")
        app.find("#new-images").click()
        app.wait_until(lambda: card_ids(app)[:1] == [image_a], what="the held card first in the grid")
        assert app.find("#new-images").prop("hidden") is True

        # Held again; when the last upload ends, everything goes in at once, newest first.
        image_b = finished_image(second)
        app.wait_until(lambda: app.find("#new-images").text == "1 new image · Show", timeout=20, what="the pill again")
        assert image_b not in card_ids(app)
        assert next(j for j in jobs(app) if j["id"] == url_job)["state"]["kind"] in ("uploading", "checking", "creating")
        release_source(slow_sandbox[0], source)
        app.wait_until(lambda: next(j for j in jobs(app) if j["id"] == url_job)["state"]["kind"] == "done",
                       timeout=60, what="the URL upload to finish")
        image_url = next(j for j in jobs(app) if j["id"] == url_job)["imageId"]
        app.wait_until(lambda: card_ids(app)[:3] == [image_url, image_b, image_a], timeout=20,
                       what=f"the held cards to go in (first cards now {card_ids(app)[:3]})")
        assert app.find("#new-images").prop("hidden") is True
    finally:
        release_source(slow_sandbox[0], source)


def test_add_files_dialog_queues_the_chosen_file(upload_app: Session, slow_sandbox, display, tmp_path, tools):
    """"Add files…" opens the native GTK dialog without freezing the window (rfd's blocking
    dialog called on the main thread once waited for itself forever); the file typed into it
    lands as a new image in the open folder."""
    app = upload_app
    api = slow_sandbox[1]
    graphics = api.folder("Graphics")
    choose_folder(app, graphics["id"])
    tag = uuid.uuid4().hex[:6]
    picked = tmp_path / f"picked-{tag}.png"
    # A colour of its own: the same bytes sent earlier in the session would wait as a duplicate.
    subprocess.run(["convert", "-size", "80x60", f"xc:#{tag}", str(picked)], check=True, timeout=30)
    bring_to_front(app)
    x, y = screen_center(app, "#add-files")
    xdo(display, "mousemove", "--sync", str(x), str(y))
    xdo(display, "click", "1")
    answer_file_dialog(display, "Add images", picked, save=False)
    app.wait_until(lambda: [r["name"] for r in rows(app)].count(picked.name) == 1, timeout=20,
                   what="the picked file in the upload tray")
    app.wait_until(lambda: next(r["state"] for r in rows(app) if r["name"] == picked.name) == "done", timeout=60,
                   what=f"the picked file to be uploaded and processed (now {[r for r in rows(app) if r['name'] == picked.name]})")
    found = api.search(graphics["id"], [{"field": "header_number", "operator": "Eq", "value": picked.stem}], 5)
    assert found["total"] == 1, found
