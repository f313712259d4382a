#!/usr/bin/env python3
"""Signing steps of .github/workflows/release.yml, kept here so they run and are tested on Linux.

  plan            which platforms get signed, from which secrets are set (the workflow passes
                  HAS_<SECRET>=true|false, never a value); fails on a half-configured group;
                  writes the decisions and the release notes to $GITHUB_OUTPUT
  export-apple    on the macOS runner: hands the Apple secrets that are set to the later
                  tauri-action step through $GITHUB_ENV and writes the App Store Connect API key
                  file; a variable that is not set stays unset (Tauri treats an empty
                  APPLE_CERTIFICATE as a certificate and fails)
  verify-updater  every updater bundle in a folder has a .sig that verifies with the public key
                  in tauri.conf.json (needs py-minisign)
  checksums       writes SHA256SUMS (the `sha256sum -c` format) for the files in a folder
  gpg-sign        signs SHA256SUMS with LINUX_GPG_PRIVATE_KEY in a throwaway GnuPG home and
                  verifies the signature: SHA256SUMS.asc

No command prints a secret's value: messages name the variables only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TAURI_CONF = REPO_ROOT / "src-tauri" / "tauri.conf.json"
CHECKSUMS = "SHA256SUMS"


class SigningError(Exception):
    """A signing set-up the workflow cannot use; the message says what to change."""


# Secrets that only work together. A group with some but not all of its members set is a
# mistake (a forgotten secret), never a request for an unsigned build.
APPLE_CERTIFICATE = ("APPLE_CERTIFICATE", "APPLE_CERTIFICATE_PASSWORD", "APPLE_SIGNING_IDENTITY")
APPLE_API_KEY = ("APPLE_API_KEY", "APPLE_API_ISSUER", "APPLE_API_PRIVATE_KEY")
APPLE_ID = ("APPLE_ID", "APPLE_PASSWORD", "APPLE_TEAM_ID")
WINDOWS_CERTIFICATE = ("WINDOWS_CERTIFICATE", "WINDOWS_CERTIFICATE_PASSWORD")
LINUX_GPG = ("LINUX_GPG_PRIVATE_KEY", "LINUX_GPG_PASSPHRASE")
UPDATER_KEY = ("TAURI_SIGNING_PRIVATE_KEY",)  # its password is optional: keys may have none
ALL_SECRETS = APPLE_CERTIFICATE + APPLE_API_KEY + APPLE_ID + WINDOWS_CERTIFICATE + LINUX_GPG + UPDATER_KEY


def group_state(present: dict[str, bool], group: tuple[str, ...], what: str) -> bool:
    """True when every secret of the group is set, False when none is; raises when only some are."""
    have = [name for name in group if present.get(name)]
    if not have:
        return False
    missing = [name for name in group if name not in have]
    if missing:
        raise SigningError(
            f"{what}: the secret(s) {', '.join(have)} are set but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not. Add {' and '.join(missing)} "
            f"(docs/RELEASING.md, Secrets), or delete {', '.join(have)} to build without it."
        )
    return True


def updater_is_on(conf_path: Path = TAURI_CONF) -> bool:
    with open(conf_path, encoding="utf-8") as f:
        conf = json.load(f)
    return conf.get("bundle", {}).get("createUpdaterArtifacts", False) not in (False, None)


@dataclass(frozen=True)
class Plan:
    macos: str  # signed | unsigned
    notarization: str  # api-key | apple-id | none
    windows: str  # signed | unsigned
    linux_signature: str  # gpg | none
    updater: str  # on | off

    def outputs(self) -> dict[str, str]:
        return {
            "macos": self.macos,
            "notarization": self.notarization,
            "windows": self.windows,
            "linux-signature": self.linux_signature,
            "updater": self.updater,
        }


def make_plan(present: dict[str, bool], updater_on: bool) -> Plan:
    certificate = group_state(present, APPLE_CERTIFICATE, "macOS code signing")
    api_key = group_state(present, APPLE_API_KEY, "macOS notarization with an App Store Connect API key")
    apple_id = group_state(present, APPLE_ID, "macOS notarization with an Apple ID")
    if certificate and not (api_key or apple_id):
        raise SigningError(
            "macOS code signing: the Developer ID certificate is set but no notarization credentials are. "
            "A signed app that Apple has not notarized is still blocked at first open. Add either "
            f"{', '.join(APPLE_API_KEY)} or {', '.join(APPLE_ID)}."
        )
    if (api_key or apple_id) and not certificate:
        raise SigningError(
            "macOS notarization credentials are set but the certificate is not: Apple only notarizes "
            f"signed apps. Add {', '.join(APPLE_CERTIFICATE)}, or delete the notarization secrets."
        )
    windows = group_state(present, WINDOWS_CERTIFICATE, "Windows Authenticode signing")
    gpg = group_state(present, LINUX_GPG, "GPG signature of SHA256SUMS")
    if updater_on and not present.get("TAURI_SIGNING_PRIVATE_KEY"):
        raise SigningError(
            "bundle.createUpdaterArtifacts is on in src-tauri/tauri.conf.json but the secret "
            "TAURI_SIGNING_PRIVATE_KEY is not set: the updater bundles cannot be signed. Add the key "
            "(docs/RELEASING.md, The updater key), or turn createUpdaterArtifacts off."
        )
    # With both notarization sets Tauri would take the Apple ID; the API key is Apple's
    # recommended way and needs no personal account, so it wins here and only it is exported.
    notarization = "api-key" if api_key else "apple-id" if apple_id else "none"
    return Plan(
        macos="signed" if certificate else "unsigned",
        notarization=notarization,
        windows="signed" if windows else "unsigned",
        linux_signature="gpg" if gpg else "none",
        updater="on" if updater_on else "off",
    )


def release_notes(plan: Plan, tag: str) -> str:
    if plan.macos == "signed":
        mac = "signed with our Developer ID and notarized by Apple, so it opens without a warning."
    else:
        mac = (
            "**not signed or notarized** (the repository has no Apple Developer ID secrets): macOS "
            "blocks the first open. Right-click the app, choose Open, then Open again (macOS 15 and "
            "later: System Settings, Privacy & Security, Open Anyway)."
        )
    if plan.windows == "signed":
        win = "Authenticode-signed and timestamped."
    else:
        win = (
            "**not signed** (the repository has no code signing certificate): SmartScreen warns "
            "before it runs. Choose More info, then Run anyway."
        )
    sums = f"`{CHECKSUMS}` lists the SHA-256 of every file of this release"
    if plan.linux_signature == "gpg":
        sums += f"; `{CHECKSUMS}.asc` is its GPG signature"
    lines = [
        f"Installers for BeProduct Images {tag}.",
        "",
        f"- macOS (Apple silicon and Intel): the universal `.dmg`, {mac}",
        f"- Windows: the `.msi` or the `-setup.exe`, {win}",
        "- Linux: the `.deb` (`sudo apt install ./file.deb`), the `.rpm` or the `.AppImage`.",
        "",
        f"{sums}. How to check a download: docs/RELEASING.md, \"Checking a downloaded build\".",
    ]
    return "\n".join(lines)


def delimiter_for(values: list[str]) -> str:
    """A heredoc delimiter for $GITHUB_OUTPUT / $GITHUB_ENV that no value contains."""
    while True:
        candidate = f"EOF_{uuid.uuid4().hex}"
        if not any(candidate in v for v in values):
            return candidate


def append_multiline(file_var: str, pairs: dict[str, str]) -> None:
    """Appends NAME<<DELIM / value / DELIM records to the file named by $file_var."""
    path = os.environ.get(file_var)
    if not path:
        raise SigningError(f"${file_var} is not set: run this inside a GitHub Actions step")
    with open(path, "a", encoding="utf-8", newline="\n") as f:
        for name, value in pairs.items():
            delim = delimiter_for([value])
            f.write(f"{name}<<{delim}\n{value}\n{delim}\n")


def present_from_flags(env: dict[str, str]) -> dict[str, bool]:
    """HAS_<SECRET>=true|false, as the workflow computes them with `secrets.X != ''`."""
    present = {}
    for name in ALL_SECRETS:
        flag = env.get(f"HAS_{name}", "")
        if flag not in ("true", "false"):
            raise SigningError(f"HAS_{name} must be 'true' or 'false' (from ${{{{ secrets.{name} != '' }}}}), got {flag!r}")
        present[name] = flag == "true"
    return present


def cmd_plan(args: argparse.Namespace) -> None:
    plan = make_plan(present_from_flags(dict(os.environ)), updater_is_on(Path(args.config)))
    tag = os.environ.get("GITHUB_REF_NAME", "(untagged)")
    append_multiline("GITHUB_OUTPUT", {**plan.outputs(), "notes": release_notes(plan, tag)})
    for key, value in plan.outputs().items():
        print(f"{key}: {value}")


def cmd_export_apple(args: argparse.Namespace) -> None:
    env = os.environ
    present = {name: bool(env.get(name)) for name in ALL_SECRETS}
    plan = make_plan(present, updater_on=False)
    if plan.macos != "signed":
        raise SigningError("export-apple runs only when the Apple signing secrets are set (plan: macos=unsigned)")
    exported = {name: env[name] for name in APPLE_CERTIFICATE}
    if plan.notarization == "api-key":
        key_dir = Path(args.key_dir or env.get("RUNNER_TEMP") or tempfile.mkdtemp()) / "private_keys"
        key_dir.mkdir(parents=True, exist_ok=True)
        key_path = key_dir / f"AuthKey_{env['APPLE_API_KEY']}.p8"
        # Created owner-only before the key is written into it.
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(env["APPLE_API_PRIVATE_KEY"].strip() + "\n")
        exported.update(APPLE_API_KEY=env["APPLE_API_KEY"], APPLE_API_ISSUER=env["APPLE_API_ISSUER"],
                        APPLE_API_KEY_PATH=str(key_path))
    else:
        exported.update({name: env[name] for name in APPLE_ID})
    append_multiline("GITHUB_ENV", exported)
    print(f"macOS: signing with APPLE_SIGNING_IDENTITY; notarizing with the {plan.notarization}; "
          f"passed on: {', '.join(sorted(exported))}")


# ---------------------------------------------------------------- updater signatures


def tauri_pubkey(conf_path: Path) -> str:
    with open(conf_path, encoding="utf-8") as f:
        pubkey = json.load(f).get("plugins", {}).get("updater", {}).get("pubkey", "")
    if not pubkey:
        raise SigningError(f"{conf_path} has no plugins.updater.pubkey to verify updater signatures with")
    return pubkey


def decode_tauri_text(value: str, what: str) -> str:
    """Tauri stores minisign keys and signatures base64-encoded once more; returns the minisign text."""
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as e:
        raise SigningError(f"{what} is not the base64 text Tauri writes ({e})") from e


def verify_updater_file(artifact: Path, signature_file: Path, pubkey_b64: str) -> None:
    import minisign  # py-minisign; only this command needs it

    try:
        public_key = minisign.PublicKey.from_bytes(decode_tauri_text(pubkey_b64, "plugins.updater.pubkey").encode())
        text = decode_tauri_text(signature_file.read_text(encoding="utf-8"), signature_file.name)
        signature = minisign.Signature.from_bytes(text.encode())
        with open(artifact, "rb") as f:  # streamed: bundles are tens of MB
            public_key.verify(f, signature)
    except minisign.Error as e:
        raise SigningError(
            f"{signature_file.name} does not verify {artifact.name} with plugins.updater.pubkey ({e}): "
            "TAURI_SIGNING_PRIVATE_KEY is not the pair of the public key in tauri.conf.json, "
            "or the file changed after it was signed"
        ) from e


# What the Tauri updater downloads on each platform (tauri-bundler's updater artifacts, also in
# their v1Compatible archive form): each must come with a .sig.
UPDATER_BUNDLES = (".app.tar.gz", ".AppImage", ".AppImage.tar.gz", ".msi", ".msi.zip", "-setup.exe", ".nsis.zip")


def cmd_verify_updater(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    pubkey = tauri_pubkey(Path(args.config))
    bundles = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(UPDATER_BUNDLES))
    signatures = sorted(folder.glob("*.sig"))
    if not bundles and not signatures:
        raise SigningError(f"{folder} has no updater bundles or signatures, but the updater is on")
    missing = [b.name for b in bundles if not b.with_name(b.name + ".sig").is_file()]
    if missing:
        raise SigningError(f"updater bundles without a .sig: {', '.join(missing)}")
    for signature_file in signatures:
        artifact = signature_file.with_name(signature_file.name[: -len(".sig")])
        if not artifact.is_file():
            raise SigningError(f"{signature_file.name} has no {artifact.name} beside it")
        verify_updater_file(artifact, signature_file, pubkey)
        print(f"ok  {artifact.name}")


# ---------------------------------------------------------------- checksums and their signature


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cmd_checksums(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(CHECKSUMS))
    if not files:
        raise SigningError(f"{folder} has no release files to list in {CHECKSUMS}")
    # Two spaces: the text-mode line format of `sha256sum`, which `sha256sum -c` reads.
    lines = [f"{sha256_of(p)}  {p.name}\n" for p in files]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8", newline="\n")
    print(f"{CHECKSUMS}: {len(files)} files")


def gpg(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--no-tty", *args],
        input=stdin, capture_output=True, text=True, timeout=120,
    )


def cmd_gpg_sign(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    checksums = folder / CHECKSUMS
    if not checksums.is_file():
        raise SigningError(f"{checksums} does not exist; run the checksums command first")
    key = os.environ.get("LINUX_GPG_PRIVATE_KEY", "")
    passphrase = os.environ.get("LINUX_GPG_PASSPHRASE", "")
    if not key or not passphrase:
        raise SigningError("LINUX_GPG_PRIVATE_KEY and LINUX_GPG_PASSPHRASE must both be set to sign SHA256SUMS")
    home = Path(tempfile.mkdtemp(prefix="gnupg-"))
    try:
        home.chmod(0o700)
        imported = gpg(home, "--import", stdin=key)
        if imported.returncode != 0:
            # gpg's stderr names key ids and problems, never the key material.
            raise SigningError(f"LINUX_GPG_PRIVATE_KEY could not be imported (an ASCII-armoured secret key?): {imported.stderr.strip()}")
        signed = gpg(home, "--pinentry-mode", "loopback", "--passphrase-fd", "0", "--armor", "--detach-sign",
                     "--output", str(checksums) + ".asc", str(checksums), stdin=passphrase + "\n")
        if signed.returncode != 0:
            raise SigningError(f"signing {CHECKSUMS} failed (wrong LINUX_GPG_PASSPHRASE?): {signed.stderr.strip()}")
        verified = gpg(home, "--verify", str(checksums) + ".asc", str(checksums))
        if verified.returncode != 0:
            raise SigningError(f"the new {CHECKSUMS}.asc does not verify: {verified.stderr.strip()}")
        print(f"{CHECKSUMS}.asc: signed and verified")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan")
    plan.add_argument("--config", default=str(TAURI_CONF))
    plan.set_defaults(run=cmd_plan)
    apple = sub.add_parser("export-apple")
    apple.add_argument("--key-dir", help="where the API key file goes (default $RUNNER_TEMP)")
    apple.set_defaults(run=cmd_export_apple)
    verify = sub.add_parser("verify-updater")
    verify.add_argument("folder")
    verify.add_argument("--config", default=str(TAURI_CONF))
    verify.set_defaults(run=cmd_verify_updater)
    sums = sub.add_parser("checksums")
    sums.add_argument("folder")
    sums.set_defaults(run=cmd_checksums)
    sign = sub.add_parser("gpg-sign")
    sign.add_argument("folder")
    sign.set_defaults(run=cmd_gpg_sign)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except SigningError as e:
        # The ::error:: prefix makes GitHub show the message on the run's summary page.
        print(f"::error::{e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
