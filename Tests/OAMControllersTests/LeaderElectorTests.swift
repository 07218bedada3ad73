@testable import ControllerRuntime
@testable import OAMControllers
import Foundation
import KubeClient
import OrderedCollections
import Logging
import Resources
import Synchronization
import TestSupport
import Testing

/// Who runs a leader's body, and the most that ever ran at once.
final class LeadershipTracker: Sendable {
    private let state = Mutex<(running: Set<String>, maximum: Int, starts: [String])>(([], 0, []))

    var running: Set<String> { state.withLock { $0.running } }
    var maximumAtOnce: Int { state.withLock { $0.maximum } }
    var starts: [String] { state.withLock { $0.starts } }

    /// A body that marks `identity` as running until it is cancelled.
    func body(_ identity: String) -> @Sendable () async throws -> Void {
        { [self] in
            state.withLock { state in
                state.running.insert(identity)
                state.maximum = max(state.maximum, state.running.count)
                state.starts.append(identity)
            }
            defer { _ = state.withLock { $0.running.remove(identity) } }
            try await Task.sleep(for: .seconds(3_600))
        }
    }
}

/// Tasks a test starts, cancelled and awaited when it ends, also when it fails.
final class TestTasks: Sendable {
    private let tasks = Mutex<[Task<Void, any Error>]>([])

    @discardableResult
    func start(_ operation: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
        let task = Task { try await operation() }
        tasks.withLock { $0.append(task) }
        return task
    }

    func cancelAll() async {
        for task in tasks.withLock({ $0 }) {
            task.cancel()
            _ = await task.result
        }
    }
}

func withTestTasks(_ body: (TestTasks) async throws -> Void) async throws {
    let tasks = TestTasks()
    do {
        try await body(tasks)
    } catch {
        await tasks.cancelAll()
        throw error
    }
    await tasks.cancelAll()
}

var quietLogger: Logger {
    var logger = Logger(label: "mizzen.test.runtime")
    logger.logLevel = .critical
    return logger
}

@Suite("Leader election through a Lease")
struct LeaderElectorTests {
    static let leaseKind = GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")

    /// Short durations so that expiry takes two seconds, with half a second of safety margin;
    /// `expiry` lengthens them for tests that do not wait for expiry, so that a leader starved
    /// of CPU on a loaded machine does not lose its lease in the middle of the test.
    static func configuration(
        _ identity: String, releaseOnStop: Bool = true, expiry: Duration = .seconds(2)
    ) -> LeaderElectionConfiguration {
        var configuration = LeaderElectionConfiguration(
            leaseName: "mizzen-test", leaseNamespace: "default", identity: identity)
        configuration.leaseDuration = expiry
        configuration.renewDeadline = expiry - .milliseconds(500)
        configuration.retryPeriod = .milliseconds(250)
        configuration.releaseOnStop = releaseOnStop
        return configuration
    }

    static func lease(_ client: KubernetesClient) async throws -> LeaseRecord {
        LeaseRecord(spec: try await client.get(leaseKind, name: "mizzen-test", namespace: "default").spec)
    }

    @Test("of two electors only one runs its body, and the other takes over at once when it stops")
    func handoverOnStop() async throws {
        try await withPlaneClients(2) { _, clients in
            let a = try LeaderElector(
                client: clients[0], configuration: Self.configuration("a", expiry: .seconds(15)), logger: quietLogger)
            let b = try LeaderElector(
                client: clients[1], configuration: Self.configuration("b", expiry: .seconds(15)), logger: quietLogger)
            let tracker = LeadershipTracker()
            try await withTestTasks { tasks in
                let runA = tasks.start { try await a.runWhileLeader(tracker.body("a")) }
                let runB = tasks.start { try await b.runWhileLeader(tracker.body("b")) }
                #expect(try await eventually { tracker.running.count == 1 })
                let leader = try #require(tracker.running.first)
                let (leaderRun, follower) = leader == "a" ? (runA, "b") : (runB, "a")
                #expect(try await Self.lease(clients[0]).holderIdentity == leader)
                #expect(try await Self.lease(clients[0]).leaseTransitions == 0)

                let stopped = ContinuousClock.now
                leaderRun.cancel()
                let result = await leaderRun.result
                #expect(throws: CancellationError.self) { try result.get() }
                #expect(try await eventually { tracker.running == [follower] })
                // Released, so no waiting for the lease to expire.
                #expect(ContinuousClock.now - stopped < .seconds(2))
                let record = try await Self.lease(clients[0])
                #expect(record.holderIdentity == follower)
                #expect(record.leaseTransitions == 1)
                #expect(tracker.maximumAtOnce == 1)
                #expect(tracker.starts == [leader, follower])
            }
            // The follower released too when its task was cancelled.
            #expect(try await Self.lease(clients[0]).isHeld == false)
        }
    }

