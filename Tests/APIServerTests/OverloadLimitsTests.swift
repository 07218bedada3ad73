@testable import APIServer
import Foundation
@testable import KubeClient
import Resources
import Store
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The limits kube-apiserver protects itself with, on the embedded server: requests in flight,
/// request deadlines, body and object sizes, slow watch consumers, and history by age.
@Suite("Overload and limits")
struct OverloadLimitsTests {
    static func configMap(_ name: String, bytes: Int = 0) -> String {
        let data = bytes > 0 ? ",\"data\":{\"blob\":\"\(String(repeating: "x", count: bytes))\"}" : ""
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"\(name)\"}\(data)}"
    }

    static let configMaps = "/api/v1/namespaces/default/configmaps"

    static let janeIsAdmin = """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"jane-admin"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
         "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"jane"}]}
        """

    @Test("a mutating request past --max-mutating-requests-inflight gets kube's 429 with Retry-After: 1; reads and system:masters still pass")
    func mutatingInflightLimit() async throws {
        let gate = GateAdmission()
        try await LimitsPlane.with(admission: [gate], configure: { $0.maxMutatingRequestsInflight = 1 }) { plane in
            let binding = try await plane.send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", body: Self.janeIsAdmin)
            #expect(binding.status == 201)
            async let held = plane.send("POST", Self.configMaps, body: Self.configMap("held-1"), impersonating: "jane")
            #expect(try await eventually { gate.waitingCount == 1 })

            let refused = try await plane.send("POST", Self.configMaps, body: Self.configMap("second"), impersonating: "jane")
            #expect(refused.status == 429)
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(refused.body == "Too many requests, please try again later.\n")

            let read = try await plane.send("GET", Self.configMaps, impersonating: "jane")
            #expect(read.status == 200)
            let master = try await plane.send("POST", Self.configMaps, body: Self.configMap("by-admin"))
            #expect(master.status == 201, "system:masters are never refused: \(master.body)")

            gate.open()
            #expect(try await held.status == 201)
            let again = try await plane.send("POST", Self.configMaps, body: Self.configMap("second"), impersonating: "jane")
            #expect(again.status == 201)
            #expect(plane.server.limitFigures.refused == 1)
        }
    }

    @Test("requests are classed as kube's max-in-flight filter classes them", arguments: [
        ("GET", "/api/v1/pods", ["watch": "true"], RequestClass.longRunning),
        ("GET", "/api/v1/namespaces/a/pods/p/log", ["follow": "true"], .longRunning),
        ("POST", "/api/v1/namespaces/a/pods/p/exec", [:], .longRunning),
        ("GET", "/api/v1/watch/namespaces/a/pods", [:], .longRunning),
        ("GET", "/api/v1/namespaces/a/pods", [:], .readOnly),
        ("PATCH", "/apis/apps/v1/namespaces/a/deployments/d", [:], .mutating),
        ("DELETE", "/api/v1/namespaces/a", [:], .mutating),
    ])
    func classes(method: String, path: String, query: [String: String], expected: RequestClass) {
        #expect(RequestClass(method: method, path: path, query: query) == expected)
    }

    @Test("the in-flight limiter counts read-only and mutating requests apart and never long-running ones")
    func limiterCounts() {
        let limiter = InflightLimiter(maxReadOnly: 2, maxMutating: 1)
        let reads = [limiter.admit(.readOnly), limiter.admit(.readOnly)]
        #expect(reads.allSatisfy { $0 != nil })
        #expect(limiter.admit(.readOnly) == nil)
        let write = limiter.admit(.mutating)
        #expect(write != nil)
        #expect(limiter.admit(.mutating) == nil)
        #expect((0..<50).allSatisfy { _ in limiter.admit(.longRunning) != nil })
        limiter.release(reads[0]!)
        #expect(limiter.admit(.readOnly) != nil)
        #expect(InflightLimiter(maxReadOnly: 0, maxMutating: 0).admit(.mutating) != nil)
    }

