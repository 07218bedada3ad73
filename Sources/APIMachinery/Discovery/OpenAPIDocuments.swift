public import Resources
import OrderedCollections
import Synchronization

/// The OpenAPI documents kubectl 1.32 needs from the embedded API server.
///
/// ## What kubectl 1.32 requests, and what each request needs
///
/// Observed with `/usr/bin/kubectl` v1.32.4 against a recording server, and read in client-go
/// (`discovery`, `openapi`, `openapi3`) and kubectl (`cmd/apply`, `cmd/util`, cli-runtime's
/// `QueryParamVerifierV3`):
///
/// **`apply -f` (client-side), `create -f`, `replace`** — validation is on (`--validate=strict`
/// is the default), so before anything else kubectl asks whether the server validates fields
/// itself:
/// 1. `GET /openapi/v3` (`Accept: application/json, */*`) → ``v3Root(_:)``.
/// 2. `GET /openapi/v3/apis/<group>/<version>?hash=<hash>` (`Accept: application/json`), the
///    `serverRelativeURL` from the root → ``v3GroupVersion(_:group:version:)``. kubectl looks for
///    a `PATCH` operation whose `x-kubernetes-group-version-kind` is the object's kind and which
///    takes a query parameter named `fieldValidation`. Found: it sends every write with
///    `?fieldValidation=Strict` (the server must then reject unknown and duplicate fields with a
///    400 `strict decoding error: unknown field "spec.x"`) and validates nothing itself.
///    If the group version is missing from the root, kubectl lists
///    `GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions` (a real
///    `CustomResourceDefinitionList`) to tell a custom resource, and decides from the
///    CustomResourceDefinition kind's document instead — so publish every CRD group version.
/// 3. On any other outcome (root 404, no matching PATCH operation) it falls back to
///    `GET /openapi/v2` with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
///    and then **fails** the apply: a 404 gives `error validating data: failed to download
///    openapi: the server could not find the requested resource`, a 406 `…unable to respond with
///    a content type that the client supports`, a JSON 200 `…proto: cannot parse invalid
///    wire-format data` (each ending `if you choose to ignore these errors, turn validation off
///    with --validate=false`). So v3 must work; v2 can stay unserved.
/// 4. Discovery (see ``DiscoveryDocuments``), then `GET` the object (`Accept: application/json`);
///    404 → `POST …?fieldManager=kubectl-client-side-apply&fieldValidation=Strict` with the
///    `kubectl.kubernetes.io/last-applied-configuration` annotation.
/// 5. Object exists → for kinds compiled into kubectl (all built-ins here) it first tries
///    `GET /openapi/v2` (protobuf) for patch metadata; a 404 is silently tolerated and kubectl
///    uses its compiled-in structs, sending `PATCH` with
///    `Content-Type: application/strategic-merge-patch+json`. Custom resources get
///    `application/merge-patch+json`. Both with `fieldManager=kubectl-client-side-apply&fieldValidation=Strict`.
///
/// **`apply --server-side`** — steps 1–2, then
/// `PATCH …?fieldManager=kubectl&fieldValidation=Strict&force=false` with
/// `Content-Type: application/apply-patch+yaml` (the body is JSON). An object that carries a
/// last-applied annotation gets a second apply patch with `fieldManager=kubectl-last-applied`
/// that writes only that annotation. Conflicts must be 409 with `FieldManagerConflict` causes.
///
/// **`get`** — `GET <collection>?limit=500` (or the object) with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`
/// → ``TableConverter``; `-A` uses `/apis/<g>/<v>/<resource>` across namespaces; `-o yaml|json`
/// asks with `Accept: application/json` for the objects themselves. No OpenAPI.
///
/// **`api-resources`** — `GET /api` and `GET /apis` again (the cache is bypassed), aggregated.
///
/// **`wait --for=condition=Established crd/<name>`** — `GET` the CRD, then
/// `GET …/customresourcedefinitions?fieldSelector=metadata.name%3D<name>&limit=500&resourceVersion=0`
/// and a watch `…&allowWatchBookmarks=true&fieldSelector=…&resourceVersion=<rv>&timeoutSeconds=<n>&watch=true`;
/// it needs `metadata.name` field selectors, a typed `CustomResourceDefinitionList`, watch events
/// and `status.conditions[type=Established].status == "True"`. No OpenAPI.
///
/// **`explain <kind>[.field]`** — steps 1–2 only; it finds the schema in `components.schemas` by
/// `x-kubernetes-group-version-kind` and follows `properties` (and `$ref`, `allOf`). With the
/// skeletons here built-ins explain their top level and merge-keyed lists; custom resources
/// explain fully from their CRD schema.
///
/// **`edit`** — `GET` (`application/json`), then a strategic merge (built-ins) or JSON merge
/// (custom resources) `PATCH` with `fieldValidation=Strict`; validation as for apply.
///
/// The hash in `?hash=` is any string that changes when the document changes; kubectl keeps it
/// in its HTTP cache. Serve the current document whatever hash is asked for, with an `ETag` of
/// the hash, `Cache-Control: public, immutable` when the hash matches and `no-cache, private`
/// otherwise; serve the root with `no-cache`. Answer `GET /openapi/v2` with 404 (never JSON).
public enum OpenAPIDocuments {
    /// The schema name of `metadata` in every document.
    public static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    /// `GET /openapi/v3`: every served group version and the URL of its document,
    /// `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, "apis/apps/v1": …}}`.
    public static func v3Root(_ registry: [ServedResource], builtins: BuiltinComponents? = nil) -> JSONValue {
        var paths: JSONObject = [:]
        for group in DiscoveryDocuments.groups(registry) {
            for version in group.versions {
                let path = groupVersionPath(group: group.name, version: version)
                // The hash names what the document is made from, not its bytes: building every
                // group version's document (megabytes with the upstream schemas) on each root
                // request kept kubectl waiting past its 32 s timeout on a busy machine.
                let digest = documentHash(registry, group: group.name, version: version, builtins: builtins)
                paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(digest)")]
            }
        }
        return ["paths": .object(paths)]
    }

