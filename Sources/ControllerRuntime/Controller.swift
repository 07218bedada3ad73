import Logging
import Metrics

/// What a reconcile asks for next.
public enum ReconcileResult: Sendable, Hashable {
    /// Converged (or waiting for an event): nothing until the next change.
    case done
    /// Look again after `after` (an unmet dependency, a periodic check), with the failure count reset.
    case requeue(after: Duration)
}

/// Brings one object's world in line with its spec. Reads from caches, writes through the
/// client, never sleeps: it returns ``ReconcileResult/requeue(after:)`` instead. A thrown error
/// retries the key with a per-key backoff.
public protocol Reconciler: Sendable {
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// A named work queue and the workers that run a ``Reconciler`` on its keys: never two workers on
/// one key, errors retried with backoff, requeues honoured.
public final class Controller: Sendable {
    public let name: String
    public let queue: WorkQueue<ObjectKey>
    let reconciler: any Reconciler
    let workers: Int
    let logger: Logger
    let metrics: ReconcileMetrics
    /// The informer of the kind this controller reconciles, for ``resync()``.
    public let primary: Informer?

    /// A controller with `workers` workers, reconciling the objects of `primary`.
    public init(
        name: String, reconciler: any Reconciler, primary: Informer? = nil, workers: Int = 2,
        backoff: RetryBackoff = .workQueue,
        logger: Logger = Logger(label: "mizzen.controller"), metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.name = name
        self.queue = WorkQueue(name: name, backoff: backoff, metricsFactory: metricsFactory)
        self.reconciler = reconciler
        self.primary = primary
        self.workers = max(1, workers)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.metrics = ReconcileMetrics(controller: name, factory: metricsFactory)
    }

    /// Queues `key` for a reconcile.
    public func enqueue(_ key: ObjectKey) async {
        await queue.add(key)
    }

    /// Queues every object of the primary informer (a full resync).
    public func resync() async {
        for key in primary?.cache.keys ?? [] { await queue.add(key) }
    }

    /// Returns once the queue is worked through.
    public func waitUntilIdle() async {
        await queue.waitUntilIdle()
    }

    /// Runs the workers until the task is cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask { await self.work() }
                }
            }
        } onCancel: {
            // The cancellation handler cannot await: shutting the queue down wakes the workers
            // parked in `next()`, which then return.
            let queue = self.queue
            Task { await queue.shutDown() }
        }
    }

    private func work() async {
        while let key = await queue.next() {
            let start = ContinuousClock.now
            do {
                let result = try await reconciler.reconcile(key)
                await queue.forget(key)
                switch result {
                case .done:
                    metrics.success.increment()
                case .requeue(let delay):
                    metrics.requeue.increment()
                    await queue.add(key, after: delay)
                }
            } catch is CancellationError {
                await queue.done(key)
                return
            } catch {
                metrics.error.increment()
                metrics.errors.increment()
                let failures = await queue.failureCount(key) + 1
                // The first failures are ordinary (a conflict, a cache a moment behind); repeated ones are not.
                let level: Logger.Level = failures >= 5 ? .warning : .debug
                logger.log(level: level, "reconcile.failed", metadata: [
                    "key": "\(key)", "error": "\(error)", "failures": "\(failures)",
                ])
                await queue.addRateLimited(key)
            }
            metrics.duration.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
            await queue.done(key)
        }
    }
}

/// The metrics of one controller's reconciles.
struct ReconcileMetrics: Sendable {
    let success: Counter
    let error: Counter
    let requeue: Counter
    let errors: Counter
    let duration: Timer

    init(controller: String, factory: (any MetricsFactory)?) {
        func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
            factory.map { Counter(label: label, dimensions: dimensions, factory: $0) }
                ?? Counter(label: label, dimensions: dimensions)
        }
        success = counter(ControllerMetrics.reconcileTotal, [("controller", controller), ("result", ControllerMetrics.Result.success.rawValue)])
        error = counter(ControllerMetrics.reconcileTotal, [("controller", controller), ("result", ControllerMetrics.Result.error.rawValue)])
        requeue = counter(ControllerMetrics.reconcileTotal, [("controller", controller), ("result", ControllerMetrics.Result.requeue.rawValue)])
        errors = counter(ControllerMetrics.reconcileErrorsTotal, [("controller", controller)])
        let dimensions = [("controller", controller)]
        duration = factory.map { Timer(label: ControllerMetrics.reconcileDuration, dimensions: dimensions, factory: $0) }
            ?? Timer(label: ControllerMetrics.reconcileDuration, dimensions: dimensions)
    }
}
