import Foundation
import KubeClient
import Resources

/// Follows applications until they are healthy, printing a line per component as its stage
/// changes: redrawn in place on a terminal, appended when piped.
struct ProgressFollower {
    let client: KubernetesClient
    let terminal: Terminal
    /// How often the objects are read again.
    var interval: Duration = .milliseconds(400)

    enum Outcome: Equatable {
        case healthy
        case unhealthy(String)
        case timedOut(String)
    }

    func follow(_ apps: [(name: String, namespace: String)], timeout: Duration) async throws -> Outcome {
        let inspector = AppInspector(client: client)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        var printed: [String: String] = [:]
        var drawnLines = 0
        while true {
            var reports: [AppReport] = []
            for app in apps { reports.append(try await inspector.report(name: app.name, namespace: app.namespace)) }
            let lines = reports.flatMap(Self.lines)
            if terminal.isTTY {
                // Back to the first line drawn, and clear what was below it.
                var frame = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\u{1B}[J" : ""
                for line in lines { frame += "\u{1B}[2K" + paint(line) + "\n" }
                StandardOutput.write(frame)
                drawnLines = lines.count
            } else {
                for line in lines where printed[line.key] != line.text {
                    printed[line.key] = line.text
                    StandardOutput.writeLine(line.text)
                }
            }
            let elapsed = start.duration(to: clock.now)
            if reports.allSatisfy({ $0.health == .healthy || $0.health == .unknown }) {
                for report in reports {
                    StandardOutput.writeLine(terminal.paint(Self.summary(report, after: elapsed), .green))
                    for edge in report.edges { StandardOutput.writeLine("  " + StatusTree.edgeLine(edge, terminal: terminal)) }
                }
                return .healthy
            }
            if clock.now >= deadline {
                let stuck = reports.filter { $0.health != .healthy }
                if let failing = stuck.first(where: { $0.health == .unhealthy }) {
                    return .unhealthy("\(failing.name) is unhealthy after \(Self.seconds(elapsed)): \(failing.lastError ?? Self.why(failing))")
                }
                let names = stuck.map(\.name).joined(separator: ", ")
                return .timedOut("timed out after \(Self.seconds(elapsed)) waiting for \(names): \(stuck.map(Self.why).joined(separator: "; "))")
            }
            try await Task.sleep(for: interval)
        }
    }

    struct Line {
        /// What the line is about (`shop/web`), so that only changes are printed when piped.
        var key: String
        var text: String
        var health: Health
    }

    /// A line per component: `shop/web  waiting  on dataOutput db-connection-secret …`.
    static func lines(_ report: AppReport) -> [Line] {
        var lines: [Line] = []
        for component in report.components {
            var text = "\(report.name)/\(component.name)  \(component.stage)"
            switch component.stage {
            case "waiting":
                text += "  " + waitingDetail(component, in: report)
            case "applied", "healthy":
                if let workload = component.workload { text += "  \(workload.reference) \(workload.detail)" }
            case "unhealthy":
                let failing = ([component.workload].compactMap { $0 } + component.traits + component.scopes)
                    .first { $0.health == .unhealthy }
                if let failing { text += "  \(failing.reference): \(failing.detail)" }
            default:
                if let workload = component.workload { text += "  \(workload.reference)" }
            }
            lines.append(Line(key: "\(report.namespace)/\(report.name)/\(component.name)", text: text, health: component.health))
        }
        if let error = report.lastError {
            lines.append(Line(key: "\(report.namespace)/\(report.name)/error", text: "\(report.name)  error  \(error)", health: .unhealthy))
        }
        return lines
    }

    /// Why a component waits: each data output it needs, with the current value and the
    /// condition that fails.
    static func waitingDetail(_ component: AppReport.ComponentEntry, in report: AppReport) -> String {
        let targets = Set(([component.workload].compactMap { $0 } + component.traits).map(\.reference))
        let edges = report.edges.filter { !$0.ready && (targets.contains($0.to) || targets.isEmpty) }
        if !edges.isEmpty {
            return edges.map { edge in
                var text = "on dataOutput \(edge.output) of \(edge.from)"
                if !edge.conditions.isEmpty { text += " (\(edge.conditions.joined(separator: ", ")))" }
                if let reason = edge.reason { text += ": \(reason)" }
                return text
            }.joined(separator: "; ")
        }
        return component.waiting.joined(separator: "; ")
    }

    private static func why(_ report: AppReport) -> String {
        let waiting = report.components.filter { $0.health != .healthy }
        if waiting.isEmpty { return "the controller has not reported on generation \(report.generation ?? 0) yet" }
        return waiting.map { component in
            let detail = component.stage == "waiting" ? waitingDetail(component, in: report) : component.workload?.detail ?? "not applied yet"
            return "\(component.name) \(component.stage) (\(detail))"
        }.joined(separator: ", ")
    }

    static func summary(_ report: AppReport, after elapsed: Duration) -> String {
        let edges = report.edges.count
        let components = report.components.count
        return "\(report.name)  healthy  \(components) component\(components == 1 ? "" : "s"), "
            + "\(edges) data edge\(edges == 1 ? "" : "s") resolved, in \(seconds(elapsed))"
    }

    private static func seconds(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1fs", seconds)
    }

    private func paint(_ line: Line) -> String {
        terminal.paint(line.text, line.health.style)
    }
}
