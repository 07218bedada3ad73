public import KubeClient
public import Logging
public import OAM
import OrderedCollections
public import Resources
import ControllerRuntime

/// Admission of Components and ApplicationConfigurations against what is stored now: reads the
/// definitions, CRDs, components, revisions and scopes it needs through ``Lookup``, then runs
/// the pure ``OAM/Admission``.
///
/// The embedded plane calls ``admit(_:old:operation:resource:)`` in-process (the `mizzen`
/// executable makes it an `APIServer.AdmissionController`); ``WebhookServer`` calls
/// ``review(_:old:operation:resource:step:)`` for AdmissionReviews from a real cluster.
///
/// ```swift
/// let admission = OAMAdmission(client: client)
/// let stored = try await admission.admit(object, old: nil, operation: "CREATE", resource: "components")
/// ```
public struct OAMAdmission: Sendable {
    /// Reads objects of a kind: the one named `name` (none when it does not exist), or with
    /// `name` `nil` all of them, in `namespace` or, when `nil`, in every namespace (and
    /// cluster-scoped kinds). A kind the server does not serve may throw `APIError` NotFound or
    /// ``KubeClient/ClientError`` `noMatch`: both read as "none".
    public typealias Lookup = @Sendable (_ kind: GroupVersionKind, _ namespace: String?, _ name: String?) async throws
        -> [Resource]

    /// Which admission steps run.
    public enum Step: String, Sendable, Hashable {
        /// Mutation only, as a mutating webhook.
        case mutate
        /// Validation only, as a validating webhook.
        case validate
        /// Mutation, then validation of the result.
        case both
    }

    /// The resources admission looks at, in group `core.oam.dev`.
    public static let resources: Set<String> = ["components", "applicationconfigurations"]

    let lookup: Lookup
    let logger: Logger

    /// Admission that reads through `lookup`.
    public init(lookup: @escaping Lookup, logger: Logger = Logger(label: "mizzen.admission")) {
        self.lookup = lookup
        self.logger = logger
    }

    /// Admission that reads from a cluster through `client` (which the caller shuts down).
    public init(client: KubernetesClient, logger: Logger = Logger(label: "mizzen.admission")) {
        self.init(lookup: { kind, namespace, name in
            guard let name else { return try await client.listAll(kind, namespace: namespace).items }
            return [try await client.get(kind, name: name, namespace: namespace)]
        }, logger: logger)
    }

    /// The object to store: `object` mutated, when it is a Component or ApplicationConfiguration
    /// being created or updated; anything else passes unchanged.
    ///
    /// - Parameters:
    ///   - operation: `CREATE`, `UPDATE` (others are allowed unchanged).
    ///   - resource: the plural resource name (`components`, `applicationconfigurations`).
    /// - Throws: `APIError` 422 Invalid with a cause per field and every problem in its message;
    ///   500 when the stored objects cannot be read.
    public func admit(_ object: Resource, old: Resource?, operation: String, resource: String) async throws -> Resource {
        try await admitWithWarnings(object, old: old, operation: operation, resource: resource).object
    }

    /// The object to store, as ``admit(_:old:operation:resource:)``, and the warnings for the
    /// client: each a ``OAM/Diagnostic/summary`` (`Kind/name: path: message`), the very text the
    /// webhooks put in an AdmissionReview's `warnings`, so that a client sees the same
    /// `Warning:` lines from the embedded plane as from a cluster with the webhooks.
    public func admitWithWarnings(_ object: Resource, old: Resource?, operation: String, resource: String)
        async throws -> (object: Resource, warnings: [String])
    {
        let verdict = try await review(object, old: old, operation: operation, resource: resource, step: .both)
        switch verdict {
        case .allowed(let admitted, let warnings):
            for warning in warnings {
                logger.notice("admission.warning", metadata: ["object": "\(ObjectName(object))", "warning": "\(warning.summary)"])
            }
            return (admitted, warnings.map(\.summary))
        case .denied(let diagnostics):
            throw Self.invalid(object, diagnostics)
        }
    }

    /// The verdict of `step` on `object`.
    ///
    /// - Throws: `APIError` 500 when the stored objects cannot be read.
    public func review(_ object: Resource, old: Resource?, operation: String, resource: String, step: Step)
        async throws -> AdmissionVerdict
    {
        guard operation == "CREATE" || operation == "UPDATE", Self.resources.contains(resource),
            GroupVersion(apiVersion: object.apiVersion).group == OAM.group
        else { return .allowed(object, warnings: []) }
        let admission = try await self.admission(for: object)
        switch step {
        case .mutate: return admission.mutate(object, old: old)
        case .validate: return admission.validate(object, old: old)
        case .both: return admission.admit(object, old: old)
        }
    }

    /// The 422 Invalid error for a denial: a cause per error (field = its path), all of them in
    /// the message, which names the object.
    public static func invalid(_ object: Resource, _ diagnostics: [Diagnostic]) -> APIError {
        let subject = ObjectName(object)
        let causes = diagnostics.filter { $0.severity == .error }.map { diagnostic in
            // A problem found in another object (the Component of an AppConfig entry) says which.
            let message = diagnostic.object.map { $0 == subject ? diagnostic.message : "\($0): \(diagnostic.message)" }
                ?? diagnostic.message
            return APIError.Cause(type: "FieldValueInvalid", message: message, field: diagnostic.path?.description ?? "")
        }
        let name = object.name.isEmpty ? (object.generateName ?? "") : object.name
        return APIError.invalid(kind: object.kind, group: OAM.group, name: name, causes: causes)
    }

