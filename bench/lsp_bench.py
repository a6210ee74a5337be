#!/usr/bin/env python3
"""The language server's benchmark behind BENCHMARKS.md ("rulesctl lsp on 10,000 files"): a raw
LSP client (stdlib only: JSON-RPC over the server's pipes, a reader thread) drives `rulesctl lsp`
on a repository that bench/gen.py generates, and measures

- the first analysis: `initialized` to the end of its `$/progress`;
- keystroke -> diagnostics: a `didChange` that breaks (or fixes) a cooldown until the
  `publishDiagnostics` of that version, 100 times: p50, p95, max;
- 20 queued `didChange`s then a `hover`: until the answer, 20 times: p50, p95, max;
- opening 200 files as they are on disk, then a `hover`: until the answer, and until every
  opened file has had its diagnostics;
- RSS: the server's resident set after all that, and its peak (VmHWM).

It asserts nothing: it prints a Markdown table. Targets (issue 27): keystroke p95 <= 30 ms, 20
queued edits <= 100 ms, 200 opens <= 1 s, RSS <= 128 MiB.

usage: bench/lsp_bench.py [--files N] [--rulesctl PATH] [--no-client-watcher]
       (defaults: 10000 files, target/release/rulesctl; the repository is made under
       target/bench-lsp/N once and reused)
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import queue
import re
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


class Client:
    """A minimal LSP client: requests wait for their answer; notifications are queued."""

    def __init__(self, command: list[str]):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.incoming: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = json.loads(out.read(length or 0))
            self.incoming.put((time.perf_counter(), body))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def until(self, accept, timeout: float = 600.0) -> tuple[float, dict]:
        """Reads messages (answering the server's requests) until `accept` takes one."""
        deadline = time.monotonic() + timeout
        while True:
            at, message = self.incoming.get(timeout=max(0.0, deadline - time.monotonic()))
            if "method" in message and "id" in message:
                result = [None] * len(message.get("params", {}).get("items", [])) if message["method"] == "workspace/configuration" else None
                self.send({"id": message["id"], "result": result})
            if accept(message):
                return at, message

    def memory(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) in KiB."""
        fields = dict(
            line.split(":", 1) for line in pathlib.Path(f"/proc/{self.proc.pid}/status").read_text().splitlines() if ":" in line
        )
        kib = lambda key: int(fields[key].split()[0])  # noqa: E731
        return kib("VmRSS"), kib("VmHWM")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--files", type=int, default=10000)
    args.add_argument("--rulesctl", default=str(ROOT / "target/release/rulesctl"))
    args.add_argument("--no-client-watcher", action="store_true", help="a client that watches no files (the server's own watcher runs)")
    opts = args.parse_args()

    repo = ROOT / "target/bench-lsp" / str(opts.files)
    if not (repo / "rulesctl.hcl").exists():
        subprocess.run([sys.executable, str(ROOT / "bench/gen.py"), str(repo), str(opts.files)], check=True)
    rules = sorted((repo / "rules").glob("part_*.hcl"))

    client = Client([opts.rulesctl, "lsp"])
    capabilities = {
        "window": {"workDoneProgress": True},
        "workspace": {"configuration": True, "didChangeWatchedFiles": {"dynamicRegistration": not opts.no_client_watcher}},
        "textDocument": {"publishDiagnostics": {"versionSupport": True}},
    }
    uri = lambda p: p.as_uri()  # noqa: E731
    started = time.perf_counter()
    client.request("initialize", {"processId": os.getpid(), "rootUri": uri(repo), "capabilities": capabilities,
                                  "workspaceFolders": [{"uri": uri(repo), "name": "bench"}]})
    client.until(lambda m: m.get("id") == 1)
    sent = time.perf_counter()
    client.notify("initialized", {})
    at, _ = client.until(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end")
    first = (at - sent) * 1000
    initialize = (sent - started) * 1000

    # Keystrokes: each change breaks or fixes the file's cooldown; each gets its own publish.
    path = rules[len(rules) // 2]
    good = path.read_text()
    doc = uri(path)
    client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "hcl", "version": 1, "text": good}})
    client.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == doc)
    version = 1
    keystrokes = []
    for i in range(100):
        version += 1
        text = re.sub(r"cooldown_ms    = \d+", "cooldown_ms    = 10", good) if i % 2 == 0 else good
        t0 = time.perf_counter()
        client.notify("textDocument/didChange", {"textDocument": {"uri": doc, "version": version},
                                                 "contentChanges": [{"text": text}]})
        at, _ = client.until(lambda m, v=version: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == doc and m["params"].get("version") == v)
        keystrokes.append((at - t0) * 1000)

    # 20 queued edits, then a request.
    queued = []
    line = good[: good.index("base_rate")].count("\n")
    for _ in range(20):
        t0 = time.perf_counter()
        for i in range(20):
            version += 1
            text = good.replace("cooldown_ms    = ", f"cooldown_ms    = {i + 1}")
            client.notify("textDocument/didChange", {"textDocument": {"uri": doc, "version": version},
                                                     "contentChanges": [{"text": text}]})
        rid = client.request("textDocument/hover", {"textDocument": {"uri": doc}, "position": {"line": line, "character": 4}})
        at, _ = client.until(lambda m, r=rid: m.get("id") == r)
        queued.append((at - t0) * 1000)
    version += 1
    client.notify("textDocument/didChange", {"textDocument": {"uri": doc, "version": version}, "contentChanges": [{"text": good}]})

    # Opening 200 files as they are on disk.
    opened = [uri(p) for p in rules[:200]]
    t0 = time.perf_counter()
    for p, u in zip(rules[:200], opened):
        client.notify("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": "hcl", "version": 1, "text": p.read_text()}})
    rid = client.request("textDocument/hover", {"textDocument": {"uri": opened[-1]}, "position": {"line": line, "character": 4}})
    pending = set(opened)
    answered = None
    while pending or answered is None:
        at, message = client.until(lambda m: True)
        if message.get("id") == rid:
            answered = at
        if message.get("method") == "textDocument/publishDiagnostics":
            pending.discard(message["params"]["uri"])
    opening, published = (answered - t0) * 1000, (at - t0) * 1000

    rss, hwm = client.memory()
    client.request("shutdown", None)
    client.notify("exit", None)
    client.proc.wait(timeout=30)

    watcher = "the server's own" if opts.no_client_watcher else "the client's"
    print(f"rulesctl lsp on {len(rules)} rule files (+ header, project, values, 3 environments); {watcher} file watcher\n")
    print("| measure | p50 | p95 | max | target |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| initialize answered | {initialize:.0f} ms | | | |")
    print(f"| first analysis (`initialized` → progress end) | {first:.0f} ms | | | |")
    print(f"| keystroke → diagnostics (100) | {statistics.median(keystrokes):.1f} ms | {pct(keystrokes, 95):.1f} ms | {max(keystrokes):.1f} ms | p95 ≤ 30 ms |")
    print(f"| 20 queued edits → hover answered (20) | {statistics.median(queued):.1f} ms | {pct(queued, 95):.1f} ms | {max(queued):.1f} ms | ≤ 100 ms |")
    print(f"| open 200 files → hover answered | {opening:.0f} ms | | | ≤ 1 s |")
    print(f"| open 200 files → all 200 published | {published:.0f} ms | | | |")
    print(f"| RSS after all that / peak | {rss / 1024:.0f} MiB / {hwm / 1024:.0f} MiB | | | ≤ 128 MiB |")


if __name__ == "__main__":
    main()
