"""Accessibility, end to end in the real app window.

* axe-core (the npm devDependency, node_modules/axe-core) is injected through WebDriver and run
  on the main views — the library with a folder open (also with a filter row and the "⋯" menu),
  the detail panel with an image open (also with a refused value and an error toast), the
  connect dialog, the bulk-edit dialog, its preview and the bulk panel, the intake preview and
  the upload tray — each in the light and the dark theme. Any serious or critical violation
  fails the test and is printed with its rule, its targets and axe's summary; each test's full
  results (every impact) go to $BP_ARTIFACTS/axe-*.json.
* A keyboard-only path with REAL X key presses (xdotool, no pointer): Tab and arrow keys to a
  folder, into the grid, Enter to open an image, a field changed, Ctrl+S; the value is checked
  in the sandbox. At every step the focused control must show a focus indicator.
* Status changes are announced politely: the upload summary, the bulk progress, the toast and
  the intake summary sit in aria-live="polite" (or role=status) regions.

How axe gets in: the page's CSP (script-src 'self', no 'unsafe-eval') refuses a <script> from
elsewhere, and eval / new Function in the page throw EvalError (checked in this app). WebDriver's
"execute script" is not subject to that: the driver evaluates the text it is given, so
axe.min.js's source is sent AS the script of one execute call (it defines window.axe), and later
calls run axe.run(). Nothing in the app or its CSP is loosened for the test.

How the themes are switched: styles.css picks the dark palette with
@media (prefers-color-scheme: dark). The test turns that rule on or off in the page's CSSOM
(its media text set to "all" or "not all") and sets the root's color-scheme to match, so
exactly the CSS the dark system setting would apply is what axe checks; a reload restores it.
"""

from __future__ import annotations

import json
import shutil
import uuid

import pytest

from conftest import ARTIFACTS, REPO, choose_folder, reload
from native_drop import bring_to_front, drop_files, xdo
from sandbox_api import create_folder, field_value
from test_app import card_ids, open_card, wait_count
from test_upload import make_images
from webdriver import Session

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RULE = "{season}_{header_number}_{header_name}_{artwork_type}"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run bash scripts/setup.sh (npm ci installs axe-core from package-lock.json)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture()
def xdotool():
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is needed for real X input (Debian package xdotool); run scripts/setup.sh")


# --- axe -----------------------------------------------------------------------------------------

