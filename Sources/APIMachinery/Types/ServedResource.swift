public import Resources

/// A resource as the API server serves it: its ``ResourceType`` plus what discovery tells clients
/// about it — the verbs it answers, its subresources and, for custom resources, the schema and
/// printer columns of this version.
///
/// Discovery, OpenAPI and Table documents are all built from a list of these.
///
/// ```swift
/// let registry = BuiltinTypes.all + (try CRDTypes.servedResources(from: crd))
/// DiscoveryDocuments.resourceList(registry, group: "apps", version: "v1")
/// ```
public struct ServedResource: Sendable, Hashable {
    public var type: ResourceType
    /// The verbs of the resource itself, in kube's order (`create`, `delete`, … `watch`).
    public var verbs: [String]
    public var subresources: [Subresource]
    /// Whether this version is the one objects are stored at; a custom resource served at
    /// several versions has exactly one.
    public var isStorageVersion: Bool
    /// `spec.versions[].schema.openAPIV3Schema` of a custom resource; `nil` for built-in types.
    public var openAPIV3Schema: JSONValue?
    /// `spec.versions[].additionalPrinterColumns` of a custom resource; `nil` when not given.
    public var additionalPrinterColumns: [JSONValue]?

    public init(
        type: ResourceType, verbs: [String] = ServedResource.allVerbs, subresources: [Subresource] = [],
        isStorageVersion: Bool = true, openAPIV3Schema: JSONValue? = nil, additionalPrinterColumns: [JSONValue]? = nil
    ) {
        self.type = type
        self.verbs = verbs
        self.subresources = subresources
        self.isStorageVersion = isStorageVersion
        self.openAPIV3Schema = openAPIV3Schema
        self.additionalPrinterColumns = additionalPrinterColumns
    }

    /// The eight verbs of an ordinary resource, in the order kube-apiserver lists them.
    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// The subresource named `name`, if served.
    public func subresource(_ name: String) -> Subresource? {
        subresources.first { $0.name == name }
    }
}

/// A subresource such as `status` or `scale`, as discovery describes it.
public struct Subresource: Sendable, Hashable {
    /// `status`, `scale`…
    public var name: String
    /// The kind a request to the subresource sends and receives.
    public var responseKind: GroupVersionKind
    public var verbs: [String]

    public init(name: String, responseKind: GroupVersionKind, verbs: [String]) {
        self.name = name
        self.responseKind = responseKind
        self.verbs = verbs
    }

    /// `<resource>/status`: the object itself, read and written through its own endpoint.
    public static func status(of type: ResourceType) -> Subresource {
        Subresource(name: "status", responseKind: type.groupVersionKind, verbs: ["get", "patch", "update"])
    }

    /// `<resource>/scale`: an `autoscaling/v1` `Scale`.
    public static let scale = Subresource(
        name: "scale", responseKind: GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"),
        verbs: ["get", "patch", "update"])
}
