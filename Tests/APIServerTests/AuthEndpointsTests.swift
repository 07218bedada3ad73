import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// `kubectl create token`, `auth whoami`, `auth can-i` and the discovery of the review kinds,
/// against an embedded plane.
@Suite("Auth endpoints with kubectl", .enabled(if: Kubectl.isInstalled))
struct AuthEndpointsTests {
    static let serviceAccount = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: bot}
        """

    /// The claims of a JWT, unverified.
    static func payload(of token: String) throws -> JSONValue {
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return try JSONValue(parsingJSON: Data(base64Encoded: base64) ?? Data())
    }

    /// A plane holding the ServiceAccount `default/bot`, allowed by RBAC to `edit` the namespace
    /// `default`, and a token for it.
    static func planeWithToken(_ arguments: [String] = []) async throws -> (EmbeddedPlane, String) {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: serviceAccount)
        try await plane.kubectlOK(["create", "rolebinding", "bot-edit", "--clusterrole=edit", "--serviceaccount=default:bot"])
        let token = try await plane.kubectlOK(["create", "token", "bot"] + arguments)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (plane, token)
    }

    @Test("create token gives a JWT the plane accepts as the ServiceAccount")
    func createTokenAndUseIt() async throws {
        let (plane, token) = try await Self.planeWithToken()
        let claims = try Self.payload(of: token)
        #expect(claims["sub"] == "system:serviceaccount:default:bot")
        #expect(claims["iss"] == "https://kubernetes.default.svc.cluster.local")
        #expect(claims["aud"] == ["https://kubernetes.default.svc.cluster.local"])
        let lifetime = (claims["exp"]?.intValue ?? 0) - (claims["iat"]?.intValue ?? 0)
        #expect(lifetime == 3600)

        try await plane.kubectlOK(["--token", token, "apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: made-by-bot}
            data: {a: b}
            """)
        let listed = try await plane.kubectlOK(["--token", token, "get", "cm"])
        #expect(listed.contains("made-by-bot"))
        let whoami = try JSONValue(parsingJSON: try await plane.kubectlOK(["--token", token, "auth", "whoami", "-o", "json"]))
        #expect(whoami["kind"] == "SelfSubjectReview")
        let user = whoami["status"]?["userInfo"]
        #expect(user?["username"] == "system:serviceaccount:default:bot")
        #expect(user?["groups"] == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
        let uid = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "sa", "bot", "-o", "json"]))["metadata"]?["uid"]
        #expect(user?["uid"] == uid)
        #expect(user?["extra"]?["authentication.kubernetes.io/credential-id"] == [.string("JTI=\(claims["jti"]?.stringValue ?? "")")])
        await plane.stop()
    }

    @Test("create token --duration sets the lifetime; less than ten minutes is refused like kube")
    func duration() async throws {
        let (plane, token) = try await Self.planeWithToken(["--duration=2h", "--audience=https://kubernetes.default.svc.cluster.local"])
        let claims = try Self.payload(of: token)
        #expect((claims["exp"]?.intValue ?? 0) - (claims["iat"]?.intValue ?? 0) == 7200)
        let short = try await plane.kubectl(["create", "token", "bot", "--duration=5m"])
        #expect(short.status != 0)
        #expect(short.stderr.contains("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes"),
                "\(short.stderr)")
        let missing = try await plane.kubectl(["create", "token", "nobody"])
        #expect(missing.stderr.contains("serviceaccounts \"nobody\" not found"), "\(missing.stderr)")
        await plane.stop()
    }

    @Test("a token for another audience is not accepted by the plane")
    func otherAudience() async throws {
        let (plane, token) = try await Self.planeWithToken(["--audience=vault"])
        #expect(try Self.payload(of: token)["aud"] == ["vault"])
        let refused = try await plane.kubectl(["--token", token, "get", "cm"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Unauthorized"), "\(refused.stderr)")
        await plane.stop()
    }

    @Test("an expired token, or one whose ServiceAccount was deleted or replaced, gets 401 Unauthorized")
    func refusedTokens() async throws {
        let (plane, token) = try await Self.planeWithToken()
        let uid = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "sa", "bot", "-o", "json"]))["metadata"]?["uid"]?
            .stringValue ?? ""
        // Signed with the plane's own key, but two hours old.
        let tokens = try ServiceAccountTokens.loadOrCreate(in: plane.directory)
        let expired = try tokens.sign(tokens.claims(
            namespace: "default", name: "bot", uid: uid, audiences: [], expirationSeconds: 3600,
            now: Date() - 7200))
        let late = try await plane.kubectl(["--token", expired, "get", "cm"])
        #expect(late.status != 0)
        #expect(late.stderr.contains("error: You must be logged in to the server (Unauthorized)"), "\(late.stderr)")

        try await plane.kubectlOK(["--token", token, "get", "cm"])
        try await plane.kubectlOK(["delete", "sa", "bot"])
        let deleted = try await plane.kubectl(["--token", token, "get", "cm"])
        #expect(deleted.stderr.contains("Unauthorized"), "\(deleted.stderr)")
        // A new ServiceAccount of the same name has another uid: the old token stays dead.
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.serviceAccount)
        let replaced = try await plane.kubectl(["--token", token, "get", "cm"])
        #expect(replaced.stderr.contains("Unauthorized"), "\(replaced.stderr)")
        let garbage = try await plane.kubectl(["--token", "not-a-token", "get", "cm"])
        #expect(garbage.stderr.contains("Unauthorized"))
        await plane.stop()
    }

    @Test("a token bound to a Secret dies with the Secret")
    func boundToSecret() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.serviceAccount + """

            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: ticket}
            stringData: {a: b}
            """)
        let token = try await plane.kubectlOK(
            ["create", "token", "bot", "--bound-object-kind", "Secret", "--bound-object-name", "ticket"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let secretUID = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "secret", "ticket", "-o", "json"]))[
            "metadata"]?["uid"]
        #expect(try Self.payload(of: token)["kubernetes.io"]?["secret"] == ["name": "ticket", "uid": secretUID ?? nil])
        // Authenticated (whoami is everyone's under RBAC's system:basic-user).
        try await plane.kubectlOK(["--token", token, "auth", "whoami"])
        let missing = try await plane.kubectl(
            ["create", "token", "bot", "--bound-object-kind", "Secret", "--bound-object-name", "nope"])
        #expect(missing.stderr.contains("secrets \"nope\" not found"), "\(missing.stderr)")
        let wrongUID = try await plane.kubectl([
            "create", "token", "bot", "--bound-object-kind", "Secret", "--bound-object-name", "ticket",
            "--bound-object-uid", "123",
        ])
        #expect(wrongUID.stderr.contains(
            "Operation cannot be fulfilled on Secret \"ticket\": the UID in the bound object reference (123) does not match the UID in record"),
            "\(wrongUID.stderr)")
        try await plane.kubectlOK(["delete", "secret", "ticket"])
        let refused = try await plane.kubectl(["--token", token, "get", "cm"])
        #expect(refused.stderr.contains("Unauthorized"), "\(refused.stderr)")
        await plane.stop()
    }

    @Test("tokens survive a restart of the plane")
    func restart() async throws {
        let (plane, token) = try await Self.planeWithToken()
        await plane.stop(removingData: false)
        let again = try await EmbeddedPlane.start(directory: plane.directory, oam: false)
        try await again.kubectlOK(["--token", token, "get", "cm"])
        await again.stop()
    }

    @Test("auth whoami names the admin as the kit does")
    func whoamiAdmin() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let table = try await plane.kubectlOK(["auth", "whoami"])
        #expect(table.contains("Username"))
        #expect(table.contains("admin"))
        #expect(table.contains("[system:masters system:authenticated]"), "\(table)")
        let json = try JSONValue(parsingJSON: try await plane.kubectlOK(["auth", "whoami", "-o", "json"]))
        #expect(json["apiVersion"] == "authentication.k8s.io/v1")
        #expect(json["status"] == ["userInfo": ["username": "admin", "uid": "admin-uid",
                                                "groups": ["system:masters", "system:authenticated"]]])
        let impersonated = try JSONValue(parsingJSON: try await plane.kubectlOK(
            ["auth", "whoami", "--as=jane", "--as-group=dev", "-o", "json"]))
        #expect(impersonated["status"]?["userInfo"] == ["username": "jane", "groups": ["dev", "system:authenticated"]])
        let asAccount = try JSONValue(parsingJSON: try await plane.kubectlOK(
            ["auth", "whoami", "--as=system:serviceaccount:web:deployer", "-o", "json"]))
        #expect(asAccount["status"]?["userInfo"] == [
            "username": "system:serviceaccount:web:deployer",
            "groups": ["system:serviceaccounts", "system:serviceaccounts:web", "system:authenticated"],
        ])
        await plane.stop()
    }

    @Test("auth can-i answers yes for the admin, and what RBAC grants for a ServiceAccount and an impersonated user")
    func canI() async throws {
        let (plane, token) = try await Self.planeWithToken()
        let admin = try await plane.kubectl(["auth", "can-i", "create", "deployments"])
        #expect(admin.status == 0)
        #expect(admin.stdout == "yes\n")
        let account = try await plane.kubectl(["--token", token, "auth", "can-i", "delete", "secrets"])
        #expect(account.status == 0)
        #expect(account.stdout == "yes\n")
        let elsewhere = try await plane.kubectl(["--token", token, "auth", "can-i", "delete", "secrets", "-n", "kube-system"])
        #expect(elsewhere.status == 1)
        #expect(elsewhere.stdout == "no\n")
        let someone = try await plane.kubectl(["auth", "can-i", "get", "pods", "--as=jane"])
        #expect(someone.status == 1)
        #expect(someone.stdout == "no\n")
        let serviceAccount = try await plane.kubectl(["auth", "can-i", "list", "configmaps",
                                                      "--as=system:serviceaccount:default:bot"])
        #expect(serviceAccount.stdout == "yes\n")
        let nonResource = try await plane.kubectl(["auth", "can-i", "get", "/healthz"])
        #expect(nonResource.stdout == "yes\n")
        await plane.stop()
    }

    @Test("auth can-i --list lists every verb on everything")
    func canIList() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let list = try await plane.kubectlOK(["auth", "can-i", "--list"])
        let lines = list.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines.first == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"])
        #expect(lines.contains(["*.*", "[]", "[]", "[*]"]), "\(list)")
        #expect(lines.contains(["[*]", "[]", "[*]"]), "\(list)")
        await plane.stop()
    }

    @Test("api-resources lists the review kinds create-only, and serviceaccounts/token")
    func apiResources() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let wide = try await plane.kubectlOK(["api-resources", "-o", "wide"])
        let rows = wide.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        for (name, group, namespaced, kind) in [
            ("selfsubjectreviews", "authentication.k8s.io/v1", "false", "SelfSubjectReview"),
            ("tokenreviews", "authentication.k8s.io/v1", "false", "TokenReview"),
            ("localsubjectaccessreviews", "authorization.k8s.io/v1", "true", "LocalSubjectAccessReview"),
            ("selfsubjectaccessreviews", "authorization.k8s.io/v1", "false", "SelfSubjectAccessReview"),
            ("selfsubjectrulesreviews", "authorization.k8s.io/v1", "false", "SelfSubjectRulesReview"),
            ("subjectaccessreviews", "authorization.k8s.io/v1", "false", "SubjectAccessReview"),
        ] {
            #expect(rows.contains([name, group, namespaced, kind, "create"]), "\(name) missing in:\n\(wide)")
        }
        // kubectl create -f validates fields through /openapi/v3 (the plane serves no v2).
        let created = try JSONValue(parsingJSON: try await plane.kubectlOK(["create", "-f", "-", "-o", "json"], stdin: """
            apiVersion: authorization.k8s.io/v1
            kind: SelfSubjectAccessReview
            spec:
              resourceAttributes: {verb: list, resource: pods, namespace: default}
            """))
        #expect(created["status"] == ["allowed": true])
        let core = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "--raw", "/api/v1"]))
        let token = core["resources"]?.arrayValue?.first { $0["name"] == "serviceaccounts/token" }
        #expect(token == [
            "name": "serviceaccounts/token", "singularName": "", "namespaced": true, "group": "authentication.k8s.io",
            "version": "v1", "kind": "TokenRequest", "verbs": ["create"],
        ])
        await plane.stop()
    }

    @Test("reviews are checked and answered like kube-apiserver's")
    func reviewsOverHTTP() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        func post(_ path: String, _ body: JSONValue) async -> (Int, JSONValue) {
            guard case .json(let status, let answer, _) = await plane.server.handler.handle(APIRequest(
                method: "POST", path: path, body: body.jsonBytes()))
            else { return (0, nil) }
            return (status, answer)
        }
        let (missing, invalid) = await post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": [:],
        ])
        #expect(missing == 422)
        #expect(invalid["message"]?.stringValue?.contains(
            "exactly one of nonResourceAttributes or resourceAttributes must be specified") == true)
        #expect(invalid["details"]?["causes"]?[0]?["field"] == "spec.resourceAttributes")

        guard case .json(let strictStatus, let strict, _) = await plane.server.handler.handle(APIRequest(
            method: "POST", path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            query: ["fieldValidation": "Strict"],
            body: (["spec": ["resourceAttributes": ["verb": "get", "resource": "pods", "bogus": 1]]] as JSONValue).jsonBytes()))
        else { return }
        #expect(strictStatus == 400)
        #expect(strict["message"] == """
            SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: \
            strict decoding error: unknown field "spec.resourceAttributes.bogus"
            """)

        let (noNamespace, _) = await post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": [:],
        ])
        #expect(noNamespace == 400)

        let (status, review) = await post("/apis/authorization.k8s.io/v1/subjectaccessreviews", [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": ["user": "jane", "resourceAttributes": ["verb": "get", "resource": "pods"]],
        ])
        #expect(status == 201)
        #expect(review["status"] == ["allowed": false])
        let (_, admin) = await post("/apis/authorization.k8s.io/v1/subjectaccessreviews", [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": ["user": "root", "groups": ["system:masters"], "resourceAttributes": ["verb": "get", "resource": "pods"]],
        ])
        #expect(admin["status"] == ["allowed": true])

        let (noSubject, _) = await post("/apis/authorization.k8s.io/v1/subjectaccessreviews", [
            "spec": ["resourceAttributes": ["verb": "get", "resource": "pods"]],
        ])
        #expect(noSubject == 422)

        let (local, localReview) = await post("/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews", [
            "spec": ["user": "jane", "resourceAttributes": ["namespace": "team", "verb": "get", "resource": "pods"]],
        ])
        #expect(local == 201)
        #expect(localReview["metadata"]?["namespace"] == "team")

        guard case .json(let getStatus, _, _) = await plane.server.handler.handle(APIRequest(
            method: "GET", path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"))
        else { return }
        #expect(getStatus == 405)

        let (reviewed, tokenReview) = await post("/apis/authentication.k8s.io/v1/tokenreviews", [
            "spec": ["token": .string(plane.token)],
        ])
        #expect(reviewed == 201)
        #expect(tokenReview["status"]?["authenticated"] == true)
        #expect(tokenReview["status"]?["user"]?["username"] == "admin")
        let (_, badReview) = await post("/apis/authentication.k8s.io/v1/tokenreviews", ["spec": ["token": "nope"]])
        #expect(badReview["status"]?["authenticated"] == nil)
        #expect(badReview["status"]?["error"] != nil)
        await plane.stop()
    }
}
