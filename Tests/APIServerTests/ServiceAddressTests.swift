import APIMachinery
@testable import APIServer
import Foundation
import Resources
import Store
import TestSupport
import Testing

/// Cluster IPs and node ports are taken while a Service holds them and free as soon as it is gone,
/// whatever removed it — the index the allocator reads is kept from the store's history.
@Suite("Service address allocation")
struct ServiceAddressTests {
    static func service(_ name: String, ip: String, nodePort: Int) -> String {
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"\(name)"},
         "spec":{"type":"NodePort","clusterIP":"\(ip)","ports":[{"port":80,"nodePort":\(nodePort)}]}}
        """
    }

    static func services(_ namespace: String) -> String { "/api/v1/namespaces/\(namespace)/services" }

    static func post(_ handler: APIHandler, _ path: String, _ body: String) async -> (code: Int, object: JSONValue) {
        guard case .json(let code, let object, _) = await handler.handle(
            APIRequest(method: "POST", path: path, body: Array(body.utf8)))
        else { return (0, .null) }
        return (code, object)
    }

    /// Expects kube's refusal of a taken cluster IP: that cause alone, whatever the node ports
    /// (kube-apiserver allocates them only once the IP is settled).
    static func expectIPTaken(_ answer: (code: Int, object: JSONValue), ip: String) {
        #expect(answer.code == 422, "\(answer.object)")
        let causes = answer.object["details"]?["causes"]?.arrayValue ?? []
        #expect(causes == [[
            "reason": "FieldValueInvalid",
            "message": .string(#"Invalid value: ["\#(ip)"]: failed to allocate IP \#(ip): provided IP is already allocated"#),
            "field": "spec.clusterIPs",
        ]], "\(causes)")
    }

    /// Expects kube's refusal of a taken node port.
    static func expectPortTaken(_ answer: (code: Int, object: JSONValue), nodePort: Int) {
        #expect(answer.code == 422, "\(answer.object)")
        let causes = answer.object["details"]?["causes"]?.arrayValue ?? []
        #expect(causes.contains {
            $0["field"] == "spec.ports[0].nodePort"
                && $0["message"] == .string("Invalid value: \(nodePort): provided port is already allocated")
        }, "\(causes)")
    }

    /// The Service without its cluster IP, so that only its node port is asked for.
    static func service(_ name: String, nodePort: Int) -> String {
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"\(name)"},
         "spec":{"type":"NodePort","ports":[{"port":80,"nodePort":\(nodePort)}]}}
        """
    }

    @Test("a deleted Service's cluster IP and node port can be taken at once, and so can those of a namespace deleted with its Services")
    func freedWhenGone() async throws {
        try await LimitsPlane.with(configure: { _ in }) { plane in
            let handler = plane.server.handler
            let first = await Self.post(handler, Self.services("default"), Self.service("a", ip: "10.96.0.50", nodePort: 30_050))
            #expect(first.code == 201, "\(first.object)")
            Self.expectIPTaken(
                await Self.post(handler, Self.services("default"), Self.service("b", ip: "10.96.0.50", nodePort: 30_050)),
                ip: "10.96.0.50")
            Self.expectPortTaken(
                await Self.post(handler, Self.services("default"), Self.service("b", nodePort: 30_050)), nodePort: 30_050)
            _ = await handler.handle(APIRequest(method: "DELETE", path: Self.services("default") + "/a"))
            let reused = await Self.post(handler, Self.services("default"), Self.service("b", ip: "10.96.0.50", nodePort: 30_050))
            #expect(reused.code == 201, "\(reused.object)")

            let namespace = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"two"}}"#
            #expect(await Self.post(handler, "/api/v1/namespaces", namespace).code == 201)
            let held = await Self.post(handler, Self.services("two"), Self.service("c", ip: "10.96.0.51", nodePort: 30_051))
            #expect(held.code == 201, "\(held.object)")
            _ = await handler.handle(APIRequest(method: "DELETE", path: "/api/v1/namespaces/two"))
            let gone = try await eventually(timeout: .seconds(10)) {
                guard case .json(let code, _, _) = await handler.handle(
                    APIRequest(method: "GET", path: Self.services("two") + "/c")) else { return false }
                return code == 404
            }
            #expect(gone)
            let after = await Self.post(handler, Self.services("default"), Self.service("d", ip: "10.96.0.51", nodePort: 30_051))
            #expect(after.code == 201, "\(after.object)")
        }
    }

    @Test("addresses stay taken after the history the index follows is compacted away")
    func takenAcrossCompaction() async throws {
        try await LimitsPlane.with(configure: { $0.store.historyRetention = .milliseconds(200) }) { plane in
            let handler = plane.server.handler
            let held = await Self.post(handler, Self.services("default"), Self.service("a", ip: "10.96.0.60", nodePort: 30_060))
            #expect(held.code == 201, "\(held.object)")
            let before = try await handler.store.currentResourceVersion()
            // Writes of other kinds go on until the history from before them is gone.
            var writes = 0
            let compacted = try await eventually(timeout: .seconds(10)) {
                writes += 1
                let configMap = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-\#(writes)"}}"#
                _ = await Self.post(handler, "/api/v1/namespaces/default/configmaps", configMap)
                do {
                    _ = try await handler.store.changes(BuiltinTypes.services.type, after: before)
                    return false
                } catch let error as APIError {
                    return error.reason == .expired
                }
            }
            #expect(compacted)
            Self.expectIPTaken(
                await Self.post(handler, Self.services("default"), Self.service("b", ip: "10.96.0.60", nodePort: 30_060)),
                ip: "10.96.0.60")
            Self.expectPortTaken(
                await Self.post(handler, Self.services("default"), Self.service("b", nodePort: 30_060)), nodePort: 30_060)
        }
    }
}
