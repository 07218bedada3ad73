public import Resources
import OrderedCollections

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
    /// Whether a CustomResourceDefinition serves this resource (it then takes no strategic
    /// merge patch, and its scale and field selectors come from the CRD).
    public var isCustomResource: Bool
    /// `spec.versions[].subresources.scale` of a custom resource; `nil` for built-in types, whose
    /// Scale reads `spec.replicas`, `status.replicas` and `spec.selector`.
    public var scalePaths: ScalePaths?
    /// `spec.versions[].selectableFields[].jsonPath` of a custom resource (`.spec.color`), the
    /// fields a field selector may name besides `metadata.name` and `metadata.namespace`.
    public var selectableFields: [String]

    public init(
        type: ResourceType, verbs: [String] = ServedResource.allVerbs, subresources: [Subresource] = [],
        isStorageVersion: Bool = true, openAPIV3Schema: JSONValue? = nil, additionalPrinterColumns: [JSONValue]? = nil,
        isCustomResource: Bool = false, scalePaths: ScalePaths? = nil, selectableFields: [String] = []
    ) {
        self.type = type
        self.verbs = verbs
        self.subresources = subresources
        self.isStorageVersion = isStorageVersion
        self.openAPIV3Schema = openAPIV3Schema
        self.additionalPrinterColumns = additionalPrinterColumns
        self.isCustomResource = isCustomResource
        self.scalePaths = scalePaths
        self.selectableFields = selectableFields
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

/// Where the Scale of a custom resource reads and writes its numbers: the paths of a CRD's
/// `subresources.scale`, written as kube writes them (`.spec.replicas`).
///
/// ```swift
/// let paths = ScalePaths(specReplicasPath: ".spec.size", statusReplicasPath: ".status.size",
///                        labelSelectorPath: ".status.selector")
/// paths.fieldPath(paths.specReplicasPath)   // "spec.size"
/// ```
public struct ScalePaths: Sendable, Hashable {
    /// The desired replicas (`.spec.replicas`); the Scale's `spec.replicas`.
    public var specReplicasPath: String
    /// The observed replicas (`.status.replicas`); the Scale's `status.replicas`.
    public var statusReplicasPath: String
    /// A string holding the serialized label selector of the pods (`.status.selector`); the
    /// Scale's `status.selector`. `nil` leaves the selector empty.
    public var labelSelectorPath: String?

    public init(specReplicasPath: String, statusReplicasPath: String, labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }

    /// `subresources.scale` of a CRD version; `nil` when it is not an object.
    public init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        self.init(
            specReplicasPath: members["specReplicasPath"]?.stringValue ?? "",
            statusReplicasPath: members["statusReplicasPath"]?.stringValue ?? "",
            labelSelectorPath: members["labelSelectorPath"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// A JSON path of the CRD (`.spec.replicas`) as a dotted field path (`spec.replicas`).
    public func fieldPath(_ jsonPath: String) -> String {
        jsonPath.hasPrefix(".") ? String(jsonPath.dropFirst()) : jsonPath
    }
}