    @Test("when the leader dies without releasing, the other takes over once the lease expires")
    func takeoverAfterExpiry() async throws {
        try await withPlaneClients(2) { _, clients in
            let a = try LeaderElector(
                client: clients[0], configuration: Self.configuration("a", releaseOnStop: false), logger: quietLogger)
            let b = try LeaderElector(client: clients[1], configuration: Self.configuration("b"), logger: quietLogger)
            let tracker = LeadershipTracker()
            try await withTestTasks { tasks in
                let runA = tasks.start { try await a.runWhileLeader(tracker.body("a")) }
                #expect(try await eventually { tracker.running == ["a"] })
                tasks.start { try await b.runWhileLeader(tracker.body("b")) }
                #expect(try await eventually {
                    let holder = try await Self.lease(clients[1]).holderIdentity
                    return holder == "a" && !b.isLeader
                })

                // Dies: stops renewing and leaves the lease to expire.
                let died = ContinuousClock.now
                runA.cancel()
                _ = await runA.result
                #expect(try await Self.lease(clients[1]).holderIdentity == "a")
                #expect(try await eventually { tracker.running == ["b"] })
                let waited = ContinuousClock.now - died
                #expect(waited > .seconds(1), "took over \(waited) after the leader died, before its lease expired")
                // The lease lasts 2 s; the bound leaves room for retries on a loaded 2-core machine
                // (the suite runs beside hundreds of tests) while still failing a takeover that
                // never comes or waits for something else than the lease.
                #expect(waited < .seconds(2) + .seconds(8), "took over \(waited) after the leader died")
                let record = try await Self.lease(clients[1])
                #expect(record.holderIdentity == "b")
                #expect(record.leaseTransitions == 1)
                #expect(tracker.maximumAtOnce == 1)
            }
        }
    }

    @Test("a leader whose lease another replica takes cancels its body and throws leaseLost")
    func leaseTakenAway() async throws {
        try await withPlaneClients(1) { _, clients in
            let a = try LeaderElector(client: clients[0], configuration: Self.configuration("a"), logger: quietLogger)
            let tracker = LeadershipTracker()
            let outcome = Shared<String?>(nil)
            try await withTestTasks { tasks in
                tasks.start {
                    do {
                        try await a.runWhileLeader(tracker.body("a"))
                        outcome.update { $0 = "returned" }
                    } catch {
                        outcome.update { $0 = "\(error)" }
                    }
                }
                #expect(try await eventually { tracker.running == ["a"] && a.isLeader })
                var lease = try await clients[0].get(Self.leaseKind, name: "mizzen-test", namespace: "default")
                var record = LeaseRecord(spec: lease.spec)
                record.holderIdentity = "intruder"
                record.renewTime = Date()
                lease.object["spec"] = record.spec
                _ = try await clients[0].update(lease)

                #expect(try await eventually { outcome.get() != nil })
                #expect(
                    outcome.get()
                        == "\(LeaderElectionError.leaseLost(namespace: "default", name: "mizzen-test", identity: "a"))")
                #expect(tracker.running.isEmpty)
                #expect(a.isLeader == false)
                #expect(try await Self.lease(clients[0]).holderIdentity == "intruder")
            }
        }
    }

    @Test("a leader that cannot renew stops leading before its lease could expire")
    func renewDeadline() async throws {
        try await withPlaneClients(1) { plane, clients in
            let a = try LeaderElector(client: clients[0], configuration: Self.configuration("a"), logger: quietLogger)
            let tracker = LeadershipTracker()
            let ended = Shared<ContinuousClock.Instant?>(nil)
            try await withTestTasks { tasks in
                tasks.start {
                    defer { ended.update { $0 = ContinuousClock.now } }
                    try await a.runWhileLeader(tracker.body("a"))
                }
                #expect(try await eventually { tracker.running == ["a"] })
                // The last renewal started before the server went away, so the lease is
                // valid until at most two seconds after this.
                let unreachable = ContinuousClock.now
                await plane.stop()
                #expect(try await eventually { ended.get() != nil })
                let stoppedLeading = try #require(ended.get()) - unreachable
                #expect(stoppedLeading < .seconds(2), "led \(stoppedLeading) after the last possible renewal")
                #expect(tracker.running.isEmpty)
                #expect(a.isLeader == false)
            }
        }
    }

    @Test("durations that cannot keep two leaders apart are refused")
    func invalidConfiguration() {
        var configuration = Self.configuration("a")
        configuration.renewDeadline = .seconds(2)
        #expect(throws: LeaderElectionError.self) { try configuration.validate() }
        configuration = Self.configuration("a")
        configuration.retryPeriod = .milliseconds(1_300)
        #expect(throws: LeaderElectionError.self) { try configuration.validate() }
        #expect(throws: Never.self) { try Self.configuration("a").validate() }
        #expect(LeaderElectionConfiguration(leaseName: "l", leaseNamespace: "n").identity.contains("_"))
    }
}

