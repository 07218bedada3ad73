import APIServer
import Foundation
import Logging
import Resources
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An embedded API server over plain HTTP with limits set for a test, and a raw HTTP/1.1 client
/// that sees exactly what the server sends (status, headers, body) — or never reads at all.
final class LimitsPlane: Sendable {
    let server: APIServer
    let port: Int
    let directory: URL
    let token: String
    private let task: Task<Void, any Error>

    private init(server: APIServer, port: Int, directory: URL, token: String, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.directory = directory
        self.token = token
        self.task = task
    }

    /// Runs `body` against a fresh server configured by `configure`, then stops it.
    static func with<T: Sendable>(
        admission: [any AdmissionController] = [], configure: (inout APIServerConfiguration) -> Void,
        _ body: (LimitsPlane) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-limits-\(UUID().uuidString)")
        var configuration = APIServerConfiguration()
        configuration.insecureHTTP = true
        configure(&configuration)
        var logger = Logger(label: "mizzen.test.limits")
        logger.logLevel = .critical
        let server = try await APIServer.open(
            dataDirectory: directory, configuration: configuration, admission: admission, logger: logger)
        let (ready, continuation) = AsyncStream<APIServer.Endpoint>.makeStream()
        let task = Task {
            try await server.run(handlingSignals: false) { endpoint in
                continuation.yield(endpoint)
                continuation.finish()
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard let endpoint = await iterator.next() else {
            task.cancel()
            throw CancellationError()
        }
        let token = try String(contentsOf: directory.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let plane = LimitsPlane(server: server, port: endpoint.port, directory: directory, token: token, task: task)
        defer {
            task.cancel()
            try? FileManager.default.removeItem(at: directory)
        }
        let result = try await body(plane)
        task.cancel()
        _ = await task.result
        return result
    }

    /// One exchange over a fresh connection, read until the server closes it.
    struct Reply: Sendable {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: String

        var json: JSONValue? { try? JSONValue(parsingJSON: Array(body.utf8)) }
    }

    /// Sends a request as the admin (or as `impersonating` that user) and returns the reply.
    func send(
        _ method: String, _ path: String, body: String = "", contentType: String = "application/json",
        impersonating user: String? = nil
    ) async throws -> Reply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
        head += "Connection: close\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
        if let user { head += "Impersonate-User: \(user)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + Array(body.utf8)
        let port = port
        // Blocking socket calls run on a thread of their own, never on the cooperative pool
        // that also runs the server's handlers.
        let raw: [UInt8] = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try RawSocket.exchange(port: port, request: bytes) })
            }
        }
        return try Self.parse(raw)
    }

    static func parse(_ raw: [UInt8]) throws -> Reply {
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw RawSocket.Failure(message: "no header end in \(text)") }
        let lines = text[..<split.lowerBound].split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

/// Blocking POSIX sockets to 127.0.0.1, for the raw client.
enum RawSocket {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Connects, with a receive buffer of `receiveBuffer` bytes when given (set before connecting,
    /// so that TCP advertises a small window).
    static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "socket() failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(message: "connect() failed")
        }
        return fd
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(message: "send() failed") }
            sent += n
        }
    }

    /// Sends `request` and reads until the server closes the connection.
    static func exchange(port: Int, request: [UInt8]) throws -> [UInt8] {
        let fd = try connect(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try write(fd, request)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[..<n])
        }
        return out
    }
}

/// An admission controller that holds the creates of objects whose name starts with `held-`
/// until ``open()``, and delays those starting with `slow-` by `delay`.
final class GateAdmission: AdmissionController {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
    let delay: Duration

    init(delay: Duration = .seconds(3)) {
        self.delay = delay
    }

    var waitingCount: Int { state.withLock { $0.waiting.count } }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func admit(_ object: Resource, old: Resource?, operation: AdmissionOperation, type: ResourceType) async throws
        -> Resource
    {
        if object.name.hasPrefix("slow-") { try await Task.sleep(for: delay) }
        if object.name.hasPrefix("held-") {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.open { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        return object
    }
}
