import OrderedCollections
import Resources

/// The data flow of an ApplicationConfiguration, for the static checks: duplicate output names,
/// inputs naming outputs that do not exist, malformed paths and conditions, and cycles.
struct DependencyGraph {
    struct Node: Hashable {
        var entry: Int
        var trait: Int?
    }

    private var labels: [Node: String] = [:]
    private var order: [Node] = []
    private var producers: [String: (node: Node, path: FieldPath)] = [:]
    /// consumer → [(producer output name, input path)]
    private var inputs: [Node: [(output: String, path: FieldPath)]] = [:]
    private var findings: [Diagnostic] = []
    private var pathChecks: [(text: String, path: FieldPath)] = []
    private var conditionChecks: [(ConditionRequirement, FieldPath)] = []

    mutating func add(node: Node, label: String, outputs: [DataOutput], inputs nodeInputs: [DataInput], path: FieldPath) {
        labels[node] = label
        order.append(node)
        for (index, output) in outputs.enumerated() {
            let outputPath = path.appending("dataOutputs").appending(index: index)
            if let fieldPath = output.fieldPath, !fieldPath.isEmpty {
                pathChecks.append((fieldPath, outputPath.appending("fieldPath")))
            }
            for (conditionIndex, condition) in (output.conditions ?? []).enumerated() {
                conditionChecks.append((condition, outputPath.appending("conditions").appending(index: conditionIndex)))
            }
            findings += output.outputStore?.diagnostics(path: outputPath.appending("outputStore")) ?? []
            guard let name = output.name, !name.isEmpty else {
                findings.append(.error(nil, outputPath.appending("name"), "a dataOutput needs a name"))
                continue
            }
            if let existing = producers[name] {
                findings.append(.error(nil, outputPath.appending("name"),
                    "dataOutput \"\(name)\" is declared twice (also at \(existing.path))"))
            } else {
                producers[name] = (node, outputPath)
            }
        }
        for (index, input) in nodeInputs.enumerated() {
            let inputPath = path.appending("dataInputs").appending(index: index)
            for (fieldIndex, text) in (input.toFieldPaths ?? []).enumerated() {
                pathChecks.append((text, inputPath.appending("toFieldPaths").appending(index: fieldIndex)))
            }
            for (conditionIndex, condition) in (input.conditions ?? []).enumerated() {
                conditionChecks.append((condition, inputPath.appending("conditions").appending(index: conditionIndex)))
            }
            findings += input.inputStore?.diagnostics(path: inputPath.appending("inputStore")) ?? []
            guard let name = input.valueFrom?.dataOutputName, !name.isEmpty else {
                if input.inputStore == nil {
                    findings.append(.error(nil, inputPath.appending("valueFrom").appending("dataOutputName"),
                        "a dataInput needs valueFrom.dataOutputName"))
                }
                continue
            }
            inputs[node, default: []].append((name, inputPath.appending("valueFrom").appending("dataOutputName")))
        }
    }

    func diagnostics(subject: ObjectName) -> [Diagnostic] {
        var out = findings.map { finding in
            var copy = finding
            copy.object = subject
            return copy
        }
        for (text, path) in pathChecks {
            _ = Validator.parseFieldPath(text, subject: subject, path: path, into: &out)
        }
        for (condition, path) in conditionChecks {
            if !ConditionRequirement.knownOperators.contains(condition.op) {
                out.append(.error(subject, path.appending("op"),
                    "unknown operator \"\(condition.op)\" (use eq, notEq or notEmpty)"))
            }
            if let fieldPath = condition.fieldPath, !fieldPath.isEmpty {
                _ = Validator.parseFieldPath(fieldPath, subject: subject, path: path.appending("fieldPath"), into: &out)
            }
            if let from = condition.valueFrom?.fieldPath {
                _ = Validator.parseFieldPath(from, subject: subject, path: path.appending("valueFrom").appending("fieldPath"),
                                             into: &out)
            }
        }
        let declared = producers.keys.sorted()
        for node in order {
            for input in inputs[node] ?? [] where producers[input.output] == nil {
                out.append(.error(subject, input.path,
                    "dataOutput \"\(input.output)\" does not exist (declared: \(declared.isEmpty ? "none" : declared.joined(separator: ", ")))"))
            }
        }
        out += cycles(subject: subject)
        return out
    }

    /// Each cycle once, named by the objects and outputs on it.
    private func cycles(subject: ObjectName) -> [Diagnostic] {
        // Edges producer → consumer, labelled by output name.
        var edges: [Node: [(to: Node, output: String, path: FieldPath)]] = [:]
        for node in order {
            for input in inputs[node] ?? [] {
                guard let producer = producers[input.output] else { continue }
                edges[producer.node, default: []].append((node, input.output, input.path))
            }
        }
        enum Mark { case visiting, done }
        var marks: [Node: Mark] = [:]
        var stack: [(node: Node, output: String?, path: FieldPath?)] = []
        var out: [Diagnostic] = []
        var reported: Set<Set<Node>> = []

        func visit(_ node: Node) {
            marks[node] = .visiting
            for edge in edges[node] ?? [] {
                stack.append((edge.to, edge.output, edge.path))
                switch marks[edge.to] {
                case .visiting:
                    // The cycle is the part of the stack from the first visit of edge.to.
                    guard let start = stack.firstIndex(where: { $0.node == edge.to }) else { break }
                    let cycle = Array(stack[start...])
                    let members = Set(cycle.map(\.node))
                    if reported.insert(members).inserted {
                        var description = labels[edge.to] ?? "?"
                        for step in cycle.dropFirst() {
                            description += " →[\(step.output ?? "")]→ \(labels[step.node] ?? "?")"
                        }
                        out.append(.error(subject, edge.path,
                            "dependency cycle: \(description); none of them can ever be created"))
                    }
                case .done:
                    break
                case nil:
                    visit(edge.to)
                }
                stack.removeLast()
            }
            marks[node] = .done
        }
        for node in order where marks[node] == nil {
            stack = [(node, nil, nil)]
            visit(node)
        }
        return out
    }
}
