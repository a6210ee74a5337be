#!/usr/bin/env python3
"""Generates a rules repository for the benchmark, deterministically: N rule files of about
700 bytes (one spawn region, its event stream and its loot table each), a header file, a
values.yaml and three environments; plus each rule file as JSON, for the JSON Schema peers.

usage: gen.py DIR N
       gen.py DIR --one-file BYTES [--commented]

With --one-file, the rules are one file, rules/big.hcl, of as many regions as fit in BYTES (the
header's blocks open it, so it is the whole ruleset): the large-file benchmark
(bench/bigfile.sh). --commented writes the style of a hand-kept file instead: a banner comment
per region, a trailing comment on most attributes, longer names and loot tables of 12 items.
"""
import json
import re
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


def region(i):
    name = f"region_{i:05d}"
    table = f"table_{i:05d}"
    rate = 5 + i % 10
    text = f"""# Spawn region {i}: its spawns, its stream and its drops.
# Tuned by the live-ops team; raise ruleset_version with every change.
# Owner: live-ops. Reviewed in the weekly balance meeting before release.
spawn_config {{
  region         = "{name}"
  base_rate      = {rate}
  max_concurrent = {rate * 3}
  cooldown_ms    = {6000 + (i % 7) * 500}
  loot_table     = "{table}"
}}

event_stream {{
  region             = "{name}"
  max_len            = 5000
  max_in_flight      = 32
  backoff_multiplier = 2.0
  max_backoff_ms     = 8000
}}

loot_table "{table}" {{
  item "gold_coin"    {{ weight = 70 }}
  item "silver_coin"  {{ weight = 15 }}
  item "iron_ore"     {{ weight = 10 }}
  item "dragon_scale" {{ weight = 5 }}
}}
"""
    data = {
        "spawn_config": [{"region": name, "base_rate": rate, "max_concurrent": rate * 3,
                          "cooldown_ms": 6000 + (i % 7) * 500, "loot_table": table}],
        "event_stream": [{"region": name, "max_len": 5000, "max_in_flight": 32,
                          "backoff_multiplier": 2.0, "max_backoff_ms": 8000}],
        "loot_table": [{table: {"item": [{"gold_coin": {"weight": 70}}, {"silver_coin": {"weight": 15}},
                                         {"iron_ore": {"weight": 10}}, {"dragon_scale": {"weight": 5}}]}}],
    }
    return text, data


VALUES = """replicaCount: 2
image:
  repository: "registry.internal/game"
resources:
  requests: {cpu: "250m", memory: "128Mi"}
  limits: {cpu: "500m", memory: "256Mi"}
cache:
  existingSecret: "redis-auth"
"""

ENV = """cluster:
  allocatable: {{cpu: "4", memory: "8Gi"}}
  secrets: [redis-auth]
overrides:
  replicaCount: {replicas}
"""

PROJECT = """render {
  allow_overrides = ["replicaCount"]
  inject = { "image.tag" = "ruleset_version" }
}
"""


ITEMS = ["gold_coin", "silver_coin", "iron_ore", "dragon_scale", "frost_herb", "ember_shard",
         "ancient_relic", "mithril_bar", "phoenix_feather", "shadow_essence", "storm_crystal",
         "troll_hide"]


def commented_region(i):
    """A region as a hand-kept file writes it: comments and trailing notes, longer names."""
    name = f"northern_frontier_region_{i:06d}"
    table = f"northern_frontier_drops_{i:06d}"
    rate = 5 + i % 10
    items = "".join(
        f'  item "{item}" {{ weight = {(i + k * 7) % 97 + 1} }} # {"common" if k < 4 else "rare"} drop\n'
        for k, item in enumerate(ITEMS))
    return aligned(f"""# ---------------------------------------------------------------------------------------------
# Region {i}: the northern frontier, sector {i % 64}. Spawns, the event stream and the drops.
# Tuned by the live-ops team after the balance review of week {i % 52 + 1}; raise
# ruleset_version with every change, and keep max_concurrent at least 2.5 × base_rate.
# ---------------------------------------------------------------------------------------------
spawn_config {{
  region         = "{name}"
  base_rate      = {rate} # spawns per minute at peak hours
  max_concurrent = {rate * 3} # 3 × base_rate leaves headroom for events
  cooldown_ms    = {6000 + (i % 7) * 500} # never below safety_bounds.min_cooldown_override
  loot_table     = "{table}"
}}

# The event stream of the same region: bounded, with exponential back-off.
event_stream {{
  region             = "{name}"
  max_len            = 5000 # events kept before the oldest is dropped
  max_in_flight      = 32
  backoff_multiplier = 2.0 # doubles each retry
  max_backoff_ms     = 8000 # at most eight seconds between retries
}}

/* Drops: weights are relative; the table need not sum to 100. */
loot_table "{table}" {{
{items}}}

""")


def aligned(text):
    """Lays trailing comments out as `rulesctl fmt` does, so `fmt --check` passes: within a
    block, each `#` one space after the longest commented line's code."""
    out, block = [], []

    def flush():
        width = max((len(line.split(" # ")[0]) for line in block if " # " in line), default=0)
        for line in block:
            code, sep, note = line.partition(" # ")
            out.append(f"{code.ljust(width)} # {note}" if sep else line)
        block.clear()

    for line in text.split("\n"):
        if line.startswith("  "):
            block.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


def one_file(out, size, commented):
    """rules/big.hcl: the header's blocks, then whole regions while they fit in `size` bytes."""
    os.makedirs(f"{out}/rules", exist_ok=True)
    with open(f"{out}/rulesctl.hcl", "w") as f:
        f.write(PROJECT.replace("inject =", "inject          ="))  # as `rulesctl fmt` lays it out
    parts, total, i = [HEADER, "\n"], len(HEADER) + 1, 0
    while True:
        # region()'s loot items line their braces up, which `rulesctl fmt` does not.
        text = commented_region(i) if commented else re.sub(r'" +\{', '" {', region(i)[0]) + "\n"
        if total + len(text.encode()) > size:
            break
        parts.append(text)
        total += len(text.encode())
        i += 1
    with open(f"{out}/rules/big.hcl", "w") as f:
        f.write("".join(parts).rstrip("\n") + "\n")
    with open(f"{out}/values.yaml", "w") as f:
        f.write(VALUES)


def main():
    if len(sys.argv) >= 4 and sys.argv[2] == "--one-file":
        one_file(sys.argv[1], int(sys.argv[3]), "--commented" in sys.argv[4:])
        return
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(f"{out}/rules", exist_ok=True)
    os.makedirs(f"{out}/environments", exist_ok=True)
    os.makedirs(f"{out}/json", exist_ok=True)
    with open(f"{out}/rulesctl.hcl", "w") as f:
        f.write(PROJECT)
    with open(f"{out}/rules/header.hcl", "w") as f:
        f.write(HEADER)
    for i in range(n):
        text, data = region(i)
        with open(f"{out}/rules/part_{i:05d}.hcl", "w") as f:
            f.write(text)
        with open(f"{out}/json/part_{i:05d}.json", "w") as f:
            json.dump(data, f, sort_keys=True)
    with open(f"{out}/values.yaml", "w") as f:
        f.write(VALUES)
    for env, replicas in [("dev", 1), ("staging", 2), ("prod", 12)]:
        with open(f"{out}/environments/{env}.yaml", "w") as f:
            f.write(ENV.format(replicas=replicas))


if __name__ == "__main__":
    main()
