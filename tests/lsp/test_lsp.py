"""End-to-end tests of `rulesctl lsp`, driven by a real LSP client (pytest-lsp, on pygls).

Each test starts the server on a copy of the bundled example (rulesctl.hcl, examples/rules,
examples/chart, environments), with VS Code's client capabilities. `RULESCTL` names the binary
under test; `cargo test` (tests/integration/lsp.rs) sets it to the one it built.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import tempfile
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

REPO = pathlib.Path(__file__).resolve().parents[2]
RULESCTL = os.environ.get("RULESCTL", "")
if not RULESCTL or not os.access(RULESCTL, os.X_OK):
    # Fail the run, never skip it: a missing binary must not read as a pass.
    raise RuntimeError(f"RULESCTL={RULESCTL!r} is not an executable rulesctl; cargo test sets it")

TIMEOUT = 10.0
CAVES = "examples/rules/regions/crystal_caves.hcl"
LOOT = "examples/rules/loot.hcl"
RULESET = "examples/rules/ruleset.hcl"


def make_client() -> LanguageClient:
    """pytest-lsp's client, also logging every publishDiagnostics with the time it arrived."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append((time.perf_counter(), params))  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    # VS Code's capabilities say it lets servers register file watchers; answer as it would.
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the bundled example, which `rulesctl check` passes."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(REPO / "rulesctl.hcl", root)
    shutil.copytree(REPO / "environments", root / "environments")
    shutil.copytree(REPO / "examples/rules", root / "examples/rules")
    shutil.copytree(REPO / "examples/chart", root / "examples/chart")
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[RULESCTL, "lsp"], client_factory=make_client))
async def client(lsp_client: LanguageClient, repo: pathlib.Path):
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=repo.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="example")],
    )
    lsp_client.initialized_with = await lsp_client.initialize_session(params)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


# ---------------------------------------------------------------------------------------------
# Helpers


def open_doc(client: LanguageClient, path: pathlib.Path, text: str | None = None) -> str:
    text = path.read_text(encoding="utf-8") if text is None else text
    language = "hcl" if path.suffix == ".hcl" else "yaml"
    item = types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    return path.as_uri()


VERSIONS: dict[str, int] = {}


