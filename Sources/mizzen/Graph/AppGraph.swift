import OrderedCollections
import Resources

/// An application as a graph, for `mizzen graph`: a group per component (its workload and
/// traits), the scopes they are in, and every data edge — each `dataInputs` entry to the
/// `dataOutputs` entry it names, as the AppConfig's spec declares them — with the value it
/// passed or why it waits (from the AppConfig's status). Components are placed in layers: a
/// component comes after every component whose output it reads. Pure: built from the AppConfig
/// and its ``AppReport``.
struct AppGraph: Sendable {
    enum Role: String, Sendable {
        case workload
        case trait
        case scope
    }

    struct Node: Sendable, Equatable {
        /// Stable and unique: `workload:web`, `trait:web:0`, `scope:HealthScope/h`.
        var id: String
        var role: Role
        /// `Deployment/web`, or what stands in for an object not rendered yet.
        var reference: String
        var health: Health
        var detail: String
        /// The component it belongs to; `nil` for a scope.
        var component: String?
    }

    struct Component: Sendable {
        var name: String
        var revision: String?
        var health: Health
        var stage: String
        /// 0 for a component that reads no other's output.
        var layer: Int
        /// Its workload node, then its traits'.
        var nodes: [String]
    }

    enum EdgeState: Sendable, Equatable {
        case passed(String)
        case waiting(String)
    }

    struct DataEdge: Sendable {
        var output: String
        var from: String
        var to: String
        var fromField: String?
        var toFields: [String]
        var state: EdgeState
    }

    var name: String
    var namespace: String
    var health: Health
    /// The last error the controller reported, with the object and field path it concerns.
    var lastError: String?
    var components: [Component] = []
    var nodes: OrderedDictionary<String, Node> = [:]
    /// Scope node → the component nodes (workloads) in it.
    var scopeMembers: [(scope: String, member: String)] = []
    var dataEdges: [DataEdge] = []

    var layerCount: Int { (components.map(\.layer).max() ?? -1) + 1 }

