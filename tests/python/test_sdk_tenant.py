"""The official Python SDK's tenant methods beyond images against bp-sandbox: the search schema,
users, the partner directory, tags and comments, field types a real tenant has, filters on Users
and date fields, and ProblemDetails validation answers.
"""

import uuid

import pytest
from beproduct._exception import BeProductException

JORDAN = "a3285f15-f752-4959-831d-6402b51cacde"
MORGAN = "d11a7573-5a64-4aac-9aa7-e78b17ff8cff"
PORTO_FACTORY = "cf68f08e-fbfc-45d8-9ee6-fa9b89e3b15d"


def field_value(header: dict, field_id: str):
    for field in header["headerData"]["fields"]:
        if field["id"] == field_id:
            return field["value"]
    raise AssertionError(f"field {field_id!r} missing from header {header['id']}")


def test_folder_search_schema_lists_the_filterable_fields(sdk, folder_id):
    search = sdk.image.folder_search_schema(folder_id)
    by_id = {f["fieldId"]: f for f in search}
    assert {"header_number", "tech_designer", "factory", "approved_at", "due_date"} <= by_id.keys()
    assert by_id["tech_designer"]["fieldType"] == "Users"
    assert by_id["approved_at"]["fieldType"] == "DateTime"
    # Structured values are not filterable, so the search schema leaves them out.
    full = {f["fieldId"] for f in sdk.image.folder_schema(folder_id)}
    assert "content" in full and "content" not in by_id
    for field in search:
        assert {"fieldId", "fieldName", "fieldType", "required", "properties"} <= field.keys()


def test_user_list_has_the_tenants_users(sdk):
    users = sdk.user.user_list()
    assert isinstance(users, list) and len(users) >= 5
    by_id = {u["id"]: u for u in users}
    assert by_id[JORDAN]["firstName"] == "Jordan" and by_id[JORDAN]["email"].endswith("@example.com")
    assert any(u["username"] == "sandbox.user" for u in users)


def test_directory_list_pages_until_an_empty_page(sdk, sandbox):
    everything = list(sdk.directory.directory_list())
    assert len(everything) == 22
    assert len({c["id"] for c in everything}) == 22
    assert {c["partnerType"] for c in everything} == {"Factory", "Vendor", "Agent"}
    # A smaller page size walks more pages to the same list.
    assert [c["id"] for c in sdk.directory.directory_list(page_size=5)] == [c["id"] for c in everything]
    assert "Porto Malhas" in {c["name"] for c in everything}


def test_tags_add_list_and_remove(sdk, new_image):
    header_id = new_image()["id"]
    name = f"py-tag-{uuid.uuid4().hex[:6]}"
    created = sdk.image.tag_create(name)
    assert created["name"] == name and created["id"]
    assert name in {t["name"] for t in sdk.image.tag_list()}

    assert sdk.image.attributes_tag_list(header_id) == []
    added = sdk.image.attributes_tag_add(header_id, [name, "summer-drop"])
    assert sorted(t["name"] for t in added) == sorted([name, "summer-drop"])
    assert sorted(t["name"] for t in sdk.image.attributes_tag_list(header_id)) == sorted([name, "summer-drop"])

    left = sdk.image.attributes_tag_remove(header_id, [name])
    assert [t["name"] for t in left] == ["summer-drop"]
    assert [t["name"] for t in sdk.image.attributes_tag_list(header_id)] == ["summer-drop"]


def test_comments_add_edit_list_and_delete(sdk, new_image):
    header_id = new_image()["id"]
    assert sdk.image.attributes_comment_list(header_id) == []

    added = sdk.image.attributes_comment_add(header_id, "Colour is off on the strike-off")
    assert added["body"] == "Colour is off on the strike-off"
    assert added["from"]["name"] == "sandbox.user" and added["createdDate"].endswith("Z")

    edited = sdk.image.attributes_comment_edit(header_id, added["id"], "Colour is fine now")
    assert edited["id"] == added["id"] and edited["body"] == "Colour is fine now"
    thread = sdk.image.attributes_comment_list(header_id)
    assert [(c["id"], c["body"]) for c in thread] == [(added["id"], "Colour is fine now")]

    result = sdk.image.attributes_comment_delete(header_id, added["id"])
    assert result is not None  # the SDK parses a JSON body on DELETE too
    assert sdk.image.attributes_comment_list(header_id) == []
    with pytest.raises(BeProductException) as raised:
        sdk.image.attributes_comment_delete(header_id, added["id"])
    assert "Comment not found" in str(raised.value)


def test_real_field_types_are_set_and_read_back(sdk, new_image):
    header = new_image(
        tech_designer=JORDAN,
        factory={"code": PORTO_FACTORY},
        reviewers=[{"code": MORGAN}],
        keywords=["eco"],
        approved_at="2026-05-26T14:30:00Z",
        ink_coverage=35,
        exclude_from_linesheet="No",
        width_px=600,
        content=[{"code": "Cotton", "value": 100}],
    )
    assert field_value(header, "tech_designer") == JORDAN
    assert field_value(header, "factory") == {"value": "Porto Malhas", "code": PORTO_FACTORY, "text": "Porto Malhas"}
    assert field_value(header, "reviewers") == [{"value": "Morgan Lee", "code": MORGAN}]
    assert field_value(header, "keywords") == ["eco"]
    assert field_value(header, "approved_at") == "2026-05-26T14:30:00.000Z"
    assert field_value(header, "width_cm") == 5.08  # FormulaField: 600 px at 300 dpi


def test_filters_on_a_users_field_and_a_date(sdk, folder_id, new_image):
    marker = f"who{uuid.uuid4().hex[:8]}"
    jordan = new_image(header_name=f"{marker} J", tech_designer=JORDAN, approved_at="2026-03-02T09:00:00Z")
    morgan = new_image(header_name=f"{marker} M", tech_designer=MORGAN, approved_at="2026-03-03T09:00:00Z")
    mine = [{"field": "header_name", "operator": "Contains", "value": marker}]

    def found(filters):
        return {h["id"] for h in sdk.image.attributes_list(folder_id, filters=mine + filters)}

    assert found([{"field": "tech_designer", "operator": "Eq", "value": JORDAN}]) == {jordan["id"]}
    assert found([{"field": "tech_designer", "operator": "Eq", "value": f"{JORDAN}■{MORGAN}"}]) == {
        jordan["id"], morgan["id"]}
    # The SDK keeps a filter's type (Date) and sends ISO-8601 with Z.
    assert found([{"field": "approved_at", "operator": "Gte", "value": "2026-03-03T00:00:00Z",
                   "type": "Date"}]) == {morgan["id"]}
    assert found([{"field": "approved_at", "operator": "Lt", "value": "2026-03-03T00:00:00Z",
                   "type": "Date"}]) == {jordan["id"]}


def test_validation_errors_are_problem_details(sdk, new_image):
    header_id = new_image()["id"]
    with pytest.raises(BeProductException) as raised:
        sdk.image.attributes_update(header_id, {"width_px": "wide", "factory": "No Such Mill"})
    text = str(raised.value)
    assert "Status code: 400" in text
    assert "One or more validation errors occurred." in text
    assert '"width_px"' in text and '"factory"' in text
