import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources

/// One workload, trait or scope definition as `mizzen catalog` shows it: what it is, what it
/// applies to, the fields of its kind (from the CRD's openAPIV3Schema) and an example of its use.
struct CatalogEntry: Sendable {
    enum Role: String, Sendable, CaseIterable {
        case workload
        case trait
        case scope
    }

    /// One field of the kind's `spec`, flattened (`spec.containers[].image`).
    struct Field: Sendable {
        var path: String
        var type: String
        var required: Bool
        var description: String
    }

    /// Where the schema came from.
    enum SchemaSource: String, Sendable {
        /// The server's CustomResourceDefinition.
        case server
        /// The CRD Mizzen ships for a built-in kind (no server to ask).
        case builtin
        /// No schema: `schemaNote` says why.
        case none
    }

    var role: Role
    var definition: Resource
    /// One of Mizzen's built-in definitions (spec §2.9).
    var builtin: Bool
    /// Read from the server.
    var installed: Bool
    /// The kind the definition's `definitionRef` names, when it could be told.
    var kind: GroupVersionKind?
    var schemaSource: SchemaSource = .none
    var schemaNote: String
    var fields: [Field] = []
    /// The `spec` schema, for the example.
    var specSchema: JSONValue?

    var name: String { definition.name }
    var definitionRef: String { definition.spec?["definitionRef"]?["name"]?.stringValue ?? name }
    var source: String { builtin ? "built-in" : "installed" }

    /// What the definition applies to: a trait's `appliesToWorkloads` (any workload when empty).
    var appliesTo: [String] {
        switch role {
        case .trait: (definition.spec?["appliesToWorkloads"]?.arrayValue ?? []).compactMap(\.stringValue)
        case .workload, .scope: []
        }
    }

    var appliesToText: String {
        switch role {
        case .trait: appliesTo.isEmpty ? "any workload" : appliesTo.joined(separator: ",")
        case .workload: "components"
        case .scope: "any component"
        }
    }

    /// The entry of Mizzen's catalog (``OAM/StandardCatalog``) of this name: its own summary and example.
    var standardEntry: StandardCatalogEntry? {
        StandardCatalog.entries.first { $0.definition.name == name }
    }

    /// One line on what a catalog entry produces; `nil` for other definitions.
    var summary: String? { standardEntry?.summary }

    // MARK: Example

