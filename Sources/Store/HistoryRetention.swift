import Foundation
public import Resources

/// Compaction by age, as kube-apiserver asks etcd for it (`--etcd-compaction-interval`, 5
/// minutes): the store notes which resourceVersion was current at moments a tenth of the
/// retention apart, and compacts up to the newest one noted at least `retention` ago. History
/// therefore reaches between `retention` and 1.1 × `retention` back; a watch or a continue
/// token from before that gets `410 Gone` (`Expired`).
///
/// A value type without I/O or clock: the caller passes the time. A zero retention compacts nothing.
///
/// ```swift
/// var checkpoints = HistoryCheckpoints(retention: .seconds(300))
/// checkpoints.record(resourceVersion: 120, at: now)
/// let target = checkpoints.compactionTarget(at: now)   // 0 until 5 minutes have passed
/// ```
struct HistoryCheckpoints: Sendable {
    let retention: Duration
    /// (when, resourceVersion current then), oldest first.
    private(set) var checkpoints: [(at: ContinuousClock.Instant, resourceVersion: Int64)] = []

    init(retention: Duration) {
        self.retention = retention
    }

    /// Notes `resourceVersion` as current at `now`, unless a checkpoint is more recent than a
    /// tenth of the retention.
    mutating func record(resourceVersion: Int64, at now: ContinuousClock.Instant) {
        guard retention > .zero else { return }
        if let last = checkpoints.last, now - last.at < retention / 10 { return }
        checkpoints.append((now, resourceVersion))
    }

    /// The resourceVersion history may now be compacted up to (0: none is old enough since the
    /// last call), dropping the checkpoints it used.
    mutating func compactionTarget(at now: ContinuousClock.Instant) -> Int64 {
        var target: Int64 = 0
        while let first = checkpoints.first, now - first.at >= retention {
            target = first.resourceVersion
            checkpoints.removeFirst()
        }
        return target
    }
}

/// etcd's `--max-request-bytes` (1.5 MiB) as the embedded store applies it: an object whose
/// stored form (its JSON and its key) is larger is refused with the error kube-apiserver passes
/// on from etcd, a 500 `etcdserver: request is too large` without a reason.
public enum ObjectSizeLimit {
    /// etcd's default `--max-request-bytes`.
    public static let etcdDefault = 1_572_864

    /// kube-apiserver's answer when etcd refuses a write for its size.
    public static let tooLarge: APIError = {
        var error = APIError(code: 500, reason: APIError.Reason(rawValue: ""), message: "etcdserver: request is too large")
        error.keepsEmptyDetails = false
        return error
    }()
}

extension StoreTransaction {
    /// Refuses an object larger than ``maxObjectBytes`` (a dry run stores nothing, so it passes,
    /// as in kube-apiserver, where a dry run never reaches etcd).
    func checkSize(_ key: ObjectKey, _ data: Data) throws {
        guard maxObjectBytes > 0, !dryRun else { return }
        let size = data.count + key.type.utf8.count + key.namespace.utf8.count + key.name.utf8.count
        if size > maxObjectBytes { throw ObjectSizeLimit.tooLarge }
    }
}
