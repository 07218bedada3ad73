import Foundation

/// Whether the shards of one controller agree on the shard count, judged from their Leases; a
/// pure function of what was read, so the rules are tested without a server.
///
/// Each shard `I` of N holds the Lease `<prefix>-shard-<I>` and records `I/N` on it in the
/// annotation ``ShardAgreement/annotation``. A Lease counts while it is held and not expired
/// (its `renewTime` plus `leaseDurationSeconds` is after `now`); a released Lease, or the
/// expired one of a killed process, does not. A shard starts acting only when every Lease that
/// counts records its own N: while N changes, the shards of the new N wait until the last shard
/// of the old N has stopped (released its Lease, or its Lease expired), so no namespace is ever
/// managed by two shards at once.
public enum ShardAgreement: Sendable, Hashable {
    /// Every live Lease records our shard count; `missing` are the indexes of our N nobody holds.
    case agreed(missing: [Int])
    /// These live Leases record another shard count (or none), one sentence each.
    case disagreed([String])

    /// The annotation a shard's Lease carries: `I/N`.
    public static let annotation = "mizzen.dev/shard"

    /// What one peer Lease says.
    public struct Peer: Sendable, Hashable {
        /// The shard index in the Lease's name.
        public var index: Int
        public var name: String
        public var record: LeaseRecord
        /// The value of ``ShardAgreement/annotation``, if any.
        public var recorded: String?

        public init(index: Int, name: String, record: LeaseRecord, recorded: String?) {
            self.index = index
            self.name = name
            self.record = record
            self.recorded = recorded
        }
    }

    /// The name of shard `index`'s Lease.
    public static func leaseName(prefix: String, index: Int) -> String {
        "\(prefix)-shard-\(index)"
    }

    /// Judges `peers` (every shard Lease found but our own) for `shard` at `now`.
    public static func evaluate(shard: Shard, peers: [Peer], now: Date) -> ShardAgreement {
        var disagreements: [String] = []
        var live: Set<Int> = []
        for peer in peers.sorted(by: { $0.index < $1.index }) where peer.index != shard.index {
            guard peer.record.isHeld, !peer.record.isExpired(at: now) else { continue }
            live.insert(peer.index)
            let holder = peer.record.holderIdentity ?? ""
            guard let recorded = peer.recorded, let theirs = try? Shard(parsing: recorded) else {
                disagreements.append("Lease \(peer.name) is held by \(holder) and records no shard (annotation \(annotation))")
                continue
            }
            if theirs.count != shard.count || theirs.index != peer.index {
                disagreements.append("Lease \(peer.name) is held by \(holder) as shard \(theirs), not of \(shard.count) shards")
            }
        }
        if !disagreements.isEmpty { return .disagreed(disagreements) }
        return .agreed(missing: (0..<shard.count).filter { $0 != shard.index && !live.contains($0) })
    }
}
