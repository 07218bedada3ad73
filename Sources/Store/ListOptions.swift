import OrderedCollections
public import Resources

/// The options of a list or a watch (`metav1.ListOptions`).
public struct ListOptions: Sendable, Hashable {
    /// How a list's `resourceVersion` is read (`resourceVersionMatch`).
    public enum ResourceVersionMatch: Sendable, Hashable {
        /// The latest state, which must be at least `resourceVersion`.
        case notOlderThan
        /// The state exactly at `resourceVersion` (from the history kept).
        case exact
    }

    public var labelSelector: LabelSelector
    public var fieldSelector: FieldSelector
    /// The page size of a list; `nil` or 0 for everything.
    public var limit: Int?
    /// The `continue` token of the previous page.
    public var continueToken: String?
    /// For lists: `nil` or 0 for the latest state; otherwise see ``resourceVersionMatch``.
    public var resourceVersion: Int64?
    public var resourceVersionMatch: ResourceVersionMatch
    /// For watches: send `BOOKMARK` events (see ``SQLiteStore/emitBookmarks()``).
    public var allowWatchBookmarks: Bool
    /// For watches: start with an `ADDED` event for every matching object at the starting
    /// resourceVersion (what kube-apiserver does for a watch without resourceVersion, or with "0").
    public var sendInitialEvents: Bool

    public init(
        labelSelector: LabelSelector = .everything, fieldSelector: FieldSelector = .everything,
        limit: Int? = nil, continueToken: String? = nil, resourceVersion: Int64? = nil,
        resourceVersionMatch: ResourceVersionMatch = .notOlderThan, allowWatchBookmarks: Bool = false,
        sendInitialEvents: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
    }
}
