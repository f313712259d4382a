"""Signing of the release: what release.yml does with each secret, and a dry run on Linux of
everything that can run here.

Runs here, for real: the signing plan and the macOS credential hand-over of
scripts/release_signing.py (with made-up secret values), a Tauri updater key pair generated with
the pinned Tauri CLI signing the built .deb and the signature checked with minisign (and a
tampered file failing), SHA256SUMS checked by `sha256sum -c`, and its GPG signature made with a
key generated here. Apple's codesign/notarytool/stapler and Windows' signtool exist only on the
macOS and Windows runners: those steps are checked here by reading the workflow, and they verify
their own output there (`codesign --verify`, `spctl`, `Get-AuthenticodeSignature`).
"""

from __future__ import annotations

import base64
import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from release_support import REPO_ROOT, find_deb

SCRIPT = REPO_ROOT / "scripts" / "release_signing.py"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"
TAURI_CONF = REPO_ROOT / "src-tauri" / "tauri.conf.json"
RELEASING = REPO_ROOT / "docs" / "RELEASING.md"
TAURI_CLI = REPO_ROOT / "node_modules" / ".bin" / "tauri"

APPLE_CERTIFICATE = ("APPLE_CERTIFICATE", "APPLE_CERTIFICATE_PASSWORD", "APPLE_SIGNING_IDENTITY")
APPLE_API_KEY = ("APPLE_API_KEY", "APPLE_API_ISSUER", "APPLE_API_PRIVATE_KEY")
APPLE_ID = ("APPLE_ID", "APPLE_PASSWORD", "APPLE_TEAM_ID")
APPLE_ALL = APPLE_CERTIFICATE + APPLE_API_KEY + APPLE_ID
WINDOWS = ("WINDOWS_CERTIFICATE", "WINDOWS_CERTIFICATE_PASSWORD")
LINUX_GPG = ("LINUX_GPG_PRIVATE_KEY", "LINUX_GPG_PASSPHRASE")
ALL_SECRETS = APPLE_ALL + WINDOWS + LINUX_GPG + ("TAURI_SIGNING_PRIVATE_KEY",)


# ---------------------------------------------------------------- running the script


