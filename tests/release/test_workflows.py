"""Static checks of the release pipeline and the bundle metadata (fast, no build needed).

They read .github/workflows/*.yml, src-tauri/tauri.conf.json, README.md and the icons, and
fail with a message that names the file and the value to fix.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from release_support import PNG_COLOUR_RGBA, REPO_ROOT, png_header, workspace_package, workspace_version

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
TAURI_CONF = REPO_ROOT / "src-tauri" / "tauri.conf.json"

# Inputs of tauri-apps/tauri-action@v1 (v1 renamed includeUpdaterJson to uploadUpdaterJson).
# An unknown key is silently ignored by GitHub, so a typo would quietly drop a setting.
TAURI_ACTION_INPUTS = {
    "projectPath", "tauriScript", "args", "tagName", "releaseName", "releaseBody", "releaseDraft",
    "prerelease", "releaseCommitish", "releaseId", "owner", "repo", "githubBaseUrl", "isGitea",
    "uploadUpdaterJson", "updaterJsonPreferNsis", "updaterJsonKeepUniversal", "uploadPlainBinary",
    "includeDebug", "assetNamePattern", "releaseAssetNamePattern", "generateReleaseNotes",
    "retryAttempts", "uploadWorkflowArtifacts", "workflowArtifactNamePattern",
}

# Tauri's bundle.category values (tauri-utils AppCategory); the bundler rejects anything else.
TAURI_CATEGORIES = {
    "Business", "DeveloperTool", "Education", "Entertainment", "Finance", "Game", "GraphicsAndDesign",
    "HealthcareAndFitness", "Lifestyle", "Medical", "Music", "News", "Photography", "Productivity",
    "Reference", "SocialNetworking", "Sports", "Travel", "Utility", "Video", "Weather",
}

SECRET_EXPR = re.compile(r"^\$\{\{\s*secrets\.([A-Z0-9_]+)\s*(!=\s*''\s*)?\}\}$")
SENSITIVE_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PRIVATE|API_?KEY|SIGNING)", re.IGNORECASE)


def load_workflow(name: str) -> dict:
    path = WORKFLOWS / name
    assert path.is_file(), f"{path} is missing"
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    assert isinstance(doc, dict), f"{path} is not a YAML mapping"
    return doc


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict), f"workflow triggers must be a mapping, got {on!r}"
    return on


def all_steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def tauri_action_step(workflow: dict) -> tuple[str, dict]:
    found = [(job, s) for job, s in all_steps(workflow) if str(s.get("uses", "")).startswith("tauri-apps/tauri-action@")]
    assert len(found) == 1, f"release.yml must have exactly one tauri-apps/tauri-action step, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def release() -> dict:
    return load_workflow("release.yml")


@pytest.fixture(scope="module")
def ci() -> dict:
    return load_workflow("ci.yml")


@pytest.fixture(scope="module")
def tauri_conf() -> dict:
    with open(TAURI_CONF, encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------- release.yml


def test_release_runs_only_on_version_tags(release):
    on = triggers(release)
    assert set(on) == {"push"}, f"release.yml must only run on tag pushes, has triggers {sorted(on)}"
    assert on["push"].get("tags") == ["v*"], f"release.yml must filter tags to ['v*'], has {on['push'].get('tags')}"
    assert "branches" not in on["push"], "a branch filter would publish releases from branch pushes"


def test_release_checks_the_tag_against_the_workspace_version_first(release):
    jobs = release["jobs"]
    publish_job = next(name for name, s in all_steps(release) if "tauri-action" in str(s.get("uses", "")))
    needs = jobs[publish_job].get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    assert needs, f"job {publish_job} must depend on a version check job"
    script = "\n".join(s.get("run", "") for n in needs for s in jobs[n].get("steps", []))
    assert "[workspace.package]" in script and "GITHUB_REF_NAME" in script, (
        "the version check must compare the tag (GITHUB_REF_NAME) with [workspace.package] version"
    )


def test_release_job_may_write_contents_and_nothing_more(release):
    assert release.get("permissions") == {"contents": "read"}, "default token permission must be read-only"
    job_name, _ = tauri_action_step(release)
    assert release["jobs"][job_name].get("permissions") == {"contents": "write"}, (
        f"job {job_name} needs exactly permissions: contents: write to create the release"
    )


def matrix_rows(release: dict) -> list[dict]:
    job_name, _ = tauri_action_step(release)
    matrix = release["jobs"][job_name]["strategy"]["matrix"]
    rows = matrix.get("include", [])
    assert rows, "the publish matrix must list its platforms under include:"
    return rows


def bundles_of(args: str) -> set[str]:
    words = shlex.split(args)
    assert "--bundles" in words, f"matrix args {args!r} must name the bundles explicitly (--bundles ...)"
    return set(words[words.index("--bundles") + 1].split(","))


def test_release_matrix_covers_the_three_desktop_platforms(release):
    by_os = {}
    for row in matrix_rows(release):
        by_os.setdefault(row["platform"].split("-")[0], []).append(row)
    assert set(by_os) == {"macos", "windows", "ubuntu"}, f"matrix platforms are {sorted(by_os)}"
    assert all(len(rows) == 1 for rows in by_os.values()), "one job per OS (macOS is a universal build)"

    mac = by_os["macos"][0]
    words = shlex.split(mac["args"])
    assert words[words.index("--target") + 1] == "universal-apple-darwin", "macOS must build --target universal-apple-darwin"
    assert {"app", "dmg"} <= bundles_of(mac["args"]), "macOS must bundle the .app (updater) and the .dmg"
    assert set(mac["rust-targets"].split()) == {"aarch64-apple-darwin", "x86_64-apple-darwin"}

    assert bundles_of(by_os["windows"][0]["args"]) & {"msi", "nsis"}, "Windows must bundle msi and/or nsis"

    linux = by_os["ubuntu"][0]
    assert linux["platform"] == "ubuntu-22.04", "Linux bundles are built on ubuntu-22.04 (oldest glibc/webkit2gtk-4.1)"
    assert bundles_of(linux["args"]) == {"deb", "rpm", "appimage"}


def test_release_installs_rust_targets_linux_deps_and_caches_cargo(release):
    job_name, _ = tauri_action_step(release)
    steps = release["jobs"][job_name]["steps"]
    uses = [str(s.get("uses", "")) for s in steps]

    rustup = next((s for s in steps if "rustup toolchain install stable" in s.get("run", "")), None)
    assert rustup, "the publish job must install Rust stable with rustup"
    assert rustup.get("env", {}).get("RUST_TARGETS") == "${{ matrix.rust-targets }}", "rust targets must come from the matrix"
    assert "rustup target add" in rustup["run"], "the matrix's rust targets must be added"
    assert any(u.startswith("Swatinem/rust-cache@") for u in uses), "cargo must be cached with Swatinem/rust-cache"

    linux_platform = next(r["platform"] for r in matrix_rows(release) if r["platform"].startswith("ubuntu"))
    apt = [s for s in steps if "apt-get install" in s.get("run", "")]
    assert len(apt) == 1, "exactly one step installs the Linux build dependencies"
    assert re.fullmatch(rf"matrix\.platform == '{re.escape(linux_platform)}'", apt[0].get("if", "")), (
        f"the apt step's if: must name the matrix platform {linux_platform!r} exactly, or it never runs"
    )
    for pkg in ("libwebkit2gtk-4.1-dev", "libgtk-3-dev", "librsvg2-dev", "patchelf", "libayatana-appindicator3-dev"):
        assert re.search(rf"(^|\s){re.escape(pkg)}(\s|$)", apt[0]["run"]), f"apt step must install {pkg}"

    index_cli = next((i for i, s in enumerate(steps) if "npm ci" in s.get("run", "")), None)
    index_action = next(i for i, s in enumerate(steps) if "tauri-action" in str(s.get("uses", "")))
    assert index_cli is not None and index_cli < index_action, "the Tauri CLI (npm ci) must be installed before tauri-action"


def test_tauri_action_inputs(release):
    _, step = tauri_action_step(release)
    assert step["uses"] == "tauri-apps/tauri-action@v1", f"pin tauri-action to its major version v1, not {step['uses']}"
    inputs = step.get("with", {})
    unknown = set(inputs) - TAURI_ACTION_INPUTS
    assert not unknown, f"tauri-action@v1 has no input(s) {sorted(unknown)} (v0's includeUpdaterJson is uploadUpdaterJson in v1)"
    assert inputs.get("args", "").startswith("${{ matrix.args }}"), "tauri-action args must start with the matrix's args"
    assert inputs.get("tagName") == "${{ github.ref_name }}", "the release must be named after the pushed tag"
    assert "${{ github.ref_name }}" in str(inputs.get("releaseName", "")), "releaseName must name the version"
    assert inputs.get("releaseDraft") is True, "releases start as drafts so a maintainer checks them before publishing"
    assert inputs.get("uploadUpdaterJson") is True, "latest.json for the updater must be uploaded"
    assert inputs.get("projectPath") in (None, "."), "the Tauri project is found from the repo root"
    assert inputs.get("tauriScript") == "npx tauri", "use the CLI pinned in package-lock.json (installed by npm ci)"

    package = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
    cli = package.get("devDependencies", {}).get("@tauri-apps/cli", "")
    assert re.match(r"^[\^~]?2\.", cli), f"package.json must pin @tauri-apps/cli 2.x, has {cli!r}"


def test_tauri_action_gets_the_signing_key_only_from_secrets(release):
    _, step = tauri_action_step(release)
    env = step.get("env", {})
    assert env.get("GITHUB_TOKEN") == "${{ secrets.GITHUB_TOKEN }}"
    for name in ("TAURI_SIGNING_PRIVATE_KEY", "TAURI_SIGNING_PRIVATE_KEY_PASSWORD"):
        assert env.get(name) == f"${{{{ secrets.{name} }}}}", f"{name} must be ${{{{ secrets.{name} }}}}"


def inline_secrets(node, where: str = "") -> list[str]:
    """Places where a secret-looking key is set to a literal instead of ${{ secrets.NAME }}."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and SENSITIVE_NAME.search(str(key)):
                if not SECRET_EXPR.match(str(value)):
                    found.append(f"{where}.{key}")
            found += inline_secrets(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += inline_secrets(item, f"{where}[{i}]")
    return found


@pytest.mark.parametrize("name", ["release.yml", "ci.yml"])
def test_no_inline_secrets_in_workflows(name):
    found = inline_secrets(load_workflow(name), name)
    assert not found, f"set these from a ${{{{ secrets.NAME }}}} reference, never a literal: {found}"


def test_the_inline_secret_check_catches_a_literal():
    doc = {"jobs": {"a": {"steps": [{"env": {"TAURI_SIGNING_PRIVATE_KEY": "dW50cnVzdGVk", "GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}"}}]}}}
    assert inline_secrets(doc, "wf") == ["wf.jobs.a.steps[0].env.TAURI_SIGNING_PRIVATE_KEY"]


# ---------------------------------------------------------------- every workflow: actionlint, pins, secrets


def workflow_files() -> list[Path]:
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert files, f"no workflows in {WORKFLOWS}"
    return files


def venv_tool(name: str) -> Path:
    """actionlint and shellcheck come with tests/requirements.txt, next to this Python."""
    tool = Path(sys.executable).parent / name
    assert tool.is_file(), f"{tool} is missing; install tests/requirements.txt (bash scripts/setup.sh)"
    return tool


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv_tool("actionlint")), "-no-color", f"-shellcheck={venv_tool('shellcheck')}", *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )


def test_actionlint_passes_on_every_workflow():
    result = actionlint(*workflow_files())
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_actionlint_reports_expression_and_shell_mistakes(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-22.04\n"
        "    steps:\n"
        "      - if: secrets.X != ''\n"  # the secrets context is not available in a step's if:
        "        run: echo $1 ${{ steps.nope.outputs.x }}\n"  # unquoted $1 (shellcheck), unknown step
    )
    result = actionlint(bad)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "secrets" in out and "nope" in out, out
    assert "shellcheck" in out, f"actionlint ran without shellcheck:\n{out}"


# owner/repo[/path]@ a version tag (v2, v2.1, v2.1.3) or a full commit SHA. Branches such as
# @main or @stable move under the workflow without a review.
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")


def unpinned_actions(workflow: dict) -> list[str]:
    found = []
    for job_name, job in workflow["jobs"].items():
        uses = [job["uses"]] if "uses" in job else [s["uses"] for s in job.get("steps", []) if "uses" in s]
        found += [f"{job_name}: {u}" for u in uses if not u.startswith("./") and not PINNED.match(u)]
    return found


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_version(path):
    found = unpinned_actions(load_workflow(path.name))
    assert not found, f"pin these to a version tag (@v2) or a commit SHA: {found}"


def test_the_pin_check_rejects_branches():
    doc = {"jobs": {"a": {"steps": [
        {"uses": "actions/checkout@v5"}, {"uses": "o/r@v1.2.3"}, {"uses": "o/r/sub@" + "a" * 40},
        {"uses": "./local-action"}, {"uses": "dtolnay/rust-toolchain@stable"}, {"uses": "o/r@main"}, {"uses": "o/r"},
    ]}}}
    assert unpinned_actions(doc) == ["a: dtolnay/rust-toolchain@stable", "a: o/r@main", "a: o/r"]