def change(client: LanguageClient, uri: str, text: str) -> None:
    VERSIONS[uri] = VERSIONS.get(uri, 1) + 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=VERSIONS[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def next_publish(client: LanguageClient, uri: str, mark: int) -> tuple[float, list[types.Diagnostic]]:
    """The first publishDiagnostics for `uri` after the `mark`th notification."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for at, params in client.published[mark:]:  # type: ignore[attr-defined]
            if params.uri == uri:
                return at, list(params.diagnostics)
        await asyncio.sleep(0.001)
    raise AssertionError(f"no diagnostics published for {uri} within {TIMEOUT} s")


async def settled(client: LanguageClient, uri: str, check, what: str) -> list[types.Diagnostic]:
    """Waits until the diagnostics published for `uri` pass `check`."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        got = client.diagnostics.get(uri)
        if got is not None and check(list(got)):
            return list(got)
        await asyncio.sleep(0.005)
    raise AssertionError(f"{what}: diagnostics for {uri} are {client.diagnostics.get(uri)}")


def codes(diagnostics) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position_of(text: str, needle: str, shift: int = 0) -> types.Position:
    """The LSP position (UTF-16 columns) of the first `needle` in `text`, plus `shift` chars."""
    at = text.index(needle) + shift
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return types.Position(line=line, character=utf16(text[start:at]))


def apply(text: str, edits) -> str:
    """Applies non-overlapping TextEdits (UTF-16 positions) to `text`."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        before = sum(len(l) + 1 for l in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units, i = 0, 0
        while i < len(line) and units < pos.character:
            units += utf16(line[i])
            i += 1
        return before + i

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def rulesctl(*args: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([RULESCTL, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


# ---------------------------------------------------------------------------------------------
# Lifecycle


async def test_initialize_announces_every_feature(client: LanguageClient):
    result = client.initialized_with  # type: ignore[attr-defined]
    assert result.server_info.name == "rulesctl"
    caps = result.capabilities
    assert caps.position_encoding in (None, types.PositionEncodingKind.Utf16)
    assert caps.hover_provider
    assert caps.completion_provider is not None
    assert caps.definition_provider and caps.references_provider
    assert caps.document_formatting_provider
    assert caps.code_action_provider
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Full
    # The files an analysis reads are watched through the client.
    deadline = time.monotonic() + TIMEOUT
    while not client.registrations and time.monotonic() < deadline:  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
    [registration] = client.registrations  # type: ignore[attr-defined]
    assert registration.method == "workspace/didChangeWatchedFiles"


async def test_shutdown_then_exit_ends_the_server_with_status_0(client: LanguageClient):
    await client.shutdown_session()
    assert client._server.returncode == 0  # type: ignore[union-attr]
    client.capabilities = None  # the fixture's own shutdown has nothing left to do


# ---------------------------------------------------------------------------------------------
# Diagnostics


async def test_a_bad_buffer_gets_diagnostics_at_utf16_positions_and_a_fix_clears_them(
    client: LanguageClient, repo: pathlib.Path
):
    path = repo / CAVES
    good = path.read_text(encoding="utf-8")
    # A comment with a 2-byte and a 4-byte character before the error, on its line.
    bad = good.replace("  cooldown_ms    = 8000", "  /* é 😀 */ cooldwn_ms = 8000")
    mark = len(client.published)
    uri = open_doc(client, path, bad)
    _, diagnostics = await next_publish(client, uri, mark)
    assert codes(diagnostics) == ["D003"], diagnostics
    d = diagnostics[0]
    assert d.source == "rulesctl"
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.message.startswith("`cooldwn_ms` is not an attribute of `spawn_config`")
    assert "help: did you mean `cooldown_ms`?" in d.message
    start = position_of(bad, "cooldwn_ms")
    assert start.character == 2 + utf16("/* é 😀 */ ") == 13
    assert d.range == types.Range(start=start, end=types.Position(line=start.line, character=start.character + 10))

    mark = len(client.published)
    change(client, uri, good)
    _, diagnostics = await next_publish(client, uri, mark)
    assert diagnostics == []


async def test_a_cross_file_error_updates_the_other_open_file(client: LanguageClient, repo: pathlib.Path):
    caves = open_doc(client, repo / CAVES)
    loot_text = (repo / LOOT).read_text(encoding="utf-8")
    loot = open_doc(client, repo / LOOT)
    await settled(client, caves, lambda d: d == [], "the example is clean")
    # Renaming a table breaks the region that names it, in a file nobody touched.
    change(client, loot, loot_text.replace('loot_table "tier_3_drops"', 'loot_table "tier_3_drop"'))
    broken = await settled(client, caves, lambda d: codes(d) == ["X004"], "X004 in the other file")
    assert broken[0].message.startswith("no loot table is named `tier_3_drops`")
    assert "help: did you mean `" in broken[0].message
    # The table one slip from the reference is what it meant: its "unused" warning is folded
    # into X004 (one mistake, one diagnostic), so loot.hcl stays clean.
    assert codes(client.diagnostics.get(loot) or []) == []
    # A table renamed beyond a slip is a second finding: unused, in the file that was edited.
    change(client, loot, loot_text.replace('loot_table "tier_3_drops"', 'loot_table "bonus_crate"'))
    await settled(client, loot, lambda d: codes(d) == ["X005"], "the now unused table is a warning")
    far = await settled(client, caves, lambda d: codes(d) == ["X004"], "X004 still in the other file")
    assert "did you mean `bonus_crate`" not in far[0].message
    change(client, loot, loot_text)
    await settled(client, caves, lambda d: d == [], "fixed again")
    await settled(client, loot, lambda d: d == [], "fixed again")


async def test_diagnostics_are_exactly_those_of_rulesctl_check(client: LanguageClient, repo: pathlib.Path):
    # Errors on disk in rule files, the project file and an environment, some across files.
    def edit(rel: str, old: str, new: str) -> None:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit(LOOT, 'loot_table "tier_1_drops"', 'loot_table "tier_1_drop"')
    edit(RULESET, "min_cooldown_override     = 5000", "min_cooldown_override     = 9000 # é 😀")
    edit("examples/rules/regions/ember_wastes.hcl", "max_in_flight      = 64", "max_inflight = 64")
    edit("rulesctl.hcl", "max = 500", "max = 5000")
    # Errors after a 2-byte and a 4-byte character on their line, and one spanning them.
    edit("environments/staging.yaml", "replicaCount: 3", 'replicaCount: 3\n    sidecar: {"é😀": 1, bogus: 2}')
    edit("examples/chart/values.yaml", "replicaCount: 3", "replicaCount: 3\n  replicas: 2")
    report = json.loads(rulesctl("check", "--format", "json", "--root", str(repo)).stdout)
    expected_files = {d["file"] for d in report["diagnostics"]}
    assert len(report["diagnostics"]) >= 6 and len(expected_files) >= 5, report

    files = [p for p in repo.rglob("*") if p.suffix in (".hcl", ".yaml") and "templates" not in p.parts]
    for path in files:
        open_doc(client, path)

    def expected_for(rel: str) -> list:
        text = (repo / rel).read_text(encoding="utf-8")
        lines = text.split("\n")

        def pos(line: int, column: int) -> types.Position:
            return types.Position(line=line - 1, character=utf16(lines[line - 1][: column - 1]))

        def rng(d) -> types.Range:
            return types.Range(start=pos(d["line"], d["column"]), end=pos(d["end_line"], d["end_column"]))

        out = []
        for d in report["diagnostics"]:
            if d["file"] != rel:
                continue
            message = d["message"] + (f"\nhelp: {d['help']}" if d["help"] else "")
            related = []
            for r in d["related"]:
                other = (repo / r["file"]).read_text(encoding="utf-8").split("\n")
                start = types.Position(line=r["line"] - 1, character=utf16(other[r["line"] - 1][: r["column"] - 1]))
                end = types.Position(
                    line=r["end_line"] - 1, character=utf16(other[r["end_line"] - 1][: r["end_column"] - 1])
                )
                related.append(((repo / r["file"]).as_uri(), types.Range(start=start, end=end), r["message"] or ""))
            out.append((d["code"], d["severity"], message, rng(d), related))
        return sorted(out, key=repr)

    def got_for(diagnostics) -> list:
        severity = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning"}
        return sorted(
            (
                (
                    str(d.code),
                    severity[d.severity],
                    d.message,
                    d.range,
                    [(r.location.uri, r.location.range, r.message) for r in d.related_information or []],
                )
                for d in diagnostics
            ),
            key=repr,
        )

    for path in files:
        rel = path.relative_to(repo).as_posix()
        want = expected_for(rel)
        await settled(client, path.as_uri(), lambda d, n=len(want): len(d) == n, f"{rel} has {len(want)}")
        assert got_for(client.diagnostics[path.as_uri()]) == want, rel
    assert {p.relative_to(repo).as_posix() for p in files} >= expected_files


async def test_changes_on_disk_reach_the_server_through_watched_files(client: LanguageClient, repo: pathlib.Path):
    caves = open_doc(client, repo / CAVES)
    await settled(client, caves, lambda d: d == [], "the example is clean")
    ruleset = repo / RULESET
    ruleset.write_text(ruleset.read_text().replace("= 5000 #", "= 9000 #"), encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=ruleset.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    # Every region's cooldown is now below the minimum: the open file says so.
    await settled(client, caves, lambda d: "X001" in codes(d), "cooldown below the new minimum")


async def test_every_keystroke_gets_its_own_diagnostics(client: LanguageClient, repo: pathlib.Path):
    """40 changes, alternately breaking and fixing a cooldown: each publish says what that change
    did. The round trips are printed (`pytest -s`) for BENCHMARKS.md; no time is asserted."""
    path = repo / CAVES
    good = path.read_text(encoding="utf-8")
    uri = open_doc(client, path)
    await settled(client, uri, lambda d: d == [], "clean")
    times = []
    for i in range(40):
        text = good.replace("cooldown_ms    = 8000", f"cooldown_ms    = {10 + i}") if i % 2 == 0 else good
        mark = len(client.published)
        sent = time.perf_counter()
        change(client, uri, text)
        at, diagnostics = await next_publish(client, uri, mark)
        assert (codes(diagnostics) == ["X001"]) == (i % 2 == 0), diagnostics
        times.append((at - sent) * 1000)
    median, worst = statistics.median(times), max(times)
    print(f"\nkeystroke -> diagnostics on the example: median {median:.1f} ms, max {worst:.1f} ms")


# ---------------------------------------------------------------------------------------------
# Hover, completion, navigation


async def test_hover_shows_the_dialect_entry_and_the_explanation(client: LanguageClient, repo: pathlib.Path):
    path = repo / CAVES
    text = path.read_text(encoding="utf-8").replace('"tier_3_drops"', '"tier_9_drops"')
    uri = open_doc(client, path, text)
    await settled(client, uri, lambda d: codes(d) == ["X004"], "unresolved table")

    def hover(needle: str, shift: int = 1):
        params = types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, needle, shift)
        )
        return client.text_document_hover_async(params)

    base_rate = await hover("base_rate")
    assert "spawn_config.base_rate" in base_rate.contents.value
    assert "integer `0..=1000`" in base_rate.contents.value
    assert "Spawns per minute" in base_rate.contents.value
    assert base_rate.range.start == position_of(text, "base_rate")

    block = await hover("spawn_config")
    assert "exactly once" not in block.contents.value and "any number" in block.contents.value

    on_error = await hover("tier_9_drops")
    assert "X004" in on_error.contents.value and "unresolved-loot-table" in on_error.contents.value
    assert "Fix:" in on_error.contents.value
    assert "Must name a loot_table block" in on_error.contents.value


async def test_completion_offers_attributes_blocks_and_names(client: LanguageClient, repo: pathlib.Path):
    path = repo / "examples/rules/regions/new.hcl"
    text = 'spawn_config {\n  max_\n}\n\nevent_stream {\n  region = "\n}\n'
    uri = open_doc(client, path, text)

    async def labels(position: types.Position) -> list[str]:
        params = types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
        result = await client.text_document_completion_async(params)
        items = result.items if isinstance(result, types.CompletionList) else result
        return [item.label for item in items or []]

    assert "max_concurrent" in await labels(position_of(text, "max_", 4))
    top = await labels(types.Position(line=3, character=0))
    assert {"spawn_config", "loot_table", "event_timers", "safety_bounds", "event_stream"} <= set(top)
    regions = await labels(position_of(text, 'region = "', 10))
    assert {"crystal_caves", "ember_wastes", "frost_peaks"} <= set(regions), regions

    loot = 'spawn_config {\n  loot_table = "ti'
    change(client, uri, loot)
    assert await labels(position_of(loot, '"ti', 3)) == ["tier_1_drops", "tier_2_drops", "tier_3_drops"]


async def test_definition_and_references_between_names(client: LanguageClient, repo: pathlib.Path):
    caves_text = (repo / CAVES).read_text(encoding="utf-8")
    loot_text = (repo / LOOT).read_text(encoding="utf-8")
    caves = open_doc(client, repo / CAVES)
    await settled(client, caves, lambda d: d == [], "clean")
    spawn_region = caves_text.index('"crystal_caves"')
    stream_region = caves_text.index('"crystal_caves"', caves_text.index("event_stream"))

    def at(offset: int, text: str = caves_text, uri: str = caves) -> dict:
        line = text.count("\n", 0, offset)
        start = text.rfind("\n", 0, offset) + 1
        position = types.Position(line=line, character=utf16(text[start:offset]))
        return {"text_document": types.TextDocumentIdentifier(uri=uri), "position": position}

    def places(locations) -> list[tuple[str, int, int]]:
        return sorted((l.uri.rsplit("/", 1)[-1], l.range.start.line, l.range.start.character) for l in locations)

    def place(name: str, text: str, offset: int) -> tuple[str, int, int]:
        start = text.rfind("\n", 0, offset) + 1
        return (name, text.count("\n", 0, offset), utf16(text[start:offset]))

    # From a spawn_config's loot_table to the table's label.
    table = await client.text_document_definition_async(
        types.DefinitionParams(**at(caves_text.index('"tier_3_drops"') + 3))
    )
    assert places(table) == [place("loot.hcl", loot_text, loot_text.index('"tier_3_drops"'))]
    # From the stream's region to the spawn_config's, and back.
    to_spawn = await client.text_document_definition_async(types.DefinitionParams(**at(stream_region + 2)))
    assert places(to_spawn) == [place("crystal_caves.hcl", caves_text, spawn_region)]
    back = await client.text_document_definition_async(types.DefinitionParams(**at(spawn_region + 2)))
    assert places(back) == [place("crystal_caves.hcl", caves_text, stream_region)]

    # Every place naming a table, from the table's label.
    loot = open_doc(client, repo / LOOT)
    label = loot_text.index('"tier_3_drops"') + 2
    refs = await client.text_document_references_async(
        types.ReferenceParams(context=types.ReferenceContext(include_declaration=True), **at(label, loot_text, loot))
    )
    naming = sorted(
        p.name
        for p in (repo / "examples/rules").rglob("*.hcl")
        if 'loot_table     = "tier_3_drops"' in p.read_text(encoding="utf-8")
    )
    assert [p[0] for p in places(refs)] == sorted(["loot.hcl", *naming]), refs
    assert naming, "the example names tier_3_drops somewhere"


# ---------------------------------------------------------------------------------------------
# Formatting and quick fixes


async def test_formatting_is_exactly_rulesctl_fmt(client: LanguageClient, repo: pathlib.Path):
    path = repo / CAVES
    messy = 'spawn_config {\n region = "crystal_caves"\n    base_rate=12 # é\n  max_concurrent = 45\ncooldown_ms    = 8000\n  loot_table     = "tier_3_drops"\n}\nevent_stream {\n  region             = "crystal_caves"\n  max_len            = 5000\n  max_in_flight      = 32\n  backoff_multiplier = 2.0\n  max_backoff_ms     = 8000\n}'
    uri = open_doc(client, path, messy)
    params = types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
    )
    edits = await client.text_document_formatting_async(params)
    # Minimal: the lines already laid out (the block headers, the stream) are left alone.
    assert len(edits) > 1 and all(e.range.start.line not in (0, 8, 9) for e in edits), edits
    path.write_text(messy, encoding="utf-8")
    fmt = rulesctl("fmt", "--root", str(repo), str(path))
    assert fmt.returncode == 0, fmt.stderr
    assert apply(messy, edits) == path.read_text(encoding="utf-8")

    formatted = path.read_text(encoding="utf-8")
    change(client, uri, formatted)
    assert not await client.text_document_formatting_async(params), "already formatted"
    # A CRLF buffer keeps its line ends; laid out already, it gets no edit.
    change(client, uri, formatted.replace("\n", "\r\n"))
    assert not await client.text_document_formatting_async(params), "a formatted CRLF buffer"
    messy_crlf = messy.replace("\n", "\r\n")
    change(client, uri, messy_crlf)
    crlf_edits = await client.text_document_formatting_async(params)
    assert all("\n" not in e.new_text.replace("\r\n", "") for e in crlf_edits), crlf_edits
    assert apply(messy_crlf.replace("\r\n", "\n"), [
        types.TextEdit(range=e.range, new_text=e.new_text.replace("\r\n", "\n")) for e in crlf_edits
    ]) == formatted
    # Range formatting: only the edits on the lines asked for.
    change(client, uri, messy)
    ranged = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=4, character=0), end=types.Position(line=4, character=5)),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert [e.new_text for e in ranged] == ["  cooldown_ms    = 8000\n"], ranged
    change(client, uri, "spawn_config {\n")
    assert not await client.text_document_formatting_async(params), "no edits on a syntax error"


async def test_quick_fixes_apply_the_suggestions(client: LanguageClient, repo: pathlib.Path):
    path = repo / CAVES
    text = path.read_text(encoding="utf-8")
    bad = text.replace("cooldown_ms    = 8000", "cooldwn_ms = 8000").replace('"tier_3_drops"', '"tier_3_drop"')
    uri = open_doc(client, path, bad)
    await settled(client, uri, lambda d: codes(d) == ["D003", "X004"], "an unknown attribute and table")

    async def fixes(diagnostics):
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=99, character=0)),
            context=types.CodeActionContext(diagnostics=diagnostics, only=[types.CodeActionKind.QuickFix]),
        )
        return await client.text_document_code_action_async(params)

    actions = await fixes(client.diagnostics[uri])
    assert sorted(a.title for a in actions) == ["Replace with `cooldown_ms`", "Replace with `tier_3_drops`"]
    # Both are slips with one close candidate: preferred, so an editor may apply them alone.
    assert all(a.kind == types.CodeActionKind.QuickFix and a.is_preferred for a in actions)
    by_title = {a.title: a for a in actions}
    # The attribute's name is replaced; the table's name inside its quotes.
    key = by_title["Replace with `cooldown_ms`"]
    assert apply(bad, key.edit.changes[uri]) == bad.replace("cooldwn_ms", "cooldown_ms")
    assert [str(d.code) for d in key.diagnostics] == ["D003"]
    fixed = apply(bad, [e for a in actions for e in a.edit.changes[uri]])
    assert fixed == bad.replace("cooldwn_ms", "cooldown_ms").replace('"tier_3_drop"', '"tier_3_drops"')
    change(client, uri, fixed)
    await settled(client, uri, lambda d: d == [], "both fixed")

    # Only the actions for the diagnostics in the requested range.
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=position_of(text, "base_rate"), end=position_of(text, "base_rate")),
        context=types.CodeActionContext(diagnostics=[]),
    )
    assert not await client.text_document_code_action_async(params)


# ---------------------------------------------------------------------------------------------
# Robustness


async def test_bad_messages_never_stop_the_server(client: LanguageClient, repo: pathlib.Path):
    uri = open_doc(client, repo / CAVES)
    with pytest.raises(Exception) as unknown:
        await client.protocol.send_request_async("rulesctl/noSuchMethod", {})
    assert "-32601" in str(unknown.value) or "unknown method" in str(unknown.value)
    with pytest.raises(Exception) as bad:
        not_a_uri = types.TextDocumentIdentifier(uri="not a uri")
        await client.text_document_hover_async(types.HoverParams(text_document=not_a_uri, position=types.Position(line=0, character=0)))
    assert "invalid parameters" in str(bad.value)
    # Malformed frames, written straight to the server's stdin.
    stdin = client._server.stdin  # type: ignore[union-attr]
    for body in [b"{garbage}", b'{"jsonrpc":"2.0","id":"x","method":1}', b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":7}']:
        stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    stdin.write(b"Not-A-Header\r\n\r\n")
    await stdin.drain()
    # Positions past the end, unknown documents: answers, not crashes.
    far = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=9999, character=9999)
    )
    assert await client.text_document_hover_async(far) is None
    unknown_doc = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=(repo / "nope.hcl").as_uri()),
        position=types.Position(line=0, character=0),
    )
    assert await client.text_document_hover_async(unknown_doc) is None
    hover = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=3))
    assert "base_rate" in (await client.text_document_hover_async(hover)).contents.value


async def test_each_file_finds_its_own_repository(client: LanguageClient, repo: pathlib.Path):
    # A repository nested in the example's folder, outside its configured paths, is its own:
    # the nearest rulesctl.hcl whose paths take the file in wins, else check's discovery.
    nested = repo / "vendor/other"
    shutil.copytree(repo / "examples/rules", nested / "rules")
    caves = nested / "rules/regions/crystal_caves.hcl"
    text = caves.read_text(encoding="utf-8").replace("cooldown_ms    = 8000", "cooldown_ms    = 10")
    uri = open_doc(client, caves, text)
    [d] = await settled(client, uri, lambda d: len(d) == 1, "one problem in the nested repository")
    assert str(d.code) == "X001"
    # Its related place is in its own ruleset.hcl, not the outer example's.
    assert d.related_information[0].location.uri == (nested / "rules/ruleset.hcl").as_uri()
    outer = open_doc(client, repo / CAVES)
    await settled(client, outer, lambda d: d == [], "the outer example is untouched")


async def test_a_quick_fix_that_retargets_is_not_preferred(client: LanguageClient, repo: pathlib.Path):
    path = repo / CAVES
    # tier_9_drops is one edit from tier_3_drops, but another tier: not a slip to fix blindly.
    bad = path.read_text(encoding="utf-8").replace('"tier_3_drops"', '"tier_9_drops"')
    uri = open_doc(client, path, bad)
    await settled(client, uri, lambda d: codes(d) == ["X004"], "an unknown table")
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=99, character=0)),
        context=types.CodeActionContext(diagnostics=client.diagnostics[uri]),
    )
    actions = await client.text_document_code_action_async(params)
    assert actions and not any(a.is_preferred for a in actions), actions


# ---------------------------------------------------------------------------------------------
# Responsiveness: the wire, coalescing, the workspace, file watching, limits, progress, settings

LOG_DIR = pathlib.Path(tempfile.mkdtemp(prefix="rulesctl-lsp-"))
LOG = LOG_DIR / "server.log"
# The server with RULESCTL_LSP_LOG=1, its stderr appended to LOG: the log says each analysis.
LOGGED = ["sh", "-c", 'RULESCTL_LSP_LOG=1 exec "$0" lsp 2>>"$1"', RULESCTL, str(LOG)]


def analyses_since(mark: int) -> int:
    return LOG.read_text(encoding="utf-8", errors="replace")[mark:].count("analysed in")


def log_mark() -> int:
    return len(LOG.read_text(encoding="utf-8", errors="replace")) if LOG.exists() else 0


async def wait_for(what: str, check) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def region_file(name: str) -> str:
    return (REPO / CAVES).read_text(encoding="utf-8").replace("crystal_caves", name)


@pytest.fixture
def big_repo(repo: pathlib.Path) -> pathlib.Path:
    """The example with 200 more regions, one file each."""
    folder = repo / "examples/rules/more"
    folder.mkdir()
    for i in range(200):
        (folder / f"cave_{i}.hcl").write_text(region_file(f"cave_{i}"), encoding="utf-8")
    return repo


@pytest_lsp.fixture(config=ClientServerConfig(server_command=LOGGED, client_factory=make_client))
async def logged_client(lsp_client: LanguageClient, big_repo: pathlib.Path):
    mark = log_mark()
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=big_repo.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=big_repo.as_uri(), name="example")],
    )
    lsp_client.initialized_with = await lsp_client.initialize_session(params)  # type: ignore[attr-defined]
    # The workspace is analysed once, from `initialized`, before any file is opened.
    await wait_for("the first analysis", lambda: analyses_since(mark) >= 1)
    yield
    await lsp_client.shutdown_session()


def without_file_watching() -> types.ClientCapabilities:
    """VS Code's capabilities, but a client that watches no files (Neovim's default on Linux)."""
    caps = client_capabilities("visual-studio-code")
    caps.workspace.did_change_watched_files = None
    return caps


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[RULESCTL, "lsp"], client_factory=make_client))
async def unwatched_client(lsp_client: LanguageClient, repo: pathlib.Path):
    params = types.InitializeParams(
        capabilities=without_file_watching(),
        root_uri=repo.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="example")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def hover_at(client: LanguageClient, uri: str, text: str, needle: str, shift: int = 1):
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, needle, shift))
    return await client.text_document_hover_async(params)


async def test_a_frame_without_content_length_is_skipped_and_the_stream_goes_on(
    client: LanguageClient, repo: pathlib.Path
):
    text = (repo / CAVES).read_text(encoding="utf-8")
    uri = open_doc(client, repo / CAVES)
    stdin = client._server.stdin  # type: ignore[union-attr]
    # No Content-Length: the body cannot be told from the next frame's header but by looking.
    stdin.write(b"Content-Type: application/json\r\n\r\n{}")
    await stdin.drain()
    for _ in range(3):
        hover = await asyncio.wait_for(hover_at(client, uri, text, "base_rate"), TIMEOUT)
        assert "spawn_config.base_rate" in hover.contents.value


async def test_queued_edits_are_analysed_once_and_a_request_sees_the_last(
    logged_client: LanguageClient, big_repo: pathlib.Path
):
    client = logged_client
    path = big_repo / CAVES
    good = path.read_text(encoding="utf-8")
    uri = open_doc(client, path)
    await settled(client, uri, lambda d: d == [], "clean")
    mark, published = log_mark(), len(client.published)  # type: ignore[attr-defined]
    sent = time.perf_counter()
    for i in range(20):
        change(client, uri, good.replace("cooldown_ms    = 8000", f"cooldown_ms    = {8000 + i + 1}"))
    last = good.replace("cooldown_ms    = 8000", "cooldown_ms    = 10\n  # the last edit")
    change(client, uri, last)
    hover = await hover_at(client, uri, last, "= 10", 2)
    took = (time.perf_counter() - sent) * 1000
    assert "X001" in hover.contents.value, "answered from the last text's analysis"
    [d] = await settled(client, uri, lambda d: codes(d) == ["X001"], "the last edit's finding")
    runs = analyses_since(mark)
    mine = [p for _, p in client.published[published:] if p.uri == uri]  # type: ignore[attr-defined]
    assert runs <= 3, f"21 queued edits took {runs} analyses"
    assert len(mine) <= 3 and mine[-1].version == VERSIONS[uri], mine
    print(f"\n21 queued edits then a request on 211 rule files: {took:.1f} ms, {runs} analyses")


async def test_opening_200_files_reuses_the_analysis(logged_client: LanguageClient, big_repo: pathlib.Path):
    client = logged_client
    mark = log_mark()
    sent = time.perf_counter()
    files = sorted((big_repo / "examples/rules/more").glob("*.hcl"))
    uris = [open_doc(client, p) for p in files]
    text = files[-1].read_text(encoding="utf-8")
    hover = await hover_at(client, uris[-1], text, "base_rate")
    took = (time.perf_counter() - sent) * 1000
    assert "spawn_config.base_rate" in hover.contents.value
    await wait_for("every opened file's diagnostics", lambda: all(u in client.diagnostics for u in uris))
    assert analyses_since(mark) == 0, "opening files as they are on disk needs no analysis"
    print(f"\nopening 200 files: {took:.1f} ms")


async def test_the_whole_workspace_is_diagnosed_and_disk_changes_seen_without_a_client_watcher(
    unwatched_client: LanguageClient, repo: pathlib.Path
):
    client = unwatched_client
    await first_analysis(client)
    caves = (repo / CAVES).as_uri()
    loot = repo / LOOT
    # Nothing is open: a file renamed on disk, seen by the server's own watcher, breaks a file
    # nobody opened, whose diagnostics are published all the same.
    loot.rename(loot.with_suffix(".bak"))
    await settled(client, caves, lambda d: "X004" in codes(d), "X004 in an unopened file")
    loot.with_suffix(".bak").rename(loot)
    await settled(client, caves, lambda d: d == [], "back to clean")


async def test_at_most_1000_diagnostics_a_file_and_the_setting_lowers_it(client: LanguageClient, repo: pathlib.Path):
    path = repo / "examples/rules/unused.hcl"
    text = "".join(f'loot_table "unused_{i}" {{\n  item "x" {{ weight = 1 }}\n}}\n' for i in range(1200))
    uri = open_doc(client, path, text)
    got = await settled(client, uri, lambda d: len(d) > 0, "the unused tables")
    assert len(got) == 1000, len(got)
    assert codes(got[:999]) == ["X005"] * 999
    assert got[-1].message.startswith("201 more diagnostics in this file"), got[-1].message
    assert got[-1].severity == types.DiagnosticSeverity.Information
    # `rulesctl.maxDiagnosticsPerFile`, through workspace/configuration.
    client.set_configuration({"maxDiagnosticsPerFile": 50}, section="rulesctl")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    got = await settled(client, uri, lambda d: len(d) == 50, "the lower limit")
    assert got[-1].message.startswith("1151 more diagnostics"), got[-1].message


async def first_analysis(client: LanguageClient) -> None:
    """Waits for the end of the first analysis, which the server reports as progress."""
    await wait_for("the first analysis's progress", lambda: any(
        [type(r).__name__ for r in reports][-1:] == ["WorkDoneProgressEnd"] for reports in client.progress_reports.values()
    ))


async def test_the_first_analysis_reports_progress(client: LanguageClient):
    await first_analysis(client)
    [reports] = [r for r in client.progress_reports.values()]
    assert [type(r).__name__ for r in reports] == ["WorkDoneProgressBegin", "WorkDoneProgressEnd"]
    assert reports[0].title == "rulesctl"


# ---------------------------------------------------------------------------------------------
# Semantic tokens, symbols, folding, rename, YAML help, inlay hints


async def test_every_feature_is_announced(client: LanguageClient):
    caps = client.initialized_with.capabilities  # type: ignore[attr-defined]
    assert caps.semantic_tokens_provider.full
    assert caps.document_symbol_provider and caps.workspace_symbol_provider
    assert caps.folding_range_provider and caps.inlay_hint_provider
    assert caps.document_range_formatting_provider
    assert caps.rename_provider.prepare_provider


def decode_tokens(text: str, data: list[int], legend: types.SemanticTokensLegend) -> list[tuple[str, str, list[str]]]:
    """(text, type, modifiers) of each semantic token, from LSP's relative encoding."""
    lines = text.split("\n")
    out, line, start = [], 0, 0
    for i in range(0, len(data), 5):
        delta_line, delta_start, length, kind, mods = data[i : i + 5]
        line += delta_line
        start = start + delta_start if delta_line == 0 else delta_start
        units = lines[line].encode("utf-16-le")
        word = units[start * 2 : (start + length) * 2].decode("utf-16-le")
        names = [m for bit, m in enumerate(legend.token_modifiers) if mods & (1 << bit)]
        out.append((word, legend.token_types[kind], names))
    return out


