import APIServer
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

@testable import mizzen

/// The controllers of `mizzen serve` reach its API server through ``EmbeddedServerLink``; they
/// must not be able to tell it from HTTPS except by speed.
@Suite("the in-process client")
struct InProcessClientTests {
    static let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

    /// The same steps through `client`, on objects named after `prefix`, written down with the
    /// prefix taken out and without what differs between any two runs (uids, times, versions).
    static func transcript(_ client: KubernetesClient, prefix: String) async throws -> [String] {
        var lines: [String] = []
        func note(_ line: String) { lines.append(line.replacingOccurrences(of: prefix, with: "P")) }
        func failure(_ step: String, _ body: () async throws -> Void) async {
            do {
                try await body()
                note("\(step): no error")
            } catch let error as APIError {
                note("\(step): \(error.code) \(error.reason) \(error.message) causes=\(error.causes.map { "\($0.field): \($0.message)" })")
            } catch {
                note("\(step): \(error)")
            }
        }
        func shape(_ object: Resource) -> String {
            "\(object.kind) \(object.name) labels=\(object.metadata["labels"]?.jsonString() ?? "-") data=\(object.object["data"]?.jsonString() ?? "-")"
        }

        let start = try await client.list(configMaps, namespace: "default")
        let events = Task {
            var seen: [String] = []
            let options = WatchOptions(labelSelector: try LabelSelector(parsing: "run=\(prefix)"), resourceVersion: start.resourceVersion, allowBookmarks: false)
            for try await event in client.watch(configMaps, namespace: "default", options: options) {
                seen.append("\(event.type.rawValue) \(event.object.name) data=\(event.object.object["data"]?.jsonString() ?? "-")")
                if event.type == .deleted { break }
            }
            return seen
        }

        var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: "\(prefix)-a", namespace: "default")
        object.metadata["labels"] = ["run": .string(prefix)]
        object.object["data"] = ["k": "v"]
        note("create: " + shape(try await client.create(object)))
        note("get: " + shape(try await client.get(configMaps, name: "\(prefix)-a", namespace: "default")))
        await failure("create again") { _ = try await client.create(object) }
        var stale = object
        stale.metadata["resourceVersion"] = "1"
        await failure("stale update") { _ = try await client.update(stale) }
        note("merge patch: " + shape(try await client.patch(
            configMaps, name: "\(prefix)-a", namespace: "default", patch: ["data": ["k": "w", "more": "x"]], type: .merge)))
        var applied = object
        applied.object["data"] = ["k": "mine"]
        await failure("apply over another manager's field") { _ = try await client.apply(applied, fieldManager: "other") }
        note("forced apply: " + shape(try await client.apply(applied, fieldManager: "other", force: true)))
        var invalid = object
        invalid.metadata["name"] = .string("\(prefix)-Not_Valid")
        await failure("invalid name") { _ = try await client.create(invalid) }
        await failure("missing") { _ = try await client.get(configMaps, name: "\(prefix)-missing", namespace: "default") }
        let listed = try await client.list(
            configMaps, namespace: "default", options: ListOptions(labelSelector: try LabelSelector(parsing: "run=\(prefix)")))
        note("list: " + listed.items.map(shape).joined(separator: "; "))
        note("delete: \(try await client.delete(configMaps, name: "\(prefix)-a", namespace: "default").map(shape) ?? "Status")")
        for line in try await events.value { note("watch: " + line) }
        return lines
    }

    @Test("every verb, error and watch event is the same in-process as over HTTPS")
    func sameAnswers() async throws {
        let plane = try await EmbeddedPlane.start()
        let overHTTPS = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
        let inProcess = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path, through: EmbeddedServerLink(server: plane.server))
        do {
            #expect(inProcess.isInProcess && !overHTTPS.isInProcess)
            let https = try await Self.transcript(overHTTPS, prefix: "https")
            let local = try await Self.transcript(inProcess, prefix: "local")
            #expect(local == https)
            #expect(https.count == 15)  // 11 steps, 4 watch events
            #expect(https.contains { $0.hasPrefix("stale update: 409 Conflict") })
            #expect(https.contains { $0.hasPrefix("invalid name: 422 Invalid") })
            #expect(https.contains { $0.hasPrefix("watch: DELETED P-a") })
        } catch {
            Issue.record(error)
        }
        try await overHTTPS.shutdown()
        try await inProcess.shutdown()
        await plane.stop()
    }

    @Test("an in-process client is authenticated by its token like any other")
    func authenticated() async throws {
        let plane = try await EmbeddedPlane.start()
        var connection = ClusterConnection(server: plane.endpoint.url)
        connection.token = "not-the-token"
        let stranger = try KubernetesClient(connection: connection, through: EmbeddedServerLink(server: plane.server))
        let refused = await #expect(throws: APIError.self) { try await stranger.list(Self.configMaps, namespace: "default") }
        #expect(refused?.code == 401)
        #expect(refused?.reason == .unauthorized)
        try await stranger.shutdown()
        await plane.stop()
    }
}
