import APIServer
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("Discovery and watches against the embedded API server")
struct WatchTests {
    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": ["spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                ]],
            ]],
        ],
    ]

    @Test("the mapper maps built-in kinds and finds a CRD created after it first loaded")
    func discovery() async throws {
        try await withPlane { _, client in
            let all = try await client.mapper.refreshAll()
            let configMaps = try #require(all.first { $0.groupVersionKind == configMapKind })
            #expect(configMaps.groupVersionResource.resource == "configmaps")
            #expect(configMaps.namespaced)
            let namespaces = try await client.mapper.mapping(for: GroupVersionKind(group: "", version: "v1", kind: "Namespace"))
            #expect(!namespaces.namespaced)
            let deployments = try await client.mapper.mapping(
                for: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"))
            #expect(deployments.groupVersionKind.kind == "Deployment")
            #expect(deployments.subresources.contains("status"))

            let widget = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
            let before = try await #require(throws: ClientError.self) { try await client.mapper.mapping(for: widget) }
            #expect(before.kind == .noMatch)

            _ = try await client.create(try Resource(Self.widgetCRD))
            // The miss re-reads example.com/v1 once and finds the new kind.
            #expect(try await eventually {
                (try? await client.mapper.mapping(for: widget)) != nil
            })
            let mapping = try await client.mapper.mapping(for: widget)
            #expect(mapping.groupVersionResource.resource == "widgets")
            #expect(mapping.namespaced)
            // Now cached: no more discovery reads.
            let reads = await client.mapper.discoveryReads
            _ = try await client.mapper.mapping(for: widget)
            #expect(await client.mapper.discoveryReads == reads)

            var object = Resource(apiVersion: "example.com/v1", kind: "Widget", name: "w1")
            object.spec = ["size": 3]
            let created = try await client.create(object)
            #expect(created.namespace == "default")
            #expect(try await client.get(widget, name: "w1").spec?["size"] == 3)
        }
    }

    @Test("a watch from a list's resourceVersion sees ADDED, MODIFIED and DELETED")
    func watch() async throws {
        try await withPlane { plane, client in
            let list = try await client.list(configMapKind, namespace: "default")
            let events = Collector<WatchEvent>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await event in client.watch(
                            configMapKind, namespace: "default", options: WatchOptions(resourceVersion: list.resourceVersion))
                        {
                            events.append(event)
                        }
                        events.finish()
                    } catch {
                        events.finish(error: error)
                    }
                }
                var object = try await client.create(configMap("watched"))
                object.object["data"] = ["k": "changed"]
                _ = try await client.update(object)
                try await client.delete(configMapKind, name: "watched")
                let seen = try await eventually {
                    events.items.filter { $0.type != .bookmark }.count >= 3 || events.finished
                }
                #expect(seen, "events: \(events.items.map(\.type)), error: \(events.error ?? "none")")
                let changes = events.items.filter { $0.type != .bookmark }
                #expect(changes.map(\.type) == [.added, .modified, .deleted])
                #expect(changes.map(\.object.name) == ["watched", "watched", "watched"])
                #expect(changes[1].object.object["data"]?["k"] == "changed")
                #expect(plane.server.openWatchCount == 1)
                group.cancelAll()
            }
            // Ending the stream closes the connection, so the server drops the watch too. The
            // embedded server notices a closed watch connection only when it next writes to it,
            // so keep giving it something to write.
            var pokes = 0
            #expect(try await eventually {
                pokes += 1
                _ = try await client.create(configMap("poke-\(pokes)"))
                return plane.server.openWatchCount == 0
            })
        }
    }

    @Test("more watches than AsyncHTTPClient's default 8 connections per host stay open, and requests still pass")
    func manyWatches() async throws {
        try await withPlane { plane, client in
            let count = 12
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        for try await _ in client.watch(configMapKind, namespace: "default") {}
                    }
                }
                #expect(try await eventually { plane.server.openWatchCount == count })
                let list = try await client.list(configMapKind, namespace: "default")
                // Every namespace holds the plane's kube-root-ca.crt, as on kube; nothing else.
                #expect(list.items.map(\.name) == ["kube-root-ca.crt"])
                group.cancelAll()
            }
        }
    }

    @Test("watchForever lists, watches, and resumes without a re-list after the server restarts")
    func watchForeverSurvivesRestart() async throws {
        var plane = try await TestPlane.start()
        let directory = plane.directory
        let port = plane.endpoint.port
        var options = KubernetesClient.Options()
        options.connectTimeout = .milliseconds(500)
        options.requestTimeout = .seconds(5)
        let client = try plane.client(options: options)
        let changes = Collector<ReflectorEvent>()
        // Everything that can throw is inside the do block, so the client is always shut down.
        do {
            _ = try await client.create(configMap("before"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await change in client.watchForever(
                        configMapKind, namespace: "default",
                        backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500)))
                    {
                        changes.append(change)
                    }
                    changes.finish()
                }
                #expect(try await eventually { changes.items.count >= 1 })
                guard case .relisted(let objects, _) = changes.items.first else {
                    Issue.record("the first delivery is not a list: \(changes.items)")
                    group.cancelAll()
                    return
                }
                #expect(objects.map(\.name).filter { $0 != "kube-root-ca.crt" } == ["before"])

                _ = try await client.create(configMap("first"))
                #expect(try await eventually { Self.added(changes.items).contains("first") })

                await plane.stop(removingData: false)
                plane = try await TestPlane.start(directory: directory, port: port)
                // The first request after the restart may go out on a pooled connection to the
                // stopped server and fail (on a loaded machine, by its deadline); a client retries.
                var createFailure: (any Error)?
                let created = try await eventually(timeout: .seconds(30)) {
                    do {
                        _ = try await client.create(configMap("after"))
                        return true
                    } catch let error as APIError where error.reason == .alreadyExists {
                        return true
                    } catch {
                        createFailure = error
                        return false
                    }
                }
                #expect(created, "cannot create after the restart: \(String(describing: createFailure))")
                #expect(try await eventually { Self.added(changes.items).contains("after") })
                // Resumed from the resourceVersion it had: one list in all, and no event twice.
                let lists = changes.items.filter { if case .relisted = $0 { true } else { false } }
                #expect(lists.count == 1)
                #expect(Self.added(changes.items) == ["first", "after"])
                group.cancelAll()
            }
            #expect(changes.finished)
        } catch {
            try await client.shutdown()
            await plane.stop()
            throw error
        }
        try await client.shutdown()
        await plane.stop()
    }

    static func added(_ changes: [ReflectorEvent]) -> [String] {
        changes.compactMap {
            if case .event(let event) = $0, event.type == .added { return event.object.name }
            return nil
        }
    }

    @Test("the server refuses watches past its limit with 429 TooManyRequests")
    func watchLimit() async throws {
        let plane = try await TestPlane.start(maxWatches: 1)
        let client = try plane.client()
        let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
        let first = Task { for try await _ in client.watch(configMaps, namespace: "default") {} }
        // Whatever happens below, the client is shut down before it goes (AsyncHTTPClient traps otherwise).
        do {
            #expect(try await eventually { plane.server.openWatchCount == 1 })
            for try await _ in client.watch(configMaps, namespace: "default") {}
            Issue.record("the second watch was not refused")
        } catch let error as APIError {
            #expect(error.code == 429)
            #expect(error.reason == .tooManyRequests)
        } catch {
            Issue.record("the second watch failed with \(error), not a 429 APIError")
        }
        first.cancel()
        _ = await first.result
        try await client.shutdown()
        await plane.stop()
    }
}
