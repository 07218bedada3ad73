import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

extension ApplicationConfigurationReconciler {
    // MARK: Status

    /// Writes the status of a reconcile: one `status.workloads` entry per entry of
    /// `spec.components` that rendered (in spec order) — except those whose workload another
    /// owner controls (`claimedElsewhere`) — and, for an entry that did not render, the entry the
    /// last status had (`carried`), which still names the live workload it keeps.
    func writeStatus(
        _ appConfig: ApplicationConfiguration, rendered: RenderedApplication,
        carried: [Int: ApplicationConfiguration.WorkloadStatus], claimedElsewhere: Set<Int>, problems: [Problem],
        pruned: [ObjectRef: [String]] = [:]
    ) async throws {
        let old = appConfig.status
        var status: JSONObject = [:]
        let failure = problems.isEmpty ? nil : problems.map(\.description).joined(separator: "; ")
        status["conditions"] = .array([Self.syncedCondition(failure: failure, old: appConfig.resource.status)])
        if let generation = appConfig.resource.generation { status["observedGeneration"] = .int(generation) }

        var workloads: [(index: Int, entry: JSONValue)] = []
        for (index, entry) in carried {
            workloads.append((index, (try? JSONValueEncoder().encode(entry)) ?? .null))
        }
        for component in rendered.components where !claimedElsewhere.contains(component.entryIndex) {
            var entry = component.workloadStatus
            // Status strings written by others survive (§4.8).
            if let previous = old?.workloads?.first(where: { $0.componentRevisionName == entry.componentRevisionName }) {
                entry.status = previous.status
                entry.traits = entry.traits?.map { trait in
                    var trait = trait
                    trait.status = previous.traits?.first { $0.traitRef.refersToSameObject(as: trait.traitRef) }?.status
                    return trait
                }
            }
            workloads.append((component.entryIndex,
                              Self.withPrunedMessages((try? JSONValueEncoder().encode(entry)) ?? .null, pruned: pruned)))
        }
        status["workloads"] = .array(workloads.sorted { $0.index < $1.index }.map(\.entry))

        var history: [JSONValue] = []
        if let uid = appConfig.resource.uid {
            for component in rendered.components where component.isRevisionEnabled {
                let workload = component.workload.object
                guard let informer = manager.existingInformer(for: workload.groupVersionKind) else { continue }
                for object in informer.cache.objects(index: Indexes.controllerOwner, value: uid)
                where object.labels[OAM.Label.component] == component.componentName
                    && object.labels[OAM.Label.resourceType] == "WORKLOAD" && object.name != workload.name
                {
                    history.append([
                        "revision": .string(object.labels[OAM.Label.revision] ?? object.name),
                        "workloadRef": TypedReference(
                            apiVersion: object.apiVersion, kind: object.kind, name: object.name, uid: object.uid).json,
                    ])
                }
            }
        }
        if !history.isEmpty { status["historyWorkloads"] = .array(history) }

        let unsatisfied = rendered.unsatisfiedDependencies
        status["dependency"] = unsatisfied.isEmpty
            ? .emptyObject : ["unsatisfied": (try? JSONValueEncoder().encode(unsatisfied)) ?? .null]
        if !rendered.dataEdges.isEmpty { status["dataEdges"] = .array(rendered.dataEdges.map(Self.edgeJSON)) }
        if !problems.isEmpty { status["errors"] = .array(problems.map(\.json)) }
        try await patchStatus(of: appConfig.resource, to: .object(status))
    }

    /// Writes a `Synced=False` condition with `failure` over the status `base`, and `problems` as
    /// `status.errors` when there are any.
    func writeStatus(of object: Resource, failure: String, base: JSONValue?, problems: [Problem] = []) async throws {
        var status = base?.objectValue ?? [:]
        status["conditions"] = .array([Self.syncedCondition(failure: failure, old: base)])
        if !problems.isEmpty { status["errors"] = .array(problems.map(\.json)) }
        try await patchStatus(of: object, to: .object(status))
    }

    /// Replaces `status` unless it already is `status`.
    func patchStatus(of object: Resource, to status: JSONValue) async throws {
        guard object.status != status else { return }
        _ = try await client.patch(
            OAMKinds.applicationConfiguration, name: object.name, namespace: object.namespace,
            patch: [["op": "add", "path": "/status", "value": status]], type: .json, subresource: "status",
            options: WriteOptions(fieldManager: Controllers.fieldManager))
    }

    /// The `Synced` condition, keeping its transition time when its state did not change.
    static func syncedCondition(failure: String?, old: JSONValue?) -> JSONValue {
        let status = failure == nil ? "True" : "False"
        let reason = failure == nil ? "ReconcileSuccess" : "ReconcileError"
        let previous = old?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Synced" }
        let time: String
        if let previous, previous["status"]?.stringValue == status, previous["reason"]?.stringValue == reason,
            let kept = previous["lastTransitionTime"]?.stringValue
        {
            time = kept
        } else {
            time = KubernetesTime.now
        }
        var condition: JSONObject = [
            "type": "Synced", "status": .string(status), "lastTransitionTime": .string(time), "reason": .string(reason),
        ]
        if let failure { condition["message"] = .string(failure) }
        return .object(condition)
    }

    /// One entry of `status.dataEdges`: which output feeds which field, and its value or why it waits.
    static func edgeJSON(_ edge: DataEdge) -> JSONValue {
        let encoder = JSONValueEncoder()
        var entry: JSONObject = [
            "dataOutputName": .string(edge.outputName),
            "from": (try? encoder.encode(edge.from)) ?? .null,
            "to": (try? encoder.encode(edge.to)) ?? .null,
        ]
        // An inputStore edge reads a store, not a named output.
        if edge.outputName.isEmpty { entry["dataOutputName"] = nil }
        switch edge.state {
        case .satisfied(let value):
            entry["ready"] = true
            entry["value"] = value
        case .waiting(let reason):
            entry["ready"] = false
            entry["reason"] = .string(reason)
        }
        return .object(entry)
    }
}

/// A problem a reconcile reports on the AppConfig: at which stage, what and, when known, which
/// object and where in it (`Component/web`, `spec.parameters[0].fieldPaths[0]`).
struct Problem: Sendable, CustomStringConvertible {
    /// The step of the reconcile that met the problem; each has its own Event reason (spec §4.13).
    enum Stage: Sendable {
        case render, apply, garbageCollection, finalize

        var eventReason: String {
            switch self {
            case .render: "CannotRenderComponents"
            case .apply: "CannotApplyComponents"
            case .garbageCollection: "CannotGarbageCollectComponents"
            case .finalize: "CannotFinalizeWorkloads"
            }
        }
    }

    var stage: Stage
    var object: String?
    var path: String?
    var message: String

    init(_ stage: Stage, object: String? = nil, path: String?, message: String) {
        self.stage = stage
        self.object = object
        self.path = path
        self.message = message
    }

    /// What makes two `status.errors` entries the same problem, whatever their key order.
    static func identity(of entry: JSONValue) -> String {
        [entry["object"], entry["fieldPath"], entry["message"]].map { $0?.stringValue ?? "" }.joined(separator: "\u{1F}")
    }

    var description: String {
        [object, path].compactMap { $0 }.map { "\($0): " }.joined() + message
    }

    var json: JSONValue {
        var entry: JSONObject = ["message": .string(message)]
        if let object { entry["object"] = .string(object) }
        if let path { entry["fieldPath"] = .string(path) }
        return .object(entry)
    }
}
