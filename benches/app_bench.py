"""App benchmarks under Xvfb (issue 6, item 4), driving the REAL app binary through WebDriver.

1. Cold start: from the app process's start (kernel start time in /proc) to the first folder's
   grid painted (the UI's User Timing mark `bp:grid-painted`, set two frames after the first page
   is in the DOM). Each run is a new process with a fresh HOME.
2. Responsiveness while a batch of N files uploads into new images: a requestAnimationFrame loop
   records every frame gap, a 50 ms timer records event-loop lateness, and real X11 pointer moves
   (xdotool, 10 per second) record input delay from the moment the X server had the event to the
   page's handler. The batch is a real X11 drop of a folder on the window (tests/e2e/native_drop.py).

3. `--scroll`: a folder of N (10,000) images (seeded in the sandbox through its test controls,
   `POST /__sandbox/create-folder` and `/__sandbox/seed-images`; the seeded images have no
   picture, so cards show their placeholder) is opened in the app and its grid scrolled from the
   top to the bottom and back with real X11 wheel clicks (xdotool, buttons 5/4, at a fixed rate)
   over the grid (`--scroll-input scrolltop` instead moves scrollTop from a page timer at the
   same rate). Recorded in the page: every requestAnimationFrame gap, the DOM node count
   (`document.getElementsByTagName('*').length`, sampled once a second and at the end), card
   elements in the DOM and distinct images that had a card in the DOM during the scroll; outside:
   VmRSS (sampled) and VmHWM of the app's WebKitWebProcess children.

Run through `bash scripts/bench.sh --app` (starts Xvfb, builds release binaries); writes the
`app` section of BENCHMARKS.md, or with `--scroll` the `app-scroll-LABEL` section. Traffic goes to
a local bp-sandbox on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import requests  # noqa: E402

from native_drop import drop_files  # noqa: E402
from webdriver import Session  # noqa: E402

CREDS = {"company": "sandbox", "client_id": "sandbox-client", "client_secret": "sandbox-secret",
         "refresh_token": "sandbox-refresh-token"}
SYSTEM_PY = "/usr/bin/python3"
MAKE_JPEGS = r"""
import sys, gi
gi.require_version('GdkPixbuf', '2.0')
from gi.repository import GdkPixbuf
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    pb = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, 160, 120)
    pb.fill(((i * 37) % 256) << 24 | ((i * 91) % 256) << 16 | ((i // 7) % 256) << 8 | 0xff)
    pb.savev(f"{out}/look-{i:04d}.jpg", 'jpeg', ['quality'], ['90'])
"""

# Installed into the page before the batch: frame gaps, timer lateness, pointer events (epoch ms).
PROBE = r"""
const p = window.__bench = { frames: [], lags: [], inputs: [], stop: false };
let last = performance.now();
const tick = (t) => { p.frames.push(t - last); last = t; if (!p.stop) requestAnimationFrame(tick); };
requestAnimationFrame(tick);
let due = performance.now() + 50;
p.timer = setInterval(() => { const now = performance.now(); p.lags.push(Math.max(0, now - due)); due = now + 50; }, 50);
window.addEventListener('mousemove', (e) => {
  p.inputs.push([e.screenX, performance.timeOrigin + performance.now()]);
}, true);
"""


def log(msg: str) -> None:
    print(f"[app-bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)


def start_sandbox(binary: str, data: Path, processing_ms: int, controls: bool = False) -> tuple[subprocess.Popen, str]:
    extra = ["--test-controls"] if controls else []
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--data", str(data), "--processing-ms", str(processing_ms)]
                            + extra,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if m:
            return proc, m.group(1)
        if not line and proc.poll() is not None:
            break
    stop(proc)
    raise SystemExit("bp-sandbox did not report its address")


def start_driver(driver: str, env: dict, logfile: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([driver, "--port", str(port), "--native-port", str(free_port()),
                             "--native-driver", "/usr/bin/WebKitWebDriver"],
                            env=env, stdout=open(logfile, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/status", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit(f"tauri-driver did not start; see {logfile}")


def app_env(base: str, home: Path, extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEPRODUCT_")} | extra
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "BEPRODUCT_COMPANY_DOMAIN": CREDS["company"], "BEPRODUCT_CLIENT_ID": CREDS["client_id"],
            "BEPRODUCT_CLIENT_SECRET": CREDS["client_secret"], "BEPRODUCT_REFRESH_TOKEN": CREDS["refresh_token"],
            "BEPRODUCT_API_URL": base, "BEPRODUCT_TOKEN_URL": f"{base}/ids/connect/token"}
    home.mkdir(parents=True, exist_ok=True)
    return env


def process_start_epoch_ms(pid: int) -> float:
    """When the kernel started `pid`, in Unix epoch ms (10 ms resolution: clock ticks)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    start_ticks = int(stat[stat.rindex(")") + 2:].split()[19])
    btime = next(int(l.split()[1]) for l in Path("/proc/stat").read_text().splitlines() if l.startswith("btime"))
    return (btime + start_ticks / os.sysconf("SC_CLK_TCK")) * 1000.0


def cpu_by_process() -> dict[str, float]:
    """CPU seconds (user + system) used so far by every running process, summed by name."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def cpu_used(before: dict[str, float], after: dict[str, float]) -> list[tuple[str, float]]:
    """CPU seconds per process name between two snapshots, largest first (processes that ended
    in between are not counted)."""
    used = [(name, after[name] - before.get(name, 0.0)) for name in after]
    return sorted((u for u in used if u[1] >= 0.05), key=lambda u: -u[1])


def newest_app_pid(app_bin: str, after: set[int]) -> int:
    out = subprocess.run(["pgrep", "-f", app_bin], capture_output=True, text=True).stdout.split()
    pids = [int(p) for p in out if int(p) not in after]
    if not pids:
        raise SystemExit("the app process was not found after the session started")
    return max(pids)


def running_app_pids(app_bin: str) -> set[int]:
    out = subprocess.run(["pgrep", "-f", app_bin], capture_output=True, text=True).stdout.split()
    return {int(p) for p in out}


def open_session(url: str, app_bin: str) -> Session:
    caps = {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": app_bin}}}
    return Session(url, caps, timeout=90)


def grid_painted_epoch_ms(s: Session) -> float:
    return s.wait_until(lambda: s.execute(
        "const m = performance.getEntriesByName('bp:grid-painted')[0];"
        "return m ? performance.timeOrigin + m.startTime : null;"), timeout=60, interval=0.05, what="the first grid")


def cold_start(args, base: str, work: Path) -> list[float]:
    """Milliseconds from process start to the first grid painted, one fresh process per run."""
    results = []
    for i in range(args.runs):
        before = running_app_pids(args.app_bin)
        driver, url = start_driver(args.driver, app_env(base, work / f"cold-{i}", args.env), work / f"driver-cold-{i}.log")
        try:
            s = open_session(url, args.app_bin)
            try:
                painted = grid_painted_epoch_ms(s)
                started = process_start_epoch_ms(newest_app_pid(args.app_bin, before))
                results.append(painted - started)
                log(f"cold start {i + 1}/{args.runs}: {painted - started:.0f} ms")
            finally:
                s.quit()
        finally:
            stop(driver)
    return results


def pointer_mover(display: str, origin: tuple[int, int], stop_flag: threading.Event, sent: list) -> None:
    """Moves the real X pointer 10×/s to a new x each time, recording when each move was done.
    A restarted mover goes on where the last one stopped (x is how a move is recognised)."""
    k = len(sent)
    while not stop_flag.is_set() and k < 100_000:
        x = origin[0] + (k % 300)
        subprocess.run(["xdotool", "mousemove", str(x), str(origin[1])], check=True, timeout=10,
                       env=os.environ | {"DISPLAY": display})
        sent.append((x, time.time() * 1000.0))
        k += 1
        time.sleep(0.1)


def input_delays(sent: list, seen: list) -> list[float]:
    """For each move, the first page event at that x after it was sent (moves coalesced into a
    later frame count with their full wait; moves never seen are reported separately)."""
    delays = []
    for x, at in sent:
        match = next((t for sx, t in seen if sx == x and t >= at - 1), None)
        if match is not None:
            delays.append(match - at)
    return delays


def responsiveness(args, base: str, work: Path) -> dict:
    files = work / "batch"
    files.mkdir()
    subprocess.run([SYSTEM_PY, "-c", MAKE_JPEGS, str(files), str(args.files)], check=True, timeout=600)
    display = os.environ["DISPLAY"]
    driver, url = start_driver(args.driver, app_env(base, work / "resp", args.env), work / "driver-resp.log")
    try:
        s = open_session(url, args.app_bin)
        try:
            grid_painted_epoch_ms(s)
            folder = s.execute("return document.querySelector('#folders .folder.active').dataset.folderId")
            x, y = s.execute(
                "const r = document.querySelector('#grid').getBoundingClientRect();"
                "const top = window.outerHeight - window.innerHeight;"
                "return [Math.round(window.screenX + r.left + 40), Math.round(window.screenY + top + r.top + 60)];")
            before = count_images(base, folder)
            if args.before_batch:
                s.execute(args.before_batch)
            s.execute(PROBE)
            sent: list = []
            stop_flag = threading.Event()
            mover = threading.Thread(target=pointer_mover, args=(display, (x, y), stop_flag, sent), daemon=True)
            mover.start()
            time.sleep(3)  # idle baseline under the same probe and pointer load
            idle = s.execute("const p = window.__bench; const r = {frames: p.frames.splice(0), lags: p.lags.splice(0)};"
                             "return r;")
            idle_sent = len(sent)
            cpu_before = cpu_by_process()
            started = time.monotonic()
            # The folder is dropped on the window with a real X11 drag (the page cannot name paths:
            # docs/SECURITY.md); the pointer probe pauses while xdotool drags.
            stop_flag.set()
            mover.join(timeout=15)
            drop_files(s, display, [files], f'.folder[data-folder-id="{folder}"]')
            stop_flag = threading.Event()
            mover = threading.Thread(target=pointer_mover, args=(display, (x, y), stop_flag, sent), daemon=True)
            mover.start()
            deadline = time.monotonic() + args.batch_timeout
            done = accepted = 0
            while time.monotonic() < deadline:
                # "#upload-summary" reads "D of N done …": the queue's own count of accepted files.
                done, accepted = s.execute(
                    "const m = (document.querySelector('#upload-summary')?.textContent || '').match(/(\\d+) of (\\d+)/);"
                    "return m ? [Number(m[1]), Number(m[2])] : [0, 0];")
                if accepted and done >= accepted:
                    break
                time.sleep(1)
            took = time.monotonic() - started
            cpu = cpu_used(cpu_before, cpu_by_process())
            stop_flag.set()
            mover.join(timeout=15)
            busy = s.execute("const p = window.__bench; p.stop = true; clearInterval(p.timer);"
                             "return {frames: p.frames, lags: p.lags, inputs: p.inputs};")
            rows = s.execute("return document.querySelectorAll('#upload-list .upload-row').length")
            if args.before_batch:
                log(f"diagnostics from --before-batch (window.__benchDiag): {s.execute('return window.__benchDiag || null')}")
        finally:
            s.quit()
    finally:
        stop(driver)
    batch_sent = sent[idle_sent:]
    delays = input_delays(batch_sent, busy["inputs"])
    idle_delays = input_delays(sent[:idle_sent], busy["inputs"])
    landed = count_images(base, folder) - before
    return {"files": args.files, "accepted": accepted, "done": done, "rows": rows, "took": took, "landed": landed,
            "idle": idle, "busy": busy, "delays": delays, "moves": len(batch_sent), "idle_delays": idle_delays, "cpu": cpu}


# ---- --scroll: a 10,000-image folder scrolled top → bottom → top --------------------------------

# Installed into the page once the folder's first page is painted. Frame gaps go into the
# current phase's list; a MutationObserver notes every image id that gets a card in the DOM
# (added nodes, or a recycled card given another data-image-id).
SCROLL_PROBE = r"""
const p = window.__scroll = { phase: 'idle', frames: { idle: [], down: [], up: [] }, stop: false,
  seen: new Set(), domMax: 0 };
let last = performance.now();
const tick = (t) => { p.frames[p.phase].push(t - last); last = t; if (!p.stop) requestAnimationFrame(tick); };
requestAnimationFrame(tick);
const note = (el) => {
  if (el.nodeType !== 1) return;
  if (el.dataset && el.dataset.imageId) p.seen.add(el.dataset.imageId);
  if (el.firstElementChild) el.querySelectorAll('[data-image-id]').forEach((c) => p.seen.add(c.dataset.imageId));
};
document.querySelectorAll('[data-image-id]').forEach((c) => p.seen.add(c.dataset.imageId));
p.observer = new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === 'attributes') note(r.target); else r.addedNodes.forEach(note);
  }
});
p.observer.observe(document.querySelector(arguments[0]).closest('body'),
  { childList: true, subtree: true, attributes: true, attributeFilter: ['data-image-id'] });
