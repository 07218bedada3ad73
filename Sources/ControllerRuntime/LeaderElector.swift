import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization

/// How a replica takes part in leader election through one Lease.
///
/// The defaults are client-go's: a leader renews every `retryPeriod`, gives up leading when it
/// could not renew for `renewDeadline`, and others take the lease once it went unrenewed for
/// `leaseDuration`. `renewDeadline` must be shorter than `leaseDuration`: that margin is what
/// keeps two replicas from leading at once.
///
/// ```swift
/// let configuration = LeaderElectionConfiguration(leaseName: "mizzen-controller", leaseNamespace: "mizzen-system")
/// ```
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// The Lease's name.
    public var leaseName: String
    /// The Lease's namespace.
    public var leaseNamespace: String
    /// Who we are, written as `holderIdentity`; unique per replica.
    public var identity: String
    /// How long a lease stays valid without renewal (whole seconds on the Lease, rounded up).
    public var leaseDuration: Duration = .seconds(15)
    /// How long the leader keeps trying to renew before it stops leading.
    public var renewDeadline: Duration = .seconds(10)
    /// The pause between two attempts to acquire or renew.
    public var retryPeriod: Duration = .seconds(2)
    /// Clear `holderIdentity` when leadership ends other than by losing the lease, so that a
    /// successor takes over at once instead of after `leaseDuration`.
    public var releaseOnStop = true
    /// The field manager of the Lease writes.
    public var fieldManager = "mizzen"
    /// Annotations the holder keeps on the Lease (a shard writes its shard count there).
    public var annotations: [String: String] = [:]

    /// - Parameter identity: defaults to ``defaultIdentity()``.
    public init(leaseName: String, leaseNamespace: String, identity: String = Self.defaultIdentity()) {
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.identity = identity
    }

    /// The host name and a random suffix (`web-7c9f_3fa85f64`): unique even for two replicas
    /// on one host, or one replica restarted.
    public static func defaultIdentity() -> String {
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        let host = ProcessInfo.processInfo.hostName
        return (host.isEmpty ? "mizzen" : host) + "_" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }

    /// `leaseDuration` in whole seconds, as the Lease carries it.
    var leaseDurationSeconds: Int {
        let (seconds, attoseconds) = leaseDuration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// Checks the durations relate as leader election needs.
    ///
    /// - Throws: ``LeaderElectionError/invalidConfiguration(_:)``.
    public func validate() throws {
        if leaseName.isEmpty || leaseNamespace.isEmpty {
            throw LeaderElectionError.invalidConfiguration("the lease needs a name and a namespace")
        }
        if identity.isEmpty { throw LeaderElectionError.invalidConfiguration("the identity is empty") }
        if retryPeriod <= .zero { throw LeaderElectionError.invalidConfiguration("retryPeriod must be positive") }
        if leaseDuration <= renewDeadline {
            throw LeaderElectionError.invalidConfiguration(
                "leaseDuration (\(leaseDuration)) must be longer than renewDeadline (\(renewDeadline))")
        }
        if renewDeadline <= retryPeriod * 1.2 {
            throw LeaderElectionError.invalidConfiguration(
                "renewDeadline (\(renewDeadline)) must be longer than 1.2 × retryPeriod (\(retryPeriod))")
        }
    }
}

/// Why leading ended other than by the body returning or the task being cancelled.
public enum LeaderElectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The lease could not be renewed within `renewDeadline`, or another replica took it; the
    /// body has been cancelled and has returned.
    case leaseLost(namespace: String, name: String, identity: String)
    /// The configuration's durations do not fit together.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .leaseLost(let namespace, let name, let identity):
            "lost the leader lease \(namespace)/\(name) held as \(identity); stopping so that another replica can lead"
        case .invalidConfiguration(let message): "leader election: \(message)"
        }
    }
}

