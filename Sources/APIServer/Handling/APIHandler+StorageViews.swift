import APIMachinery
import BuiltinKinds
import Foundation
import OrderedCollections
import Resources
import Store

/// Requests to a type that is a view of objects stored under another group version
/// (`autoscaling/v1` HorizontalPodAutoscalers, `events.k8s.io/v1` Events): the request is
/// converted to the stored form, answered by the stored type's own endpoint, and its answer
/// converted back, so both APIs see the same objects, as in kube-apiserver.
extension APIHandler {
    func handleStorageView(
        _ view: ServedResource, storage: ServedResource, _ target: ResourceTarget, _ request: APIRequest
    ) async throws -> APIResponse {
        var forwarded = request
        forwarded.path = Self.storagePath(request.path, view: view.type, storage: storage.type)
        let method = request.method.uppercased()
        let isEvents = storage.type.kind == "Event"
        if isEvents, let selector = request.query["fieldSelector"], !selector.isEmpty {
            forwarded.query["fieldSelector"] = try Self.coreEventFieldSelector(selector)
        }
        switch method {
        case "POST", "PUT":
            let body = try Self.decodeBody(request)
            try Self.checkViewKind(body, view.type)
            var stored: JSONValue?
            if method == "PUT", let name = target.name {
                stored = try? await store.get(storage.type, namespace: target.namespace, name: name).value
            }
            let converted = toStorage(body, view: view.type, stored: stored)
            if isEvents, method == "POST" {
                let strict = EventConversion.strictCreateCauses(converted)
                if !strict.isEmpty, let object = converted.objectValue {
                    let resource = Resource(object: object)
                    var all = BuiltinKinds.validationCauses(resource, old: nil, kind: storage.type.groupVersionKind)
                    all += strict
                    throw APIError.invalid(kind: "Event", group: "", name: resource.name, causes: all)
                }
            }
            forwarded.body = converted.jsonBytes()
            forwarded.contentType = "application/json"
        case "PATCH":
            let contentType = Self.mediaType(request.contentType)
            if contentType.hasPrefix("application/apply-patch") {
                let body = try Self.decodeBody(APIRequest(method: "", path: "", contentType: "application/yaml", body: request.body))
                let configuration = view.type.kind == "Event"
                    ? EventConversion.toCore(body, whole: false) : toStorage(body, view: view.type, stored: nil)
                forwarded.body = configuration.jsonBytes()
                forwarded.contentType = "application/apply-patch+yaml"
            } else if let name = target.name {
                // The patch applies to the object as this API shows it; the result is stored as an update.
                let live = try await store.get(storage.type, namespace: target.namespace, name: name)
                let shown = toView(live.value, view: view.type)
                let document = try Self.decodeBody(request)
                let patched: JSONValue
                switch contentType {
                case "application/json-patch+json": patched = try JSONPatch.apply(document, to: shown)
                case "application/merge-patch+json": patched = JSONMergePatch.apply(document, to: shown)
                case "application/strategic-merge-patch+json":
                    let schema = registry.builtinPatchSchema(for: view.type) ?? .empty
                    patched = try StrategicMergePatch.apply(document, to: shown, schema: schema)
                default:
                    throw APIError(code: 415, reason: .unsupportedMediaType, message: "415: Unsupported Media Type")
                }
                var converted = toStorage(patched, view: view.type, stored: live.value)
                if converted["metadata"]?["resourceVersion"] == nil, case .object(var members) = converted {
                    var metadata = members["metadata"]?.objectValue ?? [:]
                    metadata["resourceVersion"] = .string(live.resourceVersion ?? "")
                    members["metadata"] = .object(metadata)
                    converted = .object(members)
                }
                forwarded.method = "PUT"
                forwarded.body = converted.jsonBytes()
                forwarded.contentType = "application/json"
            }
        default:
            break
        }
        let context = StorageView(type: view.type, toView: { [self] in
            view.type.kind == "Event" ? EventConversion.toEventsV1($0, filled: false) : toView($0, view: view.type)
        })
        let answer = await StorageView.$current.withValue(context) { await handle(forwarded) }
        return Self.viewResponse(answer, view: view.type, storage: storage.type, convert: { toView($0, view: view.type) })
    }

