"""kill -9 of the real app in the middle of an upload batch, then a restart on the same HOME (so
the same upload journal): the tray offers Resume, and afterwards every file has landed exactly
once, checked through the sandbox's own API."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid

from conftest import APP_BIN, app_env, open_app, start_driver, start_sandbox_process, stop
from native_drop import drop_files
from sandbox_api import SandboxApi
from test_upload import jobs, make_images
from webdriver import WebDriverError

FILES = 12


def app_pid(driver: subprocess.Popen) -> int:
    """The app process that this tauri-driver (its own process group) launched."""
    out = subprocess.run(["pgrep", "-g", str(driver.pid), "-f", APP_BIN], capture_output=True, text=True).stdout.split()
    assert len(out) == 1, f"expected one app process under the driver, found {out}"
    return int(out[0])


def states(app) -> dict[str, str]:
    return {j["fileName"]: j["state"]["kind"] for j in jobs(app)}


def test_app_killed_mid_batch_resumes_and_lands_each_file_once(display, artifacts, tmp_path_factory, tmp_path):
    # Slow enough to be caught mid-batch: every request waits 150 ms, processing takes 1.5 s.
    sandbox, base = start_sandbox_process(tmp_path_factory.mktemp("crash-sandbox-data"),
                                          ["--processing-ms", "1500", "--latency-ms", "150"])
    api = SandboxApi(base)
    driver, url = start_driver(app_env(base, display, tmp_path_factory.mktemp("crash-app-home")))
    try:
        folder = next(f for f in api.folders() if f["name"] != "Prints")["id"]
        before = {h["id"] for h in api.all_headers(folder)}
        tag = uuid.uuid4().hex[:6]
        files = [tmp_path / f"crash-{tag}-{i:02d}.png" for i in range(FILES)]
        make_images(files)

        app = open_app(url)
        app.wait_for(f'.folder[data-folder-id="{folder}"]', timeout=30)
        drop_files(app, display, files, f'.folder[data-folder-id="{folder}"]')
        app.wait_until(lambda: len(states(app)) == FILES, timeout=30, what=f"{FILES} jobs queued by the drop")
        # Kill once some files are done and others are still on their way.
        app.wait_until(lambda: 1 <= list(states(app).values()).count("done") < FILES - 3, timeout=60, interval=0.05,
                       what="a batch part-way through")
        seen = states(app)
        os.kill(app_pid(driver), signal.SIGKILL)
        try:
            app.quit()
        except WebDriverError:
            pass
        assert "done" in seen.values() and any(s != "done" for s in seen.values()), seen
        print(f"killed the app with these states: {sorted(seen.values())}")

        # Same driver environment, so the same HOME and journal.
        app = open_app(url)
        app.wait_for("#interrupted-banner:not([hidden])", timeout=30)
        banner = app.find("#interrupted-banner .upload-banner-text").text
        assert "interrupted" in banner, banner
        app.find("#resume-interrupted").click()
        app.wait_until(lambda: list(states(app).values()).count("done") == FILES, timeout=120, interval=0.5,
                       what=f"every file done after Resume (now {states(app)})")
        app.screenshot(artifacts / "after-crash-resume.png")
        app.quit()

        new = [h for h in api.all_headers(folder) if h["id"] not in before]
        assert sorted(h["headerNumber"] for h in new) == sorted(p.stem for p in files), new
        for h in new:
            files_on_server = api.header(h["id"]).get("files") or []
            assert len(files_on_server) == 1, f"{h['headerNumber']} has {len(files_on_server)} files"
    finally:
        stop(driver, group=True)
        stop(sandbox)
