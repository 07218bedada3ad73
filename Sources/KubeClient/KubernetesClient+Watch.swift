import Resources

extension KubernetesClient {
    /// Watches objects of type `kind`: the events the server sends, until it ends the watch
    /// (the stream finishes) or something fails (the stream throws: `APIError` for an `ERROR`
    /// event such as `410 Expired`, ``ClientError`` for a broken connection).
    ///
    /// The body is read line by line as it arrives. Stop iterating, or cancel the iterating
    /// task, to close the watch.
    ///
    /// ```swift
    /// for try await event in client.watch(configMaps, namespace: "shop", options: .init(resourceVersion: list.resourceVersion)) {
    ///     print(event.type, event.object.name)
    /// }
    /// ```
    /// - Parameter namespace: `nil` watches every namespace.
    public func watch(
        _ kind: GroupVersionKind, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) -> AsyncThrowingStream<WatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        // The reading task belongs to the stream: the stream's end (the consumer stops or is
        // cancelled) cancels it through onTermination, and it finishes the stream when done.
        let task = Task { [transport, mapper] in
            do {
                let mapping = try await mapper.mapping(for: kind)
                try await transport.watch(mapping.path(namespace: namespace), query: options.query) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
