@testable import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Lists over HTTP carry their items as the store holds them, not decoded and written again:
/// the bytes must be exactly those the decoded list would have been written as.
@Suite("Lists send stored items as they are")
struct EncodedListTests {
    static let secrets = "/api/v1/namespaces/default/secrets"

    static func secret(_ name: String, type: String, label: String) -> String {
        """
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"\(name)","labels":{"tier":"\(label)"},
         "annotations":{"note":"caf\\u00e9 \\"quoted\\" \\\\ back/slash 🚢","ratio":"1e3"}},
         "type":"\(type)","stringData":{"username":"\(name)"}}
        """
    }

    /// The same request answered by the handler as a value, written as the server writes values.
    static func decodedBytes(_ handler: APIHandler, _ path: String, _ query: [String: String]) async -> String {
        guard case .json(200, let body, _) = await handler.handle(APIRequest(method: "GET", path: path, query: query))
        else { return "" }
        return String(decoding: body.jsonBytes(), as: UTF8.self)
    }

    @Test("a list over HTTP is byte for byte the list the decoded objects give, pages, selectors and all", arguments: [
        [:],
        ["limit": "2"],
        ["labelSelector": "tier=back"],
        ["fieldSelector": "type=kubernetes.io/basic-auth"],
        ["fieldSelector": "metadata.name!=s1", "limit": "1"],
    ])
    func sameBytes(query: [String: String]) async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            let handler = plane.server.handler
            for (index, type) in ["Opaque", "kubernetes.io/basic-auth", "Opaque", "kubernetes.io/basic-auth"].enumerated() {
                let body = Self.secret("s\(index)", type: type, label: index.isMultiple(of: 2) ? "front" : "back")
                let created = await handler.handle(APIRequest(method: "POST", path: Self.secrets, body: Array(body.utf8)))
                guard case .json(201, _, _) = created else {
                    Issue.record("create failed: \(created)")
                    return
                }
            }
            var query = query
            var pages = 0
            while true {
                let text = query.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                    .sorted().joined(separator: "&")
                let reply = try await plane.send("GET", Self.secrets + (text.isEmpty ? "" : "?\(text)"))
                #expect(reply.status == 200)
                #expect(reply.headers["content-type"] == "application/json")
                let expected = await Self.decodedBytes(handler, Self.secrets, query)
                #expect(reply.body == expected)
                var asServed = APIRequest(method: "GET", path: Self.secrets, query: query)
                asServed.takesEncodedItems = true
                if case .encodedList = await handler.handle(asServed) {} else {
                    Issue.record("the list was decoded, not sent as stored")
                }
                #expect(reply.json?["kind"] == "SecretList")
                pages += 1
                guard let token = reply.json?["metadata"]?["continue"]?.stringValue, pages < 10 else { break }
                query["continue"] = token
            }
            #expect(pages == (query["limit"] == "2" ? 2 : query["limit"] == "1" ? 3 : 1))
        }
    }

    @Test("an empty list has an empty items array, as kube writes it")
    func emptyList() async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            let reply = try await plane.send("GET", "/api/v1/namespaces/default/configmaps?labelSelector=none%3Dhere")
            #expect(reply.status == 200)
            #expect(reply.json?["items"] == .array([]))
            #expect(reply.body == (await Self.decodedBytes(
                plane.server.handler, "/api/v1/namespaces/default/configmaps", ["labelSelector": "none=here"])))
        }
    }
}
