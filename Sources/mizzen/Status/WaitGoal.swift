import OrderedCollections
import ArgumentParser
import Resources

/// What `mizzen wait --for=…` waits for: `healthy`, `deleted`, or `condition=TYPE[=STATUS]`
/// (STATUS `True` when left out), and how an application stands against it. Pure.
enum WaitGoal: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    case healthy
    case deleted
    /// A condition of the AppConfig's `status.conditions` (type compared without regard to case).
    case condition(type: String, status: String)

    init?(argument: String) {
        switch argument.lowercased() {
        case "healthy": self = .healthy
        case "deleted", "delete": self = .deleted
        default:
            guard argument.lowercased().hasPrefix("condition=") else { return nil }
            let parts = argument.dropFirst("condition=".count).split(separator: "=", maxSplits: 1).map(String.init)
            guard let type = parts.first, !type.isEmpty else { return nil }
            let status = parts.count == 2 ? parts[1] : "True"
            guard !status.isEmpty else { return nil }
            self = .condition(type: type, status: status)
        }
    }

    static var allValueStrings: [String] { ["healthy", "deleted", "condition=TYPE[=STATUS]"] }

    var description: String {
        switch self {
        case .healthy: "healthy"
        case .deleted: "deleted"
        case .condition(let type, let status): "condition \(type)=\(status)"
        }
    }

    /// Where an application stands against the goal.
    enum Standing: Equatable, Sendable {
        case met
        /// Not yet; `failing` when the application reports an error or an unhealthy object (a
        /// timeout then exits 3, not 4), with what it waits for.
        case pending(String, failing: Bool)
    }

    /// How `report` (the application now; `nil` when it does not exist) stands.
    func standing(_ report: AppReport?, appConfig: Resource?) -> Standing {
        switch self {
        case .deleted:
            guard let report else { return .met }
            let terminating = appConfig?.metadata["deletionTimestamp"] != nil
            return .pending(terminating ? "\(report.name) is being deleted" : "\(report.name) still exists", failing: false)
        case .healthy:
            guard let report else { return .pending("it does not exist", failing: false) }
            if report.health == .healthy || report.health == .unknown { return .met }
            return .pending(Self.why(report), failing: report.health == .unhealthy)
        case .condition(let type, let status):
            guard let report else { return .pending("it does not exist", failing: false) }
            let found = report.conditions.first { $0.type.lowercased() == type.lowercased() }
            let current = (report.observedGeneration ?? 0) >= (report.generation ?? 0)
            if let found, found.status.lowercased() == status.lowercased(), current { return .met }
            var why: String
            if let found {
                why = "condition \(found.type) is \(found.status)"
                if !found.reason.isEmpty { why += " (\(found.reason)\(found.message.isEmpty ? "" : ": \(found.message)"))" }
                if !current { why += ", for generation \(report.observedGeneration ?? 0) of \(report.generation ?? 0)" }
            } else {
                let types = report.conditions.map(\.type)
                why = "no condition \(type)" + (types.isEmpty ? " (no conditions yet)" : " (it has \(types.joined(separator: ", ")))")
            }
            return .pending(why, failing: report.health == .unhealthy)
        }
    }

    /// What keeps an application from being healthy: its last error, or each component that is
    /// not healthy with what it waits for.
    static func why(_ report: AppReport) -> String {
        if let error = report.lastError { return error }
        if report.synced == nil { return "the controller has not reported on it yet" }
        if let observed = report.observedGeneration, observed < (report.generation ?? 0) {
            return "the controller has not reported on generation \(report.generation ?? 0) yet"
        }
        let waiting = report.components.filter { $0.health != .healthy && $0.health != .unknown }
        if waiting.isEmpty { return "the controller has not reported on generation \(report.generation ?? 0) yet" }
        return waiting.map { component in
            let detail = component.stage == "waiting"
                ? ProgressFollower.waitingDetail(component, in: report)
                : component.workload.map { "\($0.reference) \($0.detail)" } ?? "not applied yet"
            return "\(component.name) \(component.stage) (\(detail))"
        }.joined(separator: ", ")
    }
}
