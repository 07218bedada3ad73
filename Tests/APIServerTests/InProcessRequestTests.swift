import APIServer
import Foundation
import NIOCore
import Resources
import TestSupport
import Testing

/// Requests made in the server's own process (`respondInProcess`) go through everything a
/// request over HTTPS does: authentication, the limits, the watch backlog.
@Suite("in-process requests")
struct InProcessRequestTests {
    static let configMaps = OverloadLimitsTests.configMaps

    static func request(
        _ plane: LimitsPlane, _ method: String, _ path: String, query: String = "", token: String? = nil, body: String = ""
    ) async -> InProcessAnswer {
        await plane.server.respondInProcess(
            method: method, path: path, query: query,
            headers: [(name: "Authorization", value: "Bearer \(token ?? plane.token)"), (name: "Content-Type", value: "application/json")],
            body: Array(body.utf8))
    }

    /// The answer's body as JSON (`null` when it is not JSON).
    static func json(_ answer: InProcessAnswer) -> JSONValue {
        (try? JSONValue(parsingJSON: Array(buffer: answer.body))) ?? .null
    }

    @Test("a request is authenticated from its headers and answered with the status, headers and body of HTTPS")
    func answers() async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            let created = await Self.request(plane, "POST", Self.configMaps, body: OverloadLimitsTests.configMap("a"))
            #expect(created.status == 201)
            #expect(created.headers.contains { $0.name.lowercased() == "content-type" && $0.value == "application/json" })
            #expect(Self.json(created)["metadata"]?["name"] == "a")

            let again = await Self.request(plane, "POST", Self.configMaps, body: OverloadLimitsTests.configMap("a"))
            #expect(again.status == 409)
            #expect(Self.json(again)["reason"] == "AlreadyExists")

            let listed = await Self.request(plane, "GET", Self.configMaps, query: "labelSelector=app%3Dnone")
            #expect(listed.status == 200)
            #expect(Self.json(listed)["items"]?.arrayValue?.isEmpty == true)

            let stranger = await Self.request(plane, "GET", Self.configMaps, token: "not-a-token")
            #expect(stranger.status == 401)
            #expect(Self.json(stranger)["reason"] == "Unauthorized")

            let large = await Self.request(
                plane, "POST", Self.configMaps, body: OverloadLimitsTests.configMap("huge", bytes: 3 * 1024 * 1024))
            #expect(large.status == 413)
        }
    }

    @Test("a watch streams its events; dropping the stream ends the watch")
    func watchEnds() async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            var answer: InProcessAnswer? = await Self.request(plane, "GET", Self.configMaps, query: "watch=1")
            #expect(answer?.status == 200)
            #expect(plane.server.openWatchCount == 1)
            _ = await Self.request(plane, "POST", Self.configMaps, body: OverloadLimitsTests.configMap("seen"))
            var chunks = try #require(answer?.stream).makeAsyncIterator()
            let first = try #require(try await chunks.next())
            let event = try JSONValue(parsingJSON: Array(buffer: first).dropLast())
            #expect(event["type"] == "ADDED")
            #expect(event["object"]?["metadata"]?["name"] == "seen")
            answer = nil
            chunks = AsyncThrowingStream<ByteBuffer, any Error> { $0.finish() }.makeAsyncIterator()
            #expect(try await eventually { plane.server.openWatchCount == 0 })
        }
    }

    @Test("a long-running request other than a watch (a Pod's log) streams its body too")
    func logStreams() async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            let pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                 "spec":{"nodeName":"mizzen","containers":[{"name":"c","image":"nginx"}]}}
                """
            #expect(await Self.request(plane, "POST", "/api/v1/namespaces/default/pods", body: pod).status == 201)
            let log = await Self.request(plane, "GET", "/api/v1/namespaces/default/pods/p/log", query: "follow=true")
            #expect(log.status == 200)
            var text = ""
            for try await chunk in try #require(log.stream) { text += String(buffer: chunk) }
            #expect(text.contains("container c of pod default/p has no logs"))
        }
    }

    @Test("a watch whose in-process client stops reading is closed once its buffer fills, as over a socket")
    func slowReader() async throws {
        try await LimitsPlane.with(configure: {
            $0.maxWatchBufferEvents = 4
            $0.watchDrainGrace = .milliseconds(300)
        }) { plane in
            let answer = await Self.request(plane, "GET", Self.configMaps, query: "watch=1")
            #expect(answer.status == 200)
            var created = 0
            while plane.server.limitFigures.watchesCut == 0, created < 100 {
                created += 1
                let write = await Self.request(plane, "POST", Self.configMaps, body: OverloadLimitsTests.configMap("cm-\(created)"))
                #expect(write.status == 201)
            }
            #expect(plane.server.limitFigures.watchesCut == 1, "\(created) events did not fill the buffer")
            let closed = try await eventually { plane.server.openWatchCount == 0 }
            #expect(closed)
            // The client reads at most what was handed over before the cut; then the stream ends with an error.
            var read = 0
            var ended: (any Error)?
            do {
                for try await _ in try #require(answer.stream) { read += 1 }
            } catch {
                ended = error
            }
            #expect(read < created)
            #expect(ended != nil, "a watch dropped for a slow reader ends as a broken connection does")
        }
    }
}