    // MARK: Reading what exists

    /// Admission over what `object` can refer to, as stored now: every Workload-, Trait- and
    /// ScopeDefinition, the CRDs those definitions name in the API groups `object` uses, and
    /// (for an AppConfig) the components, revisions and scopes it names. Everything else is
    /// read by name, so that admission costs the same with ten or ten thousand objects.
    func admission(for object: Resource) async throws -> Admission {
        var catalog = Catalog()
        var kinds = DefinedKinds()
        let isComponent = object.kind == Component.kind
        // A Component needs definitions only to rewrite `type`.
        if isComponent, object.valueIfPresent(at: "spec.workload.type") == nil {
            return Admission(catalog: catalog, kinds: kinds)
        }
        let definitionKinds = isComponent ? [OAMKinds.workloadDefinition]
            : [OAMKinds.workloadDefinition, OAMKinds.traitDefinition, OAMKinds.scopeDefinition]
        var definitionRefs: [String] = []
        for kind in definitionKinds {
            for definition in try await list(kind, namespace: nil) {
                do {
                    try catalog.add(definition: definition)
                    if let reference = definition.valueIfPresent(at: "spec.definitionRef.name")?.stringValue {
                        definitionRefs.append(reference)
                    }
                } catch {
                    logger.warning("admission.definition.invalid", metadata: [
                        "definition": "\(definition.kind)/\(definition.name)", "error": "\(error)",
                    ])
                }
            }
        }

        // What the object refers to: components, revisions and scopes by name, and the API
        // groups of its workloads, traits and scopes (whose CRDs name their kinds).
        var groups: Set<String> = []
        var namedDefinitions: Set<String> = []
        if isComponent {
            if let type = object.valueIfPresent(at: "spec.workload.type")?.stringValue {
                namedDefinitions.insert(type)
            }
        } else {
            let namespace = object.namespace ?? "default"
            for entry in object.valueIfPresent(at: "spec.components")?.arrayValue ?? [] {
                if let name = entry["componentName"]?.stringValue, !name.isEmpty {
                    for resource in try await get(OAMKinds.component, namespace: namespace, name: name) {
                        guard let component = try? Component(resource) else { continue }
                        catalog.add(component: component)
                        groups.insert(GroupVersion(apiVersion: component.spec.workload["apiVersion"]?.stringValue ?? "").group)
                    }
                }
                if let name = entry["revisionName"]?.stringValue, !name.isEmpty {
                    for revision in try await get(OAMKinds.controllerRevision, namespace: namespace, name: name) {
                        catalog.add(revision: revision)
                        groups.insert(GroupVersion(
                            apiVersion: revision.valueIfPresent(at: "data.spec.workload.apiVersion")?.stringValue ?? "").group)
                    }
                }
                for item in entry["traits"]?.arrayValue ?? [] {
                    if let name = item["trait"]?["name"]?.stringValue { namedDefinitions.insert(name) }
                    groups.insert(GroupVersion(apiVersion: item["trait"]?["apiVersion"]?.stringValue ?? "").group)
                }
                for scope in entry["scopes"]?.arrayValue ?? [] {
                    guard let apiVersion = scope["scopeRef"]?["apiVersion"]?.stringValue,
                        let kind = scope["scopeRef"]?["kind"]?.stringValue,
                        let name = scope["scopeRef"]?["name"]?.stringValue
                    else { continue }
                    groups.insert(GroupVersion(apiVersion: apiVersion).group)
                    let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
                    for found in try await get(gvk, namespace: namespace, name: name) { catalog.add(object: found) }
                }
            }
        }
        // The CRDs of the definitions that matter here: those named by `type`/trait `name`, and
        // those in a group the object uses (so that kinds with irregular plurals map right).
        var crdNames: Set<String> = []
        for name in namedDefinitions {
            if let reference = catalog.workloadDefinitions[name]?.spec.definitionRef.name { crdNames.insert(reference) }
            if let reference = catalog.traitDefinitions[name]?.spec.definitionRef.name { crdNames.insert(reference) }
        }
        for reference in definitionRefs {
            let group = reference.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            if groups.contains(group) { crdNames.insert(reference) }
        }
        for name in crdNames.sorted() {
            for crd in try await get(OAMKinds.customResourceDefinition, namespace: nil, name: name) {
                catalog.add(object: crd)
                kinds.add(crd: crd)
            }
        }
        return Admission(catalog: catalog, kinds: kinds)
    }

    /// The object `name` of `kind`, if it exists.
    private func get(_ kind: GroupVersionKind, namespace: String?, name: String) async throws -> [Resource] {
        try await read(kind, namespace: namespace, name: name)
    }

    /// Every object of `kind`.
    private func list(_ kind: GroupVersionKind, namespace: String?) async throws -> [Resource] {
        try await read(kind, namespace: namespace, name: nil)
    }

    /// The objects of `kind`; none when the kind is not served or the object does not exist.
    private func read(_ kind: GroupVersionKind, namespace: String?, name: String?) async throws -> [Resource] {
        do {
            return try await lookup(kind, namespace, name)
        } catch let error as APIError where error.reason == .notFound {
            return []
        } catch let error as ClientError where error.kind == .noMatch {
            return []
        } catch let error as APIError {
            throw APIError.internalError("admission cannot read \(kind.kind) objects: \(error.message)")
        } catch {
            throw APIError.internalError("admission cannot read \(kind.kind) objects: \(error)")
        }
    }
}
