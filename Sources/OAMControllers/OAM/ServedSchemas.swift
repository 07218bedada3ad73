import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

/// The schemas of the kinds the cluster serves, as it publishes them in OpenAPI v3: the root
/// (`GET /openapi/v3`) names every group version's document with a hash of its content, and each
/// document (`/openapi/v3/apis/<group>/<version>`) holds the schemas of that group version,
/// custom resources included. Documents are kept per group version and read again only when the
/// root gives them another hash. The root is read again, at most once a second, for a few seconds
/// after a CustomResourceDefinition changes or ``invalidate()`` says a schema looked stale
/// (kube-apiserver republishes a CRD's schema a moment after the change); until a custom
/// resource's schema is published, its CRD's own schema stands in.
final class ServedSchemas: Sendable {
    /// How long after a CRD change the root is read again on use.
    static let republishWindow: Duration = .seconds(10)
    /// How often the root is read at most meanwhile, so that a burst of reconciles (or of CRD
    /// events, as at start) reads it once.
    static let rootRereadInterval: Duration = .seconds(1)

    private struct Document {
        var url: String
        var document: JSONValue
        /// The kinds looked up so far; `nil` for a kind the document has no schema for.
        var kinds: [GroupVersionKind: OpenAPIKindSchema?] = [:]
    }

    private struct State {
        var paths: [String: String]?
        /// When the root was last read.
        var rootReadAt: ContinuousClock.Instant?
        /// Until when the root is read again on use (at most once per ``rootRereadInterval``).
        var rereadRootUntil: ContinuousClock.Instant?
        var documents: [String: Document] = [:]
        /// The AppConfigs whose objects of a kind (`group/kind`) had fields dropped.
        var dropping: [String: Set<ObjectKey>] = [:]
        /// Called with those AppConfigs when their kind's CRD changes.
        var onChange: (@Sendable (ObjectKey) async -> Void)?
    }

    private let client: KubernetesClient
    private let customResourceDefinitions: Informer
    private let logger: Logger
    private let state = Mutex(State())

    init(client: KubernetesClient, customResourceDefinitions: Informer, logger: Logger) {
        self.client = client
        self.customResourceDefinitions = customResourceDefinitions
        self.logger = logger
        customResourceDefinitions.addHandler { [weak self] event in
            guard let self else { return }
            self.invalidate()
            // The AppConfigs that dropped fields of this kind look again: the CRD may declare them now.
            let crd = event.object
            guard let group = crd.valueIfPresent(at: "spec.group")?.stringValue,
                  let kind = crd.valueIfPresent(at: "spec.names.kind")?.stringValue
            else { return }
            let (keys, onChange) = self.state.withLock { state in
                (state.dropping.removeValue(forKey: "\(group)/\(kind)") ?? [], state.onChange)
            }
            guard let onChange else { return }
            for key in keys.sorted(by: { "\($0)" < "\($1)" }) { await onChange(key) }
        }
    }

    /// Sets what to call with an AppConfig that dropped fields of a kind whose CRD changed.
    func onChange(_ handler: @escaping @Sendable (ObjectKey) async -> Void) {
        state.withLock { $0.onChange = handler }
    }

    /// Notes that `appConfig` dropped fields of `kind`.
    func noteDropped(_ kind: GroupVersionKind, by appConfig: ObjectKey) {
        state.withLock { _ = $0.dropping["\(kind.group)/\(kind.kind)", default: []].insert(appConfig) }
    }

    /// Forgets `appConfig` (it was deleted).
    func forget(_ appConfig: ObjectKey) {
        state.withLock { state in
            for (kind, keys) in state.dropping where keys.contains(appConfig) {
                state.dropping[kind]?.remove(appConfig)
                if state.dropping[kind]?.isEmpty == true { state.dropping[kind] = nil }
            }
        }
    }

