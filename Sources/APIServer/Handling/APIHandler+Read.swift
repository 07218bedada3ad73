import APIMachinery
import BuiltinKinds
import Foundation
import OrderedCollections
import Resources
import Store

extension APIHandler {
    func get(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        let object = try await store.get(served.type, namespace: target.namespace, name: name)
        if TableConverter.acceptsTable(request.accept) {
            return .ok(table([object], served, request, resourceVersion: object.resourceVersion),
                       contentType: Self.tableContentType)
        }
        let metadataOnly = PartialMetadataRequest(accept: request.accept)
        if metadataOnly.object { return .ok(Self.partialObjectMetadata(object)) }
        if metadataOnly.onlyPartial {
            throw APIError(code: 406, reason: .notAcceptable,
                           message: "you requested PartialObjectMetadataList, but the requested object is not a list (\(served.type.kind))")
        }
        return .ok(object.value)
    }

    /// What an `Accept` header asks of the metadata-only forms client-go's metadata client
    /// (and its informers) use: `application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io`
    /// for an object, `as=PartialObjectMetadataList` for a list.
    struct PartialMetadataRequest {
        /// `as=PartialObjectMetadata` is acceptable.
        var object = false
        /// `as=PartialObjectMetadataList` is acceptable.
        var list = false
        /// Nothing but those forms is acceptable: kube answers 406 to a request for the other one.
        var onlyPartial = false

        init(accept: String) {
            var other = false
            for range in accept.split(separator: ",") {
                let parameters = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                let form = parameters.first { $0.hasPrefix("as=") }
                guard let form else {
                    other = true
                    continue
                }
                guard parameters.contains("g=meta.k8s.io"),
                    parameters.contains("v=v1") || parameters.contains("v=v1beta1")
                else { continue }
                if form == "as=PartialObjectMetadata" { object = true }
                if form == "as=PartialObjectMetadataList" { list = true }
                if form == "as=Table" { other = true }
            }
            onlyPartial = (object || list) && !other
        }
    }

