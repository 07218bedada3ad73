import Foundation
import KubeClient
import Logging
import Metrics
import OrderedCollections
import Resources
import ServiceLifecycle
import Synchronization

/// The object an Event is about: `involvedObject` of a `core/v1` Event.
public struct ObjectReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    /// `nil` for cluster-scoped objects.
    public var namespace: String?
    public var uid: String?

    public init(apiVersion: String, kind: String, name: String, namespace: String? = nil, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }

    /// A reference to `object`.
    public init(_ object: Resource) {
        self.init(
            apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace,
            uid: object.uid)
    }

    var value: JSONValue {
        var members: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name)]
        if let namespace { members["namespace"] = .string(namespace) }
        if let uid { members["uid"] = .string(uid) }
        return .object(members)
    }
}

/// Writes Kubernetes Events (`core/v1`) about objects, as `kubectl describe` shows them.
///
/// Recording never waits for the API server: ``record(on:type:reason:message:)`` puts the
/// Event in a bounded buffer and returns; ``run()`` (a `Service`) writes them, up to
/// ``Options/concurrentWrites`` at once — the Events of one object one at a time, in order.
/// When the buffer is full the Event is dropped and counted (``droppedCount``,
/// `mizzen_events_dropped_total`). Write failures are logged, never thrown.
///
/// A repeat of the same (object, type, reason, message) patches `count` and `lastTimestamp`
/// of the Event written before, as long as it is among the last
/// ``Options/correlationCapacity`` distinct Events.
///
/// ```swift
/// let events = EventRecorder(client: client, logger: logger)
/// // in the ServiceGroup, before the manager so that it stops after it: [events, manager, …]
/// await events.record(on: appConfig, type: .warning, reason: "CannotRender", message: "…")
/// ```
public final class EventRecorder: EventSink, Service, Sendable {
    /// Tuning for a recorder.
    public struct Options: Sendable {
        /// `source.component` and `reportingComponent`.
        public var component = "mizzen"
        /// `source.host` and `reportingInstance`; none when `nil`.
        public var host: String?
        /// Events waiting to be written at most; more are dropped.
        public var bufferCapacity = 1_024
        /// Distinct Events remembered for aggregation.
        public var correlationCapacity = 4_096
        /// Events written at once (for different objects): one write at a time cannot keep up
        /// with controllers converging thousands of objects, and a full buffer drops Events.
        public var concurrentWrites = 4

        public init() {}
    }

    /// One Event to write.
    struct Record: Sendable {
        var object: ObjectReference
        var type: EventSeverity
        var reason: String
        var message: String
        var time: Date
    }

    let client: KubernetesClient
    let options: Options
    let logger: Logger
    let wallClock: @Sendable () -> Date
    private let records: AsyncStream<Record>
    private let continuation: AsyncStream<Record>.Continuation
    private let dropped = Mutex(0)
    /// Events queued and Events handled (written, failed or dropped): equal when nothing waits.
    private let progress = Mutex((queued: 0, handled: 0))
    private let droppedCounter: Counter

    /// Event messages are cut to this many characters, as kube-apiserver limits them.
    static let maximumMessageLength = 1_024

