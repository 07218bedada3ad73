import OrderedCollections
import KubeClient
import Logging
import OAM
import Resources
import ControllerRuntime

/// Records Component revisions (spec §5.2, with the fixes of §12.5, §12.6 and §12.20): a
/// ControllerRevision `<component>-vN` for every change of `spec` — never for metadata or status
/// changes — and `status.latestRevision` pointing at it.
///
/// Idempotent and race-free: the Component controller and the AppConfig controller (which must
/// not render a component before its first revision exists) may both call
/// ``ensureLatestRevision(of:)``; a revision that already exists with the same spec is adopted
/// instead of failing, and one left behind by an earlier incarnation of the component is
/// numbered past.
struct ComponentRevisions: Sendable {
    let client: KubernetesClient
    let revisions: Informer
    let appConfigs: Informer
    /// How many unused revisions to keep per component (the reference's `--revision-limit`).
    let limit: Int
    let logger: Logger
    /// One recording per component at a time, and what was just recorded.
    let ledger = RevisionLedger()

    /// The label index of revisions by component (`namespace/component`).
    static let componentIndex = "component"

    /// Makes sure `component`'s latest revision records its current spec, creating the next one
    /// when not; returns the component with `status.latestRevision` as it now is.
    func ensureLatestRevision(of component: Component) async throws -> Component {
        let namespace = component.namespace ?? "default"
        let spec = component.resource.object["spec"] ?? .emptyObject
        let key = "\(namespace)/\(component.name)"
        return try await ledger.serialized(key) {
            // Recorded a moment ago by the other controller: the caller's copy predates it.
            if let latest = ledger.latest(key, uid: component.resource.uid, spec: spec) {
                return try Self.component(component, recording: latest)
            }
            let updated = try await record(component, spec: spec, namespace: namespace)
            if let latest = updated.latestRevision {
                ledger.remember(key, uid: component.resource.uid, spec: spec, latest: latest)
            }
            return updated
        }
    }

    /// `component` with `status.latestRevision` set to `latest`.
    private static func component(_ component: Component, recording latest: Component.Revision) throws -> Component {
        guard component.latestRevision != latest else { return component }
        var resource = component.resource
        var status = resource.status?.objectValue ?? [:]
        status["latestRevision"] = ["name": .string(latest.name), "revision": .int(latest.revision)]
        resource.status = .object(status)
        return try Component(resource)
    }

    /// Creates the next revision unless the latest one records `spec`, and records it in the
    /// Component's status.
    private func record(_ component: Component, spec: JSONValue, namespace: String) async throws -> Component {
        if let latest = component.latestRevision, let stored = try await revision(named: latest.name, namespace: namespace),
            stored.object["data"]?["spec"] == spec
        {
            return component
        }
        let existing = revisions.cache.objects(
            index: Self.componentIndex, value: "\(namespace)/\(component.name)")
            .filter { $0.controllerReference?.uid == component.resource.uid || $0.controllerReference == nil }
        // A revision of this very spec that the status does not point at yet (a retry after the
        // status write failed, or the other controller won the race): adopt it.
        if let adopted = existing.max(by: { number(of: $0) < number(of: $1) }),
            adopted.object["data"]?["spec"] == spec
        {
            return try await recordLatest(
                Component.Revision(name: adopted.name, revision: number(of: adopted)), of: component)
        }
        let highest = max(component.latestRevision?.revision ?? 0, existing.map(number(of:)).max() ?? 0,
                          allNumbers(namespace: namespace, component: component.name))
        var next = highest + 1
        while true {
            let object = ComponentSnapshot.revision(of: component, number: next)
            do {
                _ = try await client.create(object, options: WriteOptions(fieldManager: Controllers.fieldManager))
                logger.info("revision.created", metadata: ["component": "\(namespace)/\(component.name)", "revision": "\(object.name)"])
                break
            } catch let error as APIError where error.reason == .alreadyExists {
                // Someone created it first: the same spec is ours to adopt, another spec means a
                // concurrent change won that number.
                let other = try await client.get(OAMKinds.controllerRevision, name: object.name, namespace: namespace)
                if other.object["data"]?["spec"] == spec { break }
                next += 1
            }
        }
        let updated = try await recordLatest(
            Component.Revision(component: component.name, number: next), of: component)
        try await collectOldRevisions(of: component.name, namespace: namespace, latest: next)
        return updated
    }

    /// The highest revision number among every revision named `<component>-vN` (also those of a
    /// deleted earlier incarnation that garbage collection has not removed yet).
    private func allNumbers(namespace: String, component: String) -> Int64 {
        revisions.cache.objects(index: Self.componentIndex, value: "\(namespace)/\(component)").map(number(of:)).max() ?? 0
    }

    private func number(of revision: Resource) -> Int64 {
        revision.object["revision"]?.intValue ?? 0
    }

    /// The revision `name`, from the cache or — right after it was created — from the server.
    private func revision(named name: String, namespace: String) async throws -> Resource? {
        if let cached = revisions.cache.get(namespace: namespace, name: name) { return cached }
        do {
            return try await client.get(OAMKinds.controllerRevision, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }

    /// Writes `status.latestRevision` and `status.observedGeneration`.
    private func recordLatest(_ revision: Component.Revision, of component: Component) async throws -> Component {
        var status = component.resource.status?.objectValue ?? [:]
        status["latestRevision"] = ["name": .string(revision.name), "revision": .int(revision.revision)]
        if let generation = component.resource.generation { status["observedGeneration"] = .int(generation) }
        let updated = try await client.patch(
            OAMKinds.component, name: component.name, namespace: component.namespace,
            patch: ["status": .object(status)], type: .merge, subresource: "status",
            options: WriteOptions(fieldManager: Controllers.fieldManager))
        return try Component(updated)
    }

    /// Deletes the oldest revisions beyond ``limit``, never one an AppConfig of the namespace
    /// pins or runs (§5.4 with §12.6: only this component's revisions count).
    private func collectOldRevisions(of component: String, namespace: String, latest: Int64) async throws {
        let all = revisions.cache.objects(index: Self.componentIndex, value: "\(namespace)/\(component)")
            .filter { number(of: $0) != latest }
        guard all.count > limit else { return }
        var inUse: Set<String> = []
        for object in appConfigs.cache.list(namespace: namespace) {
            for entry in object.valueIfPresent(at: "spec.components")?.arrayValue ?? [] {
                if let name = entry["revisionName"]?.stringValue { inUse.insert(name) }
            }
            for workload in object.valueIfPresent(at: "status.workloads")?.arrayValue ?? [] {
                if let name = workload["componentRevisionName"]?.stringValue { inUse.insert(name) }
            }
        }
        var excess = all.count - limit
        for revision in all.sorted(by: { number(of: $0) < number(of: $1) }) where excess > 0 {
            guard !inUse.contains(revision.name) else { continue }
            do {
                try await client.delete(OAMKinds.controllerRevision, name: revision.name, namespace: namespace)
            } catch let error as APIError where error.reason == .notFound {}
            excess -= 1
        }
    }
}

/// Records a revision for every Component spec change.
struct ComponentReconciler: Reconciler {
    let components: Informer
    let revisions: ComponentRevisions

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = components.cache.get(key), !object.isBeingDeleted else { return .done }
        let component: Component
        do {
            component = try Component(object)
        } catch {
            // Admission and the CRD schema keep such objects out; nothing can be recorded for one.
            revisions.logger.warning("component.invalid", metadata: ["component": "\(key)", "error": "\(error)"])
            return .done
        }
        _ = try await revisions.ensureLatestRevision(of: component)
        return .done
    }
}
