import Foundation
import OrderedCollections
import Resources

/// The leader-election fields of a `coordination.k8s.io/v1` Lease's `spec`.
public struct LeaseRecord: Sendable, Hashable {
    /// Who holds the lease; `nil` or empty when nobody does (after a release).
    public var holderIdentity: String?
    /// How long the holder may go without renewing before others may take the lease.
    public var leaseDurationSeconds: Int
    /// When the current holder took the lease.
    public var acquireTime: Date?
    /// When the holder last renewed it.
    public var renewTime: Date?
    /// How many times the lease changed hands.
    public var leaseTransitions: Int

    public init(
        holderIdentity: String?, leaseDurationSeconds: Int, acquireTime: Date?, renewTime: Date?,
        leaseTransitions: Int
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// Reads a Lease's `spec`; missing fields read as zero or `nil`.
    public init(spec: JSONValue?) {
        holderIdentity = spec?["holderIdentity"]?.stringValue
        leaseDurationSeconds = Int(spec?["leaseDurationSeconds"]?.intValue ?? 0)
        acquireTime = spec?["acquireTime"]?.stringValue.flatMap(KubernetesTime.parse)
        renewTime = spec?["renewTime"]?.stringValue.flatMap(KubernetesTime.parse)
        leaseTransitions = Int(spec?["leaseTransitions"]?.intValue ?? 0)
    }

    /// The record as a Lease's `spec`, times as `MicroTime`.
    public var spec: JSONValue {
        var spec: JSONObject = [:]
        if let holderIdentity, !holderIdentity.isEmpty { spec["holderIdentity"] = .string(holderIdentity) }
        spec["leaseDurationSeconds"] = .int(Int64(leaseDurationSeconds))
        if let acquireTime { spec["acquireTime"] = .string(KubernetesTime.microTime(acquireTime)) }
        if let renewTime { spec["renewTime"] = .string(KubernetesTime.microTime(renewTime)) }
        spec["leaseTransitions"] = .int(Int64(leaseTransitions))
        return .object(spec)
    }

    /// Whether somebody holds the lease.
    public var isHeld: Bool { !(holderIdentity ?? "").isEmpty }

    /// Whether the holder's last renewal is more than `leaseDurationSeconds` before `now`.
    /// A record without `renewTime` never expires by this rule (observation decides then).
    public func isExpired(at now: Date) -> Bool {
        guard let renewTime else { return false }
        return renewTime.addingTimeInterval(TimeInterval(leaseDurationSeconds)) < now
    }
}

/// What one attempt to acquire or renew a lease does, decided from what it read; a pure
/// function of its inputs, so every rule of the election is tested without a server.
enum LeaseDecision: Sendable, Hashable {
    /// No lease exists: create it with this record.
    case create(LeaseRecord)
    /// Write this record over the one read (with its `resourceVersion`): a renewal when we
    /// held it, a takeover otherwise.
    case update(LeaseRecord)
    /// Another holder's lease is still valid.
    case heldByOther(String)

    /// - Parameters:
    ///   - current: the lease's record, `nil` when there is no lease.
    ///   - identity: ours.
    ///   - leaseDurationSeconds: the duration we write.
    ///   - now: the wall clock, written as `renewTime` and compared with the holder's.
    ///   - unchangedForLeaseDuration: the record has not changed for its `leaseDurationSeconds`
    ///     on our own monotonic clock (client-go's rule, immune to clock skew; it also covers a
    ///     record without `renewTime` and a holder whose clock runs ahead of ours).
    static func decide(
        current: LeaseRecord?, identity: String, leaseDurationSeconds: Int, now: Date,
        unchangedForLeaseDuration: Bool
    ) -> LeaseDecision {
        guard let current else {
            return .create(LeaseRecord(
                holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds, acquireTime: now,
                renewTime: now, leaseTransitions: 0))
        }
        var next = current
        next.holderIdentity = identity
        next.leaseDurationSeconds = leaseDurationSeconds
        next.renewTime = now
        if current.holderIdentity == identity {
            if next.acquireTime == nil { next.acquireTime = now }
            return .update(next)
        }
        guard !current.isHeld || current.isExpired(at: now) || unchangedForLeaseDuration else {
            return .heldByOther(current.holderIdentity ?? "")
        }
        next.acquireTime = now
        next.leaseTransitions = current.leaseTransitions + 1
        return .update(next)
    }
}
