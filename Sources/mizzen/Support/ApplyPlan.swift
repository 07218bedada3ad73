import OrderedCollections
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import Resources

/// What `up` and `diff` do with the objects of the files: check them as one set together with
/// what the server already has, order them, and apply them.
enum ApplyPlan {
    /// The field manager the CLI's applies are recorded under (the controllers use `mizzen`).
    static let fieldManager = "mizzen-cli"

    /// The file name given to objects read from the server for validation; their diagnostics
    /// are not the user's to fix and are left out.
    private static let serverFile = "<server>"

    /// The objects of `documents`, in apply order, once they pass validation together with the
    /// Components, definitions, revisions and scopes already on the server.
    ///
    /// - Throws: ``CommandFailure`` (exit 2) after printing every error with its file:line.
    static func checked(_ documents: [Document], target: Target) async throws -> [Manifest] {
        var documents = documents
        for index in documents.indices {
            guard case .object(var members) = documents[index].value,
                members["kind"]?.stringValue != "List", (members["metadata"]?["namespace"]?.stringValue ?? "").isEmpty,
                let apiVersion = members["apiVersion"]?.stringValue, let kind = members["kind"]?.stringValue,
                await isNamespaced(GroupVersionKind(apiVersion: apiVersion, kind: kind), client: target.client)
            else { continue }
            var metadata = members["metadata"]?.objectValue ?? [:]
            metadata["namespace"] = .string(target.namespace)
            members["metadata"] = .object(metadata)
            documents[index].value = .object(members)
        }
        let fileSet = ManifestSet(documents: documents)
        let names = Set(fileSet.manifests.map { ObjectName($0.resource) })
        let live = try await liveContext(for: fileSet, excluding: names, target: target)
        let set = ManifestSet(documents: documents + live)
        let diagnostics = set.validate()
            .filter { $0.location?.file != serverFile && ($0.object.map(names.contains) ?? true) }
            .sortedByLocation
        for diagnostic in diagnostics { StandardError.write(diagnostic.description) }
        if diagnostics.hasErrors {
            let errors = diagnostics.filter { $0.severity == .error }.count
            throw CommandFailure(
                "\(errors) error\(errors == 1 ? "" : "s") in the files: nothing was applied",
                hint: "fix them and run again (`mizzen validate -f …` checks without a server)",
                status: ExitStatus.invalidInput)
        }
        return fileSet.manifests.enumerated()
            .sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map(\.element)
    }

    /// Applies `manifests` in order, reporting each as soon as it is applied (so that what was
    /// applied before a failure is not lost), as kubectl prints them:
    /// `component.core.oam.dev/web created`.
    static func apply(
        _ manifests: [Manifest], target: Target, force: Bool, report: (String) -> Void
    ) async throws {
        var appliedDefinitions = false
        var runtimeFields = await RuntimeFields.load(client: target.client)
        try await createMissingNamespaces(for: manifests, client: target.client, report: report)
        for manifest in manifests {
            if manifest.resource.kind == ScopeDefinition.kind { runtimeFields.add(manifest.resource) }
            if manifest.rank > 1, appliedDefinitions {
                // New CRDs: the kinds they serve must be looked up again.
                await target.client.mapper.invalidate()
                appliedDefinitions = false
            }
            let before = try? await target.client.get(
                manifest.resource.groupVersionKind, name: manifest.resource.name, namespace: manifest.resource.namespace)
            let object = runtimeFields.trimmed(manifest.resource, exists: before != nil)
            let after: Resource
            do {
                after = try await target.client.apply(object, fieldManager: fieldManager, force: force)
            } catch let error as APIError {
                throw CommandFailure(
                    "cannot apply \(object.kind) \(object.name) (\(manifest.location(of: nil))): \(error.message)",
                    hint: error.reason == .conflict ? "another manager owns those fields: --force-conflicts takes them over" : nil)
            } catch let error as ClientError where error.kind == .noMatch {
                throw CommandFailure(
                    "cannot apply \(object.kind) \(object.name) (\(manifest.location(of: nil))): \(error.message)",
                    hint: "install the CRD that serves \(object.apiVersion) \(object.kind) first", status: ExitStatus.invalidInput)
            }
            if object.kind == "CustomResourceDefinition" { appliedDefinitions = true }
            let verb = before == nil ? "created" : before?.resourceVersion == after.resourceVersion ? "unchanged" : "configured"
            report("\(resourceName(of: object))/\(object.name) \(verb)")
        }
    }

