import Logging
import Resources

/// What ``KubernetesClient/watchForever(_:namespace:labelSelector:fieldSelector:backoff:)`` delivers.
public enum ReflectorEvent: Sendable, Hashable {
    /// A fresh list: every object that exists now. Replace what you hold with it. Comes first,
    /// and again whenever the resume point has expired (410).
    case relisted([Resource], resourceVersion: String)
    /// A change after the last list (never a BOOKMARK: those only move the resume point).
    case event(WatchEvent)
}

/// How long to wait between failed attempts: doubling from `initial`, capped at `maximum`.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `failures` failures in a row (1 or more).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, failures) {
            delay = delay * 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}

extension KubernetesClient {
    /// Lists then watches objects of `kind` for as long as the consumer reads, as client-go's
    /// Reflector does.
    ///
    /// - A watch continues from the list's resourceVersion; when the server ends it, the next
    ///   one resumes from the last resourceVersion seen (bookmarks move it too), with no re-list.
    /// - When that resourceVersion has expired (410 Gone/Expired), it lists again and delivers
    ///   ``ReflectorEvent/relisted(_:resourceVersion:)``.
    /// - On any other failure (the server is down, a broken connection), it retries after
    ///   ``Backoff`` delays that double up to their cap.
    /// - It ends when the consumer stops reading or its task is cancelled.
    ///
    /// ```swift
    /// for await change in client.watchForever(configMaps, namespace: "shop") {
    ///     switch change {
    ///     case .relisted(let objects, _): cache.replace(objects)
    ///     case .event(let event): cache.apply(event)
    ///     }
    /// }
    /// ```
    public func watchForever(
        _ kind: GroupVersionKind, namespace: String? = nil, labelSelector: LabelSelector? = nil,
        fieldSelector: String? = nil, backoff: Backoff = Backoff(), logger: Logger = Logger(label: "mizzen.reflector")
    ) -> AsyncStream<ReflectorEvent> {
        let (stream, continuation) = AsyncStream<ReflectorEvent>.makeStream()
        // The loop belongs to the stream: the consumer going away cancels it (onTermination).
        let task = Task { [self] in
            var machine = ReflectorStateMachine(backoff: backoff)
            var logger = logger
            logger[metadataKey: "watch.kind"] = "\(kind)"
            while !Task.isCancelled {
                var wait: Duration?
                do {
                    switch machine.next {
                    case .list:
                        let list = try await listAll(
                            kind, namespace: namespace,
                            options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector))
                        machine.listed(resourceVersion: list.resourceVersion)
                        continuation.yield(.relisted(list.items, resourceVersion: list.resourceVersion))
                    case .watch(let from):
                        let options = WatchOptions(
                            labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: from,
                            allowBookmarks: true, timeoutSeconds: Int.random(in: 300...600))
                        var events = 0
                        for try await event in watch(kind, namespace: namespace, options: options) {
                            events += 1
                            if machine.received(event) { continuation.yield(.event(event)) }
                        }
                        logger.trace("watch.ended", metadata: ["watch.resource_version": "\(machine.resourceVersion ?? "")"])
                        wait = machine.watchEnded(afterEvents: events)
                    }
                } catch {
                    if error is CancellationError || Task.isCancelled { break }
                    wait = machine.failed(error)
                    if let error = error as? APIError, error.code == 403 {
                        // A missing permission never heals by retrying alone: say which, loudly.
                        logger.warning("watch.forbidden", metadata: [
                            "error": "\(error.message)", "watch.retry_in": "\(wait ?? .zero)",
                            "hint": "grant list and watch on this kind to the client's user (see mizzen install)",
                        ])
                    } else {
                        logger.debug("watch.failed", metadata: ["error": "\(error)", "watch.retry_in": "\(wait ?? .zero)"])
                    }
                }
                if let wait {
                    do {
                        try await Task.sleep(for: wait)
                    } catch {
                        break
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
