"""Issue 10, "Done when": a new version dropped for real (X11 drag-and-drop) on a card, against a
sandbox that signs its media URLs anew on every answer and loses the answer to the upload AFTER
it stored the file. The file lands exactly once: the app watches the image instead of sending
again, the job ends done, and the image holds one new file, counted on the server after
processing. Issue 17: the finished job's event carries the image, so the card refreshes with no
IPC call from the page (every `invoke` of the page is counted).

Then the user's half: when processing outlasts the app's watch (scaled down: 3 s against 10 min,
`BP_UPLOAD_PROCESSING_SECS`), the row says "May have landed" and offers Check again / Send again
(which asks first, since it may add the file twice)."""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from conftest import choose_folder, run_app, start_sandbox_process, stop
from native_drop import drop_files
from sandbox_api import SandboxApi, requests_seen
from test_upload import make_images, rows, tools  # noqa: F401  (tools is a fixture)

PROCESSING_MS = 1500
WATCH_SECS = 3
SLOW_PROCESSING_MS = 10 * 60 * 1000

# Counts the page's IPC calls where they leave the page: Tauri's IPC transport is a fetch of
# `ipc://localhost/<command>` (its `invoke` functions are frozen and cannot be wrapped). Every
# command the page sends from now on is recorded; the test checks that the drop's own
# `enqueue_uploads` shows up, so the counter is known to see the calls.
COUNT_INVOKES = """
if (!window.__e2eInvokes) {
  window.__e2eInvokes = [];
  const original = window.fetch;
  window.fetch = (resource, ...rest) => {
    const url = String(resource instanceof Request ? resource.url : resource);
    if (url.startsWith('ipc:')) window.__e2eInvokes.push(decodeURIComponent(url.split('/').pop()));
    return original(resource, ...rest);
  };
}
window.__e2eInvokes.length = 0;
"""


@pytest.fixture(scope="module")
def signed_sandbox(tmp_path_factory):
    """A sandbox of its own: signed media URLs, 1.5 s of processing."""
    proc, base = start_sandbox_process(tmp_path_factory.mktemp("signed-sandbox-data"),
                                       ["--signed-urls", "--processing-ms", str(PROCESSING_MS)])
    try:
        yield base, SandboxApi(base)
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def signed_app(signed_sandbox, display, artifacts, tmp_path_factory):
    yield from run_app(signed_sandbox, display, tmp_path_factory.mktemp("signed-app-home"))


@pytest.fixture(scope="module")
def short_watch_app(signed_sandbox, display, artifacts, tmp_path_factory):
    """A second app on the same sandbox that watches a lost upload for 3 s only."""
    yield from run_app(signed_sandbox, display, tmp_path_factory.mktemp("short-watch-app-home"),
                       {"BP_UPLOAD_PROCESSING_SECS": str(WATCH_SECS)})


def set_processing(base: str, ms: int) -> None:
    """Sandbox test hook; applies to uploads already waiting too."""
    requests.post(f"{base}/__sandbox/processing", json={"ms": ms}, timeout=10).raise_for_status()


def file_paths(header: dict) -> list[str]:
    """The stored files by URL path: the signature query differs on every answer."""
    return [urllib.parse.urlsplit(f if isinstance(f, str) else f.get("url", "")).path for f in header.get("files") or []]


def invokes(app) -> list[str]:
    return app.execute("return [...(window.__e2eInvokes || [])]")


def test_a_version_whose_upload_answer_is_lost_lands_once(signed_app, signed_sandbox, display, tmp_path, artifacts, tools):  # noqa: F811
    app = signed_app
    base, api = signed_sandbox
    prints = api.folder("Prints")
    choose_folder(app, prints["id"])
    card_id = app.execute("return document.querySelector('#grid .card[data-image-id]').dataset.imageId")
    card_css = f'#grid .card[data-image-id="{card_id}"]'
    before = api.header(card_id)
    files_before = file_paths(before)
    assert files_before, "the demo image has a file to begin with"
    old_src = app.execute("return document.querySelector(arguments[0] + ' img.card-preview').getAttribute('src')", card_css)
    assert "sig=" in old_src, f"the sandbox signs media URLs: {old_src}"

    version = tmp_path / "lost-answer-version.png"
    make_images([tmp_path / "unused.png", version])
    uploads_before = requests_seen(base, "/image/upload")
    # The next upload is stored, then its answer is lost (the connection closes without one).
    api.fail_next("/image/upload", "DropAfterHandling")
    app.execute(COUNT_INVOKES)

    drop_files(app, display, [version], card_css)
    app.wait_until(lambda: any(r["name"] == version.name for r in rows(app)), timeout=15, what="the version row")
    app.wait_until(lambda: next(r for r in rows(app) if r["name"] == version.name)["state"] == "done", timeout=90,
                   what=f"the version upload to finish (now {[(r['name'], r['state'], r['status']) for r in rows(app)]})")
    app.wait_until(lambda: app.execute("return document.querySelector(arguments[0] + ' img.card-preview').getAttribute('src')", card_css) != old_src,
                   timeout=15, what="the card preview to refresh from the finished job's event")
    app.wait_until(lambda: not app.exists(card_css + ".processing"), timeout=15, what="the processing badge to go")
    app.screenshot(artifacts / "lost-answer-version-done.png")

    # The page asked for nothing after queueing: the card came from the job's event.
    sent = invokes(app)
    assert sent.count("enqueue_uploads") == 1, sent
    # (The tray's thumbnail made from the local file while the job runs is not a read of the
    # image: local_preview reads the file on this computer, never the server.)
    after_queueing = [c for c in sent[sent.index("enqueue_uploads") + 1:] if c != "local_preview"]
    assert after_queueing == [], f"IPC calls for a finished upload: {sent}"

    # Counted on the server after processing: exactly one new file, sent once.
    assert requests_seen(base, "/image/upload") - uploads_before == 1, "the file was sent again"
    after = api.header(card_id)
    files_after = file_paths(after)
    assert len(files_after) == len(files_before) + 1, (files_before, files_after)
    assert set(files_before) <= set(files_after)
    status = next(r for r in rows(app) if r["name"] == version.name)["status"]
    assert status == "Done", status