"""

# One poll (about once a second): scroll position, DOM size, cards.
SCROLL_STATE = r"""
const sc = document.querySelector(arguments[0]); const p = window.__scroll;
const dom = document.getElementsByTagName('*').length;
p.domMax = Math.max(p.domMax, dom);
return { top: sc.scrollTop, height: sc.scrollHeight, client: sc.clientHeight, dom,
         cards: document.querySelectorAll('.card[data-image-id]').length, seen: p.seen.size };
"""

# Programmatic fallback (`--scroll-input scrolltop`): scrollTop moves by `px` every `ms` from a
# page timer, in the direction the bench sets (window.__scroll.dir: 1, -1 or 0).
SCROLLTOP_DRIVER = r"""
const sc = document.querySelector(arguments[0]); const p = window.__scroll; p.dir = 0;
const step = arguments[1];
p.driver = setInterval(() => { if (p.dir) sc.scrollTop += p.dir * step; }, arguments[2]);
"""


def sandbox_control(base: str, path: str, body: dict) -> dict:
    r = requests.post(f"{base}/__sandbox/{path}", json=body, timeout=120)
    r.raise_for_status()
    return r.json()


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, grandchildren, …), from /proc's parent links."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(text[text.rindex(")") + 2:].split()[1])
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        kids = [c for c, pp in parent.items() if pp == cur]
        out.extend(kids)
        todo.extend(kids)
    return out


def web_process_memory(app_pid: int) -> dict:
    """Summed VmRSS and VmHWM (KiB) of the WebKitWebProcess children of the app."""
    rss = hwm = n = 0
    for pid in descendants(app_pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if not fields.get("Name", "").strip().startswith("WebKitWebProces"):
            continue
        n += 1
        rss += int(fields.get("VmRSS", "0 kB").split()[0])
        hwm += int(fields.get("VmHWM", "0 kB").split()[0])
    return {"rss_kib": rss, "hwm_kib": hwm, "processes": n}


def wheel_clicker(display: str, xy: tuple[int, int], direction: list, stop_flag: threading.Event,
                  rate: float, sent: list) -> None:
    """Real X11 wheel clicks over the grid, `rate` per second, in chunks of half a second:
    button 5 while direction[0] == 1, button 4 while -1, nothing while 0."""
    env = os.environ | {"DISPLAY": display}
    subprocess.run(["xdotool", "mousemove", str(xy[0]), str(xy[1])], check=True, timeout=10, env=env)
    per_chunk = max(1, round(rate / 2))
    delay_ms = max(1, round(1000 / rate))
    while not stop_flag.is_set():
        d = direction[0]
        if d == 0:
            stop_flag.wait(0.05)  # idle until a direction is set or the run stops
            continue
        subprocess.run(["xdotool", "click", "--repeat", str(per_chunk), "--delay", str(delay_ms),
                        "5" if d > 0 else "4"], check=True, timeout=30, env=env)
        sent[0] += per_chunk


def scroll_bench(args, base: str, work: Path) -> dict:
    display = os.environ["DISPLAY"]
    folder = sandbox_control(base, "create-folder", {"name": f"Bench {args.scroll_images} images"})["id"]
    t0 = time.monotonic()
    sandbox_control(base, "seed-images", {"folderId": folder, "n": args.scroll_images})
    total = count_images(base, folder)
    log(f"seeded {total} images into folder {folder} in {time.monotonic() - t0:.1f} s")
    if total != args.scroll_images:
        raise SystemExit(f"the sandbox holds {total} images in the bench folder, expected {args.scroll_images}")
    sc = args.scroller
    before = running_app_pids(args.app_bin)
    driver, url = start_driver(args.driver, app_env(base, work / "scroll", args.env), work / "driver-scroll.log")
    try:
        s = open_session(url, args.app_bin)
        try:
            grid_painted_epoch_ms(s)
            app_pid = newest_app_pid(args.app_bin, before)
            # Open the bench folder (a click on its sidebar entry) and wait for its first page.
            s.execute("performance.clearMarks('bp:grid-painted');")
            clicked = s.execute(
                "const f = [...document.querySelectorAll('#folders .folder')]"
                ".find((e) => (e.dataset.folderId || '').toLowerCase() === arguments[0].toLowerCase());"
                "if (!f) return false; f.click(); return true;", folder)
            if not clicked:
                raise SystemExit(f"the folder {folder} is not in the app's folder list")
            grid_painted_epoch_ms(s)
            s.wait_until(lambda: s.execute(
                "const a = document.querySelector('#folders .folder.active');"
                "return a && a.dataset.folderId.toLowerCase() === arguments[0].toLowerCase();", folder),
                timeout=30, what="the bench folder to be the open one")
            s.execute(SCROLL_PROBE, sc)
            x, y = s.execute(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                "const top = window.outerHeight - window.innerHeight;"
                "return [Math.round(window.screenX + r.left + r.width / 2), Math.round(window.screenY + top + r.top + r.height / 2)];",
                sc)
            mem_start = web_process_memory(app_pid)
            time.sleep(2)  # idle frames before the scroll, same probe
            direction = [0]
            sent = [0]
            stop_flag = threading.Event()
            if args.scroll_input == "wheel":
                clicker = threading.Thread(target=wheel_clicker, daemon=True,
                                           args=(display, (x, y), direction, stop_flag, args.scroll_rate, sent))
                clicker.start()
            else:
                tick_ms = 16
                s.execute(SCROLLTOP_DRIVER, sc, args.scroll_step_px * args.scroll_rate * tick_ms / 1000, tick_ms)
            samples, rss_max = [], 0
            phases = {}
            for phase, d in (("down", 1), ("up", -1)):
                s.execute("window.__scroll.phase = arguments[0]; window.__scroll.dir = arguments[1];", phase, d)
                direction[0] = d
                started = time.monotonic()
                clicks_before = sent[0]
                stable, last_height, done = 0, None, False
                deadline = started + args.scroll_timeout
                while time.monotonic() < deadline:
                    time.sleep(1)
                    st = s.execute(SCROLL_STATE, sc)
                    mem = web_process_memory(app_pid)
                    rss_max = max(rss_max, mem["rss_kib"])
                    st["t"] = round(time.monotonic() - started, 2)
                    st["phase"] = phase
                    st["rssKib"] = mem["rss_kib"]
                    samples.append(st)
                    if phase == "down":
                        at_end = st["top"] + st["client"] >= st["height"] - 2
                        stable = stable + 1 if at_end and st["height"] == last_height else 0
                        last_height = st["height"]
                        # At the bottom, and either every image had a card or nothing grew for 5 s.
                        if at_end and (st["seen"] >= total or stable >= 5):
                            done = True
                            break
                    elif st["top"] <= 0:
                        done = True
                        break
                direction[0] = 0
                s.execute("window.__scroll.dir = 0;")
                took = time.monotonic() - started
                end = samples[-1] if samples else {}
                phases[phase] = {"secs": took, "done": done, "clicks": sent[0] - clicks_before, "end": end}
                log(f"scroll {phase}: {took:.1f} s, reached the end: {done}, {sent[0] - clicks_before} wheel clicks, "
                    f"at {end.get('top')} of {end.get('height')} px, {end.get('cards')} cards in the DOM, "
                    f"{end.get('seen')} images seen, {end.get('dom')} DOM nodes")
                # The last wheel clicks may still be scrolling: start the other direction only
                # once the position holds still (bounded).
                settle_until, last_top = time.monotonic() + 5, None
                while time.monotonic() < settle_until:
                    top = s.execute("return document.querySelector(arguments[0]).scrollTop;", sc)
                    if top == last_top:
                        break
                    last_top = top
                    time.sleep(0.1)
            stop_flag.set()
            if args.scroll_input == "wheel":
                clicker.join(timeout=40)
            else:
                s.execute("clearInterval(window.__scroll.driver);")
            result = s.execute(
                "const p = window.__scroll; p.stop = true; p.observer.disconnect();"
                "return { frames: p.frames, seen: p.seen.size, domMax: p.domMax,"
                " domEnd: document.getElementsByTagName('*').length,"
                " cardsEnd: document.querySelectorAll('.card[data-image-id]').length };")
            mem_end = web_process_memory(app_pid)
        finally:
            s.quit()
    finally:
        stop(driver)
    return {"total": total, "phases": phases, "samples": samples, "frames": result["frames"], "seen": result["seen"],
            "dom_max": max(result["domMax"], result["domEnd"]), "dom_end": result["domEnd"],
            "cards_end": result["cardsEnd"], "cards_bottom": max((x["cards"] for x in samples if x["phase"] == "down"), default=0),
            "dom_bottom": phases.get("down", {}).get("end", {}).get("dom"),
            "mem_start": mem_start, "mem_end": mem_end, "rss_max_kib": max(rss_max, mem_end["rss_kib"]),
            "xy": (x, y)}


def scroll_report(args, r: dict, load_start: str, load_end: str) -> str:
    mib = lambda kib: kib / 1024  # noqa: E731
    down, up = r["frames"]["down"], r["frames"]["up"]
    both = down + up
    pd, pu = r["phases"]["down"], r["phases"]["up"]
    px_down = pd["end"].get("top", 0)
    how = (f"real X11 wheel clicks (xdotool buttons 5/4) over the grid, {args.scroll_rate:g} clicks/s"
           if args.scroll_input == "wheel" else
           f"programmatic: scrollTop moved {args.scroll_step_px * args.scroll_rate:g} px/s from a 16 ms page timer")
    lines = [
        f"## app scroll, {r['total']:,} images, {args.label} (`{scroll_command(args)}`)",
        "",
        f"Machine: {os.cpu_count()} CPUs; load average at start {load_start}, at end {load_end}. Release builds "
        f"(app binary `{args.app_bin}`), Xvfb 1280×800, software rendering (no GPU). A local bp-sandbox with a "
        f"folder of {r['total']:,} seeded images (no pictures: cards show their placeholder). Input: {how}. "
        f"Extra app environment: {', '.join(f'`{k}={v}`' for k, v in args.env.items()) or 'none'}.",
        "",
        "| Measure | Result |",
        "|---|---|",
        f"| Scroll down to the end | {pd['secs']:.1f} s, {pd['clicks']} wheel clicks, reached the end: "
        f"{'yes' if pd['done'] else '**no** (timeout)'}; scrolled {px_down:,.0f} px "
        f"({px_down / max(pd['secs'], 0.001):,.0f} px/s) |",
        f"| Scroll back up to the top | {pu['secs']:.1f} s, {pu['clicks']} wheel clicks, reached the top: "
        f"{'yes' if pu['done'] else '**no** (timeout)'} |",
        f"| Scroll frames, down and up ({len(both)} frames) | **p99 {pct(both, 0.99):.0f} ms, longest {max(both, default=float('nan')):.0f} ms**"
        f" (median {pct(both, 0.5):.0f} ms) |",
        f"| Frames scrolling down ({len(down)}) | p99 {pct(down, 0.99):.0f} ms, longest {max(down, default=float('nan')):.0f} ms, "
        f"median {pct(down, 0.5):.0f} ms, {sum(1 for f in down if f > 50)} frames > 50 ms |",
        f"| Frames scrolling up ({len(up)}) | p99 {pct(up, 0.99):.0f} ms, longest {max(up, default=float('nan')):.0f} ms, "
        f"median {pct(up, 0.5):.0f} ms, {sum(1 for f in up if f > 50)} frames > 50 ms |",
        f"| DOM nodes (`getElementsByTagName('*')`) | **max {r['dom_max']:,}**, at the bottom {r['dom_bottom'] or 0:,}, "
        f"at the end (top again) {r['dom_end']:,} |",
        f"| Cards | {r['cards_bottom']:,} card elements in the DOM at most, {r['cards_end']:,} at the end; "
        f"{r['seen']:,} of {r['total']:,} images had a card in the DOM during the scroll |",
        f"| Web process memory (WebKitWebProcess, {r['mem_end']['processes']} process) | **VmRSS {mib(r['mem_end']['rss_kib']):.0f} MiB at the end**"
        f" (max sampled {mib(r['rss_max_kib']):.0f} MiB, {mib(r['mem_start']['rss_kib']):.0f} MiB with the first page), "
        f"**VmHWM {mib(r['mem_end']['hwm_kib']):.0f} MiB** |",
        f"| Idle frames before the scroll (2 s) | longest {max(r['frames']['idle'], default=float('nan')):.0f} ms |",
        "",
        "Frames are requestAnimationFrame gaps in the page while the wheel turns (both directions), so they include "
        "page loads the scroll triggers. The DOM count is sampled once a second in the page and at the end. Memory is "
        "/proc's VmRSS/VmHWM of the app's WebKitWebProcess children (summed), sampled once a second.",
    ]
    return "\n".join(lines)


def scroll_command(args) -> str:
    parts = ["bash scripts/bench.sh --scroll"]
    default_bin = str(REPO / "target/release/beproduct-images")
    if os.path.abspath(args.app_bin) != default_bin:
        parts.append(f"--app-bin {args.app_bin} --sandbox-bin {args.sandbox_bin}")
    if args.scroll_images != 10_000:
        parts.append(f"--scroll-images {args.scroll_images}")
    if args.scroll_input != "wheel":
        parts.append(f"--scroll-input {args.scroll_input}")
    if args.scroll_rate != 40:
        parts.append(f"--scroll-rate {args.scroll_rate:g}")
    parts += [f"--env {k}={v}" for k, v in args.env.items()]
    if args.label != "default":
        parts.append(f"--label {args.label}")
    return " ".join(parts)


def count_images(base: str, folder: str) -> int:
    """Images in `folder`, asked of the sandbox directly (not through the app)."""
    tok = requests.post(f"{base}/ids/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": CREDS["refresh_token"],
        "client_id": CREDS["client_id"], "client_secret": CREDS["client_secret"]}, timeout=10).json()["access_token"]
    resp = requests.post(f"{base}/api/{CREDS['company']}/Image/Headers",
                         params={"folderId": folder, "pageSize": 1, "pageNumber": 0},
                         headers={"Authorization": f"Bearer {tok}"}, json={"filters": [], "colorwayFilters": None},
                         timeout=30)
    resp.raise_for_status()
    return int(resp.json()["total"])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def report(args, cold: list[float], r: dict, load_start: str) -> str:
    load_end = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    frames, idle_frames = r["busy"]["frames"], r["idle"]["frames"]
    worst_frame = max(frames) if frames else float("nan")
    lines = [
        f"## app, {args.label} (`bash scripts/bench.sh --app{cli_of(args)}`)",
        "",
        f"Machine: {os.cpu_count()} CPUs; load average at start {load_start}, at end {load_end}. Release builds, "
        f"Xvfb 1280×800, software rendering (no GPU). The app is connected to a local bp-sandbox "
        f"(`--processing-ms {args.processing_ms}`) "
        f"through environment credentials. Extra app environment: "
        f"{', '.join(f'`{k}={v}`' for k, v in args.env.items()) or 'none'}.",
        "",
        "| Measure | Result | Target |",
        "|---|---|---|",
        f"| Cold start → first folder's grid painted, median of {len(cold)} | **{statistics.median(cold):.0f} ms** "
        f"[{', '.join(f'{c:.0f}' for c in cold)}] | — |",
        f"| {r['files']}-file batch into new images: until all processed | {r['took']:.1f} s; {r['done']} done, "
        f"{r['landed']} new images in the folder, {r['rows']} tray rows | — |",
        f"| Longest frame during the batch | **{worst_frame:.0f} ms** (p99 {pct(frames, 0.99):.0f} ms, "
        f"median {pct(frames, 0.5):.0f} ms, {len(frames)} frames) | < 100 ms |",
        f"| Input delay, real X pointer moves during the batch | **max {max(r['delays'], default=float('nan')):.0f} ms**, "
        f"p95 {pct(r['delays'], 0.95):.0f} ms, median {pct(r['delays'], 0.5):.0f} ms "
        f"({len(r['delays'])} of {r['moves']} moves matched) | < 100 ms |",
        f"| Event-loop lateness of a 50 ms timer during the batch | max {max(r['busy']['lags'], default=float('nan')):.0f} ms, "
        f"p99 {pct(r['busy']['lags'], 0.99):.0f} ms | — |",
        f"| CPU used during the batch, by process (seconds of CPU in {r['took']:.1f} s on {os.cpu_count()} CPUs) | "
        f"{', '.join(f'{name} {secs:.1f}' for name, secs in r['cpu'][:7])} | — |",
        f"| Idle baseline (3 s, same probes) | longest frame {max(idle_frames, default=float('nan')):.0f} ms, "
        f"input delay max {max(r['idle_delays'], default=float('nan')):.0f} ms | — |",
        "",
        "Cold start counts from the kernel's start time of the app process (10 ms resolution) to the "
        "`bp:grid-painted` User Timing mark, placed two animation frames after the first page of cards "
        "is in the DOM; it includes WebKit start-up, the token request, the folder list and the first "
        "page. Input delay runs from xdotool's return (the X server has the event) to the page's "
        "`mousemove` handler, so it includes GTK, WebKit's UI→web process hop and any wait for a frame.",
    ]
    return "\n".join(lines)


def cli_of(args) -> str:
    """The options that reproduce this configuration."""
    parts = [f" --env {k}={v}" for k, v in args.env.items()]
    if args.before_batch:
        parts.append(f" --before-batch {json.dumps(args.before_batch)}")
    if args.label != "default":
        parts.append(f" --label {args.label}")
    return "".join(parts)


def write_section(path: Path, label: str, body: str) -> None:
    start, end = f"<!-- bench:app-{label} -->", f"<!-- /bench:app-{label} -->"
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{start}\n{body}\n{end}"
    a, b = old.find(start), old.find(end)
    new = old[:a] + section + old[b + len(end):] if 0 <= a < b else old.rstrip() + "\n\n" + section + "\n"
    path.write_text(new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app-bin", required=True)
    ap.add_argument("--sandbox-bin", required=True)
    ap.add_argument("--driver", default=shutil.which("tauri-driver") or str(Path.home() / ".cargo/bin/tauri-driver"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--processing-ms", type=int, default=1500)
    ap.add_argument("--batch-timeout", type=float, default=900)
    ap.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for the app, e.g. WEBKIT_DISABLE_COMPOSITING_MODE=1")
    ap.add_argument("--label", default="default", help="names this configuration in BENCHMARKS.md")
    ap.add_argument("--before-batch", metavar="JS",
                    help="diagnostics: script run in the page before the probes start (e.g. to hide a part); "
                         "whatever it leaves in window.__benchDiag is logged after the batch")
    ap.add_argument("--scroll", action="store_true",
                    help="instead of cold start and batch: scroll a folder of --scroll-images images top to bottom "
                         "and back; writes the app-scroll-LABEL section")
    ap.add_argument("--scroll-images", type=int, default=10_000)
    ap.add_argument("--scroll-input", choices=["wheel", "scrolltop"], default="wheel",
                    help="wheel: real X11 wheel clicks (xdotool); scrolltop: the page moves scrollTop on a timer")
    ap.add_argument("--scroll-rate", type=float, default=40, help="wheel clicks per second (one click scrolls about 84 px in WebKitGTK here)")
    ap.add_argument("--scroll-step-px", type=float, default=120,
                    help="--scroll-input scrolltop: pixels per (virtual) click")
    ap.add_argument("--scroll-timeout", type=float, default=900, help="seconds at most per direction")
    ap.add_argument("--scroller", default="#grid-scroller", help="the grid's scrolling element")
    args = ap.parse_args()
    args.env = dict(e.split("=", 1) for e in args.env)
    if "DISPLAY" not in os.environ:
        raise SystemExit("needs an X display (scripts/bench.sh --app starts Xvfb)")
    load_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    if args.scroll:
        with tempfile.TemporaryDirectory(prefix="bp-app-bench-") as tmp:
            work = Path(tmp)
            sandbox, base = start_sandbox(args.sandbox_bin, work / "sandbox", args.processing_ms, controls=True)
            try:
                r = scroll_bench(args, base, work)
            finally:
                stop(sandbox)
        load_end = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        frames = r["frames"]["down"] + r["frames"]["up"]
        at = [sum(frames[:i + 1]) / 1000 for i in range(len(frames))]
        worst = sorted(range(len(frames)), key=lambda i: -frames[i])[:5]
        log("longest frames: " + ", ".join(f"{frames[i]:.0f} ms ending {at[i]:.1f} s into the scroll" for i in sorted(worst)))
        body = scroll_report(args, r, load_start, load_end)
        print(body)
        print(json.dumps({"p99_ms": pct(frames, 0.99), "longest_ms": max(frames, default=None), "dom_max": r["dom_max"],
                          "dom_end": r["dom_end"], "seen": r["seen"], "web_rss_kib": r["mem_end"]["rss_kib"],
                          "web_hwm_kib": r["mem_end"]["hwm_kib"], "samples": r["samples"]}))
        write_section(args.out, f"scroll-{args.label}", body)
        log(f"wrote the app-scroll-{args.label} section of {args.out}")
        return
    with tempfile.TemporaryDirectory(prefix="bp-app-bench-") as tmp:
        work = Path(tmp)
        sandbox, base = start_sandbox(args.sandbox_bin, work / "sandbox", args.processing_ms)
        try:
            cold = cold_start(args, base, work)
            r = responsiveness(args, base, work)
        finally:
            stop(sandbox)
    frames = r["busy"]["frames"]
    at = [sum(frames[:i + 1]) / 1000 for i in range(len(frames))]
    worst = sorted(range(len(frames)), key=lambda i: -frames[i])[:5]
    log("longest frames: " + ", ".join(f"{frames[i]:.0f} ms ending {at[i]:.1f} s into the batch" for i in sorted(worst))
        + f" (batch took {r['took']:.1f} s)")
    body = report(args, cold, r, load_start)
    print(body)
    print(json.dumps({"cold_ms": cold, "batch_s": r["took"], "longest_frame_ms": max(r["busy"]["frames"], default=None),
                      "max_input_delay_ms": max(r["delays"], default=None)}))
    write_section(args.out, args.label, body)
    log(f"wrote the app-{args.label} section of {args.out}")


if __name__ == "__main__":
    main()