    /// Whether a CRD changed so recently that the server may not have republished its schema:
    /// an AppConfig that dropped fields looks again soon.
    var isRepublishing: Bool {
        state.withLock { $0.rereadRootUntil.map { ContinuousClock.now < $0 } ?? false }
    }

    /// Reads the root again on the next lookups (and any document whose hash changed), for a
    /// while: the server republishes a changed CRD's schema a moment after the change.
    func invalidate() {
        state.withLock { state in
            state.rootReadAt = nil
            state.rereadRootUntil = .now + Self.republishWindow
        }
    }

    /// The schema the cluster serves for `kind`, or `nil` when it publishes none (or cannot be
    /// asked: then nothing is pruned, and the server says what it refuses). A custom resource
    /// whose schema is not published yet (kube-apiserver publishes a new CRD's a moment after it
    /// serves the kind) gets its CRD's schema from the cache meanwhile.
    func schema(for kind: GroupVersionKind) async -> OpenAPIKindSchema? {
        if let published = await publishedSchema(for: kind) { return published }
        return definedSchema(for: kind)
    }

    /// The schema of `kind` in its CustomResourceDefinition's served version, as the cache has it.
    func definedSchema(for kind: GroupVersionKind) -> OpenAPIKindSchema? {
        for crd in customResourceDefinitions.cache.list()
        where crd.valueIfPresent(at: "spec.group")?.stringValue == kind.group
            && crd.valueIfPresent(at: "spec.names.kind")?.stringValue == kind.kind
        {
            for version in crd.valueIfPresent(at: "spec.versions")?.arrayValue ?? []
            where version["name"]?.stringValue == kind.version {
                guard let schema = version["schema"]?["openAPIV3Schema"] else { return nil }
                return OpenAPIKindSchema(root: schema, components: [:], isCustomResource: true)
            }
        }
        return nil
    }

    private func publishedSchema(for kind: GroupVersionKind) async -> OpenAPIKindSchema? {
        let path = kind.group.isEmpty ? "api/\(kind.version)" : "apis/\(kind.group)/\(kind.version)"
        let (known, reread) = state.withLock { state in
            let now = ContinuousClock.now
            let inWindow = state.rereadRootUntil.map { now < $0 } ?? false
            let due = state.rootReadAt.map { now - $0 >= Self.rootRereadInterval } ?? true
            return (state.paths, (state.paths == nil || inWindow) && due)
        }
        var paths = known
        if reread {
            do {
                var fetched: [String: String] = [:]
                for (path, entry) in try await client.openAPIV3Root()["paths"]?.objectValue ?? [:] {
                    if let url = entry["serverRelativeURL"]?.stringValue { fetched[path] = url }
                }
                state.withLock { state in
                    state.paths = fetched
                    state.rootReadAt = .now
                }
                paths = fetched
            } catch {
                // Asked again a moment later; meanwhile CRDs' own schemas stand in.
                state.withLock { $0.rootReadAt = .now }
                logger.warning("openapi.root", metadata: ["error": "\(error)"])
                return nil
            }
        }
        // Not published (yet): the CRD's own schema stands in.
        guard let url = paths?[path] else { return nil }
        if let cached = state.withLock({ state -> OpenAPIKindSchema?? in
            guard let document = state.documents[path], document.url == url else { return nil }
            if let schema = document.kinds[kind] { return .some(schema) }
            let schema = OpenAPIKindSchema(document: document.document, kind: kind)
            state.documents[path]?.kinds[kind] = .some(schema)
            return .some(schema)
        }) {
            return cached
        }
        let document: JSONValue
        do {
            document = try await client.openAPIV3Document(url)
        } catch {
            logger.warning("openapi.document", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
        let schema = OpenAPIKindSchema(document: document, kind: kind)
        state.withLock { state in
            var entry = Document(url: url, document: document)
            entry.kinds[kind] = .some(schema)
            state.documents[path] = entry
        }
        return schema
    }
}
