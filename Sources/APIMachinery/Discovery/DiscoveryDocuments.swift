public import Resources
import OrderedCollections

/// The discovery documents of the embedded API server, as pure functions of what it serves.
///
/// ## What kubectl 1.32 asks for (observed with `/usr/bin/kubectl` v1.32.4 against a recording server)
///
/// - `GET /version?timeout=5s` (`Accept: application/json, */*`) when it has no discovery cache
///   yet; it decodes `version.Info` (``version(gitVersion:gitCommit:buildDate:platform:)``).
/// - `GET /api` then `GET /apis`, both with
///   `Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`
///   (client-go `discovery.acceptDiscoveryFormats`; with `NoPeerDiscovery` a
///   `…;as=APIGroupDiscoveryList;profile=nopeer` range goes first).
///   client-go decides by the **response** `Content-Type`: it reads the body as aggregated
///   discovery only when the media type is `application/json` with parameters
///   `g=apidiscovery.k8s.io`, `v=v2` (or `v2beta1`) and `as=APIGroupDiscoveryList`, in any order,
///   other parameters allowed (`discovery.ContentTypeIsGVK`). Any other `application/json`
///   answer is read as legacy `APIVersions` (`/api`) / `APIGroupList` (`/apis`), and then kubectl
///   fetches `GET /api/v1` and `GET /apis/<group>/<version>` (`Accept: application/json, */*`)
///   for every group version. Aggregated resources are used only when **both** `/api` and
///   `/apis` answered aggregated; a 404 on `/api` is tolerated (no core group).
///   So: answer ``aggregated(_:legacyCore:)`` with ``aggregatedContentType`` when
///   ``wantsAggregated(accept:)``; else the legacy documents with `application/json`. Send
///   `Vary: Accept`, since the same URL has two bodies.
/// - Everything is cached under `~/.kube/cache/discovery` (kubectl re-reads `/api` and `/apis`
///   for `api-resources` and when a kind is not found in the cache).
/// - In the aggregated form a resource without `responseKind` is dropped, and a subresource
///   needs its own `responseKind`; `freshness: Stale` marks a group version as failed.
public enum DiscoveryDocuments {
    /// `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`: the `Content-Type`
    /// that tells client-go the body is aggregated discovery.
    public static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// Whether an `Accept` header lists aggregated discovery v2 (`g=apidiscovery.k8s.io`, `v=v2`,
    /// `as=APIGroupDiscoveryList`, parameters in any order, a `profile` allowed).
    public static func wantsAggregated(accept: String) -> Bool {
        accept.split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingSpaces }
            guard parts.first == "application/json" else { return false }
            let parameters = Set(parts.dropFirst())
            return parameters.isSuperset(of: ["g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"])
        }
    }

    // MARK: /version

    /// The `/version` document (`version.Info`). kubectl warns when the server's minor version is
    /// more than one away from its own, so this says 1.32.
    public static func version(
        gitVersion: String = "v1.32.0-mizzen", gitCommit: String = "", buildDate: String = "1970-01-01T00:00:00Z",
        platform: String = "linux/amd64"
    ) -> JSONValue {
        let numbers = gitVersion.dropFirst(gitVersion.hasPrefix("v") ? 1 : 0).split(separator: ".")
        let major = numbers.first.map(String.init) ?? "1"
        let minor = numbers.dropFirst().first.map { String($0.prefix { $0.isNumber }) } ?? "32"
        return [
            "major": .string(major), "minor": .string(minor), "gitVersion": .string(gitVersion),
            "gitCommit": .string(gitCommit), "gitTreeState": "clean", "buildDate": .string(buildDate),
            "goVersion": "", "compiler": "swiftc", "platform": .string(platform),
        ]
    }

    // MARK: Legacy discovery

    /// `/api`: the `APIVersions` of the core group.
    public static func apiVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `/apis`: the `APIGroupList` of every named group, each with its versions, most preferred
    /// first (`v1` before `v1beta1` before `v1alpha1`).
    public static func groupList(_ registry: [ServedResource]) -> JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(groups(registry).filter { !$0.name.isEmpty }.map { .object($0.json) }),
        ]
    }

    /// `/apis/<group>`: one `APIGroup`; `nil` when nothing in `group` is served.
    public static func group(_ registry: [ServedResource], name: String) -> JSONValue? {
        guard let group = groups(registry).first(where: { $0.name == name && !name.isEmpty }) else { return nil }
        var json = group.json
        json["kind"] = "APIGroup"
        json["apiVersion"] = "v1"
        return .object(json)
    }

    /// `/api/v1` (group `""`) or `/apis/<group>/<version>`: the `APIResourceList`, resources in
    /// alphabetical order, each followed by its subresources (`deployments/scale`,
    /// `deployments/status`); `nil` when the group version is not served.
    public static func resourceList(_ registry: [ServedResource], group: String, version: String) -> JSONValue? {
        let served = resources(registry, group: group, version: version)
        guard !served.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in served {
            let type = resource.type
            var entry: JSONObject = [
                "name": .string(type.resource), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(resource.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
            if !resource.isCustomResource, !resource.verbs.isEmpty, resource.verbs != ["create"] {
                entry["storageVersionHash"] = .string(
                    StorageVersionHash.of(group: type.group, version: type.version, kind: type.kind))
            }
            entries.append(.object(entry))
            for subresource in resource.subresources.sorted(by: { $0.name < $1.name }) {
                var sub: JSONObject = [
                    "name": .string("\(type.resource)/\(subresource.name)"), "singularName": "",
                    "namespaced": .bool(type.namespaced),
                ]
                // group and version are written only when they differ from the list's.
                if subresource.responseKind.groupVersion != type.groupVersion {
                    sub["group"] = .string(subresource.responseKind.group)
                    sub["version"] = .string(subresource.responseKind.version)
                }
                sub["kind"] = .string(subresource.responseKind.kind)
                sub["verbs"] = .array(subresource.verbs.map(JSONValue.string))
                entries.append(.object(sub))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(GroupVersion(group: group, version: version).apiVersion),
            "resources": .array(entries),
        ]
    }

    // MARK: Aggregated discovery (apidiscovery.k8s.io/v2)

    /// The `APIGroupDiscoveryList` for `/api` (`legacyCore: true`: the core group only) or for
    /// `/apis` (`legacyCore: false`: every named group).
    ///
    /// Each group has its versions, most preferred first (the first is the preferred version),
    /// each version its resources with `responseKind`, `scope` (`Namespaced`/`Cluster`),
    /// `singularResource`, `verbs`, `shortNames`, `categories` and `subresources`, and
    /// `freshness: Current`.
    public static func aggregated(_ registry: [ServedResource], legacyCore: Bool) -> JSONValue {
        var items: [JSONValue] = []
        for group in groups(registry) where group.name.isEmpty == legacyCore {
            var versions: [JSONValue] = []
            for version in group.versions {
                let resources = resources(registry, group: group.name, version: version).map(aggregatedResource)
                versions.append([
                    "version": .string(version), "resources": .array(resources), "freshness": "Current",
                ])
            }
            var metadata: JSONObject = ["creationTimestamp": nil]
            if !group.name.isEmpty { metadata.updateValue(.string(group.name), forKey: "name", insertingAt: 0) }
            items.append(["metadata": .object(metadata), "versions": .array(versions)])
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(items),
        ]
    }

    private static func aggregatedResource(_ resource: ServedResource) -> JSONValue {
        let type = resource.type
        var entry: JSONObject = [
            "resource": .string(type.resource),
            "responseKind": kindJSON(type.groupVersionKind),
            "scope": type.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(type.singular),
            "verbs": .array(resource.verbs.map(JSONValue.string)),
        ]
        if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
        if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
        if !resource.subresources.isEmpty {
            entry["subresources"] = .array(resource.subresources.sorted(by: { $0.name < $1.name }).map { subresource in
                [
                    "subresource": .string(subresource.name), "responseKind": kindJSON(subresource.responseKind),
                    "verbs": .array(subresource.verbs.map(JSONValue.string)),
                ]
            })
        }
        return .object(entry)
    }

    private static func kindJSON(_ kind: GroupVersionKind) -> JSONValue {
        ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)]
    }

    // MARK: Grouping

    struct Group {
        var name: String
        /// Most preferred first.
        var versions: [String]

        var json: JSONObject {
            let entries: [JSONValue] = versions.map {
                ["groupVersion": .string(GroupVersion(group: name, version: $0).apiVersion), "version": .string($0)]
            }
            return [
                "name": .string(name), "versions": .array(entries), "preferredVersion": entries.first ?? [:],
            ]
        }
    }

    /// The groups of `registry` in the order they first appear, each with its versions sorted by
    /// kube's version priority.
    static func groups(_ registry: [ServedResource]) -> [Group] {
        var versions = OrderedDictionary<String, [String]>()
        for resource in registry {
            let type = resource.type
            if !(versions[type.group]?.contains(type.version) ?? false) {
                versions[type.group, default: []].append(type.version)
            }
        }
        return versions.map { Group(name: $0.key, versions: $0.value.sorted(by: KubeVersion.isPreferred)) }
    }

    /// The resources served at `group`/`version`, by resource name.
    static func resources(_ registry: [ServedResource], group: String, version: String) -> [ServedResource] {
        registry.filter { $0.type.group == group && $0.type.version == version }
            .sorted { $0.type.resource < $1.type.resource }
    }
}

/// Kube's ordering of API versions (`version.CompareKubeAwareVersionStrings`): GA before beta
/// before alpha, higher numbers first, and versions that are not of the `v<N>[alpha|beta<M>]`
/// form last, alphabetically.
public enum KubeVersion {
    /// Whether `lhs` comes before (is preferred to) `rhs`.
    public static func isPreferred(_ lhs: String, _ rhs: String) -> Bool {
        switch (parse(lhs), parse(rhs)) {
        case (let a?, let b?):
            if a.stability != b.stability { return a.stability > b.stability }
            if a.major != b.major { return a.major > b.major }
            return a.minor > b.minor
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return lhs < rhs
        }
    }

    private static func parse(_ version: String) -> (major: Int, stability: Int, minor: Int)? {
        guard version.hasPrefix("v") else { return nil }
        let rest = version.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let major = Int(digits), major > 0 else { return nil }
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty { return (major, 2, 0) }
        for (word, stability) in [("beta", 1), ("alpha", 0)] where tail.hasPrefix(word) {
            guard let minor = Int(tail.dropFirst(word.count)) else { return nil }
            return (major, stability, minor)
        }
        return nil
    }
}
