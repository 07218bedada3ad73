import APIMachinery
import Foundation
import OrderedCollections
import Resources
import Store

/// Tells who a request comes from: the data directory's admin token, or a ServiceAccount token
/// this server issued whose ServiceAccount still exists with the uid in the token; then applies
/// impersonation headers. Anything else is kube's 401 `Unauthorized`.
struct Authenticator: Sendable {
    let credentials: Credentials
    let tokens: ServiceAccountTokens
    let store: any ObjectStore
    /// The current time; injected so that tests control it.
    let now: @Sendable () -> Date

    init(credentials: Credentials, tokens: ServiceAccountTokens, store: any ObjectStore,
         now: @escaping @Sendable () -> Date = Date.init) {
        self.credentials = credentials
        self.tokens = tokens
        self.store = store
        self.now = now
    }

    /// kube-apiserver's answer to a request without valid credentials.
    static let unauthorized = APIError(code: 401, reason: .unauthorized, message: "Unauthorized")

    /// The user of a request with these headers.
    ///
    /// - Throws: ``APIError`` 401 when the bearer token is missing or not accepted; 400 for
    ///   impersonation headers that name no user.
    func user(headers: [(name: String, value: String)]) async throws(APIError) -> UserInfo {
        let authorization = headers.first { $0.name.lowercased() == "authorization" }?.value
        guard let authenticated = await user(authorization: authorization) else { throw Self.unauthorized }
        return try Impersonation.user(from: headers) ?? authenticated
    }

    /// The user a bearer `Authorization` header authenticates; `nil` when none.
    func user(authorization: String?) async -> UserInfo? {
        if credentials.authorizes(authorization) { return .admin }
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let token = String(authorization.dropFirst("Bearer ".count))
        guard JSONWebToken.looksLikeToken(token) else { return nil }
        return try? await serviceAccount(token: token).user
    }

    /// The ServiceAccount user of `token`, and the token's claims.
    ///
    /// - Throws: ``ServiceAccountTokens/Failure`` when the token does not verify, or a message
    ///   saying why its ServiceAccount no longer backs it.
    func serviceAccount(token: String, audiences: [String]? = nil) async throws
        -> (user: UserInfo, claims: ServiceAccountTokenClaims)
    {
        let current = now()
        let claims = try tokens.verify(token, now: current, audiences: audiences)
        let account: Resource
        do {
            account = try await store.get(
                BuiltinTypes.serviceAccounts.type, namespace: claims.namespace, name: claims.name)
        } catch {
            throw TokenRejection("serviceaccounts \"\(claims.name)\" not found")
        }
        guard account.uid == claims.uid else {
            throw TokenRejection("service account UID (\(account.uid ?? "")) does not match claim (\(claims.uid))")
        }
        if let deleted = account.deletionTimestamp.flatMap(Timestamps.secondsSinceEpoch),
            deleted < current.timeIntervalSince1970 - Double(ServiceAccountTokens.leeway)
        {
            throw TokenRejection("service account \(claims.namespace)/\(claims.name) has been deleted")
        }
        var user = UserInfo.serviceAccount(
            namespace: claims.namespace, name: claims.name, uid: claims.uid,
            credentialID: claims.id.isEmpty ? nil : claims.credentialID)
        if let bound = claims.boundObject {
            try await checkBoundObject(bound, namespace: claims.namespace, now: current)
            if bound.kind == "Pod" {
                user.extra["authentication.kubernetes.io/pod-name"] = [bound.name]
                user.extra["authentication.kubernetes.io/pod-uid"] = [bound.uid]
            }
        }
        return (user, claims)
    }

    /// Refuses a token whose bound Pod or Secret is gone, replaced or being deleted.
    func checkBoundObject(_ bound: ServiceAccountTokenClaims.BoundObject, namespace: String, now: Date) async throws {
        let resource = bound.kind == "Pod" ? "pods" : "secrets"
        guard let type = BuiltinTypes.served(group: "", resource: resource)?.type,
            let object = try? await store.get(type, namespace: namespace, name: bound.name)
        else { throw TokenRejection("service account token has been invalidated") }
        guard object.uid == bound.uid else {
            throw TokenRejection(
                "\(bound.kind.lowercased()) UID (\(object.uid ?? "")) does not match service account \(bound.kind.lowercased()) ref claim (\(bound.uid))")
        }
        if let deleted = object.deletionTimestamp.flatMap(Timestamps.secondsSinceEpoch),
            deleted < now.timeIntervalSince1970 - Double(ServiceAccountTokens.leeway)
        {
            throw TokenRejection("service account token has been invalidated")
        }
    }
}

/// Why a well-signed ServiceAccount token is refused (its ServiceAccount is gone or replaced).
struct TokenRejection: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