async def test_semantic_tokens_follow_the_dialect(client: LanguageClient, repo: pathlib.Path):
    text = (repo / CAVES).read_text(encoding="utf-8").replace("spawn_config {", "/* é\n 😀 */ spawn_config {")
    uri = open_doc(client, repo / CAVES, text)
    legend = client.initialized_with.capabilities.semantic_tokens_provider.legend  # type: ignore[attr-defined]
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    got = decode_tokens(text, result.data, legend)
    assert ("/* é", "comment", []) in got and (" 😀 */", "comment", []) in got, "a token a line"
    assert ("spawn_config", "keyword", []) in got
    assert ("base_rate", "property", []) in got
    assert ("12", "number", []) in got
    assert ('"crystal_caves"', "variable", ["declaration"]) in got
    assert ('"tier_3_drops"', "variable", []) in got


async def test_document_and_workspace_symbols(client: LanguageClient, repo: pathlib.Path):
    uri = open_doc(client, repo / LOOT)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    names = [s.name for s in symbols]
    assert {"tier_1_drops", "tier_2_drops", "tier_3_drops"} <= set(names), names
    table = next(s for s in symbols if s.name == "tier_3_drops")
    assert table.detail == "loot_table" and table.children, table
    values = repo / "examples/chart/values.yaml"
    values_uri = open_doc(client, values)
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=values_uri))
    )
    assert [s.name for s in outline] == ["gameServer", "config", "cache", "deployment"]
    server = outline[0]
    assert [c.name for c in server.children] == ["replicaCount", "sidecar"]

    await first_analysis(client)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="t3d"))
    assert any(s.name == "tier_3_drops" and s.location.uri == uri for s in found), found
    regions = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="ember"))
    assert {s.container_name for s in regions if s.name == "ember_wastes"} == {"spawn region", "event stream"}


