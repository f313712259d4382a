"""Many images at once, end to end with REAL X input (xdotool under Xvfb): clicks and
Shift-clicks select a range, the bulk-edit dialog changes two fields, Undo brings the old values
back; a folder exported to CSV through the native save dialog, edited, and dropped back on the
window changes exactly the edited cells. Every result is checked against the sandbox's own API.
Each test works in a folder of its own (made through the sandbox's test hook), so the shared
demo folders stay as the other tests expect them."""

from __future__ import annotations

import csv
import shutil
import uuid

import pytest

from conftest import choose_folder, reload
from native_drop import answer_file_dialog, bring_to_front, drop_files, screen_center, x_screenshot, xdo
from sandbox_api import create_folder, field_value
from test_app import card_ids, wait_count
from webdriver import Session

SHIFT = "shift"


@pytest.fixture()
def xdotool():
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is needed for real X input (Debian package xdotool)")


def x_click(app: Session, display: str, css: str, modifier: str | None = None) -> None:
    """A real X pointer click on the centre of `css`, with `modifier` held (xdotool key name)."""
    x, y = screen_center(app, css)
    xdo(display, "mousemove", "--sync", str(x), str(y))
    if modifier:
        xdo(display, "keydown", modifier, "click", "1", "keyup", modifier)
    else:
        xdo(display, "click", "1")


def folder_of_images(sandbox, tag: str, count: int) -> tuple[str, list[str]]:
    """A new folder with the Prints schema and `count` images; returns its id and their ids."""
    base, api = sandbox
    folder_id = create_folder(base, f"{tag} {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    ids = [api.create(folder_id, {"header_number": f"{tag}-{i:02d}", "header_name": f"{tag} print {i}",
                                  "designer": f"Designer {i}", "artwork_type": "Print"})["id"]
           for i in range(count)]
    return folder_id, ids


def open_folder(app: Session, folder_id: str, count: int) -> list[str]:
    reload(app)
    choose_folder(app, folder_id)
    wait_count(app, count)
    app.wait_until(lambda: len(card_ids(app)) == count, what=f"{count} cards")
    bring_to_front(app)
    return card_ids(app)


def selected(app: Session) -> list[str]:
    return app.execute("return [...document.querySelectorAll('#grid .card[aria-selected=\"true\"]')].map(c => c.dataset.imageId)")


def button_with_text(app: Session, scope: str, text: str) -> str:
    """A selector for the button of `scope` whose text is `text` (the panel's buttons have no ids)."""
    found = app.execute("const b = [...document.querySelectorAll(arguments[0] + ' button')].find(b => b.textContent === arguments[1]);"
                        "if (!b) return false; b.dataset.e2e = arguments[1]; return true;", scope, text)
    assert found, f"no {text!r} button in {scope}"
    return f'{scope} button[data-e2e="{text}"]'


def choose_with_keys(app: Session, display: str, css: str, value: str) -> None:
    """Chooses `value` in the <select> `css` with the keyboard (Home, then Down), as a user tabbing in would."""
    values = app.execute("const s = document.querySelector(arguments[0]); s.focus(); return [...s.options].map(o => o.value)", css)
    xdo(display, "key", "Home")
    for _ in range(values.index(value)):
        xdo(display, "key", "Down")
    app.wait_until(lambda: app.find(css).prop("value") == value, what=f"{value} chosen in {css}")


def wait_finished(app: Session, what: str) -> str:
    """Waits for the bulk panel's summary of a finished run; returns its title."""
    try:
        app.wait_until(lambda: app.find("#bulk-finished").prop("hidden") is False, timeout=30, what=f"{what} to finish")
    except TimeoutError as e:
        panel = app.execute("return [document.querySelector('#bulk-panel').outerHTML, document.querySelector('#toast').textContent]")
        raise TimeoutError(f"{e}; the bulk panel and toast: {panel}") from None
    return app.find("#bulk-finished .bulk-title").text


def fields_of(api, image_id: str) -> dict:
    """The image's field values as the sandbox has them, without those the server writes on
    every save (who modified it, and when)."""
    header = api.header(image_id)
    return {f["id"]: f.get("value") for f in header["headerData"]["fields"] if not f["id"].startswith("modified")}


