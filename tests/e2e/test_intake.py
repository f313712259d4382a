"""From disk to BeProduct, end to end with REAL X input: files dropped on a folder with a naming
rule open the intake preview; the cell the folder's schema refuses is flagged, fixed in place
with the keyboard, and the images land with the fields the rule and the files' embedded XMP
gave them. A real clipboard (xclip under Xvfb) pasted with Ctrl+V creates an image, from image
data and from files copied as a file manager does. Every result is checked against the
sandbox's own API; each test works in a folder of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import choose_folder, reload
from native_drop import answer_folder_dialog, bring_to_front, drop_files, screen_center, x_screenshot, xdo
from sandbox_api import create_folder, field_value
from test_app import wait_count
from test_upload import make_images
from webdriver import Session

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RULE = "{season}_{header_number}_{header_name}_{artwork_type}"


@pytest.fixture()
def tools():
    for tool, package in (("xdotool", "xdotool"), ("xclip", "xclip"), ("exiftool", "libimage-exiftool-perl")):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is needed for this test (Debian package {package}); run scripts/setup.sh")


def new_folder(sandbox, tag: str) -> str:
    base, api = sandbox
    return create_folder(base, f"{tag} {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])


def save_rules(app: Session, folder_id: str) -> None:
    res = app.invoke("save_intake_settings", {"folderId": folder_id, "settings": {
        "rule": {"kind": "pattern", "pattern": RULE, "dashAsSpace": True},
        "metadata": {"title": None, "description": "description", "keywords": "keywords", "creator": "designer"},
    }})
    assert "ok" in res, res


def open_empty_folder(app: Session, folder_id: str) -> None:
    reload(app)
    choose_folder(app, folder_id)
    wait_count(app, 0)
    bring_to_front(app)


def intake_rows(app: Session) -> list[dict]:
    return app.execute(
        "return [...document.querySelectorAll('#intake-body tr.intake-row')].map(r => ({"
        " row: r.dataset.row, file: r.querySelector('.intake-file').firstChild.textContent,"
        " invalid: [...r.querySelectorAll('.intake-cell.invalid input')].map(i => i.getAttribute('aria-label')),"
        " problems: [...r.querySelectorAll('.intake-problem')].map(p => p.textContent)}))")


def x_click(app: Session, display: str, css: str) -> None:
    # No --sync: it waits for a motion event, which never comes when the pointer is already
    # there (a second click on the same spot); the X server keeps the move before the click.
    x, y = screen_center(app, css)
    xdo(display, "mousemove", str(x), str(y))
    xdo(display, "click", "1")


def test_a_drop_is_previewed_fixed_in_place_and_lands_with_its_fields(ui, sandbox, display, tmp_path, tools):
    app = ui
    api = sandbox[1]
    folder_id = new_folder(sandbox, "Intake")
    save_rules(app, folder_id)
    good = tmp_path / "FA_PRT-0412_Floral-Ditsy_Embroidery.png"
    bad = tmp_path / "SU_PRT-0413_Summer-Stripe_Weave.jpg"
    make_images([good, bad])
    # Embedded metadata as Photoshop writes it (XMP), on the valid file.
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-XMP-dc:Description=Ditsy florals, tossed",
                    "-XMP-dc:Subject=floral", "-XMP-dc:Subject=ditsy", "-XMP-dc:Creator=Zoë Martin", str(good)],
                   check=True, timeout=30)

    open_empty_folder(app, folder_id)
    drop_files(app, display, [good, bad], "#grid-scroller")
    app.wait_until(lambda: app.execute("return document.querySelector('#intake-dialog').open"), timeout=20,
                   what="the intake preview")
    app.wait_until(lambda: len(intake_rows(app)) == 2, what="two rows in the preview")
    rows = intake_rows(app)
    # The file the schema refuses comes first, with its artwork type flagged and why.
    assert rows[0]["file"] == bad.name, rows
    assert rows[0]["invalid"] == [f"Artwork Type of {bad.name}"], rows
    assert any("Weave" in p for p in rows[0]["problems"]), rows
    assert rows[1]["invalid"] == [], rows
    assert app.find("#intake-upload").prop("disabled") is True
    assert app.find("#intake-valid-only").prop("hidden") is False
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    x_screenshot(display, DOCS_SHOTS / "intake-preview.png")

    # Fixed in place: a click into the cell, its text replaced with the keyboard, Tab to leave.
    cell = f'#intake-body tr[data-row="{rows[0]["row"]}"] .intake-cell.invalid input'
    x_click(app, display, cell)
    xdo(display, "key", "ctrl+a")
    xdo(display, "type", "--delay", "20", "print")
    xdo(display, "key", "Tab")
    app.wait_until(lambda: not any(r["invalid"] for r in intake_rows(app)), what="the fixed cell to be valid")
    app.wait_until(lambda: app.find("#intake-upload").prop("disabled") is False, what="Upload to be enabled")
    assert app.find("#intake-upload").text == "Upload 2 files"
    x_click(app, display, "#intake-upload")
    app.wait_until(lambda: not app.execute("return document.querySelector('#intake-dialog').open"),
                   what="the preview to close")

    def landed():
        headers = api.all_headers(folder_id)
        done = [h for h in headers if h.get("files")]
        return headers if len(done) == 2 else None
    headers = app.wait_until(landed, timeout=60, what="both images with their files in the sandbox")
    by_number = {h["headerNumber"]: h for h in headers}
    assert set(by_number) == {"PRT-0412", "PRT-0413"}, by_number.keys()
    floral, stripe = by_number["PRT-0412"], by_number["PRT-0413"]
    assert floral["headerName"] == "Floral Ditsy"
    assert stripe["headerName"] == "Summer Stripe"
    # Codes in the names (FA, SU) and a label typed in another case ("print") are the folder's choices.
    assert field_value(floral, "season") == "Fall" and field_value(stripe, "season") == "Summer"
    assert field_value(floral, "artwork_type") == "Embroidery"
    assert field_value(stripe, "artwork_type") == "Print"
    assert field_value(floral, "description") == "Ditsy florals, tossed"
    assert field_value(floral, "designer") == "Zoë Martin"
    assert sorted(field_value(floral, "keywords") or []) == ["ditsy", "floral"]
    assert not field_value(stripe, "description")


def clipboard(display: str, target: str, data: bytes) -> subprocess.Popen:
    """Owns the X clipboard with `data` as `target`, like an app that copied it (xclip serves it
    until killed)."""
    proc = subprocess.Popen(["xclip", "-quiet", "-selection", "clipboard", "-t", target, "-i"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=os.environ | {"DISPLAY": display})
    assert proc.stdin
    proc.stdin.write(data)
    proc.stdin.close()
    env = os.environ | {"DISPLAY": display}
    # Owned once xclip answers for it: the targets list names `target`.
    for _ in range(50):
        listed = subprocess.run(["xclip", "-o", "-selection", "clipboard", "-t", "TARGETS"],
                                capture_output=True, text=True, timeout=5, env=env)
        if target in listed.stdout:
            return proc
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"xclip did not take the clipboard with {target}")


def test_a_real_clipboard_paste_creates_images(ui, sandbox, display, tmp_path, tools):
    app = ui
    api = sandbox[1]
    folder_id = new_folder(sandbox, "Paste")
    open_empty_folder(app, folder_id)
    picture = tmp_path / "copied.png"
    copied_file = tmp_path / "From the file manager.png"
    make_images([picture, copied_file])

    # 1. Image data (a screenshot, "Copy image" in another app), pasted on the grid.
    owner = clipboard(display, "image/png", picture.read_bytes())
    try:
        x_click(app, display, "#grid-scroller")
        xdo(display, "key", "ctrl+v")
        pasted = app.wait_until(lambda: [h for h in api.all_headers(folder_id) if h.get("files")] or None,
                                timeout=60, what="the pasted image in the sandbox")
    finally:
        owner.kill()
    assert len(pasted) == 1
    assert pasted[0]["headerNumber"].startswith("Pasted image "), pasted[0]["headerNumber"]

    # 2. A file copied in a file manager (a URI list), pasted like a drop: its own name.
    owner = clipboard(display, "text/uri-list", copied_file.as_uri().encode() + b"\r\n")
    try:
        x_click(app, display, "#grid-scroller")
        xdo(display, "key", "ctrl+v")
        app.wait_until(lambda: any(h["headerNumber"] == copied_file.stem and h.get("files")
                                   for h in api.all_headers(folder_id)),
                       timeout=60, what="the pasted file as an image named after it")
    finally:
        owner.kill()

    # Pasting into a text field stays text: no upload.
    owner = clipboard(display, "UTF8_STRING", b"SS27 florals")
    try:
        x_click(app, display, "#search")
        xdo(display, "key", "ctrl+v")
        app.wait_until(lambda: app.find("#search").prop("value") == "SS27 florals", what="the text in the search box")
    finally:
        owner.kill()
    assert api.count(folder_id, []) == 2


def menu_item(app: Session, text: str) -> str:
    """A selector for the open menu's item whose text is `text`."""
    found = app.execute("const i = [...document.querySelectorAll('.bulk-menu:not([hidden]) [role^=\"menuitem\"]')]"
                        ".find(i => i.textContent.trim() === arguments[0]); if (!i) return false;"
                        "i.dataset.e2e = 'item'; return true;", text)
    assert found, f"no menu item {text!r}"
    return '.bulk-menu:not([hidden]) [data-e2e="item"]'


