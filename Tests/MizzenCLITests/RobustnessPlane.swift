import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Resources
import Synchronization

/// The `mizzen serve` child process of a robustness run: started on a data directory, killed
/// with SIGKILL, started again on the same directory, as many times as the run asks.
///
/// Writers and watchers ask ``endpoint()`` for where it listens now; while it is down they wait
/// for the next start (each start picks a new port, so nothing reaches a dead server's port).
actor RobustnessPlane {
    /// Where one start of the plane listens.
    struct Endpoint: Sendable {
        let url: String
        let token: String
        let kubeconfig: String
        /// Which start this is (0 for the first): acknowledgements are grouped by it.
        let generation: Int
    }

    let directory: URL
    let arguments: [String]
    /// Where the server's standard error goes (nowhere when `nil`).
    let log: URL?
    private var process: Process?
    private var current: Endpoint?
    private var starts = 0

    init(directory: URL, arguments: [String] = [], log: URL? = nil) {
        self.directory = directory
        self.arguments = arguments
        self.log = log
    }

    /// Starts `mizzen serve` and returns once it prints its kubeconfig (it listens then).
    @discardableResult
    func start() async throws -> Endpoint {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--insecure-http", "--port", "0", "--data-dir", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        if let log {
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        self.process = process
        // The first line is "kubeconfig: PATH". Read on a dispatch thread: a blocking read
        // must not hold one of the few cooperative threads for the seconds a start takes. A
        // start that prints nothing for a minute is killed: the read ends, the start fails.
        let handle = output.fileHandleForReading
        let stuck = DispatchWorkItem { [pid = process.processIdentifier] in Foundation.kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: stuck)
        defer { stuck.cancel() }
        let line = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var line = Data()
                while true {
                    let byte = handle.readData(ofLength: 1)
                    if byte.isEmpty || byte == Data("\n".utf8) { break }
                    line.append(byte)
                }
                continuation.resume(returning: String(decoding: line, as: UTF8.self))
            }
        }
        guard line.hasPrefix("kubeconfig: ") else {
            process.waitUntilExit()
            self.process = nil
            throw RobustnessFailure("mizzen serve on \(directory.path) did not start (it printed \(line.debugDescription))")
        }
        let path = String(line.dropFirst("kubeconfig: ".count))
        let kubeconfig = try DocumentDecoder.decode(String(contentsOfFile: path, encoding: .utf8), file: nil)
        let endpoint = Endpoint(
            url: kubeconfig.first?.value["clusters"]?[0]?["cluster"]?["server"]?.stringValue ?? "",
            token: kubeconfig.first?.value["users"]?[0]?["user"]?["token"]?.stringValue ?? "",
            kubeconfig: path, generation: starts)
        starts += 1
        current = endpoint
        return endpoint
    }

    /// SIGKILL: the process gets no chance to finish a commit, flush or close anything.
    func kill() {
        current = nil
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Where the plane listens now, or `nil` while it is down.
    var endpointNow: Endpoint? { current }

    /// Where the plane listens, waiting for a start while it is down (`nil` once `stopped`).
    func endpoint(unless stopped: RobustnessFlag) async -> Endpoint? {
        while !stopped.isSet {
            if let current { return current }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// A flag set once, read by many tasks (the end of a run).
final class RobustnessFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// A failed invariant or a harness step that could not run.
struct RobustnessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Plain HTTP calls to the plane, answering `nil` when no answer came (the server died, the
/// connection was cut): such a write is not acknowledged.
enum RobustnessHTTP {
    struct Answer: Sendable {
        let status: Int
        let body: JSONValue?
        let text: String
    }

    /// Sends one request through AsyncHTTPClient, whose deadline holds whatever the server
    /// does. (When a run hung here, its tasks waiting for ever, one URLSession connection was
    /// open and idle: a request that never completed despite its timeout is the suspect.)
    static func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
        to endpoint: RobustnessPlane.Endpoint, timeout: TimeInterval = 10
    ) async -> Answer? {
        var request = HTTPClientRequest(url: endpoint.url + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(endpoint.token)")
        request.headers.add(name: "Content-Type", value: contentType)
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        guard let response = try? await HTTPClient.shared.execute(request, deadline: deadline),
            let data = try? await response.body.collect(upTo: 64 << 20)
        else { return nil }
        let bytes = [UInt8](buffer: data)
        return Answer(status: Int(response.status.code), body: try? JSONValue(parsingJSON: bytes),
                      text: String(decoding: bytes, as: UTF8.self))
    }

    /// `metadata.resourceVersion` of an object or list, as a number.
    static func resourceVersion(_ value: JSONValue?) -> Int64? {
        value?["metadata"]?["resourceVersion"]?.stringValue.flatMap { Int64($0) }
    }
}
