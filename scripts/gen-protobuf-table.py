#!/usr/bin/env python3
"""Writes Sources/BuiltinKinds/Protobuf/ProtobufMessages+Generated.swift.

Reads the Go API types of Kubernetes (the `types.go` files and their siblings under
`staging/src/k8s.io/{api,apimachinery,apiextensions-apiserver}`) and writes, for every struct
that has protobuf tags, its fields as one compact line each: field number, JSON name, flags
(pointer, omitempty, omitzero, repeated, inline) and type (a scalar code, a map, or a message).
The Swift side (`ProtobufSchema`) parses that text once, on first use.

Usage:
    KUBE_VERSION=v1.36.2 scripts/gen-protobuf-table.py [KUBERNETES_SOURCE_DIR]

KUBERNETES_SOURCE_DIR defaults to the real kube-apiserver kit's source snapshot,
/work/realk8s/src/deps/github.com/openshift/kubernetes.

Table format (one item a line):
    P <package> <apiVersion>          a package; its kinds are served as <apiVersion>
    M <Name> [flags]                  a message; K = a kind (inlines TypeMeta),
                                      W = its JSON is its one field's value (a named slice),
                                      X = a special type the codec handles by name
    <num> <json> <flags> <type>       a field; json "_" when inline; flags from
                                      p (pointer), o (omitempty), z (omitzero), r (repeated),
                                      i (inline), or "-"; type: s string, b bool, i int32,
                                      l int64, u uint32, U uint64, d float64, y bytes,
                                      Name (a message of this package), pkg/x.Name (of another),
                                      map:K:V (a map; key 1 and value 2 of each entry).
"""

import os
import re
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/work/realk8s/src/deps/github.com/openshift/kubernetes"
STAGING = os.path.join(SOURCE, "staging/src/k8s.io")
OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..",
    "Sources/BuiltinKinds/Protobuf/ProtobufMessages+Generated.swift")

# Go import path → (our package key, apiVersion its kinds are served as).
PACKAGES = [
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "meta/v1", "meta.k8s.io/v1"),
    ("k8s.io/apimachinery/pkg/runtime", "pkg/runtime", "-"),
    ("k8s.io/apimachinery/pkg/util/intstr", "util/intstr", "-"),
    ("k8s.io/apimachinery/pkg/api/resource", "api/resource", "-"),
    ("k8s.io/api/core/v1", "core/v1", "v1"),
    ("k8s.io/api/apps/v1", "apps/v1", "apps/v1"),
    ("k8s.io/api/batch/v1", "batch/v1", "batch/v1"),
    ("k8s.io/api/autoscaling/v1", "autoscaling/v1", "autoscaling/v1"),
    ("k8s.io/api/autoscaling/v2", "autoscaling/v2", "autoscaling/v2"),
    ("k8s.io/api/policy/v1", "policy/v1", "policy/v1"),
    ("k8s.io/api/networking/v1", "networking/v1", "networking.k8s.io/v1"),
    ("k8s.io/api/rbac/v1", "rbac/v1", "rbac.authorization.k8s.io/v1"),
    ("k8s.io/api/scheduling/v1", "scheduling/v1", "scheduling.k8s.io/v1"),
    ("k8s.io/api/discovery/v1", "discovery/v1", "discovery.k8s.io/v1"),
    ("k8s.io/api/events/v1", "events/v1", "events.k8s.io/v1"),
    ("k8s.io/api/coordination/v1", "coordination/v1", "coordination.k8s.io/v1"),
    ("k8s.io/api/admissionregistration/v1", "admissionregistration/v1", "admissionregistration.k8s.io/v1"),
    ("k8s.io/api/authentication/v1", "authentication/v1", "authentication.k8s.io/v1"),
    ("k8s.io/api/authorization/v1", "authorization/v1", "authorization.k8s.io/v1"),
    ("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1", "apiextensions/v1", "apiextensions.k8s.io/v1"),
]
KEY_OF_IMPORT = {path: key for path, key, _ in PACKAGES}

