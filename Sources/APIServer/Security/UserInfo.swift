import OrderedCollections
import Resources

/// Who a request comes from, as kube-apiserver's authenticators describe a user
/// (`user.Info`): a name, a uid, groups and extra attributes.
///
/// ```swift
/// UserInfo.admin.groups                                            // ["system:masters", "system:authenticated"]
/// UserInfo.serviceAccount(namespace: "web", name: "deployer", uid: "…").username
/// // "system:serviceaccount:web:deployer"
/// ```
public struct UserInfo: Sendable, Hashable {
    public var username: String
    public var uid: String
    public var groups: [String]
    /// `authentication.kubernetes.io/credential-id` and the like; values keep their order.
    public var extra: OrderedDictionary<String, [String]>

    public init(username: String, uid: String = "", groups: [String] = [], extra: OrderedDictionary<String, [String]> = [:]) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// The holder of the data directory's token: named as the reference kit's token file names its
    /// admin (`admin`, uid `admin-uid`), in `system:masters`, which may do everything.
    public static let admin = UserInfo(
        username: "admin", uid: "admin-uid", groups: [Groups.masters, Groups.authenticated])

    /// The user a ServiceAccount token authenticates as; `credentialID` is `JTI=<token id>`.
    public static func serviceAccount(namespace: String, name: String, uid: String, credentialID: String? = nil)
        -> UserInfo
    {
        var extra: OrderedDictionary<String, [String]> = [:]
        if let credentialID { extra[credentialIDKey] = [credentialID] }
        return UserInfo(
            username: ServiceAccountName.username(namespace: namespace, name: name), uid: uid,
            groups: ServiceAccountName.groups(namespace: namespace) + [Groups.authenticated], extra: extra)
    }

    /// The `extra` key under which kube-apiserver reports the id of the credential used.
    public static let credentialIDKey = "authentication.kubernetes.io/credential-id"

    /// Whether the user is in `system:masters`.
    public var isMaster: Bool { groups.contains(Groups.masters) }

    /// The `userInfo` of a `SelfSubjectReview` or `TokenReview`: `username`, `uid`, `groups` and
    /// `extra`, each left out when empty, as kube writes them.
    public var json: JSONValue {
        var members: JSONObject = [:]
        if !username.isEmpty { members["username"] = .string(username) }
        if !uid.isEmpty { members["uid"] = .string(uid) }
        if !groups.isEmpty { members["groups"] = .array(groups.map(JSONValue.string)) }
        if !extra.isEmpty {
            members["extra"] = .object(JSONObject(uniqueKeysWithValues: extra.map { key, values in
                (key, JSONValue.array(values.map(JSONValue.string)))
            }))
        }
        return .object(members)
    }

    /// The well-known groups.
    public enum Groups {
        public static let masters = "system:masters"
        public static let authenticated = "system:authenticated"
        public static let unauthenticated = "system:unauthenticated"
        public static let serviceAccounts = "system:serviceaccounts"
    }
}

/// How a ServiceAccount is named as a user: `system:serviceaccount:<namespace>:<name>`.
public enum ServiceAccountName {
    static let prefix = "system:serviceaccount:"

    /// `system:serviceaccount:<namespace>:<name>`.
    public static func username(namespace: String, name: String) -> String {
        "\(prefix)\(namespace):\(name)"
    }

    /// `system:serviceaccounts` and `system:serviceaccounts:<namespace>`.
    public static func groups(namespace: String) -> [String] {
        [UserInfo.Groups.serviceAccounts, "\(UserInfo.Groups.serviceAccounts):\(namespace)"]
    }

    /// The namespace and name of a ServiceAccount user name; `nil` for any other user name.
    public static func split(_ username: String) -> (namespace: String, name: String)? {
        guard username.hasPrefix(prefix) else { return nil }
        let parts = username.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
