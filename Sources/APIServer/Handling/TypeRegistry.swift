import APIMachinery
import BuiltinKinds
import Resources
import Synchronization

/// The types the server serves: the built-in ones and those of every CustomResourceDefinition,
/// with the schema each custom type is checked against.
///
/// Read on every request and changed only when a CRD is written, so it sits behind a `Mutex`.
final class TypeRegistry: Sendable {
    struct State {
        var served: [ServedResource]
        /// `group/version/resource` → index into `served`.
        var byPath: [String: Int]
        var schemas: [String: StructuralSchema]
        var patchSchemas: [String: PatchSchema]
    }

    private let state: Mutex<State>
    /// `group/version/kind` → the built-in list-merge schema, or `nil` for a kind without one: built
    /// once per kind instead of on every write (building one sorts all its rules).
    private let builtinPatchSchemas = Mutex<[String: PatchSchema?]>([:])

    init() {
        state = Mutex(Self.build(builtins: BuiltinTypes.all, crds: []))
    }

    /// Every served type, built-ins first.
    var served: [ServedResource] { state.withLock { $0.served } }

    /// The type at `group/version/resource`.
    func resource(group: String, version: String, resource: String) -> ServedResource? {
        state.withLock { state in state.byPath[Self.key(group, version, resource)].map { state.served[$0] } }
    }

    /// The type of a kind, at its storage version first.
    func resource(for kind: GroupVersionKind) -> ServedResource? {
        state.withLock { state in
            state.served.first { $0.type.group == kind.group && $0.type.version == kind.version && $0.type.kind == kind.kind }
        }
    }

    /// The structural schema of a custom type.
    func schema(for type: ResourceType) -> StructuralSchema? {
        state.withLock { $0.schemas[Self.key(type.group, type.version, type.resource)] }
    }

    /// The list-merge schema of a type, for strategic merge patch and server-side apply.
    func patchSchema(for type: ResourceType) -> PatchSchema {
        if let builtin = builtinPatchSchema(for: type) { return builtin }
        return state.withLock { $0.patchSchemas[Self.key(type.group, type.version, type.resource)] } ?? .empty
    }

    /// The list-merge schema of a built-in kind, from its upstream OpenAPI schema; `nil` for a
    /// custom kind.
    func builtinPatchSchema(for type: ResourceType) -> PatchSchema? {
        let builtinKey = Self.key(type.group, type.version, type.kind)
        if let cached = builtinPatchSchemas.withLock({ $0[builtinKey] }) { return cached }
        let builtin = BuiltinTypes.served(type.groupVersionKind) == nil
            ? nil : BuiltinKinds.openAPI.patchSchema(of: type.groupVersionKind)
        builtinPatchSchemas.withLock { $0[builtinKey] = .some(builtin) }
        return builtin
    }

    /// Serves the types of exactly these CRDs (plus the built-ins).
    func replaceCustomResources(with crds: [Resource]) {
        let next = Self.build(builtins: BuiltinTypes.all, crds: crds)
        state.withLock { $0 = next }
    }

    private static func key(_ group: String, _ version: String, _ resource: String) -> String {
        "\(group)/\(version)/\(resource)"
    }

    private static func build(builtins: [ServedResource], crds: [Resource]) -> State {
        var state = State(served: [], byPath: [:], schemas: [:], patchSchemas: [:])
        func add(_ served: ServedResource) {
            let key = key(served.type.group, served.type.version, served.type.resource)
            guard state.byPath[key] == nil else { return }
            state.byPath[key] = state.served.count
            state.served.append(served)
            if let schema = served.openAPIV3Schema {
                state.schemas[key] = StructuralSchema(openAPIV3Schema: schema)
                state.patchSchemas[key] = PatchSchema(openAPIV3Schema: schema)
            }
        }
        for served in builtins { add(served) }
        for crd in crds where crd.deletionTimestamp == nil {
            // A CRD that fails validation was never stored; one that no longer decodes is skipped.
            guard let resources = try? CRDTypes.servedResources(from: crd) else { continue }
            for served in resources { add(served) }
        }
        return state
    }
}