    /// A minimal use of the definition: a Component for a workload, a trait entry of an
    /// AppConfig component for a trait, the scope object and a scopes entry for a scope —
    /// or, for an entry of Mizzen's catalog, the example it ships.
    var example: String {
        if let shipped = standardEntry?.example { return shipped }
        let kindName = kind?.kind ?? "<Kind of \(definitionRef)>"
        let apiVersion = kind?.apiVersion ?? "<group/version>"
        var spec = specSchema.map { Self.minimal($0, name: "spec") } ?? .emptyObject
        let lower = (kind?.kind ?? "object").lowercased()
        switch role {
        case .workload:
            let body: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kindName), "spec": spec]
            let component: JSONValue = [
                "apiVersion": .string(OAM.apiVersion), "kind": "Component", "metadata": ["name": .string("my-\(lower)")],
                "spec": ["workload": body],
            ]
            return "# a Component whose workload is a \(kindName)\(specSchema == nil ? " (fill in its spec)" : "")\n"
                + component.yamlString()
        case .trait:
            // The runtime writes the workload reference itself.
            if let path = definition.spec?["workloadRefPath"]?.stringValue, path.hasPrefix("spec.") {
                var members = spec.objectValue ?? [:]
                members.removeValue(forKey: String(path.dropFirst(5)))
                spec = .object(members)
            }
            let trait: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kindName), "spec": spec]
            return "# an entry of an ApplicationConfiguration's spec.components[].traits\n"
                + JSONValue.array([["trait": trait]]).yamlString()
        case .scope:
            if let path = definition.spec?["workloadRefsPath"]?.stringValue, path.hasPrefix("spec.") {
                var members = spec.objectValue ?? [:]
                members[String(path.dropFirst(5))] = .array([])
                spec = .object(members)
            }
            let scope: JSONValue = [
                "apiVersion": .string(apiVersion), "kind": .string(kindName), "metadata": ["name": .string("my-\(lower)")],
                "spec": spec,
            ]
            let entry: JSONValue = [[
                "scopeRef": ["apiVersion": .string(apiVersion), "kind": .string(kindName), "name": .string("my-\(lower)")],
            ]]
            return "# the scope object (the runtime fills in its workloads)\n" + scope.yamlString()
                + "---\n# an entry of an ApplicationConfiguration's spec.components[].scopes\n" + entry.yamlString()
        }
    }

    /// The smallest value `schema` accepts: required fields only, placeholders for strings.
    static func minimal(_ schema: JSONValue, name: String) -> JSONValue {
        if let values = schema["enum"]?.arrayValue, let first = values.first { return first }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return .string("<\(name)>") }
        switch schema["type"]?.stringValue {
        case "object":
            var members: JSONObject = [:]
            let properties = schema["properties"]?.objectValue ?? [:]
            for required in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) {
                members[required] = properties[required].map { minimal($0, name: required) } ?? .string("<\(required)>")
            }
            return .object(members)
        case "array":
            return .array([schema["items"].map { minimal($0, name: name) } ?? .null])
        case "integer", "number": return 1
        case "boolean": return false
        default: return .string("<\(name)>")
        }
    }

    // MARK: Schema

    /// The fields of `spec` down to `depth` levels, in schema order.
    static func fields(of spec: JSONValue, depth: Int = 3) -> [Field] {
        var fields: [Field] = []
        func walk(_ schema: JSONValue, path: String, level: Int) {
            var node = schema
            var prefix = path
            while node["type"]?.stringValue == "array", let items = node["items"] {
                node = items
                prefix += "[]"
            }
            guard level < depth, let properties = node["properties"]?.objectValue else { return }
            let required = Set((node["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            for (name, child) in properties {
                let childPath = "\(prefix).\(name)"
                fields.append(Field(
                    path: childPath, type: typeName(child), required: required.contains(name),
                    description: child["description"]?.stringValue ?? ""))
                walk(child, path: childPath, level: level + 1)
            }
        }
        walk(spec, path: "spec", level: 0)
        return fields
    }

    static func typeName(_ schema: JSONValue) -> String {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return "int-or-string" }
        if schema["x-kubernetes-embedded-resource"]?.boolValue == true { return "object (a Kubernetes object)" }
        switch schema["type"]?.stringValue {
        case "array"?: return "[]" + (schema["items"].map(typeName) ?? "any")
        case "object"?:
            if schema["properties"] == nil, schema["additionalProperties"]?["type"]?.stringValue == "string" { return "map[string]string" }
            if schema["properties"] == nil, schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return "object (any fields)" }
            return "object"
        case let type?: return type
        case nil: return "any"
        }
    }

    /// The entry as `-o json` and `-o yaml` print it.
    var json: JSONValue {
        var members: JSONObject = [
            "name": .string(name), "type": .string(role.rawValue), "definitionRef": .string(definitionRef),
            "source": .string(source), "installed": .bool(installed),
        ]
        if let kind { members["apiVersion"] = .string(kind.apiVersion); members["kind"] = .string(kind.kind) }
        let spec = definition.spec
        switch role {
        case .workload:
            members["childResourceKinds"] = spec?["childResourceKinds"] ?? .array([])
            if let label = spec?["revisionLabel"] { members["revisionLabel"] = label }
            if let path = spec?["podSpecPath"] { members["podSpecPath"] = path }
        case .trait:
            members["appliesToWorkloads"] = .array(appliesTo.map(JSONValue.string))
            members["revisionEnabled"] = .bool(spec?["revisionEnabled"]?.boolValue ?? false)
            if let path = spec?["workloadRefPath"] { members["workloadRefPath"] = path }
        case .scope:
            members["allowComponentOverlap"] = .bool(spec?["allowComponentOverlap"]?.boolValue ?? false)
            if let path = spec?["workloadRefsPath"] { members["workloadRefsPath"] = path }
        }
        members["schema"] = [
            "source": .string(schemaSource.rawValue), "note": .string(schemaNote),
            "fields": .array(fields.map { field in
                [
                    "path": .string(field.path), "type": .string(field.type), "required": .bool(field.required),
                    "description": .string(field.description),
                ]
            }),
        ]
        if let summary { members["summary"] = .string(summary) }
        members["example"] = .string(example)
        return .object(members)
    }
}

/// Builds the catalog's entries: from the server's definitions and CRDs, or, with no server,
/// from the built-in definitions and the CRDs Mizzen ships.
enum CatalogReader {
    static func role(of definition: Resource) -> CatalogEntry.Role? {
        switch definition.kind {
        case WorkloadDefinition.kind: .workload
        case TraitDefinition.kind: .trait
        case ScopeDefinition.kind: .scope
        default: nil
        }
    }

