import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources

/// Everything `mizzen describe` shows of one object: the object, how healthy it is, the objects
/// it owns (for an AppConfig, its workloads, traits and scopes) and the recent Events of all of
/// them.
struct ObjectDescription: Sendable {
    /// An object the described one owns or references.
    struct Child: Sendable {
        var apiVersion: String
        var kind: String
        var name: String
        /// `workload`, `trait`, `scope`, `revision`, `owned`.
        var role: String
        /// `nil` when the object does not exist (yet).
        var verdict: HealthRules.Verdict?

        var reference: String { "\(kind)/\(name)" }
    }

    /// A `core/v1` Event, as describe lists it.
    struct EventEntry: Sendable {
        var type: String
        var reason: String
        var message: String
        /// `Kind/name` of the object the Event is about.
        var object: String
        var count: Int64
        var firstTimestamp: String?
        var lastTimestamp: String?
        var source: String?
    }

    var object: Resource
    var presentation: KindPresentation
    var verdict: HealthRules.Verdict
    /// The application report, for an AppConfig.
    var report: AppReport?
    var children: [Child] = []
    var events: [EventEntry] = []

    /// The description as `-o json` and `-o yaml` print it.
    var json: JSONValue {
        var members: JSONObject = [
            "object": object.value,
            "health": ["health": .string(verdict.health.rawValue), "detail": .string(verdict.detail)],
        ]
        if let report { members["application"] = report.json }
        members["children"] = .array(children.map { child in
            [
                "apiVersion": .string(child.apiVersion), "kind": .string(child.kind), "name": .string(child.name),
                "role": .string(child.role), "exists": .bool(child.verdict != nil),
                "health": .string(child.verdict?.health.rawValue ?? Health.progressing.rawValue),
                "detail": .string(child.verdict?.detail ?? "does not exist"),
            ]
        })
        members["events"] = .array(events.map { event in
            var entry: JSONObject = [
                "type": .string(event.type), "reason": .string(event.reason), "object": .string(event.object),
                "message": .string(event.message), "count": .int(event.count),
            ]
            if let first = event.firstTimestamp { entry["firstTimestamp"] = .string(first) }
            if let last = event.lastTimestamp { entry["lastTimestamp"] = .string(last) }
            if let source = event.source { entry["source"] = .string(source) }
            return .object(entry)
        })
        return .object(members)
    }
}

/// Reads what ``ObjectDescription`` needs from the API server.
struct ObjectDescriber {
    let client: KubernetesClient
    /// At most this many Events, the most recent.
    var eventLimit = 20

    func describe(_ object: Resource, presentation: KindPresentation) async throws -> ObjectDescription {
        let namespace = object.namespace
        var description = ObjectDescription(
            object: object, presentation: presentation, verdict: HealthRules.evaluate(object))
        var children: [ObjectDescription.Child] = []
        switch presentation {
        case .applicationConfiguration:
            let report = try await AppInspector(client: client).report(of: object)
            description.report = report
            let healthy = report.components.filter { $0.health == .healthy }.count
            description.verdict = HealthRules.Verdict(
                health: report.health, detail: report.lastError ?? "\(healthy)/\(report.components.count) components healthy")
            for component in report.components {
                let entries = (component.workload.map { [$0] } ?? []) + component.traits + component.scopes
                for entry in entries {
                    children.append(ObjectDescription.Child(
                        apiVersion: entry.apiVersion, kind: entry.kind, name: entry.name, role: entry.role ?? "owned",
                        verdict: entry.verdict))
                }
            }
        case .containerizedWorkload:
            var live: [Resource] = []
            for reference in object.status?["resources"]?.arrayValue ?? [] {
                guard let child = await referenced(reference, namespace: namespace) else { continue }
                live.append(child)
            }
            description.verdict = HealthRules.evaluate(object, children: live)
        default:
            break
        }
        if let namespace, let uid = object.uid {
            for child in try await owned(by: uid, namespace: namespace, referencedKinds: children.map { ($0.apiVersion, $0.kind) }) {
                guard !children.contains(where: { $0.kind == child.kind && $0.name == child.name }) else { continue }
                let revision = child.kind == "ControllerRevision" ? child.object["revision"]?.intValue : nil
                // A revision is a record: it exists, and that is all there is to its health.
                let verdict = revision.map { HealthRules.Verdict(health: .healthy, detail: "revision \($0)") }
                    ?? HealthRules.evaluate(child)
                children.append(ObjectDescription.Child(
                    apiVersion: child.apiVersion, kind: child.kind, name: child.name,
                    role: revision != nil ? "revision" : "owned", verdict: verdict))
            }
        }
        description.children = children
        description.events = try await events(about: object, children: children)
        return description
    }

