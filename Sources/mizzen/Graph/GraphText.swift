import Foundation
import OrderedCollections
import Resources

/// `mizzen graph` as text, DOT (Graphviz) and Mermaid. Pure.
enum GraphText {
    // MARK: Text

    /// Layer by layer, each component with its workload and traits; then scopes; then every
    /// data edge with its value or why it waits.
    static func text(_ graph: AppGraph, terminal: Terminal) -> String {
        func health(_ value: Health) -> String { terminal.paint(value.rawValue, value.style) }
        var lines = ["\(terminal.paint("ApplicationConfiguration \(graph.name)", .bold))  namespace \(graph.namespace)  \(health(graph.health))"]
        for layer in 0..<graph.layerCount {
            let components = graph.components.filter { $0.layer == layer }
            guard !components.isEmpty else { continue }
            lines.append(terminal.paint("layer \(layer + 1)", .bold) + (layer == 0 ? "" : "  (reads from layer \(layer))"))
            for component in components {
                var line = "  component \(component.name)"
                if let revision = component.revision { line += "  revision \(revision)" }
                line += "  \(health(component.health))"
                let reads = sources(of: component, in: graph)
                if !reads.isEmpty { line += "  ← " + reads.joined(separator: ", ") }
                lines.append(line)
                for id in component.nodes {
                    guard let node = graph.nodes[id] else { continue }
                    lines.append("      \(node.role.rawValue) \(node.reference)  \(health(node.health))  \(node.detail)")
                }
            }
        }
        let scopes = graph.nodes.values.filter { $0.role == .scope }
        if !scopes.isEmpty {
            lines.append(terminal.paint("Scopes", .bold))
            for scope in scopes {
                let members = graph.scopeMembers.filter { $0.scope == scope.id }.compactMap { graph.nodes[$0.member]?.component }
                lines.append("  \(scope.reference)  \(health(scope.health))  \(scope.detail)  ← " + members.joined(separator: ", "))
            }
        }
        lines.append(terminal.paint("Data edges", .bold))
        if graph.dataEdges.isEmpty { lines.append("  <none>") }
        for edge in graph.dataEdges {
            let from = graph.nodes[edge.from]
            let to = graph.nodes[edge.to]
            var line = "  \(edge.output): \(from?.component ?? "?") → \(to?.component ?? "?")  "
            line += "(\(from?.reference ?? "?")\(edge.fromField.map { " \($0)" } ?? "") → \(to?.reference ?? "?")"
            line += edge.toFields.isEmpty ? ")  " : " \(edge.toFields.joined(separator: ", ")))  "
            switch edge.state {
            case .passed(let value): line += terminal.paint("passed", .green) + " \(value)"
            case .waiting(let why): line += terminal.paint("waiting", .yellow) + " \(why)"
            }
            lines.append(line)
        }
        if let error = graph.lastError {
            lines.append(terminal.paint("Last error", .bold))
            lines.append("  " + terminal.paint(error, .red))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The components `component` reads from, with the outputs.
    private static func sources(of component: AppGraph.Component, in graph: AppGraph) -> [String] {
        var found: OrderedSet<String> = []
        for edge in graph.dataEdges where component.nodes.contains(edge.to) {
            if let from = graph.nodes[edge.from]?.component, from != component.name { found.append("\(from) (\(edge.output))") }
        }
        return Array(found)
    }

    // MARK: DOT

    /// A Graphviz digraph: a cluster per component, scopes on their own, data edges labelled
    /// with their output and value, solid when passed, dashed while waiting.
    static func dot(_ graph: AppGraph) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var lines = [
            "digraph \(quoted(graph.name)) {",
            "  rankdir=LR;",
            "  label=\(quoted("ApplicationConfiguration \(graph.name) (\(graph.namespace)): \(graph.health.rawValue)"));",
            "  labelloc=t;",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];",
            "  edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        func node(_ node: AppGraph.Node, indent: String) -> String {
            let colors = palette(node.health)
            return "\(indent)\(quoted(node.id)) [label=\(quoted("\(node.role.rawValue)\n\(node.reference)\n\(node.health.rawValue): \(node.detail)")), "
                + "fillcolor=\(quoted(colors.fill)), color=\(quoted(colors.stroke))];"
        }
        for component in graph.components {
            lines.append("  subgraph \(quoted("cluster_\(component.name)")) {")
            let title = "component \(component.name)" + (component.revision.map { " (\($0))" } ?? "")
            lines.append("    label=\(quoted(title));")
            lines.append("    color=\(quoted(palette(component.health).stroke));")
            for id in component.nodes { if let value = graph.nodes[id] { lines.append(node(value, indent: "    ")) } }
            for id in component.nodes.dropFirst() { lines.append("    \(quoted(component.nodes[0])) -> \(quoted(id)) [arrowhead=none, style=dotted];") }
            lines.append("  }")
        }
        for scope in graph.nodes.values where scope.role == .scope {
            lines.append(node(scope, indent: "  "))
        }
        for member in graph.scopeMembers {
            lines.append("  \(quoted(member.member)) -> \(quoted(member.scope)) [style=dotted, label=\"in scope\"];")
        }
        for edge in graph.dataEdges {
            switch edge.state {
            case .passed(let value):
                lines.append("  \(quoted(edge.from)) -> \(quoted(edge.to)) [label=\(quoted("\(edge.output)\n\(value)")), color=\"#2e7d32\"];")
            case .waiting(let why):
                lines.append("  \(quoted(edge.from)) -> \(quoted(edge.to)) [label=\(quoted("\(edge.output)\nwaiting: \(why)")), color=\"#b26a00\", style=dashed];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Mermaid

    /// A Mermaid flowchart: a subgraph per component, scopes on their own, labelled data edges
    /// (`-->` when passed, `-.->` while waiting), nodes classed by health.
    static func mermaid(_ graph: AppGraph) -> String {
        var ids: [String: String] = [:]
        for (index, key) in graph.nodes.keys.enumerated() { ids[key] = "n\(index)" }
        func text(_ value: String) -> String {
            // Mermaid reads `#name;` entity codes in quoted labels; a quote or an angle bracket would end them.
            value.replacingOccurrences(of: "#", with: "#35;").replacingOccurrences(of: "\"", with: "#quot;")
                .replacingOccurrences(of: "<", with: "#lt;").replacingOccurrences(of: ">", with: "#gt;")
        }
        func node(_ node: AppGraph.Node) -> String {
            "\(ids[node.id]!)[\"\(node.role.rawValue) \(text(node.reference))<br/>\(node.health.rawValue): \(text(node.detail))\"]"
        }
        var lines = ["flowchart LR"]
        for (index, component) in graph.components.enumerated() {
            let title = "component \(component.name)" + (component.revision.map { " (\($0))" } ?? "")
            lines.append("  subgraph c\(index)[\"\(text(title))\"]")
            for id in component.nodes { if let value = graph.nodes[id] { lines.append("    " + node(value)) } }
            lines.append("  end")
        }
        for scope in graph.nodes.values where scope.role == .scope { lines.append("  " + node(scope)) }
        for member in graph.scopeMembers {
            lines.append("  \(ids[member.member]!) -. in scope .-> \(ids[member.scope]!)")
        }
        for edge in graph.dataEdges {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            switch edge.state {
            case .passed(let value): lines.append("  \(from) -->|\"\(text(edge.output)): \(text(value))\"| \(to)")
            case .waiting(let why): lines.append("  \(from) -.->|\"\(text(edge.output)): waiting \(text(why))\"| \(to)")
            }
        }
        for health in Health.allCases {
            let colors = palette(health)
            let members = graph.nodes.values.filter { $0.health == health }.compactMap { ids[$0.id] }
            guard !members.isEmpty else { continue }
            lines.append("  classDef \(health.rawValue) fill:\(colors.fill),stroke:\(colors.stroke),color:#1b1b1b")
            lines.append("  class \(members.joined(separator: ",")) \(health.rawValue)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Fill and stroke colours for a health, shared by DOT, Mermaid and SVG.
    static func palette(_ health: Health) -> (fill: String, stroke: String) {
        switch health {
        case .healthy: ("#e3f4e1", "#2e7d32")
        case .progressing: ("#fff4d6", "#b26a00")
        case .unknown: ("#eeeeee", "#757575")
        case .unhealthy: ("#fde2e1", "#c62828")
        }
    }
}
