import OrderedCollections
public import Resources

/// Everything rendering and validation may look at besides the ApplicationConfiguration itself:
/// definitions, components, component revisions and the objects that exist (scopes, live
/// workloads and traits whose outputs feed others).
///
/// A catalog is a value. The CLI builds one from files ("a fresh cluster"); the controllers build
/// one from their caches. Rendering and validation never do I/O: what is not in the catalog does
/// not exist.
public struct Catalog: Sendable {
    /// Kind → resource mapping used for definition names.
    public var kinds = KindMapper()
    public private(set) var workloadDefinitions: [String: WorkloadDefinition] = [:]
    public private(set) var traitDefinitions: [String: TraitDefinition] = [:]
    public private(set) var scopeDefinitions: [String: ScopeDefinition] = [:]
    private var components: [NamespacedName: Component] = [:]
    private var revisions: [NamespacedName: Resource] = [:]
    private var objects: [ObjectKey: Resource] = [:]
    /// The field paths of the parameters and definitions added, parsed once: rendering sets
    /// values at them on every reconcile.
    private var parsedFieldPaths: [String: FieldPath] = [:]

    /// A namespace and a name.
    struct NamespacedName: Hashable {
        var namespace: String
        var name: String
    }

    /// Identifies an object regardless of its API version.
    struct ObjectKey: Hashable {
        var group: String
        var kind: String
        var namespace: String
        var name: String
    }

    /// An empty catalog; with `builtins`, the built-in definitions of §2.9 are added.
    public init(builtins: Bool = true) {
        if builtins {
            for definition in BuiltinDefinitions.all {
                // The built-in definitions are well formed; a failure here is a programming error.
                do {
                    try add(definition: definition)
                } catch {
                    preconditionFailure("built-in definition \(definition.name) does not decode: \(error)")
                }
            }
        }
    }

    /// Adds a WorkloadDefinition, TraitDefinition or ScopeDefinition, replacing one of the same name.
    ///
    /// - Throws: ``Resources/JSONValueDecodingError`` when the definition is malformed.
    public mutating func add(definition resource: Resource) throws(JSONValueDecodingError) {
        switch resource.kind {
        case WorkloadDefinition.kind:
            workloadDefinitions[resource.name] = try WorkloadDefinition(resource)
        case TraitDefinition.kind:
            let definition = try TraitDefinition(resource)
            traitDefinitions[resource.name] = definition
            remember(fieldPath: definition.spec.workloadRefPath)
        case ScopeDefinition.kind:
            let definition = try ScopeDefinition(resource)
            scopeDefinitions[resource.name] = definition
            remember(fieldPath: definition.spec.workloadRefsPath)
        default:
            break
        }
    }

    /// Adds a component.
    public mutating func add(component: Component) {
        components[NamespacedName(namespace: component.namespace ?? "default", name: component.name)] = component
        for parameter in component.spec.parameters ?? [] {
            for fieldPath in parameter.fieldPaths { remember(fieldPath: fieldPath) }
        }
    }

    private mutating func remember(fieldPath text: String?) {
        guard let text, !text.isEmpty, parsedFieldPaths[text] == nil, let parsed = try? FieldPath(parsing: text) else {
            return
        }
        parsedFieldPaths[text] = parsed
    }

    /// `text` parsed, from the paths of the components and definitions added when it is one of them.
    ///
    /// - Throws: ``Resources/FieldPathSyntaxError`` when `text` is not a field path.
    public func fieldPath(_ text: String) throws(FieldPathSyntaxError) -> FieldPath {
        if let parsed = parsedFieldPaths[text] { return parsed }
        return try FieldPath(parsing: text)
    }

    /// Adds a ControllerRevision holding a component snapshot.
    public mutating func add(revision: Resource) {
        revisions[NamespacedName(namespace: revision.namespace ?? "default", name: revision.name)] = revision
    }

    /// Adds an object that exists: a scope, or a live workload or trait.
    public mutating func add(object: Resource) {
        objects[Self.key(apiVersion: object.apiVersion, kind: object.kind, namespace: object.namespace,
                         name: object.name)] = object
        kinds.learn(from: object)
    }

    /// The component `name` in `namespace`.
    public func component(named name: String, namespace: String) -> Component? {
        components[NamespacedName(namespace: namespace, name: name)]
    }

    /// The names of the components in `namespace`, sorted.
    public func componentNames(namespace: String) -> [String] {
        components.keys.filter { $0.namespace == namespace }.map(\.name).sorted()
    }

    /// The ControllerRevision `name` in `namespace`.
    public func revision(named name: String, namespace: String) -> Resource? {
        revisions[NamespacedName(namespace: namespace, name: name)]
    }

    /// The object of that type and name, if it exists.
    public func object(apiVersion: String, kind: String, namespace: String?, name: String) -> Resource? {
        objects[Self.key(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)]
    }

    private static func key(apiVersion: String, kind: String, namespace: String?, name: String) -> ObjectKey {
        ObjectKey(group: GroupVersion.group(ofAPIVersion: apiVersion), kind: kind, namespace: namespace ?? "",
                  name: name)
    }

    // MARK: Definition lookup (spec §1.5)

    /// The definition name for an object: its type label if it has one, else `<plural>.<group>`.
    public func definitionName(of object: JSONValue, typeLabel: String?) -> String {
        if let typeLabel, let name = object["metadata"]?["labels"]?[typeLabel]?.stringValue, !name.isEmpty {
            return name
        }
        return kinds.definitionName(
            apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")
    }

    /// The WorkloadDefinition of a workload, with the name looked up.
    public func workloadDefinition(for workload: JSONValue) -> (name: String, definition: WorkloadDefinition?) {
        let name = definitionName(of: workload, typeLabel: OAM.Label.workloadType)
        return (name, workloadDefinitions[name])
    }

    /// The TraitDefinition of a trait, with the name looked up.
    public func traitDefinition(for trait: JSONValue) -> (name: String, definition: TraitDefinition?) {
        let name = definitionName(of: trait, typeLabel: OAM.Label.traitType)
        return (name, traitDefinitions[name])
    }

    /// The ScopeDefinition of a scope reference.
    public func scopeDefinition(for reference: TypedReference) -> (name: String, definition: ScopeDefinition?) {
        let name = kinds.definitionName(apiVersion: reference.apiVersion, kind: reference.kind)
        return (name, scopeDefinitions[name])
    }
}
