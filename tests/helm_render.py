"""Render the example chart with the real Helm engine (helm-python-sdk), offline.

Usage: helm_render.py CHART VALUES_FILE RELEASE NAMESPACE
Reads VALUES_FILE with Helm's own YAML parser, validates it against the chart's
values.schema.json, renders every template, and prints the objects as JSON:
[{"kind": ..., "name": ..., "object": {...}}, ...]. Exits 1 with Helm's message on stderr when
validation or rendering fails.
"""
import json
import sys

import helm_python as helm
import yaml


def main(chart_dir, values_file, release, namespace):
    with open(values_file, encoding="utf-8") as f:
        values = helm.values_from_yaml(f.read())
    with helm.Chart.load(chart_dir) as chart:
        try:
            chart.validate_schema(values)
            manifests = chart.render(values, name=release, namespace=namespace)
        except helm.HelmError as err:
            print(err, file=sys.stderr)
            return 1
    objects = []
    for path in sorted(manifests):
        for obj in yaml.safe_load_all(manifests[path]):
            if obj:
                objects.append({"kind": obj["kind"], "name": obj["metadata"]["name"], "object": obj})
    print(json.dumps(objects, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