def inject_axe(app: Session, source: str) -> None:
    """Defines window.axe in the page (once per document): the source is the script itself."""
    if app.execute("return typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        return
    app.execute(source + "\n;return typeof window.axe;")
    version = app.execute("return window.axe && window.axe.version")
    assert version, "axe-core did not define window.axe in the page"


def run_axe(app: Session, source: str) -> list[dict]:
    """axe.run on the whole document; returns the violations (every impact). When a modal
    dialog is open, also checks that axe really looked inside it (passed or failed checks on
    its elements), so a dialog skipped as hidden cannot pass unseen."""
    inject_axe(app, source)
    settled(app)
    res = app._call("POST", "execute/async", {"script": """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, elementRef: true})
          .then(r => {
            const dialog = document.querySelector('dialog[open]');
            const seen = new Set();
            for (const group of [r.passes, r.violations, r.incomplete])
              for (const rule of group) for (const n of rule.nodes) if (dialog && n.element && dialog.contains(n.element)) seen.add(n.element);
            done({ok: {dialog: dialog ? dialog.id : null, inDialog: seen.size, violations: r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact, summary: n.failureSummary,
                                        html: n.html.slice(0, 200)}))}))}});
          }, e => done({err: String(e && e.stack || e)}));
    """, "args": [AXE_TAGS]}, timeout=180)
    assert "ok" in res, f"axe.run failed in the page: {res.get('err')}"
    out = res["ok"]
    if out["dialog"]:
        assert out["inDialog"] >= 5, f"axe checked only {out['inDialog']} elements of the open #{out['dialog']}"
    return out["violations"]


def set_theme(app: Session, theme: str) -> None:
    """Applies styles.css's dark palette (theme 'dark') or not ('light'), as the system setting would."""
    n = app.execute("""
        const want = arguments[0];
        const rules = window.__a11yThemeRules || (window.__a11yThemeRules = []);
        if (!rules.length) {
          for (const sheet of document.styleSheets) {
            for (const rule of sheet.cssRules) {
              if (rule instanceof CSSMediaRule && rule.media.mediaText.includes('prefers-color-scheme: dark')) rules.push(rule);
            }
          }
        }
        for (const rule of rules) rule.media.mediaText = want === 'dark' ? 'all' : 'not all';
        document.documentElement.style.colorScheme = want;
        return rules.length;
    """, theme)
    assert n >= 1, "styles.css has no @media (prefers-color-scheme: dark) rule to switch"
    want_bg = "rgb(18, 19, 23)" if theme == "dark" else "rgb(246, 246, 248)"
    app.wait_until(lambda: app.execute("return getComputedStyle(document.body).backgroundColor") == want_bg,
                   what=f"the {theme} theme's background")
    settled(app)


def settled(app: Session) -> None:
    """Waits until no CSS transition runs (buttons fade their colours: axe must see the end state)."""
    app.wait_until(lambda: app.execute(
        "return document.getAnimations().filter(a => a instanceof CSSTransition && a.playState === 'running').length === 0"),
        what="CSS transitions to end")


def check_view(app: Session, source: str, view: str, report: dict) -> None:
    """Runs axe on the current view in both themes; records what it found in `report`."""
    for theme in ("light", "dark"):
        set_theme(app, theme)
        report[f"{view} ({theme})"] = run_axe(app, source)
    set_theme(app, "light")


def failing(report: dict) -> list[str]:
    lines = []
    for where, violations in report.items():
        for v in violations:
            if v["impact"] not in FAILING_IMPACTS:
                continue
            for n in v["nodes"]:
                lines.append(f"[{where}] {v['impact']} {v['id']} ({v['help']}): {n['target']}\n"
                             f"      {n['summary'].replace(chr(10), ' / ')}\n      {n['html']}")
    return lines


def summarize(report: dict, name: str) -> None:
    """Prints every violation (all impacts, counts by rule) and keeps the report as an artifact."""
    counts: dict[str, int] = {}
    for violations in report.values():
        for v in violations:
            key = f"{v['impact']}:{v['id']}"
            counts[key] = counts.get(key, 0) + len(v["nodes"])
    print(f"\naxe on {name}: {json.dumps(counts, sort_keys=True) if counts else 'no violations'}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report, indent=2))


def assert_clean(report: dict, name: str) -> None:
    summarize(report, name)
    bad = failing(report)
    assert not bad, f"{len(bad)} serious or critical accessibility violation(s):\n" + "\n".join(bad)


# --- helpers ---------------------------------------------------------------------------------------

def new_folder(sandbox, tag: str, images: int = 0) -> tuple[str, list[str]]:
    base, api = sandbox
    folder_id = create_folder(base, f"{tag} {uuid.uuid4().hex[:6]}", api.folder("Prints")["id"])
    ids = [api.create(folder_id, {"header_number": f"{tag}-{i:02d}", "header_name": f"{tag} print {i}",
                                  "designer": f"Designer {i}", "artwork_type": "Print"})["id"]
           for i in range(images)]
    return folder_id, ids


def open_folder(app: Session, folder_id: str, count: int) -> None:
    reload(app)
    choose_folder(app, folder_id)
    wait_count(app, count)
    app.wait_until(lambda: len(card_ids(app)) == count, what=f"{count} cards")


def live_region(app: Session, css: str) -> dict:
    """How the element `css` (or the nearest ancestor that is a live region) announces changes."""
    return app.execute("""
        let el = document.querySelector(arguments[0]);
        if (!el) return {missing: true};
        for (; el; el = el.parentElement) {
          const live = el.getAttribute('aria-live'), role = el.getAttribute('role');
          if (live || ['status', 'alert', 'log', 'progressbar'].includes(role)) return {id: el.id, live, role};
        }
        return {};
    """, css)


def polite(region: dict) -> bool:
    return region.get("live") == "polite" or (region.get("role") in ("status", "log") and region.get("live") in (None, "polite"))


# --- the views ---------------------------------------------------------------------------------------

def test_axe_library_detail_and_connect_dialog(ui, sandbox, axe_source, artifacts):
    app = ui
    report: dict = {}
    check_view(app, axe_source, "library", report)

    # A filter row and the toolbar's "⋯" menu.
    app.find("#filter-add").click()
    app.wait_for("#filters .filter-row")
    app.find("#folder-menu-button").click()
    app.wait_until(lambda: app.exists('.bulk-menu:not([hidden]) [role^="menuitem"]'), what="the folder menu")
    check_view(app, axe_source, "library with a filter and the folder menu", report)
    app.keys("\ue00c")  # Escape closes the menu
    app.wait_gone('.bulk-menu:not([hidden])')
    app.find("#filters .filter-remove").click()
    app.wait_gone("#filters .filter-row")

    open_card(app, card_ids(app)[0])
    check_view(app, axe_source, "detail", report)

    # A refused value: the field's error and the error toast (nothing is sent; Revert after).
    width = app.find('#image-form input[data-field-id="width_px"]')
    width.clear()
    width.send_keys("12abc")
    app.find("#save").click()
    app.wait_for('[data-field-row="width_px"] .field-error')
    app.wait_until(lambda: app.find("#toast").prop("hidden") is False and "toast-error" in app.find("#toast").attribute("class"),
                   what="the error toast")
    check_view(app, axe_source, "detail with a refused value and an error toast", report)
    app.find("#toast .toast-close").click()
    app.find("#revert").click()
    app.wait_until(lambda: app.find("#dirty-marker").prop("hidden") is True, what="Revert")

    app.find("#connect-button").click()
    app.wait_for("#connect-dialog[open]")
    check_view(app, axe_source, "connect dialog", report)
    app.find("#connect-close").click()
    app.wait_gone("#connect-dialog[open]")
    assert_clean(report, "library-detail-connect")


def test_axe_bulk_edit_dialog_and_bulk_panel(app, sandbox, axe_source):
    folder_id, ids = new_folder(sandbox, "A11Y-BULK", 4)
    open_folder(app, folder_id, 4)
    report: dict = {}
    app.find(f'#grid .card[data-image-id="{card_ids(app)[0]}"]').click()
    app.keys("\ue009", "a")  # Ctrl+A in the grid: everything selected
    app.wait_until(lambda: app.find("#bulk-bar").prop("hidden") is False, what="the selection bar")
    app.find("#bulk-edit-button").click()
    app.wait_for("#bulk-edit-dialog[open]")
    for field_id in ("designer", "artwork_type"):
        app.execute("const s = document.querySelector('#bulk-add-select'); s.value = arguments[0];"
                    "s.dispatchEvent(new Event('change', {bubbles: true}));", field_id)
        app.find("#bulk-add-button").click()
        app.wait_for(f'#bulk-edit-rows .bulk-row[data-field-id="{field_id}"]')
    app.find('#bulk-edit-rows .bulk-row[data-field-id="designer"] .bulk-row-value input').send_keys("A11y designer")
    check_view(app, axe_source, "bulk edit dialog", report)

    app.find("#bulk-edit-preview").click()
    app.wait_until(lambda: app.find("#bulk-edit-apply").prop("hidden") is False, what="the preview")
    check_view(app, axe_source, "bulk edit preview", report)

    app.find("#bulk-edit-apply").click()
    app.wait_gone("#bulk-edit-dialog[open]")
    app.wait_until(lambda: app.find("#bulk-finished").prop("hidden") is False, timeout=30, what="the bulk edit to finish")
    check_view(app, axe_source, "bulk panel", report)

    # The bulk progress and its summary are announced politely.
    region = live_region(app, "#bulk-live")
    assert polite(region), f"#bulk-live is not a polite live region: {region}"
    app.wait_until(lambda: app.find("#bulk-live").prop("textContent"), what="the finished bulk edit to be announced")
    assert_clean(report, "bulk")


def test_axe_intake_preview_and_upload_tray(ui, sandbox, display, tmp_path, axe_source, xdotool):
    app = ui
    folder_id, _ = new_folder(sandbox, "A11Y-Intake")
    res = app.invoke("save_intake_settings", {"folderId": folder_id, "settings": {
        "rule": {"kind": "pattern", "pattern": RULE, "dashAsSpace": True},
        "metadata": {"title": None, "description": "description", "keywords": "keywords", "creator": "designer"},
    }})
    assert "ok" in res, res
    # Enough files for the tray's list to scroll; one with a value the folder refuses (Weave).
    files = [tmp_path / f"FA_A11Y-{i:04d}_Floral-Ditsy_Embroidery.png" for i in range(1, 8)]
    files.append(tmp_path / "SU_A11Y-0008_Summer-Stripe_Weave.png")
    make_images(files)
    open_folder(app, folder_id, 0)
    bring_to_front(app)
    report: dict = {}

    drop_files(app, display, files, "#grid-scroller")
    app.wait_until(lambda: app.execute("return document.querySelector('#intake-dialog').open"), timeout=20,
                   what="the intake preview")
    app.wait_until(lambda: len(app.find_all("#intake-body tr.intake-row")) == len(files), what="a row per file in the preview")
    assert app.exists('#intake-body .intake-cell.invalid input[aria-invalid="true"]'), "the refused value is not flagged"
    region = live_region(app, "#intake-summary")
    assert polite(region), f"the intake summary is not a polite live region: {region}"
    check_view(app, axe_source, "intake preview", report)

    app.find("#intake-valid-only").click()
    app.wait_until(lambda: not app.execute("return document.querySelector('#intake-dialog').open"), what="the preview to close")
    app.wait_until(lambda: app.find("#upload-tray").prop("hidden") is False, timeout=20, what="the upload tray")
    # The toast saying what was queued is a polite status.
    app.wait_until(lambda: "queued" in app.find("#toast").prop("textContent"), what="the queued toast")
    region = live_region(app, "#toast .toast-message")
    assert polite(region), f"the toast is not a polite live region: {region}"
    region = live_region(app, "#upload-summary")
    assert polite(region), f"the upload summary is not a polite live region: {region}"
    names = {f.name for f in files}

    def batch_done() -> bool:
        res = app.invoke("upload_jobs")
        mine = [j for j in res["ok"]["jobs"] if j["fileName"] in names]
        return len(mine) == len(files) and all(j["state"]["kind"] == "done" for j in mine)
    app.wait_until(batch_done, timeout=90, what="the batch's uploads to finish")
    app.wait_until(lambda: "done" in app.find("#upload-summary").prop("textContent"), what="the tray's summary")
    # Only finished rows (no buttons) in a list that scrolls: the keyboard must still reach it.
    assert app.execute("const l = document.querySelector('#upload-list'); return l.scrollHeight > l.clientHeight"), \
        "the tray's list does not scroll; the check of scrollable regions would not be exercised"
    check_view(app, axe_source, "upload tray", report)
    assert_clean(report, "intake-tray")


# --- keyboard only -----------------------------------------------------------------------------------

FOCUS_STYLE = """
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return {none: true};
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !/rgba\\([^)]*, 0\\)$/.test(s.outlineColor);
    const shadow = s.boxShadow && s.boxShadow !== 'none' && !/rgba\\([^)]*, 0\\)/.test(s.boxShadow);
    return {tag: el.tagName, id: el.id, cls: el.className, text: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40),
            focusVisible: el.matches(':focus-visible'), outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
            shadow: s.boxShadow, visible: outline || shadow};
"""


def focused(app: Session) -> dict:
    return app.execute(FOCUS_STYLE)


TRACE: list[str] = []


def assert_focus_visible(app: Session, step: str) -> dict:
    f = app.wait_until(lambda: (lambda x: x if not x.get("none") else None)(focused(app)), what=f"a focused element ({step})")
    TRACE.append(f"{step}: <{f['tag'].lower()}{' #' + f['id'] if f['id'] else ''}> {f['text']!r} "
                 f"outline={f['outline']!r} box-shadow={f['shadow']!r}")
    assert f["visible"], f"no visible focus indicator on the focused element at '{step}': {f}"
    return f


def press(app: Session, display: str, key: str, step: str) -> dict:
    """A real key press that moves the focus: waits until it has moved, then checks the indicator."""
    app.execute("window.__a11yFocusBefore = document.activeElement")
    xdo(display, "key", key)
    app.wait_until(lambda: app.execute("return document.activeElement !== window.__a11yFocusBefore"),
                   what=f"{key} to move the focus ({step})")
    return assert_focus_visible(app, step)


def test_keyboard_only_browse_edit_and_save(app, sandbox, display, xdotool):
    TRACE.clear()
    try:
        keyboard_path(app, sandbox, display)
    finally:
        print("\nfocus at each step:\n  " + "\n  ".join(TRACE))


def keyboard_path(app: Session, sandbox, display: str) -> None:
    api = sandbox[1]
    folder_id, ids = new_folder(sandbox, "A11Y-Keys", 3)
    reload(app)
    bring_to_front(app)
    # Start with nothing focused (the page as it opens): the keyboard takes it from the top.
    app.execute("document.activeElement && document.activeElement.blur()")

    # Tab until the folder list (one tab stop: the chosen folder) has the focus.
    for step in range(12):
        f = press(app, display, "Tab", f"Tab {step + 1} towards the folder list")
        if "folder" in f["cls"].split():
            break
    else:
        pytest.fail(f"12 Tabs never reached the folder list (last focus: {f})")
    # Arrow keys to the test's folder, Enter opens it.
    order = app.execute("return [...document.querySelectorAll('#folders .folder')].map(b => b.dataset.folderId)")
    at = order.index(app.execute("return document.activeElement.dataset.folderId"))
    target = order.index(folder_id)
    for _ in range(abs(target - at)):
        press(app, display, "Down" if target > at else "Up", "arrow keys in the folder list")
    assert app.execute("return document.activeElement.dataset.folderId") == folder_id
    xdo(display, "key", "Return")
    app.wait_for(f'.folder.active[data-folder-id="{folder_id}"]')
    wait_count(app, 3)
    # The list is redrawn with the new active folder: the focus stays on it.
    app.wait_until(lambda: app.execute("return document.activeElement.dataset.folderId") == folder_id,
                   what="the focus to stay on the folder just opened")
    assert_focus_visible(app, "the folder just opened")

    # Tab into the grid (its one tab stop is a card).
    for step in range(15):
        f = press(app, display, "Tab", f"Tab {step + 1} towards the grid")
        assert "folder" not in f["cls"].split(), f"the folder list should be one tab stop (arrows move in it), yet Tab went to {f}"
        if app.execute("return !!document.activeElement.closest('#grid .card[data-image-id]')"):
            break
    else:
        pytest.fail(f"15 Tabs never reached the grid (last focus: {f})")
    first = app.execute("return document.activeElement.dataset.imageId")
    press(app, display, "Right", "ArrowRight in the grid")
    app.wait_until(lambda: app.execute("return document.activeElement.dataset.imageId") not in (None, first),
                   what="ArrowRight to move to the next card")
    image_id = app.execute("return document.activeElement.dataset.imageId")

    # Enter opens it; the focus goes to the form's first editable field.
    xdo(display, "key", "Return")
    app.wait_until(lambda: app.execute("return !!document.activeElement.closest('#image-form')"), what="Enter to open the form")
    assert_focus_visible(app, "the form's first field")
    number = field_value(api.header(image_id), "header_number")
    app.wait_until(lambda: app.find('#image-form [data-field-id="header_number"]').prop("value") == number,
                   what="the form to show the image")

    # Tab to the Designer field, type a new value.
    for step in range(20):
        f = press(app, display, "Tab", f"Tab {step + 1} towards Designer")
        if app.execute("return document.activeElement.dataset.fieldId") == "designer":
            break
    else:
        pytest.fail(f"20 Tabs never reached the Designer field (last focus: {f})")
    value = f"Keyboard {uuid.uuid4().hex[:6]}"
    xdo(display, "key", "ctrl+a")
    xdo(display, "type", "--delay", "20", value)
    app.wait_until(lambda: app.execute("return document.activeElement.value") == value, what="the typed designer")
    app.wait_until(lambda: app.find("#dirty-marker").prop("hidden") is False, what="the form to be marked as changed")

    xdo(display, "key", "ctrl+s")
    app.wait_until(lambda: field_value(api.header(image_id), "designer") == value, timeout=20,
                   what="the saved designer in the sandbox")
    app.wait_until(lambda: app.find("#dirty-marker").prop("hidden") is True, what="the form to be saved")
    # The save reloads the form: the focus stays on the field, ready for the next edit.
    app.wait_until(lambda: app.execute("return document.activeElement.dataset.fieldId") == "designer",
                   what="the focus to stay on Designer after the save")
    assert_focus_visible(app, "after saving")
    others = [i for i in ids if i != image_id]
    assert all(field_value(api.header(i), "designer") != value for i in others), "another image changed"
