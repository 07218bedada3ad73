public import KubeClient
public import Logging
public import OAM
import OrderedCollections
public import Resources

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
    /// Lists the objects of a kind in a namespace, or of every namespace (and cluster-scoped
    /// kinds) when the namespace is `nil`. A kind the server does not serve may throw
    /// `APIError` NotFound or ``KubeClient/ClientError`` `noMatch`: both read as "none".
    public typealias Lookup = @Sendable (_ kind: GroupVersionKind, _ namespace: String?) async throws -> [Resource]

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
        self.init(lookup: { kind, namespace in try await client.listAll(kind, namespace: namespace).items },
                  logger: logger)
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
        let verdict = try await review(object, old: old, operation: operation, resource: resource, step: .both)
        switch verdict {
        case .allowed(let admitted, let warnings):
            for warning in warnings {
                logger.notice("admission.warning", metadata: ["object": "\(ObjectName(object))", "warning": "\(warning.summary)"])
            }
            return admitted
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

    /// Admission over the definitions, CRDs and (for an AppConfig) the components, revisions and
    /// scopes of its namespace, as stored now.
    func admission(for object: Resource) async throws -> Admission {
        var catalog = Catalog()
        var kinds = DefinedKinds()
        let isComponent = object.kind == Component.kind
        // A Component needs definitions only to rewrite `type`.
        let needsDefinitions = !isComponent || object.valueIfPresent(at: "spec.workload.type") != nil
        if needsDefinitions {
            let definitionKinds = isComponent ? [OAMKinds.workloadDefinition]
                : [OAMKinds.workloadDefinition, OAMKinds.traitDefinition, OAMKinds.scopeDefinition]
            for kind in definitionKinds {
                for definition in try await list(kind, namespace: nil) {
                    do {
                        try catalog.add(definition: definition)
                    } catch {
                        logger.warning("admission.definition.invalid", metadata: [
                            "definition": "\(definition.kind)/\(definition.name)", "error": "\(error)",
                        ])
                    }
                }
            }
            for crd in try await list(OAMKinds.customResourceDefinition, namespace: nil) {
                catalog.add(object: crd)
                kinds.add(crd: crd)
            }
        }
        guard object.kind == ApplicationConfiguration.kind else { return Admission(catalog: catalog, kinds: kinds) }
        let namespace = object.namespace ?? "default"
        for resource in try await list(OAMKinds.component, namespace: namespace) {
            if let component = try? Component(resource) { catalog.add(component: component) }
        }
        let entries = object.valueIfPresent(at: "spec.components")?.arrayValue ?? []
        if entries.contains(where: { !($0["revisionName"]?.stringValue?.isEmpty ?? true) }) {
            for revision in try await list(OAMKinds.controllerRevision, namespace: namespace) {
                catalog.add(revision: revision)
            }
        }
        var scopeKinds: Set<GroupVersionKind> = []
        for entry in entries {
            for scope in entry["scopes"]?.arrayValue ?? [] {
                guard let apiVersion = scope["scopeRef"]?["apiVersion"]?.stringValue,
                    let kind = scope["scopeRef"]?["kind"]?.stringValue
                else { continue }
                scopeKinds.insert(GroupVersionKind(apiVersion: apiVersion, kind: kind))
            }
        }
        for kind in scopeKinds.sorted(by: { $0.description < $1.description }) {
            for scope in try await list(kind, namespace: namespace) { catalog.add(object: scope) }
        }
        return Admission(catalog: catalog, kinds: kinds)
    }

    /// The objects of `kind`; none when the kind is not served.
    private func list(_ kind: GroupVersionKind, namespace: String?) async throws -> [Resource] {
        do {
            return try await lookup(kind, namespace)
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
