"""End-to-end tests of the real app (tauri-driver + WebKitWebDriver) against a real bp-sandbox.
Every result the UI shows is checked against the sandbox's own API."""

from __future__ import annotations

import re
import uuid

from conftest import choose_folder, reload
from sandbox_api import field_value
from webdriver import KEYS, Session

HOSTILE = "<img src=x onerror=alert(1)>"


def match_count(app: Session) -> int | None:
    text = app.find("#match-count").text
    m = re.match(r"([\d,]+) images?$", text.strip())
    return int(m.group(1).replace(",", "")) if m else None


def wait_count(app: Session, expected: int, timeout: float = 15) -> None:
    app.wait_until(lambda: match_count(app) == expected, timeout, what=f"#match-count to say {expected} (now {match_count(app)!r})")


def card_ids(app: Session) -> list[str]:
    return app.execute("return [...document.querySelectorAll('#grid .card[data-image-id]')].map(c => c.dataset.imageId)")


def wait_thumbnails(app: Session) -> None:
    """Waits until the previews on screen have loaded, so screenshots show real thumbnails."""
    app.wait_until(lambda: app.execute(
        "const r = document.querySelector('#grid-scroller').getBoundingClientRect();"
        "return [...document.querySelectorAll('#grid img.card-preview[src], #detail img.detail-preview[src]')]"
        ".filter(i => { const b = i.getBoundingClientRect(); return b.bottom > r.top && b.top < r.bottom; })"
        ".every(i => i.complete && (i.naturalWidth > 0 || i.classList.contains('is-broken')));"),
        timeout=15, what="thumbnails to load")
    # Decode and paint them too: software rendering shows loaded images a moment later.
    app.execute_async(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([...document.querySelectorAll('img.card-preview[src], img.detail-preview[src]')].slice(0, 40)"
        ".map(i => i.decode().catch(() => null)))"
        ".then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));")


def open_card(app: Session, image_id: str) -> None:
    # Retried: a card found just before the grid swaps in fresh cards goes stale.
    app.wait_until(lambda: app.find(f'#grid .card[data-image-id="{image_id}"]').click() or True,
                   what=f"a click on card {image_id}")
    app.wait_until(lambda: app.find("#detail-body").prop("hidden") is False and app.exists('#image-form [data-field-id="header_number"]'),
                   what="the detail form")
    app.wait_until(lambda: app.find('#image-form [data-field-id="header_number"]').prop("value") == app.execute(
        "return document.querySelector(arguments[0]).querySelector('.card-number').textContent",
        f'#grid .card[data-image-id="{image_id}"]'), what="the form to show the chosen image")


def set_value(app: Session, css: str, value: str) -> None:
    el = app.find(css)
    el.clear()
    el.send_keys(value)


def select_option(app: Session, css: str, value: str) -> None:
    """Chooses an option by clicking it, as a user would. Some native drivers cannot click
    <option> of a closed drop-down; then the option is chosen with the same events a user causes."""
    try:
        app.find(f'{css} option[value="{value}"]').click()
    except Exception:  # noqa: BLE001 - any driver refusal falls through to the scripted choice
        pass
    if app.find(css).prop("value") != value:
        app.execute("const s = document.querySelector(arguments[0]); s.value = arguments[1];"
                    "s.dispatchEvent(new Event('input', {bubbles: true})); s.dispatchEvent(new Event('change', {bubbles: true}));",
                    css, value)
    app.wait_until(lambda: app.find(css).prop("value") == value, what=f"{css} = {value}")


def test_grid_shows_the_folder_and_the_detail(ui, sandbox, artifacts):
    api = sandbox[1]
    prints = api.folder("Prints")
    total = api.count(prints["id"], [])
    wait_count(ui, total)
    ids = card_ids(ui)
    assert total > 0 and len(ids) == min(total, 60)
    first = api.header(ids[0])
    # Read the card in one script: the grid may still swap in freshly loaded cards.
    shown = ui.execute(
        "const c = document.querySelector(arguments[0]);"
        "return [c.querySelector('.card-number').textContent, c.querySelector('.card-name').textContent];",
        f'#grid .card[data-image-id="{ids[0]}"]',
    )
    assert shown == [first["headerNumber"], first["headerName"]]
    assert ui.exists(f'#grid .card[data-image-id="{ids[0]}"] img.card-preview')
    open_card(ui, ids[0])
    assert ui.find("#detail-number").text == first["headerNumber"]
    # Read-only and required fields are marked as the DOM contract says.
    assert ui.find('#image-form [data-field-id="created_by"]').prop("readOnly") is True
    assert ui.find('#image-form [data-field-id="header_name"]').prop("required") is True
    assert ui.find("#save").prop("disabled") is True
    wait_thumbnails(ui)
    ui.screenshot(artifacts / "main.png")


def test_scrolling_loads_the_next_page(ui, sandbox):
    """A folder bigger than one page: the grid is as tall as all of it, a jump to the end loads the
    last page (not every page before it), only the cards near the viewport are in the DOM, none twice."""
    import requests

    api = sandbox[1]
    graphics = api.folder("Graphics")
    total = api.count(graphics["id"], [])
    if total <= 130:
        # Fill the folder through the sandbox's own seeding hook (not through the UI).
        requests.post(f"{sandbox[0]}/__sandbox/seed-images", json={"folderId": graphics["id"], "n": 131 - total},
                      timeout=60).raise_for_status()
        total = api.count(graphics["id"], [])
    choose_folder(ui, graphics["id"])
    wait_count(ui, total)
    first = card_ids(ui)
    assert 0 < len(first) < total, "everything was put in the DOM at once"
    scroll = "const s = document.querySelector('#grid-scroller'); return [s.scrollHeight, s.clientHeight]"
    height, viewport = ui.execute(scroll)
    assert height > 3 * viewport, f"the scrollbar does not reflect {total} images (height {height})"
    ui.execute("document.querySelector('#grid-scroller').scrollTop = 1e9")
    last = f'#grid .card[data-image-id][aria-posinset="{total}"]'
    ui.wait_until(lambda: ui.exists(last), timeout=20, what="the last card after a jump to the end")
    ids = card_ids(ui)
    assert len(ids) == len(set(ids)), "a card was rendered twice"
    assert not set(ids) & set(first[:4]), "the top cards stayed in the DOM"
    assert len(ids) < total


def test_quick_search_by_number(ui, sandbox, artifacts):
    api = sandbox[1]
    prints = api.folder("Prints")
    target = api.all_headers(prints["id"])[3]
    number = target["headerNumber"]
    ui.find("#search").send_keys(number)
    by_number = {h["id"] for h in api.search(prints["id"], [{"field": "header_number", "operator": "Contains", "value": number}], 500)["result"]}
    by_name = {h["id"] for h in api.search(prints["id"], [{"field": "header_name", "operator": "Contains", "value": number}], 500)["result"]}
    expected = len(by_number | by_name)
    wait_count(ui, expected)
    ui.wait_until(lambda: set(card_ids(ui)) == by_number | by_name, what="the cards to be the matches")
    assert target["id"] in card_ids(ui)
    wait_thumbnails(ui)
    ui.screenshot(artifacts / "search.png")


def test_filter_dropdown_equals(ui, sandbox):
    api = sandbox[1]
    prints = api.folder("Prints")
    ui.find("#filter-add").click()
    row = ui.wait_for("#filters .filter-row")
    select_option(ui, "#filters .filter-row select.filter-field", "artwork_type")
    # A DropDown offers the operators Rust gives a choice field: any of / none of / empty.
    ops = [o.text for o in row.find_all("select.filter-op option")]
    assert ops == ["is any of", "is none of", "is empty", "is not empty"], ops
    select_option(ui, "#filters .filter-row select.filter-op", "in")
    select_option(ui, "#filters .filter-row select.filter-value", "Print")
    expected = api.count(prints["id"], [{"field": "artwork_type", "operator": "Eq", "value": "Print"}])
    assert expected > 0
    wait_count(ui, expected)
    for image_id in card_ids(ui)[:10]:
        assert field_value(api.header(image_id), "artwork_type") == "Print"
    # Removing the filter brings the whole folder back.
    row.find(".filter-remove").click()
    wait_count(ui, api.count(prints["id"], []))


def test_edit_dropdown_truefalse_and_text_then_save(ui, sandbox):
    api = sandbox[1]
    image_id = card_ids(ui)[1]
    before = api.header(image_id)
    open_card(ui, image_id)
    new_type = "Embroidery" if field_value(before, "artwork_type") != "Embroidery" else "Graphic"
    was_repeat = field_value(before, "repeat") == "Yes"
    designer = f"Ada {uuid.uuid4().hex[:6]}"
    select_option(ui, '#image-form select[data-field-id="artwork_type"]', new_type)
    ui.find('#image-form input[type=checkbox][data-field-id="repeat"]').click()
    set_value(ui, '#image-form input[data-field-id="designer"]', designer)
    assert not ui.find("#dirty-marker").prop("hidden")
    assert ui.find("#save").prop("disabled") is False
    ui.find("#save").click()
    ui.wait_until(lambda: ui.find("#save").prop("disabled") is True and ui.find("#dirty-marker").prop("hidden") is True,
                  what="the save to finish")
    after = api.header(image_id)
    assert field_value(after, "artwork_type") == new_type
    assert field_value(after, "repeat") == ("No" if was_repeat else "Yes")
    assert field_value(after, "designer") == designer
    assert field_value(after, "header_name") == field_value(before, "header_name"), "an untouched field changed"
    assert "error" not in (ui.find("#toast").attribute("class") or "")


def test_create_image_appears_first(ui, sandbox):
    api = sandbox[1]
    prints = api.folder("Prints")
    before = api.count(prints["id"], [])
    number = f"E2E-{uuid.uuid4().hex[:8].upper()}"
    ui.find("#new-image").click()
    ui.wait_for('#image-form input[data-field-id="header_number"]')
    # Required fields are enforced before anything is sent.
    ui.find("#save").click()
    ui.wait_for(".field-error")
    set_value(ui, '#image-form input[data-field-id="header_number"]', number)
    set_value(ui, '#image-form input[data-field-id="header_name"]', "Created by e2e")
    ui.find("#save").click()
    ui.wait_until(lambda: card_ids(ui) and ui.find("#grid .card .card-number").text == number, what="the new card first in the grid")
    found = api.search(prints["id"], [{"field": "header_number", "operator": "Eq", "value": number}], 5)
    assert found["total"] == 1 and found["result"][0]["headerName"] == "Created by e2e"
    assert card_ids(ui)[0] == found["result"][0]["id"]
    wait_count(ui, before + 1)
    assert ui.find("#detail-number").text == number


def test_delete_with_confirmation(ui, sandbox):
    api = sandbox[1]
    prints = api.folder("Prints")
    victim = api.create(prints["id"], {"header_number": f"DEL-{uuid.uuid4().hex[:6]}", "header_name": "Front “print” & <b>co</b>"})
    reload(ui)
    choose_folder(ui, prints["id"])
    open_card(ui, victim["id"])
    ui.find("#delete").click()
    dialog = ui.wait_for("#confirm-dialog[open]")
    message = ui.find("#confirm-message").text
    assert message == f"Delete {victim['headerNumber']} “Front “print” & <b>co</b>”? This cannot be undone."
    # Cancel keeps it.
    ui.find("#confirm-cancel").click()
    ui.wait_gone("#confirm-dialog[open]")
    assert victim["id"] in card_ids(ui)
    # The Delete key on the selected card asks again; OK deletes.
    ui.find(f'#grid .card[data-image-id="{victim["id"]}"]').click()
    ui.keys(KEYS["DELETE"])
    ui.wait_for("#confirm-dialog[open]")
    assert dialog.prop("open") is True
    ui.find("#confirm-ok").click()
    ui.wait_until(lambda: victim["id"] not in card_ids(ui), what="the card to disappear")
    assert api.header_response(victim["id"]).status_code == 404


def test_number_field_refuses_text_client_side(ui, sandbox, artifacts):
    api = sandbox[1]
    image_id = card_ids(ui)[2]
    before = api.header(image_id)
    open_card(ui, image_id)
    width = ui.find('#image-form input[data-field-id="width_px"]')
    width.clear()
    width.send_keys("12abc")
    ui.find('#image-form input[data-field-id="designer"]').send_keys(" x")
    ui.find("#save").click()
    err = ui.wait_for('[data-field-row="width_px"] .field-error')
    assert "number" in err.text.lower()
    wait_thumbnails(ui)
    ui.screenshot(artifacts / "form-error.png")
    assert api.header(image_id)["modifiedAt"] == before["modifiedAt"], "nothing may be sent while the form is invalid"


def test_server_refusal_is_shown_and_edits_kept(ui, sandbox):
    api = sandbox[1]
    ids = card_ids(ui)
    image_id, other_id = ids[4], ids[5]
    open_card(ui, image_id)
    # Another image's number: only the server knows it is taken, and it answers 400 naming it.
    taken = api.header(other_id)["headerNumber"]
    set_value(ui, '#image-form input[data-field-id="header_number"]', taken)
    set_value(ui, '#image-form input[data-field-id="designer"]', "kept after failure")
    ui.find("#save").click()
    toast = ui.wait_for("#toast.toast-error")
    ui.wait_until(lambda: "already used" in toast.text.lower(), what="the server's reason in the toast")
    assert ui.find('#image-form input[data-field-id="designer"]').prop("value") == "kept after failure"
    error = ui.find('[data-field-row="header_number"] .field-error')
    assert "already used" in error.text, f"the server's own reason for the field, not its title: {error.text!r}"
    assert ui.find("#dirty-marker").prop("hidden") is False
    assert field_value(api.header(image_id), "designer") != "kept after failure"
    # Details on demand show the error kind.
    toast.find("button.link-button").click()
    assert "kind:" in ui.find("#toast .toast-details").text


def test_hostile_value_is_shown_as_text(ui, sandbox):
    api = sandbox[1]
    image_id = card_ids(ui)[5]
    open_card(ui, image_id)
    set_value(ui, '#image-form input[data-field-id="header_name"]', HOSTILE)
    set_value(ui, '#image-form input[data-field-id="designer"]', HOSTILE)
    ui.keys(KEYS["CONTROL"], "s")  # Ctrl+S saves from inside the form
    ui.wait_until(lambda: ui.find("#dirty-marker").prop("hidden") is True, what="the save")
    assert field_value(api.header(image_id), "designer") == HOSTILE
    card_name = ui.execute("return document.querySelector(arguments[0]).textContent", f'.card[data-image-id="{image_id}"] .card-name')
    assert card_name == HOSTILE
    assert ui.find("#detail-name").text == HOSTILE
    assert not ui.exists("img[src=x]") and not ui.exists('img[src="x"]')
    assert ui.execute("return window.__pwned === undefined")


def test_keyboard_navigation_and_search_shortcut(ui):
    ids = card_ids(ui)
    ui.find(f'#grid .card[data-image-id="{ids[0]}"]').click()
    ui.keys(KEYS["ARROW_RIGHT"])
    ui.wait_until(lambda: ui.execute("return document.activeElement.dataset.imageId") == ids[1], what="ArrowRight to move")
    ui.keys(KEYS["ENTER"])
    ui.wait_until(lambda: ui.find('#image-form [data-field-id="header_number"]').prop("value") ==
                  ui.find(f'#grid .card[data-image-id="{ids[1]}"] .card-number').text, what="Enter to open")
    ui.execute("document.activeElement.blur()")
    ui.keys("/")
    ui.wait_until(lambda: ui.execute("return document.activeElement.id") == "search", what="/ to focus search")


def test_no_match_empty_state(ui, artifacts):
    ui.find("#search").send_keys("zz-no-such-image-zz")
    empty = ui.wait_for("#grid-empty:not([hidden])")
    ui.wait_until(lambda: "No images match" in empty.text, what="the empty state")
    assert match_count(ui) == 0
    ui.screenshot(artifacts / "empty-state.png")
    ui.find("#search").send_keys(KEYS["ESCAPE"])
    ui.wait_until(lambda: card_ids(ui), what="Escape to clear the search")


def test_connect_dialog(ui, artifacts):
    ui.find("#connect-button").click()
    ui.wait_for("#connect-dialog[open]")
    assert ui.find('#connect-form input[name="clientSecret"]').attribute("type") == "password"
    assert ui.find('#connect-form input[name="refreshToken"]').attribute("type") == "password"
    # Missing fields are named before anything is sent.
    ui.find("#connect-test").click()
    ui.wait_until(lambda: "client secret" in ui.find("#connect-message").text, what="the missing-fields message")
    set_value(ui, '#connect-form input[name="companyDomain"]', "acme")
    ui.find('#connect-form input[name="clientSecret"]').send_keys("typed-secret")
    ui.screenshot(artifacts / "connect.png")
    ui.find("#connect-close").click()
    ui.wait_gone("#connect-dialog[open]")
    assert ui.find('#connect-form input[name="clientSecret"]').prop("value") == "", "the secret must not stay in the DOM"


def test_about_box_shows_the_workspace_version(ui):
    from pathlib import Path

    cargo = (Path(__file__).resolve().parents[2] / "Cargo.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    ui.find("#about-button").click()
    ui.wait_for("#about-dialog[open]")
    ui.wait_until(lambda: ui.find("#about-version").text == f"BeProduct Images {version}",
                  what=f"the About box to show version {version}")
    ui.find("#about-close").click()
    ui.wait_gone("#about-dialog[open]")


def test_without_credentials_uses_embedded_sandbox(fresh_app, artifacts):
    badge = fresh_app.wait_for("#mode-badge")
    fresh_app.wait_until(lambda: "Sandbox" in badge.text, timeout=30, what="the sandbox badge")
    fresh_app.wait_until(lambda: fresh_app.exists("#grid .card[data-image-id]"), timeout=30, what="the demo grid")
    assert fresh_app.find("#grid .card .card-number").text.strip()
    wait_thumbnails(fresh_app)
    fresh_app.screenshot(artifacts / "sandbox-mode.png")


SHIFT = "\ue008"


def click_with(app: Session, modifier: str, css: str) -> None:
    """A real click on `css` with `modifier` (Shift, Control) held (W3C actions)."""
    el = app.find(css)
    app.post("actions", {"actions": [
        {"type": "key", "id": "kb", "actions": [{"type": "keyDown", "value": modifier}, {"type": "pause"}, {"type": "pause"}, {"type": "keyUp", "value": modifier}]},
        {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "origin": {"element-6066-11e4-a52e-4f735466cecf": el.id}, "x": 0, "y": 0},
            {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})
    app._call("DELETE", "actions")


def test_multi_selection_with_clicks_and_keys(ui, sandbox):
    api = sandbox[1]
    prints = api.folder("Prints")
    choose_folder(ui, prints["id"])
    total = api.count(prints["id"], [])
    wait_count(ui, total)
    ids = card_ids(ui)
    selected = lambda: ui.execute("return [...document.querySelectorAll('#grid .card.selected[aria-selected=\"true\"]')].map(c => c.dataset.imageId)")
    assert ui.find("#grid").attribute("aria-multiselectable") == "true"
    ui.find(f'#grid .card[data-image-id="{ids[1]}"]').click()
    ui.wait_until(lambda: selected() == [ids[1]], what="a plain click to select one")
    click_with(ui, SHIFT, f'#grid .card[data-image-id="{ids[4]}"]')
    ui.wait_until(lambda: selected() == ids[1:5], what="shift-click to select the range")
    click_with(ui, KEYS["CONTROL"], f'#grid .card[data-image-id="{ids[2]}"]')
    ui.wait_until(lambda: selected() == [ids[1], ids[3], ids[4]], what="ctrl-click to take one out")
    ui.keys(KEYS["CONTROL"], "a")
    ui.wait_until(lambda: set(selected()) == set(card_ids(ui)), what="Ctrl+A to select all")
    ui.keys(KEYS["ESCAPE"])
    ui.wait_until(lambda: selected() == [], what="Escape to clear the selection")
