public import Resources
import OrderedCollections

/// The fallback of ``OpenAPIDocuments`` when no upstream schemas are handed in (the API server
/// always hands in `BuiltinKinds.openAPI.components`, the full upstream schemas; this target's
/// own tests do not). Skeleton OpenAPI v3 schemas of the built-in kinds: every object keeps unknown fields
/// (`x-kubernetes-preserve-unknown-fields: true`), and the lists that kube merges by key carry
/// kube's patch annotations — `x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`,
/// `x-kubernetes-list-type: map` and `x-kubernetes-list-map-keys` — so that strategic merge and
/// server-side apply can look up how to merge `containers`, `env`, `ports`, `volumes`…
///
/// ```swift
/// let containers = BuiltinSchemas.schema(for: "Deployment")?["properties"]?["spec"]?["properties"]?["template"]?
///     ["properties"]?["spec"]?["properties"]?["containers"]
/// containers?["x-kubernetes-patch-merge-key"]   // "name"
/// ```
public enum BuiltinSchemas {
    /// The schema of a built-in kind (without `x-kubernetes-group-version-kind`), or `nil`.
    public static func schema(for kind: String) -> JSONValue? {
        let body: OrderedDictionary<String, JSONValue>
        switch kind {
        case "Deployment":
            body = ["spec": object(["selector": labelSelector, "template": podTemplate]), "status": workloadStatus]
        case "StatefulSet":
            body = [
                "spec": object(["selector": labelSelector, "template": podTemplate]), "status": workloadStatus,
            ]
        case "Service":
            body = [
                "spec": object([
                    "ports": mapList(keys: ["port", "protocol"], mergeKey: "port", items: object([:])),
                    "selector": stringMap,
                ]),
                "status": object(["conditions": conditions]),
            ]
        case "ServiceAccount":
            body = ["secrets": mapList(keys: ["name"], mergeKey: "name", items: object([:]))]
        case "ConfigMap":
            body = ["data": stringMap, "binaryData": stringMap]
        case "Secret":
            body = ["data": stringMap, "stringData": stringMap, "type": string]
        case "Namespace", "Event", "ControllerRevision", "Lease", "CustomResourceDefinition":
            body = [:]
        default:
            return nil
        }
        var properties: JSONObject = [
            "apiVersion": string, "kind": string,
            "metadata": ["allOf": [["$ref": .string("#/components/schemas/\(OpenAPIDocuments.objectMetaName)")]]],
        ]
        properties.merge(body) { _, new in new }
        return object(properties)
    }

    /// `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`: the fields of `metadata`, with
    /// `ownerReferences` merged by `uid` and `finalizers` as a set.
    public static let objectMeta: JSONValue = object([
        "name": string, "generateName": string, "namespace": string, "uid": string, "resourceVersion": string,
        "generation": ["type": "integer", "format": "int64"], "creationTimestamp": dateTime,
        "deletionTimestamp": dateTime, "deletionGracePeriodSeconds": ["type": "integer", "format": "int64"],
        "labels": stringMap, "annotations": stringMap,
        "ownerReferences": mapList(keys: ["uid"], mergeKey: "uid", items: object([:])),
        "finalizers": [
            "type": "array", "items": string, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge",
        ],
        "managedFields": ["type": "array", "items": object([:]), "x-kubernetes-list-type": "atomic"],
    ])

    // MARK: Pieces

    private static let string: JSONValue = ["type": "string"]
    private static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    private static let stringMap: JSONValue = ["type": "object", "additionalProperties": ["type": "string"]]

    private static func object(_ properties: JSONObject) -> JSONValue {
        ["type": "object", "properties": .object(properties), "x-kubernetes-preserve-unknown-fields": true]
    }

    /// A list merged by key: `patchMergeKey`/`patchStrategy` for strategic merge patch,
    /// `listType: map`/`listMapKeys` for server-side apply.
    private static func mapList(keys: [String], mergeKey: String, strategy: String = "merge", items: JSONValue) -> JSONValue {
        [
            "type": "array", "items": items,
            "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": .array(keys.map(JSONValue.string)),
            "x-kubernetes-patch-merge-key": .string(mergeKey), "x-kubernetes-patch-strategy": .string(strategy),
        ]
    }

    private static let labelSelector: JSONValue = object([
        "matchLabels": stringMap,
        "matchExpressions": ["type": "array", "items": object([:]), "x-kubernetes-list-type": "atomic"],
    ])

    private static let conditions = mapList(keys: ["type"], mergeKey: "type", items: object([:]))

    private static let workloadStatus: JSONValue = object(["conditions": conditions])

    private static let container: JSONValue = object([
        "name": string, "image": string,
        "env": mapList(keys: ["name"], mergeKey: "name", items: object([:])),
        "ports": mapList(keys: ["containerPort", "protocol"], mergeKey: "containerPort", items: object([:])),
        "volumeMounts": mapList(keys: ["mountPath"], mergeKey: "mountPath", items: object([:])),
        "volumeDevices": mapList(keys: ["devicePath"], mergeKey: "devicePath", items: object([:])),
    ])

    private static let podTemplate: JSONValue = object([
        "metadata": ["allOf": [["$ref": .string("#/components/schemas/\(OpenAPIDocuments.objectMetaName)")]]],
        "spec": object([
            "containers": mapList(keys: ["name"], mergeKey: "name", items: container),
            "initContainers": mapList(keys: ["name"], mergeKey: "name", items: container),
            "ephemeralContainers": mapList(keys: ["name"], mergeKey: "name", items: container),
            "volumes": mapList(keys: ["name"], mergeKey: "name", strategy: "merge,retainKeys", items: object([:])),
            "imagePullSecrets": mapList(keys: ["name"], mergeKey: "name", items: object([:])),
            "hostAliases": mapList(keys: ["ip"], mergeKey: "ip", items: object([:])),
        ]),
    ])
}