    /// Creates the namespaces the objects go to that neither exist nor are among the objects,
    /// as `up -n team-a` on a fresh plane needs.
    private static func createMissingNamespaces(
        for manifests: [Manifest], client: KubernetesClient, report: (String) -> Void
    ) async throws {
        let namespaceKind = GroupVersionKind(group: "", version: "v1", kind: "Namespace")
        let declared = Set(manifests.filter { $0.resource.kind == "Namespace" }.map(\.resource.name))
        for namespace in Set(manifests.compactMap(\.resource.namespace)).subtracting(declared).sorted() {
            do {
                _ = try await client.get(namespaceKind, name: namespace)
            } catch let error as APIError where error.reason == .notFound {
                do {
                    _ = try await client.create(Resource(apiVersion: "v1", kind: "Namespace", name: namespace))
                    report("namespace/\(namespace) created")
                } catch let error as APIError where error.reason != .alreadyExists {
                    throw CommandFailure(
                        "cannot create namespace \(namespace): \(error.message)",
                        hint: "create it first (kubectl create namespace \(namespace)) or pick another with -n")
                }
            }
        }
    }

    /// `component.core.oam.dev`, `deployment.apps`, `secret`: the kind in lower case with its group.
    static func resourceName(of object: Resource) -> String {
        let group = object.groupVersionKind.group
        return object.kind.lowercased() + (group.isEmpty ? "" : ".\(group)")
    }

    private static func isNamespaced(_ kind: GroupVersionKind, client: KubernetesClient) async -> Bool {
        if let mapping = try? await client.mapper.mapping(for: kind) { return mapping.namespaced }
        return !ManifestSet.clusterScopedKinds.contains(kind.kind)
    }

    /// The server's Components, definitions and ControllerRevisions of the namespaces the files
    /// use, and the scopes their AppConfigs name, as documents — without those the files define.
    private static func liveContext(
        for set: ManifestSet, excluding names: Set<ObjectName>, target: Target
    ) async throws -> [Document] {
        var objects: [Resource] = []
        let namespaces = Set(set.manifests.compactMap(\.resource.namespace))
        for kind in [OAMKinds.workloadDefinition, OAMKinds.traitDefinition, OAMKinds.scopeDefinition] {
            objects += (try? await target.client.listAll(kind))?.items ?? []
        }
        for namespace in namespaces {
            objects += (try? await target.client.listAll(OAMKinds.component, namespace: namespace))?.items ?? []
            objects += (try? await target.client.listAll(OAMKinds.controllerRevision, namespace: namespace))?.items ?? []
        }
        for manifest in set.applicationConfigurations {
            for entry in manifest.resource.spec?["components"]?.arrayValue ?? [] {
                for scope in entry["scopes"]?.arrayValue ?? [] {
                    guard let reference = scope["scopeRef"], let apiVersion = reference["apiVersion"]?.stringValue,
                        let kind = reference["kind"]?.stringValue, let name = reference["name"]?.stringValue,
                        let live = try? await target.client.get(
                            apiVersion: apiVersion, kind: kind, name: name, namespace: manifest.resource.namespace)
                    else { continue }
                    objects.append(live)
                }
            }
        }
        return objects.filter { !names.contains(ObjectName($0)) }.compactMap { object in
            try? DocumentDecoder.decode(object.value.jsonString(), file: serverFile).first
        }
    }
}

/// Fields the runtime fills in on objects users write: a scope's workload references, at its
/// ScopeDefinition's `workloadRefsPath`. A scope file must hold them (`workloadRefs: []`, the
/// schema requires the field), but once the AppConfig controller has added workloads it owns
/// them, and applying the file's `[]` again would conflict with it (or, forced, drop the
/// workloads until the controller adds them back). So on an object that exists they are left out
/// of the apply and the controller's value stays.
struct RuntimeFields {
    private var catalog = Catalog()

    /// The ScopeDefinitions the server has (and the built-in ones).
    static func load(client: KubernetesClient) async -> RuntimeFields {
        var fields = RuntimeFields()
        for definition in (try? await client.listAll(OAMKinds.scopeDefinition))?.items ?? [] { fields.add(definition) }
        return fields
    }

    /// Adds a ScopeDefinition about to be applied.
    mutating func add(_ definition: Resource) {
        try? catalog.add(definition: definition)
    }

    /// `object` as it should be applied: without the fields the runtime owns when it exists.
    func trimmed(_ object: Resource, exists: Bool) -> Resource {
        guard exists, let definition = catalog.scopeDefinition(for: TypedReference(to: object)).definition,
            let path = try? FieldPath(parsing: definition.spec.workloadRefsPath ?? "spec.workloadRefs")
        else { return object }
        var value = object.value
        guard (try? value.removeValue(at: path)) != nil else { return object }
        return (try? Resource(value)) ?? object
    }
}

extension Manifest {
    /// Apply order: namespaces, CRDs, definitions, other objects, Components, AppConfigs.
    var rank: Int {
        switch resource.kind {
        case "Namespace": 0
        case "CustomResourceDefinition": 1
        case WorkloadDefinition.kind, TraitDefinition.kind, ScopeDefinition.kind: 2
        case Component.kind: 4
        case ApplicationConfiguration.kind: 5
        default: 3
        }
    }
}
