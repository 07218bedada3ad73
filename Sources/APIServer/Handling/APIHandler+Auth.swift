import APIMachinery
import Foundation
import OrderedCollections
import Resources
import Store

/// The authentication and authorization endpoints kubectl uses: `serviceaccounts/<name>/token`
/// (`kubectl create token`), `selfsubjectreviews` (`kubectl auth whoami`), `tokenreviews`,
/// `selfsubjectaccessreviews` (`kubectl auth can-i`), `selfsubjectrulesreviews` (`can-i --list`),
/// `subjectaccessreviews` and `localsubjectaccessreviews`. Reviews are answered, never stored.
///
/// Access reviews are answered as kube-apiserver's authorizers answer: the admin
/// (`system:masters`) may do everything; every other user what RBAC grants them
/// (``RBACAuthorizer``).
extension APIHandler {

    /// The answer of an authentication or authorization endpoint; `nil` when `target` is none.
    func authEndpoint(_ served: ServedResource, _ target: ResourceTarget, _ request: APIRequest) async throws
        -> APIResponse?
    {
        let type = served.type
        if type.group == "", type.resource == "serviceaccounts", target.subresource == "token", let name = target.name {
            guard let namespace = target.namespace else { throw Self.notFound() }
            guard request.method.uppercased() == "POST" else { throw Self.methodNotAllowed(request.method.uppercased()) }
            return try await tokenRequest(serviceAccount: name, namespace: namespace, request)
        }
        guard type.group == "authentication.k8s.io" || type.group == "authorization.k8s.io", served.verbs == ["create"]
        else { return nil }
        guard target.name == nil else { throw Self.notFound() }
        guard request.method.uppercased() == "POST" else { throw Self.methodNotAllowed(request.method.uppercased()) }
        var review = try reviewBody(request, type)
        if type.group == "authorization.k8s.io" { Self.orderAccessReviewSpec(&review) }
        switch type.resource {
        case "selfsubjectreviews":
            review = [
                "kind": .string(type.kind), "apiVersion": .string(type.groupVersion.apiVersion),
                "metadata": ["creationTimestamp": .string(timestamp)],
                "status": ["userInfo": request.user.json],
            ]
        case "tokenreviews":
            review["status"] = try await tokenReviewStatus(review)
            recordManagedFields(&review, request)
        case "selfsubjectaccessreviews":
            try Self.validateAccessReview(review, type, subjectRequired: false)
            review["status"] = try await accessReviewStatus(review, for: request.user)
            recordManagedFields(&review, request)
        case "subjectaccessreviews", "localsubjectaccessreviews":
            if let namespace = target.namespace {
                try Self.placeReview(&review, in: namespace)
            }
            try Self.validateAccessReview(review, type, subjectRequired: true, namespace: target.namespace)
            review["status"] = try await accessReviewStatus(review, for: Self.subject(of: review))
            recordManagedFields(&review, request)
        case "selfsubjectrulesreviews":
            let namespace = review["spec"]?["namespace"]?.stringValue ?? ""
            guard !namespace.isEmpty else { throw APIError.badRequest("no namespace on request") }
            review = [
                "kind": .string(type.kind), "apiVersion": .string(type.groupVersion.apiVersion),
                "metadata": [:], "spec": [:],
                "status": try await rulesReviewStatus(for: request.user, namespace: namespace),
            ]
        default:
            throw Self.notFound()
        }
        return .json(status: 201, body: review, contentType: "application/json")
    }

    // MARK: TokenRequest

