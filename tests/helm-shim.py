"""A `helm` command for tests, backed by the real Helm engine in helm-python-sdk.

Implements `helm template NAME CHART [--namespace NS] [--values FILE]...`, printing the
manifests as one YAML stream, as `helm template` does. Exits 1 with Helm's message otherwise.

And `helm dependency build --skip-refresh CHART` as it behaves on a repo server with no network:
each local (`file://`) dependency not yet in charts/ is packaged there as
`<name>-<version>.tgz`; any other missing dependency would need a download and fails, as does
a build without `--skip-refresh` (it would refresh every repository first).
"""
import io
import os
import sys
import tarfile

import helm_python as helm
import yaml


def vendored(charts, name):
    if os.path.isfile(os.path.join(charts, name, "Chart.yaml")):
        return True
    if not os.path.isdir(charts):
        return False
    return any(f.startswith(name + "-") and f.endswith(".tgz") for f in os.listdir(charts))


def dependency_build(argv):
    if "--skip-refresh" not in argv:
        print("helm-shim: no network here: `helm dependency build` without --skip-refresh refreshes repositories", file=sys.stderr)
        return 1
    chart_dir = [a for a in argv if not a.startswith("-")][0]
    with open(os.path.join(chart_dir, "Chart.yaml"), encoding="utf-8") as f:
        chart = yaml.safe_load(f)
    charts = os.path.join(chart_dir, "charts")
    for dep in chart.get("dependencies") or []:
        name, repository = dep["name"], dep.get("repository", "")
        if repository.startswith("file://"):
            source = os.path.normpath(os.path.join(chart_dir, repository[len("file://"):]))
            with open(os.path.join(source, "Chart.yaml"), encoding="utf-8") as f:
                version = yaml.safe_load(f)["version"]
            os.makedirs(charts, exist_ok=True)
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                tar.add(source, arcname=name)
            with open(os.path.join(charts, f"{name}-{version}.tgz"), "wb") as f:
                f.write(buffer.getvalue())
            print(f"Saving {name} from {repository}")
        elif not vendored(charts, name):
            print(f"Error: no network: cannot download {name} from {repository}", file=sys.stderr)
            return 1
        else:
            print(f"Error: no network: `helm dependency build` downloads {name} from {repository} again", file=sys.stderr)
            return 1
    return 0


def main(argv):
    if argv[:2] == ["dependency", "build"]:
        return dependency_build(argv[2:])
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
