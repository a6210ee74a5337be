#!/usr/bin/env python3
"""Opens one file in `rulesctl lsp` and prints the server's peak RSS (VmHWM, KiB) and the seconds
from `didOpen` to that file's diagnostics, tab-separated: the language-server row of
bench/bigfile.sh. Reuses bench/lsp_bench.py's client.

usage: bench/lsp_open.py RULESCTL REPO FILE
"""

import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from lsp_bench import Client  # noqa: E402


def main() -> None:
    rulesctl, repo, path = sys.argv[1], pathlib.Path(sys.argv[2]).resolve(), pathlib.Path(sys.argv[3]).resolve()
    client = Client([rulesctl, "lsp"])
    capabilities = {"window": {"workDoneProgress": True}, "workspace": {"configuration": True}}
    client.request("initialize", {"processId": os.getpid(), "rootUri": repo.as_uri(), "capabilities": capabilities,
                                  "workspaceFolders": [{"uri": repo.as_uri(), "name": "bench"}]})
    client.until(lambda m: m.get("id") == 1)
    client.notify("initialized", {})
    client.until(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end")
    doc = path.as_uri()
    t0 = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "hcl", "version": 1, "text": path.read_text()}})
    at, _ = client.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == doc)
    _, hwm = client.memory()
    client.request("shutdown", None)
    client.notify("exit", None)
    client.proc.wait(timeout=30)
    print(f"{hwm}\t{at - t0:.2f}")


if __name__ == "__main__":
    main()