SECRET_IN_EXPR = re.compile(r"\$\{\{([^}]*\bsecrets\.[^}]*)\}\}")
PRESENCE_TEST = re.compile(r"^\s*secrets\.[A-Za-z0-9_]+\s*[!=]=\s*''\s*$")
OUTPUT_COMMAND = re.compile(r"\b(echo|printf|print|cat|tee|Write-Output|Write-Host|Write-Information|Out-Host)\b")
FILE_REDIRECT = re.compile(r"(?<![0-9&])>{1,2}\s*(?!&|/dev/std(out|err))\S")
TRACING = re.compile(r"set\s+-[a-z]*x|set\s+-o\s+xtrace|\bbash\s+-[a-z]*x|Set-PSDebug")


def carries_a_secret(value) -> bool:
    """An env value that holds a secret (not just the true/false of `secrets.X != ''`)."""
    return any(not PRESENCE_TEST.match(expr) for expr in SECRET_IN_EXPR.findall(str(value)))


def secret_variables(workflow: dict) -> set[str]:
    """Names of env variables given a secret anywhere in the workflow: a step can pass them on
    to later steps (through $GITHUB_ENV), so they count as secret in every step."""
    names = {k for k, v in (workflow.get("env") or {}).items() if carries_a_secret(v)}
    for job in workflow["jobs"].values():
        names |= {k for k, v in (job.get("env") or {}).items() if carries_a_secret(v)}
        for step in job.get("steps", []):
            names |= {k for k, v in (step.get("env") or {}).items() if carries_a_secret(v)}
    return names


