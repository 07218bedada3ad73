import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

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
            let informer = manager.informer(for: GroupVersionKind(reference: scope))
            guard informer.hasSynced else {
                throw ScopeProblem(message: "the cache of \(scope.kind) (\(scope.apiVersion)) has not synced yet")
            }
            // A scope that is gone has no members to remove (§4.6); one that is there needs its
            // definition to say where its members are.
            guard var live = informer.cache.get(namespace: namespace, name: scope.name) else { continue }
            let (definitionName, definition) = catalog.scopeDefinition(for: scope)
            guard let definition else {
                throw ScopeProblem(
                    message: "cannot find scope definition \"\(definitionName)\" for \(scope.kind)/\(scope.name) "
                        + "(\(scope.apiVersion)): ScopeDefinition \(definitionName) does not exist, so the workloads "
                        + "cannot be added to or removed from the scope; restore the ScopeDefinition")
            }
            guard let refsPath = definition.spec.workloadRefsPath, !refsPath.isEmpty,
                let path = try? FieldPath(parsing: refsPath)
            else { continue }
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

    /// Removes the AppConfig's workloads from its scopes, then its finalizer (§4.10). When a
    /// scope cannot be dereferenced (its ScopeDefinition is gone, the server refuses the update)
    /// the finalizer stays — the AppConfig stays Terminating — with a Warning event
    /// `CannotFinalizeWorkloads` and the error in its status, and it is tried again (at once when
    /// a definition changes).
    func finalize(_ appConfig: ApplicationConfiguration) async throws -> ReconcileResult {
        guard appConfig.resource.finalizers.contains(OAM.scopeFinalizer) else { return .done }
        // The scopes are read from their caches: wait for them rather than take "not there" for gone.
        let scopeKinds = Set((appConfig.status?.workloads ?? []).flatMap { $0.scopes ?? [] }
            .map { GroupVersionKind(reference: $0.scopeRef) })
        if scopeKinds.contains(where: { !manager.informer(for: $0).hasSynced }) {
            return .requeue(after: .milliseconds(500))
        }
        do {
            _ = try await updateScopes(of: appConfig, members: [])
        } catch {
            let problem = Problem(
                .finalize, path: nil,
                message: "failed to finalize workloads: cannot remove the workloads from their scopes: \(Self.describe(error))")
            await recordNew([problem], on: appConfig)
            try await writeStatus(of: appConfig.resource, failure: problem.description, base: appConfig.resource.status,
                                  problems: [problem])
            return .requeue(after: options.errorRetry)
        }
        let finalizers = appConfig.resource.finalizers.filter { $0 != OAM.scopeFinalizer }
        _ = try await client.patch(
            OAMKinds.applicationConfiguration, name: appConfig.name, namespace: appConfig.namespace,
            patch: ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                 "resourceVersion": .string(appConfig.resource.resourceVersion ?? "")]],
            type: .merge, options: WriteOptions(fieldManager: Controllers.fieldManager))
        return .done
    }
}

/// A scope whose members cannot be updated.
struct ScopeProblem: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
