import DequeModule
public import KubeClient
import Metrics

/// A queue of keys to reconcile, as client-go's rate-limited work queue:
///
/// - a key added while it waits is not added twice (de-duplication);
/// - a key is handed to one worker at a time: added again while a worker has it, it waits until
///   that worker calls ``done(_:)`` and then comes back once;
/// - ``addRateLimited(_:)`` retries a failing key after a per-key delay that doubles on each
///   failure, and ``forget(_:)`` resets it;
/// - ``add(_:after:)`` brings a key back later (a requeue), keeping only the earliest time.
///
/// Workers loop on ``next()`` until it returns `nil` (after ``shutDown()``).
public actor WorkQueue<Key: Hashable & Sendable> {
    private let name: String
    private let backoff: RetryBackoff
    private var queue = Deque<Key>()
    /// Keys waiting in `queue` or to be re-queued when their worker is done, with when they were added.
    private var dirty: [Key: ContinuousClock.Instant] = [:]
    private var processing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var waiters: [CheckedContinuation<Key?, Never>] = []
    private var delayed = DelayedKeys<Key>()
    private var timer: Task<Void, Never>?
    private var timerDeadline: ContinuousClock.Instant?
    private var isShutDown = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private let metrics: QueueMetrics

    /// A queue named `name` (the name labels its metrics).
    public init(name: String, backoff: RetryBackoff = .workQueue, metricsFactory: (any MetricsFactory)? = nil) {
        self.name = name
        self.backoff = backoff
        self.metrics = QueueMetrics(name: name, factory: metricsFactory)
    }

    /// Keys waiting for a worker (not those being processed or delayed).
    public var depth: Int { queue.count }

    /// Keys waiting for a later time.
    public var delayedCount: Int { delayed.count }

    /// Adds `key` unless it already waits.
    public func add(_ key: Key) {
        guard !isShutDown, dirty[key] == nil else { return }
        dirty[key] = .now
        metrics.adds.increment()
        // A key being processed comes back when its worker is done.
        guard !processing.contains(key) else { return }
        if !waiters.isEmpty {
            processing.insert(key)
            let waited = dirty.removeValue(forKey: key).map { ContinuousClock.now - $0 } ?? .zero
            metrics.queueDuration.recordNanoseconds(waited.nanoseconds)
            waiters.removeFirst().resume(returning: key)
        } else {
            queue.append(key)
            metrics.depth.record(queue.count)
        }
    }

    /// Adds `key` once `delay` has passed; an earlier pending time for the same key wins.
    public func add(_ key: Key, after delay: Duration) {
        guard !isShutDown else { return }
        guard delay > .zero else { return add(key) }
        let due = ContinuousClock.now + delay
        if delayed.schedule(key, at: due) { armTimer() }
    }

    /// Adds `key` after its backoff delay and counts a failure.
    public func addRateLimited(_ key: Key) {
        let count = (failures[key] ?? 0) + 1
        failures[key] = count
        metrics.retries.increment()
        add(key, after: backoff.delay(afterFailures: count))
    }

    /// Forgets the failures of `key`: its next retry starts from the shortest delay.
    public func forget(_ key: Key) {
        failures[key] = nil
    }

    /// How many times in a row `key` has failed.
    public func failureCount(_ key: Key) -> Int { failures[key] ?? 0 }

    /// The next key to process, waiting for one; `nil` once the queue is shut down.
    public func next() async -> Key? {
        if isShutDown { return nil }
        if let key = queue.popFirst() {
            processing.insert(key)
            let waited = dirty.removeValue(forKey: key).map { ContinuousClock.now - $0 } ?? .zero
            metrics.queueDuration.recordNanoseconds(waited.nanoseconds)
            metrics.depth.record(queue.count)
            return key
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Returns once no key waits and none is being processed (keys delayed to later do not
    /// count): a resync has been worked through.
    public func waitUntilIdle() async {
        if isIdle { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private var isIdle: Bool { isShutDown || (queue.isEmpty && processing.isEmpty) }

    private func resumeIdleWaiters() {
        guard isIdle, !idleWaiters.isEmpty else { return }
        for waiter in idleWaiters { waiter.resume() }
        idleWaiters.removeAll()
    }

    /// Marks `key` processed; if it was added meanwhile it waits again.
    public func done(_ key: Key) {
        processing.remove(key)
        defer { resumeIdleWaiters() }
        guard !isShutDown, dirty[key] != nil else { return }
        if !waiters.isEmpty {
            processing.insert(key)
            dirty[key] = nil
            waiters.removeFirst().resume(returning: key)
        } else {
            queue.append(key)
            metrics.depth.record(queue.count)
        }
    }

    /// Stops handing out keys: waiting workers get `nil`, delayed keys are dropped.
    public func shutDown() {
        isShutDown = true
        timer?.cancel()
        timer = nil
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
        queue.removeAll()
        delayed = DelayedKeys()
        resumeIdleWaiters()
    }

    // MARK: Delayed keys

    /// Makes sure one timer task sleeps until the earliest delayed key is due.
    private func armTimer() {
        guard let due = delayed.earliest else { return }
        if let timerDeadline, timerDeadline <= due, timer != nil { return }
        timer?.cancel()
        timerDeadline = due
        timer = Task { [weak self] in
            // The timer is the one place the queue waits for time to pass; workers never do.
            try? await Task.sleep(until: due, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.fireDueKeys()
        }
    }

    private func fireDueKeys() {
        timer = nil
        timerDeadline = nil
        for key in delayed.popDue(now: .now) { add(key) }
        armTimer()
    }
}

/// Per-key retry delays of a work queue: KubeClient's doubling ``KubeClient/Backoff``.
public typealias RetryBackoff = Backoff

extension Backoff {
    /// A work queue's default: from 5 ms, doubling to 5 minutes (client-go: 5 ms to 1000 s).
    public static let workQueue = Backoff(initial: .milliseconds(5), maximum: .seconds(300))
}

/// Keys with the time they are due, earliest first (a binary heap), one entry per key.
struct DelayedKeys<Key: Hashable> {
    private var heap: [(due: ContinuousClock.Instant, key: Key)] = []
    private var dueTimes: [Key: ContinuousClock.Instant] = [:]

    var count: Int { dueTimes.count }
    var earliest: ContinuousClock.Instant? { heap.first?.due }

    /// Schedules `key` at `due` unless it is already due earlier; returns whether it was scheduled.
    mutating func schedule(_ key: Key, at due: ContinuousClock.Instant) -> Bool {
        if let existing = dueTimes[key], existing <= due { return false }
        // A later stale heap entry for the key stays; `popDue` skips entries that do not match.
        dueTimes[key] = due
        heap.append((due, key))
        siftUp(heap.count - 1)
        return true
    }

    /// Removes and returns every key due by `now`.
    mutating func popDue(now: ContinuousClock.Instant) -> [Key] {
        var due: [Key] = []
        while let first = heap.first, first.due <= now {
            let entry = removeFirst()
            if dueTimes[entry.key] == entry.due {
                dueTimes[entry.key] = nil
                due.append(entry.key)
            }
        }
        return due
    }

    private mutating func removeFirst() -> (due: ContinuousClock.Instant, key: Key) {
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return first
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
            if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// The metrics of one queue.
struct QueueMetrics: Sendable {
    let depth: Gauge
    let adds: Counter
    let retries: Counter
    let queueDuration: Timer

    init(name: String, factory: (any MetricsFactory)?) {
        let dimensions = [("name", name)]
        if let factory {
            depth = Gauge(label: ControllerMetrics.workQueueDepth, dimensions: dimensions, factory: factory)
            adds = Counter(label: ControllerMetrics.workQueueAddsTotal, dimensions: dimensions, factory: factory)
            retries = Counter(label: ControllerMetrics.workQueueRetriesTotal, dimensions: dimensions, factory: factory)
            queueDuration = Timer(
                label: ControllerMetrics.workQueueQueueDuration, dimensions: dimensions, factory: factory)
        } else {
            depth = Gauge(label: ControllerMetrics.workQueueDepth, dimensions: dimensions)
            adds = Counter(label: ControllerMetrics.workQueueAddsTotal, dimensions: dimensions)
            retries = Counter(label: ControllerMetrics.workQueueRetriesTotal, dimensions: dimensions)
            queueDuration = Timer(label: ControllerMetrics.workQueueQueueDuration, dimensions: dimensions)
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return product &+ attoseconds / 1_000_000_000
    }
}
