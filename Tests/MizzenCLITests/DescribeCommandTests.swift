import Foundation
import Resources
import Testing

@Suite("mizzen describe")
struct DescribeCommandTests {
    @Test("describe shows an object's spec, status, children and Events, as text and as data")
    func describeOnTheDataPassingExample() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])

            let text = try await session.run(["describe", "appconfig", "shop"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(!text.stdout.contains("\u{1B}"))
            for expected in [
                "Name:             shop", "Kind:             ApplicationConfiguration (core.oam.dev/v1alpha2)",
                "Health:           healthy  2/2 components healthy", "Parameters:    image=ghcr.io/example/shop-web:1.5.0",
                "Data input:    db-connection-secret → spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",
                "workload   Deployment/database   healthy   1/1 available", "Events:", "AppliedComponents",
            ] {
                #expect(text.stdout.contains(expected), "missing \(expected) in\n\(text.stdout)")
            }

            let data = try JSONValue(parsingJSON: try await session.run(["describe", "app", "shop", "-o", "json"]).stdout)
            #expect(data["object"]?["metadata"]?["name"]?.stringValue == "shop")
            #expect(data["health"]?["health"]?.stringValue == "healthy")
            #expect(data["application"]?["dataEdges"]?[0]?["ready"]?.boolValue == true)
            let children = data["children"]?.arrayValue ?? []
            #expect(children.map { "\($0["role"]?.stringValue ?? "")|\($0["kind"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" }
                == ["workload|Deployment/database", "workload|Deployment/web"])
            let events = data["events"]?.arrayValue ?? []
            #expect(events.contains { $0["object"]?.stringValue == "ApplicationConfiguration/shop" })

            // A Component's children are its revisions, found through their ownerReferences.
            let component = try JSONValue(parsingJSON: try await session.run(["describe", "component", "web", "-o", "json"]).stdout)
            #expect(component["children"]?[0]?["name"]?.stringValue == "web-v1")
            #expect(component["children"]?[0]?["role"]?.stringValue == "revision")
            let workload = try await session.run(["describe", "deploy", "web"])
            #expect(workload.stdout.contains("Controlled By:    ApplicationConfiguration/shop"))
            let yaml = try await session.run(["describe", "traitdefinition", "manualscalertraits.core.oam.dev", "-o", "yaml"])
            #expect(yaml.status == 0)
            #expect(yaml.stdout.contains("kind: TraitDefinition"))

            let missing = try await session.run(["describe", "deployment", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("deployments \"nope\" not found"))
            let unknown = try await session.run(["describe", "gizmo", "x"])
            #expect(unknown.status == 2)
        }
    }
}
