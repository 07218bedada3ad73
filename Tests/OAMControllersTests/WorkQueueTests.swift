import OAMControllers
import ControllerRuntime
import KubeClient
import TestSupport
import Testing

@Suite struct WorkQueueTests {
    @Test func aKeyAddedTwiceWaitsOnce() async {
        let queue = WorkQueue<String>(name: "test")
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
    }

    @Test func aKeyIsNeverHandedToTwoWorkersAtOnce() async {
        let queue = WorkQueue<String>(name: "test")
        await queue.add("a")
        let first = await queue.next()
        #expect(first == "a")
        // Added again while a worker has it: it waits for that worker, then comes back once.
        await queue.add("a")
        await queue.add("a")
        #expect(await queue.depth == 0)
        await queue.add("b")
        #expect(await queue.next() == "b")
        await queue.done("a")
        #expect(await queue.depth == 1)
        #expect(await queue.next() == "a")
    }

    @Test func failuresBackOffPerKeyAndForgetResets() async {
        let backoff = RetryBackoff(initial: .milliseconds(10), maximum: .seconds(1))
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(10))
        #expect(backoff.delay(afterFailures: 3) == .milliseconds(40))
        #expect(backoff.delay(afterFailures: 30) == .seconds(1))
        let queue = WorkQueue<String>(name: "test", backoff: backoff)
        await queue.addRateLimited("a")
        await queue.addRateLimited("a")
        #expect(await queue.failureCount("a") == 2)
        await queue.forget("a")
        #expect(await queue.failureCount("a") == 0)
    }

    @Test func aDelayedKeyComesBackAndTheEarliestTimeWins() async throws {
        let queue = WorkQueue<String>(name: "test")
        await queue.add("a", after: .seconds(3_600))
        await queue.add("a", after: .milliseconds(20))
        #expect(await queue.delayedCount == 1)
        #expect(await queue.depth == 0)
        let arrived = try await eventually { await queue.depth == 1 }
        #expect(arrived)
        #expect(await queue.next() == "a")
        #expect(await queue.delayedCount == 0)
    }

    @Test func shuttingDownReleasesWaitingWorkers() async {
        let queue = WorkQueue<String>(name: "test")
        async let waiting = queue.next()
        await queue.shutDown()
        #expect(await waiting == nil)
        await queue.add("late")
        #expect(await queue.next() == nil)
    }

    @Test func idleMeansNothingWaitingAndNothingInProgress() async {
        let queue = WorkQueue<String>(name: "test")
        await queue.add("a")
        let key = await queue.next()
        async let idle: Void = queue.waitUntilIdle()
        await queue.done(key!)
        await idle
        #expect(await queue.depth == 0)
    }
}
