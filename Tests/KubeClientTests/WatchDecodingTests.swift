@testable import KubeClient
import NIOCore
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("Watch stream decoding")
struct WatchDecodingTests {
    /// The bytes of `text`, cut at `cuts`, as a body that arrives in those chunks.
    static func body(_ text: String, cuts: [Int]) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let bytes = Array(text.utf8)
        var chunks: [ByteBuffer] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            chunks.append(ByteBuffer(bytes: bytes[start..<cut]))
            start = cut
        }
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }

    static let lines = """
        {"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"5"}}}
        {"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"6"}}}
        {"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"9"}}}

        """

    @Test("an event split across chunks, and two events in one chunk, are read whole", arguments: [
        [], [10], [10, 11, 130], [Array(lines.utf8).count - 3],
    ])
    func splitEvents(cuts: [Int]) async throws {
        var events: [WatchEvent] = []
        try await WatchEvent.events(in: Self.body(Self.lines, cuts: cuts), url: "https://x/w") { events.append($0) }
        #expect(events.map(\.type) == [.added, .modified, .bookmark])
        #expect(events.map { $0.object.resourceVersion } == ["5", "6", "9"])
        #expect(events[0].object.name == "a")
    }

    @Test("an ERROR event becomes the APIError of its Status")
    func errorEvent() async throws {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","#
            + #""message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"# + "\n"
        let error = try await #require(throws: APIError.self) {
            try await WatchEvent.events(in: Self.body(line, cuts: [7]), url: "https://x/w") { _ in }
        }
        #expect(error.code == 410)
        #expect(error.reason == .expired)
    }

    @Test("a line that is not an event names the URL")
    func garbage() async throws {
        let error = try await #require(throws: ClientError.self) {
            try await WatchEvent.events(in: Self.body("{\"nope\":1}\n", cuts: []), url: "https://x/w") { _ in }
        }
        #expect(error.url == "https://x/w")
        #expect(error.kind == .invalidResponse)
    }

    @Test("backoff doubles up to its cap")
    func backoff() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect((1...6).map { backoff.delay(afterFailures: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
        ])
    }
}

@Suite("watchForever's decisions")
struct ReflectorStateMachineTests {
    static func event(_ type: WatchEvent.EventType, _ resourceVersion: String) -> WatchEvent {
        var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: "a")
        object.resourceVersion = resourceVersion
        return WatchEvent(type: type, object: object)
    }

    @Test("it lists first, then resumes watches from the last resourceVersion, bookmarks included")
    func resumes() {
        var machine = ReflectorStateMachine(backoff: Backoff())
        #expect(machine.next == .list)
        machine.listed(resourceVersion: "10")
        #expect(machine.next == .watch(from: "10"))
        let deliversAdded = machine.received(Self.event(.added, "11"))
        #expect(deliversAdded)
        let deliversBookmark = machine.received(Self.event(.bookmark, "15"))
        #expect(!deliversBookmark)
        let wait3 = machine.watchEnded(afterEvents: 2)
        #expect(wait3 == nil)
        #expect(machine.next == .watch(from: "15"))
    }

    @Test("410 Expired re-lists at once; other failures back off, doubling, until an event arrives")
    func failures() {
        var machine = ReflectorStateMachine(backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(300)))
        machine.listed(resourceVersion: "10")
        let down = ClientError(.transport, url: "https://x", message: "connection refused")
        let wait4 = machine.failed(down)
        #expect(wait4 == .milliseconds(100))
        let wait5 = machine.failed(down)
        #expect(wait5 == .milliseconds(200))
        let wait6 = machine.watchEnded(afterEvents: 0)
        #expect(wait6 == .milliseconds(300))
        let wait7 = machine.failed(down)
        #expect(wait7 == .milliseconds(300))
        #expect(machine.next == .watch(from: "10"))
        _ = machine.received(Self.event(.modified, "12"))
        let wait8 = machine.failed(down)
        #expect(wait8 == .milliseconds(100))

        let wait9 = machine.failed(APIError.expired("too old resource version: 12 (40)"))
        #expect(wait9 == nil)
        #expect(machine.next == .list)
        let wait10 = machine.failed(APIError(code: 410, reason: .gone, message: "gone"))
        #expect(wait10 == nil)
        #expect(machine.next == .list)
    }
}
