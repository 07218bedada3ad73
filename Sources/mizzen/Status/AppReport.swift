import Foundation
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

/// An object a report reads: a workload, trait or scope an AppConfig refers to, or a child whose
/// state a workload's health depends on.
struct ReportReference: Hashable, Sendable {
    var apiVersion: String
    var kind: String
    var name: String
    var namespace: String

    /// The reference `{apiVersion, kind, name}` in `namespace`; `nil` when a part is missing.
    init?(_ value: JSONValue?, namespace: String) {
        guard let value, let kind = value["kind"]?.stringValue, let name = value["name"]?.stringValue else { return nil }
        self.init(apiVersion: value["apiVersion"]?.stringValue ?? "", kind: kind, name: name, namespace: namespace)
    }

    init(apiVersion: String, kind: String, name: String, namespace: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    var groupVersionKind: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }
}

extension AppReport {
    /// The objects the report of `appConfig` reads: each component's workload and traits as its
    /// status lists them, and the scopes its spec names.
    static func references(of appConfig: Resource) -> [ReportReference] {
        let namespace = appConfig.namespace ?? "default"
        var references: [ReportReference] = []
        for live in appConfig.status?["workloads"]?.arrayValue ?? [] {
            if let workload = ReportReference(live["workloadRef"], namespace: namespace) { references.append(workload) }
            for trait in live["traits"]?.arrayValue ?? [] {
                if let reference = ReportReference(trait["traitRef"], namespace: namespace) { references.append(reference) }
            }
        }
        for entry in appConfig.spec?["components"]?.arrayValue ?? [] {
            for scope in entry["scopes"]?.arrayValue ?? [] {
                if let reference = ReportReference(scope["scopeRef"], namespace: namespace) { references.append(reference) }
            }
        }
        return references
    }

    /// What a report reads of an object it lists (see ``HealthRules``): its identity and
    /// generation, its status, and the few spec fields health compares the status with. The
    /// rest — pod templates, managedFields — is skipped unread, which is most of a list of
    /// workloads and traits.
    static let readFields = FieldProjection.object([
        "apiVersion": .whole, "kind": .whole,
        "metadata": .object(["name": .whole, "namespace": .whole, "uid": .whole, "generation": .whole]),
        "spec": .object(["replicas": .whole, "completions": .whole, "suspend": .whole]),
        "status": .whole,
    ])

    /// The objects the health of `object` reads besides itself: the Deployment a
    /// ContainerizedWorkload's (or PodSpecWorkload's) status lists (``HealthRules`` judges it by that alone).
    static func childReferences(of object: Resource) -> [ReportReference] {
        guard object.kind == "ContainerizedWorkload" || object.kind == PodSpecWorkload.kind else { return [] }
        let namespace = object.namespace ?? "default"
        return (object.status?["resources"]?.arrayValue ?? []).compactMap { child in
            guard child["kind"]?.stringValue == "Deployment", child["apiVersion"]?.stringValue != nil else { return nil }
            return ReportReference(child, namespace: namespace)
        }
    }

