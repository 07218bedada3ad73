import APIServer
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Resources

struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Creates, gets, lists and watch events per second over HTTPS against an embedded API server.",
        discussion: """
            Starts the embedded API server on 127.0.0.1 (TLS, bearer token, a temporary data \
            directory), then drives it with concurrent HTTPS clients, as kubectl or a controller \
            would. Every create is durable before it is acknowledged.

            Example:
              .build/release/mizzen bench api --count 20000 --clients 4
            """)

    @Option(help: "How many ConfigMaps to create.")
    var count = 10_000

    @Option(help: "How many clients send requests at once.")
    var clients = 4

    func run() async throws {
        BenchCommand.printLineByLine()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-bench-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = APIServerConfiguration()
        configuration.port = 0
        var logger = Logger(label: "mizzen.bench")
        logger.logLevel = .critical
        let server = try await APIServer.open(dataDirectory: directory, configuration: configuration, logger: logger)
        let (ready, continuation) = AsyncStream<APIServer.Endpoint>.makeStream()
        // The server runs beside the clients for the whole benchmark; cancelling the task at the
        // end shuts it down (its store closes with it).
        let serverTask = Task { try await server.run { continuation.yield($0); continuation.finish() } }
        defer { serverTask.cancel() }
        var readyIterator = ready.makeAsyncIterator()
        guard let endpoint = await readyIterator.next() else { throw ValidationError("the server did not start") }

        let token = try String(contentsOf: directory.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("ca.crt").path))
        var clientConfiguration = HTTPClient.Configuration(tlsConfiguration: tls)
        // Each client holds its own connection; the default pool allows only 8 per host.
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, clients * 2)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let bench = Driver(client: client, base: endpoint.url, token: token)

        print("api: \(count) ConfigMaps over HTTPS, \(clients) clients, server at \(endpoint.url)")
        let clock = ContinuousClock()
        let perClient = max(1, count / clients)
        let createTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        for n in 0..<perClient {
                            try await bench.send("POST", "/api/v1/namespaces/default/configmaps", expect: 201, body: """
                                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c\(c)-\(n)","labels":{"app":"app\(n % 10)"}},"data":{"k":"\(n)"}}
                                """)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        report("creates", perClient * clients, createTime)

        let getTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        for n in 0..<perClient {
                            try await bench.send("GET", "/api/v1/namespaces/default/configmaps/c\(c)-\(n)", expect: 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        report("gets", perClient * clients, getTime)

        let lists = 50
        let listTime = try await clock.measure {
            for _ in 0..<lists {
                try await bench.send(
                    "GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dapp3&limit=500", expect: 200)
            }
        }
        report("lists of 500 (selector app=app3)", lists, listTime)

        // A watch from the first resourceVersion replays every create as an event.
        var events = 0
        let watchTime = try await clock.measure {
            events = try await bench.countWatchEvents(
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1&timeoutSeconds=5",
                until: perClient * clients)
        }
        report("watch events", events, watchTime)
        print("api: peak RSS \(residentMegabytes()) MiB (server and clients in one process)")
        try await client.shutdown()
    }

    private func report(_ what: String, _ count: Int, _ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        print("api: \(what): \(count) in \(String(format: "%.2f", seconds)) s → \(Int(Double(count) / seconds))/s")
    }

    private func residentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes / 1024
    }

    /// Sends requests with the bearer token and checks their status codes.
    struct Driver: Sendable {
        let client: HTTPClient
        let base: String
        let token: String

        func send(_ method: String, _ path: String, expect: Int, body: String? = nil) async throws {
            var request = HTTPClientRequest(url: base + path)
            request.method = .init(rawValue: method)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            guard Int(response.status.code) == expect else {
                throw ValidationError("\(method) \(path): \(response.status.code) \(String(buffer: bytes))")
            }
        }

        func countWatchEvents(_ path: String, until target: Int) async throws -> Int {
            var request = HTTPClientRequest(url: base + path)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await client.execute(request, timeout: .seconds(60))
            var events = 0
            for try await buffer in response.body {
                events += buffer.readableBytesView.lazy.filter { $0 == UInt8(ascii: "\n") }.count
                if events >= target { break }
            }
            return events
        }
    }
}