    /// `POST …/serviceaccounts/<name>/token`: a signed token for the ServiceAccount, as kube-apiserver
    /// issues it (audiences default to the server's, one hour unless `spec.expirationSeconds` asks
    /// for between ten minutes and 2^32 seconds).
    func tokenRequest(serviceAccount name: String, namespace: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        let kind = "TokenRequest"
        let group = "authentication.k8s.io"
        var body = try reviewBody(request, ResourceType(
            group: group, version: "v1", resource: "tokenrequests", kind: kind, namespaced: true, hasStatus: false))
        let metadata = body["metadata"]?.objectValue ?? [:]
        if let given = metadata["name"]?.stringValue, !given.isEmpty, given != name {
            throw APIError.invalid(kind: kind, group: group, name: name, causes: [FieldErrors.invalid(
                "metadata.name", value: .string(given), "must match the service account name if specified")])
        }
        if let given = metadata["namespace"]?.stringValue, !given.isEmpty, given != namespace {
            throw APIError.invalid(kind: kind, group: group, name: name, causes: [FieldErrors.invalid(
                "metadata.namespace", value: .string(given), "must match the service account namespace if specified")])
        }
        let account = try await store.get(BuiltinTypes.serviceAccounts.type, namespace: namespace, name: name)
        let uid = account.uid ?? ""
        if let given = metadata["uid"]?.stringValue, !given.isEmpty, given != uid {
            throw APIError.conflict(
                resource: kind, group: group, name: name,
                reason: "the UID in the token request (\(given)) does not match the UID of the service account (\(uid))")
        }
        var spec = body["spec"]?.objectValue ?? [:]
        let audiences = spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        spec["audiences"] = .array((audiences.isEmpty ? authenticator.tokens.audiences : audiences).map(JSONValue.string))
        let seconds = spec["expirationSeconds"]?.intValue ?? ServiceAccountTokens.defaultExpirationSeconds
        spec["expirationSeconds"] = .int(seconds)
        if spec["boundObjectRef"] == nil { spec["boundObjectRef"] = nil as JSONValue }
        var causes: [APIError.Cause] = []
        if seconds < ServiceAccountTokens.minimumExpirationSeconds {
            causes.append(FieldErrors.invalid(
                "spec.expirationSeconds", value: .int(seconds), "may not specify a duration less than 10 minutes"))
        }
        if seconds > ServiceAccountTokens.maximumExpirationSeconds {
            causes.append(FieldErrors.invalid(
                "spec.expirationSeconds", value: .int(seconds), "may not specify a duration larger than 2^32 seconds"))
        }
        if !causes.isEmpty { throw Self.invalidReview(kind: kind, group: group, causes: causes, detailsKind: true) }
        let boundObject = try await boundObject(spec["boundObjectRef"], serviceAccount: name, namespace: namespace)

        let issued = now()
        let claims = authenticator.tokens.claims(
            namespace: namespace, name: name, uid: uid, audiences: audiences, expirationSeconds: seconds, now: issued,
            boundObject: boundObject)
        let token = try authenticator.tokens.sign(claims)
        var placed: JSONObject = [
            "name": .string(name), "namespace": .string(namespace), "uid": .string(uid),
            "creationTimestamp": .string(issued.formatted(Self.rfc3339)),
        ]
        placed.merge(metadata) { placed, _ in placed }
        body["metadata"] = .object(placed)
        // What the request set (kube records it after defaulting `expirationSeconds`, before `audiences`).
        var requested = body["spec"]?.objectValue ?? [:]
        requested["expirationSeconds"] = .int(seconds)
        body["spec"] = .object(requested)
        recordManagedFields(&body, request, subresource: "token")
        body["spec"] = .object(spec)
        body["status"] = [
            "token": .string(token),
            "expirationTimestamp": .string(Date(timeIntervalSince1970: Double(claims.expiry)).formatted(Self.rfc3339)),
        ]
        return .json(status: 201, body: body, contentType: "application/json")
    }

    /// The object of `spec.boundObjectRef` a token is bound to, checked as kube-apiserver checks
    /// it: a Pod running as the ServiceAccount, or a Secret, in its namespace, with the uid given.
    func boundObject(_ reference: JSONValue?, serviceAccount: String, namespace: String) async throws
        -> ServiceAccountTokenClaims.BoundObject?
    {
        guard let reference, !reference.isNull else { return nil }
        let kind = reference["kind"]?.stringValue ?? ""
        let apiVersion = reference["apiVersion"]?.stringValue ?? ""
        let name = reference["name"]?.stringValue ?? ""
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        let resource: String
        switch (group, kind) {
        case ("", "Pod"): resource = "pods"
        case ("", "Secret"): resource = "secrets"
        case ("", "Node"): resource = "nodes"
        default:
            let version = apiVersion.split(separator: "/").last.map(String.init) ?? ""
            throw APIError.badRequest("cannot bind token to object of type \(group)/\(version), Kind=\(kind)")
        }
        guard let served = BuiltinTypes.served(group: "", resource: resource) else {
            throw APIError.notFound(resource: resource, name: name)
        }
        let object = try await store.get(served.type, namespace: kind == "Node" ? nil : namespace, name: name)
        if kind == "Pod", object.spec?["serviceAccountName"]?.stringValue != serviceAccount {
            throw APIError.badRequest(
                "cannot bind token for serviceaccount \"\(serviceAccount)\" to pod running with different serviceaccount name.")
        }
        if kind == "Node" {
            throw APIError.badRequest("cannot bind token to a Node: the embedded plane binds tokens to Pods and Secrets")
        }
        let uid = object.uid ?? ""
        if let given = reference["uid"]?.stringValue, !given.isEmpty, given != uid {
            throw APIError.conflict(
                resource: kind, name: name,
                reason: "the UID in the bound object reference (\(given)) does not match the UID in record. The object might have been deleted and then recreated")
        }
        return ServiceAccountTokenClaims.BoundObject(kind: kind, name: name, uid: uid)
    }