def echoed_secrets(workflow: dict) -> list[str]:
    """Run scripts that could print a secret: interpolated secrets, tracing, or an output command
    on a secret variable that does not go to a file."""
    names = secret_variables(workflow)
    found = []
    for job_name, job in workflow["jobs"].items():
        for index, step in enumerate(job.get("steps", [])):
            where = f"{job_name}.steps[{index}] ({step.get('name', step.get('uses', 'run'))})"
            script = step.get("run", "")
            if "secrets." in script:
                found.append(f"{where}: uses secrets.* inside run:, pass it through env: instead")
            if TRACING.search(script) and names:
                found.append(f"{where}: shell tracing would print the secret variables")
            for line in script.splitlines():
                mentions = [n for n in names if re.search(rf"(\$\{{?|\$env:|%){n}\b", line)]
                if mentions and OUTPUT_COMMAND.search(line) and not FILE_REDIRECT.search(line):
                    found.append(f"{where}: prints {', '.join(sorted(mentions))}: {line.strip()}")
    return found


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_no_secret_is_echoed(path):
    found = echoed_secrets(load_workflow(path.name))
    assert not found, "a workflow could print a secret to the log:\n" + "\n".join(found)


def test_the_echo_check_catches_printed_secrets():
    def doc(run: str, env=None) -> dict:
        step = {"name": "s", "run": run, "env": env if env is not None else {"KEY": "${{ secrets.KEY }}"}}
        return {"jobs": {"a": {"steps": [step]}}}

    assert echoed_secrets(doc('echo "$KEY"'))
    assert echoed_secrets(doc("printf '%s' ${KEY} >&2"))
    assert echoed_secrets(doc("Write-Host $env:KEY"))
    assert echoed_secrets(doc("set -x\ntool --key x"))
    assert echoed_secrets(doc("tool ${{ secrets.KEY }}", env={}))
    assert echoed_secrets(doc('echo "$KEY" | tee key.txt'))
    assert not echoed_secrets(doc('echo "$KEY" > key.txt'))
    assert not echoed_secrets(doc('printf "%s" "$KEY" >> "$GITHUB_ENV"'))
    assert not echoed_secrets(doc('echo "::error::KEY is wrong"'))
    assert not echoed_secrets(doc('echo "$KEY"', env={"HAS_KEY": "${{ secrets.KEY != '' }}"}))


