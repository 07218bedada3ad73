import OrderedCollections
import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import Resources

/// How `get` and `describe` present objects of a kind: OAM kinds get columns of their own,
/// anything else the generic NAME / AGE.
enum KindPresentation: String, Sendable {
    case applicationConfiguration
    case component
    case workloadDefinition
    case traitDefinition
    case scopeDefinition
    /// ControllerRevisions of Components only.
    case componentRevision
    case containerizedWorkload
    case manualScalerTrait
    case healthScope
    case generic
}

/// A kind a user named, as the server serves it.
struct ResolvedKind: Sendable {
    var mapping: RESTMapping
    var presentation: KindPresentation

    var groupVersionKind: GroupVersionKind { mapping.groupVersionKind }
    var kind: String { mapping.groupVersionKind.kind }
    var namespaced: Bool { mapping.namespaced }
    /// The plural resource name, as messages name a kind (`applicationconfigurations`).
    var resource: String { mapping.groupVersionResource.resource }

    /// `kind.group` in lower case, as `-o name` prints it (`applicationconfiguration.core.oam.dev`).
    var qualifiedName: String {
        let group = mapping.groupVersionKind.group
        return kind.lowercased() + (group.isEmpty ? "" : ".\(group)")
    }
}

/// Turns what a user typed after `get` or `describe` (`appconfigs`, `comp`, `deploy`,
/// `deployments.apps`, `ConfigMap`) into a kind the server serves.
///
/// The OAM kinds have fixed aliases (below); every other kind is looked up through discovery
/// by its plural, singular, kind or short name, optionally followed by `.group`, as `kubectl`
/// does.
enum KindResolver {
    struct Alias: Sendable {
        var names: [String]
        var kind: GroupVersionKind
        var presentation: KindPresentation
    }

    private static func oam(_ kind: String) -> GroupVersionKind {
        GroupVersionKind(group: OAM.group, version: OAM.version, kind: kind)
    }

    /// The OAM kinds and their names; the first name of each is the one help and hints show.
    static let aliases: [Alias] = [
        Alias(names: ["appconfigs", "appconfig", "applicationconfigurations", "applicationconfiguration", "apps", "app"],
              kind: OAMKinds.applicationConfiguration, presentation: .applicationConfiguration),
        Alias(names: ["components", "component", "comp", "comps"], kind: OAMKinds.component, presentation: .component),
        Alias(names: ["workloaddefinitions", "workloaddefinition", "workloaddef", "workloaddefs"],
              kind: OAMKinds.workloadDefinition, presentation: .workloadDefinition),
        Alias(names: ["traitdefinitions", "traitdefinition", "traitdef", "traitdefs"],
              kind: OAMKinds.traitDefinition, presentation: .traitDefinition),
        Alias(names: ["scopedefinitions", "scopedefinition", "scopedef", "scopedefs"],
              kind: OAMKinds.scopeDefinition, presentation: .scopeDefinition),
        Alias(names: ["revisions", "revision", "rev", "revs"], kind: OAMKinds.controllerRevision, presentation: .componentRevision),
        Alias(names: ["healthscopes", "healthscope"], kind: oam(HealthScope.kind), presentation: .healthScope),
        Alias(names: ["manualscalertraits", "manualscalertrait", "manualscaler"],
              kind: oam(ManualScalerTrait.kind), presentation: .manualScalerTrait),
        Alias(names: ["containerizedworkloads", "containerizedworkload"],
              kind: oam(ContainerizedWorkload.kind), presentation: .containerizedWorkload),
    ]

    /// The OAM alias `text` names, if any (case-insensitive).
    static func alias(_ text: String) -> Alias? {
        let name = text.lowercased()
        return aliases.first { $0.names.contains(name) }
    }

    /// The presentation of a served kind: OAM kinds by their kind, everything else generic.
    static func presentation(of kind: GroupVersionKind) -> KindPresentation {
        guard kind.group == OAM.group else { return .generic }
        return aliases.first { $0.kind.kind == kind.kind && $0.presentation != .componentRevision }?.presentation ?? .generic
    }

