import APIMachinery
import BuiltinKinds
import Foundation
import OrderedCollections
import Resources
import Store

/// The Kubernetes REST API over an ``Store/ObjectStore``: discovery, OpenAPI, and every verb on
/// every served type. HTTP-free, so it is tested directly and served by ``APIServer``.
public struct APIHandler: Sendable {
    let store: any ObjectStore
    let registry: TypeRegistry
    let admission: [any AdmissionController]
    /// The current time; injected so that tests control it.
    let now: @Sendable () -> Date
    let serverAddress: String
    /// Who a request comes from, and the issuer of ServiceAccount tokens.
    let authenticator: Authenticator
    /// The addresses the stored Services hold, for allocating new ones.
    let serviceAddresses = ServiceAddressIndex()

    init(store: any ObjectStore, registry: TypeRegistry, admission: [any AdmissionController],
         serverAddress: String, authenticator: Authenticator, now: @escaping @Sendable () -> Date = Date.init) {
        self.authenticator = authenticator
        self.store = store
        self.registry = registry
        self.admission = admission
        self.serverAddress = serverAddress
        self.now = now
    }

    /// The answer to `request`. Never throws: every failure becomes a `Status`.
    public func handle(_ request: APIRequest) async -> APIResponse {
        do {
            try await authorizeRequest(request)
            return try await route(request)
        } catch let error as APIError {
            return .error(error)
        } catch {
            return .error(.internalError("\(error)"))
        }
    }

    private func route(_ request: APIRequest) async throws -> APIResponse {
        guard let target = RequestTarget.parse(request.path) else {
            let parts = request.path.split(separator: "/")
            switch parts.first {
            case "version", "api": throw Self.notFound()
            case "apis" where parts.count > 1 && servesGroup(String(parts[1])): throw Self.notFound()
            default: return Self.pageNotFound
            }
        }
        switch target {
        case .version:
            return .ok(DiscoveryDocuments.version())
        case .health:
            return .json(status: 200, body: "ok", contentType: "text/plain")
        case .openAPIv2:
            // kubectl asks for protobuf here and accepts a 404: it then uses /openapi/v3.
            throw OpenAPIDocuments.v2NotFound
        case .openAPIv3Root:
            return .ok(OpenAPIDocuments.v3Root(registry.served, builtins: BuiltinKinds.openAPI.components))
        case .openAPIv3(let group, let version):
            return .ok(OpenAPIDocuments.v3GroupVersion(
                registry.served, group: group, version: version, builtins: BuiltinKinds.openAPI.components))
        case .coreVersions:
            if DiscoveryDocuments.wantsAggregated(accept: request.accept) {
                return .ok(DiscoveryDocuments.aggregated(registry.served, legacyCore: true),
                           contentType: DiscoveryDocuments.aggregatedContentType)
            }
            return .ok(DiscoveryDocuments.apiVersions(serverAddress: serverAddress))
        case .groups:
            if DiscoveryDocuments.wantsAggregated(accept: request.accept) {
                return .ok(DiscoveryDocuments.aggregated(registry.served, legacyCore: false),
                           contentType: DiscoveryDocuments.aggregatedContentType)
            }
            return .ok(DiscoveryDocuments.groupList(registry.served))
        case .group(let name):
            guard let document = DiscoveryDocuments.group(registry.served, name: name) else { return Self.pageNotFound }
            return .ok(document)
        case .groupVersion(let group, let version):
            guard let document = DiscoveryDocuments.resourceList(registry.served, group: group, version: version)
            else {
                if !group.isEmpty, !servesGroup(group) { return Self.pageNotFound }
                throw Self.notFound()
            }
            return .ok(document)
        case .resource(let target):
            return try await handleResource(target, request)
        }
    }

    /// The answer of kube-apiserver's HTTP mux to a path no API handler claims (an unknown
    /// group, `/foo`): Go's plain-text `404 page not found`, not a `Status`.
    static let pageNotFound = APIResponse.json(
        status: 404, body: "404 page not found\n", contentType: "text/plain; charset=utf-8")

    /// Whether some served resource belongs to API group `name`.
    private func servesGroup(_ name: String) -> Bool {
        registry.served.contains { $0.type.group == name }
    }

    /// kube-apiserver's answer to a path of a served API group (or the core API) that names no
    /// version or resource it serves.
    static func notFound() -> APIError {
        .generic(code: 404, reason: .notFound, message: "the server could not find the requested resource")
    }

