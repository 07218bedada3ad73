import KubeClient
import Logging
import OAM
import Resources
import Synchronization
import ControllerRuntime

extension ApplicationConfigurationReconciler {
    // MARK: Served kinds

    /// The kinds of `kinds` the server does not serve, as discovery says (read again on a miss,
    /// so a CRD created since is found). A discovery that fails otherwise counts as served: the
    /// informer and the apply then report what is wrong.
    func unservedKinds(among kinds: Set<GroupVersionKind>) async -> Set<GroupVersionKind> {
        var unserved: Set<GroupVersionKind> = []
        for kind in kinds {
            do {
                _ = try await client.mapper.mapping(for: kind)
            } catch let error as ClientError where error.kind == .noMatch {
                unserved.insert(kind)
            } catch {
                logger.debug("discovery.failed", metadata: ["kind": "\(kind)", "error": "\(error)"])
            }
        }
        return unserved
    }

    // MARK: Cache waits

    /// How many reconciles in a row waited for a cache before one is reported on the AppConfig
    /// (at 500 ms apart, about 10 s): a cache that never fills (the controller may not list or
    /// watch the kind) must not keep the AppConfig without a status.
    static let cacheWaitsBeforeReport = 20

    /// `nil` when the caches of `kinds` have synced; otherwise when to look again, after reporting
    /// on the AppConfig a wait that lasts. The report's text does not change from one try to the
    /// next, so that a wait that goes on writes the status and records the event once.
    func waitForCaches(of kinds: Set<GroupVersionKind>, for appConfig: ApplicationConfiguration) async throws
        -> ReconcileResult?
    {
        let key = ObjectKey(appConfig.resource)
        let unsynced = kinds.filter { !(manager.existingInformer(for: $0)?.hasSynced ?? false) }
            .sorted { $0.description < $1.description }
        // Counted over the tries until one renders (the reconcile resets it then): a kind found
        // only by rendering, waited for after the first wait passed, must not restart the count.
        guard let first = unsynced.first else { return nil }
        let waits = cacheWaits.withLock { waits -> Int in
            waits[key, default: 0] += 1
            return waits[key] ?? 0
        }
        logger.debug("cache.waiting", metadata: ["appconfig": "\(key)", "kind": "\(first)", "waits": "\(waits)"])
        guard waits >= Self.cacheWaitsBeforeReport else { return .requeue(after: .milliseconds(500)) }
        let problem = Problem(
            .render, path: nil,
            message: "cannot render components: the cache of \(unsynced.map { "\($0.kind) (\($0.apiVersion))" }.joined(separator: ", ")) "
                + "has not filled after \(Self.cacheWaitsBeforeReport) tries; the controller may not be allowed to list and watch it")
        await recordNew([problem], on: appConfig)
        try await writeStatus(of: appConfig.resource, failure: problem.description, base: appConfig.resource.status,
                              problems: [problem])
        return .requeue(after: .seconds(5))
    }

    /// The `Synced` condition of `object`'s status, if any.
    static func condition(of object: Resource) -> JSONValue? {
        object.status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Synced" }
    }

    /// Whether an established CustomResourceDefinition serves `kind` although discovery does not
    /// list it yet (discovery lags a moment behind). One not established yet is not counted: its
    /// status update enqueues the AppConfigs waiting for its kind, and one that never gets
    /// established (names not accepted) must not have them looked at every 2 s for ever.
    func isBeingEstablished(_ kind: GroupVersionKind) -> Bool {
        guard let crds = manager.existingInformer(for: OAMKinds.customResourceDefinition) else { return false }
        return crds.cache.list().contains { crd in
            (crd.valueIfPresent(at: "status.conditions")?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True"
            }
                && crd.valueIfPresent(at: "spec.group")?.stringValue == kind.group
                && crd.valueIfPresent(at: "spec.names.kind")?.stringValue == kind.kind
                && (crd.valueIfPresent(at: "spec.versions")?.arrayValue ?? []).contains {
                    $0["name"]?.stringValue == kind.version && $0["served"]?.boolValue == true
                }
        }
    }

    /// Records which kinds the AppConfig `key` waits for (none: forgets it).
    func noteUnserved(_ kinds: Set<GroupVersionKind>, for key: ObjectKey) {
        let wanted = Set(kinds.map { "\($0.group)/\($0.kind)" })
        waitingForKinds.withLock { waiting in
            for (groupKind, keys) in waiting where keys.contains(key) && !wanted.contains(groupKind) {
                waiting[groupKind]?.remove(key)
                if waiting[groupKind]?.isEmpty == true { waiting[groupKind] = nil }
            }
            for groupKind in wanted { waiting[groupKind, default: []].insert(key) }
        }
    }

    /// A CustomResourceDefinition that appears or changes enqueues the AppConfigs waiting for its
    /// kind; one that goes away makes discovery be read again, so its kind counts as not served.
    func watchCustomResourceDefinitions() {
        let informer = manager.informer(for: OAMKinds.customResourceDefinition)
        informer.addHandler { [weak self] event in
            guard let self else { return }
            let crd = event.object
            if case .deleted = event {
                await self.client.mapper.invalidate()
                return
            }
            guard let group = crd.valueIfPresent(at: "spec.group")?.stringValue,
                let kind = crd.valueIfPresent(at: "spec.names.kind")?.stringValue
            else { return }
            let keys = self.waitingForKinds.withLock { $0["\(group)/\(kind)"] ?? [] }
            guard !keys.isEmpty, let controller = self.controller.withLock({ $0 }) else { return }
            for key in keys.sorted(by: { "\($0)" < "\($1)" }) { await controller.enqueue(key) }
        }
    }
}