    @Test("clients wait out a 429's Retry-After, at most ten times, and take other refusals as answers")
    func clientRetryPolicy() {
        #expect(RetryAfter.delay(code: 429, header: "1", attempt: 0) == .seconds(1))
        #expect(RetryAfter.delay(code: 429, header: "1", attempt: 10) == nil)
        #expect(RetryAfter.delay(code: 429, header: nil, attempt: 0) == nil)
        #expect(RetryAfter.delay(code: 504, header: "1", attempt: 0) == nil)
        #expect(RetryAfter.delay(code: 429, header: "3600", attempt: 0) == nil)
    }

    @Test("a request past --request-timeout gets kube's 504; ?timeout= shortens the deadline; a bad one is kube's 400")
    func requestTimeout() async throws {
        let gate = GateAdmission(delay: .seconds(3))
        try await LimitsPlane.with(admission: [gate], configure: { $0.requestTimeout = .milliseconds(400) }) { plane in
            let late = try await plane.send("POST", Self.configMaps, body: Self.configMap("slow-1"))
            #expect(late.status == 504)
            #expect(late.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(late.body == #"{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout","reason":"Timeout","details":{},"code":504}"# + "\n")
            #expect(try await plane.send("GET", Self.configMaps).status == 200)
        }
        try await LimitsPlane.with(admission: [gate], configure: { _ in }) { plane in
            let late = try await plane.send("POST", Self.configMaps + "?timeout=300ms", body: Self.configMap("slow-2"))
            #expect(late.status == 504)
            let bad = try await plane.send("GET", Self.configMaps + "?timeout=soon")
            #expect(bad.status == 400)
            #expect(bad.json?["message"]?.stringValue
                == "invalid timeout specified in the request URL - time: invalid duration \"soon\"")
        }
    }

    @Test("timeout values parse as Go durations", arguments: [
        ("300ms", Duration.milliseconds(300)), ("1m30s", .seconds(90)), ("1.5h", .seconds(5400)), ("0", .zero),
        ("2us", .microseconds(2)),
    ])
    func goDurations(text: String, expected: Duration) throws {
        #expect(try GoDuration.parse(text) == expected)
    }

    @Test("a deadline is the server's unless the request asks for a shorter positive one")
    func deadlines() throws {
        #expect(try RequestDeadline.timeout(query: [:], maximum: .seconds(60)) == .seconds(60))
        #expect(try RequestDeadline.timeout(query: ["timeout": "5s"], maximum: .seconds(60)) == .seconds(5))
        #expect(try RequestDeadline.timeout(query: ["timeout": "0s"], maximum: .seconds(60)) == .seconds(60))
        #expect(try RequestDeadline.timeout(query: ["timeout": "2m"], maximum: .seconds(60)) == .seconds(60))
        #expect(throws: APIError.self) { try RequestDeadline.timeout(query: ["timeout": "5"], maximum: .seconds(60)) }
    }

    @Test("a body over 3 MiB gets kube's 413; an object over etcd's 1.5 MiB gets its 500 'request is too large'")
    func sizeLimits() async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            let tooLarge = try await plane.send("POST", Self.configMaps, body: Self.configMap("huge", bytes: 3 * 1024 * 1024))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json?["reason"] == "RequestEntityTooLarge")
            #expect(tooLarge.json?["message"] == "Request entity too large: limit is 3145728")
        }
        // The object limit (etcd's) is checked on what is stored, below the body limit.
        try await LimitsPlane.with(configure: { $0.store.maxObjectBytes = 64 * 1024 }) { plane in
            let large = try await plane.send("POST", Self.configMaps, body: Self.configMap("large", bytes: 80 * 1024))
            #expect(large.status == 500)
            #expect(large.json?["message"] == "etcdserver: request is too large")
            #expect(large.json?["reason"] == nil)
            let dryRun = try await plane.send(
                "POST", Self.configMaps + "?dryRun=All", body: Self.configMap("large", bytes: 80 * 1024))
            #expect(dryRun.status == 201, "a dry run never reaches etcd")
            #expect(try await plane.send("POST", Self.configMaps, body: Self.configMap("small", bytes: 1024)).status == 201)
        }
    }

    @Test("a watch whose client never reads is closed once its buffer fills, and its connection dropped")
    func slowWatchConsumer() async throws {
        try await LimitsPlane.with(configure: {
            $0.maxWatchBufferEvents = 4
            $0.watchDrainGrace = .milliseconds(300)
        }) { plane in
            let port = plane.port
            let request = Array((
                "GET \(Self.configMaps)?watch=1&resourceVersion=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer \(plane.token)\r\n\r\n").utf8)
            let fd = try RawSocket.connect(port: port, receiveBuffer: 4096)
            defer { close(fd) }
            try RawSocket.write(fd, request)
            #expect(try await eventually { plane.server.openWatchCount == 1 })
            let handler = plane.server.handler
            var created = 0
            while plane.server.limitFigures.watchesCut == 0, created < 400 {
                created += 1
                let answer = await handler.handle(APIRequest(
                    method: "POST", path: Self.configMaps, body: Array(Self.configMap("cm-\(created)", bytes: 128 * 1024).utf8)))
                guard case .json(201, _, _) = answer else {
                    Issue.record("create failed: \(answer)")
                    return
                }
            }
            #expect(plane.server.limitFigures.watchesCut == 1, "\(created) events did not fill the buffer")
            #expect(try await eventually { plane.server.openWatchCount == 0 })
        }
    }

    @Test("history older than the retention is compacted: a watch or a continue token from before it gets 410 Expired")
    func historyByAge() async throws {
        try await LimitsPlane.with(configure: {
            $0.store.historyRetention = .milliseconds(300)
        }) { plane in
            let handler = plane.server.handler
            for name in ["a", "b", "c"] {
                _ = await handler.handle(APIRequest(method: "POST", path: Self.configMaps, body: Array(Self.configMap(name).utf8)))
            }
            guard case .json(200, let page, _) = await handler.handle(
                APIRequest(method: "GET", path: Self.configMaps, query: ["limit": "1"]))
            else {
                Issue.record("list failed")
                return
            }
            let token = try #require(page["metadata"]?["continue"]?.stringValue)
            let old = try #require(page["metadata"]?["resourceVersion"]?.stringValue.flatMap(Int.init))
            // Writes go on; once the retention has passed, a write compacts what came before it.
            var writes = 0
            let compacted = try await eventually(timeout: .seconds(10)) {
                writes += 1
                _ = await handler.handle(APIRequest(
                    method: "POST", path: Self.configMaps, body: Array(Self.configMap("later-\(writes)").utf8)))
                guard case .json(let code, _, _) = await handler.handle(
                    APIRequest(method: "GET", path: Self.configMaps, query: ["limit": "1", "continue": token]))
                else { return false }
                return code == 410
            }
            #expect(compacted)
            guard case .json(410, let expired, _) = await handler.handle(
                APIRequest(method: "GET", path: Self.configMaps, query: ["limit": "1", "continue": token]))
            else {
                Issue.record("the continue token did not expire")
                return
            }
            #expect(expired["reason"] == "Expired")
            #expect(expired["message"]?.stringValue?.hasPrefix("The provided continue parameter is too old") == true)

            guard case .watch(let events, _) = await handler.handle(APIRequest(
                method: "GET", path: Self.configMaps, query: ["watch": "1", "resourceVersion": String(old - 1)]))
            else {
                Issue.record("the watch did not start")
                return
            }
            var iterator = events.makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(first["type"] == "ERROR")
            #expect(first["object"]?["code"] == 410)
            #expect(first["object"]?["reason"] == "Expired")
            #expect(first["object"]?["message"]?.stringValue?.hasPrefix("too old resource version: \(old - 1) (") == true)
        }
    }
}