    /// An object reduced to its metadata, as `meta.k8s.io/v1` `PartialObjectMetadata`.
    static func partialObjectMetadata(_ object: Resource) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": .object(object.metadata)]
    }

    static var tableContentType: String { TableConverter.contentType }

    /// The fields a field selector may name for `served`: a CRD's `selectableFields`, or those
    /// kube-apiserver registers for the built-in kind.
    static func selectableFields(_ served: ServedResource) -> SelectableFields {
        served.isCustomResource
            ? .customResource(namespaced: served.type.namespaced, jsonPaths: served.selectableFields)
            : .forKind(group: served.type.group, kind: served.type.kind)
    }

    func listOptions(_ request: APIRequest, _ served: ServedResource) throws -> ListOptions {
        var options = ListOptions()
        if let text = request.query["labelSelector"], !text.isEmpty {
            do {
                options.labelSelector = try LabelSelector(parsing: text)
            } catch {
                // The parser words its errors as apimachinery does; kubectl prints them.
                throw APIError.badRequest(error.description)
            }
        }
        if let text = request.query["fieldSelector"], !text.isEmpty {
            options.fieldSelector = try FieldSelector(parsing: text, fields: Self.selectableFields(served))
        }
        if let limit = request.query["limit"] {
            guard let value = Int(limit), value >= 0 else { throw APIError.badRequest("invalid limit \"\(limit)\"") }
            options.limit = value == 0 ? nil : value
        }
        if let token = request.query["continue"], !token.isEmpty { options.continueToken = token }
        return options
    }

    func list(_ served: ServedResource, _ target: ResourceTarget, _ request: APIRequest) async throws -> APIResponse {
        if takesEncodedItems(request) {
            // The items go out as the store holds them: the same JSON decoding and writing them
            // again would give, without the work (most of a large list's cost).
            let result = try await store.listEncoded(
                served.type, namespace: target.namespace, options: listOptions(request, served))
            return .encodedList(
                envelope: [
                    "kind": .string(served.type.listKind), "apiVersion": .string(served.type.groupVersion.apiVersion),
                    "metadata": .object(Self.listMetadata(
                        resourceVersion: result.resourceVersion, continueToken: result.continueToken,
                        remainingItemCount: result.remainingItemCount)),
                ],
                items: result.items)
        }
        let result = try await store.list(served.type, namespace: target.namespace, options: listOptions(request, served))
        if TableConverter.acceptsTable(request.accept) {
            var table = table(result.items, served, request, resourceVersion: String(result.resourceVersion))
            if let token = result.continueToken { table["metadata"]?["continue"] = .string(token) }
            return .ok(table, contentType: Self.tableContentType)
        }
        let metadata = Self.listMetadata(
            resourceVersion: result.resourceVersion, continueToken: result.continueToken,
            remainingItemCount: result.remainingItemCount)
        let metadataOnly = PartialMetadataRequest(accept: request.accept)
        if metadataOnly.list {
            // kube writes an empty list of these with `"items": null`.
            return .ok([
                "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
                "items": result.items.isEmpty ? .null : .array(result.items.map(Self.partialObjectMetadata)),
            ])
        }
        if metadataOnly.onlyPartial {
            throw APIError(code: 406, reason: .notAcceptable,
                           message: "you requested PartialObjectMetadata, but the requested object is a list (\(served.type.listKind))")
        }
        return .ok([
            "kind": .string(served.type.listKind), "apiVersion": .string(served.type.groupVersion.apiVersion),
            "metadata": .object(metadata), "items": .array(result.items.map(\.value)),
        ])
    }

    /// A list's `metadata`: its resourceVersion, the continue token and the count of what follows.
    static func listMetadata(resourceVersion: Int64, continueToken: String?, remainingItemCount: Int64?) -> JSONObject {
        var metadata: JSONObject = ["resourceVersion": .string(String(resourceVersion))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        if let remainingItemCount { metadata["remainingItemCount"] = .int(remainingItemCount) }
        return metadata
    }

    /// Whether `request` may have its list's items as stored: the HTTP server takes them, and
    /// the client wants plain JSON lists (not a Table, metadata only, or protobuf) of objects as
    /// stored (not converted for another API version).
    func takesEncodedItems(_ request: APIRequest) -> Bool {
        guard request.takesEncodedItems, StorageView.current == nil, !TableConverter.acceptsTable(request.accept)
        else { return false }
        let metadataOnly = PartialMetadataRequest(accept: request.accept)
        return !metadataOnly.list && !metadataOnly.onlyPartial
            && !ProtobufCodec.prefersProtobuf(accept: request.accept)
            && !ProtobufCodec.acceptsOnlyProtobuf(accept: request.accept)
    }

    func table(_ objects: [Resource], _ served: ServedResource, _ request: APIRequest, resourceVersion: String?)
        -> JSONValue
    {
        TableConverter.table(
            for: objects, type: served.type, additionalPrinterColumns: served.additionalPrinterColumns,
            now: timestamp, includeObject: IncludeObject(queryValue: request.query["includeObject"]),
            resourceVersion: resourceVersion, fieldDescriptions: Self.fieldDescriptions)
    }

    /// The documentation of a built-in field, from the upstream OpenAPI schemas: kube describes
    /// a Table's columns with it.
    static let fieldDescriptions: TableConverter.FieldDescriptions = { schema, property in
        BuiltinKinds.openAPI.schemas[schema]?["properties"]?[property]?["description"]?.stringValue
    }

    func watch(_ served: ServedResource, _ target: ResourceTarget, _ request: APIRequest) async throws -> APIResponse {
        var options = try listOptions(request, served)
        var from: Int64?
        if let text = request.query["resourceVersion"], !text.isEmpty, text != "0" {
            guard let value = Int64(text) else { throw APIError.badRequest("invalid resourceVersion \"\(text)\"") }
            from = value
        } else {
            // Without a resourceVersion (or with "0") a watch starts with every object, ADDED.
            options.sendInitialEvents = true
        }
        let bookmarks = request.flag("allowWatchBookmarks")
        options.allowWatchBookmarks = bookmarks
        let events: AsyncThrowingStream<WatchEvent, any Error>
        do {
            events = try await store.watch(served.type, namespace: target.namespace, options: options, from: from)
        } catch let error as APIError where error.code == 410 {
            // A resourceVersion older than the history kept: kube starts the watch (200) and
            // sends one ERROR event holding the 410 Expired Status, which informers relist on.
            let (stream, continuation) = AsyncThrowingStream<JSONValue, any Error>.makeStream()
            continuation.yield(["type": "ERROR", "object": error.status])
            continuation.finish()
            return .watch(stream, contentType: "application/json")
        }
        let asTable = TableConverter.acceptsTable(request.accept)
        let metadataOnly = PartialMetadataRequest(accept: request.accept)
        let handler = self
        // kube-apiserver ends a watch after timeoutSeconds, or after 30 to 60 minutes.
        let timeout = Duration.seconds(request.query["timeoutSeconds"].flatMap(Int.init) ?? Int.random(in: 1800...3600))
        // The watch outlives this call: the response body reads it later. Its task hands each
        // line over when the reader asks (so it never runs ahead of a slow reader, holding events
        // parsed), and ends when the reader goes (dropping the stream cancels it), when the
        // store's events end, or at the timeout.
        let stream = HandOff<JSONValue>.stream { lines in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await event in events {
                            guard var line = handler.watchLine(
                                event, served: served, request: request, bookmarks: bookmarks, asTable: asTable)
                            else { continue }
                            if !asTable, metadataOnly.object || metadataOnly.list, let object = event.object {
                                line["object"] = Self.partialObjectMetadata(object)
                            }
                            try await lines.write(line)
                        }
                    } catch is CancellationError {
                    } catch {
                        lines.finish(error)
                    }
                }
                group.addTask { try? await Task.sleep(for: timeout) }
                await group.next()
                group.cancelAll()
            }
        }
        return .watch(stream, contentType: asTable ? Self.tableContentType : "application/json")
    }

    /// One event as kube-apiserver writes it: `{"type": "ADDED", "object": {...}}`.
    func watchLine(_ event: WatchEvent, served: ServedResource, request: APIRequest, bookmarks: Bool, asTable: Bool)
        -> JSONValue?
    {
        switch event {
        case .bookmark(let resourceVersion, let initialEventsEnd):
            guard bookmarks else { return nil }
            var metadata: JSONObject = ["resourceVersion": .string(String(resourceVersion))]
            if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
            return [
                "type": "BOOKMARK",
                "object": [
                    "kind": .string(served.type.kind), "apiVersion": .string(served.type.groupVersion.apiVersion),
                    "metadata": .object(metadata),
                ],
            ]
        case .added(let object), .modified(let object), .deleted(let object):
            let object = asTable ? table([object], served, request, resourceVersion: object.resourceVersion) : object.value
            return ["type": .string(event.type), "object": object]
        }
    }
}