    /// - Parameters:
    ///   - metricsFactory: where `mizzen_events_dropped_total` goes; `nil` uses the bootstrapped one.
    ///   - wallClock: the time stamped on Events.
    public init(
        client: KubernetesClient, options: Options = Options(), logger: Logger = Logger(label: "mizzen.events"),
        metricsFactory: (any MetricsFactory)? = nil, wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.options = options
        self.logger = logger
        self.wallClock = wallClock
        (records, continuation) = AsyncStream<Record>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, options.bufferCapacity)))
        droppedCounter = Counter(
            label: ControllerMetrics.eventsDroppedTotal, dimensions: [],
            factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// How many Events were dropped because the buffer was full.
    public var droppedCount: Int { dropped.withLock { $0 } }

    /// Returns once every Event queued so far is written (or failed, or dropped), looking every
    /// 10 ms — for benchmarks and tests that count writes, never for reconcilers.
    public func waitUntilIdle() async {
        while progress.withLock({ $0.handled < $0.queued }), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Queues an Event about `object` and returns at once.
    public func record(on object: Resource, type: EventSeverity, reason: String, message: String) async {
        record(on: ObjectReference(object), type: type, reason: reason, message: message)
    }

    /// Queues an Event about the object `reference` names and returns at once.
    public func record(on reference: ObjectReference, type: EventSeverity, reason: String, message: String) {
        let record = Record(
            object: reference, type: type, reason: reason,
            message: String(message.prefix(Self.maximumMessageLength)), time: wallClock())
        progress.withLock { $0.queued += 1 }
        switch continuation.yield(record) {
        case .enqueued: break
        case .dropped:
            progress.withLock { $0.handled += 1 }
            dropped.withLock { $0 += 1 }
            droppedCounter.increment()
            logger.debug("event.dropped", metadata: [
                "object": "\(reference.kind)/\(reference.name)", "reason": "\(reason)",
            ])
        case .terminated:
            progress.withLock { $0.handled += 1 }
            logger.debug("event.after.stop", metadata: [
                "object": "\(reference.kind)/\(reference.name)", "reason": "\(reason)",
            ])
        @unknown default: break
        }
    }

    /// Writes Events until cancelled; on graceful shutdown, writes those already queued and
    /// returns. Call once.
    public func run() async {
        await withGracefulShutdownHandler {
            await writeAll()
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    /// Writes the buffered Events in lanes: an object's Events always go to the same lane, which
    /// writes them in order and keeps their aggregation (its own correlator); lanes write at once.
    private func writeAll() async {
        let laneCount = max(1, options.concurrentWrites)
        var correlators: [EventCorrelator?] = Array(
            repeating: EventCorrelator(capacity: max(1, options.correlationCapacity / laneCount)), count: laneCount)
        await withTaskGroup(of: (Int, EventCorrelator).self) { group in
            func finishOne() async {
                guard let (lane, correlator) = await group.next() else { return }
                correlators[lane] = correlator
            }
            for await record in records {
                var hasher = Hasher()
                hasher.combine(record.object.namespace)
                hasher.combine(record.object.name)
                hasher.combine(record.object.kind)
                let lane = Int(UInt(bitPattern: hasher.finalize()) % UInt(laneCount))
                // The lane is still writing this object's (or a neighbour's) Event: wait for it.
                while correlators[lane] == nil { await finishOne() }
                var correlator = correlators[lane]!
                correlators[lane] = nil
                group.addTask {
                    await self.write(record, correlator: &correlator)
                    self.progress.withLock { $0.handled += 1 }
                    return (lane, correlator)
                }
            }
            while !group.isEmpty { await finishOne() }
        }
    }

    /// Patches the Event already written for `record`, or creates one.
    func write(_ record: Record, correlator: inout EventCorrelator) async {
        let key = EventCorrelator.Key(
            object: record.object, type: record.type, reason: record.reason, message: record.message)
        let timestamp = KubernetesTime.time(record.time)
        if var entry = correlator.entry(for: key) {
            entry.count += 1
            do {
                _ = try await client.patch(
                    Self.eventKind, name: entry.name, namespace: entry.namespace,
                    patch: ["count": .int(Int64(entry.count)), "lastTimestamp": .string(timestamp)], type: .merge)
                correlator.remember(entry, for: key)
                return
            } catch let error as APIError where error.reason == .notFound {
                // The Event expired or was deleted: start a new one.
                correlator.forget(key)
            } catch {
                logger.warning("event.write.failed", metadata: [
                    "event": "\(entry.namespace)/\(entry.name)", "error": "\(error)",
                ])
                return
            }
        }
        let event = makeEvent(record, timestamp: timestamp)
        do {
            let created = try await client.create(event)
            correlator.remember(
                EventCorrelator.Entry(
                    namespace: created.namespace ?? event.namespace ?? "default", name: created.name, count: 1,
                    firstTimestamp: timestamp),
                for: key)
        } catch {
            logger.warning("event.write.failed", metadata: [
                "event": "\(event.namespace ?? "")/\(event.name)", "error": "\(error)",
            ])
        }
    }

    static let eventKind = GroupVersionKind(group: "", version: "v1", kind: "Event")

    /// The Event for `record`, named `<object>.<16 hex digits of its time>` in the object's namespace
    /// (`default` for a cluster-scoped object, as client-go does).
    func makeEvent(_ record: Record, timestamp: String) -> Resource {
        // client-go's suffix: the time in nanoseconds, so that Events of one object list (and
        // `kubectl describe` shows those of one second) in the order they happened.
        let nanoseconds = UInt64(max(0, record.time.timeIntervalSince1970 * 1_000_000_000))
        let suffix = String(nanoseconds &+ UInt64.random(in: 0..<1_000), radix: 16)
        let base = record.object.name.isEmpty ? record.object.kind.lowercased() : record.object.name
        let name = String(base.prefix(253 - 17)) + "." + String(repeating: "0", count: 16 - suffix.count) + suffix
        var event = Resource(
            apiVersion: "v1", kind: "Event", name: name, namespace: record.object.namespace ?? "default")
        event.object["involvedObject"] = record.object.value
        event.object["reason"] = .string(record.reason)
        event.object["message"] = .string(record.message)
        event.object["type"] = .string(record.type.rawValue)
        var source: JSONObject = ["component": .string(options.component)]
        if let host = options.host { source["host"] = .string(host) }
        event.object["source"] = .object(source)
        event.object["firstTimestamp"] = .string(timestamp)
        event.object["lastTimestamp"] = .string(timestamp)
        event.object["count"] = 1
        event.object["reportingComponent"] = .string(options.component)
        if let host = options.host { event.object["reportingInstance"] = .string(host) }
        return event
    }
}
