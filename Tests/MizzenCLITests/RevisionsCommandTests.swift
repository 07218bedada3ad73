import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("mizzen revisions", .serialized)
struct RevisionsCommandTests {
    @Test("two edits of a Component give v1..v3 with the AppConfigs using each; --show prints one, --diff compares two")
    func revisionsEndToEnd() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])
            let original = try String(contentsOfFile: CLI.example("data-passing") + "/web.yaml", encoding: .utf8)
            let second = original.replacingOccurrences(of: "replicas: 2", with: "replicas: 3")
            try await session.up([try CLI.temporaryFile(second, name: "web.yaml")], wait: false)
            let third = second.replacingOccurrences(of: "containerPort: 8080", with: "containerPort: 9090")
            try await session.up([try CLI.temporaryFile(third, name: "web.yaml")], wait: false)
            // An AppConfig that pins the first revision.
            try await session.up([try CLI.temporaryFile("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata:
                  name: legacy
                spec:
                  components:
                    - revisionName: web-v1
                """, name: "pinned.yaml")], wait: false)

            // shop follows the latest revision once the controller has rendered it.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            var revisions: [JSONValue] = []
            while clock.now < deadline {
                let listed = try await session.run(["revisions", "web", "-o", "json"])
                #expect(listed.status == 0, "\(listed.stderr)")
                revisions = try JSONValue(parsingJSON: listed.stdout).arrayValue ?? []
                if revisions.last?["inUseBy"]?[0]?["name"] == "shop" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(revisions.map { $0["name"]?.stringValue ?? "" } == ["web-v1", "web-v2", "web-v3"])
            #expect(revisions.map { $0["revision"]?.intValue ?? 0 } == [1, 2, 3])
            #expect(revisions.map { $0["latest"]?.boolValue ?? false } == [false, false, true])
            #expect(revisions.first?["inUseBy"] == [["name": "legacy", "pinned": true]])
            #expect(revisions[1]["inUseBy"] == [])
            #expect(revisions.last?["inUseBy"] == [["name": "shop", "pinned": false]])

            let table = try await session.run(["revisions", "web"])
            #expect(table.status == 0)
            let rows = table.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            #expect(rows.first == ["REVISION", "NUMBER", "AGE", "IN-USE-BY"])
            #expect(rows.dropFirst().map { [$0[0], $0[1], $0[3]] } == [
                ["web-v1", "1", "legacy (pinned)"], ["web-v2", "2", "-"], ["web-v3", "3", "shop"],
            ])

            let shown = try await session.run(["revisions", "web", "--show", "2"])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.hasPrefix("apiVersion: core.oam.dev/v1alpha2\nkind: Component\nmetadata:\n  name: web\n"))
            #expect(shown.stdout.contains("replicas: 3"))
            #expect(shown.stdout.contains("containerPort: 8080"))
            #expect(!shown.stdout.contains("status:"))

            let different = try await session.run(["revisions", "web", "--diff", "1", "v3"])
            #expect(different.status == 1, "\(different.stderr)")
            #expect(different.stdout.hasPrefix("--- web-v1\n+++ web-v3\n@@ "))
            #expect(different.stdout.contains("\n-      replicas: 2\n+      replicas: 3\n"))
            #expect(different.stdout.contains("\n-            - containerPort: 8080\n+            - containerPort: 9090\n"))
            let same = try await session.run(["revisions", "web", "--diff", "web-v2", "2"])
            #expect(same.status == 0)
            #expect(same.stdout.isEmpty)

            let missing = try await session.run(["revisions", "web", "--show", "9"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("error: Component web has no revision 9"))
            let unknown = try await session.run(["revisions", "nope"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("error: Component nope not found in namespace default"))
        }
    }
}
