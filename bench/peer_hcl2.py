#!/usr/bin/env python3
"""The python-hcl2 + jsonschema peer: load every rule file of a repository with python-hcl2 and
validate it against a JSON Schema of a rule file's shape, compiled once. usage: peer_hcl2.py DIR"""
import os
import sys

import hcl2
import jsonschema

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "ruleset_version": {"type": "string"},
        "spawn_config": {"type": "array"},
        "event_stream": {"type": "array"},
        "loot_table": {"type": "array"},
        "event_timers": {"type": "array"},
        "safety_bounds": {"type": "array"},
    },
}


def main():
    rules = os.path.join(sys.argv[1], "rules")
    validator = jsonschema.Draft202012Validator(SCHEMA)
    invalid = 0
    for name in sorted(os.listdir(rules)):
        with open(os.path.join(rules, name)) as f:
            data = hcl2.load(f)
        if not validator.is_valid(data):
            invalid += 1
    print(f"{invalid} invalid")


if __name__ == "__main__":
    main()
