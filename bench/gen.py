#!/usr/bin/env python3
"""Generates a rules repository for the benchmark, deterministically: N rule files of about
700 bytes (one spawn region, its event stream and its loot table each), a header file, a
values.yaml and three environments; plus each rule file as JSON, for the JSON Schema peers.

usage: gen.py DIR N
"""
import json
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


def main():
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
