import OrderedCollections
public import Resources

/// `Component` (spec §2.4): a workload template and the parameters an operator may set.
public struct Component: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        /// The workload template: a whole object (apiVersion, kind, metadata, spec…).
        public var workload: JSONValue
        public var parameters: [Parameter]?

        public init(workload: JSONValue, parameters: [Parameter]? = nil) {
            self.workload = workload
            self.parameters = parameters
        }
    }

    /// A value an operator may set through `parameterValues`, and where it goes in the workload.
    public struct Parameter: Codable, Sendable, Hashable {
        public var name: String
        public var fieldPaths: [String]
        public var required: Bool?
        public var description: String?

        public init(name: String, fieldPaths: [String], required: Bool? = nil, description: String? = nil) {
            self.name = name
            self.fieldPaths = fieldPaths
            self.required = required
            self.description = description
        }

        public var isRequired: Bool { required ?? false }
    }

    public struct Status: Codable, Sendable, Hashable {
        public var observedGeneration: Int64?
        public var conditions: [Condition]?
        public var latestRevision: Revision?

        public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil, latestRevision: Revision? = nil) {
            self.observedGeneration = observedGeneration
            self.conditions = conditions
            self.latestRevision = latestRevision
        }
    }

    /// A recorded revision of a component: `<component>-v<N>`.
    public struct Revision: Codable, Sendable, Hashable {
        public var name: String
        public var revision: Int64

        public init(name: String, revision: Int64) {
            self.name = name
            self.revision = revision
        }

        /// The revision `number` of `component`, named as the reference runtime names it.
        public init(component: String, number: Int64) {
            self.init(name: "\(component)-v\(number)", revision: number)
        }

        /// The component named by a revision name: the name without its last `-` segment.
        public static func componentName(ofRevision revisionName: String) -> String {
            guard let dash = revisionName.lastIndex(of: "-") else { return revisionName }
            return String(revisionName[..<dash])
        }
    }

    public static let kind = "Component"
    public var resource: Resource
    public var spec: Spec
    public var status: Status?

    public init(resource: Resource, spec: Spec, status: Status?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }

    /// `status.latestRevision`, if a revision has been recorded.
    public var latestRevision: Revision? { status?.latestRevision }

    /// The declared parameter named `name`.
    public func parameter(named name: String) -> Parameter? {
        spec.parameters?.first { $0.name == name }
    }
}
