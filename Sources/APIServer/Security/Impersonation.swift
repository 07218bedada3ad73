import Foundation
import OrderedCollections
import Resources

/// kube-apiserver's impersonation headers (`kubectl --as=… --as-group=… --as-uid=…`):
/// `Impersonate-User`, `Impersonate-Group` (repeated), `Impersonate-Uid` and
/// `Impersonate-Extra-<key>` turn the authenticated user into another one for the request.
///
/// As in kube, a ServiceAccount user name (`system:serviceaccount:NS:NAME`) gets the
/// ServiceAccount groups when no group is asked for, and every impersonated user but
/// `system:anonymous` gets `system:authenticated`. Whether the requester may `impersonate` them
/// is RBAC's to say (`APIHandler.requestUser(headers:request:)`); `system:masters` always may.
///
/// ```swift
/// try Impersonation.user(from: [("Impersonate-User", "jane")])
/// // UserInfo(username: "jane", groups: ["system:authenticated"])
/// ```
public enum Impersonation {
    static let userHeader = "impersonate-user"
    static let groupHeader = "impersonate-group"
    static let uidHeader = "impersonate-uid"
    static let extraPrefix = "impersonate-extra-"

    /// The user the headers ask to act as; `nil` when they ask for none.
    ///
    /// - Parameter headers: every header of the request, names in any case, repeated names kept.
    /// - Throws: ``APIError`` 400 when groups, a uid or extras are asked for without a user, as
    ///   kube answers.
    public static func user(from headers: [(name: String, value: String)]) throws(APIError) -> UserInfo? {
        var username: String?
        var uid = ""
        var groups: [String] = []
        var extra = OrderedDictionary<String, [String]>()
        var requested: [String] = []
        for (rawName, value) in headers {
            let name = rawName.lowercased()
            if name == userHeader, username == nil, !value.isEmpty {
                username = value
            } else if name == groupHeader {
                groups.append(value)
                requested.append("group \(value)")
            } else if name == uidHeader, uid.isEmpty, !value.isEmpty {
                uid = value
                requested.append("uid \(value)")
            } else if name.hasPrefix(extraPrefix) {
                let encoded = String(name.dropFirst(extraPrefix.count))
                let key = encoded.removingPercentEncoding ?? encoded
                extra[key, default: []].append(value)
                requested.append("extra \(key)=\(value)")
            }
        }
        guard let username else {
            if requested.isEmpty { return nil }
            throw APIError.badRequest("requested \(requested.joined(separator: ", ")) without impersonating a user")
        }
        if groups.isEmpty, let account = ServiceAccountName.split(username) {
            groups = ServiceAccountName.groups(namespace: account.namespace)
        }
        if username == "system:anonymous" {
            if !groups.contains(UserInfo.Groups.unauthenticated) { groups.append(UserInfo.Groups.unauthenticated) }
        } else if !groups.contains(UserInfo.Groups.authenticated), !groups.contains(UserInfo.Groups.unauthenticated) {
            groups.append(UserInfo.Groups.authenticated)
        }
        return UserInfo(username: username, uid: uid, groups: groups, extra: extra)
    }
}
