import Foundation
import OrderedCollections

/// `mizzen graph -o svg`: the graph drawn by a small layered layout of our own (no Graphviz
/// needed). Each layer of components is a column, left to right; a component is a card with a
/// row for its workload and each trait; scopes form the last column; data edges are curves
/// from the producing row to the consuming row, labelled with the output and its value, solid
/// when passed and dashed while waiting. Pure and deterministic.
enum GraphSVG {
    static let characterWidth = 7.2
    static let margin = 24.0
    static let titleHeight = 40.0
    static let headerHeight = 26.0
    static let rowHeight = 40.0
    static let cardGap = 28.0
    static let columnGap = 220.0
    static let labelCharacters = 30

    struct Box {
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    static func render(_ graph: AppGraph) -> String {
        // Columns: one per layer, then the scopes.
        var columns: [[(title: String, health: Health, rows: [String])]] = Array(repeating: [], count: max(1, graph.layerCount))
        for component in graph.components {
            columns[component.layer].append((
                "component \(component.name)" + (component.revision.map { " (\($0))" } ?? ""), component.health, component.nodes))
        }
        let scopes = graph.nodes.values.filter { $0.role == .scope }
        if !scopes.isEmpty { columns.append(scopes.map { ("scope", $0.health, [$0.id]) }) }

        var longest = 24
        for column in columns {
            for card in column {
                longest = max(longest, card.title.count)
                for id in card.rows {
                    guard let node = graph.nodes[id] else { continue }
                    longest = max(longest, "\(node.role.rawValue) \(node.reference)".count + 2, rowDetail(node).count + 2)
                }
            }
        }
        let cardWidth = (Double(min(longest, 56)) * characterWidth + 28).rounded()

        // Place cards and remember where each node's row is.
        var rows: [String: Box] = [:]
        var cards: [(box: Box, title: String, health: Health)] = []
        var height = 0.0
        for (index, column) in columns.enumerated() {
            let x = margin + Double(index) * (cardWidth + columnGap)
            var y = margin + titleHeight
            for card in column {
                let box = Box(x: x, y: y, width: cardWidth, height: headerHeight + Double(card.rows.count) * rowHeight + 6)
                cards.append((box, card.title, card.health))
                for (row, id) in card.rows.enumerated() {
                    rows[id] = Box(x: x, y: y + headerHeight + Double(row) * rowHeight, width: cardWidth, height: rowHeight)
                }
                y += box.height + cardGap
            }
            height = max(height, y)
        }
        let width = margin * 2 + Double(columns.count) * cardWidth + Double(columns.count - 1) * columnGap
        height += margin - cardGap + 20

        var out: [String] = []
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" viewBox=\"0 0 \(number(width)) \(number(height))\" font-family=\"ui-monospace, SFMono-Regular, Menlo, Consolas, monospace\" font-size=\"12\">")
        out.append("  <title>\(escape("ApplicationConfiguration \(graph.name)"))</title>")
        out.append("  <defs>")
        for (name, color) in [("passed", "#2e7d32"), ("waiting", "#b26a00"), ("scope", "#757575")] {
            out.append("    <marker id=\"arrow-\(name)\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(color)\"/></marker>")
        }
        out.append("  </defs>")
        out.append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
        let title = "ApplicationConfiguration \(graph.name) · namespace \(graph.namespace) · \(graph.health.rawValue)"
        out.append("  <text x=\"\(number(margin))\" y=\"\(number(margin + 14))\" font-size=\"15\" font-weight=\"bold\" fill=\"#1b1b1b\">\(escape(title))</text>")

