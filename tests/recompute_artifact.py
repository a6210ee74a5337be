"""Recompute a rulesctl artifact's digest, Merkle leaves and root from the README alone.

An independent implementation of the documented construction, in another language, so a test
proves the README is enough for a sidecar to verify an artifact. Standard library only.
Prints "ok" and exits 0 when everything matches; prints what differs and exits 1 otherwise.
"""
import hashlib
import json
import sys


def canonical(value):
    # Sorted keys, no whitespace, raw UTF-8; Python's float repr is the shortest round-trip form.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha(data):
    return hashlib.sha256(data).digest()


def root(leaves):
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return leaves[0]
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return sha(b"\x01" + root(leaves[:split]) + root(leaves[split:]))


def sections(ruleset):
    out = {}
    for key, prefix in (("spawn_configs", "spawn_config"), ("loot_tables", "loot_table"), ("event_streams", "event_stream")):
        for name, value in ruleset[key].items():
            out[prefix + "/" + name] = value
    for key in ("event_timers", "safety_bounds"):
        out[key] = ruleset[key]
    return out


def main(path):
    with open(path, encoding="utf-8") as f:
        artifact = json.load(f)
    problems = []
    digest = "sha256:" + sha(canonical(artifact["ruleset"]).encode()).hex()
    if digest != artifact["digest"]:
        problems.append(f"digest {artifact['digest']} != {digest}")
    ids = sorted(sections(artifact["ruleset"]), key=lambda s: s.encode())
    hashes = [sha(b"\x00" + s.encode() + b"\x00" + canonical(sections(artifact["ruleset"])[s]).encode()) for s in ids]
    recorded = [(leaf["section"], leaf["hash"]) for leaf in artifact["merkle"]["leaves"]]
    computed = [(s, "sha256:" + h.hex()) for s, h in zip(ids, hashes)]
    if recorded != computed:
        problems.append(f"leaves {recorded} != {computed}")
    merkle_root = "sha256:" + root(hashes).hex()
    if merkle_root != artifact["merkle"]["root"]:
        problems.append(f"root {artifact['merkle']['root']} != {merkle_root}")
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