async def test_folding_blocks_comments_and_yaml(client: LanguageClient, repo: pathlib.Path):
    text = '# one\n# two\nloot_table "t" {\n  item "a" {\n    weight = 1\n  }\n}\n'
    uri = open_doc(client, repo / "examples/rules/fold.hcl", text)
    ranges = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [(r.start_line, r.end_line) for r in ranges] == [(0, 1), (2, 5), (3, 4)]
    assert ranges[0].kind == types.FoldingRangeKind.Comment
    values_uri = open_doc(client, repo / "examples/chart/values.yaml")
    yaml_ranges = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=values_uri))
    )
    assert (3, 11) in [(r.start_line, r.end_line) for r in yaml_ranges], yaml_ranges


async def test_rename_a_loot_table_across_files(client: LanguageClient, repo: pathlib.Path):
    loot_text = (repo / LOOT).read_text(encoding="utf-8")
    loot = open_doc(client, repo / LOOT)
    await first_analysis(client)
    at = position_of(loot_text, '"tier_3_drops"', 3)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=loot), position=at)
    )
    assert prepared.placeholder == "tier_3_drops"
    assert prepared.range.start == position_of(loot_text, '"tier_3_drops"', 1)
    with pytest.raises(Exception) as refused:
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=types.TextDocumentIdentifier(uri=loot), position=position_of(loot_text, "weight")
            )
        )
    assert "can be renamed" in str(refused.value)
    with pytest.raises(Exception) as bad_name:
        await client.text_document_rename_async(
            types.RenameParams(text_document=types.TextDocumentIdentifier(uri=loot), position=at, new_name="Top Tier")
        )
    assert "is not a name" in str(bad_name.value)
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=types.TextDocumentIdentifier(uri=loot), position=at, new_name="top_tier")
    )
    naming = [p for p in (repo / "examples/rules").rglob("*.hcl") if '"tier_3_drops"' in p.read_text(encoding="utf-8")]
    assert set(edit.changes) == {p.as_uri() for p in naming}, edit.changes
    for path in naming:
        text = path.read_text(encoding="utf-8")
        path.write_text(apply(text, edit.changes[path.as_uri()]), encoding="utf-8")
    assert rulesctl("check", "--root", str(repo)).returncode == 0, "the renamed workspace still checks"
    assert '"top_tier"' in (repo / LOOT).read_text(encoding="utf-8")


