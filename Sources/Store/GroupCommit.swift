import GRDB
import Resources
import Synchronization

/// Group commit: the writes that queue up while the writer is busy go into its next transaction
/// together, so that one fsync makes all of them durable.
///
/// Each write runs in its own savepoint, with its own resourceVersions and garbage collection,
/// exactly as it would alone: a write that fails is rolled back to its savepoint and fails alone.
/// Nothing is acknowledged before the transaction has committed; the batch's events are then
/// published in resourceVersion order, and each write is answered. A write that arrives while the
/// writer is idle is started at once — there is no timer.
final class GroupCommit: Sendable {
    /// One write waiting for the writer.
    struct Write: Sendable {
        /// A dry run is rolled back to its savepoint after it ran.
        let dryRun: Bool
        /// Runs the write; returns what answers it once its transaction has committed.
        let perform: @Sendable (StoreTransaction) throws -> @Sendable () -> Void
        /// Answers the write with an error.
        let fail: @Sendable (any Error) -> Void
    }

    private let queue: Mutex<WriteQueue<Write>>
    private let writer: any DatabaseWriter
    private let hub: WatchHub
    private let historyRevisions: Int64
    /// Filled with what each committed batch wrote.
    private let recent: RecentObjects?
    /// Compaction by age (none with a zero retention).
    private let checkpoints: Mutex<HistoryCheckpoints>
    private let maxObjectBytes: Int

    init(
        writer: any DatabaseWriter, hub: WatchHub, historyRevisions: Int64, recent: RecentObjects? = nil,
        historyRetention: Duration = .zero, maxObjectBytes: Int = 0, maximumBatch: Int = 256
    ) {
        self.writer = writer
        self.hub = hub
        self.historyRevisions = historyRevisions
        self.recent = recent
        checkpoints = Mutex(HistoryCheckpoints(retention: historyRetention))
        self.maxObjectBytes = maxObjectBytes
        queue = Mutex(WriteQueue(maximumBatch: maximumBatch))
    }

    /// Queues a write; it is answered through its `perform` acknowledgement or `fail`.
    func submit(_ write: Write) {
        if queue.withLock({ $0.enqueue(write) }) { scheduleBatch() }
    }

    /// How many writes wait for the writer (for tests).
    var waitingCount: Int { queue.withLock { $0.waiting.count } }

    /// How many batches the writer has taken so far (for tests).
    var batchCount: Int { queue.withLock { $0.batches } }

    private func scheduleBatch() {
        // The writer's serial queue is the "writer is free" signal: the batch is taken when this
        // block starts, so it holds whatever queued up during the previous commit.
        writer.asyncWriteWithoutTransaction { db in
            let batch = self.queue.withLock { $0.takeBatch() }
            self.commit(batch, db)
            if self.queue.withLock({ $0.finishBatch() }) { self.scheduleBatch() }
        }
    }

    /// Runs `batch` in one transaction, then publishes its events and answers every write.
    private func commit(_ batch: [Write], _ db: Database) {
        if batch.isEmpty { return }
        var outcomes: [Result<@Sendable () -> Void, any Error>] = []
        outcomes.reserveCapacity(batch.count)
        var events: [StoreEvent] = []
        do {
            guard db.sqliteConnection != nil else {
                throw APIError(code: 503, reason: .serviceUnavailable, message: "the store is closed")
            }
            try db.inTransaction(.immediate) {
                var resourceVersion = try StoreSchema.currentResourceVersion(db)
                for write in batch {
                    var acknowledgement: (@Sendable () -> Void)?
                    var written: StoreTransaction?
                    do {
                        try db.inSavepoint {
                            let transaction = StoreTransaction(
                                db, dryRun: write.dryRun, resourceVersion: resourceVersion, recent: recent)
                            transaction.maxObjectBytes = maxObjectBytes
                            acknowledgement = try write.perform(transaction)
                            if write.dryRun { return .rollback }
                            try transaction.collectGarbage()
                            written = transaction
                            return .commit
                        }
                    } catch {
                        // The savepoint is rolled back: the write fails alone — unless SQLite
                        // aborted the whole transaction (disk full, I/O error), which fails the batch.
                        guard db.isInsideTransaction else { throw error }
                        outcomes.append(.failure(error))
                        continue
                    }
                    if let written {
                        resourceVersion = written.resourceVersion
                        events.append(contentsOf: written.events)
                    }
                    guard let acknowledgement else {
                        outcomes.append(.failure(APIError.internalError("the write produced no result")))
                        continue
                    }
                    outcomes.append(.success(acknowledgement))
                }
                let now = ContinuousClock.now
                let current = resourceVersion
                let aged = checkpoints.withLock { checkpoints in
                    checkpoints.record(resourceVersion: current, at: now)
                    return checkpoints.compactionTarget(at: now)
                }
                try StoreTransaction(db, dryRun: false, resourceVersion: resourceVersion)
                    .compactIfNeeded(keep: historyRevisions, through: aged)
                return .commit
            }
        } catch {
            // Nothing of the batch is durable: every write that has not failed on its own fails.
            for (index, write) in batch.enumerated() {
                if index < outcomes.count, case .failure(let own) = outcomes[index] {
                    write.fail(own)
                } else {
                    write.fail(error)
                }
            }
            return
        }
        if let recent {
            for event in events {
                if event.kind == .deleted {
                    recent.forget(event.key)
                } else {
                    recent.remember(event.object, at: event.key, resourceVersion: event.resourceVersion, bytes: event.bytes)
                }
            }
        }
        hub.publish(events)
        for (write, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .success(let acknowledge): acknowledge()
            case .failure(let error): write.fail(error)
            }
        }
    }
}

/// The queue of writes waiting for the writer, and whether a batch is scheduled to take them.
struct WriteQueue<Element> {
    let maximumBatch: Int
    private(set) var waiting: [Element] = []
    private(set) var scheduled = false
    /// How many non-empty batches were taken.
    private(set) var batches = 0

    init(maximumBatch: Int) {
        precondition(maximumBatch > 0, "a batch holds at least one write")
        self.maximumBatch = maximumBatch
    }

    /// Adds a write.
    ///
    /// - Returns: whether the caller must schedule a batch (none is scheduled yet).
    mutating func enqueue(_ element: Element) -> Bool {
        waiting.append(element)
        if scheduled { return false }
        scheduled = true
        return true
    }

    /// The writes of the next batch, oldest first: all that wait, up to `maximumBatch`.
    mutating func takeBatch() -> [Element] {
        let count = min(maximumBatch, waiting.count)
        let batch = Array(waiting[..<count])
        waiting.removeFirst(count)
        if count > 0 { batches += 1 }
        return batch
    }

    /// Ends a batch.
    ///
    /// - Returns: whether the caller must schedule another batch (writes are still waiting).
    mutating func finishBatch() -> Bool {
        if waiting.isEmpty {
            scheduled = false
            return false
        }
        return true
    }
}
