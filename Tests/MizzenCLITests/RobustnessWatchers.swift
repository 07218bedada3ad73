import Foundation
import Resources
import Synchronization

/// What a robustness watcher suffers, besides the plane's deaths.
enum WatchFault: String, Sendable, CaseIterable {
    /// Reads as fast as it can.
    case none
    /// Reads at 4 KiB/s (curl `--limit-rate`): the server's buffers fill.
    case slowed
    /// Its connection is cut at a random moment of each session.
    case cut
    /// Stops reading for seconds (its curl is sent SIGSTOP) and then reads on — or finds that
    /// the server cut it off meanwhile, and watches again from its last resourceVersion.
    case stalled
}

/// What one watcher saw and what was wrong with it.
struct WatchReport: Sendable {
    var fault: WatchFault
    /// Events checked (ADDED, MODIFIED, DELETED; bookmarks apart).
    var events = 0
    var bookmarks = 0
    var sessions = 0
    /// Lists: the first, and one after each `410 Gone`.
    var lists = 0
    var gone = 0
    /// Sessions that ended on an ERROR event other than 410 (the server cutting off a slow watcher).
    var errorEnds = 0
    var faultsInjected = 0
    var violations: [String] = []
    /// The resourceVersions of the events seen.
    var seen = Set<Int64>()
    /// Stretches of history the watcher followed without a gap: (after, through].
    var segments: [(after: Int64, through: Int64)] = []

    /// Acknowledged writes inside a followed stretch that the watcher never saw.
    func missing(_ acknowledged: [Int64: String]) -> [String] {
        acknowledged.keys.sorted().compactMap { version in
            guard !seen.contains(version),
                segments.contains(where: { $0.after < version && version <= $0.through })
            else { return nil }
            return "\(acknowledged[version] ?? "?") at \(version)"
        }
    }
}

/// A watcher of a robustness run: follows the ConfigMaps of `namespace` through curl (a client
/// outside the code under test), re-watching from its last resourceVersion whenever a stream
/// ends and re-listing after `410 Gone`, and checks each event as it comes: resourceVersions
/// strictly increasing, none twice, nothing after an object's DELETED.
struct RobustnessWatcher: Sendable {
    let namespace: String
    let plane: RobustnessPlane
    let stopped: RobustnessFlag
    let fault: WatchFault
    /// How long a stalled watcher stops reading.
    var stall: ClosedRange<Int> = 1000...3000