async def test_enum_completion_in_the_project_file(client: LanguageClient, repo: pathlib.Path):
    text = 'value "config.extra" {\n  type = "\n}\n'
    uri = open_doc(client, repo / "rulesctl.hcl", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, 'type = "', 8))
    )
    assert [i.label for i in result] == ["duration", "endpoint", "quantity"]


async def test_yaml_completion_and_hover_from_the_chart_schema(client: LanguageClient, repo: pathlib.Path):
    path = repo / "examples/chart/values.yaml"
    original = path.read_text(encoding="utf-8")
    uri = open_doc(client, path)
    await first_analysis(client)

    async def labels(text: str, position: types.Position) -> list[str]:
        change(client, uri, text)
        result = await client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
        )
        return sorted(i.label for i in (result.items if isinstance(result, types.CompletionList) else result or []))

    typing = original.replace("  rollbackTimeout:", "  ro\n  rollbackTimeout:")
    assert "rollbackTimeout" in await labels(typing, position_of(typing, "  ro\n", 4))
    top = original + "c"
    assert {"cache", "config", "deployment", "gameServer"} <= set(await labels(top, position_of(top, "\nc", 2)))
    enum = original.replace('strategy: "BlueGreen"', "strategy: ")
    assert await labels(enum, position_of(enum, "strategy: ", 10)) == ["BlueGreen", "Canary", "RollingUpdate"]
    change(client, uri, original)
    hover = await hover_at(client, uri, original, "rollbackTimeout")
    assert "deployment.rollbackTimeout" in hover.contents.value
    assert "A duration of at most 5m." in hover.contents.value
    assert "declared in `rulesctl.hcl`: a `duration`, max `5m`" in hover.contents.value
    # An environment's overrides follow the same schema.
    env = repo / "environments/staging.yaml"
    env_text = env.read_text(encoding="utf-8")
    env_uri = open_doc(client, env)
    hover = await hover_at(client, env_uri, env_text, "replicaCount")
    assert "gameServer.replicaCount" in hover.contents.value and "integer" in hover.contents.value
    assert "environments may override it" in hover.contents.value


