import APIMachinery
import OrderedCollections
import Resources
import Store

extension APIHandler {
    func get(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        let object = try await store.get(served.type, namespace: target.namespace, name: name)
        if TableConverter.acceptsTable(request.accept) {
            return .ok(table([object], served, request, resourceVersion: nil), contentType: Self.tableContentType)
        }
        return .ok(object.value)
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
                throw APIError.badRequest("unable to parse requirement: \(error)")
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
        let result = try await store.list(served.type, namespace: target.namespace, options: listOptions(request, served))
        if TableConverter.acceptsTable(request.accept) {
            var table = table(result.items, served, request, resourceVersion: String(result.resourceVersion))
            if let token = result.continueToken { table["metadata"]?["continue"] = .string(token) }
            return .ok(table, contentType: Self.tableContentType)
        }
        var metadata: JSONObject = ["resourceVersion": .string(String(result.resourceVersion))]
        if let token = result.continueToken { metadata["continue"] = .string(token) }
        if let remaining = result.remainingItemCount { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        return .ok([
            "kind": .string(served.type.listKind), "apiVersion": .string(served.type.groupVersion.apiVersion),
            "metadata": .object(metadata), "items": .array(result.items.map(\.value)),
        ])
    }

    func table(_ objects: [Resource], _ served: ServedResource, _ request: APIRequest, resourceVersion: String?)
        -> JSONValue
    {
        TableConverter.table(
            for: objects, type: served.type, additionalPrinterColumns: served.additionalPrinterColumns,
            now: timestamp, includeObject: IncludeObject(queryValue: request.query["includeObject"]),
            resourceVersion: resourceVersion)
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
        let events = try await store.watch(served.type, namespace: target.namespace, options: options, from: from)
        let asTable = TableConverter.acceptsTable(request.accept)
        let handler = self
        // kube-apiserver ends a watch after timeoutSeconds, or after 30 to 60 minutes.
        let timeout = Duration.seconds(request.query["timeoutSeconds"].flatMap(Int.init) ?? Int.random(in: 1800...3600))
        let stream = AsyncThrowingStream<JSONValue, any Error> { continuation in
            // The watch outlives this call: the response body reads it later. The task is tied to
            // the stream: it ends when the stream's reader goes (onTermination cancels it), when
            // the store's events end, or at the timeout.
            let task = Task {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for try await event in events {
                                guard let line = handler.watchLine(
                                    event, served: served, request: request, bookmarks: bookmarks, asTable: asTable)
                                else { continue }
                                continuation.yield(line)
                            }
                        } catch is CancellationError {
                        } catch {
                            continuation.finish(throwing: error)
                        }
                    }
                    group.addTask { try? await Task.sleep(for: timeout) }
                    await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
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
