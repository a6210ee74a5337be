#!/usr/bin/env python3
"""A rules repository shaped unlike bench/gen.py's, for the turn-2 ratios on a workload the
project's own benchmark did not tune (issue 28 part 3): `bash bench/run.sh DIR`.

usage: gen_shape2.py DIR [N]   (N rule files, default 10000; all in DIR/rules, where the parse
                                floor reads)

gen.py writes N files of one region each (spawn, stream, a four-item loot table, comments).
Here the sections are split by kind and packed: two files in five hold three regions each
(spawn and stream, long names, no comments, attributes unaligned), the other three hold two
loot tables of twelve items each, named by regions in other files; values.yaml is a deep map
(twelve levels, 2,000 leaves, long strings) with twenty environments. Deterministic.
"""
import os
import sys

HEADER = """ruleset_version = "v3.14.0"
event_timers {
  world_boss_interval = 7200
  weather_cycle = 600
  maintenance_window = "03:30 UTC"
}
safety_bounds {
  max_spawn_rate_multiplier = 3.0
  min_cooldown_override = 4000
  duplicate_event_window_ms = 2500
}
"""

SUFFIX = "_of_the_northern_marches_beyond_the_frozen_sea"


def region_file(f, per, tables):
    out = []
    for j in range(per):
        k = f * per + j
        name = f"zone_{k:06d}{SUFFIX}"
        table = f"drops_{(k * 7919) % tables:06d}"
        rate = 1 + k % 40
        out.append(
            f"spawn_config {{\n  region = \"{name}\"\n  base_rate = {rate}\n  max_concurrent = {rate * 4}\n"
            f"  cooldown_ms = {4000 + (k % 11) * 250}\n  loot_table = \"{table}\"\n}}\n"
            f"event_stream {{\n  region = \"{name}\"\n  max_len = {1000 + k % 9000}\n  max_in_flight = {1 + k % 64}\n"
            f"  backoff_multiplier = 1.5\n  max_backoff_ms = {1000 + k % 5000}\n}}\n"
        )
    return "".join(out)


def loot_file(f, per):
    out = []
    for j in range(per):
        t = f * per + j
        items = "".join(f'  item "material_{m:02d}_{(t + m) % 97:02d}" {{ weight = {1 + (t * m) % 500} }}\n' for m in range(12))
        out.append(f'loot_table "drops_{t:06d}" {{\n{items}}}\n')
    return "".join(out)


def deep_values(depth=12, leaves=2000):
    lines = []
    for leaf in range(leaves):
        path = [f"level{d}_{(leaf >> d) % 2}" for d in range(depth - 1)]
        lines.append((path, f"leaf_{leaf:05d}", f'"{("value-" + str(leaf) + "-") * 6}"'))
    # one nested block per distinct path, written out as YAML block mappings
    tree = {}
    for path, key, value in lines:
        node = tree
        for p in path:
            node = node.setdefault(p, {})
        node[key] = value
    out = []

    def emit(node, indent):
        for key, value in node.items():
            if isinstance(value, dict):
                out.append(f"{'  ' * indent}{key}:\n")
                emit(value, indent + 1)
            else:
                out.append(f"{'  ' * indent}{key}: {value}\n")

    emit(tree, 0)
    return "replicaCount: 2\n" + "".join(out)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    region_files = n * 2 // 5
    loot_files = n - region_files
    per_region, per_loot = 3, 2
    tables = loot_files * per_loot
    os.makedirs(f"{out}/rules", exist_ok=True)
    os.makedirs(f"{out}/environments", exist_ok=True)
    with open(f"{out}/rulesctl.hcl", "w") as f:
        f.write('render {\n  allow_overrides = ["replicaCount"]\n  inject = { "image.tag" = "ruleset_version" }\n}\n')
    with open(f"{out}/rules/000_header.hcl", "w") as f:
        f.write(HEADER)
    # Interleaved names, so neither kind sits in one stretch of the listing.
    for i in range(n):
        if i % 5 < 2:
            text = region_file(i // 5 * 2 + i % 5, per_region, tables)
        else:
            text = loot_file(i // 5 * 3 + i % 5 - 2, per_loot)
        with open(f"{out}/rules/r{i:05d}.hcl", "w") as f:
            f.write(text)
    with open(f"{out}/values.yaml", "w") as f:
        f.write(deep_values())
    for e in range(20):
        with open(f"{out}/environments/env{e:02d}.yaml", "w") as f:
            f.write(f'cluster:\n  allocatable: {{cpu: "8", memory: "16Gi"}}\n  secrets: []\noverrides:\n  replicaCount: {e + 1}\n')


if __name__ == "__main__":
    main()
