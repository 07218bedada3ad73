import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources

/// Everything `mizzen status` shows of one application: the AppConfig, each component with its
/// revision, workload, traits and scopes and how healthy each is, every data edge with its value
/// or why it waits, conditions and the errors the controller reported.
struct AppReport: Sendable {
    struct ObjectEntry: Sendable {
        var apiVersion: String
        var kind: String
        var name: String
        /// `nil` when the object does not exist (yet).
        var verdict: HealthRules.Verdict?
        var role: String?

        var reference: String { "\(kind)/\(name)" }
        var health: Health { verdict?.health ?? .progressing }
        var detail: String { verdict?.detail ?? "does not exist yet" }
    }

    struct ComponentEntry: Sendable {
        var name: String
        var revision: String?
        var workload: ObjectEntry?
        var traits: [ObjectEntry] = []
        var scopes: [ObjectEntry] = []
        /// Why the component or one of its traits is not applied yet.
        var waiting: [String] = []

        /// The component's stage, as `up --wait` prints it.
        var stage: String {
            if health == .unhealthy { return "unhealthy" }
            if let workload, workload.verdict != nil {
                if !waiting.isEmpty { return "waiting" }
                return health == .healthy || health == .unknown ? "healthy" : "applied"
            }
            return waiting.isEmpty ? "rendered" : "waiting"
        }

        var health: Health {
            var worst = workload?.health ?? .progressing
            for object in traits + scopes { worst = max(worst, object.health == .unknown ? .healthy : object.health) }
            if !waiting.isEmpty { worst = max(worst, .progressing) }
            return worst
        }
    }

    struct Edge: Sendable {
        var output: String
        var from: String
        var fromField: String?
        var to: String
        var toFields: [String]
        var ready: Bool
        var value: JSONValue?
        var reason: String?
        /// The output's conditions as written in the AppConfig (`status.readyReplicas eq 1`).
        var conditions: [String]
    }

    struct Problem: Sendable {
        var object: String?
        var fieldPath: String?
        var message: String

        var description: String {
            [object, fieldPath].compactMap { $0 }.map { "\($0): " }.joined() + message
        }
    }

    var name: String
    var namespace: String
    var generation: Int64?
    var observedGeneration: Int64?
    var created: String?
    /// The `Synced` condition: `nil` before the controller has looked at the AppConfig.
    var synced: HealthRules.ConditionReading?
    var conditions: [HealthRules.ConditionReading] = []
    var components: [ComponentEntry] = []
    var edges: [Edge] = []
    var errors: [Problem] = []

    /// The application's health: unhealthy on a reported error or an unhealthy object;
    /// progressing until the controller has seen the latest spec and every component is healthy.
    var health: Health {
        if !errors.isEmpty || synced?.status == "False" { return .unhealthy }
        guard synced != nil, let observedGeneration, observedGeneration >= (generation ?? 0) else { return .progressing }
        return components.map(\.health).max() ?? .healthy
    }

    /// The last error reported, with the object and field path it concerns.
    var lastError: String? {
        if let problem = errors.last { return problem.description }
        if let synced, synced.status == "False" { return synced.message }
        return nil
    }
}

/// Reads an application's objects from the API server and builds its ``AppReport``.
struct AppInspector {
    let client: KubernetesClient