/// Leader election through a `coordination.k8s.io/v1` Lease, with client-go's rules: the
/// lease is taken when absent, released (no `holderIdentity`), expired or already ours; writes
/// carry the `resourceVersion` read, so of two replicas racing for it one gets `Conflict` and
/// loses; a takeover increments `leaseTransitions`.
///
/// ```swift
/// let elector = try LeaderElector(client: client, configuration: configuration, logger: logger)
/// try await manager.run(leadership: elector.runWhileLeader)
/// ```
///
/// Expiry: a lease is expired when its `renewTime` is more than `leaseDurationSeconds` ago on
/// our clock, or when we have seen the same record for that long on our monotonic clock. The
/// first rule assumes replicas' clocks agree to better than `leaseDuration - renewDeadline`
/// (5 s by default); the second needs no agreement at all.
public final class LeaderElector: Sendable {
    public let configuration: LeaderElectionConfiguration
    let client: KubernetesClient
    let logger: Logger
    let wallClock: @Sendable () -> Date
    /// The wall clock read once at start, with the monotonic instant it was read at: the times
    /// the elector writes and compares are measured from it on the monotonic clock.
    private let anchor: (wall: Date, monotonic: ContinuousClock.Instant)
    private let state = Mutex(State())

    private struct State {
        var isLeader = false
        /// The `resourceVersion` of the record last read or written, and when it was first seen.
        var observedVersion: String?
        var observedAt: ContinuousClock.Instant?
        var lastHolder: String?
    }

    /// The result of one attempt.
    enum Attempt: Sendable, Equatable {
        case acquired
        case heldByOther(String)
        case failed(String)
    }

    static let leaseKind = GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")

    /// - Parameter wallClock: the time written as `renewTime` and compared with others'. It is
    ///   read once, at start; later times are that reading plus the monotonic time elapsed, so a
    ///   jump of the wall clock while the elector runs (an NTP step, a VM resumed, `date -s`)
    ///   neither lets it take a live leader's lease (a jump forward made every renewal look
    ///   expired) nor makes it write a `renewTime` that others read as long expired or far ahead.
    /// - Throws: ``LeaderElectionError/invalidConfiguration(_:)``.
    public init(
        client: KubernetesClient, configuration: LeaderElectionConfiguration,
        logger: Logger = Logger(label: "mizzen.leaderelection"), wallClock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        self.wallClock = wallClock
        anchor = (wallClock(), ContinuousClock.now)
    }