        for card in cards {
            let colors = GraphText.palette(card.health)
            let box = card.box
            out.append("  <g class=\"card\">")
            out.append("    <rect x=\"\(number(box.x))\" y=\"\(number(box.y))\" width=\"\(number(box.width))\" height=\"\(number(box.height))\" rx=\"8\" fill=\"#fafafa\" stroke=\"\(colors.stroke)\" stroke-width=\"1.5\"/>")
            out.append("    <text x=\"\(number(box.x + 12))\" y=\"\(number(box.y + 17))\" font-weight=\"bold\" fill=\"#1b1b1b\">\(escape(cut(card.title, to: Int((box.width - 24) / characterWidth))))</text>")
            out.append("  </g>")
        }
        for (id, node) in graph.nodes {
            guard let box = rows[id] else { continue }
            let colors = GraphText.palette(node.health)
            let limit = Int((box.width - 36) / characterWidth)
            out.append("  <g class=\"\(node.role.rawValue)\">")
            out.append("    <title>\(escape("\(node.role.rawValue) \(node.reference): \(node.health.rawValue), \(node.detail)"))</title>")
            out.append("    <rect x=\"\(number(box.x + 6))\" y=\"\(number(box.y + 2))\" width=\"\(number(box.width - 12))\" height=\"\(number(box.height - 4))\" rx=\"5\" fill=\"\(colors.fill)\" stroke=\"\(colors.stroke)\"/>")
            out.append("    <circle cx=\"\(number(box.x + 17))\" cy=\"\(number(box.y + 15))\" r=\"4\" fill=\"\(colors.stroke)\"/>")
            out.append("    <text x=\"\(number(box.x + 27))\" y=\"\(number(box.y + 19))\" fill=\"#1b1b1b\">\(escape(cut("\(node.role.rawValue) \(node.reference)", to: limit)))</text>")
            out.append("    <text x=\"\(number(box.x + 27))\" y=\"\(number(box.y + 33))\" fill=\"\(colors.stroke)\" font-size=\"11\">\(escape(cut(rowDetail(node), to: limit)))</text>")
            out.append("  </g>")
        }
        for member in graph.scopeMembers {
            guard let from = rows[member.member], let to = rows[member.scope] else { continue }
            out.append("  " + curve(from: from, to: to, color: "#757575", marker: "scope", dashed: "2 3", title: "in scope"))
        }
        for edge in graph.dataEdges {
            guard let from = rows[edge.from], let to = rows[edge.to] else { continue }
            let passed: Bool
            let reading: String
            switch edge.state {
            case .passed(let value): (passed, reading) = (true, value)
            case .waiting(let why): (passed, reading) = (false, "waiting: \(why)")
            }
            let color = passed ? "#2e7d32" : "#b26a00"
            out.append("  <g class=\"data-edge\">")
            out.append("    " + curve(from: from, to: to, color: color, marker: passed ? "passed" : "waiting", dashed: passed ? nil : "6 4", title: "\(edge.output): \(reading)"))
            let middle = midpoint(from: from, to: to)
            let lines = [cut(edge.output, to: labelCharacters), cut(reading, to: labelCharacters)]
            let labelWidth = Double(lines.map(\.count).max() ?? 0) * characterWidth * 11 / 12 + 10
            out.append("    <rect x=\"\(number(middle.x - labelWidth / 2))\" y=\"\(number(middle.y - 31))\" width=\"\(number(labelWidth))\" height=\"29\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/>")
            out.append("    <text x=\"\(number(middle.x))\" y=\"\(number(middle.y - 19))\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"bold\" fill=\"\(color)\">\(escape(lines[0]))</text>")
            out.append("    <text x=\"\(number(middle.x))\" y=\"\(number(middle.y - 6))\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(color)\">\(escape(lines[1]))</text>")
            out.append("  </g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    private static func rowDetail(_ node: AppGraph.Node) -> String {
        "\(node.health.rawValue) · \(node.detail)"
    }

    /// The control points of the curve from the right of `from` to the left of `to`; an edge
    /// to the same or an earlier column bows out further so that it stays visible.
    private static func points(from: Box, to: Box) -> (Double, Double, Double, Double, Double, Double, Double, Double) {
        let x1 = from.x + from.width - 6, y1 = from.y + from.height / 2
        let x2 = to.x + 6, y2 = to.y + to.height / 2
        let reach = x2 > x1 ? max(40, (x2 - x1) / 2) : 120
        return (x1, y1, x1 + reach, y1, x2 - reach, y2, x2, y2)
    }

    private static func curve(from: Box, to: Box, color: String, marker: String, dashed: String?, title: String) -> String {
        let p = points(from: from, to: to)
        let dash = dashed.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        return "<path d=\"M\(number(p.0)),\(number(p.1)) C\(number(p.2)),\(number(p.3)) \(number(p.4)),\(number(p.5)) \(number(p.6)),\(number(p.7))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\"\(dash) marker-end=\"url(#arrow-\(marker))\"><title>\(escape(title))</title></path>"
    }

    /// The curve's point at t = ½.
    private static func midpoint(from: Box, to: Box) -> (x: Double, y: Double) {
        let p = points(from: from, to: to)
        return ((p.0 + 3 * p.2 + 3 * p.4 + p.6) / 8, (p.1 + 3 * p.3 + 3 * p.5 + p.7) / 8)
    }

    static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A coordinate with at most one decimal, the same on every machine.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}
