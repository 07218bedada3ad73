import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources

extension ApplicationConfigurationReconciler {
    // MARK: Scopes

    /// Adds the ready workloads to their scopes and removes those that left (§4.6 with §12.10);
    /// returns the number of scopes written.
    func updateScopes(
        of appConfig: ApplicationConfiguration, members scopes: [(scope: TypedReference, members: [TypedReference])]
    ) async throws -> Int {
        let namespace = appConfig.namespace ?? "default"
        var desired: OrderedDictionary<TypedReference, [TypedReference]> = [:]
        for (scope, members) in scopes { desired[Self.plain(scope)] = members.map(Self.plain) }
        var previous: [TypedReference: Set<TypedReference>] = [:]
        for workload in appConfig.status?.workloads ?? [] {
            guard let ref = workload.workloadRef else { continue }
            for scope in workload.scopes ?? [] { previous[Self.plain(scope.scopeRef), default: []].insert(Self.plain(ref)) }
        }
        for scope in previous.keys where desired[scope] == nil { desired[scope] = [] }
        var writes = 0
        let catalog = definitions.catalog
        for (scope, members) in desired {
            guard let refsPath = catalog.scopeDefinition(for: scope).definition?.spec.workloadRefsPath,
                !refsPath.isEmpty, let path = try? FieldPath(parsing: refsPath)
            else { continue }
            let informer = manager.informer(for: GroupVersionKind(reference: scope))
            guard var live = informer.cache.get(namespace: namespace, name: scope.name) else { continue }
            let existing = live.valueIfPresent(at: path)?.arrayValue ?? []
            let leaving = previous[scope, default: []].subtracting(members)
            var list = existing.filter { element in
                !leaving.contains { Self.matches(element, $0) }
            }
            for member in members where !list.contains(where: { Self.matches($0, member) }) {
                list.append(member.json)
            }
            guard list != existing || live.valueIfPresent(at: path) == nil else { continue }
            try live.setValue(.array(list), at: path)
            live.withMetadata { $0["managedFields"] = nil }
            _ = try await client.update(live, options: WriteOptions(fieldManager: Controllers.fieldManager))
            writes += 1
        }
        return writes
    }

    static func plain(_ reference: TypedReference) -> TypedReference {
        TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
    }

    static func matches(_ element: JSONValue, _ reference: TypedReference) -> Bool {
        element["apiVersion"]?.stringValue == reference.apiVersion && element["kind"]?.stringValue == reference.kind
            && element["name"]?.stringValue == reference.name
    }

    // MARK: Finalizer

    func needsFinalizer(_ appConfig: ApplicationConfiguration) -> Bool {
        appConfig.spec.components.contains { !($0.scopes ?? []).isEmpty }
            && !appConfig.resource.finalizers.contains(OAM.scopeFinalizer)
    }

    func addFinalizer(to object: Resource) async throws -> Resource {
        let finalizers = object.finalizers + [OAM.scopeFinalizer]
        return try await client.patch(
            OAMKinds.applicationConfiguration, name: object.name, namespace: object.namespace,
            patch: ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                 "resourceVersion": .string(object.resourceVersion ?? "")]],
            type: .merge, options: WriteOptions(fieldManager: Controllers.fieldManager))
    }

    /// Removes the AppConfig's workloads from its scopes, then its finalizer (§4.10).
    func finalize(_ appConfig: ApplicationConfiguration) async throws {
        guard appConfig.resource.finalizers.contains(OAM.scopeFinalizer) else { return }
        do {
            _ = try await updateScopes(of: appConfig, members: [])
        } catch {
            await events.record(on: appConfig.resource, type: .warning, reason: "CannotFinalizeWorkloads",
                                message: "cannot remove the workloads from their scopes: \(error)")
            throw error
        }
        let finalizers = appConfig.resource.finalizers.filter { $0 != OAM.scopeFinalizer }
        _ = try await client.patch(
            OAMKinds.applicationConfiguration, name: appConfig.name, namespace: appConfig.namespace,
            patch: ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                 "resourceVersion": .string(appConfig.resource.resourceVersion ?? "")]],
            type: .merge, options: WriteOptions(fieldManager: Controllers.fieldManager))
    }
}
