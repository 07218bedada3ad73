#!/usr/bin/env python3
"""Writes Sources/BuiltinKinds/Schemas/builtin-openapi.json: the union of the `components.schemas`
of the upstream Kubernetes OpenAPI v3 documents of the group-versions the embedded plane serves
(and those the workload-kinds issue adds), minified, descriptions kept for `kubectl explain`.

Usage: scripts/gen-builtin-openapi.py [OPENAPI_V3_DIR | --server KUBECONFIG]
  OPENAPI_V3_DIR defaults to the kube-apiserver kit's source snapshot:
  /work/realk8s/src/deps/github.com/openshift/kubernetes/api/openapi-spec/v3
  --server reads the same documents as a running kube-apiserver serves them
  (`kubectl get --raw /openapi/v3/<group-version>`); they also carry the `enum`s
  (and "Possible enum values" descriptions) that `kubectl explain` prints, which
  the committed spec files lack.
"""
import json
import os
import subprocess
import sys

GROUP_VERSIONS = [
    "api/v1",
    "apis/apps/v1",
    "apis/batch/v1",
    "apis/autoscaling/v1",
    "apis/autoscaling/v2",
    "apis/policy/v1",
    "apis/networking.k8s.io/v1",
    "apis/rbac.authorization.k8s.io/v1",
    "apis/scheduling.k8s.io/v1",
    "apis/discovery.k8s.io/v1",
    "apis/events.k8s.io/v1",
    "apis/coordination.k8s.io/v1",
    "apis/admissionregistration.k8s.io/v1",
    "apis/authentication.k8s.io/v1",
    "apis/authorization.k8s.io/v1",
    "apis/apiextensions.k8s.io/v1",
]


GVK = "x-kubernetes-group-version-kind"


def merged(name: str, old: dict, new: dict) -> dict:
    """The same schema seen in two documents: they may differ only in the group-versions that
    serve it (meta/v1 options types are listed in every group)."""
    if {k: v for k, v in old.items() if k != GVK} != {k: v for k, v in new.items() if k != GVK}:
        sys.exit(f"{name} differs between documents")
    if GVK in old or GVK in new:
        kinds = list(old.get(GVK, []))
        kinds += [kind for kind in new.get(GVK, []) if kind not in kinds]
        return {**old, GVK: kinds}
    return old


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    server = None
    source = "/work/realk8s/src/deps/github.com/openshift/kubernetes/api/openapi-spec/v3"
    if len(sys.argv) > 2 and sys.argv[1] == "--server":
        server = sys.argv[2]
    elif len(sys.argv) > 1:
        source = sys.argv[1]
    schemas = {}
    for group_version in GROUP_VERSIONS:
        if server:
            text = subprocess.run(["kubectl", "--kubeconfig", server, "get", "--raw", "/openapi/v3/" + group_version],
                                  check=True, capture_output=True, text=True).stdout
            document = json.loads(text)
        else:
            path = os.path.join(source, group_version.replace("/", "__") + "_openapi.json")
            with open(path, encoding="utf-8") as file:
                document = json.load(file)
        for name, schema in document["components"]["schemas"].items():
            if name in schemas:
                schema = merged(name, schemas[name], schema)
            schemas[name] = schema
    out = os.path.join(here, "..", "Sources", "BuiltinKinds", "Schemas", "builtin-openapi.json")
    with open(out, "w", encoding="utf-8") as file:
        json.dump({"schemas": dict(sorted(schemas.items()))}, file, separators=(",", ":"),
                  ensure_ascii=False, sort_keys=True)
        file.write("\n")
    print(f"{len(schemas)} schemas → {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
