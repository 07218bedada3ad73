import Foundation

/// The wall clock of the simulated node: what its heartbeats, its Lease's `renewTime` and its
/// Pods' timelines are stamped with.
///
/// The default reads the machine's clock once and advances it on the monotonic clock, so that
/// a jump of the machine's clock while the plane runs (an NTP step, a resumed VM, `date -s`)
/// neither stops the heartbeats nor freezes Pods. Stamps written before a jump that the plane
/// finds after a restart may still lie ahead of its clock: the node then renews and reports at
/// once, and restarts such a Pod's timeline from now (see ``NodeReconciler`` and ``KubeletReconciler``).
public struct NodeClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that answers `read()`: tests pass one that jumps.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The machine's clock read now, advanced on the monotonic clock from then on.
    public static func steady() -> NodeClock {
        let wall = Date()
        let start = ContinuousClock.now
        return NodeClock {
            let elapsed = ContinuousClock.now - start
            return wall.addingTimeInterval(
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// The time now.
    public func now() -> Date { read() }
}
