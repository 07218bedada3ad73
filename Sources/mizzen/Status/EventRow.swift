import OrderedCollections
import Foundation
import Resources

/// One `core/v1` Event as `mizzen events` prints it: kubectl's columns LAST SEEN, TYPE, REASON,
/// OBJECT (`Kind/name`, as `kubectl events` writes it), MESSAGE. Pure: the clock is a parameter.
struct EventRow: Sendable {
    var event: Resource

    /// When it was last seen: `lastTimestamp`, else `series.lastObservedTime`, `eventTime`,
    /// the creation time.
    var time: String {
        let object = event.object
        return object["lastTimestamp"]?.stringValue ?? object["series"]?["lastObservedTime"]?.stringValue
            ?? object["eventTime"]?.stringValue ?? event.creationTimestamp ?? ""
    }

    var firstTime: String {
        event.object["firstTimestamp"]?.stringValue ?? event.object["eventTime"]?.stringValue ?? time
    }

    var count: Int64 { event.object["count"]?.intValue ?? event.object["series"]?["count"]?.intValue ?? 1 }

    var object: String {
        let involved = event.object["involvedObject"] ?? event.object["regarding"]
        return "\(involved?["kind"]?.stringValue ?? "")/\(involved?["name"]?.stringValue ?? "")"
    }

    static let columns = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]

    func cells(now: Date) -> [String] {
        var seen = KindTable.age(time, now: now)
        if count > 1 { seen += " (x\(count) over \(KindTable.age(firstTime, now: now)))" }
        let message = (event.object["message"]?.stringValue ?? event.object["note"]?.stringValue ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return [
            seen, event.object["type"]?.stringValue ?? "Normal", event.object["reason"]?.stringValue ?? "", object, message,
        ]
    }

    /// Oldest first; within a second (the timestamps' resolution) in the order they were written
    /// (resourceVersion), then by object.
    static func sorted(_ rows: [EventRow]) -> [EventRow] {
        rows.sorted { ($0.time, $0.written, $0.object) < ($1.time, $1.written, $1.object) }
    }

    private var written: Int { event.resourceVersion.flatMap { Int($0) } ?? 0 }

    /// Rows as a table: aligned on a terminal (to `widths`, at least, so that rows printed later
    /// by `--watch` line up), tab-separated when piped.
    static func lines(_ rows: [[String]], header: Bool, widths: [Int], terminal: Terminal) -> String {
        var all = header ? [columns] : []
        all += rows.map { $0.map { String($0.map { $0 == "\t" || $0 == "\n" ? " " : $0 }) } }
        guard terminal.isTTY else { return all.map { $0.joined(separator: "\t") + "\n" }.joined() }
        return all.enumerated().map { index, row in
            var text = ""
            for column in row.indices {
                let cell = header && index == 0 ? terminal.paint(row[column], .bold) : painted(row, column, terminal: terminal)
                text += column == row.count - 1 ? cell : cell + String(repeating: " ", count: max(1, widths[column] - row[column].count + 3))
            }
            return text + "\n"
        }.joined()
    }

    /// Column widths that fit the header and `rows`.
    static func widths(_ rows: [[String]]) -> [Int] {
        columns.indices.map { column in max(columns[column].count, rows.map { $0[column].count }.max() ?? 0) }
    }

    private static func painted(_ row: [String], _ column: Int, terminal: Terminal) -> String {
        column == 1 && row[column] == "Warning" ? terminal.paint(row[column], .yellow) : row[column]
    }
}
