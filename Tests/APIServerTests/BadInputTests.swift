import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Every kind of bad request gets the Status error kube-apiserver would give, and the server
/// keeps serving.
@Suite("Bad input")
struct BadInputTests {
    static func request(_ method: String, _ path: String, query: [String: String] = [:], body: String? = nil,
                        contentType: String = "application/json") -> APIRequest {
        APIRequest(method: method, path: path, query: query, contentType: contentType,
                   body: Array((body ?? "").utf8))
    }

    static func status(_ response: APIResponse) -> (code: Int, body: JSONValue)? {
        guard case .json(let code, let body, _) = response else { return nil }
        return (code, body)
    }

    @Test("each malformed request gets its Status", arguments: [
        ("POST", "/api/v1/namespaces/default/configmaps", "{\"apiVersion\": \"v1\", \"kind\": ", "application/json",
         400, "BadRequest", "error decoding JSON"),
        ("POST", "/api/v1/namespaces/default/configmaps", "apiVersion: v1\nkind: [", "application/yaml",
         400, "BadRequest", "error decoding YAML"),
        ("POST", "/api/v1/namespaces/default/gadgets", "{}", "application/json",
         404, "NotFound", "the server could not find the requested resource"),
        ("POST", "/api/v1/namespaces/default/configmaps",
         "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"}}", "application/json",
         400, "BadRequest", "this endpoint serves v1, Kind=ConfigMap"),
        ("POST", "/api/v1/namespaces/default/configmaps",
         "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Bad_Name\"}}", "application/json",
         422, "Invalid", "metadata.name: Invalid value: \"Bad_Name\""),
        ("GET", "/api/v1/namespaces/default/configmaps/missing", "", "application/json",
         404, "NotFound", "configmaps \"missing\" not found"),
        ("PATCH", "/api/v1/namespaces/default/configmaps/seed", "[{\"op\":\"replace\",\"path\":\"/nope/x\",\"value\":1}]",
         "application/json-patch+json", 422, "Invalid", "missing"),
        // kube's router refuses a built-in's PATCH body type before any handler: a bare 415.
        ("PATCH", "/api/v1/namespaces/default/configmaps/seed", "{}", "text/plain",
         415, "UnsupportedMediaType", "415: Unsupported Media Type"),
        ("POST", "/api/v1/namespaces/default/configmaps", "hi", "text/plain",
         415, "UnsupportedMediaType", "accepted media types include: application/json, application/yaml"),
        ("PUT", "/api/v1/namespaces/default/configmaps", "{}", "application/json",
         405, "MethodNotAllowed", "does not allow this method"),
    ])
    func badRequests(method: String, path: String, body: String, contentType: String, code: Int, reason: String,
                     message: String) async throws {
        let plane = try await EmbeddedPlane.start()
        let handler = plane.server.handler
        _ = await handler.handle(Self.request(
            "POST", "/api/v1/namespaces/default/configmaps",
            body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"seed\"}}"))
        let answer = try #require(Self.status(await handler.handle(
            Self.request(method, path, body: body, contentType: contentType))))
        #expect(answer.code == code)
        #expect(answer.body["kind"] == "Status")
        #expect(answer.body["reason"]?.stringValue == reason)
        #expect(answer.body["message"]?.stringValue?.contains(message) == true, "\(answer.body)")
        // Still serving.
        let after = try #require(Self.status(await handler.handle(
            Self.request("GET", "/api/v1/namespaces/default/configmaps/seed"))))
        #expect(after.code == 200)
        await plane.stop()
    }

    @Test("a bad label selector is a 400 naming the problem")
    func badSelector() async throws {
        let plane = try await EmbeddedPlane.start()
        let answer = try #require(Self.status(await plane.server.handler.handle(Self.request(
            "GET", "/api/v1/namespaces/default/configmaps", query: ["labelSelector": "app in (a,"]))))
        #expect(answer.code == 400)
        #expect(answer.body["reason"] == "BadRequest")
        await plane.stop()
    }

    @Test("a stale resourceVersion is a 409 Conflict")
    func conflict() async throws {
        let plane = try await EmbeddedPlane.start()
        let handler = plane.server.handler
        let created = try #require(Self.status(await handler.handle(Self.request(
            "POST", "/api/v1/namespaces/default/configmaps",
            body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}"))))
        let version = try #require(created.body["metadata"]?["resourceVersion"]?.stringValue)
        _ = await handler.handle(Self.request(
            "PUT", "/api/v1/namespaces/default/configmaps/c",
            body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"\(version)\"},\"data\":{\"a\":\"2\"}}"))
        let stale = try #require(Self.status(await handler.handle(Self.request(
            "PUT", "/api/v1/namespaces/default/configmaps/c",
            body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"\(version)\"},\"data\":{\"a\":\"3\"}}"))))
        #expect(stale.code == 409)
        #expect(stale.body["reason"] == "Conflict")
        await plane.stop()
    }

    @Test("dryRun=All validates and answers without storing")
    func dryRun() async throws {
        let plane = try await EmbeddedPlane.start()
        let handler = plane.server.handler
        let answer = try #require(Self.status(await handler.handle(Self.request(
            "POST", "/api/v1/namespaces/default/configmaps", query: ["dryRun": "All"],
            body: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dry\"}}"))))
        #expect(answer.code == 201)
        let get = try #require(Self.status(await handler.handle(Self.request(
            "GET", "/api/v1/namespaces/default/configmaps/dry"))))
        #expect(get.code == 404)
        await plane.stop()
    }
}
