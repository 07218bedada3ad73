@testable import ControllerRuntime
@testable import OAMControllers
import Foundation
import KubeClient
import OrderedCollections
import Logging
import Resources
import TestSupport
import Testing

@Suite("Kubernetes Events")
struct EventRecorderTests {
    static let eventKind = GroupVersionKind(group: "", version: "v1", kind: "Event")

    static func settings() -> Resource {
        var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "default")
        object.object["data"] = ["k": "v"]
        return object
    }

    @Test("a repeated Event is one Event with count 2; another reason is another Event")
    func aggregation() async throws {
        try await withPlaneClients(1) { _, clients in
            let client = clients[0]
            let object = try await client.create(Self.settings())
            var options = EventRecorder.Options()
            options.host = "test-host"
            let recorder = EventRecorder(
                client: client, options: options, logger: quietLogger, metricsFactory: PrometheusMetrics().factory)
            try await withTestTasks { tasks in
                tasks.start { await recorder.run() }
                await recorder.record(on: object, type: .normal, reason: "Applied", message: "applied 2 components")
                await recorder.record(on: object, type: .normal, reason: "Applied", message: "applied 2 components")
                await recorder.record(on: object, type: .warning, reason: "CannotApply", message: "the quota is used up")

                var events: [Resource] = []
                let aggregated = try await eventually {
                    events = try await client.list(Self.eventKind, namespace: "default").items
                    return events.count == 2 && events.contains { $0.object["count"]?.intValue == 2 }
                }
                #expect(aggregated, "events: \(events.map(\.value))")
                let applied = try #require(events.first { $0.object["reason"]?.stringValue == "Applied" })
                #expect(applied.object["count"]?.intValue == 2)
                #expect(applied.object["type"]?.stringValue == "Normal")
                #expect(applied.object["message"]?.stringValue == "applied 2 components")
                #expect(applied.object["involvedObject"] == [
                    "apiVersion": "v1", "kind": "ConfigMap", "name": "settings", "namespace": "default",
                    "uid": .string(object.uid ?? ""),
                ])
                #expect(applied.object["source"] == ["component": "mizzen", "host": "test-host"])
                #expect(applied.object["firstTimestamp"]?.stringValue?.hasSuffix("Z") == true)
                #expect(applied.object["lastTimestamp"]?.stringValue?.hasSuffix("Z") == true)
                let suffix = try #require(applied.name.split(separator: ".").last)
                #expect(applied.name.hasPrefix("settings."))
                #expect(suffix.count == 16 && suffix.allSatisfy(\.isHexDigit))

                let warning = try #require(events.first { $0.object["reason"]?.stringValue == "CannotApply" })
                #expect(warning.object["type"]?.stringValue == "Warning")
                #expect(warning.object["count"]?.intValue == 1)
                #expect(warning.name != applied.name)
            }
        }
    }

    @Test("an Event deleted meanwhile is written anew instead of patched")
    func deletedEventStartsOver() async throws {
        try await withPlaneClients(1) { _, clients in
            let client = clients[0]
            let object = try await client.create(Self.settings())
            let recorder = EventRecorder(client: client, logger: quietLogger, metricsFactory: PrometheusMetrics().factory)
            try await withTestTasks { tasks in
                tasks.start { await recorder.run() }
                await recorder.record(on: object, type: .normal, reason: "Applied", message: "once")
                var first: Resource?
                #expect(try await eventually {
                    first = try await client.list(Self.eventKind, namespace: "default").items.first
                    return first != nil
                })
                try await client.delete(Self.eventKind, name: try #require(first).name, namespace: "default")
                await recorder.record(on: object, type: .normal, reason: "Applied", message: "once")
                var events: [Resource] = []
                #expect(try await eventually {
                    events = try await client.list(Self.eventKind, namespace: "default").items
                    return events.count == 1
                })
                #expect(events.first?.object["count"]?.intValue == 1)
                #expect(events.first?.name != first?.name)
            }
        }
    }

    @Test("Events of many objects are written several at once, each object's repeats still aggregated")
    func concurrentLanes() async throws {
        try await withPlaneClients(1) { _, clients in
            let client = clients[0]
            var options = EventRecorder.Options()
            options.concurrentWrites = 4
            let recorder = EventRecorder(
                client: client, options: options, logger: quietLogger, metricsFactory: PrometheusMetrics().factory)
            try await withTestTasks { tasks in
                tasks.start { await recorder.run() }
                // 40 objects, each with one Event recorded three times and another once.
                for round in 0..<3 {
                    for index in 0..<40 {
                        let object = ObjectReference(apiVersion: "v1", kind: "ConfigMap", name: "c\(index)", namespace: "default")
                        recorder.record(on: object, type: .normal, reason: "Applied", message: "applied")
                        if round == 0 { recorder.record(on: object, type: .warning, reason: "Failed", message: "once") }
                    }
                }
                await recorder.waitUntilIdle()
                #expect(recorder.droppedCount == 0)
                let events = try await client.list(Self.eventKind, namespace: "default").items
                let applied = events.filter { $0.object["reason"]?.stringValue == "Applied" }
                #expect(applied.count == 40)
                #expect(applied.allSatisfy { $0.object["count"]?.intValue == 3 }, "\(applied.map { $0.object["count"] ?? nil })")
                #expect(events.filter { $0.object["reason"]?.stringValue == "Failed" }.count == 40)
            }
        }
    }

    @Test("recording never waits: beyond the buffer, Events are dropped and counted")
    func fullBufferDrops() async throws {
        // Nothing is written (run() never starts), so the server need not exist.
        let client = try KubernetesClient(connection: ClusterConnection(server: "https://127.0.0.1:1"))
        var options = EventRecorder.Options()
        options.bufferCapacity = 2
        let metrics = PrometheusMetrics()
        let recorder = EventRecorder(client: client, options: options, logger: quietLogger, metricsFactory: metrics.factory)
        for index in 0..<5 {
            recorder.record(
                on: ObjectReference(apiVersion: "v1", kind: "ConfigMap", name: "c\(index)", namespace: "default"),
                type: .normal, reason: "Test", message: "\(index)")
        }
        #expect(recorder.droppedCount == 3)
        #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains("mizzen_events_dropped_total 3"))
        try await client.shutdown()
    }

    @Test("the correlator forgets the least recently used Event first")
    func correlatorEviction() {
        var correlator = EventCorrelator(capacity: 2)
        func key(_ reason: String) -> EventCorrelator.Key {
            EventCorrelator.Key(
                object: ObjectReference(apiVersion: "v1", kind: "ConfigMap", name: "c"), type: .normal, reason: reason,
                message: "m")
        }
        func entry(_ name: String) -> EventCorrelator.Entry {
            EventCorrelator.Entry(namespace: "default", name: name, count: 1, firstTimestamp: "t")
        }
        correlator.remember(entry("a"), for: key("a"))
        correlator.remember(entry("b"), for: key("b"))
        #expect(correlator.entry(for: key("a"))?.name == "a")  // a is now the most recent
        correlator.remember(entry("c"), for: key("c"))
        #expect(correlator.entry(for: key("b")) == nil)
        #expect(correlator.entry(for: key("a"))?.name == "a")
        #expect(correlator.entry(for: key("c"))?.name == "c")
    }
}
