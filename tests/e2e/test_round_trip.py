"""Open in editor, end to end: "Open original" downloads an image's original and the system opens
it with its default app for PNG files, which here is a stand-in editor registered under the app's
private XDG folders (a .desktop file and mimeapps.list; `gio open` finds it there). The editor
saves a changed file the way Photoshop does (a temporary file renamed over the original). The
banner appears; accepting lands exactly one new version (checked through the sandbox's API,
byte for byte); declining keeps the edited copy on disk and sends nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import choose_folder, reload, run_app
from native_drop import answer_file_dialog, bring_to_front
from sandbox_api import create_folder
from test_upload import make_images
from webdriver import Session

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
APP_ID = "com.beproduct.images"

# The stand-in editor: records what it was asked to open, then saves an edit of it as an editor
# does (write a temporary file beside it, rename it over the original). The edit is the same
# size of picture painted magenta, with a random text chunk so that every save differs.
EDITOR = r'''#!{python}
import os, struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
width, height = struct.unpack(">II", data[16:24])
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
rows = b"".join(b"\x00" + b"\xd0\x20\xa0" * width for _ in range(height))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
       + chunk(b"tEXt", b"Comment\x00" + os.urandom(8).hex().encode())
       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
temp = path + ".editor-save"
with open(temp, "wb") as f:
    f.write(png)
os.replace(temp, path)
with open({log!r}, "a") as f:
    f.write(path + "\n")
'''


@pytest.fixture(scope="module")
def editor_home(tmp_path_factory):
    """A HOME whose XDG folders make the stand-in editor the default app for PNG files."""
    home = tmp_path_factory.mktemp("round-trip-home")
    log = home / "editor.log"
    log.write_text("")
    editor = home / "stand-in-editor.py"
    editor.write_text(EDITOR.format(python=sys.executable, log=str(log)))
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    apps = home / "data" / "applications"
    apps.mkdir(parents=True)
    (apps / "stand-in-editor.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Stand-in editor\n"
        f"Exec={editor} %f\nMimeType=image/png;\nNoDisplay=true\n")
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "mimeapps.list").write_text(
        "[Default Applications]\nimage/png=stand-in-editor.desktop\n")
    return home


@pytest.fixture(scope="module")
def editor_app(sandbox, display, artifacts, editor_home):
    """The app with its own HOME, where PNG files open in the stand-in editor."""
    yield from run_app(sandbox, display, editor_home)


def opened(home: Path) -> list[str]:
    return [line for line in (home / "editor.log").read_text().splitlines() if line]


def upload_original(sandbox, folder_id: str, number: str, tmp: Path) -> dict:
    """A new image with a real PNG uploaded and processed (through the sandbox's API)."""
    base, api = sandbox
    image = api.create(folder_id, {"header_number": number, "header_name": "Round trip"})
    png = tmp / f"{number}.png"
    make_images([png])
    with png.open("rb") as f:
        resp = api._request("POST", f"Image/Header/{image['id']}/Image/Upload", files={"file": (png.name, f, "image/png")})
    resp.raise_for_status()
    return image


def wait_processed(app: Session, api, image_id: str, files: int) -> dict:
    def ready():
        header = api.header(image_id)
        preview = (header.get("headerData") or {}).get("preview") or {}
        return header if len(header.get("files") or []) == files and preview.get("origin") else None
    return app.wait_until(ready, timeout=60, what=f"{files} processed file(s) on the image")


def working_copies(app: Session) -> list[dict]:
    res = app.invoke("working_copies")
    assert "ok" in res, res
    return res["ok"]["copies"]


def copy_of(app: Session, image_id: str) -> dict | None:
    return next((c for c in working_copies(app) if c["imageId"] == image_id), None)


def open_image_in_editor(app: Session, home: Path, sandbox, folder_id: str, image_id: str) -> Path:
    """Opens the image's card, clicks Open original and waits for the editor's save."""
    reload(app)
    choose_folder(app, folder_id)
    app.find(f'#grid .card[data-image-id="{image_id}"]').click()
    app.wait_until(lambda: app.find("#detail-file-actions").prop("hidden") is False, what="the file actions")
    app.wait_until(lambda: app.exists('#version-list .version[data-current="true"]'), what="the versions list")
    before = len(opened(home))
    app.find("#open-original").click()
    app.wait_until(lambda: len(opened(home)) > before, timeout=30, what="the stand-in editor to open the original")
    path = Path(opened(home)[-1])
    data_dir = home / "data" / APP_ID / "working" / image_id
    assert path.parent == data_dir, f"{path} is not in the image's working folder"
    return path


def banner_css(copy_id: str) -> str:
    return f'#working-banners .working-banner[data-copy-id="{copy_id}"]'


def test_accepting_the_banner_lands_exactly_one_new_version(editor_app, editor_home, sandbox, tmp_path, artifacts):
    app = editor_app
    base, api = sandbox
    folder = create_folder(base, f"Round trip {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    number = f"RT-{uuid.uuid4().hex[:6]}"
    image = upload_original(sandbox, folder, number, tmp_path)
    wait_processed(app, api, image["id"], files=1)

    path = open_image_in_editor(app, editor_home, sandbox, folder, image["id"])
    assert path.name == f"{number}.png"
    copy = app.wait_until(lambda: (c := copy_of(app, image["id"])) and c["state"] == "edited" and c,
                          timeout=20, what="the copy to be seen as edited")
    banner = app.wait_for(banner_css(copy["id"]), timeout=20)
    assert number in banner.text and f"{number}.png was saved in your editor." in banner.text
    # Before: the server's preview; after: a local preview of the edited file.
    app.wait_until(lambda: app.execute(
        "const b = document.querySelector(arguments[0]);"
        "const a = b && b.querySelector('img.banner-after'), o = b && b.querySelector('img.banner-before');"
        "return !!(a && o && a.complete && a.naturalWidth > 0 && o.complete && o.naturalWidth > 0 && a.src.startsWith('data:image/png'));",
        banner_css(copy["id"])), timeout=20, what="the before and after thumbnails")
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    app.screenshot(DOCS_SHOTS / "round-trip-banner.png")

    edited = path.read_bytes()
    app.find(f'{banner_css(copy["id"])} button[data-action="upload"]').click()
    header = wait_processed(app, api, image["id"], files=2)
    app.wait_until(lambda: copy_of(app, image["id"])["state"] == "unchanged", timeout=30,
                   what="the copy to be settled after the upload")
    app.wait_gone(banner_css(copy["id"]))
    # Exactly one new version, and it is the edited file byte for byte.
    header = api.header(image["id"])
    assert len(header["files"]) == 2, header["files"]
    origin = header["headerData"]["preview"]["origin"]
    assert api.http.get(origin, timeout=15).content == edited
    settled = copy_of(app, image["id"])
    assert settled["versionsSent"] == 1 and settled["jobId"] is None
    # The Versions list shows both files, the new one current.
    reload(app)
    choose_folder(app, folder)
    app.find(f'#grid .card[data-image-id="{image["id"]}"]').click()
    app.wait_until(lambda: len(app.find_all("#version-list .version")) == 2, what="two versions listed")
    assert app.find("#version-list .version").attribute("data-current") == "true"


def test_declining_keeps_the_copy_and_sends_nothing(editor_app, editor_home, sandbox, tmp_path):
    app = editor_app
    base, api = sandbox
    folder = create_folder(base, f"Round trip no {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    image = upload_original(sandbox, folder, f"RN-{uuid.uuid4().hex[:6]}", tmp_path)
    wait_processed(app, api, image["id"], files=1)

    path = open_image_in_editor(app, editor_home, sandbox, folder, image["id"])
    copy = app.wait_until(lambda: (c := copy_of(app, image["id"])) and c["state"] == "edited" and c,
                          timeout=20, what="the copy to be seen as edited")
    app.wait_for(banner_css(copy["id"]), timeout=20)
    edited = path.read_bytes()
    app.find(f'{banner_css(copy["id"])} button[data-action="decline"]').click()
    app.wait_until(lambda: copy_of(app, image["id"])["state"] == "declined", what="the copy to be declined")
    app.wait_gone(banner_css(copy["id"]))
    assert path.read_bytes() == edited, "the edited copy stays on disk"
    assert len(api.header(image["id"])["files"]) == 1, "nothing was uploaded"

    # The Working copies list shows it, with its state; Remove deletes it.
    app.find("#working-copies-button").click()
    row = app.wait_for(f'#working-copy-list .working-copy[data-copy-id="{copy["id"]}"][data-state="declined"]')
    assert "kept on this computer" in row.text
    row.find('button[data-action="remove"]').click()
    app.wait_for("#confirm-dialog[open]")
    app.find("#confirm-ok").click()
    app.wait_gone(f'#working-copy-list .working-copy[data-copy-id="{copy["id"]}"]')
    assert not path.exists()
    assert copy_of(app, image["id"]) is None
    app.find("#working-copies-close").click()
    assert len(api.header(image["id"])["files"]) == 1


def test_a_newer_server_file_is_said_before_uploading(editor_app, editor_home, sandbox, tmp_path):
    app = editor_app
    base, api = sandbox
    folder = create_folder(base, f"Round trip race {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    image = upload_original(sandbox, folder, f"RR-{uuid.uuid4().hex[:6]}", tmp_path)
    wait_processed(app, api, image["id"], files=1)
    open_image_in_editor(app, editor_home, sandbox, folder, image["id"])
    copy = app.wait_until(lambda: (c := copy_of(app, image["id"])) and c["state"] == "edited" and c,
                          timeout=20, what="the copy to be seen as edited")
    app.wait_for(banner_css(copy["id"]), timeout=20)

    # A colleague uploads another file meanwhile.
    colleague = tmp_path / "colleague.png"
    make_images([colleague])
    with colleague.open("rb") as f:
        api._request("POST", f"Image/Header/{image['id']}/Image/Upload",
                     files={"file": (colleague.name, f, "image/png")}).raise_for_status()
    wait_processed(app, api, image["id"], files=2)

    # The first click sends nothing and says why; the second, knowingly, uploads.
    app.find(f'{banner_css(copy["id"])} button[data-action="upload"]').click()
    warning = app.wait_for(f'{banner_css(copy["id"])}.warn .banner-server-changed')
    assert "Someone uploaded a newer file" in warning.text
    assert len(api.header(image["id"])["files"]) == 2
    button = app.find(f'{banner_css(copy["id"])} button[data-action="upload"]')
    assert button.text == "Upload anyway as new version"
    button.click()
    wait_processed(app, api, image["id"], files=3)
    app.wait_until(lambda: copy_of(app, image["id"])["state"] == "unchanged", timeout=30,
                   what="the copy to be settled after the upload")
    assert len(api.header(image["id"])["files"]) == 3


def test_save_as_and_copy_image_give_the_original(editor_app, sandbox, display, tmp_path):
    """Save as… through the real GTK save dialog (answered with keys) writes the original byte for
    byte; Copy image puts its picture on the real X clipboard (read back with xclip)."""
    app = editor_app
    base, api = sandbox
    folder = create_folder(base, f"Round trip save {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    number = f"RS-{uuid.uuid4().hex[:6]}"
    image = upload_original(sandbox, folder, number, tmp_path)
    header = wait_processed(app, api, image["id"], files=1)
    original = api.http.get(header["headerData"]["preview"]["origin"], timeout=15).content

    reload(app)
    choose_folder(app, folder)
    app.find(f'#grid .card[data-image-id="{image["id"]}"]').click()
    app.wait_until(lambda: app.find("#detail-file-actions").prop("hidden") is False, what="the file actions")
    bring_to_front(app)
    dest = tmp_path / "saved" / f"{number} copy.png"
    dest.parent.mkdir()
    app.find("#save-original").click()
    answer_file_dialog(display, "Save image as", dest, save=True)
    app.wait_until(lambda: dest.exists() and dest.read_bytes() == original, timeout=30, what="the saved original")
    assert not list(dest.parent.glob(".download-*")), "no temporary file is left beside it"

    app.find("#copy-image").click()
    app.wait_until(lambda: "Copied the picture" in app.find("#toast").text, timeout=30, what="the copy to finish")
    png = subprocess.run(["xclip", "-selection", "clipboard", "-t", "image/png", "-o"], capture_output=True,
                         timeout=10, env=os.environ | {"DISPLAY": display}).stdout
    assert png.startswith(b"\x89PNG"), png[:16]
    # The sample images are 320 x 240 (test_upload.make_images).
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (320, 240)


def test_open_with_a_chosen_app_and_send_back(editor_app, editor_home, sandbox, display, tmp_path):
    """"Open with…": the app is chosen in the real native dialog (a second stand-in editor, not the
    default for PNG); it is the one that opens the original, and its save lands one version."""
    app = editor_app
    base, api = sandbox
    other_log = tmp_path / "other-editor.log"
    other_log.write_text("")
    other = tmp_path / "other-editor.py"
    other.write_text(EDITOR.format(python=sys.executable, log=str(other_log)))
    other.chmod(other.stat().st_mode | stat.S_IXUSR)
    folder = create_folder(base, f"Open with {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    image = upload_original(sandbox, folder, f"OW-{uuid.uuid4().hex[:6]}", tmp_path)
    wait_processed(app, api, image["id"], files=1)
    default_opens = len(opened(editor_home))

    reload(app)
    choose_folder(app, folder)
    app.find(f'#grid .card[data-image-id="{image["id"]}"]').click()
    app.wait_until(lambda: app.find("#detail-file-actions").prop("hidden") is False, what="the file actions")
    bring_to_front(app)
    app.find("#open-with").click()
    answer_file_dialog(display, "Choose the app to open it with", other, save=False)
    app.wait_until(lambda: other_log.read_text().strip(), timeout=30, what="the chosen app to open the original")
    assert len(opened(editor_home)) == default_opens, "the default app was not used"
    copy = app.wait_until(lambda: (c := copy_of(app, image["id"])) and c["state"] == "edited" and c,
                          timeout=20, what="the copy to be seen as edited")
    app.wait_for(banner_css(copy["id"]), timeout=20)
    app.find(f'{banner_css(copy["id"])} button[data-action="upload"]').click()
    wait_processed(app, api, image["id"], files=2)

    # Each version can be previewed in the panel: the first one, made on this computer.
    reload(app)
    choose_folder(app, folder)
    app.find(f'#grid .card[data-image-id="{image["id"]}"]').click()
    app.wait_until(lambda: len(app.find_all("#version-list .version")) == 2, what="two versions listed")
    app.find('#version-list .version[data-number="1"] button[data-action="preview"]').click()
    app.wait_for("#version-preview-dialog[open]", timeout=30)
    app.wait_until(lambda: app.execute("const i = document.querySelector('#version-preview-image');"
                                       "return i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/png')"),
                   what="the first version's preview")
    app.find("#version-preview-close").click()
    app.wait_gone("#version-preview-dialog[open]")