    /// The report of the AppConfig `name`.
    ///
    /// - Throws: ``CommandFailure`` when there is no such AppConfig.
    func report(name: String, namespace: String) async throws -> AppReport {
        let appConfig: Resource
        do {
            appConfig = try await client.get(OAMKinds.applicationConfiguration, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            throw CommandFailure(
                "ApplicationConfiguration \(name) not found in namespace \(namespace)",
                hint: "`mizzen get appconfigs\(namespace == "default" ? "" : " -n \(namespace)")` lists them")
        }
        return try await report(of: appConfig)
    }

    func report(of appConfig: Resource) async throws -> AppReport {
        let namespace = appConfig.namespace ?? "default"
        var report = AppReport(name: appConfig.name, namespace: namespace)
        report.generation = appConfig.generation
        report.observedGeneration = appConfig.status?["observedGeneration"]?.intValue
        report.created = appConfig.metadata["creationTimestamp"]?.stringValue
        report.conditions = HealthRules.conditions(appConfig)
        report.synced = report.conditions.first { $0.type == "Synced" }
        let status = appConfig.status
        for problem in status?["errors"]?.arrayValue ?? [] {
            report.errors.append(AppReport.Problem(
                object: problem["object"]?.stringValue, fieldPath: problem["fieldPath"]?.stringValue,
                message: problem["message"]?.stringValue ?? ""))
        }

        let entries = appConfig.spec?["components"]?.arrayValue ?? []
        let workloads = status?["workloads"]?.arrayValue ?? []
        let unsatisfied = status?["dependency"]?["unsatisfied"]?.arrayValue ?? []
        var outputConditions: [String: [String]] = [:]
        for entry in entries {
            let outputs = (entry["dataOutputs"]?.arrayValue ?? [])
                + (entry["traits"]?.arrayValue ?? []).flatMap { $0["dataOutputs"]?.arrayValue ?? [] }
            for output in outputs {
                guard let name = output["name"]?.stringValue else { continue }
                outputConditions[name] = (output["conditions"]?.arrayValue ?? []).map { condition in
                    let subject = condition["fieldPath"]?.stringValue ?? "the value"
                    let expected = condition["value"]?.stringValue
                        ?? condition["valueFrom"]?["fieldPath"]?.stringValue.map { "the value at \($0)" } ?? "\"\""
                    return "\(subject) \(condition["op"]?.stringValue ?? "eq") \(expected)"
                }
            }
        }

        for entry in entries {
            let revisionName = entry["revisionName"]?.stringValue
            let componentName = entry["componentName"]?.stringValue ?? revisionName.map(Component.Revision.componentName(ofRevision:)) ?? "?"
            var component = AppReport.ComponentEntry(name: componentName, revision: revisionName)
            if let live = workloads.first(where: { $0["componentName"]?.stringValue == componentName }) {
                component.revision = live["componentRevisionName"]?.stringValue ?? revisionName
                if let reference = live["workloadRef"] {
                    component.workload = await objectEntry(for: reference, namespace: namespace, role: "workload")
                }
                for trait in live["traits"]?.arrayValue ?? [] {
                    guard let reference = trait["traitRef"] else { continue }
                    component.traits.append(await objectEntry(for: reference, namespace: namespace, role: "trait"))
                }
            }
            for scope in entry["scopes"]?.arrayValue ?? [] {
                guard let reference = scope["scopeRef"] else { continue }
                component.scopes.append(await objectEntry(for: reference, namespace: namespace, role: "scope"))
            }
            var names = Set(component.traits.map(\.name))
            if let workload = component.workload { names.insert(workload.name) }
            for dependency in unsatisfied {
                let target = dependency["to"]?["name"]?.stringValue ?? ""
                let belongs = names.contains(target) || (component.workload == nil && Self.mentions(target, componentName))
                guard belongs else { continue }
                let from = dependency["from"]
                let source = "\(from?["kind"]?.stringValue ?? "?")/\(from?["name"]?.stringValue ?? "?")"
                component.waiting.append("\(source): \(dependency["reason"]?.stringValue ?? "waiting")")
            }
            report.components.append(component)
        }

        for edge in status?["dataEdges"]?.arrayValue ?? [] {
            let from = edge["from"]
            let to = edge["to"]
            // An inputStore edge reads a store, not a named output.
            let output = edge["dataOutputName"]?.stringValue ?? "inputStore"
            report.edges.append(AppReport.Edge(
                output: output,
                from: "\(from?["kind"]?.stringValue ?? "?")/\(from?["name"]?.stringValue ?? "?")",
                fromField: from?["fieldPath"]?.stringValue,
                to: "\(to?["kind"]?.stringValue ?? "?")/\(to?["name"]?.stringValue ?? "?")",
                toFields: (to?["fieldPaths"]?.arrayValue ?? []).compactMap(\.stringValue),
                ready: edge["ready"]?.boolValue ?? false, value: edge["value"], reason: edge["reason"]?.stringValue,
                conditions: outputConditions[output] ?? []))
        }
        return report
    }

    /// Whether an object name was rendered for `component` (the workload is named after the
    /// component unless its template names it).
    private static func mentions(_ target: String, _ component: String) -> Bool {
        target == component || target.hasPrefix(component + "-")
    }

    private func objectEntry(for reference: JSONValue, namespace: String, role: String) async -> AppReport.ObjectEntry {
        let apiVersion = reference["apiVersion"]?.stringValue ?? ""
        let kind = reference["kind"]?.stringValue ?? ""
        let name = reference["name"]?.stringValue ?? ""
        var entry = AppReport.ObjectEntry(apiVersion: apiVersion, kind: kind, name: name, verdict: nil, role: role)
        guard let object = try? await client.get(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace) else {
            return entry
        }
        var children: [Resource] = []
        if kind == "ContainerizedWorkload" {
            for child in object.status?["resources"]?.arrayValue ?? [] {
                guard let childKind = child["kind"]?.stringValue, let childName = child["name"]?.stringValue,
                    let childAPIVersion = child["apiVersion"]?.stringValue,
                    let live = try? await client.get(apiVersion: childAPIVersion, kind: childKind, name: childName, namespace: namespace)
                else { continue }
                children.append(live)
            }
        }
        entry.verdict = HealthRules.evaluate(object, children: children)
        return entry
    }
}
