import NIOCore
import Resources

/// One event of a watch: what happened and the object it happened to.
public struct WatchEvent: Sendable, Hashable {
    /// The `type` of a watch event.
    public enum EventType: String, Sendable, Hashable, CaseIterable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// No change: the object carries only a newer `metadata.resourceVersion` to resume from.
        case bookmark = "BOOKMARK"
    }

    public var type: EventType
    /// The object (its last state for `deleted`).
    public var object: Resource

    public init(type: EventType, object: Resource) {
        self.type = type
        self.object = object
    }

    /// Reads one line of a watch stream: `{"type": "ADDED", "object": {...}}`.
    ///
    /// - Throws: `APIError` for an `ERROR` event (such as `410 Expired`), ``ClientError`` for a
    ///   line that is not an event.
    static func decode(line: ByteBuffer, url: String) throws -> WatchEvent {
        let value: JSONValue
        do {
            value = try JSONValue(parsingJSON: line.readableBytesView)
        } catch {
            throw ClientError(.invalidResponse, url: url, message: "a watch event is not valid JSON: \(error)")
        }
        guard let typeName = value["type"]?.stringValue, case .object(let object)? = value["object"] else {
            throw ClientError(.invalidResponse, url: url, message: "a watch event without type or object")
        }
        if typeName == "ERROR" {
            if let error = APIError(status: .object(object)) { throw error }
            throw ClientError(.invalidResponse, url: url, message: "a watch ERROR event without a Status")
        }
        guard let type = EventType(rawValue: typeName) else {
            throw ClientError(.invalidResponse, url: url, message: "unknown watch event type \"\(typeName)\"")
        }
        return WatchEvent(type: type, object: Resource(object: object))
    }

    /// Reads events from a chunked body line by line; an event may be split across chunks.
    static func events<Body: AsyncSequence>(
        in body: Body, url: String, _ yield: (WatchEvent) -> Void
    ) async throws where Body.Element == ByteBuffer {
        let lines = body.splitLines(omittingEmptySubsequences: true, maximumBufferSize: Transport.maximumBodyBytes)
        for try await line in lines {
            yield(try decode(line: line, url: url))
        }
    }
}
