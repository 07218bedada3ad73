import OrderedCollections
public import Resources

/// `ApplicationConfiguration` (spec §2.5): which components run, with which parameter values,
/// traits and scopes.
public struct ApplicationConfiguration: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var components: [ComponentEntry]

        public init(components: [ComponentEntry]) {
            self.components = components
        }
    }

    /// One entry of `spec.components`.
    public struct ComponentEntry: Codable, Sendable, Hashable {
        public var componentName: String?
        public var revisionName: String?
        public var dataOutputs: [DataOutput]?
        public var dataInputs: [DataInput]?
        public var parameterValues: [ParameterValue]?
        public var traits: [ComponentTrait]?
        public var scopes: [ComponentScope]?

        public init(componentName: String? = nil, revisionName: String? = nil) {
            self.componentName = componentName
            self.revisionName = revisionName
        }

        /// The component this entry uses: `componentName`, or the component of `revisionName`.
        public var resolvedComponentName: String {
            if let revisionName, !revisionName.isEmpty {
                return Component.Revision.componentName(ofRevision: revisionName)
            }
            return componentName ?? ""
        }
    }

    public struct ParameterValue: Codable, Sendable, Hashable {
        public var name: String
        public var value: IntOrString
    }

    /// A trait attached to a component, with its own data outputs and inputs.
    public struct ComponentTrait: Codable, Sendable, Hashable {
        public var trait: JSONValue
        public var dataOutputs: [DataOutput]?
        public var dataInputs: [DataInput]?

        public init(trait: JSONValue, dataOutputs: [DataOutput]? = nil, dataInputs: [DataInput]? = nil) {
            self.trait = trait
            self.dataOutputs = dataOutputs
            self.dataInputs = dataInputs
        }
    }

    public struct ComponentScope: Codable, Sendable, Hashable {
        public var scopeRef: TypedReference
    }

    public struct Status: Codable, Sendable, Hashable {
        public var conditions: [Condition]?
        public var status: String?
        public var dependency: DependencyStatus?
        public var workloads: [WorkloadStatus]?
        public var observedGeneration: Int64?
        public var historyWorkloads: [HistoryWorkload]?

        public init() {}
    }

    /// `status.dependency`.
    public struct DependencyStatus: Codable, Sendable, Hashable {
        public var unsatisfied: [UnsatisfiedDependency]?

        public init(unsatisfied: [UnsatisfiedDependency]? = nil) {
            self.unsatisfied = unsatisfied
        }
    }

    /// One data input that is not ready, with why.
    public struct UnsatisfiedDependency: Codable, Sendable, Hashable {
        public var reason: String
        public var from: DependencyFrom
        public var to: DependencyTo

        public init(reason: String, from: DependencyFrom, to: DependencyTo) {
            self.reason = reason
            self.from = from
            self.to = to
        }
    }

    public struct DependencyFrom: Codable, Sendable, Hashable {
        public var apiVersion: String
        public var kind: String
        public var name: String
        public var uid: String?
        public var fieldPath: String?

        public init(apiVersion: String, kind: String, name: String, uid: String? = nil, fieldPath: String? = nil) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
            self.uid = uid
            self.fieldPath = fieldPath
        }
    }

    public struct DependencyTo: Codable, Sendable, Hashable {
        public var apiVersion: String
        public var kind: String
        public var name: String
        public var uid: String?
        public var fieldPaths: [String]?

        public init(apiVersion: String, kind: String, name: String, uid: String? = nil, fieldPaths: [String]? = nil) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
            self.uid = uid
            self.fieldPaths = fieldPaths
        }
    }

    /// One entry of `status.workloads`.
    public struct WorkloadStatus: Codable, Sendable, Hashable {
        public var status: String?
        public var componentName: String?
        public var componentRevisionName: String?
        public var workloadRef: TypedReference?
        public var traits: [TraitStatus]?
        public var scopes: [ScopeStatus]?

        public init(componentName: String? = nil, componentRevisionName: String? = nil,
                    workloadRef: TypedReference? = nil, traits: [TraitStatus]? = nil, scopes: [ScopeStatus]? = nil) {
            self.componentName = componentName
            self.componentRevisionName = componentRevisionName
            self.workloadRef = workloadRef
            self.traits = traits
            self.scopes = scopes
        }
    }

    public struct TraitStatus: Codable, Sendable, Hashable {
        public var status: String?
        public var traitRef: TypedReference
        public var message: String?

        public init(traitRef: TypedReference, message: String? = nil) {
            self.traitRef = traitRef
            self.message = message
        }
    }

    public struct ScopeStatus: Codable, Sendable, Hashable {
        public var status: String?
        public var scopeRef: TypedReference

        public init(scopeRef: TypedReference) {
            self.scopeRef = scopeRef
        }
    }

    public struct HistoryWorkload: Codable, Sendable, Hashable {
        public var revision: String?
        public var workloadRef: TypedReference?
    }

    public static let kind = "ApplicationConfiguration"
    public var resource: Resource
    public var spec: Spec
    public var status: Status?

    public init(resource: Resource, spec: Spec, status: Status?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }
}
