#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrderedCollections
import Resources

/// Graceful deletion, as kube-apiserver's `BeforeDelete` does it for Pods: a delete with a
/// grace period above 0 marks the object — `deletionTimestamp` that far ahead,
/// `deletionGracePeriodSeconds`, the generation bumped — and leaves it for whoever stops it
/// (the kubelet), which deletes it with grace 0. A second delete may shorten the period,
/// never lengthen it; one with grace 0 deletes the object (or, with finalizers, leaves it
/// marked with grace 0, so that it goes when they are removed).
extension StoreTransaction {
    /// The result of a delete with `options` when graceful deletion decides it; `nil` when the
    /// ordinary delete should proceed.
    func gracefulDelete(_ key: ObjectKey, stored: Resource, options: DeleteOptions) throws -> Resource? {
        guard let grace = options.gracePeriodSeconds else { return nil }
        let current = stored.metadata["deletionGracePeriodSeconds"]?.intValue
        if grace <= 0 {
            // Deleting at once an object whose finalizers still hold it: its grace is over.
            guard stored.isBeingDeleted, let current, current > 0, !stored.finalizers.isEmpty else { return nil }
            return try mark(key, stored: stored, grace: 0, bumpGeneration: false)
        }
        if stored.isBeingDeleted {
            let deadline = Self.timestamp(after: grace)
            // Only a shorter period counts (RFC 3339 to the second compares as text).
            guard let current, current > 0, let existing = stored.deletionTimestamp, deadline < existing else {
                return stored
            }
            return try mark(key, stored: stored, grace: grace, bumpGeneration: false)
        }
        return try mark(key, stored: stored, grace: grace, bumpGeneration: true)
    }

    private func mark(_ key: ObjectKey, stored: Resource, grace: Int, bumpGeneration: Bool) throws -> Resource {
        var marked = stored
        marked.withMetadata { metadata in
            if bumpGeneration, let generation = metadata["generation"]?.intValue, generation > 0 {
                metadata["generation"] = .int(generation + 1)
            }
            metadata["deletionTimestamp"] = .string(Self.timestamp(after: grace))
            metadata["deletionGracePeriodSeconds"] = .int(Int64(grace))
            metadata = Self.canonicalOrder(metadata)
        }
        let written = try replace(key, old: stored, new: marked)
        var out = written
        if dryRun { out.resourceVersion = stored.resourceVersion }
        return out
    }

    /// Whether an update may remove `object` for being deleted without finalizers: not while a
    /// grace period runs.
    static func graceIsOver(_ object: Resource) -> Bool {
        (object.metadata["deletionGracePeriodSeconds"]?.intValue ?? 0) == 0
    }

    /// `seconds` from now, in RFC 3339 UTC to the second.
    static func timestamp(after seconds: Int) -> String {
        var when = time(nil) + time_t(seconds)
        var parts = tm()
        gmtime_r(&when, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