def row_of(app, name: str) -> dict:
    return next(r for r in rows(app) if r["name"] == name)


def row_button(app, name: str, action: str) -> str:
    """CSS of `action`'s button on the row of file `name`."""
    job_id = row_of(app, name)["id"]
    return f'#upload-tray .upload-row[data-job-id="{job_id}"] button[data-action="{action}"]'


def test_may_have_landed_is_settled_from_the_tray(short_watch_app, signed_sandbox, display, tmp_path, artifacts, tools):  # noqa: F811
    app = short_watch_app
    base, api = signed_sandbox
    prints = api.folder("Prints")
    choose_folder(app, prints["id"])
    card_id = app.execute("return document.querySelectorAll('#grid .card[data-image-id]')[1].dataset.imageId")
    card_css = f'#grid .card[data-image-id="{card_id}"]'
    files_before = file_paths(api.header(card_id))
    uploads_before = requests_seen(base, "/image/upload")
    checked, resent = tmp_path / "check-again.png", tmp_path / "send-again.png"
    make_images([checked, resent])

    def drop_until_unsure(path) -> None:
        """Drops `path` on the card while processing outlasts the watch and the upload's answer
        is lost: the row ends "may have landed" with its choices, nothing is sent again."""
        set_processing(base, SLOW_PROCESSING_MS)
        api.fail_next("/image/upload", "DropAfterHandling")
        drop_files(app, display, [path], card_css)
        app.wait_until(lambda: any(r["name"] == path.name for r in rows(app)), timeout=15, what=f"the row of {path.name}")
        app.wait_until(lambda: row_of(app, path.name)["state"] == "mayHaveLanded", timeout=60,
                       what=f"{path.name} to wait for the user (now {row_of(app, path.name)})")
        row = row_of(app, path.name)
        assert row["status"].startswith("May have landed"), row
        for action in ("check-again", "send-again", "cancel"):
            assert app.exists(row_button(app, path.name, action)), action
        assert not app.exists(row_button(app, path.name, "retry"))
        assert "1 may have landed" in app.find("#upload-summary").text
        # Watched, not resent by itself.
        assert not app.exists(card_css + ".processing")

    # 1. Check again, once the server has finished processing: the file is there, once.
    drop_until_unsure(checked)
    app.screenshot(artifacts / "may-have-landed.png")
    assert requests_seen(base, "/image/upload") - uploads_before == 1
    set_processing(base, 0)
    app.wait_until(lambda: len(file_paths(api.header(card_id))) == len(files_before) + 1, timeout=30,
                   what="the server to finish processing the file")
    app.find(row_button(app, checked.name, "check-again")).click()
    app.wait_until(lambda: row_of(app, checked.name)["state"] == "done", timeout=30, what="check again to find the file")
    assert len(file_paths(api.header(card_id))) == len(files_before) + 1
    assert requests_seen(base, "/image/upload") - uploads_before == 1, "check again sends nothing"

    # 2. Send again asks first; Cancel leaves the job as it was.
    drop_until_unsure(resent)
    set_processing(base, 0)
    app.find(row_button(app, resent.name, "send-again")).click()
    app.wait_for("#confirm-dialog[open]")
    assert "may add it twice" in app.find("#confirm-message").text
    app.find("#confirm-cancel").click()
    app.wait_gone("#confirm-dialog[open]")
    assert row_of(app, resent.name)["state"] == "mayHaveLanded"
    app.wait_until(lambda: app.find(row_button(app, resent.name, "send-again")).prop("disabled") is False,
                   what="the Send again button to be usable again")
    assert requests_seen(base, "/image/upload") - uploads_before == 2

    # Confirmed: sent once more. It had landed too, so the image now holds it twice: the
    # duplicate the dialog warned about, the user's choice.
    app.find(row_button(app, resent.name, "send-again")).click()
    app.wait_for("#confirm-dialog[open]")
    app.find("#confirm-ok").click()
    app.wait_until(lambda: row_of(app, resent.name)["state"] == "done", timeout=30, what="send again to land")
    assert requests_seen(base, "/image/upload") - uploads_before == 3
    app.wait_until(lambda: len(file_paths(api.header(card_id))) == len(files_before) + 3, timeout=30,
                   what="both copies of the resent file to be processed")
    assert "may have landed" not in app.find("#upload-summary").text