    // MARK: Reviews

    /// The review in the body, its `kind` and `apiVersion` checked and filled in, `metadata` kept.
    func reviewBody(_ request: APIRequest, _ type: ResourceType) throws -> JSONValue {
        let body = request.body.isEmpty ? JSONValue.emptyObject : try Self.decodeBody(request)
        guard case .object(var members) = body else {
            throw APIError.badRequest("the request body must be a JSON object, found \(body.typeName)")
        }
        let kind = members["kind"]?.stringValue ?? ""
        let apiVersion = members["apiVersion"]?.stringValue ?? ""
        guard kind.isEmpty || kind == type.kind, apiVersion.isEmpty || apiVersion == type.groupVersion.apiVersion else {
            throw APIError.badRequest(
                "the body is a \(kind) of \(apiVersion), but this endpoint takes a \(type.kind) of \(type.groupVersion.apiVersion)")
        }
        var review: JSONObject = [
            "kind": .string(type.kind), "apiVersion": .string(type.groupVersion.apiVersion),
            "metadata": members["metadata"].presentValue ?? [:],
        ]
        members.removeValue(forKey: "kind")
        members.removeValue(forKey: "apiVersion")
        members.removeValue(forKey: "metadata")
        review.merge(members) { _, new in new }
        // Decoded as kube decodes it: wrong types are a 400, unknown fields follow `fieldValidation`.
        return try typed(Resource(object: review), ServedResource(type: type, verbs: ["create"]), request).value
    }

