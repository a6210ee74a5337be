"""A `helm` command for tests, backed by the real Helm engine in helm-python-sdk.

Implements `helm template NAME CHART [--namespace NS] [--values FILE]...`, printing the
manifests as one YAML stream, as `helm template` does. Exits 1 with Helm's message otherwise.
"""
import sys

import helm_python as helm


def main(argv):
    if len(argv) < 3 or argv[0] != "template":
        print("helm-shim: only `helm template NAME CHART` is implemented", file=sys.stderr)
        return 2
    name, chart_dir, rest = argv[1], argv[2], argv[3:]
    namespace, values = "default", {}
    i = 0
    while i < len(rest):
        flag = rest[i]
        if flag in ("--namespace", "-n"):
            namespace = rest[i + 1]
        elif flag in ("--values", "-f"):
            with open(rest[i + 1], encoding="utf-8") as f:
                values.update(helm.values_from_yaml(f.read()))
        else:
            print(f"helm-shim: unknown flag {flag}", file=sys.stderr)
            return 2
        i += 2
    try:
        with helm.Chart.load(chart_dir) as chart:
            chart.validate_schema(values)
            manifests = chart.render(values, name=name, namespace=namespace)
    except helm.HelmError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    for path in sorted(manifests):
        print(f"---\n# Source: {path}\n{manifests[path].strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