def test_a_hot_folder_uploads_what_appears_with_the_folders_rules(ui, sandbox, display, tmp_path, tools):
    app = ui
    api = sandbox[1]
    folder_id = new_folder(sandbox, "Hot")
    save_rules(app, folder_id)
    watched = tmp_path / "Drop here"
    watched.mkdir()
    open_empty_folder(app, folder_id)

    # The folder "⋯" menu → "Watch a local folder…" → the native folder chooser, answered.
    x_click(app, display, "#folder-menu-button")
    app.wait_for(".bulk-menu:not([hidden]) [role^='menuitem']")
    x_click(app, display, menu_item(app, "Watch a local folder…"))
    answer_folder_dialog(display, "Watch a folder", watched)
    entry = "#hot-folders .hot-folder"
    try:
        app.wait_for(entry, timeout=20)
    except TimeoutError:
        pytest.fail(f"no hot folder in the sidebar; the app said: {app.find('#toast').text!r}")
    assert app.execute("return document.querySelector(arguments[0]).textContent", entry + " .hot-folder-name") == "Drop here"

    # A designer saves two files into it: one the rule reads, one the folder's fields refuse.
    good_tmp, bad_tmp = tmp_path / "good.png", tmp_path / "bad.png"
    make_images([good_tmp, bad_tmp])
    good_tmp.rename(watched / "HO_PRT-0777_Snow-Flake_Graphic.png")
    bad_tmp.rename(watched / "HO_PRT-0778_Ice_Crochet.png")
    app.wait_until(lambda: any(h["headerNumber"] == "PRT-0777" and h.get("files") for h in api.all_headers(folder_id)),
                   timeout=60, what="the rule-named image from the hot folder")
    note = watched / "_rejected" / "HO_PRT-0778_Ice_Crochet.png.txt"
    app.wait_until(note.exists, timeout=30, what="the refused file in _rejected with its note")
    assert "Crochet" in note.read_text(), note.read_text()
    assert (watched / "_rejected" / "HO_PRT-0778_Ice_Crochet.png").exists()
    state_text = lambda: app.execute("return document.querySelector(arguments[0]).textContent", entry + " .hot-folder-state")  # noqa: E731
    app.wait_until(lambda: state_text() == "Watching · 1 uploaded · 1 rejected", timeout=30,
                   what="the sidebar counts")
    x_screenshot(display, Path(os.environ.get("BP_ARTIFACTS", "tests/artifacts")) / "hot-folder-sidebar.png")
    image = next(h for h in api.all_headers(folder_id) if h["headerNumber"] == "PRT-0777")
    assert image["headerName"] == "Snow Flake"
    assert field_value(image, "season") == "Holiday" and field_value(image, "artwork_type") == "Graphic"
    assert api.count(folder_id, []) == 1

    # Stop watching: confirmed, the entry goes, files stay.
    x_click(app, display, entry + " .hot-folder-remove")
    app.wait_for("#confirm-dialog[open]")
    x_click(app, display, "#confirm-ok")
    app.wait_until(lambda: not app.exists(entry), what="the hot folder to leave the sidebar")