# ---------------------------------------------------------------- ci.yml


def readme_commands() -> list[str]:
    """Lines inside fenced code blocks of README.md, stripped of a leading `$ `."""
    readme = REPO_ROOT / "README.md"
    assert readme.is_file(), "README.md is missing; it must document the test command"
    lines, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line.strip().removeprefix("$ ").strip())
    return lines


def test_ci_runs_on_push_and_pull_requests(ci):
    on = triggers(ci)
    assert "push" in on and "pull_request" in on, f"ci.yml must run on push and pull_request, has {sorted(on)}"
    tags = (on.get("push") or {}).get("tags")
    assert not tags, "ci.yml must not run on tags: that is release.yml's job"


def test_ci_runs_the_readme_test_command_after_setup(ci):
    jobs = list(ci["jobs"].values())
    assert len(jobs) == 1 and str(jobs[0]["runs-on"]).startswith("ubuntu"), "one ubuntu test job"
    runs = [s["run"].strip() for s in jobs[0]["steps"] if "run" in s]
    assert runs, "ci.yml runs no command"
    test_command = runs[-1]
    assert test_command == "bash scripts/test.sh", f"the CI test command is {test_command!r}"
    assert (REPO_ROOT / "scripts" / "test.sh").is_file(), "scripts/test.sh does not exist"
    assert test_command in readme_commands(), f"README.md does not document {test_command!r} in a code block"
    assert "bash scripts/setup.sh" in runs[:-1], "CI must run bash scripts/setup.sh before the tests"


# ---------------------------------------------------------------- tauri.conf.json