    private func referenced(_ reference: JSONValue, namespace: String?) async -> Resource? {
        guard let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
            let name = reference["name"]?.stringValue
        else { return nil }
        return try? await client.get(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace)
    }

    /// The objects in `namespace` whose ownerReferences name `uid`, among the kinds an owner of
    /// OAM objects creates: the kinds referenced, the child kinds of the WorkloadDefinitions,
    /// ControllerRevisions and the common workload kinds. Listing every kind the server serves
    /// would cost a request per kind for little gain.
    private func owned(by uid: String, namespace: String, referencedKinds: [(String, String)]) async throws -> [Resource] {
        var kinds: [GroupVersionKind] = referencedKinds.map { GroupVersionKind(apiVersion: $0.0, kind: $0.1) }
        kinds += [OAMKinds.controllerRevision] + OwnedObjects.childKinds
        if let definitions = try? await client.listAll(OAMKinds.workloadDefinition) {
            for definition in definitions.items {
                for child in definition.spec?["childResourceKinds"]?.arrayValue ?? [] {
                    guard let apiVersion = child["apiVersion"]?.stringValue, let kind = child["kind"]?.stringValue else { continue }
                    kinds.append(GroupVersionKind(apiVersion: apiVersion, kind: kind))
                }
            }
        }
        var seen = Set<GroupVersionKind>()
        var found: [Resource] = []
        for kind in kinds where seen.insert(kind).inserted {
            let items: [Resource]
            do {
                items = try await client.listAll(kind, namespace: namespace).items
            } catch let error as ClientError where error.kind == .noMatch {
                continue  // not served here (no ReplicaSets on the embedded plane)
            } catch let error as APIError where error.reason == .notFound || error.reason == .forbidden {
                continue
            }
            found += items.filter { $0.ownerReferences.contains { $0.uid == uid } }
        }
        return found.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// The most recent Events about `object` and `children`, oldest first.
    private func events(about object: Resource, children: [ObjectDescription.Child]) async throws -> [ObjectDescription.EventEntry] {
        let namespace = object.namespace ?? "default"
        let list: [Resource]
        do {
            list = try await client.listAll(GroupVersionKind(group: "", version: "v1", kind: "Event"), namespace: namespace).items
        } catch let error as ClientError where error.kind == .noMatch {
            return []
        }
        var subjects = Set(children.map { "\($0.kind)/\($0.name)" })
        subjects.insert("\(object.kind)/\(object.name)")
        var entries: [ObjectDescription.EventEntry] = []
        for event in list {
            let involved = event.object["involvedObject"]
            let reference = "\(involved?["kind"]?.stringValue ?? "")/\(involved?["name"]?.stringValue ?? "")"
            let sameObject = involved?["uid"]?.stringValue.map { $0 == object.uid } ?? false
            guard sameObject || subjects.contains(reference) else { continue }
            let last = event.object["lastTimestamp"]?.stringValue ?? event.object["eventTime"]?.stringValue
            entries.append(ObjectDescription.EventEntry(
                type: event.object["type"]?.stringValue ?? "Normal", reason: event.object["reason"]?.stringValue ?? "",
                message: event.object["message"]?.stringValue ?? "", object: reference,
                count: event.object["count"]?.intValue ?? 1,
                firstTimestamp: event.object["firstTimestamp"]?.stringValue ?? last, lastTimestamp: last,
                source: event.object["source"]?["component"]?.stringValue ?? event.object["reportingComponent"]?.stringValue))
        }
        entries.sort { ($0.lastTimestamp ?? "") < ($1.lastTimestamp ?? "") }
        return Array(entries.suffix(eventLimit))
    }
}