/// The election's rules as a pure function of what an attempt read.
@Suite("Lease decisions")
struct LeaseDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func record(holder: String?, renewedSecondsAgo: Double, transitions: Int = 3) -> LeaseRecord {
        LeaseRecord(
            holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: now.addingTimeInterval(-100),
            renewTime: now.addingTimeInterval(-renewedSecondsAgo), leaseTransitions: transitions)
    }

    func decide(_ current: LeaseRecord?, observedLongEnough: Bool = false) -> LeaseDecision {
        LeaseDecision.decide(
            current: current, identity: "me", leaseDurationSeconds: 15, now: now,
            unchangedForLeaseDuration: observedLongEnough)
    }

    @Test("no lease: create one we hold, with no transitions")
    func absent() {
        #expect(decide(nil) == .create(LeaseRecord(
            holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0)))
    }

    @Test("our lease: renew it, keeping acquireTime and transitions")
    func renew() {
        var expected = record(holder: "me", renewedSecondsAgo: 2)
        expected.renewTime = now
        #expect(decide(record(holder: "me", renewedSecondsAgo: 2)) == .update(expected))
    }

    @Test("another's valid lease: wait")
    func heldByOther() {
        #expect(decide(record(holder: "other", renewedSecondsAgo: 14)) == .heldByOther("other"))
    }

    @Test(
        "another's expired, released or long-unchanged lease: take it over and count a transition",
        arguments: [
            ("other", true, false), ("", false, false), (nil, false, false), ("other", false, true),
        ] as [(String?, Bool, Bool)])
    func takeover(holder: String?, expiredByRenewTime: Bool, observedLongEnough: Bool) {
        let current = record(holder: holder, renewedSecondsAgo: expiredByRenewTime ? 16 : 1)
        var expected = current
        expected.holderIdentity = "me"
        expected.acquireTime = now
        expected.renewTime = now
        expected.leaseTransitions = 4
        #expect(decide(current, observedLongEnough: observedLongEnough) == .update(expected))
    }

    @Test("the record round-trips through a Lease spec with MicroTime stamps")
    func specRoundTrip() throws {
        let record = LeaseRecord(
            holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: Date(timeIntervalSince1970: 1_800_000_000.25),
            renewTime: Date(timeIntervalSince1970: 1_800_000_001.123456), leaseTransitions: 2)
        let spec = record.spec
        #expect(spec["renewTime"]?.stringValue == "2027-01-15T08:00:01.123456Z")
        #expect(spec["acquireTime"]?.stringValue == "2027-01-15T08:00:00.250000Z")
        let back = LeaseRecord(spec: spec)
        #expect(back.holderIdentity == "me")
        #expect(back.leaseTransitions == 2)
        let renew = try #require(back.renewTime)
        #expect(abs(renew.timeIntervalSince1970 - 1_800_000_001.123456) < 0.000_01)
        #expect(KubernetesTime.parse("2027-01-15T08:00:01Z") == Date(timeIntervalSince1970: 1_800_000_001))
        #expect(KubernetesTime.parse("not a time") == nil)
    }
}