def run_script(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env={**base, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def read_github_file(path: Path) -> dict[str, str]:
    """Parses the NAME<<DELIMITER ... DELIMITER records of $GITHUB_OUTPUT / $GITHUB_ENV."""
    values, lines = {}, path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        name, delim = lines[i].split("<<", 1)
        end = lines.index(delim, i + 1)
        values[name] = "\n".join(lines[i + 1:end])
        i = end + 1
    return values


def flags(*set_secrets: str) -> dict[str, str]:
    return {f"HAS_{name}": "true" if name in set_secrets else "false" for name in ALL_SECRETS}


def plan(tmp_path: Path, *set_secrets: str, config: Path = TAURI_CONF) -> tuple[subprocess.CompletedProcess, dict]:
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**flags(*set_secrets), "GITHUB_OUTPUT": str(output), "GITHUB_REF_NAME": "v9.8.7"}
    result = run_script("plan", "--config", str(config), env=env)
    return result, read_github_file(output)


def config_with_updater_artifacts(tmp_path: Path, on: bool) -> Path:
    """tauri.conf.json with bundle.createUpdaterArtifacts set to `on` (it is on in the real one)."""
    conf = json.loads(TAURI_CONF.read_text(encoding="utf-8"))
    conf["bundle"]["createUpdaterArtifacts"] = on
    config = tmp_path / "tauri.conf.json"
    config.write_text(json.dumps(conf))
    return config


def test_plan_without_secrets_builds_unsigned_and_says_so(tmp_path):
    # A fork or a first release without any secret, and the updater turned off.
    result, out = plan(tmp_path, config=config_with_updater_artifacts(tmp_path, False))
    assert result.returncode == 0, result.stderr
    assert {k: out[k] for k in ("macos", "notarization", "windows", "linux-signature", "updater")} == {
        "macos": "unsigned", "notarization": "none", "windows": "unsigned", "linux-signature": "none", "updater": "off"}
    notes = out["notes"]
    assert "v9.8.7" in notes
    assert "**not signed or notarized**" in notes and "Open Anyway" in notes, notes
    assert "**not signed**" in notes and "Run anyway" in notes, notes
    assert "SHA256SUMS" in notes and "Checking a downloaded build" in notes


def test_plan_with_every_secret_signs_everything(tmp_path):
    result, out = plan(tmp_path, *ALL_SECRETS)
    assert result.returncode == 0, result.stderr
    # Both notarization sets: the API key is used (only it is exported, see export-apple).
    assert (out["macos"], out["notarization"], out["windows"], out["linux-signature"]) == ("signed", "api-key", "signed", "gpg")
    assert "notarized by Apple" in out["notes"] and "Authenticode-signed and timestamped" in out["notes"]
    assert "SHA256SUMS.asc" in out["notes"] and "not signed" not in out["notes"]


def test_plan_notarizes_with_the_apple_id_when_there_is_no_api_key(tmp_path):
    # The updater key too: createUpdaterArtifacts is on in tauri.conf.json.
    result, out = plan(tmp_path, *APPLE_CERTIFICATE, *APPLE_ID, "TAURI_SIGNING_PRIVATE_KEY")
    assert result.returncode == 0, result.stderr
    assert (out["macos"], out["notarization"], out["windows"]) == ("signed", "apple-id", "unsigned")


@pytest.mark.parametrize("set_secrets, names_in_message", [
    (("APPLE_CERTIFICATE", "APPLE_API_KEY", "APPLE_API_ISSUER", "APPLE_API_PRIVATE_KEY"),
     ["APPLE_CERTIFICATE_PASSWORD", "APPLE_SIGNING_IDENTITY"]),
    (APPLE_CERTIFICATE, ["notarization", "APPLE_API_KEY", "APPLE_ID"]),
    (APPLE_API_KEY, ["APPLE_CERTIFICATE"]),
    (APPLE_CERTIFICATE + ("APPLE_ID", "APPLE_PASSWORD"), ["APPLE_TEAM_ID"]),
    (("WINDOWS_CERTIFICATE",), ["WINDOWS_CERTIFICATE_PASSWORD"]),
    (("LINUX_GPG_PASSPHRASE",), ["LINUX_GPG_PRIVATE_KEY"]),
], ids=["certificate-half-set", "no-notarization", "no-certificate", "apple-id-no-team", "windows-no-password", "gpg-no-key"])
def test_plan_refuses_a_half_configured_group(tmp_path, set_secrets, names_in_message):
    result, out = plan(tmp_path, *set_secrets)
    assert result.returncode == 1, f"a half-set group must fail the release, got outputs {out}"
    assert result.stderr.startswith("::error::"), result.stderr
    for name in names_in_message:
        assert name in result.stderr, f"{name} not named in: {result.stderr}"
    assert out == {}, "nothing may be decided when the set-up is wrong"


def test_plan_requires_the_updater_key_once_updater_artifacts_are_on(tmp_path):
    config = config_with_updater_artifacts(tmp_path, True)
    result, _ = plan(tmp_path, config=config)
    assert result.returncode == 1 and "TAURI_SIGNING_PRIVATE_KEY" in result.stderr, result.stderr
    result, out = plan(tmp_path, "TAURI_SIGNING_PRIVATE_KEY", config=config)
    assert result.returncode == 0 and out["updater"] == "on", result.stderr


def test_plan_rejects_a_flag_that_is_not_true_or_false(tmp_path):
    output = tmp_path / "out"
    output.write_text("")
    env = {**flags(), "HAS_APPLE_ID": "yes", "GITHUB_OUTPUT": str(output)}
    result = run_script("plan", env=env)
    assert result.returncode == 1 and "HAS_APPLE_ID" in result.stderr, result.stderr


# Made-up values, each unique so a leak into the output is unmistakable.
FAKE = {name: f"fake-{name.lower()}-value-0b7d" for name in APPLE_ALL}
FAKE["APPLE_API_PRIVATE_KEY"] = "-----BEGIN " + "PRIVATE KEY-----\nZmFrZS1wOC1rZXk=\nEOF_not_a_delimiter\n-----END " + "PRIVATE KEY-----"
FAKE["APPLE_API_KEY"] = "ABC123XYZ9"


def export_apple(tmp_path: Path, values: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict, Path]:
    github_env = tmp_path / "github_env"
    github_env.write_text("")
    result = run_script("export-apple", "--key-dir", str(tmp_path), env={**values, "GITHUB_ENV": str(github_env)})
    return result, read_github_file(github_env), tmp_path / "private_keys" / "AuthKey_ABC123XYZ9.p8"


def assert_no_value_leaked(result: subprocess.CompletedProcess, values: dict[str, str]) -> None:
    printed = result.stdout + result.stderr
    leaked = [name for name, value in values.items() if any(line in printed for line in value.splitlines() if len(line) >= 8)]
    assert not leaked, f"the script printed (part of) the value of {leaked}"


def test_export_apple_passes_on_only_the_set_secrets_and_writes_the_api_key_file(tmp_path):
    values = {k: FAKE[k] for k in APPLE_CERTIFICATE + APPLE_API_KEY}
    result, exported, key_file = export_apple(tmp_path, values)
    assert result.returncode == 0, result.stderr
    assert exported == {
        **{k: FAKE[k] for k in APPLE_CERTIFICATE}, "APPLE_API_KEY": FAKE["APPLE_API_KEY"],
        "APPLE_API_ISSUER": FAKE["APPLE_API_ISSUER"], "APPLE_API_KEY_PATH": str(key_file),
    }, "unset secrets must stay unset (Tauri reads an empty APPLE_ID as a credential)"
    assert key_file.read_text() == FAKE["APPLE_API_PRIVATE_KEY"] + "\n"
    assert key_file.stat().st_mode & 0o777 == 0o600, "the API key file must be readable by its owner only"
    assert_no_value_leaked(result, values)


def test_export_apple_prefers_the_api_key_over_the_apple_id(tmp_path):
    result, exported, _ = export_apple(tmp_path, dict(FAKE))
    assert result.returncode == 0, result.stderr
    assert not set(APPLE_ID) & set(exported), "with both sets only the API key may reach Tauri (it would take the Apple ID)"
    assert_no_value_leaked(result, FAKE)


def test_export_apple_with_the_apple_id(tmp_path):
    values = {k: FAKE[k] for k in APPLE_CERTIFICATE + APPLE_ID}
    result, exported, key_file = export_apple(tmp_path, values)
    assert result.returncode == 0, result.stderr
    assert exported == values and not key_file.exists()


def test_export_apple_refuses_without_the_certificate(tmp_path):
    result, exported, _ = export_apple(tmp_path, {k: FAKE[k] for k in APPLE_ID})
    assert result.returncode == 1 and "APPLE_CERTIFICATE" in result.stderr and exported == {}


# ---------------------------------------------------------------- the workflow's signing steps


@pytest.fixture(scope="module")
def release() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps_of(release: dict, job: str) -> list[dict]:
    return release["jobs"][job]["steps"]


def step_running(release: dict, job: str, text: str) -> tuple[int, dict]:
    found = [(i, s) for i, s in enumerate(steps_of(release, job)) if text in s.get("run", "")]
    assert len(found) == 1, f"job {job} must have exactly one step running {text!r}, has {len(found)}"
    return found[0]


def tauri_action_index(release: dict) -> int:
    return next(i for i, s in enumerate(steps_of(release, "publish")) if str(s.get("uses", "")).startswith("tauri-apps/tauri-action@"))


def assert_env_from_secrets(step: dict, names) -> None:
    env = step.get("env", {})
    for name in names:
        assert env.get(name) == f"${{{{ secrets.{name} }}}}", f"step {step.get('name')!r}: {name} must be ${{{{ secrets.{name} }}}}"


def test_the_plan_job_sees_only_whether_each_secret_is_set(release):
    _, step = step_running(release, "plan", "release_signing.py plan")
    env = step.get("env", {})
    for name in ALL_SECRETS:
        assert env.get(f"HAS_{name}") == f"${{{{ secrets.{name} != '' }}}}", f"HAS_{name} missing or wrong in the plan step"
    assert not any("secrets." in str(v) and "!= ''" not in str(v) for v in env.values()), "the plan step must get no secret value"
    outputs = release["jobs"]["plan"]["outputs"]
    for key in ("macos", "notarization", "windows", "linux-signature", "updater", "notes"):
        assert outputs.get(key) == f"${{{{ steps.{step['id']}.outputs.{key} }}}}", f"plan output {key} is not wired"
    assert release["jobs"]["publish"]["needs"] == "plan" or "plan" in release["jobs"]["publish"]["needs"]


def test_macos_signing_is_gated_on_its_secrets(release):
    index, step = step_running(release, "publish", "release_signing.py export-apple")
    assert step.get("if") == "runner.os == 'macOS' && needs.plan.outputs.macos == 'signed'", step.get("if")
    assert_env_from_secrets(step, APPLE_ALL)
    assert index < tauri_action_index(release), "the credentials must be handed over before tauri-action builds"
    action_env = steps_of(release, "publish")[tauri_action_index(release)].get("env", {})
    leaked = [k for k in action_env if k.startswith(("APPLE_", "WINDOWS_"))]
    assert not leaked, (f"tauri-action's env sets {leaked}: an unset secret becomes an empty variable, which Tauri "
                        "takes as a certificate/credential and fails the unsigned build; they come from $GITHUB_ENV")


def test_macos_dmg_is_notarized_and_everything_verified_on_the_runner(release):
    steps = steps_of(release, "publish")
    action = tauri_action_index(release)
    _, notarize = step_running(release, "publish", "xcrun notarytool submit")
    _, verify = step_running(release, "publish", "spctl --assess")
    for step in (notarize, verify):
        assert step.get("if") == "runner.os == 'macOS' && needs.plan.outputs.macos == 'signed'", step.get("name")
        assert steps.index(step) > action, f"{step['name']} must run after tauri-action built the bundles"
    assert "xcrun stapler staple" in notarize["run"] and "gh release upload" in notarize["run"]
    for check in ("codesign --verify --deep --strict", "spctl --assess --type execute", "xcrun stapler validate \"$app\"",
                  "spctl --assess --type open", "xcrun stapler validate \"$dmg\""):
        assert check in verify["run"], f"the macOS verify step lacks {check!r}"


def test_windows_signing_is_gated_timestamped_and_verified(release):
    steps = steps_of(release, "publish")
    index, step = step_running(release, "publish", "Import-PfxCertificate")
    assert step.get("if") == "runner.os == 'Windows' && needs.plan.outputs.windows == 'signed'", step.get("if")
    assert step.get("shell") == "pwsh"
    assert_env_from_secrets(step, WINDOWS)
    assert "certificateThumbprint" in step["run"] and "tauri-args=--config" in step["run"]
    action = steps[tauri_action_index(release)]
    assert f"${{{{ steps.{step['id']}.outputs.tauri-args }}}}" in action["with"]["args"], "tauri-action must get the signing config"
    assert index < tauri_action_index(release)
    _, verify = step_running(release, "publish", "Get-AuthenticodeSignature")
    assert verify.get("if") == step.get("if")
    assert "TimeStamperCertificate" in verify["run"] and "'Valid'" in verify["run"], "signatures must be valid and timestamped"


def test_linux_checksums_signature_and_updater_check_are_gated(release):
    job = release["jobs"]["checksums"]
    assert set(job["needs"]) == {"plan", "publish"}, "SHA256SUMS is written after every platform uploaded"
    assert job.get("permissions") == {"contents": "write"}
    _, sums = step_running(release, "checksums", "release_signing.py checksums")
    assert "sha256sum --check --strict SHA256SUMS" in sums["run"]
    _, gpg = step_running(release, "checksums", "release_signing.py gpg-sign")
    assert gpg.get("if") == "needs.plan.outputs.linux-signature == 'gpg'"
    assert_env_from_secrets(gpg, LINUX_GPG)
    _, updater = step_running(release, "checksums", "release_signing.py verify-updater")
    assert updater.get("if") == "needs.plan.outputs.updater == 'on'"
    pin = re.search(r"py-minisign==([\d.]+)", updater["run"])
    requirements = (REPO_ROOT / "tests" / "requirements.txt").read_text(encoding="utf-8")
    assert pin and f"py-minisign=={pin.group(1)}" in requirements, "the workflow and tests/requirements.txt must pin the same py-minisign"
    _, upload = step_running(release, "checksums", "gh release upload")
    assert "SHA256SUMS*" in upload["run"]


def test_the_release_notes_come_from_the_plan(release):
    action = steps_of(release, "publish")[tauri_action_index(release)]
    assert action["with"].get("releaseBody") == "${{ needs.plan.outputs.notes }}", "the notes must say what is (not) signed"


# ---------------------------------------------------------------- tauri.conf.json signing settings


@pytest.fixture(scope="module")
def bundle_conf() -> dict:
    return json.loads(TAURI_CONF.read_text(encoding="utf-8"))["bundle"]


# Hardened-runtime exceptions and the App Sandbox; see the comment in src-tauri/Entitlements.plist.
RUNTIME_EXCEPTIONS = "com.apple.security.cs."
SANDBOX = "com.apple.security.app-sandbox"


def test_macos_hardened_runtime_and_entitlements(bundle_conf):
    mac = bundle_conf.get("macOS", {})
    assert mac.get("hardenedRuntime") is True, "notarization requires the hardened runtime: bundle.macOS.hardenedRuntime true"
    assert "signingIdentity" not in mac, "the identity comes from the APPLE_SIGNING_IDENTITY secret, not the repository"
    entitlements = (TAURI_CONF.parent / mac.get("entitlements", "")).resolve()
    assert entitlements.is_file(), f"bundle.macOS.entitlements {mac.get('entitlements')!r} is not a file"
    with open(entitlements, "rb") as f:
        granted = plistlib.load(f)
    assert isinstance(granted, dict), "the entitlements file must be a plist dictionary"
    weakening = sorted(k for k in granted if k.startswith(RUNTIME_EXCEPTIONS) or k == SANDBOX)
    assert not weakening, (f"{weakening}: the app needs no hardened-runtime exception and is not sandboxed; "
                           "explain a new one in Entitlements.plist and docs/RELEASING.md, then update this test")


def test_windows_signing_settings(bundle_conf):
    win = bundle_conf.get("windows", {})
    assert win.get("digestAlgorithm") == "sha256"
    assert win.get("tsp") is True and re.match(r"^https?://\S+$", win.get("timestampUrl", "")), (
        "signatures must be timestamped (RFC 3161: tsp true, a timestampUrl), or they expire with the certificate")
    assert not {"certificateThumbprint", "signCommand"} & set(win), (
        "the thumbprint comes from the imported certificate in the workflow; committed, it would make every local "
        "Windows build try to sign")


# ---------------------------------------------------------------- updater key: the documented public key


def documented_pubkey(markdown: str) -> str:
    """The content of the ```updater-pubkey block in docs/RELEASING.md ("none" until issue 16)."""
    blocks = re.findall(r"^```updater-pubkey\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "docs/RELEASING.md must have exactly one ```updater-pubkey block"
    return blocks[0].strip()


def pubkey_mismatch(conf: dict, markdown: str) -> str | None:
    """Why the app's updater public key and the documented one disagree, or None."""
    documented = documented_pubkey(markdown)
    configured = conf.get("plugins", {}).get("updater", {}).get("pubkey")
    if configured is None:
        return None if documented == "none" else "docs/RELEASING.md documents a key but tauri.conf.json has no plugins.updater.pubkey"
    if configured != documented:
        return "plugins.updater.pubkey in tauri.conf.json differs from the key in docs/RELEASING.md (```updater-pubkey)"
    return None


def test_the_updater_public_key_is_the_documented_one():
    # Until issue 16 adds the updater, both say "no key": this test then fails as soon as a key
    # appears in one place and not the other, or the two differ.
    conf = json.loads(TAURI_CONF.read_text(encoding="utf-8"))
    problem = pubkey_mismatch(conf, RELEASING.read_text(encoding="utf-8"))
    assert problem is None, problem


def test_the_pubkey_check_catches_a_mismatch(updater_key):
    doc_none = "x\n```updater-pubkey\nnone\n```\n"
    doc_key = f"x\n```updater-pubkey\n{updater_key['pub']}\n```\n"
    with_key = {"plugins": {"updater": {"pubkey": updater_key["pub"]}}}
    assert pubkey_mismatch({}, doc_none) is None
    assert pubkey_mismatch(with_key, doc_key) is None
    assert pubkey_mismatch(with_key, doc_none)
    assert pubkey_mismatch({}, doc_key)
    assert pubkey_mismatch({"plugins": {"updater": {"pubkey": updater_key["pub"][:-4] + "AAA="}}}, doc_key)


# ---------------------------------------------------------------- updater signing dry run


def tauri(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    assert TAURI_CLI.is_file(), f"{TAURI_CLI} is missing; run npm ci (bash scripts/setup.sh)"
    return subprocess.run([str(TAURI_CLI), *args], env={**os.environ, "CI": "true", **(env or {})},
                          capture_output=True, text=True, timeout=120)


def generate_updater_key(folder: Path, password: str) -> dict[str, str]:
    key_file = folder / "updater.key"
    result = tauri("signer", "generate", "--ci", "-p", password, "-w", str(key_file))
    assert result.returncode == 0, result.stderr
    return {"private": key_file.read_text().strip(), "pub": (folder / "updater.key.pub").read_text().strip()}


@pytest.fixture(scope="module")
def updater_key(tmp_path_factory) -> dict[str, str]:
    """A throwaway Tauri updater key pair (`tauri signer generate`, as docs/RELEASING.md says)."""
    folder = tmp_path_factory.mktemp("updater-key")
    return {**generate_updater_key(folder, "dry-run-password"), "password": "dry-run-password", "folder": str(folder)}


def sign_with(key: dict[str, str], artifact: Path, password: str | None = None) -> subprocess.CompletedProcess:
    # The env variables tauri-action gives `tauri build` (TAURI_SIGNING_PRIVATE_KEY[_PASSWORD]).
    return tauri("signer", "sign", str(artifact), env={
        "TAURI_SIGNING_PRIVATE_KEY": key["private"],
        "TAURI_SIGNING_PRIVATE_KEY_PASSWORD": key["password"] if password is None else password,
    })


def config_with_pubkey(folder: Path, pubkey: str) -> Path:
    conf = json.loads(TAURI_CONF.read_text(encoding="utf-8"))
    conf.setdefault("plugins", {})["updater"] = {"pubkey": pubkey, "endpoints": ["https://example.invalid/latest.json"]}
    path = folder / "tauri.conf.json"
    path.write_text(json.dumps(conf))
    return path


@pytest.fixture(scope="module")
def signed_release(updater_key, tmp_path_factory) -> Path:
    """A release folder as the checksums job downloads it: the built .deb and its updater .sig."""
    folder = tmp_path_factory.mktemp("release-assets")
    deb = folder / find_deb().name.replace(" ", ".")  # GitHub's asset name for a file with spaces
    shutil.copyfile(find_deb(), deb)
    result = sign_with(updater_key, deb)
    assert result.returncode == 0, result.stderr
    assert (folder / (deb.name + ".sig")).is_file(), "tauri signer sign wrote no .sig"
    return folder


def verify_updater(folder: Path, pubkey: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return run_script("verify-updater", str(folder), "--config", str(config_with_pubkey(tmp_path, pubkey)), env={})


def test_updater_signature_made_with_the_key_verifies_with_its_public_key(signed_release, updater_key, tmp_path):
    result = verify_updater(signed_release, updater_key["pub"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^ok  .+\.deb$", result.stdout, re.MULTILINE), result.stdout


def test_a_tampered_bundle_fails_verification(signed_release, updater_key, tmp_path):
    tampered = tmp_path / "assets"
    shutil.copytree(signed_release, tampered)
    deb = next(tampered.glob("*.deb"))
    with open(deb, "r+b") as f:  # one byte in the middle of the package
        f.seek(deb.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    result = verify_updater(tampered, updater_key["pub"], tmp_path)
    assert result.returncode == 1 and "does not verify" in result.stderr, result.stderr


def test_a_signature_from_another_key_fails_verification(signed_release, tmp_path):
    other = generate_updater_key(tmp_path, "another-password")
    result = verify_updater(signed_release, other["pub"], tmp_path)
    assert result.returncode == 1 and "does not verify" in result.stderr, result.stderr


def test_an_updater_bundle_without_signature_fails(signed_release, updater_key, tmp_path):
    assets = tmp_path / "assets"
    shutil.copytree(signed_release, assets)
    (assets / "BeProduct.Images_9.9.9_amd64.AppImage").write_bytes(b"unsigned updater bundle")
    result = verify_updater(assets, updater_key["pub"], tmp_path)
    assert result.returncode == 1 and "without a .sig" in result.stderr, result.stderr


def test_signing_with_the_wrong_password_fails(updater_key, tmp_path):
    artifact = tmp_path / "artifact.bin"
    artifact.write_bytes(b"release bytes")
    result = sign_with(updater_key, artifact, password="not-the-password")
    assert result.returncode != 0 and not (tmp_path / "artifact.bin.sig").exists()


def test_the_updater_key_is_base64_minisign_as_the_docs_say(updater_key):
    # docs/RELEASING.md tells maintainers to store the .key content as TAURI_SIGNING_PRIVATE_KEY and
    # the .pub content as plugins.updater.pubkey: both are the base64 of minisign text.
    assert base64.b64decode(updater_key["pub"]).decode().startswith("untrusted comment: minisign public key")
    assert base64.b64decode(updater_key["private"]).decode().startswith("untrusted comment: rsign encrypted " + "secret key")


# ---------------------------------------------------------------- SHA256SUMS and its GPG signature


def test_checksums_file_checks_with_sha256sum(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "BeProduct.Images_1.0.0_amd64.deb").write_bytes(os.urandom(4096))
    (assets / "BeProduct Images-1.0.0-1.x86_64.rpm").write_bytes(os.urandom(1000))
    (assets / "SHA256SUMS.asc").write_text("an old signature, not listed\n")
    result = run_script("checksums", str(assets), env={})
    assert result.returncode == 0, result.stderr
    lines = (assets / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 2 and not any("SHA256SUMS" in line for line in lines), lines
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=assets, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    with open(assets / "BeProduct.Images_1.0.0_amd64.deb", "r+b") as f:
        f.write(b"\0\0\0\0")
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=assets, capture_output=True, text=True, timeout=60)
    assert check.returncode == 1 and "FAILED" in check.stdout, check.stdout


def gpg(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--no-tty", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def gpg_key(tmp_path_factory) -> dict[str, str]:
    """A throwaway passphrase-protected signing key, exported as the two LINUX_GPG_* secrets hold it."""
    assert shutil.which("gpg"), "gpg not found (Debian package gnupg)"
    home = tmp_path_factory.mktemp("gnupg-maker")
    home.chmod(0o700)
    passphrase = "gpg-dry-run-passphrase"
    made = gpg(home, "--pinentry-mode", "loopback", "--passphrase", passphrase,
               "--quick-gen-key", "BeProduct Images test <release-test@example.invalid>", "ed25519", "sign", "1d")
    assert made.returncode == 0, made.stderr
    secret = gpg(home, "--pinentry-mode", "loopback", "--passphrase", passphrase, "--armor", "--export-secret-keys")
    public = gpg(home, "--armor", "--export")
    assert secret.returncode == 0 and public.returncode == 0
    return {"secret": secret.stdout, "public": public.stdout, "passphrase": passphrase}


def signed_checksums(tmp_path: Path, gpg_key: dict[str, str], passphrase: str) -> tuple[Path, subprocess.CompletedProcess]:
    assets = tmp_path / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "app.deb").write_bytes(b"package bytes")
    assert run_script("checksums", str(assets), env={}).returncode == 0
    result = run_script("gpg-sign", str(assets), env={"LINUX_GPG_PRIVATE_KEY": gpg_key["secret"], "LINUX_GPG_PASSPHRASE": passphrase})
    return assets, result


def test_gpg_signature_of_the_checksums_verifies_with_the_public_key(tmp_path, gpg_key):
    assets, result = signed_checksums(tmp_path, gpg_key, gpg_key["passphrase"])
    assert result.returncode == 0, result.stderr
    assert gpg_key["passphrase"] not in result.stdout + result.stderr
    # A user's keyring: only the public key, as docs/RELEASING.md says to import it.
    user = tmp_path / "user-gnupg"
    user.mkdir(mode=0o700)
    assert gpg(user, "--import", stdin=gpg_key["public"]).returncode == 0
    ok = gpg(user, "--verify", str(assets / "SHA256SUMS.asc"), str(assets / "SHA256SUMS"))
    assert ok.returncode == 0 and "Good signature" in ok.stderr, ok.stderr
    (assets / "SHA256SUMS").write_text((assets / "SHA256SUMS").read_text().replace("app.deb", "app2.deb"))
    bad = gpg(user, "--verify", str(assets / "SHA256SUMS.asc"), str(assets / "SHA256SUMS"))
    assert bad.returncode != 0 and "BAD signature" in bad.stderr, bad.stderr


def test_gpg_signing_with_the_wrong_passphrase_fails_clearly(tmp_path, gpg_key):
    assets, result = signed_checksums(tmp_path, gpg_key, "wrong-passphrase")
    assert result.returncode == 1 and "LINUX_GPG_PASSPHRASE" in result.stderr, result.stderr
    assert "wrong-passphrase" not in result.stdout + result.stderr
    assert not (assets / "SHA256SUMS.asc").exists()
