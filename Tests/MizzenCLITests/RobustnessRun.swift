import Foundation
import Resources
import Synchronization

/// How hard a robustness run pushes: the SHORT plan runs in CI with the test suite; the LONG
/// plan (`MIZZEN_ROBUSTNESS=long`) is the release run.
struct RobustnessPlan: Sendable {
    /// SIGKILLs of the plane, each followed by a restart on the same data directory.
    var kills: Int
    var writers: Int
    /// Watchers, their faults taken in turn from ``WatchFault``.
    var watchers: Int
    /// Clients that open a watch and never read it (their curl is stopped).
    var deafClients: Int
    /// OAM applications the plane's controllers converge while it is killed.
    var applications: Int
    /// How long the plane serves between a start and its kill.
    var lifetime: ClosedRange<Int>
    /// How long a stalled watcher stops reading, in milliseconds.
    var stall: ClosedRange<Int>

    static let short = RobustnessPlan(
        kills: 5, writers: 3, watchers: 4, deafClients: 1, applications: 3, lifetime: 300...1500, stall: 500...2000)
    static let long = RobustnessPlan(
        kills: 100, writers: 4, watchers: 8, deafClients: 2, applications: 10, lifetime: 200...4000, stall: 1000...8000)

    /// `MIZZEN_ROBUSTNESS=long` picks the long plan.
    static var selected: RobustnessPlan {
        ProcessInfo.processInfo.environment["MIZZEN_ROBUSTNESS"] == "long" ? .long : .short
    }
}

/// The figures of a robustness run, and every invariant it found broken.
struct RobustnessFigures: Sendable, CustomStringConvertible {
    var kills = 0
    var seconds = 0.0
    var restartSeconds: [Double] = []
    var ledger = WriteLedger()
    var objectsVerified = 0
    var watches: [WatchReport] = []
    var deafClients = 0
    var applicationsConverged = 0
    var applicationUpdates = 0
    var violations: [String] = []

    var description: String {
        let events = watches.map(\.events).reduce(0, +)
        let sessions = watches.map(\.sessions).reduce(0, +)
        let faults = watches.map(\.faultsInjected).reduce(0, +)
        let byFault = WatchFault.allCases.map { fault in
            "\(fault.rawValue) \(watches.filter { $0.fault == fault }.map(\.faultsInjected).reduce(0, +))"
        }.joined(separator: ", ")
        let restart = restartSeconds.isEmpty ? 0 : restartSeconds.reduce(0, +) / Double(restartSeconds.count)
        return """
            robustness: \(kills) SIGKILLs of mizzen serve in \(String(format: "%.0f", seconds)) s \
            (restart to listening: mean \(String(format: "%.2f", restart)) s, max \(String(format: "%.2f", restartSeconds.max() ?? 0)) s)
              writes: \(ledger.acknowledgedWrites) acknowledged, \(ledger.unansweredWrites) unanswered (cut by a kill), \
            \(ledger.refusedWrites) refused; \(objectsVerified) objects verified against the ledger
              watches: \(watches.count) watchers, \(sessions) sessions, \(events) events checked, \
            \(watches.map(\.bookmarks).reduce(0, +)) bookmarks, \(watches.map(\.gone).reduce(0, +)) × 410 re-listed, \
            \(watches.map(\.errorEnds).reduce(0, +)) ended by the server; faults injected \(faults) (\(byFault)); \
            \(deafClients) clients that never read
              applications: \(applicationsConverged) converged after \(applicationUpdates) updates under faults
              violations: \(violations.count)
            """
    }
}

/// Sustained load on a `mizzen serve` child — writers, watchers, the OAM controllers converging
/// applications — while the plane is killed with SIGKILL at random moments (during group
/// commits, since the writers never pause) and watch connections are cut, slowed and stalled;
/// then the invariants: no acknowledged write lost, resourceVersions strictly increasing,
/// every watcher consistent, every application healthy once the faults stop.
enum RobustnessRun {
    static let loadNamespace = "load"
    static let appNamespace = "apps"

