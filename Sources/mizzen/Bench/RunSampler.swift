import Foundation
import Synchronization

/// Looks at a benchmark run every `interval` — applications converged and the process's RSS —
/// and keeps the samples and the marked moments for ``ReconcileChart``.
final class RunSampler: Sendable {
    private struct State {
        var samples: [ReconcileChart.Sample] = []
        var markers: [ReconcileChart.Marker] = []
    }

    private let state = Mutex(State())
    private let start: ContinuousClock.Instant
    let interval: Duration

    /// A sampler whose times count from `start`.
    init(start: ContinuousClock.Instant, interval: Duration = .milliseconds(250)) {
        self.start = start
        self.interval = interval
    }

    /// Samples until cancelled; `converged` says how many applications are converged now.
    func run(converged: @escaping @Sendable () -> Int) async {
        while !Task.isCancelled {
            sample(converged: converged())
            try? await Task.sleep(for: interval)
        }
    }

    /// Takes one sample now.
    func sample(converged: Int) {
        let sample = ReconcileChart.Sample(
            seconds: seconds(since: start), converged: converged, rssMiB: ProcessUsage.residentMiB())
        state.withLock { $0.samples.append(sample) }
    }

    /// Marks this moment on the chart.
    func mark(_ label: String) {
        let marker = ReconcileChart.Marker(seconds: seconds(since: start), label: label)
        state.withLock { $0.markers.append(marker) }
    }

    var samples: [ReconcileChart.Sample] { state.withLock { $0.samples } }
    var markers: [ReconcileChart.Marker] { state.withLock { $0.markers } }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Writes the chart of the samples to `path` (made absolute from the current directory)
    /// and returns the absolute path.
    func writeChart(to path: String, title: String, notes: [String], apps: Int) throws -> String {
        let chart = ReconcileChart(title: title, notes: notes, apps: apps, samples: samples, markers: markers)
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(chart.svg().utf8).write(to: url)
        return url.path
    }
}

/// What the process uses, read from /proc/self: CPU time and resident memory.
enum ProcessUsage {
    /// CPU-seconds the process has used (all threads, user and system).
    static func cpuSeconds() -> Double { CPUTime.now() }

    /// Resident memory now (`VmRSS`), in MiB.
    static func residentMiB() -> Int { statusField("VmRSS") / 1024 }

    /// The most resident memory so far (`VmHWM`), in MiB.
    static func peakResidentMiB() -> Int { statusField("VmHWM") / 1024 }

    /// A `kB` field of /proc/self/status; 0 where there is none.
    private static func statusField(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes
    }
}
