import OrderedCollections
public import Resources
public import Foundation

/// A durable store of Kubernetes-style objects with etcd's and kube-apiserver's semantics:
/// one resourceVersion counter for all types, optimistic concurrency, finalizers, garbage
/// collection by owner references, namespace lifecycle, consistent paginated lists and watches.
///
/// Every error thrown is an ``APIError`` worded as kube-apiserver words it.
///
/// ```swift
/// let store = try SQLiteStore(directory: "/var/lib/mizzen")
/// let created = try await store.create(configMap, as: configMaps, dryRun: false)
/// let events = try await store.watch(configMaps, namespace: "default", options: ListOptions(),
///                                    from: Int64(created.resourceVersion!))
/// ```
public protocol ObjectStore: Sendable {
    /// Creates `object`, assigning `uid`, `creationTimestamp`, `generation` and `resourceVersion`
    /// (and a name from `generateName`).
    ///
    /// - Throws: `AlreadyExists`, `NotFound` (namespace), `Forbidden` (terminating namespace),
    ///   `Invalid` (no name).
    func create(_ object: Resource, as type: ResourceType, dryRun: Bool) async throws -> Resource

    /// The stored object.
    ///
    /// - Throws: `NotFound`.
    func get(_ type: ResourceType, namespace: String?, name: String) async throws -> Resource

    /// Replaces the stored object (or only its `status`), checking `metadata.resourceVersion` when
    /// it is set. An update that changes nothing writes nothing and returns the stored object.
    ///
    /// - Throws: `NotFound`, `Conflict`, `Invalid`.
    func update(_ object: Resource, as type: ResourceType, subresource: Subresource, dryRun: Bool) async throws
        -> Resource

    /// Deletes an object; when finalizers hold it, marks it with `deletionTimestamp` instead.
    ///
    /// - Returns: the object as deleted, or as marked for deletion.
    /// - Throws: `NotFound`, `Conflict` (preconditions), `Forbidden` (protected namespaces).
    func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws
        -> Resource

    /// Deletes every object of a type (in a namespace) that the selectors match.
    ///
    /// - Returns: the objects as deleted or marked, in list order.
    func deleteCollection(
        _ type: ResourceType, namespace: String?, options: ListOptions, deleteOptions: DeleteOptions
    ) async throws -> [Resource]

    /// Objects sorted by namespace and name, one page at a time when `options.limit` is set; all
    /// pages of one list reflect the same resourceVersion.
    ///
    /// - Throws: `Expired` (continue token too old), `BadRequest` (malformed token).
    func list(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> ObjectList

    /// The same list with each object as the JSON bytes the store holds, not decoded: for an
    /// API server that writes them out as they are.
    func listEncoded(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> EncodedObjectList

    /// Events of a type (in a namespace) after `resourceVersion` (`nil`: from now), in order,
    /// then live events, filtered by the selectors of `options`.
    ///
    /// - Throws: `Expired` (410) when `resourceVersion` is older than the history kept.
    func watch(_ type: ResourceType, namespace: String?, options: ListOptions, from resourceVersion: Int64?)
        async throws -> AsyncThrowingStream<WatchEvent, any Error>

    /// What happened to objects of a type after `resourceVersion`, in order, up to the latest
    /// write: a watch's replay without going live, for keeping an index of a type current by
    /// reading only what changed since the last look.
    ///
    /// - Returns: the events (`DELETED` with the object's last state) and the resourceVersion they
    ///   bring the reader to.
    /// - Throws: `Expired` (410) when `resourceVersion` is older than the history kept.
    func changes(_ type: ResourceType, after resourceVersion: Int64) async throws
        -> (events: [WatchEvent], resourceVersion: Int64)

    /// The resourceVersion of the latest write.
    func currentResourceVersion() async throws -> Int64
}

/// The part of an object an update writes.
public enum Subresource: Sendable, Hashable {
    /// Everything but `status` (for types with a status subresource).
    case main
    /// Only `status`.
    case status
}

/// One page of a list, its items as `Item`.
public struct ListPage<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    /// The resourceVersion the list reflects.
    public var resourceVersion: Int64
    /// The token for the next page, when there is one.
    public var continueToken: String?
    /// How many objects come after this page; set only for lists without selectors, as Kubernetes does.
    public var remainingItemCount: Int64?

    public init(items: [Item], resourceVersion: Int64, continueToken: String? = nil, remainingItemCount: Int64? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// One page of a list, each object as the JSON bytes the store holds.
public typealias EncodedObjectList = ListPage<Data>

/// One page of a list.
public typealias ObjectList = ListPage<Resource>

/// One event of a watch.
///
/// `DELETED` carries the object's last state with the resourceVersion of the deletion; when an
/// object stops matching the watch's selectors the watch sends `DELETED` with its previous state,
/// and `ADDED` when it starts matching.
public enum WatchEvent: Sendable, Hashable {
    case added(Resource)
    case modified(Resource)
    case deleted(Resource)
    /// Nothing changed for this watch up to `resourceVersion`. `initialEventsEnd` marks the end of
    /// the initial `ADDED` events of a watch with `sendInitialEvents` (the API server adds the
    /// `k8s.io/initial-events-end: "true"` annotation).
    case bookmark(resourceVersion: Int64, initialEventsEnd: Bool)

    /// `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`, as on the wire.
    public var type: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        }
    }

    /// The object, for all but bookmarks.
    public var object: Resource? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o
        case .bookmark: nil
        }
    }

    /// The event's resourceVersion.
    public var resourceVersion: Int64 {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): Int64(o.resourceVersion ?? "") ?? 0
        case .bookmark(let rv, _): rv
        }
    }
}
