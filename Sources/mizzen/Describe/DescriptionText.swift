import Foundation
import OrderedCollections
import Resources

/// `mizzen describe` as text: fields as `Label:  value` lines, a spec summary that fits the
/// kind, status, conditions, children and Events. Always aligned (it is read by people, piped
/// or not); coloured only when the terminal allows. Pure: the clock is a parameter.
enum DescriptionText {
    static func render(_ description: ObjectDescription, terminal: Terminal, now: Date = Date()) -> String {
        var out = Lines(terminal: terminal)
        let object = description.object
        out.field("Name", object.name)
        if let namespace = object.namespace { out.field("Namespace", namespace) }
        out.field("Kind", "\(object.kind) (\(object.apiVersion))")
        out.field("Labels", pairs(object.labels))
        let annotations = object.annotations.filter { $0.key != "kubectl.kubernetes.io/last-applied-configuration" }
        out.field("Annotations", pairs(annotations))
        if let created = object.creationTimestamp {
            out.field("Created", "\(created) (\(KindTable.age(created, now: now)) ago)")
        }
        if let generation = object.generation {
            let observed = object.status?["observedGeneration"]?.intValue
            out.field("Generation", "\(generation)" + (observed.map { ", observed \($0)" } ?? ""))
        }
        for owner in object.ownerReferences {
            out.field(owner.controller == true ? "Controlled By" : "Owned By", "\(owner.kind)/\(owner.name)")
        }
        let verdict = description.verdict
        switch description.presentation {
        case .component, .workloadDefinition, .traitDefinition, .scopeDefinition, .componentRevision:
            break  // records, not running things: no health to tell
        default:
            out.field("Health", terminal.paint(verdict.health.rawValue, verdict.health.style) + "  \(verdict.detail)")
        }

        spec(description, into: &out)

        if let report = description.report {
            out.section("Application")
            out.indented(StatusTree.render(report, terminal: terminal))
        } else {
            status(object, into: &out)
            conditions(object, now: now, into: &out)
        }

        out.section("Children")
        if description.children.isEmpty {
            out.line("  <none>")
        } else {
            var table = Table(["ROLE", "OBJECT", "HEALTH", "DETAIL"])
            for child in description.children {
                let health = child.verdict?.health ?? .progressing
                table.append([child.role, child.reference, health.rawValue, child.verdict?.detail ?? "does not exist"])
            }
            out.table(table) { column, text in
                column == 2 ? Health(rawValue: text).map { terminal.paint(text, $0.style) } : nil
            }
        }

        out.section("Events")
        if description.events.isEmpty {
            out.line("  <none>")
        } else {
            var table = Table(["TYPE", "REASON", "AGE", "OBJECT", "MESSAGE"])
            for event in description.events {
                var age = KindTable.age(event.lastTimestamp, now: now)
                if event.count > 1 { age += " (x\(event.count) over \(KindTable.age(event.firstTimestamp, now: now)))" }
                table.append([event.type, event.reason, age, event.object, event.message])
            }
            out.table(table) { column, text in
                column == 0 && text == "Warning" ? terminal.paint(text, .yellow) : nil
            }
        }
        return out.text
    }

    // MARK: Spec

