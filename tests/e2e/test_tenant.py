"""A real tenant's fields through the real app window (issue 12): a user picker, a partner
picker, tag-style values, the image's tags and comments, and filters on a Users field and on a
date, each read back through the sandbox's own API."""
from __future__ import annotations

import json
import uuid
from datetime import date

from sandbox_api import field_value
from test_app import card_ids, open_card, select_option, set_value, wait_count, wait_thumbnails
from webdriver import Session

JORDAN = "a3285f15-f752-4959-831d-6402b51cacde"        # Jordan Blake, a demo user
PORTO = "cf68f08e-fbfc-45d8-9ee6-fa9b89e3b15d"         # Porto Malhas, a demo factory


def wait_suggestions(app: Session, field_id: str) -> None:
    app.wait_until(lambda: app.execute(
        "return document.querySelectorAll(`[data-field-row='${arguments[0]}'] datalist option`).length", field_id) > 0,
        what=f"the {field_id} suggestions")


def test_a_user_a_partner_tags_and_a_comment_set_in_the_window(ui, sandbox, artifacts):
    api = sandbox[1]
    image_id = card_ids(ui)[7]
    open_card(ui, image_id)
    wait_suggestions(ui, "tech_designer")
    # The server stores a user as an id; the picker shows the name.
    before = field_value(api.header(image_id), "tech_designer")
    shown = ui.find('#image-form input[data-field-id="tech_designer"]').prop("value")
    assert before is None or shown != before, f"the picker shows the id {shown!r}"

    set_value(ui, '#image-form input[data-field-id="tech_designer"]', "Jordan Blake")
    set_value(ui, '#image-form input[data-field-id="factory"]', "Porto Malhas")
    set_value(ui, '#image-form input[data-field-id="keywords"]', "floral, e2e-keyword")
    ui.find("#save").click()
    ui.wait_until(lambda: ui.find("#dirty-marker").prop("hidden") is True, what="the save to finish")
    after = api.header(image_id)
    assert JORDAN in json.dumps(field_value(after, "tech_designer")), field_value(after, "tech_designer")
    assert PORTO in json.dumps(field_value(after, "factory")), field_value(after, "factory")
    assert {"floral", "e2e-keyword"} <= set(field_value(after, "keywords") or []), field_value(after, "keywords")
    assert ui.find('#image-form input[data-field-id="tech_designer"]').prop("value") == "Jordan Blake"
    ui.execute("document.querySelector('[data-field-row=\"tech_designer\"]').scrollIntoView({block: 'center'})")
    wait_thumbnails(ui)
    ui.screenshot(artifacts / "tenant-pickers.png")

    # The image's tags: added by typing, removed with its chip's button.
    tag = f"e2e-{uuid.uuid4().hex[:6]}"
    set_value(ui, "#tag-input", tag)
    ui.find("#tag-form button[type=submit]").click()
    ui.wait_until(lambda: tag in [c.text.replace("×", "").strip() for c in ui.find_all("#tag-list .tag-chip")],
                  what="the new tag's chip")
    assert tag in api.tags(image_id)

    # A comment: written, shown with its author, read back from the server.
    text = f"Check the repeat at 64 cm ({uuid.uuid4().hex[:6]})"
    set_value(ui, "#comment-input", text)
    ui.find("#comment-form button[type=submit]").click()
    ui.wait_until(lambda: any(text in c.text for c in ui.find_all("#comment-list .comment")), what="the comment")
    assert any(c.get("body") == text for c in api.comments(image_id)), api.comments(image_id)
    wait_thumbnails(ui)
    ui.screenshot(artifacts / "tenant-form.png")

    ui.find(f'#tag-list .tag-chip button[aria-label="Remove tag {tag}"]').click()
    ui.wait_until(lambda: tag not in api.tags(image_id), what="the tag to be removed on the server")


def test_filters_on_a_users_field_and_on_a_day(ui, sandbox):
    api = sandbox[1]
    prints = api.folder("Prints")
    # By user: the options come from the tenant's users.
    ui.find("#filter-add").click()
    ui.wait_for("#filters .filter-row")
    select_option(ui, "#filters .filter-row select.filter-field", "tech_designer")
    ui.wait_until(lambda: ui.exists(f'#filters .filter-row select.filter-value option[value="{JORDAN}"]'),
                  what="the users in the filter")
    select_option(ui, "#filters .filter-row select.filter-value", JORDAN)
    expected = api.count(prints["id"], [{"field": "tech_designer", "operator": "Eq", "value": JORDAN}])
    assert expected > 0
    wait_count(ui, expected)
    for image_id in card_ids(ui)[:10]:
        assert field_value(api.header(image_id), "tech_designer") == JORDAN
    ui.find("#filters .filter-remove").click()

    # By day: a due date some image has, as a whole day in the user's zone (UTC here).
    days = [str(v)[:10] for h in api.all_headers(prints["id"]) if (v := field_value(h, "due_date"))]
    day = days[0]
    ui.find("#filter-add").click()
    ui.wait_for("#filters .filter-row")
    select_option(ui, "#filters .filter-row select.filter-field", "due_date")
    select_option(ui, "#filters .filter-row select.filter-op", "is")
    ui.execute("const i = document.querySelector('#filters .filter-row input.filter-value'); i.value = arguments[0];"
               "i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true}));", day)
    wait_count(ui, days.count(day))
    date.fromisoformat(day)  # the day the sandbox sent is a real date
