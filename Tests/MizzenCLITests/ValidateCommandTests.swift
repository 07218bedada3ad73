import OrderedCollections
import Foundation
import Resources
import Testing

@Suite("mizzen validate")
struct ValidateCommandTests {
    @Test("the bundled examples are valid", arguments: ["data-passing", "component-versioning", "containerized-workload"])
    func examplesAreValid(example: String) async throws {
        let result = try await CLI.run(["validate", "-f", CLI.example(example)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("0 errors"))
    }

    @Test("an invalid file exits 1 with file:line:column diagnostics on stderr")
    func invalid() async throws {
        let file = try CLI.temporaryFile("""
            apiVersion: core.oam.dev/v1alpha2
            kind: ManualScalerTrait
            metadata:
              name: scaler
            spec:
              replicaCount: "three"
              workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
            """)
        let result = try await CLI.run(["validate", "-f", file])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(
            "\(file):6:17: error: ManualScalerTrait/default/scaler: spec.replicaCount: expected an integer, found a string"))
    }

    @Test("malformed YAML exits 2 and names the position")
    func malformed() async throws {
        let file = try CLI.temporaryFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [a, b}\n")
        let result = try await CLI.run(["validate", "-f", file])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(file):3:"))
    }

    @Test("a missing file exits 2")
    func missingFile() async throws {
        let result = try await CLI.run(["validate", "-f", "/nonexistent/app.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/app.yaml: no such file or directory"))
    }

    @Test("-o json prints a machine-readable report, reading standard input")
    func json() async throws {
        let result = try await CLI.run(["validate", "-f", "-", "-o", "json"], stdin: """
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: missing
            """)
        #expect(result.status == 2)
        let report = try JSONValue(parsingJSON: result.stdout)
        #expect(report["valid"] == false)
        let diagnostic = try #require(report["diagnostics"]?[0])
        #expect(diagnostic["severity"] == "error")
        #expect(diagnostic["object"] == ["kind": "ApplicationConfiguration", "name": "shop", "namespace": "default"])
        #expect(diagnostic["path"] == "spec.components[0].componentName")
        #expect(diagnostic["file"] == "<stdin>")
        #expect(diagnostic["line"] == 6)
    }
}