    private static func spec(_ description: ObjectDescription, into out: inout Lines) {
        let object = description.object
        let spec = object.spec
        switch description.presentation {
        case .applicationConfiguration:
            out.section("Components")
            for entry in spec?["components"]?.arrayValue ?? [] {
                let name = entry["componentName"]?.stringValue ?? entry["revisionName"]?.stringValue ?? "?"
                out.line("  \(out.terminal.paint(name, .bold))" + (entry["revisionName"]?.stringValue.map { "  (pinned to \($0))" } ?? ""))
                let values = (entry["parameterValues"]?.arrayValue ?? []).map { value in
                    "\(value["name"]?.stringValue ?? "?")=\(scalar(value["value"]))"
                }
                if !values.isEmpty { out.line("    Parameters:    " + values.joined(separator: ", ")) }
                for trait in entry["traits"]?.arrayValue ?? [] {
                    let body = trait["trait"]
                    let name = body?["metadata"]?["name"]?.stringValue.map { "/\($0)" } ?? ""
                    out.line("    Trait:         \(body?["kind"]?.stringValue ?? "?")\(name)  (\(body?["apiVersion"]?.stringValue ?? "?"))")
                }
                for scope in entry["scopes"]?.arrayValue ?? [] {
                    let reference = scope["scopeRef"]
                    out.line("    Scope:         \(reference?["kind"]?.stringValue ?? "?")/\(reference?["name"]?.stringValue ?? "?")")
                }
                for output in entry["dataOutputs"]?.arrayValue ?? [] {
                    out.line("    Data output:   \(output["name"]?.stringValue ?? "?") ← \(output["fieldPath"]?.stringValue ?? "(ordering only)")")
                }
                for input in entry["dataInputs"]?.arrayValue ?? [] {
                    let paths = (input["toFieldPaths"]?.arrayValue ?? []).compactMap(\.stringValue)
                    out.line("    Data input:    \(input["valueFrom"]?["dataOutputName"]?.stringValue ?? "?") → \(paths.isEmpty ? "(ordering only)" : paths.joined(separator: ", "))")
                }
            }
        case .component:
            let workload = spec?["workload"]
            out.field("Workload", "\(workload?["kind"]?.stringValue ?? "?") (\(workload?["apiVersion"]?.stringValue ?? "?"))")
            if let latest = object.status?["latestRevision"]?["name"]?.stringValue { out.field("Latest Revision", latest) }
            let parameters = spec?["parameters"]?.arrayValue ?? []
            out.section("Parameters")
            if parameters.isEmpty {
                out.line("  <none>")
            } else {
                var table = Table(["NAME", "REQUIRED", "FIELD-PATHS", "DESCRIPTION"])
                for parameter in parameters {
                    table.append([
                        parameter["name"]?.stringValue ?? "?", String(parameter["required"]?.boolValue ?? false),
                        (parameter["fieldPaths"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "),
                        parameter["description"]?.stringValue ?? "",
                    ])
                }
                out.table(table)
            }
        case .workloadDefinition, .traitDefinition, .scopeDefinition:
            out.field("Definition Ref", spec?["definitionRef"]?["name"]?.stringValue ?? "<none>")
            let children = (spec?["childResourceKinds"]?.arrayValue ?? []).map {
                "\($0["kind"]?.stringValue ?? "?") (\($0["apiVersion"]?.stringValue ?? "?"))"
            }
            if !children.isEmpty { out.field("Child Kinds", children.joined(separator: ", ")) }
            if description.presentation == .traitDefinition {
                let applies = (spec?["appliesToWorkloads"]?.arrayValue ?? []).compactMap(\.stringValue)
                out.field("Applies To", applies.isEmpty ? "any workload" : applies.joined(separator: ", "))
                out.field("Revision Enabled", String(spec?["revisionEnabled"]?.boolValue ?? false))
            }
            if description.presentation == .scopeDefinition {
                out.field("Allow Overlap", String(spec?["allowComponentOverlap"]?.boolValue ?? false))
            }
            for key in ["workloadRefPath", "workloadRefsPath", "revisionLabel", "podSpecPath"] {
                if let value = spec?[key]?.stringValue { out.field(key, value) }
            }
        default:
            if object.kind == "Secret", object.apiVersion == "v1" {
                out.section("Data")
                let data = object.object["data"]?.objectValue ?? [:]
                if data.isEmpty { out.line("  <none>") }
                for (key, value) in data {
                    let bytes = value.stringValue.flatMap { Data(base64Encoded: $0) }?.count ?? 0
                    out.line("  \(key):  \(bytes) bytes")
                }
            } else if let spec {
                out.section("Spec")
                out.indented(spec.yamlString())
            } else {
                // Objects without a spec (ConfigMaps, ControllerRevisions): their other fields.
                var rest = object.object
                for key in ["apiVersion", "kind", "metadata", "status"] { rest.removeValue(forKey: key) }
                if !rest.isEmpty {
                    out.section("Content")
                    out.indented(JSONValue.object(rest).yamlString())
                }
            }
        }
    }

    private static func status(_ object: Resource, into out: inout Lines) {
        guard var status = object.status?.objectValue else { return }
        status.removeValue(forKey: "conditions")
        guard !status.isEmpty else { return }
        out.section("Status")
        out.indented(JSONValue.object(status).yamlString())
    }

    private static func conditions(_ object: Resource, now: Date, into out: inout Lines) {
        let conditions = HealthRules.conditions(object)
        guard !conditions.isEmpty else { return }
        out.section("Conditions")
        var table = Table(["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"])
        for condition in conditions {
            table.append([
                condition.type, condition.status, condition.reason,
                condition.lastTransitionTime.isEmpty ? "" : KindTable.age(condition.lastTransitionTime, now: now),
                condition.message,
            ])
        }
        out.table(table)
    }

    // MARK: Helpers

    private static func pairs(_ values: OrderedDictionary<String, String>) -> String {
        values.isEmpty ? "<none>" : values.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    private static func scalar(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        return value.stringValue ?? value.jsonString()
    }

    /// The text being built.
    struct Lines {
        let terminal: Terminal
        var text = ""

        mutating func line(_ text: String) {
            self.text += text + "\n"
        }

        /// `Label:` padded to one column, then the value.
        mutating func field(_ label: String, _ value: String) {
            let head = label + ":"
            line(terminal.paint(head, .bold) + String(repeating: " ", count: max(1, 18 - head.count)) + value)
        }

        mutating func section(_ title: String) {
            line(terminal.paint(title + ":", .bold))
        }

        /// Every line of `block`, indented by two spaces.
        mutating func indented(_ block: String) {
            for row in block.split(separator: "\n", omittingEmptySubsequences: false).dropLast(block.hasSuffix("\n") ? 1 : 0) {
                var text = "  " + row
                while text.last == " " { text.removeLast() }
                line(text)
            }
        }

        /// An aligned table, indented, whether or not standard output is a terminal.
        mutating func table(_ table: Table, colorize: (Int, String) -> String? = { _, _ in nil }) {
            let aligned = Terminal(isTTY: true, colors: terminal.colors, width: terminal.width)
            indented(table.render(on: aligned, colorize: colorize))
        }
    }
}
