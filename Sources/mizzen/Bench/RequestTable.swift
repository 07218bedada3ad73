import Foundation
import KubeClient

/// The table `mizzen bench reconcile --kubeconfig` prints: the controllers' requests by
/// resource and verb, one column per phase of the run, and what the targets allow.
struct RequestTable {
    /// A phase of the run and the requests counted in it.
    struct Phase {
        var name: String
        var counts: [RequestCounter.Key: RequestCounter.Count]
    }

    var phases: [Phase]

    /// Verbs that change something.
    static let writeVerbs: Set<String> = ["create", "update", "patch", "apply", "delete", "deletecollection"]

    /// Requests that are Events (they record what happened; no object of the app is in them).
    static func isEvent(_ key: RequestCounter.Key) -> Bool {
        key.resource == "events" || key.resource == "events.events.k8s.io"
    }

    /// The rows, resource by resource and verb by verb, then totals, aligned in columns.
    func lines() -> [String] {
        let keys = Set(phases.flatMap(\.counts.keys)).sorted()
        var rows: [[String]] = [["resource", "verb"] + phases.map(\.name)]
        for key in keys {
            rows.append([key.resource, key.verb] + phases.map { Self.cell($0.counts[key]) })
        }
        func total(_ title: String, _ include: (RequestCounter.Key) -> Bool) -> [String] {
            [title, ""] + phases.map { phase in
                Self.cell(phase.counts.filter { include($0.key) }.values.reduce(into: RequestCounter.Count()) {
                    $0.sent += $1.sent
                    $0.failed += $1.failed
                })
            }
        }
        rows.append(total("writes (Events left out)", { Self.writeVerbs.contains($0.verb) && !Self.isEvent($0) }))
        rows.append(total("gets", { $0.verb == "get" && $0.resource != "discovery" }))
        rows.append(total("Events", Self.isEvent))
        rows.append(total("all requests", { _ in true }))
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column < 2 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
        }
    }

    /// `1,234`, or `1,234 (5 failed)`; empty for none.
    static func cell(_ count: RequestCounter.Count?) -> String {
        guard let count, count.sent > 0 else { return "" }
        let sent = ReconcileChart.tick(Double(count.sent))
        return count.failed > 0 ? "\(sent) (\(ReconcileChart.tick(Double(count.failed))) failed)" : sent
    }

    /// Requests of `counts` that write, Events left out.
    static func writes(_ counts: [RequestCounter.Key: RequestCounter.Count]) -> Int {
        counts.filter { writeVerbs.contains($0.key.verb) && !isEvent($0.key) }.values.map(\.sent).reduce(0, +)
    }

    /// GETs of single objects (discovery left out).
    static func gets(_ counts: [RequestCounter.Key: RequestCounter.Count]) -> Int {
        counts.filter { $0.key.verb == "get" && $0.key.resource != "discovery" }.values.map(\.sent).reduce(0, +)
    }
}
