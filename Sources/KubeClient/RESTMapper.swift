import NIOHTTP1
import Resources

/// How one kind is served: its REST resource and whether objects live in namespaces.
public struct RESTMapping: Sendable, Hashable {
    public var groupVersionKind: GroupVersionKind
    public var groupVersionResource: GroupVersionResource
    public var namespaced: Bool
    /// Subresources served for it (`status`, `scale`).
    public var subresources: Set<String>
    /// The singular resource name (`deployment`); empty when discovery gives none.
    public var singularName: String
    /// Short names (`deploy`), as `kubectl get` accepts them.
    public var shortNames: [String]

    public init(
        groupVersionKind: GroupVersionKind, groupVersionResource: GroupVersionResource, namespaced: Bool,
        subresources: Set<String> = [], singularName: String = "", shortNames: [String] = []
    ) {
        self.groupVersionKind = groupVersionKind
        self.groupVersionResource = groupVersionResource
        self.namespaced = namespaced
        self.subresources = subresources
        self.singularName = singularName
        self.shortNames = shortNames
    }

    /// The collection path: `/api/v1[/namespaces/ns]/configmaps` or `/apis/g/v[/namespaces/ns]/r`.
    ///
    /// `namespace` is ignored for cluster-scoped types; `nil` lists across all namespaces.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        let gvr = groupVersionResource
        var path = gvr.group.isEmpty ? "/api/\(gvr.version)" : "/apis/\(gvr.group)/\(gvr.version)"
        if namespaced, let namespace { path += "/namespaces/\(Transport.percentEncoded(namespace))" }
        path += "/\(gvr.resource)"
        if let name { path += "/\(Transport.percentEncoded(name))" }
        if let subresource { path += "/\(subresource)" }
        return path
    }
}

/// Maps kinds to REST resources (and back) from the server's discovery documents (`/api`,
/// `/api/v1`, `/apis`, `/apis/{group}/{version}`), as client-go's deferred discovery REST mapper does.
///
/// Each group version is read on first use and cached. A lookup that misses re-reads its group
/// version once before failing, so kinds of CustomResourceDefinitions created after the first
/// read are found.
///
/// ```swift
/// let mapping = try await client.mapper.mapping(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
/// mapping.groupVersionResource.resource   // "deployments"
/// ```
public actor RESTMapper {
    private let transport: Transport
    /// The resources of each group version read so far; `[]` for a group version not served.
    private var cache: [GroupVersion: [RESTMapping]] = [:]
    /// How many discovery documents have been read (for tests and metrics).
    public private(set) var discoveryReads = 0

    init(transport: Transport) {
        self.transport = transport
    }

    /// The mapping of `kind`, reading discovery on a miss.
    ///
    /// - Throws: ``ClientError`` of kind `noMatch` when the server does not serve the kind, or
    ///   the error of a failed discovery request.
    public func mapping(for kind: GroupVersionKind) async throws -> RESTMapping {
        if let found = cache[kind.groupVersion]?.first(where: { $0.groupVersionKind.kind == kind.kind }) {
            return found
        }
        let mappings = try await refresh(kind.groupVersion)
        guard let found = mappings.first(where: { $0.groupVersionKind.kind == kind.kind }) else {
            throw ClientError(.noMatch, message: "no matches for kind \"\(kind.kind)\" in version \"\(kind.apiVersion)\"")
        }
        return found
    }

    /// The mapping of a resource (`deployments` in `apps/v1`), reading discovery on a miss.
    public func mapping(for resource: GroupVersionResource) async throws -> RESTMapping {
        let groupVersion = GroupVersion(group: resource.group, version: resource.version)
        if let found = cache[groupVersion]?.first(where: { $0.groupVersionResource == resource }) { return found }
        let mappings = try await refresh(groupVersion)
        guard let found = mappings.first(where: { $0.groupVersionResource == resource }) else {
            throw ClientError(.noMatch, message: "the server does not serve resource \"\(resource)\"")
        }
        return found
    }

    /// Every group version the server serves (`/api` and `/apis`), the core `v1` first.
    public func groupVersions() async throws -> [GroupVersion] {
        discoveryReads += 2
        let core = try await transport.send(.GET, "/api")
        let groups = try await transport.send(.GET, "/apis")
        var result = (core["versions"]?.arrayValue ?? []).compactMap(\.stringValue).map {
            GroupVersion(group: "", version: $0)
        }
        for group in groups["groups"]?.arrayValue ?? [] {
            for version in group["versions"]?.arrayValue ?? [] {
                if let text = version["groupVersion"]?.stringValue { result.append(GroupVersion(apiVersion: text)) }
            }
        }
        return result
    }

    /// Reads every group version and replaces the cache; returns every mapping.
    @discardableResult
    public func refreshAll() async throws -> [RESTMapping] {
        let versions = try await groupVersions()
        var all: [RESTMapping] = []
        var fresh: [GroupVersion: [RESTMapping]] = [:]
        for version in versions {
            let mappings = try await read(version)
            fresh[version] = mappings
            all += mappings
        }
        cache = fresh
        return all
    }

    /// Forgets everything read so far.
    public func invalidate() {
        cache = [:]
    }

    /// Re-reads one group version; a 404 means it is not served (yet).
    private func refresh(_ groupVersion: GroupVersion) async throws -> [RESTMapping] {
        let mappings = try await read(groupVersion)
        cache[groupVersion] = mappings
        return mappings
    }

    private func read(_ groupVersion: GroupVersion) async throws -> [RESTMapping] {
        let path = groupVersion.group.isEmpty
            ? "/api/\(groupVersion.version)" : "/apis/\(groupVersion.group)/\(groupVersion.version)"
        discoveryReads += 1
        let document: JSONValue
        do {
            document = try await transport.send(.GET, path)
        } catch let error as APIError where error.code == 404 {
            return []
        }
        return Self.mappings(document, groupVersion: groupVersion)
    }

    /// The mappings of an `APIResourceList`; subresources (`pods/status`) are folded into their resource.
    static func mappings(_ document: JSONValue, groupVersion: GroupVersion) -> [RESTMapping] {
        let resources = document["resources"]?.arrayValue ?? []
        var subresources: [String: Set<String>] = [:]
        for resource in resources {
            guard let name = resource["name"]?.stringValue else { continue }
            let parts = name.split(separator: "/", maxSplits: 1)
            if parts.count == 2 { subresources[String(parts[0]), default: []].insert(String(parts[1])) }
        }
        return resources.compactMap { resource -> RESTMapping? in
            guard let name = resource["name"]?.stringValue, !name.contains("/"),
                let kind = resource["kind"]?.stringValue
            else { return nil }
            return RESTMapping(
                groupVersionKind: GroupVersionKind(group: groupVersion.group, version: groupVersion.version, kind: kind),
                groupVersionResource: GroupVersionResource(
                    group: groupVersion.group, version: groupVersion.version, resource: name),
                namespaced: resource["namespaced"]?.boolValue ?? false,
                subresources: subresources[name] ?? [],
                singularName: resource["singularName"]?.stringValue ?? "",
                shortNames: (resource["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }
}
