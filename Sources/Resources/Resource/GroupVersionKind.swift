/// An API group and version, such as `apps/v1` or the core group's `v1`.
public struct GroupVersion: Sendable, Hashable, CustomStringConvertible {
    /// The group; empty for the core group.
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Splits an `apiVersion` such as `apps/v1` (group `apps`) or `v1` (core group).
    public init(apiVersion: String) {
        let utf8 = apiVersion.utf8
        if let slash = utf8.firstIndex(of: UInt8(ascii: "/")) {
            group = String(Substring(utf8[..<slash]))
            version = String(Substring(utf8[utf8.index(after: slash)...]))
        } else {
            group = ""
            version = apiVersion
        }
    }

    /// The group of an `apiVersion` (`apps` of `apps/v1`, empty for `v1`), without building the version.
    public static func group(ofAPIVersion apiVersion: String) -> String {
        let utf8 = apiVersion.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(Substring(utf8[..<slash]))
    }

    /// The `apiVersion` string: `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { apiVersion }
}

/// The type of an object: API group, version and kind.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// The type named by an object's `apiVersion` and `kind`.
    public init(apiVersion: String, kind: String) {
        let groupVersion = GroupVersion(apiVersion: apiVersion)
        self.init(group: groupVersion.group, version: groupVersion.version, kind: kind)
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var apiVersion: String { groupVersion.apiVersion }

    /// `Kind.version.group`, as kubectl prints types.
    public var description: String {
        group.isEmpty ? "\(kind).\(version)" : "\(kind).\(version).\(group)"
    }
}

/// A REST resource: API group, version and the plural resource name (`deployments`).
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `resource.group`, the name a CustomResourceDefinition has; `resource.` for the core group.
    public var groupResource: String { "\(resource).\(group)" }

    public var description: String {
        group.isEmpty ? "\(resource).\(version)" : "\(resource).\(version).\(group)"
    }
}
