import OrderedCollections
public import Resources

/// An object read from a file, with where it came from.
public struct Manifest: Sendable {
    public var resource: Resource
    /// The document it was read from (for source positions).
    public var document: Document
    /// Where the object is inside the document (non-empty for items of a `kind: List`).
    public var pathInDocument: FieldPath

    /// Where `path` of this object is in its file.
    public func location(of path: FieldPath?) -> SourceLocation {
        document.sourceMap.location(of: pathInDocument.appending(path ?? .root)) ?? document.location
    }
}

/// The objects of a set of files, and what can be made of them without a cluster: a
/// ``Catalog`` as a fresh cluster would hold it, validation with file positions, renders.
public struct ManifestSet: Sendable {
    public private(set) var manifests: [Manifest] = []
    /// Problems found while reading objects out of the documents (not objects, duplicates).
    public private(set) var diagnostics: [Diagnostic] = []
    /// The catalog a fresh cluster would hold after these objects were applied: the built-in
    /// definitions, every definition, component and ControllerRevision given, every Component
    /// at revision 1 (`<name>-v1`) unless it says otherwise, and every other object as existing.
    public private(set) var catalog = Catalog()
    /// Each Component manifest decoded (by position in `manifests`), as read, for validation.
    private var decodedComponents: [Int: Result<Component, JSONValueDecodingError>] = [:]

    /// The kinds that live outside namespaces, as a fresh cluster has them.
    public static let clusterScopedKinds: Set<String> = [
        WorkloadDefinition.kind, TraitDefinition.kind, ScopeDefinition.kind, "Namespace", "CustomResourceDefinition",
        "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
    ]

    /// Reads the objects of `documents`; a `kind: List` contributes its items.
    public init(documents: [Document]) {
        var seen: [ObjectName: SourceLocation] = [:]
        for document in documents {
            switch document.value {
            case .null:
                continue
            case .object(let members):
                if members["kind"]?.stringValue == "List", case .array(let items)? = members["items"] {
                    for (index, item) in items.enumerated() {
                        add(item, document: document, path: FieldPath([.field("items"), .index(index)]), seen: &seen)
                    }
                } else {
                    add(document.value, document: document, path: .root, seen: &seen)
                }
            default:
                diagnostics.append(Diagnostic(
                    .error, object: nil, message: "expected an object with apiVersion and kind, found \(document.value.typeName)",
                    location: document.location))
            }
        }
        for (index, manifest) in manifests.enumerated() where manifest.resource.kind == Component.kind {
            decodedComponents[index] = Result { () throws(JSONValueDecodingError) -> Component in
                try Component(manifest.resource)
            }
        }
        catalog = Self.freshCluster(manifests, decodedComponents: decodedComponents)
    }

    private mutating func add(_ value: JSONValue, document: Document, path: FieldPath,
                              seen: inout [ObjectName: SourceLocation]) {
        guard case .object(let members) = value else {
            diagnostics.append(Diagnostic(
                .error, object: nil, path: path, message: "expected an object, found \(value.typeName)",
                location: document.sourceMap.location(of: path) ?? document.location))
            return
        }
        var resource = Resource(object: members)
        if resource.namespace == nil, !resource.kind.isEmpty, !Self.clusterScopedKinds.contains(resource.kind) {
            resource.namespace = "default"
        }
        let manifest = Manifest(resource: resource, document: document, pathInDocument: path)
        let name = ObjectName(resource)
        if !resource.name.isEmpty, !resource.kind.isEmpty {
            if let first = seen[name] {
                diagnostics.append(Diagnostic(
                    .error, object: name, message: "defined twice (first at \(first))",
                    location: manifest.location(of: nil)))
            } else {
                seen[name] = manifest.location(of: nil)
            }
        }
        manifests.append(manifest)
    }

    private static func freshCluster(
        _ manifests: [Manifest], decodedComponents: [Int: Result<Component, JSONValueDecodingError>]
    ) -> Catalog {
        var catalog = Catalog()
        for (index, manifest) in manifests.enumerated() {
            let resource = manifest.resource
            switch resource.kind {
            case WorkloadDefinition.kind, TraitDefinition.kind, ScopeDefinition.kind:
                // Malformed definitions are reported by validation.
                try? catalog.add(definition: resource)
            case Component.kind:
                guard case .success(var component)? = decodedComponents[index] else { continue }
                if component.latestRevision == nil {
                    var status = component.status ?? Component.Status()
                    status.latestRevision = Component.Revision(component: component.name, number: 1)
                    component.status = status
                }
                catalog.add(component: component)
            case "ControllerRevision":
                catalog.add(revision: resource)
            case ApplicationConfiguration.kind:
                continue
            default:
                catalog.add(object: resource)
            }
        }
        return catalog
    }

    /// Every problem in the set, with file positions, sorted by file and line.
    public func validate() -> [Diagnostic] {
        let validator = Validator(catalog: catalog)
        var out = diagnostics
        for (index, manifest) in manifests.enumerated() {
            out += validator.validate(manifest.resource, decodedComponent: decodedComponents[index])
                .map { locate($0, in: manifest) }
        }
        return out
    }

    /// `diagnostic` with the position of its field in `manifest`'s file.
    public func locate(_ diagnostic: Diagnostic, in manifest: Manifest) -> Diagnostic {
        var copy = diagnostic
        if copy.location == nil { copy.location = manifest.location(of: copy.path) }
        return copy
    }

    /// `diagnostic` with a file position, found through the object it names.
    public func locate(_ diagnostic: Diagnostic) -> Diagnostic {
        guard diagnostic.location == nil, let object = diagnostic.object,
            let manifest = manifests.first(where: { ObjectName($0.resource) == object })
        else { return diagnostic }
        return locate(diagnostic, in: manifest)
    }

    /// The ApplicationConfigurations in the set.
    public var applicationConfigurations: [Manifest] {
        manifests.filter { $0.resource.kind == ApplicationConfiguration.kind }
    }
}
