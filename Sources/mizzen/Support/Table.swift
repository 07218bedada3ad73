/// Rows under a header. On a terminal the columns are aligned and the header is bold; piped,
/// each row is one line of tab-separated fields (as `gh` does), so `cut -f2` and `awk -F'\t'`
/// read it, and no cell holds a tab or a newline.
struct Table {
    var columns: [String]
    var rows: [[String]] = []

    init(_ columns: [String], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as text, ending with a newline; nothing when there is no row.
    func render(on terminal: Terminal, colorize: (Int, String) -> String? = { _, _ in nil }) -> String {
        guard !rows.isEmpty else { return "" }
        let cells = rows.map { row in columns.indices.map { $0 < row.count ? Self.clean(row[$0]) : "" } }
        guard terminal.isTTY else {
            return ([columns] + cells).map { $0.joined(separator: "\t") + "\n" }.joined()
        }
        let widths = columns.indices.map { index in
            max(columns[index].count, cells.map { $0[index].count }.max() ?? 0)
        }
        func line(_ row: [String], painted: [String]) -> String {
            var text = ""
            for index in row.indices {
                let last = index == row.count - 1
                text += painted[index] + (last ? "" : String(repeating: " ", count: widths[index] - row[index].count + 3))
            }
            return text + "\n"
        }
        var text = line(columns, painted: columns.map { terminal.paint($0, .bold) })
        for row in cells {
            let painted = row.indices.map { colorize($0, row[$0]) ?? row[$0] }
            text += line(row, painted: painted)
        }
        return text
    }

    private static func clean(_ cell: String) -> String {
        String(cell.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
