import APIServer
import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct OverloadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overload",
        abstract: "Floods a `mizzen serve` process with large objects and a watcher that never reads, and prints its memory and refusals.",
        discussion: """
            Starts `mizzen serve` as a child process (plain HTTP, no controllers) with the limits \
            given (the same flags as serve), then:
              1. flood: --clients concurrent clients (a user that is not system:masters) each \
                 create --objects-per-client ConfigMaps of --object-kib KiB at once; prints the \
                 answers (201, 429…) and the server's peak RSS;
              2. bodies over the body limit: prints the 413s;
              3. a watch whose client never reads while large objects are written: prints when \
                 the server closed it and its RSS.
            Compare --max-body-bytes-inflight 0 (no ceiling) with the default.

            Example:
              .build/release/mizzen bench overload --clients 256 --object-kib 900
            """)

    @Option(help: "Clients flooding at once.")
    var clients = 256

    @Option(help: "Creates per client.")
    var objectsPerClient = 2

    @Option(help: "Size of each ConfigMap's data, in KiB (ConfigMaps hold at most 1 MiB).")
    var objectKib = 900

    @Option(help: "Objects written while the watcher does not read.")
    var watchEvents = 300

    @OptionGroup(title: "Server limits")
    var limits: ServerLimitOptions

    func run() async throws {
        BenchCommand.printLineByLine()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-bench-overload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try startServer(directory: directory)
        defer {
            child.terminate()
            child.waitUntilExit()
        }
        let pid = child.processIdentifier
        guard let base = try await waitForServer(directory: directory, child: child) else {
            throw ValidationError("mizzen serve did not start")
        }
        let token = try String(contentsOf: directory.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = clients + 8
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let driver = Driver(http: http, base: base, token: token)
        _ = try await driver.send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", body: """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"flood-admin"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
             "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"flood"}]}
            """)
        print("overload: mizzen serve (pid \(pid)) at \(base); limits: \(limits.maxRequestsInflight) read-only / \(limits.maxMutatingRequestsInflight) mutating in flight, body \(limits.maxRequestBodyBytes) B, object \(limits.maxRequestBytes) B, body bytes in flight \(limits.maxBodyBytesInflight == 0 ? "unbounded" : "\(limits.maxBodyBytesInflight / 1_048_576) MiB"), watch buffer \(limits.watchBufferEvents) events / \(limits.watchBufferBytes / 1_048_576) MiB")
        print("overload: server RSS at rest \(Self.residentKiB(pid: pid) / 1024) MiB")

        // 1. The flood.
        let sampler = RSSSampler(pid: pid)
        let sampling = Task { await sampler.run() }
        let blob = String(repeating: "x", count: objectKib * 1024)
        let codes = StatusTally()
        let clock = ContinuousClock()
        let (clients, perClient) = (clients, objectsPerClient)
        let floodTime = await clock.measure {
            await withTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        for n in 0..<perClient {
                            let code = (try? await driver.send(
                                "POST", "/api/v1/namespaces/default/configmaps", impersonating: "flood",
                                body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"flood-\(c)-\(n)\"},\"data\":{\"blob\":\"\(blob)\"}}"
                            )) ?? -1
                            codes.count(code)
                        }
                    }
                }
            }
        }
        sampling.cancel()
        let floodPeak = await sampler.peakKiB
        let answered = codes.counts.sorted { $0.key < $1.key }.map { "\($0.value)×\($0.key == -1 ? "failed" : String($0.key))" }
        print("overload: flood of \(clients * perClient) creates of \(objectKib) KiB from \(clients) clients in \(Self.seconds(floodTime)) s: \(answered.joined(separator: ", "))")
        print("overload: server peak RSS during the flood \(floodPeak / 1024) MiB (at rest after: \(Self.residentKiB(pid: pid) / 1024) MiB)")

        // 2. Bodies over the limit.
        let oversize = String(repeating: "y", count: limits.maxRequestBodyBytes + 1024)
        var refusedBodies = 0
        for n in 0..<3 {
            let code = try await driver.send(
                "POST", "/api/v1/namespaces/default/configmaps",
                body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"over-\(n)\"},\"data\":{\"blob\":\"\(oversize)\"}}")
            if code == 413 { refusedBodies += 1 }
        }
        print("overload: bodies of \(oversize.utf8.count / 1024) KiB: \(refusedBodies) of 3 refused with 413")

        // 3. A watch that never reads.
        let watchSampler = RSSSampler(pid: pid)
        let watchSampling = Task { await watchSampler.run() }
        let fd = try Self.openSilentWatch(base: base, token: token)
        defer { close(fd) }
        let watchBlob = String(repeating: "z", count: 100 * 1024)
        let start = ContinuousClock.now
        var written = 0
        var closedAfter: Int?
        for n in 0..<watchEvents {
            _ = try await driver.send(
                "POST", "/api/v1/namespaces/default/configmaps",
                body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"watched-\(n)\"},\"data\":{\"blob\":\"\(watchBlob)\"}}")
            written += 1
            if closedAfter == nil, Self.watchClosed(log: directory.path + ".log") { closedAfter = written }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while closedAfter == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            if Self.watchClosed(log: directory.path + ".log") { closedAfter = written }
        }
        defer { try? FileManager.default.removeItem(atPath: directory.path + ".log") }
        watchSampling.cancel()
        let watchPeak = await watchSampler.peakKiB
        if let closedAfter {
            print("overload: silent watcher: the server closed the watch by the time \(closedAfter) of \(written) events of 100 KiB were written (\(Self.seconds(ContinuousClock.now - start)) s); server peak RSS \(watchPeak / 1024) MiB")
        } else {
            print("overload: silent watcher: \(written) events of 100 KiB written; the watch is still open after 30 s (NOT cut); server peak RSS \(watchPeak / 1024) MiB")
        }
        try? await http.shutdown()
    }

    private func startServer(directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "serve", "--data-dir", directory.path, "--port", "0", "--insecure-http", "--no-controllers",
            "--node-simulation", "none", "--no-admission",
            "--max-requests-inflight", String(limits.maxRequestsInflight),
            "--max-mutating-requests-inflight", String(limits.maxMutatingRequestsInflight),
            "--request-timeout", limits.requestTimeout, "--etcd-compaction-interval", limits.etcdCompactionInterval,
            "--max-request-body-bytes", String(limits.maxRequestBodyBytes), "--max-request-bytes", String(limits.maxRequestBytes),
            "--max-body-bytes-inflight", String(limits.maxBodyBytesInflight),
            "--watch-buffer-events", String(limits.watchBufferEvents), "--watch-buffer-bytes", String(limits.watchBufferBytes),
        ]
        process.standardOutput = FileHandle.nullDevice
        // The server logs each watch it closes for a slow client; the bench reads that log.
        FileManager.default.createFile(atPath: directory.path + ".log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory.path + ".log")
        try process.run()
        return process
    }

    /// The server's URL once its kubeconfig is written.
    private func waitForServer(directory: URL, child: Process) async throws -> String? {
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, child.isRunning {
            if let text = try? String(contentsOf: kubeconfig, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.contains("server: http") })
            {
                return line.split(separator: " ").last.map(String.init)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Opens a watch of ConfigMaps with a tiny receive window and never reads it.
    private static func openSilentWatch(base: String, token: String) throws -> Int32 {
        guard let port = base.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw ValidationError("no port in \(base)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ValidationError("cannot connect to \(base)") }
        let request = Array(
            "GET /api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0&fieldSelector=metadata.name%21%3Dnone HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// Whether the server has logged closing a watch for a client that does not keep up (its
    /// FIN cannot reach a client that reads nothing, so the socket cannot tell).
    private static func watchClosed(log: String) -> Bool {
        (try? String(contentsOfFile: log, encoding: .utf8))?.contains("closing a watch whose client does not keep up") == true
    }

    static func residentKiB(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// How many answers had each status code.
    final class StatusTally: Sendable {
        private let codes = Mutex<[Int: Int]>([:])

        func count(_ code: Int) { codes.withLock { $0[code, default: 0] += 1 } }

        var counts: [Int: Int] { codes.withLock { $0 } }
    }

    /// Samples a process's resident memory every 20 ms and keeps the peak.
    actor RSSSampler {
        let pid: Int32
        private(set) var peakKiB = 0

        init(pid: Int32) {
            self.pid = pid
        }

        func run() async {
            while !Task.isCancelled {
                peakKiB = max(peakKiB, OverloadBench.residentKiB(pid: pid))
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Sends requests with the bearer token (and an impersonated user) and returns the status code.
    struct Driver: Sendable {
        let http: HTTPClient
        let base: String
        let token: String

        func send(_ method: String, _ path: String, impersonating user: String? = nil, body: String) async throws -> Int {
            var request = HTTPClientRequest(url: base + path)
            request.method = .init(rawValue: method)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let user { request.headers.add(name: "Impersonate-User", value: user) }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await http.execute(request, timeout: .seconds(120))
            _ = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return Int(response.status.code)
        }
    }
}
