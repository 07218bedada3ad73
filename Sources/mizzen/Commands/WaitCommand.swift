import OrderedCollections
import ArgumentParser
import Foundation
import KubeClient
import OAMControllers
import OAM
import Resources

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until an application is healthy, deleted, or has a condition: the scriptable gate.",
        discussion: """
            --for=healthy waits until the application is healthy as `mizzen status` judges it; \
            --for=deleted until its ApplicationConfiguration is gone (at once when there is none); \
            --for=condition=TYPE[=STATUS] until the AppConfig has that condition (STATUS True \
            when left out; compared without regard to case) for its latest generation.

            It watches the AppConfig and the objects labelled as its own (no polling), reads the \
            application again when one of them changes, and shows what it waits for on standard \
            error when that is a terminal — nothing when piped. When the goal is met it prints \
            one line on standard output (`applicationconfiguration.core.oam.dev/shop healthy`).

            Exit codes (as `up --wait`): 0 the goal is met, 1 an error (no such application for \
            healthy or a condition, no server), 2 invalid usage, 3 --timeout ran out while the \
            application is failing, 4 --timeout ran out while it is still progressing.

            Examples:
              mizzen wait shop --for=healthy --timeout 2m
              mizzen wait shop --for=condition=Synced
              mizzen delete shop && mizzen wait shop --for=deleted
            """)

    @Argument(help: "The ApplicationConfiguration.")
    var app: String

    @Option(name: .customLong("for"), help: ArgumentHelp("healthy, deleted, or condition=TYPE[=STATUS].", valueName: "goal"))
    var goal: WaitGoal

    @Option(help: ArgumentHelp("How long to wait (30s, 5m, 1h).", valueName: "duration"))
    var timeout: WaitDuration = WaitDuration(seconds: 300)

    @OptionGroup var target: TargetOptions

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1, colors: style.terminal.colors)
        let connected = try await target.connect()
        try await connected.use { target in
            let waiter = AppWaiter(client: target.client, app: app, namespace: target.namespace, goal: goal)
            let outcome = try await waiter.wait(timeout: timeout.duration) { progress.show($0) }
            progress.clear()
            let name = "applicationconfiguration.core.oam.dev/\(app)"
            switch outcome {
            case .met:
                switch goal {
                case .healthy: StandardOutput.writeLine("\(name) healthy")
                case .deleted: StandardOutput.writeLine("\(name) deleted")
                case .condition: StandardOutput.writeLine("\(name) condition met")
                }
            case .notFound:
                throw CommandFailure(
                    "ApplicationConfiguration \(app) not found in namespace \(target.namespace)",
                    hint: "`mizzen get appconfigs\(target.namespace == "default" ? "" : " -n \(target.namespace)")` lists them")
            case .timedOut(let why, let failing):
                throw CommandFailure(
                    "timed out after \(timeout) waiting for \(app) to be \(goal): \(why)",
                    hint: "`mizzen status \(app)` shows every object of the application; `mizzen events \(app)` what happened",
                    status: failing ? ExitStatus.unhealthy : ExitStatus.timeout)
            }
        }
    }
}

/// Waits for an application to reach a ``WaitGoal``, reading it again whenever ``AppWatch``
/// says something changed.
struct AppWaiter {
    let client: KubernetesClient
    let app: String
    let namespace: String
    let goal: WaitGoal
    /// A re-read even when no watch fired, for objects no watch covers (a workload's own
    /// children, a scope without the application's label).
    var resync: Duration = .seconds(5)

    enum Outcome: Equatable {
        case met
        /// The application does not exist, and the goal needs it to.
        case notFound
        case timedOut(String, failing: Bool)
    }

    /// Waits until the goal is met or `timeout` runs out; `progress` hears what it waits for.
    func wait(timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let watch = AppWatch(client: client, app: app, namespace: namespace)
        defer { watch.stop() }
        let inspector = AppInspector(client: client)
        var first = true
        var last = WaitGoal.Standing.pending("nothing read yet", failing: false)
        var shown = ""
        // One stream of wakes: the watches', the resync's and the deadline's.
        let (wakes, continuation) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(2))
        let relay = Task {
            for await _ in watch.wakes { continuation.yield(false) }
        }
        let timer = Task {
            while !Task.isCancelled, clock.now < deadline {
                try? await Task.sleep(until: min(deadline, clock.now + resync), clock: clock)
                continuation.yield(clock.now >= deadline)
            }
        }
        defer {
            relay.cancel()
            timer.cancel()
            continuation.finish()
        }
        continuation.yield(false)
        for await _ in wakes {
            let appConfig: Resource?
            do {
                appConfig = try await client.get(OAMKinds.applicationConfiguration, name: app, namespace: namespace)
            } catch let error as APIError where error.reason == .notFound {
                appConfig = nil
            }
            if appConfig == nil, first, goal != .deleted { return .notFound }
            first = false
            var report: AppReport?
            if let appConfig { report = try await inspector.report(of: appConfig) }
            if let report { watch.watch(AppWatch.kinds(of: report)) }
            last = goal.standing(report, appConfig: appConfig)
            switch last {
            case .met: return .met
            case .pending(let why, _):
                let line = "waiting for \(app) to be \(goal): \(why)"
                if line != shown { progress(line) }
                shown = line
            }
            if clock.now >= deadline { break }
        }
        guard case .pending(let why, let failing) = last else { return .met }
        return .timedOut(why, failing: failing)
    }
}

/// One line of progress on standard error, redrawn in place; nothing at all when standard
/// error is not a terminal.
struct ProgressLine: Sendable {
    var enabled: Bool
    var colors: Bool
    /// The terminal's width: a longer line is cut, so that it never wraps (and cannot be redrawn).
    var width: Int

    init(enabled: Bool, colors: Bool) {
        self.enabled = enabled
        self.colors = colors
        var size = winsize()
        width = enabled && ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    func show(_ text: String) {
        guard enabled else { return }
        let cut = text.count < width ? text : String(text.prefix(max(1, width - 2))) + "…"
        let body = colors ? "\u{1B}[33m\(cut)\u{1B}[0m" : cut
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(body)".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