    /// The wall-clock time now, as the anchor plus the monotonic time elapsed since.
    func now() -> Date {
        let elapsed = ContinuousClock.now - anchor.monotonic
        return anchor.wall.addingTimeInterval(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Whether this replica leads now.
    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// Waits until this replica holds the lease, then runs `body` while renewing it.
    ///
    /// - When `body` returns or throws, the lease is released (``LeaderElectionConfiguration/releaseOnStop``)
    ///   and this returns or rethrows.
    /// - When the task is cancelled, `body` is cancelled; once it has returned the lease is
    ///   released, and this throws `CancellationError` or returns what `body` did.
    /// - When the lease cannot be renewed within `renewDeadline`, or another replica took it,
    ///   `body` is cancelled and awaited, then this throws ``LeaderElectionError/leaseLost(namespace:name:identity:)``.
    ///   The process should then exit (as client-go's users do) or call this again.
    ///
    /// `body` runs only while the lease is ours: it is cancelled `leaseDuration - renewDeadline`
    /// before another replica could take the lease. It should stop promptly when cancelled;
    /// leader election cannot stop a body that ignores cancellation.
    public func runWhileLeader(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let acquiredAt = try await acquire()
        logger.info("leaderelection.acquired")
        enum Ending: Sendable { case bodyReturned, leaseLost }
        let ending: Ending
        do {
            ending = try await withThrowingTaskGroup(of: Ending.self) { group in
                group.addTask {
                    try await body()
                    return .bodyReturned
                }
                group.addTask {
                    try await self.renewUntilLost(since: acquiredAt)
                    return .leaseLost
                }
                // The first to end decides; the other is cancelled, and the group waits for it.
                let first = try await group.next() ?? .bodyReturned
                group.cancelAll()
                return first
            }
        } catch {
            await stopLeading()
            throw error
        }
        switch ending {
        case .bodyReturned:
            await stopLeading()
        case .leaseLost:
            state.withLock { $0.isLeader = false }
            logger.warning("leaderelection.lost")
            throw LeaderElectionError.leaseLost(
                namespace: configuration.leaseNamespace, name: configuration.leaseName,
                identity: configuration.identity)
        }
    }

    // MARK: Acquiring and renewing

    /// Tries every `retryPeriod` (with up to 20 % jitter, so that replicas do not march in
    /// step) until the lease is ours; returns when the successful attempt started.
    func acquire() async throws -> ContinuousClock.Instant {
        while true {
            let start = ContinuousClock.now
            switch try await attempt(before: start + configuration.renewDeadline) {
            case .acquired:
                state.withLock { $0.isLeader = true }
                return start
            case .heldByOther(let holder):
                let changed = state.withLock { state in
                    defer { state.lastHolder = holder }
                    return state.lastHolder != holder
                }
                if changed { logger.info("leaderelection.waiting", metadata: ["holder": "\(holder)"]) }
            case .failed(let reason):
                logger.debug("leaderelection.attempt.failed", metadata: ["reason": "\(reason)"])
            }
            try await Task.sleep(for: configuration.retryPeriod * Double.random(in: 1.0...1.2))
        }
    }

    /// Renews every `retryPeriod`; returns once the lease is lost: another replica holds it,
    /// or `renewDeadline` has passed since the start of the last successful renewal.
    func renewUntilLost(since acquiredAt: ContinuousClock.Instant) async throws {
        var lastRenewal = acquiredAt
        while true {
            try await Task.sleep(for: configuration.retryPeriod)
            let deadline = lastRenewal + configuration.renewDeadline
            let start = ContinuousClock.now
            guard start < deadline else { return }
            switch try await attempt(before: deadline) {
            case .acquired:
                lastRenewal = start
            case .heldByOther(let holder):
                logger.warning("leaderelection.taken", metadata: ["holder": "\(holder)"])
                return
            case .failed(let reason):
                logger.warning("leaderelection.renew.failed", metadata: ["reason": "\(reason)"])
                if ContinuousClock.now >= deadline { return }
            }
        }
    }

    /// One acquire-or-renew, given up (as `.failed`) at `deadline`.
    func attempt(before deadline: ContinuousClock.Instant) async throws -> Attempt {
        try await withThrowingTaskGroup(of: Attempt?.self) { group in
            group.addTask { try await self.tryAcquireOrRenew() }
            group.addTask {
                try await Task.sleep(until: deadline)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed("no answer before the renew deadline")
        }
    }

    /// Reads the lease and creates, renews or takes it over as ``LeaseDecision`` says.
    func tryAcquireOrRenew() async throws -> Attempt {
        let name = configuration.leaseName
        let namespace = configuration.leaseNamespace
        let lease: Resource?
        do {
            lease = try await client.get(Self.leaseKind, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            lease = nil
        } catch {
            try Task.checkCancellation()
            if error is CancellationError { throw error }
            return .failed("cannot read the lease: \(error)")
        }
        let now = ContinuousClock.now
        let unchanged = state.withLock { state -> Bool in
            let version = lease?.resourceVersion
            if version != state.observedVersion || state.observedAt == nil {
                state.observedVersion = version
                state.observedAt = now
            }
            let duration = Duration.seconds(lease.map { LeaseRecord(spec: $0.spec).leaseDurationSeconds } ?? 0)
            return lease != nil && now - (state.observedAt ?? now) > duration
        }
        let decision = LeaseDecision.decide(
            current: lease.map { LeaseRecord(spec: $0.spec) }, identity: configuration.identity,
            leaseDurationSeconds: configuration.leaseDurationSeconds, now: self.now(),
            unchangedForLeaseDuration: unchanged)
        do {
            let written: Resource
            switch decision {
            case .heldByOther(let holder):
                return .heldByOther(holder)
            case .create(let record):
                var object = Resource(
                    apiVersion: Self.leaseKind.apiVersion, kind: Self.leaseKind.kind, name: name, namespace: namespace)
                object.object["spec"] = record.spec
                for (key, value) in configuration.annotations.sorted(by: { $0.key < $1.key }) { object.setAnnotation(key, value) }
                written = try await client.create(object, options: WriteOptions(fieldManager: configuration.fieldManager))
            case .update(let record):
                // `lease` carries the resourceVersion read: a write in between makes this a Conflict.
                guard var object = lease else { return .failed("no lease to update") }
                object.object["spec"] = record.spec
                for (key, value) in configuration.annotations.sorted(by: { $0.key < $1.key }) { object.setAnnotation(key, value) }
                written = try await client.update(object, options: WriteOptions(fieldManager: configuration.fieldManager))
            }
            state.withLock { state in
                state.observedVersion = written.resourceVersion
                state.observedAt = now
            }
            return .acquired
        } catch let error as APIError where error.reason == .conflict || error.reason == .alreadyExists {
            return .failed("another replica wrote the lease first")
        } catch {
            try Task.checkCancellation()
            if error is CancellationError { throw error }
            return .failed("cannot write the lease: \(error)")
        }
    }

    // MARK: Stopping

    /// Marks us as no longer leading and, when configured, releases the lease.
    private func stopLeading() async {
        state.withLock { $0.isLeader = false }
        guard configuration.releaseOnStop else {
            logger.info("leaderelection.stopped")
            return
        }
        // The release must reach the server although the caller's task is usually cancelled by
        // now, so it runs in a task of its own, which does not inherit that cancellation, and
        // the caller waits for it (at most renewDeadline).
        let release = Task { await self.release() }
        await release.value
    }

    /// Clears `holderIdentity` if we still hold the lease, so a successor need not wait for it
    /// to expire.
    func release() async {
        let deadline = ContinuousClock.now + configuration.renewDeadline
        let outcome: Attempt?
        do {
            outcome = try await withThrowingTaskGroup(of: Attempt?.self) { group in
                group.addTask { try await self.tryRelease() }
                group.addTask {
                    try await Task.sleep(until: deadline)
                    return .failed("no answer before the renew deadline")
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch {
            outcome = .failed("\(error)")
        }
        switch outcome {
        case .acquired?: logger.info("leaderelection.released")
        case .heldByOther(let holder)?: logger.info("leaderelection.stopped", metadata: ["holder": "\(holder)"])
        case .failed(let reason)?: logger.warning("leaderelection.release.failed", metadata: ["reason": "\(reason)"])
        case nil: break
        }
    }

    /// `.acquired` when released, `.heldByOther` when the lease was no longer ours.
    private func tryRelease() async throws -> Attempt {
        do {
            var lease = try await client.get(
                Self.leaseKind, name: configuration.leaseName, namespace: configuration.leaseNamespace)
            var record = LeaseRecord(spec: lease.spec)
            guard record.holderIdentity == configuration.identity else {
                return .heldByOther(record.holderIdentity ?? "")
            }
            let now = self.now()
            record.holderIdentity = nil
            record.leaseDurationSeconds = 1
            record.acquireTime = now
            record.renewTime = now
            lease.object["spec"] = record.spec
            _ = try await client.update(lease, options: WriteOptions(fieldManager: configuration.fieldManager))
            return .acquired
        } catch let error as APIError where error.reason == .notFound {
            return .heldByOther("")
        }
    }
}
