"""The upload tray is windowed: a batch of hundreds of files puts only the rows near the tray's
viewport in the DOM, scrolling the tray brings the others in, and the list keeps the height of
all of them. The batch is a real X11 drop of one folder holding 400 copies of a file that is
already uploaded to that folder, so every job is a duplicate at once and nothing is sent: the
test measures the tray, not the network. Runs after test_upload.py (same app, same tray)."""

from __future__ import annotations

import shutil
import uuid

import pytest

from conftest import choose_folder
from native_drop import os_drag
from test_upload import make_images, rows, tools  # noqa: F401  (tools is a fixture)
from webdriver import Session

COPIES = 400


def dom_rows(app: Session) -> int:
    return app.execute("return document.querySelectorAll('#upload-tray .upload-row[data-job-id]').length")


def list_metrics(app: Session) -> dict:
    return app.execute(
        "const l = document.querySelector('#upload-list');"
        "return {scrollHeight: l.scrollHeight, clientHeight: l.clientHeight, scrollTop: l.scrollTop};")


def test_a_big_batch_keeps_only_the_rows_near_the_viewport(upload_app: Session, slow_sandbox, display, tmp_path, tools):
    app = upload_app
    api = slow_sandbox[1]
    prints = api.folder("Prints")
    choose_folder(app, prints["id"])
    folder_css = f'.folder[data-folder-id="{prints["id"]}"]'
    tag = uuid.uuid4().hex[:6]

    # One file uploaded first; then a folder of copies of it: all duplicates, nothing sent.
    original = tmp_path / f"win-{tag}.png"
    make_images([original])
    os_drag(app, display, [original], folder_css)
    app.wait_until(lambda: any(r["name"] == original.name for r in rows(app)), timeout=15, what="the first file's row")
    copies = tmp_path / f"copies-{tag}"
    copies.mkdir()
    for i in range(COPIES):
        shutil.copy(original, copies / f"win-{tag}-{i:03}.png")
    os_drag(app, display, [copies], folder_css)

    def batch() -> list[dict]:
        return [j for j in app.invoke("upload_jobs")["ok"]["jobs"] if j["fileName"].startswith(f"win-{tag}-")]

    app.wait_until(lambda: len(batch()) == COPIES, timeout=30, what=f"{COPIES} jobs in the queue")
    assert all(j["state"]["kind"] == "duplicate" for j in batch())
    app.wait_until(lambda: f"of {COPIES}" in app.find("#upload-summary").text or dom_rows(app) > 0,
                   timeout=15, what="the tray to draw the batch")
    app.wait_until(lambda: list_metrics(app)["scrollHeight"] > 20 * list_metrics(app)["clientHeight"], timeout=10,
                   what="the list to be as tall as all its rows")
    drawn = dom_rows(app)
    assert 0 < drawn <= 60, f"{drawn} rows in the DOM for {COPIES + 1}+ jobs"

    # Scrolled to the end: the last job's row is drawn (and the first is not), still few rows.
    last = batch()[-1]
    app.execute("const l = document.querySelector('#upload-list'); l.scrollTop = l.scrollHeight;")
    last_row = f'#upload-tray .upload-row[data-job-id="{last["id"]}"]'
    app.wait_until(lambda: app.exists(last_row), timeout=10, what="the last row after scrolling to the end")
    shown = app.execute(
        "const l = document.querySelector('#upload-list').getBoundingClientRect();"
        "const r = document.querySelector(arguments[0]);"
        "const b = r.getBoundingClientRect();"
        "return {name: r.querySelector('.upload-name').textContent, state: r.dataset.state,"
        " inView: b.bottom > l.top && b.top < l.bottom, posinset: r.getAttribute('aria-posinset'),"
        " setsize: r.getAttribute('aria-setsize')};", last_row)
    assert shown["name"] == last["fileName"], shown
    assert shown["state"] == "duplicate", shown
    # The list scrolled to its end shows the last row (the spacers add up to the rows' height).
    app.wait_until(lambda: app.execute(
        "const l = document.querySelector('#upload-list').getBoundingClientRect();"
        "const b = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return b.bottom > l.top && b.top < l.bottom;", last_row), timeout=10, what="the last row in view")
    assert shown["posinset"] == shown["setsize"], shown
    assert not any(r["name"] == original.name for r in rows(app)), "the first rows left the DOM"
    assert dom_rows(app) <= 60

    # Back to the top: the first rows again.
    app.execute("document.querySelector('#upload-list').scrollTop = 0;")
    app.wait_until(lambda: any(r["name"] == original.name for r in rows(app)), timeout=10, what="the first row again")

    # Row actions still work on drawn rows: "Send anyway" is offered on a duplicate.
    first_copy = batch()[0]
    button = f'#upload-tray .upload-row[data-job-id="{first_copy["id"]}"] button[data-action="anyway"]'
    app.wait_until(lambda: app.exists(button), timeout=10, what="the Send anyway button of the first copy")

    # Clear finished empties the list (the original once it is done; the copies are finished).
    app.wait_until(lambda: next(r for r in rows(app) if r["name"] == original.name)["state"] == "done", timeout=60,
                   what="the original to be uploaded")
    app.find("#clear-finished").click()
    app.wait_until(lambda: not batch(), timeout=15, what="the batch to be cleared")
    app.wait_until(lambda: dom_rows(app) == 0 or all(not r["name"].startswith(f"win-{tag}") for r in rows(app)),
                   timeout=10, what="the rows to leave the DOM")
