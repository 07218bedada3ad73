import OrderedCollections
import Foundation
import GRDB
import Resources

/// Reads pages of objects of one type, from the current state or, for the later pages of a list,
/// from the history at the first page's resourceVersion.
enum ObjectListing {
    /// One list request, resolved to what to read.
    struct Query {
        var type: String
        var namespace: String?
        var labelSelector: LabelSelector
        var fieldSelector: FieldSelector
        /// Read the state at this resourceVersion from the history; `nil` for the current state.
        var historyAt: Int64?
        /// Start after this key.
        var after: (namespace: String, name: String)?
        var limit: Int?
    }

    struct Page<Item> {
        var items: [Item]
        /// The key of the last item, when more items follow.
        var more: (namespace: String, name: String)?
    }

    /// What a list returns for each object of a row: its bytes (column 3), and the object when
    /// a field selector had to decode it already.
    typealias ItemReader<Item> = @Sendable (_ row: Row, _ decoded: Resource?) throws -> Item

    /// Objects, decoded.
    static let objects: ItemReader<Resource> = { row, decoded in try decoded ?? StoreTransaction.decode(row, column: 3) }

    /// The JSON bytes as stored, not decoded.
    static let encoded: ItemReader<Data> = { row, _ in
        try row.withUnsafeData(atIndex: 3) { data in
            guard let data else { throw APIError.internalError("an object is stored without data") }
            return Data(data)
        }
    }

    /// The one namespace a query reads, if it reads one.
    private static func singleNamespace(_ query: Query) -> String? {
        query.namespace
            ?? query.fieldSelector.requirements.first { $0.field == "metadata.namespace" && !$0.negated }?.value
    }

    /// The sort key: with one namespace, SQLite must see `name` alone, or it sorts the whole
    /// remainder of the type in a temporary B-tree before returning the first row.
    private static func order(_ query: Query) -> String {
        singleNamespace(query) != nil ? "name" : "namespace, name"
    }