def test_identity_and_version_source(tauri_conf):
    assert tauri_conf.get("productName") == "BeProduct Images"
    assert tauri_conf.get("identifier") == "com.beproduct.images"
    # Without "version" Tauri takes the crate version, which src-tauri inherits from the workspace.
    if "version" in tauri_conf:
        assert tauri_conf["version"] == workspace_version(), (
            f"tauri.conf.json version {tauri_conf['version']} != workspace version {workspace_version()}; "
            "delete the key so Cargo.toml is the only source"
        )
    with open(REPO_ROOT / "src-tauri" / "Cargo.toml", "rb") as f:
        package = tomllib.load(f)["package"]
    assert package.get("version") == {"workspace": True}, "src-tauri must use version.workspace = true"


def test_bundle_metadata(tauri_conf):
    bundle = tauri_conf.get("bundle", {})
    ws = workspace_package()
    assert bundle.get("active") is True
    assert bundle.get("publisher", "").strip(), "bundle.publisher (the .deb Maintainer) is empty"
    assert bundle.get("shortDescription", "").strip(), "bundle.shortDescription is empty"
    assert len(bundle.get("longDescription", "")) > len(bundle["shortDescription"]), "bundle.longDescription is missing"
    assert bundle.get("homepage", "").startswith("https://"), "bundle.homepage must be an https URL"
    assert bundle.get("homepage") == ws.get("homepage"), "bundle.homepage differs from the workspace homepage"
    assert bundle.get("license") == ws.get("license"), "bundle.license differs from the workspace license"
    assert bundle.get("copyright", "").strip(), "bundle.copyright is empty"
    assert bundle.get("category") in TAURI_CATEGORIES, f"bundle.category {bundle.get('category')!r} is not one of Tauri's"
    targets = bundle.get("targets", "all")
    assert targets == "all" or {"deb", "rpm", "appimage", "dmg", "app", "msi", "nsis"} <= set(targets), (
        f"bundle.targets {targets!r} leaves out platforms; use \"all\" (the workflow and bundle.sh pass --bundles)"
    )


def icon_paths(tauri_conf) -> list[Path]:
    icons = tauri_conf.get("bundle", {}).get("icon", [])
    assert icons, "bundle.icon is empty"
    return [(TAURI_CONF.parent / p).resolve() for p in icons]


def test_icons_exist_and_cover_every_platform(tauri_conf):
    paths = icon_paths(tauri_conf)
    missing = [str(p) for p in paths if not p.is_file()]
    assert not missing, f"bundle.icon lists missing files: {missing}"
    suffixes = {p.suffix for p in paths}
    assert {".png", ".icns", ".ico"} <= suffixes, "bundle.icon needs PNGs (Linux), .icns (macOS) and .ico (Windows)"
    names = {p.name for p in paths}
    assert {"32x32.png", "128x128.png", "128x128@2x.png"} <= names, "the Linux hicolor sizes Tauri expects are missing"


def test_icon_pngs_are_8bit_rgba_of_their_named_size(tauri_conf):
    for path in icon_paths(tauri_conf):
        if path.suffix != ".png":
            continue
        width, height, depth, colour = png_header(path)
        assert (depth, colour) == (8, PNG_COLOUR_RGBA), f"{path.name} is {depth}-bit colour type {colour}; Tauri needs 8-bit RGBA"
        size = re.fullmatch(r"(\d+)x(\d+)(@2x)?\.png", path.name)
        if size:
            scale = 2 if size.group(3) else 1
            expected = (int(size.group(1)) * scale, int(size.group(2)) * scale)
            assert (width, height) == expected, f"{path.name} is {width}x{height}, expected {expected}"
        assert width == height and width >= 32, f"{path.name} must be square, at least 32 px"


# ---------------------------------------------------------------- updater