    private func handleResource(_ target: ResourceTarget, _ request: APIRequest) async throws -> APIResponse {
        guard let served = registry.resource(group: target.group, version: target.version, resource: target.resource)
        else {
            // A group the server does not serve is routed by no API handler: kube's mux answers.
            if !target.group.isEmpty, !servesGroup(target.group) { return Self.pageNotFound }
            throw Self.notFound()
        }
        let type = served.type
        if target.namespace != nil, !type.namespaced { throw Self.notFound() }
        if let subresource = target.subresource, served.subresource(subresource) == nil { throw Self.notFound() }
        if let answer = try await authEndpoint(served, target, request) { return answer }
        Self.recordDeprecation(of: type)
        if let storage = BuiltinTypes.storage(of: type) {
            return try await handleStorageView(served, storage: storage, target, request)
        }
        if let answer = try await podSubresource(served, target, request) { return answer }
        let method = request.method.uppercased()
        guard let name = target.name else {
            switch method {
            case "GET":
                if request.flag("watch") { return try await watch(served, target, request) }
                return try await list(served, target, request)
            case "POST": return try await create(served, target, request)
            case "DELETE": return try await deleteCollection(served, target, request)
            default: throw Self.methodNotAllowed(method)
            }
        }
        if type.namespaced, target.namespace == nil { throw Self.notFound() }
        if method == "PATCH", !served.isCustomResource, !Self.builtinPatchTypes.contains(Self.mediaType(request.contentType)) {
            // The PATCH route of a built-in kind consumes only these: kube's router refuses the rest.
            throw APIError.generic(code: 415, reason: .unsupportedMediaType, message: "415: Unsupported Media Type")
        }
        switch (method, target.subresource) {
        case ("GET", nil), ("GET", "status"): return try await get(served, target, name: name, request)
        case ("GET", "scale"): return try await getScale(served, target, name: name)
        case ("PUT", "scale"): return try await updateScale(served, target, name: name, request)
        case ("PATCH", "scale"): return try await patchScale(served, target, name: name, request)
        case ("PUT", _): return try await update(served, target, name: name, request)
        case ("PATCH", _): return try await patch(served, target, name: name, request)
        case ("DELETE", nil): return try await delete(served, target, name: name, request)
        default: throw Self.methodNotAllowed(method)
        }
    }

    /// The request bodies the PATCH route of a built-in kind consumes.
    static let builtinPatchTypes: Set<String> = [
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml", "application/apply-patch+json", "application/apply-patch+cbor",
    ]

    /// kube-apiserver's answer to a verb a resource does not serve. Its message does not name
    /// `method` (kube's does not either); callers pass it so that the call site says which.
    static func methodNotAllowed(_ method: String) -> APIError {
        .generic(code: 405, reason: .methodNotAllowed,
                 message: "the server does not allow this method on the requested resource")
    }

    // MARK: Shared helpers

    /// RFC 3339 with seconds, as Kubernetes writes timestamps.
    var timestamp: String {
        now().formatted(Self.rfc3339)
    }

    /// `2006-01-02T15:04:05Z`: a value type, so no formatter is built per request.
    static let rfc3339 = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// A `Content-Type` without its parameters: `application/json` of `application/json; charset=utf-8`.
    static func mediaType(_ contentType: String) -> String {
        contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? ""
    }

    /// The object in a request body, JSON or YAML.
    static func decodeBody(_ request: APIRequest) throws -> JSONValue {
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        if request.contentType.hasPrefix(ProtobufCodec.mediaType) {
            // kubectl's generators (`kubectl create configmap …`) send built-in types as protobuf;
            // custom resources have no protobuf form, as in kube-apiserver.
            do {
                return try ProtobufCodec.decode(request.body)
            } catch ProtobufError.unknownKind(let apiVersion, let kind) where ProtobufCodec.servesProtobuf(path: request.path) {
                throw APIError.badRequest(
                    "\(kind) in version \"\(apiVersion)\" cannot be handled: no kind \"\(kind)\" is registered for version \"\(apiVersion)\"")
            } catch ProtobufError.unknownKind {
                throw APIError(
                    code: 415, reason: .unsupportedMediaType,
                    message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
            } catch {
                throw APIError.badRequest("error decoding protobuf: \(error)")
            }
        }
        let mediaType = mediaType(request.contentType)
        guard mediaType.isEmpty || mediaType.hasSuffix("json") || mediaType.hasSuffix("yaml") else {
            // kube-apiserver's input negotiation, which (unlike most 415s) leaves `details` out.
            throw APIError(
                code: 415, reason: .unsupportedMediaType,
                message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
        }
        if request.contentType.contains("yaml") {
            let text = String(decoding: request.body, as: UTF8.self)
            do {
                let documents = try DocumentDecoder.decode(text, file: nil, parallel: false)
                guard documents.count == 1, let document = documents.first else {
                    throw APIError.badRequest("the request body must hold exactly one YAML document")
                }
                return document.value
            } catch let error as DecodeError {
                throw APIError.badRequest("error decoding YAML: \(error)")
            }
        }
        do {
            return try JSONValue(parsingJSON: request.body)
        } catch {
            throw APIError.badRequest("error decoding JSON: \(error)")
        }
    }
}