    /// The graph of the application `appConfig`, as `report` found it.
    static func build(appConfig: Resource, report: AppReport) -> AppGraph {
        var graph = AppGraph(name: report.name, namespace: report.namespace, health: report.health, lastError: report.lastError)
        let entries = appConfig.spec?["components"]?.arrayValue ?? []
        // Producers and consumers by the spec: output name → node; node → output names read.
        var producers: [String: String] = [:]
        var consumers: [(node: String, output: String, toFields: [String])] = []
        var referenceToNode: [String: String] = [:]

        for (index, component) in report.components.enumerated() {
            let entry: JSONValue? = index < entries.count ? entries[index] : nil
            let workloadID = "workload:\(component.name)"
            let workload = Node(
                id: workloadID, role: .workload, reference: component.workload?.reference ?? "(not rendered yet)",
                health: component.workload?.health ?? .progressing,
                detail: component.workload?.detail ?? (component.waiting.first.map { "waits on \($0)" } ?? "not applied yet"),
                component: component.name)
            graph.nodes[workloadID] = workload
            if let reference = component.workload?.reference { referenceToNode[reference] = workloadID }
            var ids = [workloadID]
            let specTraits = entry?["traits"]?.arrayValue ?? []
            let traitCount = max(component.traits.count, specTraits.count)
            for traitIndex in 0..<traitCount {
                let id = "trait:\(component.name):\(traitIndex)"
                let live = traitIndex < component.traits.count ? component.traits[traitIndex] : nil
                let declared: JSONValue? = traitIndex < specTraits.count ? specTraits[traitIndex]["trait"] : nil
                let reference = live?.reference ?? "\(declared?["kind"]?.stringValue ?? "trait") (not applied yet)"
                graph.nodes[id] = Node(
                    id: id, role: .trait, reference: reference, health: live?.health ?? .progressing,
                    detail: live?.detail ?? "not applied yet", component: component.name)
                if let live { referenceToNode[live.reference] = id }
                ids.append(id)
                for output in specTraits[safe: traitIndex]?["dataOutputs"]?.arrayValue ?? [] {
                    if let name = output["name"]?.stringValue { producers[name] = id }
                }
                for input in specTraits[safe: traitIndex]?["dataInputs"]?.arrayValue ?? [] {
                    if let name = input["valueFrom"]?["dataOutputName"]?.stringValue {
                        consumers.append((id, name, (input["toFieldPaths"]?.arrayValue ?? []).compactMap(\.stringValue)))
                    }
                }
            }
            for scope in component.scopes {
                let id = "scope:\(scope.reference)"
                if graph.nodes[id] == nil {
                    graph.nodes[id] = Node(id: id, role: .scope, reference: scope.reference, health: scope.health, detail: scope.detail)
                }
                graph.scopeMembers.append((id, workloadID))
            }
            for output in entry?["dataOutputs"]?.arrayValue ?? [] {
                if let name = output["name"]?.stringValue { producers[name] = workloadID }
            }
            for input in entry?["dataInputs"]?.arrayValue ?? [] {
                if let name = input["valueFrom"]?["dataOutputName"]?.stringValue {
                    consumers.append((workloadID, name, (input["toFieldPaths"]?.arrayValue ?? []).compactMap(\.stringValue)))
                }
            }
            graph.components.append(Component(
                name: component.name, revision: component.revision, health: component.health, stage: component.stage,
                layer: 0, nodes: ids))
        }

        // Data edges: the spec's, each with what the status says of it.
        var used = Set<Int>()
        for consumer in consumers {
            guard let from = producers[consumer.output] else { continue }
            let toReference = graph.nodes[consumer.node]?.reference
            let match = report.edges.indices.first { index in
                !used.contains(index) && report.edges[index].output == consumer.output && report.edges[index].to == toReference
            } ?? report.edges.indices.first { !used.contains($0) && report.edges[$0].output == consumer.output }
            if let match { used.insert(match) }
            let live = match.map { report.edges[$0] }
            graph.dataEdges.append(DataEdge(
                output: consumer.output, from: from, to: consumer.node, fromField: live?.fromField,
                toFields: live?.toFields ?? consumer.toFields, state: state(of: live)))
        }
        // Edges the status reports that the spec does not name (inputStore edges).
        for (index, edge) in report.edges.enumerated() where !used.contains(index) {
            guard let from = referenceToNode[edge.from], let to = referenceToNode[edge.to] else { continue }
            graph.dataEdges.append(DataEdge(
                output: edge.output, from: from, to: to, fromField: edge.fromField, toFields: edge.toFields, state: state(of: edge)))
        }
        graph.assignLayers()
        return graph
    }

    private static func state(of edge: AppReport.Edge?) -> EdgeState {
        guard let edge else { return .waiting("not evaluated by the controller yet") }
        if edge.ready { return .passed(edge.value.map(StatusTree.valueText) ?? "(ordering only)") }
        var why = edge.conditions.isEmpty ? "" : "for \(edge.conditions.joined(separator: ", "))"
        if let reason = edge.reason { why += (why.isEmpty ? "" : ": ") + reason }
        return .waiting(why.isEmpty ? "not ready" : why)
    }

    /// Each component one layer after the latest component it reads from (longest path); a
    /// cycle (which validation refuses) stops growing after as many rounds as components.
    private mutating func assignLayers() {
        var layer = Dictionary(uniqueKeysWithValues: components.map { ($0.name, 0) })
        let links = dataEdges.compactMap { edge -> (String, String)? in
            guard let from = nodes[edge.from]?.component, let to = nodes[edge.to]?.component, from != to else { return nil }
            return (from, to)
        }
        for _ in 0..<components.count {
            var changed = false
            for (from, to) in links where (layer[to] ?? 0) < (layer[from] ?? 0) + 1 {
                layer[to] = (layer[from] ?? 0) + 1
                changed = true
            }
            if !changed { break }
        }
        for index in components.indices { components[index].layer = layer[components[index].name] ?? 0 }
    }

    /// The component a node belongs to.
    func component(of node: String) -> Component? {
        guard let name = nodes[node]?.component else { return nil }
        return components.first { $0.name == name }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