def test_updater_config_is_complete_when_present(tauri_conf, release):
    updater = tauri_conf.get("plugins", {}).get("updater")
    creates_artifacts = tauri_conf.get("bundle", {}).get("createUpdaterArtifacts", False)
    if updater is None:
        assert not creates_artifacts, "bundle.createUpdaterArtifacts is on but plugins.updater (pubkey, endpoints) is missing"
        return
    pubkey = updater.get("pubkey", "")
    decoded = base64.b64decode(pubkey, validate=True).decode("utf-8", "replace") if pubkey else ""
    assert decoded.startswith("untrusted comment: minisign public key"), (
        "plugins.updater.pubkey must be the content of the .pub file from `npx tauri signer generate`"
    )
    endpoints = updater.get("endpoints", [])
    assert endpoints and all(e.startswith("https://") for e in endpoints), f"updater endpoints must be https: {endpoints}"
    assert creates_artifacts in (True, "v1Compatible"), "bundle.createUpdaterArtifacts must be on to sign update bundles"
    _, step = tauri_action_step(release)
    assert step.get("with", {}).get("uploadUpdaterJson") is True


# The markers are assembled here so this file does not itself contain them.
PRIVATE_KEY_MARKERS = [
    " PRIVATE " + "KEY-----",  # PEM headers of RSA, EC, OPENSSH and PKCS#8 keys
    "untrusted comment: rsign " + "encrypted secret key",  # tauri signer (rsign2)
    "untrusted comment: minisign " + "encrypted secret key",
    "RWRTY0" + "Iy",  # start of a minisign/rsign secret key body
    # `tauri signer generate` writes the whole key file base64-encoded: its first line then
    # starts with the base64 of the rsign comment above.
    base64.b64encode(("untrusted comment: rsign " + "encrypted secret key").encode()).decode()[:48],
]
SKIP_DIRS = {".git", "node_modules", ".venv", "__pycache__", "target", "artifacts"}


def scan_for_private_keys(root: Path) -> list[str]:
    """Files under root (skipping build output and dependencies) that hold a private key."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("target-")]
        for name in filenames:
            path = Path(dirpath) / name
            if name.endswith(".key"):
                hits.append(f"{path}: a .key file")
                continue
            try:
                with open(path, "rb") as f:
                    if b"\0" in f.read(1024):
                        continue  # binary file
                    f.seek(0)
                    for line in f:  # streamed: never the whole file in memory
                        text = line.decode("utf-8", "replace")
                        if any(marker in text for marker in PRIVATE_KEY_MARKERS):
                            hits.append(f"{path}: contains a private key marker")
                            break
            except OSError:
                continue
    return hits


def test_no_private_key_anywhere_in_the_repository():
    hits = scan_for_private_keys(REPO_ROOT)
    assert not hits, "private keys must live in CI secrets only, never in the repository:\n" + "\n".join(hits)


# ---------------------------------------------------------------- the checkers themselves can fail


def test_the_key_scan_finds_a_planted_key(tmp_path):
    (tmp_path / "sub").mkdir()
    planted = base64.b64encode(("untrusted comment: rsign " + "encrypted secret key\nRWRTY0" + "Iy...\n").encode()).decode()
    (tmp_path / "sub" / "updater.txt").write_text(planted + "\n")
    (tmp_path / "key.pem").write_text("-----BEGIN EC " + "PRIVATE" + " KEY-----\nMHcC\n")
    (tmp_path / "clean.txt").write_text("no secrets here\n")
    hits = scan_for_private_keys(tmp_path)
    assert len(hits) == 2 and not any("clean.txt" in h for h in hits), hits


def test_png_check_rejects_16_bit_and_rgb_images(tmp_path):
    import struct
    import zlib

    def png(depth: int, colour: int) -> Path:
        ihdr = struct.pack(">IIBBBBB", 32, 32, depth, colour, 0, 0, 0)
        chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
        path = tmp_path / f"{depth}-{colour}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk)
        return path

    assert png_header(png(8, 6))[2:] == (8, PNG_COLOUR_RGBA)
    assert png_header(png(16, 6))[2] == 16
    assert png_header(png(8, 2))[3] == 2
    (tmp_path / "not.png").write_bytes(b"GIF89a" + b"\0" * 40)
    with pytest.raises(ValueError):
        png_header(tmp_path / "not.png")