    /// Changes whenever this file changes what a document holds for the same served resources, so
    /// that kubectl's HTTP cache (keyed by the hashed URL) does not keep an older document.
    static let documentFormat = "mizzen-openapi-v3/2"

    /// `api/v1` or `apis/<group>/<version>`: the key of a group version in ``v3Root(_:)``.
    public static func groupVersionPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// `GET /openapi/v3/apis/<group>/<version>` (or `/openapi/v3/api/v1`): an OpenAPI 3.0 document
    /// with, per served kind, `GET` and `PATCH` operations on the object's path (the `PATCH`
    /// taking `fieldValidation`, which is what tells kubectl the server validates fields) and
    /// schemas for the kind and its list in `components.schemas`, marked with
    /// `x-kubernetes-group-version-kind`. Custom resources use their CRD's `openAPIV3Schema`;
    /// built-ins use ``BuiltinSchemas``. `nil` when the group version is not served.
    public static func v3GroupVersion(
        _ registry: [ServedResource], group: String, version: String, builtins: BuiltinComponents? = nil
    ) -> JSONValue {
        // Built once per content: a built-in group version's document holds megabytes of upstream
        // schemas, and building it again for every kubectl that validates held a core of the
        // cooperative pool for seconds on a busy machine.
        let key = "\(groupVersionPath(group: group, version: version))?\(documentHash(registry, group: group, version: version, builtins: builtins))"
        if let cached = builtDocuments.withLock({ $0[key] }) { return cached }
        let document = buildV3GroupVersion(registry, group: group, version: version, builtins: builtins)
        builtDocuments.withLock { documents in
            if documents.count >= 64 { documents.removeAll() }
            documents[key] = document
        }
        return document
    }

    /// The documents built so far, by group version and content hash.
    private static let builtDocuments = Mutex<[String: JSONValue]>([:])