async def test_inlay_hints_show_the_peak_spawn_rate(client: LanguageClient, repo: pathlib.Path):
    text = (repo / CAVES).read_text(encoding="utf-8")
    uri = open_doc(client, repo / CAVES)
    await settled(client, uri, lambda d: d == [], "clean")
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=99, character=0)),
        )
    )
    [hint] = hints
    multiplier = float(re.search(r"max_spawn_rate_multiplier = ([0-9.]+)", (repo / RULESET).read_text()).group(1))
    base = int(re.search(r"base_rate\s*= (\d+)", text).group(1))
    peak = base * multiplier
    assert hint.label == f"peak {peak:g}/min", hint.label
    assert hint.position == position_of(text, f"= {base}", 2 + len(str(base)))


async def test_a_yaml_key_leads_to_its_declarations(client: LanguageClient, repo: pathlib.Path):
    path = repo / "examples/chart/values.yaml"
    text = path.read_text(encoding="utf-8")
    uri = open_doc(client, path)
    await first_analysis(client)
    project = (repo / "rulesctl.hcl").read_text(encoding="utf-8")

    async def targets(needle: str) -> list[tuple[str, int]]:
        params = types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, needle, 1))
        found = await client.text_document_definition_async(params) or []
        return sorted((l.uri.rsplit("/", 1)[-1], l.range.start.line) for l in found)

    line = lambda needle: project[: project.index(needle)].count("\n")  # noqa: E731
    assert await targets("rollbackTimeout") == [("rulesctl.hcl", line('"deployment.rollbackTimeout"'))]
    # An environment may override it: it leads to the `allow_overrides` entry.
    assert await targets("replicaCount") == [("rulesctl.hcl", line('"gameServer.replicaCount"'))]