    /// The report of `appConfig`, with the live objects it refers to in `objects`; an object
    /// missing from `objects` does not exist (yet). Pure.
    init(_ appConfig: Resource, objects: [ReportReference: Resource]) {
        let namespace = appConfig.namespace ?? "default"
        self.init(name: appConfig.name, namespace: namespace)
        generation = appConfig.generation
        observedGeneration = appConfig.status?["observedGeneration"]?.intValue
        created = appConfig.metadata["creationTimestamp"]?.stringValue
        conditions = HealthRules.conditions(appConfig)
        synced = conditions.first { $0.type == "Synced" }
        let status = appConfig.status
        for problem in status?["errors"]?.arrayValue ?? [] {
            errors.append(AppReport.Problem(
                object: problem["object"]?.stringValue, fieldPath: problem["fieldPath"]?.stringValue,
                message: problem["message"]?.stringValue ?? ""))
        }

        func entry(_ value: JSONValue, role: String) -> ObjectEntry {
            let reference = ReportReference(
                apiVersion: value["apiVersion"]?.stringValue ?? "", kind: value["kind"]?.stringValue ?? "",
                name: value["name"]?.stringValue ?? "", namespace: namespace)
            var entry = ObjectEntry(
                apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name, verdict: nil, role: role)
            if let object = objects[reference] {
                let children = Self.childReferences(of: object).compactMap { objects[$0] }
                entry.verdict = HealthRules.evaluate(object, children: children)
            }
            return entry
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

        for specEntry in entries {
            let revisionName = specEntry["revisionName"]?.stringValue
            let componentName = specEntry["componentName"]?.stringValue
                ?? revisionName.map(Component.Revision.componentName(ofRevision:)) ?? "?"
            var component = ComponentEntry(name: componentName, revision: revisionName)
            if let live = workloads.first(where: { $0["componentName"]?.stringValue == componentName }) {
                component.revision = live["componentRevisionName"]?.stringValue ?? revisionName
                if let reference = live["workloadRef"] {
                    component.workload = entry(reference, role: "workload")
                }
                for trait in live["traits"]?.arrayValue ?? [] {
                    guard let reference = trait["traitRef"] else { continue }
                    component.traits.append(entry(reference, role: "trait"))
                }
            }
            for scope in specEntry["scopes"]?.arrayValue ?? [] {
                guard let reference = scope["scopeRef"] else { continue }
                component.scopes.append(entry(reference, role: "scope"))
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
            components.append(component)
        }

        for edge in status?["dataEdges"]?.arrayValue ?? [] {
            let from = edge["from"]
            let to = edge["to"]
            // An inputStore edge reads a store, not a named output.
            let output = edge["dataOutputName"]?.stringValue ?? "inputStore"
            edges.append(Edge(
                output: output,
                from: "\(from?["kind"]?.stringValue ?? "?")/\(from?["name"]?.stringValue ?? "?")",
                fromField: from?["fieldPath"]?.stringValue,
                to: "\(to?["kind"]?.stringValue ?? "?")/\(to?["name"]?.stringValue ?? "?")",
                toFields: (to?["fieldPaths"]?.arrayValue ?? []).compactMap(\.stringValue),
                ready: edge["ready"]?.boolValue ?? false, value: edge["value"], reason: edge["reason"]?.stringValue,
                conditions: outputConditions[output] ?? []))
        }
    }

    /// Whether an object name was rendered for `component` (the workload is named after the
    /// component unless its template names it).
    private static func mentions(_ target: String, _ component: String) -> Bool {
        target == component || target.hasPrefix(component + "-")
    }
}

/// Reads applications' objects from the API server and builds their ``AppReport``s.
///
/// The reads are planned, not done one object at a time: every object the reports refer to is
/// collected first, then read by kind — a few objects of a kind with GETs sent at once, many
/// with one list of the kind — so that the reports of 10,000 applications cost a handful of
/// lists, and the report of one application a few GETs in parallel.
struct AppInspector {
    let client: KubernetesClient
    /// Above this many objects of one kind, one list of the kind is cheaper than a GET each.
    var listThreshold = 16

    /// GETs in flight at once.
    static let parallelGets = 8

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
        try await reports(of: [appConfig])[0]
    }

    /// The reports of `appConfigs`, in their order.
    func reports(of appConfigs: [Resource]) async throws -> [AppReport] {
        let references = Set(appConfigs.flatMap(AppReport.references(of:)))
        var listings: [GroupVersionKind: Listing] = [:]
        var objects = await read(references, listings: &listings)
        // The children (a ContainerizedWorkload's Deployment) come from a list read above when
        // their kind was listed: Deployments are workloads too.
        let children = Set(objects.values.flatMap(AppReport.childReferences(of:))).subtracting(references)
        objects.merge(await read(children, listings: &listings)) { first, _ in first }
        let reports = await Self.build(appConfigs, objects: objects)
        // Tens of thousands of parsed objects take a tenth of a second to free at 10,000
        // applications: another core does it while the caller prints.
        releaseInBackground((consume objects, consume listings))
        return reports
    }

    /// The reports of `appConfigs`, in their order, built on every core when there are many
    /// (a tenth of `get appconfigs` at 10,000 applications on one).
    static func build(_ appConfigs: [Resource], objects: [ReportReference: Resource]) async -> [AppReport] {
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, appConfigs.count / 500)
        guard parts > 1 else { return appConfigs.map { AppReport($0, objects: objects) } }
        let size = (appConfigs.count + parts - 1) / parts
        return await withTaskGroup(of: (Int, [AppReport]).self) { group in
            for start in stride(from: 0, to: appConfigs.count, by: size) {
                let slice = appConfigs[start..<min(start + size, appConfigs.count)]
                group.addTask { (start, slice.map { AppReport($0, objects: objects) }) }
            }
            var built: [(Int, [AppReport])] = []
            for await part in group { built.append(part) }
            return built.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// Every object of one kind in one namespace (or in all), by `namespace/name`.
    struct Listing: Sendable {
        /// `nil`: every namespace.
        var namespace: String?
        var objects: [String: Resource]

        func covers(_ references: [ReportReference]) -> Bool {
            namespace == nil || references.allSatisfy { $0.namespace == namespace }
        }

        /// The object of `reference`, if it exists; a cluster-scoped object has no namespace,
        /// whatever the AppConfig's.
        func object(_ reference: ReportReference) -> Resource? {
            objects["\(reference.namespace)/\(reference.name)"] ?? objects["/\(reference.name)"]
        }
    }

    /// The objects of `references` that exist (one that cannot be read counts as missing, as
    /// the report says "does not exist yet"). A kind in `listings` is read from there; a kind
    /// listed here is added to it.
    func read(_ references: Set<ReportReference>, listings: inout [GroupVersionKind: Listing]) async
        -> [ReportReference: Resource]
    {
        let byKind = Dictionary(grouping: references, by: \.groupVersionKind)
        let known = listings
        let (found, listed) = await withTaskGroup(of: ([ReportReference: Resource], (GroupVersionKind, Listing)?).self) { group in
            for (kind, wanted) in byKind {
                group.addTask {
                    if let listing = known[kind], listing.covers(wanted) { return (Self.pick(wanted, from: listing), nil) }
                    if wanted.count > listThreshold, let listing = await list(kind, wanted) {
                        return (Self.pick(wanted, from: listing), (kind, listing))
                    }
                    return (await get(wanted), nil)
                }
            }
            var found: [ReportReference: Resource] = [:]
            var listed: [(GroupVersionKind, Listing)] = []
            for await (part, listing) in group {
                found.merge(part) { first, _ in first }
                if let listing { listed.append(listing) }
            }
            return (found, listed)
        }
        for (kind, listing) in listed { listings[kind] = listing }
        return found
    }

    private static func pick(_ wanted: [ReportReference], from listing: Listing) -> [ReportReference: Resource] {
        var found: [ReportReference: Resource] = [:]
        for reference in wanted {
            if let object = listing.object(reference) { found[reference] = object }
        }
        return found
    }

    /// Objects of `kind` in the namespace of `wanted` (across namespaces when they are in
    /// several), read in pages of ``pageSize``; `nil` when the list fails (a user may GET what
    /// they may not list).
    private func list(_ kind: GroupVersionKind, _ wanted: [ReportReference]) async -> Listing? {
        let namespaces = Set(wanted.map(\.namespace))
        let namespace = namespaces.count == 1 ? namespaces.first : nil
        guard let items = try? await client.listAll(
            kind, namespace: namespace, pageSize: Self.pageSize, projection: AppReport.readFields).items
        else { return nil }
        var objects: [String: Resource] = [:]
        objects.reserveCapacity(items.count)
        for item in items { objects["\(item.namespace ?? "")/\(item.name)"] = item }
        return Listing(namespace: namespace, objects: objects)
    }

    /// Objects per page of a list: large, since 10,000 applications own 90,000 objects and
    /// every page is a request the client's rate limit counts.
    static let pageSize = 5_000

    /// `wanted` read with a GET each, ``parallelGets`` at once.
    private func get(_ wanted: [ReportReference]) async -> [ReportReference: Resource] {
        await withTaskGroup(of: (ReportReference, Resource?).self) { group in
            var pending = wanted[...]
            func next() {
                guard let reference = pending.popFirst() else { return }
                group.addTask {
                    let object = try? await client.get(
                        apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name,
                        namespace: reference.namespace)
                    return (reference, object)
                }
            }
            for _ in 0..<Self.parallelGets { next() }
            var found: [ReportReference: Resource] = [:]
            while let (reference, object) = await group.next() {
                if let object { found[reference] = object }
                next()
            }
            return found
        }
    }
}