    static func run(_ plan: RobustnessPlan, directory: URL) async throws -> RobustnessFigures {
        let started = ContinuousClock.now
        var figures = RobustnessFigures()
        // History compacted every few seconds (so kills land during compaction and resumed
        // watches meet 410), and slow watchers cut off early — where the server has the limits.
        // (Long plan only: not yet run with the short one.)
        let help = plan.kills > RobustnessPlan.short.kills ? try await CLI.run(["serve", "--help"]).stdout : ""
        var arguments: [String] = []
        if help.contains("--etcd-compaction-interval") { arguments += ["--etcd-compaction-interval", "3s"] }
        if help.contains("--watch-buffer-events") { arguments += ["--watch-buffer-events", "200"] }
        let plane = RobustnessPlane(directory: directory, arguments: arguments)
        let stopped = RobustnessFlag()
        let endpoint = try await plane.start()
        for namespace in [loadNamespace, appNamespace] {
            let answer = await RobustnessHTTP.send(
                "POST", "/api/v1/namespaces",
                body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(namespace)"}}"#, to: endpoint)
            guard answer?.status == 201 || answer?.status == 409 else {
                throw RobustnessFailure("cannot create namespace \(namespace): \(answer?.text ?? "no answer")")
            }
        }
        for index in 0..<plan.applications {
            for (path, body) in application(index, image: "nginx:1.0") {
                let answer = await RobustnessHTTP.send("POST", path, body: body, to: endpoint)
                guard answer?.status == 201 else {
                    throw RobustnessFailure("cannot create application \(index): \(answer?.text ?? "no answer")")
                }
            }
        }

        let writers = (0..<plan.writers).map { index in
            Task { await RobustnessWriter(index: index, namespace: loadNamespace, plane: plane, stopped: stopped).run() }
        }
        let watchers = (0..<plan.watchers).map { index in
            Task {
                await RobustnessWatcher(
                    namespace: loadNamespace, plane: plane, stopped: stopped,
                    fault: WatchFault.allCases[index % WatchFault.allCases.count], stall: plan.stall
                ).run()
            }
        }
        let updater = Task { await updateApplications(plan.applications, plane: plane, stopped: stopped) }

        var deaf = try deafClients(plan.deafClients, endpoint)
        figures.deafClients += deaf.count
        for _ in 0..<plan.kills {
            try await Task.sleep(for: .milliseconds(Int.random(in: plan.lifetime)))
            await plane.kill()
            figures.kills += 1
            for client in deaf { client.signal(SIGCONT); client.signal(SIGKILL) }
            let down = ContinuousClock.now
            let next = try await plane.start()
            figures.restartSeconds.append(seconds(ContinuousClock.now - down))
            deaf = try deafClients(plan.deafClients, next)
            figures.deafClients += deaf.count
        }
        // The faults stop; the load runs on a moment against the last start, then stops.
        try await Task.sleep(for: .milliseconds(500))
        stopped.set()
        // Each stops within a request's timeout once `stopped` is set; one that does not is a
        // hang of the harness or of the plane, named here rather than left to hang the suite.
        let grace = Duration.seconds(60)
        for (index, writer) in writers.enumerated() {
            guard let ledger = await Self.value(of: writer, within: grace) else {
                figures.violations.append("writer \(index) still ran \(grace) after the run stopped")
                continue
            }
            figures.ledger.merge(ledger)
        }
        for (index, watcher) in watchers.enumerated() {
            guard let report = await Self.value(of: watcher, within: grace) else {
                figures.violations.append("watcher \(index) still ran \(grace) after the run stopped")
                continue
            }
            figures.watches.append(report)
        }
        if let updates = await Self.value(of: updater, within: grace) {
            figures.applicationUpdates = updates
        } else {
            figures.violations.append("the application updater still ran \(grace) after the run stopped")
        }
        for client in deaf { client.signal(SIGCONT); client.signal(SIGKILL) }

        guard let final = await plane.endpointNow else { throw RobustnessFailure("the plane is down") }
        let listed = try await RobustnessWriter.listed(namespace: loadNamespace, on: final)
        figures.objectsVerified = figures.ledger.entries.count
        figures.violations += figures.ledger.violations
        figures.violations += figures.ledger.verify(listed: listed)
        for report in figures.watches {
            figures.violations += report.violations.map { "watcher (\(report.fault.rawValue)): \($0)" }
            figures.violations += report.missing(figures.ledger.acknowledgedVersions).map {
                "watcher (\(report.fault.rawValue)) never saw acknowledged \($0)"
            }
        }
        for index in 0..<plan.applications {
            let result = try await CLI.run([
                "wait", "app-\(index)", "--for", "healthy", "-n", appNamespace, "--kubeconfig", final.kubeconfig,
                "--timeout", "120s",
            ])
            if result.status == 0 {
                figures.applicationsConverged += 1
            } else {
                figures.violations.append("application app-\(index) did not converge: \(result.stderr)")
            }
        }
        await plane.kill()
        figures.seconds = seconds(ContinuousClock.now - started)
        return figures
    }

    /// The Component and AppConfig of application `index`, with POST paths.
    static func application(_ index: Int, image: String) -> [(String, String)] {
        let base = "/apis/core.oam.dev/v1alpha2/namespaces/\(appNamespace)"
        let component = #"""
            {"apiVersion":"core.oam.dev/v1alpha2","kind":"Component","metadata":{"name":"app-\#(index)"},
             "spec":{"workload":{"apiVersion":"core.oam.dev/v1alpha2","kind":"ContainerizedWorkload",
              "spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}},
              "parameters":[{"name":"image","fieldPaths":["spec.containers[0].image"]}]}}
            """#
        return [("\(base)/components", component), ("\(base)/applicationconfigurations", appConfig(index, image: image))]
    }

    static func appConfig(_ index: Int, image: String) -> String {
        #"""
        {"apiVersion":"core.oam.dev/v1alpha2","kind":"ApplicationConfiguration","metadata":{"name":"app-\#(index)"},
         "spec":{"components":[{"componentName":"app-\#(index)","parameterValues":[{"name":"image","value":"\#(image)"}]}]}}
        """#
    }

    /// Changes a random application's image every half second or so; returns how many changes
    /// the plane acknowledged.
    static func updateApplications(_ count: Int, plane: RobustnessPlane, stopped: RobustnessFlag) async -> Int {
        guard count > 0 else { return 0 }
        var updates = 0
        while let endpoint = await plane.endpoint(unless: stopped) {
            let index = Int.random(in: 0..<count)
            let patch = #"{"spec":{"components":[{"componentName":"app-\#(index)","parameterValues":[{"name":"image","value":"nginx:1.\#(updates + 1)"}]}]}}"#
            let answer = await RobustnessHTTP.send(
                "PATCH", "/apis/core.oam.dev/v1alpha2/namespaces/\(appNamespace)/applicationconfigurations/app-\(index)",
                body: patch, contentType: "application/merge-patch+json", to: endpoint)
            if answer?.status == 200 { updates += 1 }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 200...800)))
        }
        return updates
    }

    /// Clients that open a watch of every ConfigMap and never read it.
    static func deafClients(_ count: Int, _ endpoint: RobustnessPlane.Endpoint) throws -> [CurlStream] {
        try (0..<count).map { _ in
            let client = try CurlStream([
                "-sN", "-H", "Authorization: Bearer \(endpoint.token)",
                "\(endpoint.url)/api/v1/configmaps?watch=1&resourceVersion=0",
            ])
            client.signal(SIGSTOP)
            return client
        }
    }

    /// The task's value, or `nil` when it has not finished `within` the limit (it is cancelled
    /// then, and left behind: a task that ignores cancellation must not hold the test).
    static func value<Value: Sendable>(of task: Task<Value, Never>, within limit: Duration) async -> Value? {
        let once = Once()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            Task {
                let value = await task.value
                if once.claim() { continuation.resume(returning: value) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if once.claim() {
                    task.cancel()
                    continuation.resume(returning: nil)
                }
            }
        }
    }

    /// True for the first caller only.
    private final class Once: Sendable {
        private let claimed = Mutex(false)
        func claim() -> Bool { claimed.withLock { claimed in defer { claimed = true }; return !claimed } }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
