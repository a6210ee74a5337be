"""What Helm reads: the differential oracle for `tests/integration/yaml11.rs`.

Reads a JSON list of cases from the file named by its argument, each {"id", "sources": [[path, key or null], ...],
"rendered": path, "injected": [dotted paths]}. For each case it reads every source with Helm's
own YAML reader (helm_python.values_from_yaml: sigs.k8s.io/yaml over go-yaml v2, YAML 1.1),
takes `key` of it when given (an environment's `overrides`), merges them in order as `helm -f`
does (maps merge, everything else replaces), reads the rendered file the same way, and
compares. Injected paths are written by rulesctl, not the sources: they are taken from the
rendered side. Prints a JSON list of {"id", "equal", "sources", "rendered"} (each side a value,
or {"helm_error": message} when Helm refuses the file).
"""
import json
import sys

import helm_python as helm


def read(path, key):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        values = helm.values_from_yaml(text)
    except Exception as err:  # Helm refuses the file: that is its reading
        return {"helm_error": str(err)}
    if key is not None:
        values = (values or {}).get(key) or {}
    return values


def merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(out[k], v) if k in out else v
        return out
    return over


def get(tree, dotted):
    for part in dotted.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None, False
        tree = tree[part]
    return tree, True


def put(tree, dotted, value):
    parts = dotted.split(".")
    for part in parts[:-1]:
        tree = tree.setdefault(part, {})
    tree[parts[-1]] = value


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        merged = {}
        failed = None
        for path, key in case["sources"]:
            values = read(path, key)
            if isinstance(values, dict) and "helm_error" in values:
                failed = values
                break
            merged = merge(merged, values)
        rendered = read(case["rendered"], None)
        if failed is None and not (isinstance(rendered, dict) and "helm_error" in rendered):
            for dotted in case.get("injected", []):
                value, found = get(rendered, dotted)
                if found:
                    put(merged, dotted, value)
        sources = failed if failed is not None else merged
        out.append({"id": case["id"], "equal": sources == rendered, "sources": sources, "rendered": rendered})
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
