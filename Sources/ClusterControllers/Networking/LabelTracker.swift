import ControllerRuntime
import OrderedCollections
import Resources
import Synchronization

/// A label map per object of one informer — Pods' labels, or Services' selectors — kept from
/// its events, so that the endpoint controllers can match Services and Pods without parsing
/// every object of a namespace again for each Service or Pod that changes (quadratic in the
/// size of a namespace: at 1,000 applications in one namespace, most of the plane's CPU).
final class LabelTracker: Sendable {
    private let maps = Mutex<[String: [ObjectKey: [String: String]]]>([:])
    private let extract: @Sendable (Resource) -> [String: String]?

    /// Follows `informer`, keeping `extract(object)` for each object (none when it gives `nil`).
    /// Create it before the handlers that queue work from the same informer.
    init(_ informer: Informer, extract: @escaping @Sendable (Resource) -> [String: String]?) {
        self.extract = extract
        informer.addHandler { [weak self] event in self?.apply(event) }
    }

    func apply(_ event: InformerEvent) {
        let object = event.object
        let key = ObjectKey(object)
        let namespace = object.namespace ?? ""
        let map: [String: String]? = if case .deleted = event { nil } else { extract(object) }
        maps.withLock { maps in
            if let map {
                maps[namespace, default: [:]][key] = map
            } else {
                maps[namespace]?[key] = nil
            }
        }
    }

    /// The keys in `namespace` whose map satisfies `predicate`, sorted.
    func keys(in namespace: String?, where predicate: ([String: String]) -> Bool) -> [ObjectKey] {
        maps.withLock { maps in
            (maps[namespace ?? ""] ?? [:]).filter { predicate($0.value) }.map(\.key)
        }.sorted()
    }
}

extension ServiceEndpoints {
    /// Whether a plain label map carries every label of `selector`.
    static func matches(_ selector: [String: String], labels: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// The Pods that back `service`, found through `labels` (the Pods' labels) and read from
    /// `pods` — only those are parsed.
    static func pods(of service: Resource, labels: LabelTracker, pods: Informer) -> [Resource] {
        guard let selector = selector(of: service) else { return [] }
        return labels.keys(in: service.namespace) { matches(selector, labels: $0) }.compactMap { pods.cache.get($0) }
            .filter { matches(selector, labels: $0.labels) }
    }
}
