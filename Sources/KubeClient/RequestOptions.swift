import Resources

/// Options of a list: selectors and paging.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: LabelSelector?
    /// A field selector (`metadata.name=web`), sent as written.
    public var fieldSelector: String?
    /// The most items per page; `nil` for all.
    public var limit: Int?
    /// The `continue` token of the previous page.
    public var continueToken: String?
    /// `resourceVersion` (`"0"` lets the server answer from its cache).
    public var resourceVersion: String?

    public init(
        labelSelector: LabelSelector? = nil, fieldSelector: String? = nil, limit: Int? = nil,
        continueToken: String? = nil, resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector.description)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken { query.append(("continue", continueToken)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        return query
    }
}

/// One page of a list.
public struct ResourceList: Sendable, Hashable {
    public var items: [Resource]
    /// The list's `metadata.resourceVersion`: where a watch continues from.
    public var resourceVersion: String
    /// The token for the next page; `nil` on the last.
    public var continueToken: String?
    public var remainingItemCount: Int?

    public init(items: [Resource], resourceVersion: String, continueToken: String? = nil, remainingItemCount: Int? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// Options of a write.
public struct WriteOptions: Sendable, Hashable {
    /// Who makes the change, as recorded in `managedFields`.
    public var fieldManager: String?
    /// Validate and answer without storing.
    public var dryRun: Bool

    public init(fieldManager: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        if dryRun { query.append(("dryRun", "All")) }
        return query
    }
}

/// How a patch document is read.
public enum PatchType: String, Sendable, Hashable, CaseIterable {
    /// RFC 7386 JSON merge patch.
    case merge
    /// RFC 6902 JSON patch (an array of operations).
    case json
    /// Kubernetes strategic merge patch (lists merged by key, for built-in types).
    case strategic
    /// Server-side apply; see ``KubernetesClient/apply(_:fieldManager:force:subresource:dryRun:)``.
    case apply

    /// The `Content-Type` the server reads it by.
    public var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        case .strategic: "application/strategic-merge-patch+json"
        case .apply: "application/apply-patch+yaml"
        }
    }
}

/// What happens to dependents when an object is deleted.
public enum PropagationPolicy: String, Sendable, Hashable, CaseIterable {
    case background = "Background"
    case foreground = "Foreground"
    case orphan = "Orphan"
}

/// Options of a watch.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: LabelSelector?
    public var fieldSelector: String?
    /// Where to start; `nil` or `"0"` starts with an ADDED event for every existing object.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events, which move a resume point forward on quiet types.
    public var allowBookmarks: Bool
    /// When the server should end the watch.
    public var timeoutSeconds: Int?

    public init(
        labelSelector: LabelSelector? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowBookmarks: Bool = true, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowBookmarks = allowBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var query: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector.description)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        if allowBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { query.append(("timeoutSeconds", String(timeoutSeconds))) }
        return query
    }
}