    /// The built-in definitions with the schemas of Mizzen's own CRDs.
    static func builtins() -> [CatalogEntry] {
        let crds = Dictionary(OAMCustomResourceDefinitions.all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return sorted(BuiltinDefinitions.all.compactMap { definition in
            guard let role = role(of: definition) else { return nil }
            var entry = CatalogEntry(role: role, definition: definition, builtin: true, installed: false, schemaNote: "")
            let reference = entry.definitionRef
            if let crd = crds[reference] {
                apply(crd: crd, to: &entry)
                entry.schemaSource = .builtin
                entry.schemaNote = "from the CustomResourceDefinition \(reference) that Mizzen ships"
            } else {
                // A kind the API server has built in (deployments.apps, jobs.batch): its v1 kind.
                let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
                if parts.count == 2, let kind = KindMapper().kind(group: parts[1], plural: parts[0]) {
                    entry.kind = GroupVersionKind(group: parts[1], version: "v1", kind: kind)
                }
                entry.schemaNote = "Mizzen ships no CustomResourceDefinition \(reference)"
            }
            return entry
        })
    }

    /// Every definition on the server, and the built-in ones it lacks.
    static func read(client: KubernetesClient) async throws -> [CatalogEntry] {
        var definitions: [Resource] = []
        for kind in [OAMKinds.workloadDefinition, OAMKinds.traitDefinition, OAMKinds.scopeDefinition] {
            do {
                definitions += try await client.listAll(kind).items
            } catch let error as ClientError where error.kind == .noMatch {
                continue  // the OAM CRDs are not installed
            }
        }
        let builtinNames = Set(BuiltinDefinitions.all.map(\.name))
        let installedNames = Set(definitions.map(\.name))
        var entries: [CatalogEntry] = []
        var mappings: [RESTMapping]?
        for (definition, installed) in definitions.map({ ($0, true) })
            + BuiltinDefinitions.all.filter({ !installedNames.contains($0.name) }).map({ ($0, false) })
        {
            guard let role = role(of: definition) else { continue }
            var entry = CatalogEntry(
                role: role, definition: definition, builtin: builtinNames.contains(definition.name), installed: installed,
                schemaNote: "")
            let reference = entry.definitionRef
            if let crd = try? await client.get(OAMKinds.customResourceDefinition, name: reference) {
                apply(crd: crd, to: &entry)
                entry.schemaSource = entry.specSchema == nil ? .none : .server
                entry.schemaNote = entry.specSchema == nil
                    ? "the CustomResourceDefinition \(reference) has no openAPIV3Schema for spec"
                    : "from the CustomResourceDefinition \(reference)"
            } else {
                // A kind the server has built in (deployments.apps): no CRD, so no schema to read.
                if mappings == nil { mappings = (try? await client.mapper.refreshAll()) ?? [] }
                let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
                let group = parts.count == 2 ? parts[1] : ""
                let served = mappings?.first {
                    $0.groupVersionResource.resource == parts[0]
                        && ($0.groupVersionKind.group == group || (group.isEmpty && $0.groupVersionKind.group.isEmpty))
                }
                entry.kind = served?.groupVersionKind
                entry.schemaNote = served == nil
                    ? "the server has no CustomResourceDefinition \(reference) and serves no such resource"
                    : "the server has no CustomResourceDefinition \(reference) (a kind it has built in), so no schema is shown"
            }
            entries.append(entry)
        }
        return sorted(entries)
    }

    /// Kind, version and `spec` schema from `crd`.
    static func apply(crd: Resource, to entry: inout CatalogEntry) {
        let spec = crd.spec
        let versions = spec?["versions"]?.arrayValue ?? []
        let version = versions.first { $0["storage"]?.boolValue == true } ?? versions.first
        if let group = spec?["group"]?.stringValue, let kind = spec?["names"]?["kind"]?.stringValue,
            let name = version?["name"]?.stringValue
        {
            entry.kind = GroupVersionKind(group: group, version: name, kind: kind)
        }
        if let schema = version?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"] {
            entry.specSchema = schema
            entry.fields = CatalogEntry.fields(of: schema)
        }
    }

    /// Workloads, then traits, then scopes; by name within each.
    static func sorted(_ entries: [CatalogEntry]) -> [CatalogEntry] {
        let order = Dictionary(uniqueKeysWithValues: CatalogEntry.Role.allCases.enumerated().map { ($1, $0) })
        return entries.sorted { (order[$0.role] ?? 0, $0.name) < (order[$1.role] ?? 0, $1.name) }
    }

    /// The entry `name` names: a definition's name, its definitionRef, or its kind.
    static func find(_ name: String, in entries: [CatalogEntry]) -> CatalogEntry? {
        let lowered = name.lowercased()
        return entries.first { $0.name.lowercased() == lowered }
            ?? entries.first { $0.definitionRef.lowercased() == lowered }
            ?? entries.first { $0.kind?.kind.lowercased() == lowered }
            ?? entries.first { $0.definitionRef.lowercased().hasPrefix(lowered + ".") }
    }
}