# Types whose wire form is not their Go struct (or that have custom JSON): the codec handles
# them by name. Their wire fields are given here.
SPECIAL = {
    "meta/v1.Time": [(1, "seconds", "-", "l"), (2, "nanos", "-", "i")],
    "meta/v1.MicroTime": [(1, "seconds", "-", "l"), (2, "nanos", "-", "i")],
    "meta/v1.Duration": [(1, "duration", "-", "l")],
    "meta/v1.FieldsV1": [(1, "Raw", "-", "y")],
    "api/resource.Quantity": [(1, "string", "-", "s")],
    "util/intstr.IntOrString": [(1, "type", "-", "l"), (2, "intVal", "-", "i"), (3, "strVal", "-", "s")],
    "pkg/runtime.RawExtension": [(1, "raw", "-", "y")],
    "pkg/runtime.Unknown": [(1, "typeMeta", "-", "TypeMeta"), (2, "raw", "-", "y"),
                            (3, "contentEncoding", "-", "s"), (4, "contentType", "-", "s")],
    "apiextensions/v1.JSON": [(1, "raw", "-", "y")],
    "apiextensions/v1.JSONSchemaPropsOrArray": [(1, "schema", "p", "JSONSchemaProps"),
                                                (2, "jSONSchemas", "r", "JSONSchemaProps")],
    "apiextensions/v1.JSONSchemaPropsOrBool": [(1, "allows", "-", "b"), (2, "schema", "p", "JSONSchemaProps")],
    "apiextensions/v1.JSONSchemaPropsOrStringArray": [(1, "schema", "p", "JSONSchemaProps"),
                                                      (2, "property", "r", "s")],
}

# Kinds registered without inlining TypeMeta.
EXTRA_KINDS = {"meta/v1.WatchEvent"}

SCALARS = {
    "string": "s", "bool": "b", "int32": "i", "int64": "l", "int": "l", "uint32": "u",
    "uint64": "U", "float64": "d", "[]byte": "y", "byte": "u", "time.Duration": "l",
}

STRUCT_RE = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*$")
EMPTY_STRUCT_RE = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*\}")
TYPE_RE = re.compile(r"^type\s+(\w+)\s+(=\s*)?([^\s{][^{]*?)\s*(//.*)?$")
FIELD_RE = re.compile(r"^\s*(?:(\w+)\s+)?([\w.\[\]*]+(?:\[[\w.\[\]*]+\][\w.\[\]*]+)?)\s+`([^`]*)`")
IMPORT_RE = re.compile(r'^\s*(?:(\w+)\s+)?"([^"]+)"')


def import_path_dir(path):
    """The directory of a Go import path inside the staging tree."""
    assert path.startswith("k8s.io/")
    rest = path[len("k8s.io/"):]
    return os.path.join(STAGING, rest)


def read_package(import_path):
    """Structs (name → (fields, file imports)) and named types (name → underlying, imports)."""
    directory = import_path_dir(import_path)
    structs, named = {}, {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".go") or name.endswith("_test.go") or name.startswith("zz_generated"):
            continue
        if name in ("generated.pb.go", "fieldsv1_string.go"):
            continue
        with open(os.path.join(directory, name)) as handle:
            lines = handle.read().split("\n")
        imports = {}
        in_imports = False
        current, fields = None, None
        for line in lines:
            if line.startswith("import ("):
                in_imports = True
                continue
            if in_imports:
                if line.startswith(")"):
                    in_imports = False
                    continue
                match = IMPORT_RE.match(line)
                if match:
                    alias = match.group(1) or match.group(2).rsplit("/", 1)[-1]
                    imports[alias] = match.group(2)
                continue
            if line.startswith("import "):
                match = IMPORT_RE.match(line[len("import "):])
                if match:
                    imports[match.group(1) or match.group(2).rsplit("/", 1)[-1]] = match.group(2)
                continue
            if current is None:
                match = EMPTY_STRUCT_RE.match(line)
                if match:
                    structs.setdefault(match.group(1), ([], imports))
                    continue
                match = STRUCT_RE.match(line)
                if match:
                    current, fields = match.group(1), []
                    continue
                match = TYPE_RE.match(line)
                if match and not match.group(3).startswith("interface") and "(" not in match.group(3):
                    named.setdefault(match.group(1), (match.group(3).strip(), imports))
                continue
            if line.startswith("}"):
                if current not in structs:
                    structs[current] = (fields, imports)
                current = None
                continue
            stripped = line.strip()
            if stripped.startswith("//") or not stripped:
                continue
            match = FIELD_RE.match(line)
            if match:
                fields.append((match.group(1), match.group(2), match.group(3)))
    return structs, named


