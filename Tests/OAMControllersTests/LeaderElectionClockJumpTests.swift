import ControllerRuntime
import Foundation
import KubeClient
import TestSupport
import Testing

/// Leader election when a replica's wall clock jumps while it runs (issue 15, clock faults):
/// the lease is neither stolen from a live leader nor held by a dead one.
@Suite("Leader election across wall-clock jumps")
struct LeaderElectionClockJumpTests {
    /// A wall clock that a test moves by `offset` seconds.
    static func jumpingClock(_ offset: Shared<TimeInterval>) -> @Sendable () -> Date {
        { Date().addingTimeInterval(offset.get()) }
    }

    @Test(
        "a wall clock jumping an hour (the candidate's ahead, the leader's back) does not move a live leader's lease",
        arguments: [("candidate", 3_600.0), ("leader", -3_600.0)])
    func jumpKeepsLeader(jumper: String, seconds: TimeInterval) async throws {
        try await withPlaneClients(2) { _, clients in
            let leaderClock = Shared<TimeInterval>(0)
            let candidateClock = Shared<TimeInterval>(0)
            let leader = try LeaderElector(
                client: clients[0], configuration: LeaderElectorTests.configuration("a"), logger: quietLogger,
                wallClock: Self.jumpingClock(leaderClock))
            let candidate = try LeaderElector(
                client: clients[1], configuration: LeaderElectorTests.configuration("b"), logger: quietLogger,
                wallClock: Self.jumpingClock(candidateClock))
            let tracker = LeadershipTracker()
            try await withTestTasks { tasks in
                tasks.start { try await leader.runWhileLeader(tracker.body("a")) }
                #expect(try await eventually { tracker.running == ["a"] })
                tasks.start { try await candidate.runWhileLeader(tracker.body("b")) }
                (jumper == "leader" ? leaderClock : candidateClock).update { $0 = seconds }
                // Two lease durations (4 s) of renewals and attempts after the jump: with times
                // taken from the jumped clock, the candidate took the lease within one retry.
                let clock = ContinuousClock()
                let end = clock.now + .seconds(4)
                while clock.now < end {
                    #expect(tracker.running == ["a"])
                    #expect(try await LeaderElectorTests.lease(clients[1]).holderIdentity == "a")
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(tracker.maximumAtOnce == 1)
                #expect(tracker.starts == ["a"])
            }
        }
    }

    @Test("a leader whose wall clock jumped an hour ahead and then died is replaced once its lease expires")
    func jumpedLeaderDies() async throws {
        try await withPlaneClients(2) { _, clients in
            let leaderClock = Shared<TimeInterval>(0)
            let leader = try LeaderElector(
                client: clients[0], configuration: LeaderElectorTests.configuration("a", releaseOnStop: false),
                logger: quietLogger, wallClock: Self.jumpingClock(leaderClock))
            let candidate = try LeaderElector(
                client: clients[1], configuration: LeaderElectorTests.configuration("b"), logger: quietLogger)
            let tracker = LeadershipTracker()
            try await withTestTasks { tasks in
                leaderClock.update { $0 = 3_600 }
                let runA = tasks.start { try await leader.runWhileLeader(tracker.body("a")) }
                let leading = try await eventually { tracker.running == ["a"] }
                #expect(leading)
                tasks.start { try await candidate.runWhileLeader(tracker.body("b")) }
                let died = ContinuousClock.now
                runA.cancel()
                _ = await runA.result
                let replaced = try await eventually(timeout: .seconds(15)) { tracker.running == ["b"] }
                #expect(replaced)
                let waited = ContinuousClock.now - died
                #expect(waited < .seconds(2) + .seconds(8), "took over \(waited) after the leader died")
                #expect(tracker.maximumAtOnce == 1)
            }
        }
    }
}
