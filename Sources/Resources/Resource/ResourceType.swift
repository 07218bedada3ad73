/// A type of object an API server serves: its group, version, plural resource name and kind,
/// and how it is stored.
///
/// The store keys objects by group and resource (not version); the API server builds discovery
/// documents from these.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    /// The version objects are stored and served at.
    public var version: String
    /// The plural, lower-case resource name (`deployments`).
    public var resource: String
    /// The singular, lower-case name (`deployment`).
    public var singular: String
    public var kind: String
    public var listKind: String
    /// Whether objects live in a namespace.
    public var namespaced: Bool
    /// Whether `status` is a subresource, written only through `/status`.
    public var hasStatus: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// Whether objects carry `metadata.generation`, bumped on every change of their body. kube
    /// leaves it out for kinds without a spec to observe (ConfigMap, Secret, Service, Namespace,
    /// Lease…); custom resources always have it.
    public var tracksGeneration: Bool
    /// Whether a change of `metadata.annotations` also bumps the generation, as kube does for
    /// Deployments (their annotations are copied to their ReplicaSets).
    public var annotationsBumpGeneration: Bool
    /// The `status` a new object starts with, whatever its creator sent: kube-apiserver's empty
    /// status of the kind (`{}` for a Deployment, `{loadBalancer: {}}` for a Service). `nil`
    /// leaves it out, as for custom resources with a status subresource.
    public var initialStatus: JSONValue?
    /// Members of `status` the API server computes on create and the store keeps over
    /// ``initialStatus`` (a Pod's `qosClass`).
    public var statusSetOnCreate: [String] = []
    /// Members of `metadata` a write through `/status` may change, as the kind's status strategy
    /// in kube-apiserver lets them through (a Deployment's annotations: its controller records
    /// the revision with its status write, without moving the generation). Everything else of
    /// the object stays as stored.
    public var metadataWritableThroughStatus: [String] = []

    public init(
        group: String, version: String, resource: String, singular: String? = nil, kind: String,
        listKind: String? = nil, namespaced: Bool, hasStatus: Bool, shortNames: [String] = [],
        categories: [String] = [], tracksGeneration: Bool = true, annotationsBumpGeneration: Bool = false,
        initialStatus: JSONValue? = nil
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.singular = singular ?? kind.lowercased()
        self.kind = kind
        self.listKind = listKind ?? "\(kind)List"
        self.namespaced = namespaced
        self.hasStatus = hasStatus
        self.shortNames = shortNames
        self.categories = categories
        self.tracksGeneration = tracksGeneration
        self.annotationsBumpGeneration = annotationsBumpGeneration
        self.initialStatus = initialStatus
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var groupVersionKind: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    public var groupVersionResource: GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: resource)
    }

    /// `resource.group`, or `resource` for the core group: how kubectl names a type.
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