    func run() async -> WatchReport {
        var report = WatchReport(fault: fault)
        var last: Int64?
        var segmentStart: Int64 = 0
        var deleted = Set<String>()
        while let endpoint = await plane.endpoint(unless: stopped) {
            if last == nil {
                guard let answer = await RobustnessHTTP.send(
                    "GET", "/api/v1/namespaces/\(namespace)/configmaps?limit=1", to: endpoint),
                    answer.status == 200, let version = RobustnessHTTP.resourceVersion(answer.body)
                else {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                report.lists += 1
                segmentStart = version
                last = version
            }
            guard let from = last else { continue }
            let seconds = Int.random(in: 3...10)
            var arguments = ["-sN", "--max-time", String(seconds + 5), "-H", "Authorization: Bearer \(endpoint.token)"]
            if fault == .slowed { arguments += ["--limit-rate", "4k"] }
            arguments.append("\(endpoint.url)/api/v1/namespaces/\(namespace)/configmaps?watch=1"
                + "&resourceVersion=\(from)&allowWatchBookmarks=true&timeoutSeconds=\(seconds)")
            guard let session = try? CurlStream(arguments) else { break }
            report.sessions += 1
            // Injects this watcher's fault once per session, and ends the session when the run stops.
            let saboteur = Task { [fault, stall, stopped] () -> Bool in
                let clock = ContinuousClock()
                let strike = clock.now + .milliseconds(Int.random(in: 200...1500))
                var struck = false
                while !Task.isCancelled, !stopped.isSet {
                    if !struck, clock.now >= strike, fault == .cut || fault == .stalled {
                        struck = true
                        if fault == .cut {
                            session.signal(SIGKILL)
                        } else {
                            session.signal(SIGSTOP)
                            try? await Task.sleep(for: .milliseconds(Int.random(in: stall)))
                            session.signal(SIGCONT)
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                session.signal(SIGCONT)
                session.signal(SIGKILL)
                return struck
            }
            var wentGone = false
            // Where a violation happened: this session, the resourceVersion it started from, and
            // its events so far.
            let place = (session: report.sessions, from: from)
            var sessionEvents = 0
            func at() -> String { " (session \(place.session) from \(place.from), its event \(sessionEvents))" }
            for await line in session.lines {
                guard let event = try? JSONValue(parsingJSON: line), let type = event["type"]?.stringValue else {
                    if !line.isEmpty { report.violations.append("not a watch event: \(line.prefix(200))") }
                    continue
                }
                let object = event["object"]
                if type == "ERROR" {
                    if object?["code"]?.intValue == 410 {
                        wentGone = true
                    } else {
                        report.errorEnds += 1
                    }
                    break
                }
                guard let version = RobustnessHTTP.resourceVersion(object), let current = last else {
                    report.violations.append("an event without a resourceVersion: \(line.prefix(200))")
                    continue
                }
                if type == "BOOKMARK" {
                    report.bookmarks += 1
                    if version < current {
                        report.violations.append("bookmark at \(version) after an event at \(current)")
                    }
                    last = max(current, version)
                    continue
                }
                report.events += 1
                sessionEvents += 1
                let name = object?["metadata"]?["name"]?.stringValue ?? "?"
                if version <= current {
                    report.violations.append("\(type) \(name) at \(version) after \(current)" + at())
                }
                if !report.seen.insert(version).inserted {
                    report.violations.append("\(type) \(name) at \(version) seen twice" + at())
                }
                if deleted.contains(name) {
                    report.violations.append("\(type) \(name) at \(version) after its DELETED" + at())
                }
                if type == "DELETED" { deleted.insert(name) }
                last = max(current, version)
            }
            session.signal(SIGCONT)
            session.signal(SIGKILL)
            saboteur.cancel()
            if await saboteur.value { report.faultsInjected += 1 }
            if wentGone {
                report.gone += 1
                report.segments.append((segmentStart, last ?? segmentStart))
                last = nil
            }
        }
        if let last { report.segments.append((segmentStart, last)) }
        return report
    }
}

/// A curl child whose standard output arrives as lines (read by ``PipeReader``). The lines end
/// when curl's output does, or at the latest two seconds after curl ended, so that a watcher
/// cannot wait for ever should the end of the pipe's output not arrive.
final class CurlStream: Sendable {
    private let process: Mutex<Process>
    let lines: AsyncStream<String>

    /// Collects bytes until a newline ends a line; touched only by the reading thread.
    private final class LineBuffer: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let ending = PipeReader.Ending()
        process.terminationHandler = { _ in ending.mark() }
        try process.run()
        let buffer = LineBuffer()
        do {
            try PipeReader.start(output.fileHandleForReading, ending: ending, received: { data in
                let complete: [String] = buffer.bytes.withLock { bytes in
                    bytes.append(contentsOf: data)
                    var found: [String] = []
                    while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                        found.append(String(decoding: bytes[..<newline], as: UTF8.self))
                        bytes.removeSubrange(...newline)
                    }
                    return found
                }
                for line in complete { continuation.yield(line) }
            }, finished: { continuation.finish() })
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        self.process = Mutex(process)
        self.lines = lines
    }

    /// Signals curl while it runs (never a process that took its id after it ended).
    func signal(_ signal: Int32) {
        process.withLock { process in
            if process.isRunning { kill(process.processIdentifier, signal) }
        }
    }
}