    /// The field labels of `events.k8s.io/v1` Events, as the core Event labels they select on.
    static let eventFieldLabels: [String: String] = [
        "metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace", "reason": "reason",
        "type": "type", "reportingController": "reportingComponent",
        "regarding.kind": "involvedObject.kind", "regarding.namespace": "involvedObject.namespace",
        "regarding.name": "involvedObject.name", "regarding.uid": "involvedObject.uid",
        "regarding.apiVersion": "involvedObject.apiVersion",
        "regarding.resourceVersion": "involvedObject.resourceVersion",
        "regarding.fieldPath": "involvedObject.fieldPath",
    ]

    /// An `events.k8s.io/v1` field selector (`regarding.name=web,type!=Normal`) in core Event labels.
    static func coreEventFieldSelector(_ selector: String) throws -> String {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for character in selector {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { current.append(character); escaped = true; continue }
            if character == "," { terms.append(current); current = ""; continue }
            current.append(character)
        }
        terms.append(current)
        return try terms.map { term in
            guard let operatorRange = term.firstRange(of: "!=") ?? term.firstRange(of: "==") ?? term.firstRange(of: "=")
            else { return term }
            let label = term[..<operatorRange.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let core = eventFieldLabels[label] else {
                throw APIError.badRequest("field label not supported: \(label)")
            }
            return core + term[operatorRange.lowerBound...]
        }.joined(separator: ",")
    }

    private func toStorage(_ object: JSONValue, view: ResourceType, stored: JSONValue?) -> JSONValue {
        view.kind == "Event" ? EventConversion.toCore(object) : HorizontalPodAutoscalerConversion.toV2(object, stored: stored)
    }

    private func toView(_ object: JSONValue, view: ResourceType) -> JSONValue {
        view.kind == "Event" ? EventConversion.toEventsV1(object) : HorizontalPodAutoscalerConversion.toV1(object)
    }

    /// `/apis/events.k8s.io/v1/namespaces/x/events/y` → `/api/v1/namespaces/x/events/y`.
    static func storagePath(_ path: String, view: ResourceType, storage: ResourceType) -> String {
        let viewRoot = view.group.isEmpty ? "/api/\(view.version)" : "/apis/\(view.group)/\(view.version)"
        let storageRoot = storage.group.isEmpty ? "/api/\(storage.version)" : "/apis/\(storage.group)/\(storage.version)"
        guard path.hasPrefix(viewRoot) else { return path }
        return storageRoot + path.dropFirst(viewRoot.count)
    }

    private static func checkViewKind(_ body: JSONValue, _ type: ResourceType) throws {
        let kind = body["kind"]?.stringValue ?? type.kind
        let apiVersion = body["apiVersion"]?.stringValue ?? type.groupVersion.apiVersion
        guard kind == type.kind, apiVersion == type.groupVersion.apiVersion else {
            throw APIError.badRequest(
                "the object is \(apiVersion), Kind=\(kind); this endpoint serves \(type.groupVersion.apiVersion), Kind=\(type.kind)")
        }
    }

    /// The stored type's answer as the view shows it: objects, list items, Table rows and watch
    /// events converted, and a `Status` naming the view's group.
    static func viewResponse(
        _ response: APIResponse, view: ResourceType, storage: ResourceType,
        convert: @escaping @Sendable (JSONValue) -> JSONValue
    ) -> APIResponse {
        switch response {
        case .json(let status, let body, let contentType):
            return .json(status: status, body: viewBody(body, view: view, storage: storage, convert: convert),
                         contentType: contentType)
        case .encodedList:
            // Not sent inside a view (``APIHandler/takesEncodedItems(_:)``); converted like any list if it were.
            return viewResponse(response.decoded, view: view, storage: storage, convert: convert)
        case .warned(let inner, let warnings):
            return .warned(viewResponse(inner, view: view, storage: storage, convert: convert), warnings: warnings)
        case .watch(let events, let contentType):
            let converted = AsyncThrowingStream<JSONValue, any Error> { continuation in
                let task = Task {
                    do {
                        for try await event in events {
                            continuation.yield(viewBody(event, view: view, storage: storage, convert: convert))
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return .watch(converted, contentType: contentType)
        }
    }

    private static func viewBody(
        _ body: JSONValue, view: ResourceType, storage: ResourceType, convert: (JSONValue) -> JSONValue
    ) -> JSONValue {
        guard case .object(var members) = body else { return body }
        let kind = members["kind"]?.stringValue
        let apiVersion = members["apiVersion"]?.stringValue
        if kind == storage.kind, apiVersion == storage.groupVersion.apiVersion { return convert(body) }
        if kind == storage.listKind, apiVersion == storage.groupVersion.apiVersion {
            members["apiVersion"] = .string(view.groupVersion.apiVersion)
            if let items = members["items"]?.arrayValue { members["items"] = .array(items.map(convert)) }
            return .object(members)
        }
        if kind == "Table", let rows = members["rows"]?.arrayValue {
            members["rows"] = .array(rows.map { row in
                guard case .object(var fields) = row, let object = fields["object"] else { return row }
                fields["object"] = viewBody(object, view: view, storage: storage, convert: convert)
                return .object(fields)
            })
            return .object(members)
        }
        if kind == nil, let type = members["type"], let object = members["object"] {
            // A watch event.
            members["type"] = type
            members["object"] = viewBody(object, view: view, storage: storage, convert: convert)
            return .object(members)
        }
        if kind == "Status", view.group != storage.group, case .object(var details)? = members["details"],
            (details["group"]?.stringValue ?? "") == storage.group
        {
            details["group"] = .string(view.group)
            members["details"] = .object(details)
            if let message = members["message"]?.stringValue, let name = details["name"]?.stringValue {
                let old = "\(storage.description) \"\(name)\""
                members["message"] = .string(message.replacingOccurrences(of: old, with: "\(view.description) \"\(name)\""))
            }
            return .object(members)
        }
        return body
    }
}

extension APIHandler {
    /// kube-apiserver's warning on every request to a deprecated built-in type (`v1` Endpoints).
    static func recordDeprecation(of type: ResourceType) {
        if type.group.isEmpty, type.resource == "endpoints" {
            WarningRecorder.record("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
        }
    }
}

/// The view a request came through while the stored type's endpoint handles it, so that the
/// field manager records the write in the view's version and field names.
struct StorageView: Sendable {
    @TaskLocal static var current: StorageView?

    var type: ResourceType
    var toView: @Sendable (JSONValue) -> JSONValue

    /// `object` (stored form) with the managed fields of this write computed on both objects as
    /// the view shows them.
    func recordingManagedFields(
        of object: Resource, old: Resource?, manager: FieldManager, name: String, time: String, schema: PatchSchema
    ) -> Resource {
        let live = old.map { toView($0.value) }
        let updated = manager.update(live: live, new: toView(object.value), manager: name, time: time, schema: schema)
        var result = object
        if type.kind == "Event" {
            // The typed decoding of the stored form dropped these nulls; kube writes them.
            for key in ["firstTimestamp", "lastTimestamp"] where result.object[key] == nil { result.object[key] = .null }
        }
        if let fields = updated["metadata"]?["managedFields"] {
            result.metadata["managedFields"] = fields
        } else {
            result.metadata.removeValue(forKey: "managedFields")
        }
        return result
    }
}