def tag_value(tags, key):
    match = re.search(r'(?:^|\s)' + re.escape(key) + r':"([^"]*)"', tags)
    return match.group(1) if match else None


def main():
    packages = {}
    for import_path, key, api_version in PACKAGES:
        structs, named = read_package(import_path)
        packages[key] = (import_path, api_version, structs, named)

    def resolve(go_type, package_key, imports):
        """A Go type → (kind, detail): ("scalar", code), ("message", full name),
        ("slice", element), ("map", (key, value)), ("pointer", element)."""
        if go_type in SCALARS:
            return ("scalar", SCALARS[go_type])
        if go_type.startswith("*"):
            return ("pointer", resolve(go_type[1:], package_key, imports))
        if go_type.startswith("[]"):
            return ("slice", resolve(go_type[2:], package_key, imports))
        if go_type.startswith("map["):
            depth, index = 0, 3
            for index in range(3, len(go_type)):
                if go_type[index] == "[":
                    depth += 1
                elif go_type[index] == "]":
                    depth -= 1
                    if depth == 0:
                        break
            key_type, value_type = go_type[4:index], go_type[index + 1:]
            return ("map", (resolve(key_type, package_key, imports), resolve(value_type, package_key, imports)))
        if "." in go_type:
            alias, name = go_type.split(".", 1)
            import_path = imports.get(alias)
            if import_path == "time" and name == "Duration":
                return ("scalar", "l")
            if import_path == "k8s.io/apimachinery/pkg/types":
                return ("scalar", "s")  # UID, NamespacedName parts, NodeName
            if import_path not in KEY_OF_IMPORT:
                raise SystemExit(f"unknown package {import_path} for {go_type} in {package_key}")
            return resolve(name, KEY_OF_IMPORT[import_path], packages[KEY_OF_IMPORT[import_path]][2][name][1]
                           if name in packages[KEY_OF_IMPORT[import_path]][2] else
                           packages[KEY_OF_IMPORT[import_path]][3].get(name, (None, {}))[1])
        full = f"{package_key}.{go_type}"
        structs, named = packages[package_key][2], packages[package_key][3]
        if full in SPECIAL or go_type in structs:
            return ("message", full)
        if go_type in named:
            underlying, named_imports = named[go_type]
            underlying = underlying.lstrip("= ").strip()
            resolved = resolve(underlying, package_key, named_imports)
            if resolved[0] == "slice" and resolved[1] != ("scalar", "u"):
                return ("namedslice", (full, resolved))
            return resolved
        raise SystemExit(f"cannot resolve Go type {go_type} in {package_key}")

    needed = {}  # full name of a wrapper message → its element type

    def ref(full, package_key):
        pkg, name = full.rsplit(".", 1)
        return name if pkg == package_key else full

    def type_code(resolved, package_key):
        kind, detail = resolved
        if kind == "scalar":
            return detail
        if kind == "message":
            return ref(detail, package_key)
        if kind == "namedslice":
            full, element = detail
            needed[full] = element
            return ref(full, package_key)
        if kind == "map":
            key, value = detail
            return f"map:{type_code(key, package_key)}:{type_code(value, package_key)}"
        if kind == "pointer":
            return type_code(detail, package_key)
        raise SystemExit(f"no type code for {resolved}")

    out = []
    message_count = field_count = 0
    for _, package_key, api_version in PACKAGES:
        _, _, structs, named = packages[package_key]
        out.append(f"P {package_key} {api_version}")
        for name in sorted(structs):
            full = f"{package_key}.{name}"
            fields, imports = structs[name]
            if full in SPECIAL:
                out.append(f"M {name} X")
                for number, json_name, flags, code in SPECIAL[full]:
                    out.append(f"{number} {json_name} {flags} {code}")
                    field_count += 1
                message_count += 1
                continue
            lines, is_kind = [], False
            for field_name, go_type, tags in fields:
                json_tag = tag_value(tags, "json")
                proto_tag = tag_value(tags, "protobuf")
                if field_name is None and go_type.endswith("TypeMeta") and (json_tag or "").startswith(",inline"):
                    is_kind = True
                if proto_tag is None or proto_tag == "-":
                    continue
                parts = proto_tag.split(",")
                number = int(parts[1])
                flags = ""
                json_parts = (json_tag or "").split(",")
                json_name = json_parts[0]
                options = set(json_parts[1:])
                if json_tag == "-":
                    json_name = "-"
                if "inline" in options:
                    flags += "i"
                    json_name = "_"
                elif not json_name:
                    json_name = field_name or go_type.rsplit(".", 1)[-1]
                if "omitempty" in options:
                    flags += "o"
                if "omitzero" in options:
                    flags += "z"
                resolved = resolve(go_type, package_key, imports)
                if resolved[0] == "pointer":
                    flags += "p"
                    resolved = resolved[1]
                if resolved[0] == "namedslice" and parts[2] == "rep":
                    resolved = resolved[1][1][1]
                    flags += "r"
                elif resolved[0] == "slice":
                    resolved = resolved[1]
                    if resolved[0] == "slice":  # [][]T: not in the served kinds
                        raise SystemExit(f"nested slice in {full}.{field_name}")
                    flags += "r"
                lines.append(f"{number} {json_name} {flags or '-'} {type_code(resolved, package_key)}")
            if not lines and fields:
                continue
            is_kind = is_kind or full in EXTRA_KINDS
            out.append(f"M {name}{' K' if is_kind else ''}")
            out.extend(lines)
            message_count += 1
            field_count += len(lines)
        for full in sorted(k for k in needed if k.startswith(package_key + ".")):
            name = full.rsplit(".", 1)[1]
            if name in structs:
                continue
            out.append(f"M {name} W")
            out.append(f"1 items r {type_code(needed[full][1], package_key)}")
            message_count += 1
            field_count += 1
        needed = {k: v for k, v in needed.items() if not k.startswith(package_key + ".")}
    # A wrapper message must be written with its own package.
    if needed:
        raise SystemExit(f"wrapper messages referenced after their package was written: {sorted(needed)}")

    # The kit's kube-apiserver reports its version (`kubectl version`); the source tree does not.
    version = os.environ.get("KUBE_VERSION", "the kit's source snapshot")

    text = "\n".join(out)
    assert '"""' not in text and "\\" not in text
    swift = f'''// GENERATED FILE — do not edit. Written by scripts/gen-protobuf-table.py from the Go API types
// (types.go and siblings) of Kubernetes ({version}) under staging/src/k8s.io/{{api,apimachinery,
// apiextensions-apiserver}}: {message_count} messages, {field_count} fields. Run the script again
// to regenerate it. The format is described in the script and parsed by `ProtobufSchema`.

extension ProtobufSchema {{
    /// The field table of every protobuf message of the built-in kinds (see the generator).
    static let generatedTable = """
{text}
"""
}}
'''
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as handle:
        handle.write(swift)
    print(f"wrote {os.path.normpath(OUTPUT)}: {message_count} messages, {field_count} fields")


if __name__ == "__main__":
    main()
