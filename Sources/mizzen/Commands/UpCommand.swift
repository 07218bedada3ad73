import ArgumentParser
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import Resources

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Apply an application (definitions, Components, AppConfigs) and, with --wait, follow it until healthy.",
        discussion: """
            Checks the files first (every problem, with file:line), then applies their objects with \
            server-side apply: namespaces and CRDs, then definitions, then other objects, then \
            Components, then ApplicationConfigurations. The files may name Components and \
            definitions that are already on the server. A namespace the objects go to that does \
            not exist yet is created first.

            With no --kubeconfig or --context, the target is the embedded control plane in \
            --data-dir: `up` starts one in the background there when none is running (and says \
            so), or uses the one that is. `mizzen down` stops it.

            With --wait it follows every AppConfig of the files, a line per component as it \
            moves — rendered → applied → waiting on a dataOutput (its current value and the \
            condition that fails) → healthy — redrawn in place on a terminal, one line per change \
            when piped.

            Exit codes: 0 applied (and healthy with --wait), 1 an error, 2 invalid input, \
            3 unhealthy when --timeout ran out, 4 still progressing when --timeout ran out.

            Examples:
              mizzen up -f examples/data-passing --wait
              mizzen up -f app.yaml --wait --timeout 2m
              mizzen up -f app.yaml --kubeconfig ~/.kube/config -n shop
            """)

    @OptionGroup var input: InputOptions

    @OptionGroup var target: TargetOptions

    @Flag(help: "Follow the AppConfigs until they are healthy.")
    var wait = false

    @Option(help: ArgumentHelp("How long --wait waits (30s, 5m, 1h).", valueName: "duration"))
    var timeout: WaitDuration = WaitDuration(seconds: 300)

    @Flag(help: "Take over fields another field manager owns instead of failing with a conflict.")
    var forceConflicts = false

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let documents = try input.documents()
        if !target.usesCluster {
            let plane = target.plane
            if plane.isRunning {
                guard await plane.ready(patience: .seconds(10)) else {
                    throw CommandFailure(
                        "the control plane in \(plane.displayPath) is running but not ready",
                        hint: "see \(plane.logFile.path); `mizzen down --data-dir \(plane.displayPath)` stops it")
                }
            } else {
                StandardError.write("starting the embedded control plane in \(plane.displayPath) …")
                let pid = try await plane.start()
                StandardError.write("started the embedded control plane in \(plane.displayPath) (pid \(pid), log \(plane.logFile.path)); `mizzen down` stops it")
            }
        }
        let connected = try await target.connect()
        let terminal = style.terminal
        try await connected.use { target in
            let objects = try await ApplyPlan.checked(documents, target: target)
            try await ApplyPlan.apply(objects, target: target, force: forceConflicts, report: StandardOutput.writeLine)
            let apps = objects.map(\.resource).filter { $0.kind == ApplicationConfiguration.kind }
            guard wait, !apps.isEmpty else { return }
            let follower = ProgressFollower(client: target.client, terminal: terminal)
            let outcome = try await follower.follow(
                apps.map { ($0.name, $0.namespace ?? target.namespace) }, timeout: timeout.duration)
            let hint = "`mizzen status \(apps[0].name)` shows every object of the application"
            switch outcome {
            case .healthy: return
            case .unhealthy(let message): throw CommandFailure(message, hint: hint, status: ExitStatus.unhealthy)
            case .timedOut(let message): throw CommandFailure(message, hint: hint, status: ExitStatus.timeout)
            }
        }
    }
}

/// A duration written as `90`, `30s`, `5m`, `1h` or `1m30s`.
struct WaitDuration: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    init?(argument: String) {
        if let plain = Double(argument), plain >= 0 {
            seconds = plain
            return
        }
        var total = 0.0
        var number = ""
        for character in argument {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty, !argument.isEmpty else { return nil }
        seconds = total
    }

    var duration: Duration { .milliseconds(Int64(seconds * 1000)) }

    var description: String {
        let whole = Int(seconds)
        if Double(whole) != seconds { return "\(seconds)s" }
        if whole % 3600 == 0, whole > 0 { return "\(whole / 3600)h" }
        if whole % 60 == 0, whole > 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }

    var defaultValueDescription: String { description }
}