    /// The mapping among `mappings` that `text` names: by plural, singular, kind or short name,
    /// optionally qualified by group (`deployments.apps`) or version and group
    /// (`deployments.v1.apps`). The first match wins, and discovery lists preferred versions first.
    static func match(_ text: String, in mappings: [RESTMapping]) -> RESTMapping? {
        let lowered = text.lowercased()
        func names(_ mapping: RESTMapping) -> [String] {
            [mapping.groupVersionResource.resource, mapping.singularName, mapping.groupVersionKind.kind.lowercased()]
                + mapping.shortNames.map { $0.lowercased() }
        }
        if let found = mappings.first(where: { names($0).contains(lowered) }) { return found }
        guard let dot = lowered.firstIndex(of: ".") else { return nil }
        let name = String(lowered[..<dot])
        let qualifier = String(lowered[lowered.index(after: dot)...])
        return mappings.first { mapping in
            guard names(mapping).contains(name) else { return false }
            let group = mapping.groupVersionKind.group
            return qualifier == group || qualifier == "\(mapping.groupVersionKind.version).\(group)"
        }
    }

    /// Names close to `text` (a typo away), for "did you mean".
    static func suggestions(for text: String, among candidates: [String]) -> [String] {
        let lowered = text.lowercased()
        var seen = Set<String>()
        return candidates.filter { candidate in
            guard !seen.contains(candidate) else { return false }
            seen.insert(candidate)
            let limit = lowered.count <= 4 ? 1 : 2
            return editDistance(lowered, candidate) <= limit
                || (lowered.count >= 3 && candidate.hasPrefix(lowered) && candidate != lowered)
        }.prefix(3).map { $0 }
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The kind `text` names on the server `client` talks to.
    ///
    /// - Throws: ``CommandFailure`` with status 2 when the kind is unknown, or 1 when it is an OAM
    ///   kind the server does not serve (the OAM CRDs are not installed).
    static func resolve(_ text: String, client: KubernetesClient) async throws -> ResolvedKind {
        if let alias = alias(text) {
            do {
                let mapping = try await client.mapper.mapping(for: alias.kind)
                return ResolvedKind(mapping: mapping, presentation: alias.presentation)
            } catch let error as ClientError where error.kind == .noMatch {
                throw CommandFailure(
                    "the server does not serve \(alias.kind.kind) (\(alias.kind.apiVersion))",
                    hint: alias.kind.group == OAM.group
                        ? "install the OAM CustomResourceDefinitions with `mizzen install`" : nil)
            }
        }
        let mappings = try await client.mapper.refreshAll()
        if let mapping = match(text, in: mappings) {
            return ResolvedKind(mapping: mapping, presentation: presentation(of: mapping.groupVersionKind))
        }
        let served = mappings.flatMap { [$0.groupVersionResource.resource] + $0.shortNames }
        let close = suggestions(for: text, among: aliases.flatMap(\.names) + served)
        var hint = close.isEmpty ? "" : "did you mean \(close.joined(separator: " or "))? "
        hint += "OAM kinds: \(aliases.map { $0.names[0] }.joined(separator: ", ")); "
        hint += "or any kind the server serves (`mizzen get --help`)"
        throw CommandFailure("unknown kind \"\(text)\": the server serves no such resource type", hint: hint,
                             status: ExitStatus.invalidInput)
    }
}

extension ResolvedKind {
    /// The object `name` of this kind.
    ///
    /// - Parameter typed: the kind as the user wrote it, for the hint.
    /// - Throws: ``CommandFailure`` (status 1) when there is no such object.
    func get(_ name: String, namespace: String, client: KubernetesClient, typed: String) async throws -> Resource {
        do {
            return try await client.get(groupVersionKind, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            let place = namespaced ? " in namespace \(namespace)" : ""
            let flag = namespaced && namespace != "default" ? " -n \(namespace)" : ""
            throw CommandFailure("\(resource) \"\(name)\" not found\(place)", hint: "`mizzen get \(typed)\(flag)` lists them")
        }
    }
}