def test_range_selected_with_real_clicks_is_bulk_edited_then_undone(app, sandbox, display, artifacts, xdotool):
    api = sandbox[1]
    folder_id, _ = folder_of_images(sandbox, "BULK", 8)
    ids = open_folder(app, folder_id, 8)
    before = {i: fields_of(api, i) for i in ids}

    # Click the second card, Shift-click the fifth: four selected.
    x_click(app, display, f'#grid .card[data-image-id="{ids[1]}"]')
    app.wait_until(lambda: selected(app) == [ids[1]], what="a click to select one card")
    x_click(app, display, f'#grid .card[data-image-id="{ids[4]}"]', SHIFT)
    app.wait_until(lambda: selected(app) == ids[1:5], what="Shift-click to select the range")
    app.wait_until(lambda: app.find("#bulk-count").text == "4 selected", what="the bar to say 4 selected")

    # Edit fields…: Designer is typed, Artwork Type chosen from its list.
    x_click(app, display, "#bulk-edit-button")
    app.wait_for("#bulk-edit-dialog[open]")
    designer = f"Bulk {uuid.uuid4().hex[:6]}"
    for field_id in ("designer", "artwork_type"):
        choose_with_keys(app, display, "#bulk-add-select", field_id)
        x_click(app, display, "#bulk-add-button")
        app.wait_for(f'#bulk-edit-rows .bulk-row[data-field-id="{field_id}"]')
    designer_css = '#bulk-edit-rows .bulk-row[data-field-id="designer"] .bulk-row-value input'
    x_click(app, display, designer_css)
    xdo(display, "type", "--delay", "20", designer)
    app.wait_until(lambda: app.find(designer_css).prop("value") == designer, what="the typed designer")
    target = "Embroidery"
    choose_with_keys(app, display, '#bulk-edit-rows .bulk-row[data-field-id="artwork_type"] .bulk-row-value select', target)

    x_click(app, display, "#bulk-edit-preview")
    app.wait_until(lambda: app.find("#bulk-edit-apply").prop("hidden") is False, what="the preview")
    headline = app.find("#bulk-edit-step-preview .bulk-headline").text
    assert "4" in headline, headline
    app.screenshot(artifacts / "bulk-edit-preview.png")
    x_click(app, display, "#bulk-edit-apply")
    app.wait_gone("#bulk-edit-dialog[open]")
    title = wait_finished(app, "the bulk edit")
    assert "fail" not in title.lower(), title
    app.screenshot(artifacts / "bulk-edit-finished.png")

    for i, image_id in enumerate(ids):
        now = fields_of(api, image_id)
        if 1 <= i <= 4:
            assert now["designer"] == designer and now["artwork_type"] == target, (i, now)
            assert {k: v for k, v in now.items() if k not in ("designer", "artwork_type")} == \
                {k: v for k, v in before[image_id].items() if k not in ("designer", "artwork_type")}, f"image {i}: an untouched field changed"
        else:
            assert now == before[image_id], f"image {i} was not selected but changed"

    # Undo (it asks first) gives the four their previous values back.
    x_click(app, display, button_with_text(app, "#bulk-finished", "Undo"))
    app.wait_for("#confirm-dialog[open]")
    x_click(app, display, "#confirm-ok")
    app.wait_until(lambda: all(fields_of(api, i) == before[i] for i in ids), timeout=30, what="Undo to restore every image")


def test_csv_exported_edited_and_dropped_back_round_trips(app, sandbox, display, artifacts, tmp_path, xdotool):
    api = sandbox[1]
    folder_id, _ = folder_of_images(sandbox, "SHEET", 5)
    ids = open_folder(app, folder_id, 5)
    before = {i: fields_of(api, i) for i in ids}
    labels = {f["fieldId"]: f["fieldName"] for f in api.schema(folder_id)}

    # The toolbar's "⋯" menu → Export this folder to CSV… → the native save dialog.
    x_click(app, display, "#folder-menu-button")
    app.wait_until(lambda: app.exists('.bulk-menu:not([hidden]) [role="menuitem"]'), what="the folder menu")
    item = app.execute("const i = [...document.querySelectorAll('.bulk-menu:not([hidden]) [role=\"menuitem\"]')]"
                       ".find(i => /^Export .* to CSV/.test(i.textContent)); if (!i) return null;"
                       "i.dataset.e2e = 'export-csv'; return i.textContent;")
    assert item, "no CSV export in the folder menu"
    x_click(app, display, '[data-e2e="export-csv"]')
    exported = tmp_path / "exported sheet.csv"
    answer_file_dialog(display, "Export images", exported, save=True)
    app.wait_until(lambda: exported.exists() and "Exported 5 rows" in app.find("#toast").text, timeout=20,
                   what="the export to be written and reported")

    raw = exported.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV has no UTF-8 BOM (Excel would misread it)"
    with exported.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    number_col, designer_col = header.index(labels["header_number"]), header.index(labels["designer"])
    numbers = {field_value(api.header(i), "header_number"): i for i in ids}
    assert sorted(r[number_col] for r in body) == sorted(numbers), "the export does not list the folder's images"

    # Edit two designer cells, as a merchandiser would in a spreadsheet.
    edited = {}
    for row in body:
        if row[number_col] in ("SHEET-01", "SHEET-03"):
            row[designer_col] = f"{row[designer_col]} (é, “edited”)"
            edited[numbers[row[number_col]]] = row[designer_col]
    changed = tmp_path / "edited.csv"
    with changed.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *body])

    # Dropped on the grid, the sheet is shown as a diff first; Apply runs it as a bulk edit.
    drop_files(app, display, [changed], "#grid-scroller")
    app.wait_for("#sheet-dialog[open]", timeout=20)
    app.wait_until(lambda: app.find("#sheet-apply").prop("disabled") is False, what="the import diff")
    assert "2" in app.find("#sheet-summary").text, app.find("#sheet-summary").text
    x_screenshot(display, artifacts / "sheet-import-diff.png")
    x_click(app, display, "#sheet-apply")
    app.wait_gone("#sheet-dialog[open]")
    title = wait_finished(app, "the import")
    assert "fail" not in title.lower(), title

    for image_id in ids:
        now = fields_of(api, image_id)
        if image_id in edited:
            assert now["designer"] == edited[image_id], now
            assert {k: v for k, v in now.items() if k != "designer"} == \
                {k: v for k, v in before[image_id].items() if k != "designer"}, "an unedited cell changed"
        else:
            assert now == before[image_id], "an unedited row changed"
