import OrderedCollections
public import Resources

/// The CRD a definition stands for: `definitionRef` of every definition kind.
public struct DefinitionReference: Codable, Sendable, Hashable {
    /// The CustomResourceDefinition name, `<plural>.<group>` (e.g. `deployments.apps`).
    public var name: String
    public var version: String?

    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// A kind of object a workload creates, which traits such as scalers act on.
public struct ChildResourceKind: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var selector: [String: String]?
}

/// Definitions have no status.
public struct NoStatus: Codable, Sendable, Hashable {}

/// `WorkloadDefinition` (spec §2.1): makes a kind of object usable as a component's workload.
public struct WorkloadDefinition: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var definitionRef: DefinitionReference
        public var childResourceKinds: [ChildResourceKind]?
        public var revisionLabel: String?
        public var podSpecPath: String?
        public var `extension`: JSONValue?
    }

    public static let kind = "WorkloadDefinition"
    public var resource: Resource
    public var spec: Spec
    public var status: NoStatus?

    public init(resource: Resource, spec: Spec, status: NoStatus?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }
}

/// `TraitDefinition` (spec §2.2): makes a kind of object usable as a trait.
public struct TraitDefinition: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var definitionRef: DefinitionReference
        public var revisionEnabled: Bool?
        public var workloadRefPath: String?
        public var appliesToWorkloads: [String]?
        /// TraitDefinition names (or `*.<group>`, `*`) of traits that must not share a component with it.
        public var conflictsWith: [String]?
        /// Field paths of the workload the trait sets itself (a scaler's `spec.replicas`): the
        /// runtime leaves them out of the workload it applies, so the two do not undo each other.
        public var ownsWorkloadFields: [String]?
        public var `extension`: JSONValue?
    }

    public static let kind = "TraitDefinition"
    public var resource: Resource
    public var spec: Spec
    public var status: NoStatus?

    public init(resource: Resource, spec: Spec, status: NoStatus?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }

    /// Whether every revision of a component gets its own workload when this trait is attached.
    public var isRevisionEnabled: Bool { spec.revisionEnabled ?? false }

    /// The stand-in used for a trait whose definition does not exist (spec §4.4).
    public static var dummy: TraitDefinition {
        var resource = Resource(apiVersion: OAM.apiVersion, kind: kind, name: "dummy")
        resource.spec = ["definitionRef": ["name": "dummy"]]
        return TraitDefinition(resource: resource, spec: Spec(definitionRef: .init(name: "dummy")), status: nil)
    }
}

extension TraitDefinition.Spec {
    public init(definitionRef: DefinitionReference) {
        self.definitionRef = definitionRef
    }
}

/// `ScopeDefinition` (spec §2.3): makes a kind of object usable as an application scope.
public struct ScopeDefinition: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var definitionRef: DefinitionReference
        public var workloadRefsPath: String?
        public var allowComponentOverlap: Bool
        public var `extension`: JSONValue?
    }

    public static let kind = "ScopeDefinition"
    public var resource: Resource
    public var spec: Spec
    public var status: NoStatus?

    public init(resource: Resource, spec: Spec, status: NoStatus?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }
}
