import OrderedCollections
import Resources

/// `mizzen status` as text: the application as a tree, then its data edges, conditions and last
/// error. Pure, so that its layout is tested against golden files.
enum StatusTree {
    static func render(_ report: AppReport, terminal: Terminal) -> String {
        func health(_ value: Health) -> String { terminal.paint(value.rawValue, value.style) }
        var lines: [String] = []
        var header = "\(terminal.paint("ApplicationConfiguration \(report.name)", .bold))  namespace \(report.namespace)  \(health(report.health))"
        header += "  generation \(report.generation ?? 0), observed \(report.observedGeneration.map(String.init) ?? "none")"
        lines.append(header)
        for (index, component) in report.components.enumerated() {
            let last = index == report.components.count - 1
            var line = (last ? "└── " : "├── ") + "Component \(component.name)"
            if let revision = component.revision { line += "  revision \(revision)" }
            line += "  \(health(component.health))"
            if component.stage != component.health.rawValue { line += " (\(component.stage))" }
            lines.append(line)
            let indent = last ? "    " : "│   "
            var children: [String] = []
            if let workload = component.workload {
                children.append(object(workload, health: health))
            } else {
                children.append("workload not rendered yet")
            }
            children += component.traits.map { object($0, health: health) }
            children += component.scopes.map { object($0, health: health) }
            children += component.waiting.map { "waits on \($0)" }
            for (childIndex, child) in children.enumerated() {
                lines.append(indent + (childIndex == children.count - 1 ? "└── " : "├── ") + child)
            }
        }
        if !report.edges.isEmpty {
            lines.append(terminal.paint("Data edges", .bold))
            for edge in report.edges { lines.append("  " + edgeLine(edge, terminal: terminal)) }
        }
        if !report.conditions.isEmpty {
            lines.append(terminal.paint("Conditions", .bold))
            for condition in report.conditions {
                var line = "  \(condition.type)  \(condition.status)  \(condition.reason)"
                if !condition.message.isEmpty { line += "  \(condition.message)" }
                lines.append(line)
            }
        }
        if let error = report.lastError {
            lines.append(terminal.paint("Last error", .bold))
            lines.append("  " + terminal.paint(error, .red))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `output: Kind/name field → Kind/name fields  passed "value"`, or why it waits.
    static func edgeLine(_ edge: AppReport.Edge, terminal: Terminal) -> String {
        let source = edge.from + (edge.fromField.map { " \($0)" } ?? "")
        let sink = edge.to + (edge.toFields.isEmpty ? "" : " " + edge.toFields.joined(separator: ", "))
        var line = "\(edge.output): \(source) → \(sink)  "
        if edge.ready {
            line += terminal.paint("passed", .green) + " " + (edge.value.map(valueText) ?? "(ordering only)")
        } else {
            line += terminal.paint("waiting", .yellow)
            if !edge.conditions.isEmpty { line += " for \(edge.conditions.joined(separator: ", "))" }
            if let reason = edge.reason { line += ": \(reason)" }
        }
        return line
    }

    private static func object(_ entry: AppReport.ObjectEntry, health: (Health) -> String) -> String {
        "\(entry.role ?? "object") \(entry.reference)  \(health(entry.health))  \(entry.detail)"
    }

    /// A passed value as it reads best: a string as it is, anything else as JSON.
    static func valueText(_ value: JSONValue) -> String {
        if let text = value.stringValue { return "\"\(text)\"" }
        return value.jsonString()
    }
}

extension AppReport {
    /// The report as `-o json` and `-o yaml` print it.
    var json: JSONValue {
        func object(_ entry: ObjectEntry) -> JSONValue {
            var members: JSONObject = [
                "apiVersion": .string(entry.apiVersion), "kind": .string(entry.kind), "name": .string(entry.name),
                "exists": .bool(entry.verdict != nil), "health": .string(entry.health.rawValue),
                "detail": .string(entry.detail),
            ]
            if let role = entry.role { members["role"] = .string(role) }
            return .object(members)
        }
        var members: JSONObject = [
            "name": .string(name), "namespace": .string(namespace), "health": .string(health.rawValue),
        ]
        if let generation { members["generation"] = .int(generation) }
        if let observedGeneration { members["observedGeneration"] = .int(observedGeneration) }
        members["components"] = .array(components.map { component in
            var entry: JSONObject = [
                "name": .string(component.name), "health": .string(component.health.rawValue),
                "stage": .string(component.stage),
            ]
            if let revision = component.revision { entry["revision"] = .string(revision) }
            entry["workload"] = component.workload.map(object) ?? .null
            entry["traits"] = .array(component.traits.map(object))
            entry["scopes"] = .array(component.scopes.map(object))
            entry["waiting"] = .array(component.waiting.map(JSONValue.string))
            return .object(entry)
        })
        members["dataEdges"] = .array(edges.map { edge in
            var entry: JSONObject = [
                "dataOutputName": .string(edge.output), "from": .string(edge.from), "to": .string(edge.to),
                "toFieldPaths": .array(edge.toFields.map(JSONValue.string)), "ready": .bool(edge.ready),
                "conditions": .array(edge.conditions.map(JSONValue.string)),
            ]
            if let field = edge.fromField { entry["fromFieldPath"] = .string(field) }
            if let value = edge.value { entry["value"] = value }
            if let reason = edge.reason { entry["reason"] = .string(reason) }
            return .object(entry)
        })
        members["conditions"] = .array(conditions.map { condition in
            [
                "type": .string(condition.type), "status": .string(condition.status), "reason": .string(condition.reason),
                "message": .string(condition.message), "lastTransitionTime": .string(condition.lastTransitionTime),
            ]
        })
        members["errors"] = .array(errors.map { problem in
            var entry: JSONObject = ["message": .string(problem.message)]
            if let object = problem.object { entry["object"] = .string(object) }
            if let path = problem.fieldPath { entry["fieldPath"] = .string(path) }
            return .object(entry)
        })
        members["lastError"] = lastError.map(JSONValue.string) ?? .null
        return .object(members)
    }
}
