import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

@testable import mizzen

@Suite("mizzen events")
struct EventsCommandTests {
    @Test("events lists the Events of the AppConfig and of everything it owns, oldest first; -w follows a rollout; -o json")
    func eventsOnTheEmbeddedPlane() async throws {
        try await PlaneSession.with { session in
            let directory = try UpStatusTests.copyExample("data-passing")
            try await session.up([directory.path])
            // An Event about something else in the namespace is left out.
            let other = try CLI.temporaryFile("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: unrelated}
                spec:
                  selector: {matchLabels: {app: unrelated}}
                  template:
                    metadata: {labels: {app: unrelated}}
                    spec: {containers: [{name: c, image: busybox}]}
                """)
            _ = try await session.run(["up", "-f", other])

            let listed = try await eventually(timeout: .seconds(30)) {
                let text = try await session.run(["events", "shop"]).stdout
                return text.contains("Pod/web-") && text.contains("Started")
            }
            #expect(listed)
            let text = try await session.run(["events", "shop"])
            #expect(text.status == 0, "\(text.stderr)")
            let lines = text.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE")
            let objects = Set(lines.dropFirst().map { $0.split(separator: "\t").map(String.init)[3] })
            #expect(objects.contains("ApplicationConfiguration/shop"), "\(text.stdout)")
            #expect(objects.contains("Deployment/web"), "\(text.stdout)")
            #expect(objects.contains { $0.hasPrefix("ReplicaSet/web-") }, "\(text.stdout)")
            #expect(objects.contains { $0.hasPrefix("Pod/database-") }, "\(text.stdout)")
            #expect(!objects.contains { $0.contains("unrelated") }, "\(text.stdout)")
            #expect(text.stdout.contains("\tNormal\tScalingReplicaSet\tDeployment/web\tScaled up replica set web-"), "\(text.stdout)")

            let json = try await session.run(["events", "shop", "-o", "json"])
            let document = try JSONValue(parsingJSON: json.stdout)
            #expect(document["kind"]?.stringValue == "List")
            let items = document["items"]?.arrayValue ?? []
            #expect(items.count == lines.count - 1)
            let times = items.map { $0["lastTimestamp"]?.stringValue ?? $0["eventTime"]?.stringValue ?? "" }
            #expect(times == times.sorted(), "not oldest first: \(times)")

            // -w (NDJSON): the Events of a rollout, about a ReplicaSet and Pods that did not exist at the start.
            let watcher = try RunningCLI(["events", "shop", "-w", "-o", "json", "--data-dir", session.dataDir])
            defer { watcher.stop() }
            let started = try await eventually(timeout: .seconds(20)) { watcher.stdout.split(separator: "\n").count >= items.count }
            #expect(started, "\(watcher.stderr)")
            let appConfig = directory.appendingPathComponent("appconfig.yaml")
            let edited = try String(contentsOf: appConfig, encoding: .utf8).replacingOccurrences(of: "shop-web:1.5.0", with: "shop-web:1.6.0")
            try edited.write(to: appConfig, atomically: true, encoding: .utf8)
            try await session.up([directory.path])
            let followed = try await eventually(timeout: .seconds(30)) {
                watcher.stdout.contains("Successfully pulled image \\\"ghcr.io/example/shop-web:1.6.0\\\"")
                    || watcher.stdout.contains("Container image \\\"ghcr.io/example/shop-web:1.6.0\\\" already present")
            }
            #expect(followed, "\(watcher.stdout.suffix(2000))")
            for line in watcher.stdout.split(separator: "\n") {
                let event = try JSONValue(parsingJSON: String(line))
                #expect(event["kind"]?.stringValue == "Event", "\(line)")
                #expect(event["involvedObject"]?["name"]?.stringValue?.contains("unrelated") == false, "\(line)")
            }

            let missing = try await session.run(["events", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("error: ApplicationConfiguration nope not found in namespace default"), "\(missing.stderr)")
            let usage = try await session.run(["events", "shop", "-w", "-o", "yaml"])
            #expect(usage.status == 2)
        }
    }

    @Test("an Event row: kubectl's columns, a repeat as (xN over T), the kind as written")
    func rows() throws {
        let event = Resource(object: [
            "apiVersion": "v1", "kind": "Event", "metadata": ["name": "e", "resourceVersion": "7"],
            "involvedObject": ["kind": "Deployment", "name": "web"], "reason": "ScalingReplicaSet", "type": "Normal",
            "message": "Scaled up replica set web-1 from 0 to 2\n", "count": 3,
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z",
        ])
        let now = try Date("2026-01-01T00:01:30Z", strategy: .iso8601)
        #expect(EventRow(event: event).cells(now: now) == [
            "30s (x3 over 90s)", "Normal", "ScalingReplicaSet", "Deployment/web", "Scaled up replica set web-1 from 0 to 2",
        ])
        let text = EventRow.lines([EventRow(event: event).cells(now: now)], header: true, widths: [9, 7, 20, 36, 0], terminal: .plain)
        #expect(text.hasPrefix("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n30s (x3 over 90s)\tNormal\t"))
    }
}
