#!/usr/bin/env python3
"""Generates one input shape of the growth benchmark (issue 28 part 1) at a scale, deterministically.

usage: growth_gen.py SHAPE SCALE DIR

SHAPE is one of the names in SHAPES below; SCALE is 1, 4 or 16 (any positive integer works):
the shape's size is its base size times SCALE. Each repository has a header rule file (the
ruleset-wide blocks), a rulesctl.hcl, and whatever the shape grows. `size` (printed on
stdout) is what grows: files, regions, keys, brackets, diagnostics expected.

Standard library only.
"""
import os
import sys

HEADER = """ruleset_version = "v1.0.0"

event_timers {
  world_boss_interval = 3600
  weather_cycle       = 900
  maintenance_window  = "04:00 UTC"
}

safety_bounds {
  max_spawn_rate_multiplier = 2.5
  min_cooldown_override     = 5000
  duplicate_event_window_ms = 3000
}
"""

# Limits raised as far as a shape needs, so a growing input is measured, not refused.
PROJECT = """limits {
  max_file_bytes = 67108864
  max_yaml_nodes = 10000000
  max_files      = 1000000
}
"""


def spawn(name, table, i):
    rate = 5 + i % 10
    return f"""spawn_config {{
  region         = "{name}"
  base_rate      = {rate}
  max_concurrent = {rate * 3}
  cooldown_ms    = {6000 + (i % 7) * 500}
  loot_table     = "{table}"
}}
"""


def stream(name):
    return f"""event_stream {{
  region             = "{name}"
  max_len            = 5000
  max_in_flight      = 32
  backoff_multiplier = 2.0
  max_backoff_ms     = 8000
}}
"""


def loot(table):
    return f"""loot_table "{table}" {{
  item "gold_coin"    {{ weight = 70 }}
  item "silver_coin"  {{ weight = 15 }}
  item "iron_ore"     {{ weight = 10 }}
  item "dragon_scale" {{ weight = 5 }}
}}
"""


def region(i):
    name, table = f"region_{i:06d}", f"table_{i:06d}"
    return spawn(name, table, i) + "\n" + stream(name) + "\n" + loot(table)


class Repo:
    def __init__(self, out, project=PROJECT):
        self.out = out
        os.makedirs(f"{out}/rules", exist_ok=True)
        self.write("rulesctl.hcl", project)
        self.write("rules/header.hcl", HEADER)

    def write(self, rel, text):
        path = f"{self.out}/{rel}"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def files(r, k):
    """many rule files: one region (spawn, stream, loot table) per file"""
    n = 300 * k
    for i in range(n):
        r.write(f"rules/part_{i:06d}.hcl", region(i))
    return n


def big_file(r, k):
    """one big rule file: every region in one file"""
    n = 300 * k
    r.write("rules/all.hcl", "\n".join(region(i) for i in range(n)))
    return n


def cross_refs(r, k):
    """cross-file names: regions in one set of files, the loot tables they name in another, each
    region naming a table defined far from it"""
    n = 300 * k
    for i in range(n):
        name = f"region_{i:06d}"
        other = f"table_{(i * 7919 + 13) % n:06d}"
        r.write(f"rules/regions/r_{i:06d}.hcl", spawn(name, other, i) + "\n" + stream(name))
        r.write(f"rules/loot/t_{i:06d}.hcl", loot(f"table_{i:06d}"))
    return n


def items(r, k):
    """many sections of one kind: one loot table of N items"""
    n = 4000 * k
    body = "".join(f'  item "item_{i:07d}" {{ weight = {1 + i % 100} }}\n' for i in range(n))
    r.write("rules/table.hcl", spawn("only", "big", 0) + "\n" + stream("only") + f'\nloot_table "big" {{\n{body}}}\n')
    return n


def streams(r, k):
    """many sections of one kind: N spawn regions and streams in one file"""
    n = 500 * k
    r.write("rules/loot.hcl", loot("shared"))
    r.write("rules/regions.hcl", "\n".join(spawn(f"region_{i:06d}", "shared", i) + "\n" + stream(f"region_{i:06d}") for i in range(n)))
    return n


def flat_values(r, k):
    """one flat values.yaml mapping of N keys"""
    n = 20000 * k
    r.write("rules/part.hcl", region(0))
    r.write("values.yaml", "".join(f"key_{i:07d}: value_{i}\n" for i in range(n)))
    return n


def deep_hcl(r, k):
    """deep HCL nesting: a fixed number of attributes, each an array nested 4 x SCALE deep
    (64, the limit, at 16x); every attribute is unknown to the dialect, so one D003 each"""
    depth, n = 4 * k, 3000
    r.write("rules/part.hcl", region(0))
    r.write("rules/deep.hcl", "".join(f"deep_{i:05d} = {'[' * depth}1{']' * depth}\n" for i in range(n)))
    return n * depth


def deep_yaml(r, k):
    """deep YAML nesting: a fixed number of keys in values.yaml, each a flow mapping nested
    4 x SCALE deep (64, the limit, at 16x)"""
    depth, n = 4 * k, 5000
    r.write("rules/part.hcl", region(0))
    r.write("values.yaml", "".join(f"key_{i:05d}: {'{a: ' * (depth - 1)}1{'}' * (depth - 1)}\n" for i in range(n)))
    return n * depth


def environments(r, k):
    """many environments: N environments/*.yaml, each overriding an allowed value"""
    n = 100 * k
    r.write(
        "rulesctl.hcl",
        PROJECT + '\nrender {\n  allow_overrides = ["replicaCount", "resources"]\n  inject = { "image.tag" = "ruleset_version" }\n}\n',
    )
    r.write("rules/part.hcl", region(0))
    keys = "".join(f"setting_{i:04d}: {i}\n" for i in range(200))
    r.write(
        "values.yaml",
        'replicaCount: 2\nimage:\n  repository: "registry.internal/game"\nresources:\n'
        '  requests: {cpu: "250m", memory: "128Mi"}\n  limits: {cpu: "500m", memory: "256Mi"}\n' + keys,
    )
    for i in range(n):
        r.write(
            f"environments/env_{i:05d}.yaml",
            'cluster:\n  allocatable: {cpu: "4", memory: "8Gi"}\n  secrets: [redis-auth]\n'
            f"overrides:\n  replicaCount: {1 + i % 20}\n  resources:\n    limits: {{cpu: \"1\", memory: \"512Mi\"}}\n",
        )
    return n


def diagnostics(r, k):
    """many diagnostics: N regions each naming a loot table misspelt (E001 with a did-you-mean
    among N tables), the N tables then unused (W00x), and every other region defined twice"""
    n = 300 * k
    for i in range(n):
        name = f"region_{i:06d}"
        text = spawn(name, f"tabel_{i:06d}", i) + "\n" + stream(name) + "\n" + loot(f"table_{i:06d}")
        if i % 2 == 0:
            text += "\n" + spawn(name, f"table_{i:06d}", i)
        r.write(f"rules/part_{i:06d}.hcl", text)
    return n


SHAPES = {
    f.__name__.replace("_", "-"): f
    for f in [files, big_file, cross_refs, items, streams, flat_values, deep_hcl, deep_yaml, environments, diagnostics]
}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in SHAPES:
        sys.exit(f"usage: growth_gen.py {{{'|'.join(SHAPES)}}} SCALE DIR")
    shape, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    print(SHAPES[shape](Repo(out), k))


if __name__ == "__main__":
    main()