def test_the_rules_dialog_tests_a_name_and_saves_the_rule(ui, sandbox, display, tools):
    app = ui
    folder_id = new_folder(sandbox, "Rules")
    open_empty_folder(app, folder_id)
    x_click(app, display, "#folder-menu-button")
    app.wait_for(".bulk-menu:not([hidden]) [role^='menuitem']")
    x_click(app, display, menu_item(app, "Naming rules and metadata…"))
    app.wait_for("#rules-dialog[open]")
    app.wait_until(lambda: app.execute("return document.querySelector('#rules-dialog').getBoundingClientRect().width > 0"),
                   what="the dialog laid out")
    # The option's label (a wider target than the radio's 13 px).
    app.execute("document.querySelector('#rules-kind-pattern').closest('label').dataset.e2e = 'pattern'")
    x_click(app, display, 'label[data-e2e="pattern"]')
    app.wait_until(lambda: app.find("#rules-pattern-group").prop("hidden") is False, what="the pattern box")
    x_click(app, display, "#rules-pattern")
    xdo(display, "type", "--delay", "10", "{season}_{header_number}_{header_name}")
    x_click(app, display, "#rules-sample")
    xdo(display, "type", "--delay", "10", "HO_PRT-9_Winter-Bloom.png")
    result = lambda: app.execute("return document.querySelector('#rules-result').textContent")  # noqa: E731
    try:
        app.wait_until(lambda: "Winter Bloom" in result() and "Holiday" in result(), what="the test box's answer")
    except TimeoutError:
        pattern = app.execute("return document.querySelector('#rules-pattern').value")
        pytest.fail(f"the test box says {result()!r} for the pattern {pattern!r}")
    # A season the folder does not have is flagged with the reason.
    xdo(display, "key", "ctrl+a")
    xdo(display, "type", "--delay", "10", "XX_PRT-9_Winter.png")
    app.wait_until(lambda: app.exists("#rules-result dd.invalid"), what="the refused season flagged")
    x_click(app, display, "#rules-save")
    try:
        app.wait_until(lambda: not app.exists("#rules-dialog[open]"), what="the dialog to close")
    except TimeoutError:
        said = app.execute("return document.querySelector('#rules-message').textContent")
        x_screenshot(display, Path(os.environ.get("BP_ARTIFACTS", "tests/artifacts")) / "rules-dialog.png")
        pytest.fail(f"the rules dialog stayed open; it says {said!r}")
    saved = app.invoke("intake_settings", {"folderId": folder_id})["ok"]
    assert saved["rule"] == {"kind": "pattern", "pattern": "{season}_{header_number}_{header_name}", "dashAsSpace": True}, saved


def test_a_paste_in_the_open_images_panel_is_a_new_version(ui, sandbox, display, tmp_path, tools):
    app = ui
    base, api = sandbox
    folder_id = new_folder(sandbox, "Version paste")
    image = api.create(folder_id, {"header_number": "VP-1", "header_name": "Version paste"})
    reload(app)
    choose_folder(app, folder_id)
    wait_count(app, 1)
    bring_to_front(app)
    x_click(app, display, f'#grid .card[data-image-id="{image["id"]}"]')
    app.wait_until(lambda: app.execute("return document.querySelector('#detail').classList.contains('is-empty')") is False,
                   what="the image's panel")
    picture = tmp_path / "new-version.png"
    make_images([picture])
    owner = clipboard(display, "image/png", picture.read_bytes())
    try:
        x_click(app, display, "#detail .detail-titles")
        xdo(display, "key", "ctrl+v")
        app.wait_until(lambda: len(api.header(image["id"]).get("files") or []) == 1, timeout=60,
                       what="the pasted file as the image's new version")
    finally:
        owner.kill()
    assert api.count(folder_id, []) == 1, "no new image was created"
