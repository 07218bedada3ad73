import Foundation
import Resources
import Testing

@Suite("mizzen catalog")
struct CatalogCommandTests {
    @Test("with no plane, catalog shows the built-in definitions, says so on stderr, and shows schema and example")
    func builtinsWithoutAPlane() async throws {
        let session = PlaneSession()  // never started: no plane in its directory
        let list = try await session.run(["catalog", "list"])
        #expect(list.status == 0)
        #expect(list.stderr.hasPrefix("note: no control plane runs in"))
        try Golden.check(list.stdout, against: "catalog-builtins.tsv")

        let show = try await session.run(["catalog", "show", "ManualScalerTrait", "-o", "json"])
        #expect(show.status == 0)
        let entry = try JSONValue(parsingJSON: show.stdout)
        #expect(entry["type"]?.stringValue == "trait")
        #expect(entry["schema"]?["source"]?.stringValue == "builtin")
        let fields = (entry["schema"]?["fields"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        #expect(fields.contains("spec.replicaCount"))
        let example = entry["example"]?.stringValue ?? ""
        #expect(example.contains("kind: ManualScalerTrait") && example.contains("replicaCount: 1"))
        #expect(!example.contains("workloadRef"))

        // The text names the workload fields the trait owns (the component's value gives way).
        let text = try await session.run(["catalog", "show", "manualscalertraits"])
        #expect(text.stdout.split(separator: "\n").contains {
            $0.hasPrefix("Owns Fields:") && $0.hasSuffix(" spec.replicas")
        }, "\(text.stdout)")
        let sidecar = try await session.run(["catalog", "show", "sidecartraits"])
        #expect(!sidecar.stdout.contains("Owns Fields"))

        let missing = try await session.run(["catalog", "show", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no workload, trait or scope definition \"nope\""))
    }

    @Test("with a plane, catalog reads installed definitions and the schemas of their CRDs")
    func installedDefinitions() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")], wait: false)
            let data = try JSONValue(parsingJSON: try await session.run(["catalog", "-o", "json"]).stdout)
            let entries = data["definitions"]?.arrayValue ?? []
            let deployments = try #require(entries.first { $0["name"]?.stringValue == "deployments.apps" })
            #expect(deployments["source"]?.stringValue == "built-in")  // and installed: the plane is seeded with it
            #expect(deployments["kind"]?.stringValue == "Deployment")
            #expect(deployments["schema"]?["source"]?.stringValue == "none")
            let containerized = try #require(entries.first { $0["kind"]?.stringValue == "ContainerizedWorkload" })
            #expect(containerized["schema"]?["source"]?.stringValue == "server")
            #expect((containerized["schema"]?["fields"]?.arrayValue ?? []).contains { $0["path"]?.stringValue == "spec.containers" })

            let text = try await session.run(["catalog", "show", "healthscopes"])
            #expect(text.status == 0)
            #expect(text.stdout.contains("from the CustomResourceDefinition healthscopes.core.oam.dev"))
            #expect(text.stdout.contains("scopeRef:"))
        }
    }
}
