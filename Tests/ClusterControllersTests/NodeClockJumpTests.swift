import ClusterControllers
import ControllerRuntime
import Foundation
import Resources
import Synchronization
import TestSupport
import Testing

/// The simulated node when its wall clock jumps (issue 15, clock faults): its Lease and
/// heartbeats go on, and Pods start, whichever way the clock went.
@Suite("Simulated node across wall-clock jumps")
struct NodeClockJumpTests {
    /// Seconds a test moves the node's clock by.
    final class Offset: Sendable {
        private let seconds = Mutex<TimeInterval>(0)
        func set(_ value: TimeInterval) { seconds.withLock { $0 = value } }
        var clock: NodeClock { NodeClock { Date().addingTimeInterval(self.seconds.withLock { $0 }) } }
    }

    static let leaseKind = GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")

    static func renewTime(_ plane: Plane) async throws -> Date? {
        try await plane.get(leaseKind, "mizzen", namespace: "kube-node-lease")?.spec?["renewTime"]?.stringValue
            .flatMap(KubernetesTime.parse)
    }

    static func running(_ plane: Plane, _ pod: String) async throws -> Bool {
        let line = try await plane.kubectl("get", "pod", pod, "--no-headers", allowFailure: true).stdout
        return line.split(whereSeparator: \.isWhitespace).prefix(3) == [Substring(pod), "1/1", "Running"]
    }

    @Test("an hour back then an hour ahead: the node's Lease is renewed with each new time and Pods still start")
    func jumps() async throws {
        let offset = Offset()
        try await Plane.with(areas: [.node], configure: { options in
            options.node = .fast
            options.node.leaseDurationSeconds = 4
            options.node.clock = offset.clock
        }) { plane in
            #expect(try await eventually { try await Self.renewTime(plane) != nil })
            let before = try #require(try await Self.renewTime(plane))
            try await plane.kubectl("run", "before", "--image=nginx")
            offset.set(-3_600)
            // Renewed from the clock that went back, not left until the old renewTime comes round.
            #expect(try await eventually(timeout: .seconds(10)) {
                (try await Self.renewTime(plane)).map { $0 < before.addingTimeInterval(-3_000) } ?? false
            })
            try await plane.kubectl("run", "after", "--image=nginx")
            #expect(try await eventually { try await Self.running(plane, "before") })
            #expect(try await eventually { try await Self.running(plane, "after") })

            offset.set(3_600)
            #expect(try await eventually(timeout: .seconds(10)) {
                (try await Self.renewTime(plane)).map { $0 > before.addingTimeInterval(3_000) } ?? false
            })
            try await plane.kubectl("run", "ahead", "--image=nginx")
            #expect(try await eventually { try await Self.running(plane, "ahead") })
            #expect(try await eventually {
                try await plane.kubectl("get", "nodes", "--no-headers", allowFailure: true).stdout.contains(" Ready ")
            })
        }
    }
}