    private static func conditions(_ query: Query) -> (String, StatementArguments) {
        var clauses = ["type = ?"]
        var arguments: StatementArguments = [query.type]
        let namespace = singleNamespace(query)
        if let namespace {
            clauses.append("namespace = ?")
            arguments += [namespace]
        }
        // Name and namespace are columns; other fields are matched on the decoded objects.
        for requirement in query.fieldSelector.requirements where requirement.isOnKey {
            let column = requirement.field == "metadata.name" ? "name" : "namespace"
            clauses.append("\(column) \(requirement.negated ? "!=" : "=") ?")
            arguments += [requirement.value]
        }
        if let after = query.after {
            if let namespace {
                if after.namespace == namespace {
                    clauses.append("name > ?")
                    arguments += [after.name]
                } else if after.namespace > namespace {
                    clauses.append("0")
                }
            } else {
                clauses.append("(namespace, name) > (?, ?)")
                arguments += [after.namespace, after.name]
            }
        }
        if let rv = query.historyAt {
            clauses.append("rv <= ?")
            arguments += [rv]
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    static func labels(_ row: Row, column: Int) throws -> [String: String] {
        try row.withUnsafeData(atIndex: column) { data in
            guard let data else { return [:] }
            guard case .object(let members) = try JSONValue(parsingJSON: data) else { return [:] }
            var out: [String: String] = [:]
            for (key, value) in members { if let string = value.stringValue { out[key] = string } }
            return out
        }
    }

    static func read<Item>(_ db: Database, _ query: Query, item: ItemReader<Item>) throws -> Page<Item> {
        let (whereClause, arguments) = conditions(query)
        let sql: String
        if query.historyAt != nil {
            // SQLite takes the bare columns of a MAX() aggregate from the row holding the maximum.
            sql = """
                SELECT namespace, name, labels, data, event, MAX(rv) FROM history WHERE \(whereClause)
                GROUP BY \(order(query)) ORDER BY \(order(query))
                """
        } else {
            let filtersRows = !query.labelSelector.isEmpty || query.fieldSelector.selectsOnObject
            let limitClause = !filtersRows && query.limit != nil ? " LIMIT \(query.limit! + 1)" : ""
            sql = "SELECT namespace, name, labels, data FROM objects WHERE \(whereClause) ORDER BY \(order(query))\(limitClause)"
        }
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        var items: [Item] = []
        var last: (namespace: String, name: String)?
        var more = false
        while let row = try cursor.next() {
            if query.historyAt != nil, (row[4] as Int) == StoreEvent.Kind.deleted.rawValue { continue }
            if !query.labelSelector.isEmpty, !query.labelSelector.matches(try labels(row, column: 2)) { continue }
            var object: Resource?
            if query.fieldSelector.selectsOnObject {
                let decoded = try StoreTransaction.decode(row, column: 3)
                guard query.fieldSelector.matches(decoded) else { continue }
                object = decoded
            }
            if let limit = query.limit, items.count >= limit {
                more = true
                break
            }
            items.append(try item(row, object))
            last = (row[0], row[1])
        }
        return Page(items: items, more: more ? last : nil)
    }

    /// How many objects follow `after` (for `remainingItemCount`).
    static func count(_ db: Database, _ query: Query) throws -> Int64 {
        let (whereClause, arguments) = conditions(query)
        let sql =
            query.historyAt != nil
            ? """
            SELECT COUNT(*) FROM (SELECT event, MAX(rv) FROM history WHERE \(whereClause)
            GROUP BY \(order(query))) WHERE event != 2
            """
            : "SELECT COUNT(*) FROM objects WHERE \(whereClause)"
        return try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
    }

    /// A list as the API serves it: the page, the resourceVersion it reflects, and the token for
    /// the next page.
    static func list(_ db: Database, type: ResourceType, namespace: String?, options: ListOptions) throws -> ObjectList {
        try list(db, type: type, namespace: namespace, options: options, item: objects)
    }

    /// The same list with each object as the JSON bytes the store holds.
    static func listEncoded(
        _ db: Database, type: ResourceType, namespace: String?, options: ListOptions
    ) throws -> EncodedObjectList {
        try list(db, type: type, namespace: namespace, options: options, item: encoded)
    }

    static func list<Item>(
        _ db: Database, type: ResourceType, namespace: String?, options: ListOptions, item: ItemReader<Item>
    ) throws -> ListPage<Item> {
        let current = try StoreSchema.currentResourceVersion(db)
        let compacted = try StoreSchema.compactedResourceVersion(db)
        var at = current
        var after: (namespace: String, name: String)?
        if let token = options.continueToken, !token.isEmpty {
            if let rv = options.resourceVersion, rv != 0 {
                throw APIError.badRequest("specifying resource version is not allowed when using continue")
            }
            let decoded = try ContinueToken(decoding: token)
            if decoded.resourceVersion < compacted {
                throw APIError.expired(
                    "The provided continue parameter is too old to display a consistent list result. "
                        + "You can start a new list without the continue parameter.")
            }
            if decoded.resourceVersion > current {
                throw APIError.badRequest("continue key is not valid: the resource version is in the future")
            }
            at = decoded.resourceVersion
            after = (decoded.namespace, decoded.name)
        } else if let rv = options.resourceVersion, rv != 0 {
            if rv > current { throw SQLiteStore.tooLargeResourceVersion(rv, current: current) }
            if options.resourceVersionMatch == .exact {
                if rv < compacted {
                    throw APIError.expired("The resourceVersion for the provided list is too old.")
                }
                at = rv
            }
        }
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        var query = Query(
            type: type.storageKey, namespace: type.namespaced ? namespace : nil, labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector, historyAt: at == current ? nil : at, after: after, limit: limit)
        let page = try read(db, query, item: item)
        var list = ListPage(items: page.items, resourceVersion: at)
        if let more = page.more {
            list.continueToken = ContinueToken(resourceVersion: at, namespace: more.namespace, name: more.name).encoded
            if options.labelSelector.isEmpty, options.fieldSelector.isEmpty {
                query.after = more
                list.remainingItemCount = try count(db, query)
            }
        }
        return list
    }
}
