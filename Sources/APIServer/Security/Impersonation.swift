import Foundation
import OrderedCollections
import Resources

/// kube-apiserver's impersonation headers (`kubectl --as=… --as-group=… --as-uid=…`):
/// `Impersonate-User`, `Impersonate-Group` (repeated), `Impersonate-Uid` and
/// `Impersonate-Extra-<key>` turn the authenticated user into another one for the request.
///
/// As in kube, a ServiceAccount user name (`system:serviceaccount:NS:NAME`) gets the
/// ServiceAccount groups when no group is asked for, and every impersonated user but
/// `system:anonymous` gets `system:authenticated`. Whether the requester may impersonate them,
/// and as which mode (a node gets `system:nodes`), is ``ImpersonationModes``' to say, over RBAC
/// (`APIHandler.requestUser(headers:request:)`); `system:masters` always may.
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
        guard var user = try requested(from: headers) else { return nil }
        if user.groups.isEmpty, let account = ServiceAccountName.split(user.username) {
            user.groups = ServiceAccountName.groups(namespace: account.namespace)
        }
        return ImpersonationModes.completed(user)
    }

    /// The user the headers ask for exactly as asked (groups as listed, none added): what
    /// ``ImpersonationModes`` decides on. `nil` when they ask for none.
    ///
    /// - Throws: ``APIError`` 400 when groups, a uid or extras are asked for without a user.
    static func requested(from headers: [(name: String, value: String)]) throws(APIError) -> UserInfo? {
        var username: String?
        var uid = ""
        var groups: [String] = []
        var extra = OrderedDictionary<String, [String]>()
        var asked = false
        for (rawName, value) in headers {
            let name = rawName.lowercased()
            if name == userHeader, username == nil, !value.isEmpty {
                username = value
            } else if name == groupHeader {
                groups.append(value)
                asked = true
            } else if name == uidHeader, uid.isEmpty, !value.isEmpty {
                uid = value
                asked = true
            } else if name.hasPrefix(extraPrefix) {
                let encoded = String(name.dropFirst(extraPrefix.count))
                let key = encoded.removingPercentEncoding ?? encoded
                extra[key, default: []].append(value)
                asked = true
            }
        }
        guard let username else {
            if !asked { return nil }
            throw APIError.badRequest(
                "requested \(goSyntax(uid: uid, groups: groups, extra: extra)) without impersonating a user name")
        }
        return UserInfo(username: username, uid: uid, groups: groups, extra: extra)
    }

    /// The requested user as Go's `%#v` prints kube's `*user.DefaultInfo`, which its 400 quotes.
    static func goSyntax(uid: String, groups: [String], extra: OrderedDictionary<String, [String]>) -> String {
        func strings(_ values: [String]) -> String {
            values.isEmpty ? "[]string(nil)" : "[]string{\(values.map(FieldErrorsQuote.quote).joined(separator: ", "))}"
        }
        let extras = extra.isEmpty
            ? "map[string][]string(nil)"
            : "map[string][]string{\(extra.keys.sorted().map { "\(FieldErrorsQuote.quote($0)):\(strings(extra[$0] ?? []))" }.joined(separator: ", "))}"
        return "&user.DefaultInfo{Name:\"\", UID:\(FieldErrorsQuote.quote(uid)), Groups:\(strings(groups)), Extra:\(extras)}"
    }
}