    /// `status` of a TokenReview: who `spec.token` authenticates, for `spec.audiences` (the
    /// server's when empty).
    func tokenReviewStatus(_ review: JSONValue) async throws -> JSONValue {
        guard let token = review["spec"]?["token"]?.stringValue, !token.isEmpty else {
            throw APIError.badRequest("token is required for TokenReview in authentication")
        }
        let asked = review["spec"]?["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let audiences = asked.isEmpty ? authenticator.tokens.audiences : asked
        if authenticator.credentials.authorizes("Bearer \(token)") {
            return [
                "authenticated": true, "user": UserInfo.admin.json,
                "audiences": .array(audiences.map(JSONValue.string)),
            ]
        }
        guard JSONWebToken.looksLikeToken(token) else { return ["user": [:], "error": "invalid bearer token"] }
        do {
            let (user, claims) = try await authenticator.serviceAccount(token: token, audiences: audiences)
            return [
                "authenticated": true, "user": user.json,
                "audiences": .array(audiences.filter(claims.audiences.contains).map(JSONValue.string)),
            ]
        } catch {
            return ["user": [:], "error": .string("[invalid bearer token, \(error)]")]
        }
    }

    /// `status` of an access review of `user` doing what its `spec` asks: `allowed`, with RBAC's
    /// reason (the binding that allows it, or the roles it could not find).
    func accessReviewStatus(_ review: JSONValue, for user: UserInfo) async throws -> JSONValue {
        let decision = try await authorize(user, Self.attributes(ofReview: review))
        var status: JSONObject = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        return .object(status)
    }

    /// What an access review's `spec.resourceAttributes` or `spec.nonResourceAttributes` asks.
    static func attributes(ofReview review: JSONValue) -> AuthorizationAttributes {
        let spec = review["spec"]
        func text(_ value: JSONValue?, _ key: String) -> String { value?[key]?.stringValue ?? "" }
        if let resource = spec?["resourceAttributes"], !resource.isNull {
            return AuthorizationAttributes(
                verb: text(resource, "verb"), isResourceRequest: true, apiGroup: text(resource, "group"),
                apiVersion: text(resource, "version"), resource: text(resource, "resource"),
                subresource: text(resource, "subresource"), namespace: text(resource, "namespace"),
                name: text(resource, "name"))
        }
        let nonResource = spec?["nonResourceAttributes"]
        return AuthorizationAttributes(
            verb: text(nonResource, "verb"), isResourceRequest: false, path: text(nonResource, "path"))
    }

    /// `status` of a SelfSubjectRulesReview: the rules RBAC binds to the user in `namespace` (and
    /// cluster-wide), with the roles it could not find as `evaluationError`. As in kube-apiserver,
    /// `system:masters` may do everything whatever RBAC says, but lists only RBAC's rules (the
    /// bootstrap `cluster-admin` binding gives it every verb on everything).
    func rulesReviewStatus(for user: UserInfo, namespace: String) async throws -> JSONValue {
        var resourceRules: [JSONValue] = []
        var nonResourceRules: [JSONValue] = []
        var evaluationError = ""
        let (rules, errors) = RBACAuthorizer.rules(for: user, namespace: namespace, policy: try await rbacPolicy())
        for rule in rules {
            let verbs = rule["verbs"] ?? []
            if !(rule["resources"]?.arrayValue?.isEmpty ?? true) {
                var entry: JSONObject = ["verbs": verbs, "apiGroups": rule["apiGroups"] ?? [], "resources": rule["resources"] ?? []]
                if let names = rule["resourceNames"], !(names.arrayValue?.isEmpty ?? true) { entry["resourceNames"] = names }
                resourceRules.append(.object(entry))
            }
            if let urls = rule["nonResourceURLs"], !(urls.arrayValue?.isEmpty ?? true) {
                nonResourceRules.append(["verbs": verbs, "nonResourceURLs": urls])
            }
        }
        var status: JSONObject = [
            "resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": false,
        ]
        if !errors.isEmpty { evaluationError = RBACAuthorizer.aggregate(errors) }
        if !evaluationError.isEmpty { status["evaluationError"] = .string(evaluationError) }
        return .object(status)
    }

    /// The user a (Local)SubjectAccessReview asks about.
    static func subject(of review: JSONValue) -> UserInfo {
        let spec = review["spec"]
        var extra = OrderedDictionary<String, [String]>()
        for (key, values) in spec?["extra"]?.objectValue ?? [:] {
            extra[key] = values.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return UserInfo(
            username: spec?["user"]?.stringValue ?? "", uid: spec?["uid"]?.stringValue ?? "",
            groups: spec?["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [], extra: extra)
    }

    /// Puts the members of an access review's `spec` in the order kube-apiserver writes them
    /// (the order of its Go structs), whatever order the request sent.
    static func orderAccessReviewSpec(_ review: inout JSONValue) {
        func ordered(_ value: JSONValue?, _ keys: [String]) -> JSONValue? {
            guard case .object(let members)? = value else { return value }
            var result = JSONObject()
            for key in keys { if let member = members[key] { result[key] = member } }
            for (key, member) in members where result[key] == nil { result[key] = member }
            return .object(result)
        }
        guard var spec = ordered(review["spec"], [
            "resourceAttributes", "nonResourceAttributes", "user", "groups", "extra", "uid", "namespace",
        ]) else { return }
        if let attributes = spec["resourceAttributes"] {
            spec["resourceAttributes"] = ordered(attributes, [
                "namespace", "verb", "group", "version", "resource", "subresource", "name", "fieldSelector",
                "labelSelector",
            ])
        }
        if let attributes = spec["nonResourceAttributes"] {
            spec["nonResourceAttributes"] = ordered(attributes, ["path", "verb"])
        }
        review["spec"] = spec
    }

    /// Sets the namespace of a LocalSubjectAccessReview from the URL, refusing another one.
    static func placeReview(_ review: inout JSONValue, in namespace: String) throws {
        let given = review["metadata"]?["namespace"]?.stringValue ?? ""
        guard given.isEmpty || given == namespace else {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        review["metadata"]?["namespace"] = .string(namespace)
    }

    /// kube-apiserver's 422 for a review or token request: its object has no name, so `details`
    /// carries only the group (and, for a TokenRequest, the kind), as kube's do.
    static func invalidReview(kind: String, group: String, causes: [APIError.Cause], detailsKind: Bool = false)
        -> APIError
    {
        var error = APIError.invalid(kind: kind, group: group, name: "", causes: causes)
        error.name = nil
        if !detailsKind { error.kind = nil }
        return error
    }

    /// Adds the `managedFields` entry kube-apiserver's field manager writes on a create to a
    /// review it answers: the fields of `spec` the request set, owned by the request's field
    /// manager (`kubectl`, `curl`…) with operation `Update`. Reviews are never stored, but kube
    /// returns the entry.
    func recordManagedFields(_ object: inout JSONValue, _ request: APIRequest, subresource: String? = nil) {
        guard let spec = object["spec"]?.objectValue, !spec.isEmpty else { return }
        var entry: JSONObject = [
            "manager": .string(request.fieldManager), "operation": "Update",
            "apiVersion": object["apiVersion"] ?? "", "time": .string(timestamp), "fieldsType": "FieldsV1",
            "fieldsV1": ["f:spec": Self.fieldsV1(of: spec, marksItself: false)],
        ]
        if let subresource { entry["subresource"] = .string(subresource) }
        var metadata = object["metadata"]?.objectValue ?? [:]
        if metadata["creationTimestamp"]?.isNull ?? false { metadata.removeValue(forKey: "creationTimestamp") }
        metadata["managedFields"] = [.object(entry)]
        object["metadata"] = .object(metadata)
    }

    /// The `fieldsV1` of the members of an object: `f:<name>` per member that is set, nested for
    /// objects (with `.` for an optional object that is itself set), keys in kube's sorted order.
    static func fieldsV1(of members: JSONObject, marksItself: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = marksItself ? [(".", [:])] : []
        for (name, value) in members where !value.isNull {
            if case .object(let children) = value, !children.isEmpty {
                fields.append(("f:\(name)", fieldsV1(of: children, marksItself: true)))
            } else {
                fields.append(("f:\(name)", [:]))
            }
        }
        return .object(JSONObject(uniqueKeysWithValues: fields.sorted { $0.0 < $1.0 }))
    }

    /// kube-apiserver's validation of access reviews: exactly one of `resourceAttributes` and
    /// `nonResourceAttributes`, a user or group for reviews about someone else, and empty
    /// metadata (but for a local review's namespace).
    static func validateAccessReview(
        _ review: JSONValue, _ type: ResourceType, subjectRequired: Bool, namespace: String? = nil
    ) throws {
        let spec = review["spec"]
        let resource = spec?["resourceAttributes"].presentValue
        let nonResource = spec?["nonResourceAttributes"].presentValue
        var causes: [APIError.Cause] = []
        if resource != nil, let nonResource {
            causes.append(FieldErrors.invalid(
                "spec.nonResourceAttributes", value: .string(nonResource.jsonString()),
                "cannot be specified in combination with resourceAttributes"))
        }
        if resource == nil, nonResource == nil {
            causes.append(FieldErrors.invalid(
                "spec.resourceAttributes", value: nil, "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
        }
        if subjectRequired, (spec?["user"]?.stringValue ?? "").isEmpty,
            (spec?["groups"]?.arrayValue ?? []).isEmpty
        {
            causes.append(FieldErrors.invalid(
                "spec.user", value: .string(""), "at least one of user or group must be specified"))
        }
        var metadata = review["metadata"]?.objectValue ?? [:]
        metadata.removeValue(forKey: "managedFields")
        if metadata["creationTimestamp"]?.isNull ?? false { metadata.removeValue(forKey: "creationTimestamp") }
        if let namespace {
            if metadata["namespace"]?.stringValue == namespace { metadata.removeValue(forKey: "namespace") }
            if let resource, (resource["namespace"]?.stringValue ?? "") != namespace {
                causes.append(FieldErrors.invalid(
                    "spec.resourceAttributes.namespace", value: resource["namespace"] ?? .string(""),
                    "must match metadata.namespace"))
            }
            if let nonResource {
                causes.append(FieldErrors.invalid(
                    "spec.nonResourceAttributes", value: .string(nonResource.jsonString()), "disallowed on this kind of request"))
            }
        }
        if !metadata.isEmpty {
            causes.append(FieldErrors.invalid(
                "metadata", value: .object(metadata),
                namespace == nil ? "must be empty" : "must be empty except for namespace"))
        }
        guard causes.isEmpty else { throw invalidReview(kind: type.kind, group: type.group, causes: causes) }
    }
}
