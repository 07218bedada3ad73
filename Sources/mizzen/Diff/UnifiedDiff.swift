/// The difference between two texts, line by line, as `diff -u` prints it: `--- old` and
/// `+++ new` headers, then hunks of changed lines with up to ``context`` unchanged lines around
/// them.
///
/// The edit script is a shortest one (Myers' O(ND) algorithm), so a small change in a long
/// object gives a small hunk.
///
/// ```swift
/// let diff = UnifiedDiff(old: "a\nb\n", new: "a\nc\n", oldLabel: "live/ConfigMap/x", newLabel: "desired/ConfigMap/x")
/// print(diff.text(on: .plain))
/// // --- live/ConfigMap/x
/// // +++ desired/ConfigMap/x
/// // @@ -1,2 +1,2 @@
/// //  a
/// // -b
/// // +c
/// ```
struct UnifiedDiff: Sendable {
    /// One line of the edit script.
    enum Line: Sendable, Hashable {
        case same(String)
        case removed(String)
        case added(String)

        var isChange: Bool {
            if case .same = self { return false }
            return true
        }
    }

    /// A run of changes with its context, and where it starts in both texts (1-based).
    struct Hunk: Sendable, Hashable {
        var oldStart: Int
        var oldCount: Int
        var newStart: Int
        var newCount: Int
        var lines: [Line]

        /// `@@ -3,7 +3,8 @@`; a count of 1 is left out and an empty range starts at the line
        /// before it, as GNU diff writes them.
        var header: String {
            func range(_ start: Int, _ count: Int) -> String {
                switch count {
                case 0: "\(start - 1),0"
                case 1: "\(start)"
                default: "\(start),\(count)"
                }
            }
            return "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@"
        }
    }

    var oldLabel: String
    var newLabel: String
    var hunks: [Hunk]

    /// Unchanged lines shown around each change.
    static let context = 3

    init(old: String, new: String, oldLabel: String, newLabel: String, context: Int = UnifiedDiff.context) {
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        hunks = Self.hunks(Self.edits(Self.lines(of: old), Self.lines(of: new)), context: context)
    }

    /// The texts are the same.
    var isEmpty: Bool { hunks.isEmpty }

    /// Lines added and removed, over all hunks.
    var counts: (added: Int, removed: Int) {
        var added = 0
        var removed = 0
        for line in hunks.flatMap(\.lines) {
            switch line {
            case .added: added += 1
            case .removed: removed += 1
            case .same: break
            }
        }
        return (added, removed)
    }

    /// The diff as `diff -u` writes it, ending with a newline; nothing when the texts are the
    /// same. Coloured when `terminal` allows: headers bold, hunk headers cyan, removals red,
    /// additions green.
    func text(on terminal: Terminal) -> String {
        guard !hunks.isEmpty else { return "" }
        var text = terminal.paint("--- \(oldLabel)", .bold) + "\n" + terminal.paint("+++ \(newLabel)", .bold) + "\n"
        for hunk in hunks {
            text += terminal.paint(hunk.header, .cyan) + "\n"
            for line in hunk.lines {
                switch line {
                case .same(let content): text += " \(content)\n"
                case .removed(let content): text += terminal.paint("-\(content)", .red) + "\n"
                case .added(let content): text += terminal.paint("+\(content)", .green) + "\n"
                }
            }
        }
        return text
    }

    /// The lines of `text`; a final newline ends the last line rather than starting another.
    static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// A shortest edit script turning `old` into `new` (Myers, "An O(ND) Difference Algorithm
    /// and Its Variations", 1986), after setting aside the common prefix and suffix.
    static func edits(_ old: [String], _ new: [String]) -> [Line] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        return old[..<prefix].map(Line.same) + middleEdits(a, b) + old[(old.count - suffix)...].map(Line.same)
    }

    private static func middleEdits(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count
        let m = b.count
        if n == 0 { return b.map(Line.added) }
        if m == 0 { return a.map(Line.removed) }
        let limit = n + m
        let offset = limit + 1
        // v[offset + k]: the furthest x reached on diagonal k; one copy kept per round d for
        // walking back.
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        search: for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m { break search }
            }
        }
        var reversed: [Line] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                reversed.append(.same(a[x]))
            }
            guard d > 0 else { break }
            if x == previousX {
                reversed.append(.added(b[previousY]))
            } else {
                reversed.append(.removed(a[previousX]))
            }
            x = previousX
            y = previousY
        }
        return reversed.reversed()
    }

    /// The changes of `edits` grouped into hunks: changes closer than twice `context` share one.
    static func hunks(_ edits: [Line], context: Int) -> [Hunk] {
        let changes = edits.indices.filter { edits[$0].isChange }
        guard let first = changes.first else { return [] }
        // Ranges of edit indices, one per hunk.
        var ranges: [ClosedRange<Int>] = []
        var start = first
        var end = first
        for index in changes.dropFirst() {
            if index - end > 2 * context {
                ranges.append(start...end)
                start = index
            }
            end = index
        }
        ranges.append(start...end)

        // Line numbers before each edit.
        var oldLine = [Int](repeating: 1, count: edits.count + 1)
        var newLine = [Int](repeating: 1, count: edits.count + 1)
        for (index, edit) in edits.enumerated() {
            oldLine[index + 1] = oldLine[index] + (edit.isAdded ? 0 : 1)
            newLine[index + 1] = newLine[index] + (edit.isRemoved ? 0 : 1)
        }
        return ranges.map { range in
            let lower = max(0, range.lowerBound - context)
            let upper = min(edits.count - 1, range.upperBound + context)
            let lines = Array(edits[lower...upper])
            return Hunk(
                oldStart: oldLine[lower], oldCount: lines.filter { !$0.isAdded }.count,
                newStart: newLine[lower], newCount: lines.filter { !$0.isRemoved }.count,
                lines: lines)
        }
    }
}

extension UnifiedDiff.Line {
    fileprivate var isAdded: Bool {
        if case .added = self { return true }
        return false
    }

    fileprivate var isRemoved: Bool {
        if case .removed = self { return true }
        return false
    }
}
