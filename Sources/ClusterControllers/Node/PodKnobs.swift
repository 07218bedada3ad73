import Foundation
import OrderedCollections
import Resources

/// The annotations (prefix `mizzen.dev/`) by which a Pod, or the Pod template of a workload,
/// tells the simulated kubelet how its containers behave — there being no real process to
/// decide it:
///
/// - `mizzen.dev/crash-loop`: `"true"` (every container) or a comma-separated list of container
///   names: those containers exit with an error shortly after they start (with code
///   `mizzen.dev/exit-code`, or 1), and kubelet restarts them with its back-off
///   (`CrashLoopBackOff`, `RESTARTS` counting up).
/// - `mizzen.dev/run-seconds`: the containers exit after this many seconds (a decimal number).
///   Pods with `restartPolicy: Never` or `OnFailure` (Jobs) exit after a short while by default.
/// - `mizzen.dev/exit-code`: the exit code they exit with (default 0: `Completed`, the Pod
///   `Succeeded`; otherwise `Error`, the Pod `Failed` — or, with `OnFailure`, restarted in place).
/// - `mizzen.dev/never-ready`: `"true"` or a list of container names: those run but their
///   readiness probe never succeeds (the Pod is never `Ready`).
struct PodKnobs: Sendable, Hashable {
    static let crashLoop = "mizzen.dev/crash-loop"
    static let runSeconds = "mizzen.dev/run-seconds"
    static let exitCode = "mizzen.dev/exit-code"
    static let neverReady = "mizzen.dev/never-ready"

    private let crashing: Selection
    private let unready: Selection
    /// `mizzen.dev/run-seconds`, when valid.
    let runSeconds: Double?
    /// `mizzen.dev/exit-code`, when valid.
    let exitCode: Int?

    init(_ pod: Resource) {
        let annotations = pod.annotations
        crashing = Selection(annotations[Self.crashLoop])
        unready = Selection(annotations[Self.neverReady])
        runSeconds = annotations[Self.runSeconds].flatMap(Double.init).flatMap { $0 >= 0 ? $0 : nil }
        exitCode = annotations[Self.exitCode].flatMap(Int.init)
    }

    func crashLoops(_ container: String) -> Bool { crashing.contains(container) }
    func neverReady(_ container: String) -> Bool { unready.contains(container) }

    /// All containers (`true`, `*`) or those named.
    private enum Selection: Sendable, Hashable {
        case none, all
        case named(Set<String>)

        init(_ value: String?) {
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value != "false" else {
                self = .none
                return
            }
            if value == "true" || value == "*" {
                self = .all
            } else {
                self = .named(Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
            }
        }

        func contains(_ name: String) -> Bool {
            switch self {
            case .none: false
            case .all: true
            case .named(let names): names.contains(name)
            }
        }
    }
}