    /// The `?hash=` of a group version's document: a hash of what the document is made from —
    /// the group version's discovery, its custom resources' schemas and printer columns, whether
    /// the upstream schemas are in, and ``documentFormat`` — so no document is built to name it.
    static func documentHash(
        _ registry: [ServedResource], group: String, version: String, builtins: BuiltinComponents?
    ) -> String {
        let resources = DiscoveryDocuments.resources(registry, group: group, version: version)
        return hash(of: [
            "format": .string(documentFormat), "builtins": builtins.map { .string($0.identity) } ?? .null,
            "discovery": DiscoveryDocuments.resourceList(registry, group: group, version: version) ?? .null,
            "schemas": .array(resources.map { $0.openAPIV3Schema ?? .null }),
            "columns": .array(resources.map { .array($0.additionalPrinterColumns ?? []) }),
        ])
    }

    private static func buildV3GroupVersion(
        _ registry: [ServedResource], group: String, version: String, builtins: BuiltinComponents?
    ) -> JSONValue {
        let served = DiscoveryDocuments.resources(registry, group: group, version: version)
        var paths: JSONObject = [:]
        var schemas: JSONObject = [objectMetaName: BuiltinSchemas.objectMeta]
        var upstreamNames = [objectMetaName]
        for resource in served {
            let type = resource.type
            let gvk: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(type.kind)]
            if resource.openAPIV3Schema == nil, let upstream = builtins?.schemaName(type.groupVersionKind) {
                if resource.verbs == ["create"] {
                    // A review kind, created and never stored: one POST on the collection, as kube lists it.
                    upstreamNames.append(upstream)
                    paths[createPath(type, subresource: nil)] = createPathItem(type, schemaName: upstream, gvk: gvk)
                    continue
                }
                for subresource in resource.subresources where subresource.verbs == ["create"] {
                    // `serviceaccounts/token`: a POST of another kind (a TokenRequest) on the object.
                    guard let name = builtins?.schemaName(subresource.responseKind) else { continue }
                    upstreamNames.append(name)
                    let kind = subresource.responseKind
                    paths[createPath(type, subresource: subresource.name)] = createPathItem(
                        type, schemaName: name,
                        gvk: ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)],
                        subresource: subresource.name)
                }
                // A built-in kind: the upstream schema, with its list and everything they refer to.
                upstreamNames += [upstream, upstream + "List"]
                paths[objectPath(type)] = pathItem(type, schemaName: upstream, gvk: gvk, patchTypes: patchMediaTypes(custom: false))
                continue
            }
            let name = schemaName(type)
            let listGVK: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(type.listKind)]
            var schema = kindSchema(resource)
            schema["x-kubernetes-group-version-kind"] = [gvk]
            schemas[name] = .object(schema)
            schemas[name + "List"] = [
                "type": "object", "required": ["items"],
                "properties": [
                    "apiVersion": ["type": "string"], "kind": ["type": "string"],
                    "items": ["type": "array", "items": ["$ref": .string("#/components/schemas/\(name)")]],
                    "metadata": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                ],
                "x-kubernetes-group-version-kind": [listGVK],
            ]
            paths[objectPath(type)] = pathItem(
                type, schemaName: name, gvk: gvk, patchTypes: patchMediaTypes(custom: resource.openAPIV3Schema != nil))
        }
        if let builtins {
            for (name, schema) in builtins.closure(upstreamNames).sorted(by: { $0.key < $1.key }) { schemas[name] = schema }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(DiscoveryDocuments.version()["gitVersion"]?.stringValue ?? "")],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    /// The upstream OpenAPI schemas of the built-in kinds, which the API server hands to the
    /// documents (they live in `BuiltinKinds`, above this target).
    public struct BuiltinComponents: Sendable {
        /// `io.k8s.api.apps.v1.Deployment` for apps/v1 Deployment; `nil` for a kind not built in.
        public var schemaName: @Sendable (GroupVersionKind) -> String?
        /// The schemas named and every schema they refer to, by name.
        public var closure: @Sendable ([String]) -> [String: JSONValue]
        /// Names this set of schemas (`kube-apiserver v1.36.2`): documents built with it are
        /// cached and hashed under this name, so another set must have another.
        public var identity: String

        public init(identity: String, schemaName: @escaping @Sendable (GroupVersionKind) -> String?,
                    closure: @escaping @Sendable ([String]) -> [String: JSONValue]) {
            self.identity = identity
            self.schemaName = schemaName
            self.closure = closure
        }
    }

    /// A short hex digest of `document` for `?hash=`: two FNV-1a 64-bit hashes of its canonical
    /// (sorted-keys) JSON.
    public static func hash(of document: JSONValue) -> String {
        let bytes = document.jsonBytes(sortedKeys: true)
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second &* 0x0000_0100_0000_01B3) ^ UInt64(byte)
        }
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(first) + hex(second)
    }

    /// The body to send for `GET /openapi/v2`: a 404 `Status`. kubectl asks for protobuf there,
    /// tolerates a 404 when computing client-side apply patches, and fails on a JSON answer.
    public static var v2NotFound: APIError {
        APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")
    }

    // MARK: Pieces

    /// `io.k8s.api.apps.v1.Deployment` for built-ins, `com.example.v1.Widget` for group
    /// `example.com`, as kube-apiserver names them.
    public static func schemaName(_ type: ResourceType) -> String {
        switch type.group {
        case "": return "io.k8s.api.core.\(type.version).\(type.kind)"
        case "apps": return "io.k8s.api.apps.\(type.version).\(type.kind)"
        case "coordination.k8s.io": return "io.k8s.api.coordination.\(type.version).\(type.kind)"
        case "apiextensions.k8s.io":
            return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(type.version).\(type.kind)"
        default:
            let reversed = type.group.split(separator: ".").reversed().joined(separator: ".")
            return "\(reversed).\(type.version).\(type.kind)"
        }
    }

    private static func kindSchema(_ resource: ServedResource) -> JSONObject {
        if resource.openAPIV3Schema == nil, let builtin = BuiltinSchemas.schema(for: resource.type.kind),
           BuiltinTypes.served(resource.type.groupVersionKind) != nil {
            return builtin.objectValue ?? [:]
        }
        var schema = resource.openAPIV3Schema?.objectValue
            ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        // kube adds the envelope every object has to the CRD's schema.
        var properties = schema["properties"]?.objectValue ?? [:]
        properties["apiVersion"] = [
            "type": "string",
            "description": "APIVersion defines the versioned schema of this representation of an object.",
        ]
        properties["kind"] = [
            "type": "string", "description": "Kind is a string value representing the REST resource this object represents.",
        ]
        properties["metadata"] = [
            "description": "Standard object's metadata.",
            "allOf": [["$ref": .string("#/components/schemas/\(objectMetaName)")]],
        ]
        schema["properties"] = .object(properties)
        return schema
    }

    private static func objectPath(_ type: ResourceType) -> String {
        let prefix = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        return type.namespaced
            ? "\(prefix)/namespaces/{namespace}/\(type.resource)/{name}"
            : "\(prefix)/\(type.resource)/{name}"
    }

    /// `…/selfsubjectaccessreviews` (a create-only kind) or `…/serviceaccounts/{name}/token`.
    private static func createPath(_ type: ResourceType, subresource: String?) -> String {
        guard let subresource else {
            let prefix = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
            return type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.resource)" : "\(prefix)/\(type.resource)"
        }
        return objectPath(type) + "/" + subresource
    }

    /// The path item of a create-only endpoint: one `post` (`createAuthorizationV1SelfSubjectAccessReview`,
    /// `createCoreV1NamespacedServiceAccountToken`) taking and returning the kind.
    private static func createPathItem(_ type: ResourceType, schemaName: String, gvk: JSONValue, subresource: String? = nil)
        -> JSONValue
    {
        let kind = subresource.map { type.kind + $0.prefix(1).uppercased() + $0.dropFirst() } ?? type.kind
        let schema: JSONValue = ["schema": ["$ref": .string("#/components/schemas/\(schemaName)")]]
        let response: JSONValue = ["description": "OK", "content": ["application/json": schema]]
        var parameters: [JSONValue] = [
            queryParameter("dryRun", "When present, indicates that modifications should not be persisted."),
            queryParameter("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
            queryParameter("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."),
        ]
        if subresource != nil { parameters.append(pathParameter("name", "name of the \(gvk["kind"]?.stringValue ?? "")")) }
        if type.namespaced {
            parameters.append(pathParameter("namespace", "object name and auth scope, such as for teams and projects"))
        }
        var item: JSONObject = [
            "post": [
                "description": .string("create \(subresource == nil ? "a" : "token of a") \(type.kind)"),
                "operationId": .string("create\(operationGroup(type))\(type.namespaced ? "Namespaced" : "")\(kind)"),
                "requestBody": ["content": ["*/*": schema], "required": true],
                "responses": ["200": response, "201": response, "202": response],
                "x-kubernetes-action": "post",
                "x-kubernetes-group-version-kind": gvk,
            ],
        ]
        if subresource == nil {
            // Not in kube's document: `kubectl create -f` looks for a PATCH of the kind taking
            // `fieldValidation` and, finding none, falls back to /openapi/v2, which this server
            // does not serve. With this entry it sends `fieldValidation=Strict` instead. (A PATCH
            // itself is refused with 405, as kube refuses it.)
            item["patch"] = [
                "description": "not served; listed so that kubectl knows the server validates fields",
                "operationId": .string("patch\(operationGroup(type))\(type.namespaced ? "Namespaced" : "")\(kind)"),
                "parameters": [queryParameter("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.")],
                "responses": ["405": ["description": "Method Not Allowed"]],
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
            ]
        }
        item["parameters"] = .array(parameters)
        return .object(item)
    }

    /// The PATCH media types kube-apiserver lists for a kind: custom resources take no strategic
    /// merge patch (kubectl then sends a JSON merge patch on client-side apply).
    public static func patchMediaTypes(custom: Bool) -> [String] {
        custom
            ? ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
            : [
                "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
                "application/strategic-merge-patch+json",
            ]
    }

    private static func pathItem(_ type: ResourceType, schemaName: String, gvk: JSONValue, patchTypes: [String])
        -> JSONValue
    {
        let scope = type.namespaced ? "Namespaced" : ""
        let operationSuffix = operationGroup(type) + scope + type.kind
        let response: JSONValue = [
            "description": "OK",
            "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schemaName)")]]],
        ]
        var pathParameters: [JSONValue] = [pathParameter("name", "name of the \(type.kind)")]
        if type.namespaced {
            pathParameters.append(pathParameter("namespace", "object name and auth scope, such as for teams and projects"))
        }
        return [
            "get": [
                "description": .string("read the specified \(type.kind)"),
                "operationId": .string("read\(operationSuffix)"),
                "responses": ["200": response],
                "x-kubernetes-action": "get",
                "x-kubernetes-group-version-kind": gvk,
            ],
            "patch": [
                "description": .string("partially update the specified \(type.kind)"),
                "operationId": .string("patch\(operationSuffix)"),
                "parameters": [
                    queryParameter("dryRun", "When present, indicates that modifications should not be persisted."),
                    queryParameter("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
                    queryParameter("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."),
                    queryParameter("force", "Force is going to \"force\" Apply requests.", type: "boolean"),
                ],
                "requestBody": [
                    "content": .object(JSONObject(uniqueKeysWithValues: patchTypes.map {
                        ($0, ["schema": ["type": "object"]] as JSONValue)
                    })),
                    "required": true,
                ],
                "responses": ["200": response, "201": response],
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
            ],
            "parameters": .array(pathParameters),
        ]
    }

    /// `AppsV1`, `CoreV1`, `ExampleComV1`: the middle of kube's operation ids.
    private static func operationGroup(_ type: ResourceType) -> String {
        let group = type.group.isEmpty ? "core" : String(type.group.split(separator: ".").first ?? "")
        let words = group.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return words.joined() + type.version.prefix(1).uppercased() + type.version.dropFirst()
    }

    private static func pathParameter(_ name: String, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "path", "description": .string(description), "required": true,
            "schema": ["type": "string", "uniqueItems": true],
        ]
    }

    private static func queryParameter(_ name: String, _ description: String, type: String = "string") -> JSONValue {
        [
            "name": .string(name), "in": "query", "description": .string(description),
            "schema": ["type": .string(type), "uniqueItems": true],
        ]
    }
}
